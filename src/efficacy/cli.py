"""The ``efficacy`` command: list, show, validate, score, report, screen and demo.

User errors (bad files, bad data) print one clear message and exit with a non-zero
code, never a Python traceback:

- 0: success;
- 1: ``validate`` found problems;
- 2: a user error (unknown instrument, unreadable or invalid data, bad arguments).

Warnings (e.g. about how a data file was read) are printed as one line each,
``efficacy: warning: ...``. An output file is never one of the command's inputs (the
data or the instrument file, however the path is spelled or linked): that is refused.
Outputs are written to a temporary file in the same folder and then moved into
place, so an interrupted run never leaves a half-written file.

Examples
--------
>>> main(["list"])  # doctest: +ELLIPSIS, +NORMALIZE_WHITESPACE
name ... gse General Self-Efficacy Scale ... 0
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import re
import shutil
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"efficacy: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _columns_option(text: str | None) -> Any:
    """``--columns`` as a template (``self{n}``), JSON object, or ``item=col,item=col``."""
    from efficacy.errors import DataError

    if text is None:
        return None
    stripped = text.strip()
    if re.match(r'\{\s*["}]', stripped):  # a JSON object; "{n:02d}" is a template
        return json.loads(stripped)
    if "=" in stripped and "{" not in stripped:
        parts = [part for part in stripped.split(",") if part.strip()]
        malformed = [part for part in parts if "=" not in part or not all(part.split("=", 1))]
        if malformed:
            raise DataError(
                f"--columns {text!r}: {malformed!r} not of the form item=column; give "
                "item=column pairs separated by commas (e.g. gse1=q1,gse2=q2), a template "
                "such as 'q{n}', or a JSON object"
            )
        pairs = [part.split("=", 1) for part in parts]
        return {item.strip(): column.strip() for item, column in pairs}
    return stripped


def _group_option(text: str | None) -> Any:
    """``--group`` as a column name, names separated by commas, or covariate=column pairs."""
    from efficacy.errors import DataError

    if text is None:
        return None
    parts = [part.strip() for part in text.split(",") if part.strip()]
    with_column = [part for part in parts if "=" in part]
    if not parts or (with_column and len(with_column) != len(parts)):
        raise DataError(
            f"--group {text!r}: give column names separated by commas (e.g. sex,age) or "
            "covariate=column pairs (e.g. sex=gender)"
        )
    if with_column:
        pairs = [part.split("=", 1) for part in parts]
        return {covariate.strip(): column.strip() for covariate, column in pairs}
    return parts[0] if len(parts) == 1 else parts


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
    *,
    flags: dict[str, str] | None = None,
) -> None:
    """Print a warning as one plain line on standard error, hints as ``flags`` say them."""
    text = cli_message(" ".join(str(message).split()), flags)
    print(f"efficacy: warning: {text}", file=sys.stderr if file is None else file)


def _check_not_an_input(output: str, inputs: Sequence[str | None], what: str) -> None:
    """Refuse an output path that is (or links to) one of the inputs."""
    from efficacy.errors import DataError

    target = Path(output).expanduser()
    if not target.exists():
        return
    for source in inputs:
        if source is None:
            continue
        path = Path(source).expanduser()
        try:
            same = path.exists() and os.path.samefile(target, path)
        except OSError:
            same = False
        if same:
            raise DataError(
                f"{what} {output} is the input file {source}; writing it would destroy the "
                "input. Choose another output file"
            )


@contextlib.contextmanager
def _replaced_atomically(output: str) -> Iterator[Path]:
    """A temporary path for ``output``, moved onto it when the block succeeds.

    The temporary file has the output's own name, in a new hidden folder next to it
    (so the writers choose the same format and name the same file in messages); on
    success it replaces the output in one step, on failure it is removed. A symbolic
    link at ``output`` is followed: the file it points to is replaced. A new file gets
    the usual permissions (``0o666`` less the umask); a replaced file keeps its own.
    """
    from efficacy.errors import DataError

    final = Path(os.path.realpath(Path(output).expanduser()))
    if not final.parent.is_dir():
        raise DataError(f"cannot write {output}: the folder {final.parent} does not exist")
    if final.is_dir():
        raise DataError(f"cannot write {output}: it is a folder")
    folder = Path(tempfile.mkdtemp(dir=final.parent, prefix=".efficacy-"))
    temporary = folder / final.name
    try:
        yield temporary
        if final.exists():
            mode = final.stat().st_mode & 0o7777
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(temporary, mode)
        os.replace(temporary, final)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _instrument_path(instrument: str) -> str | None:
    """The instrument argument when it names an existing file (else a bundled id)."""
    return instrument if Path(instrument).expanduser().is_file() else None


def _cmd_list(args: argparse.Namespace) -> int:
    import pandas as pd

    from efficacy.instrument._loader import list_instruments

    table = list_instruments()[["name", "construct", "generality", "n_items", "scales"]]
    with pd.option_context("display.max_colwidth", 48, "display.width", 200):
        print(table.to_string())
    return EXIT_OK


def _cmd_show(args: argparse.Namespace) -> int:
    from efficacy.instrument._describe import instrument_text
    from efficacy.instrument._loader import load

    print(instrument_text(load(args.instrument)))
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    from efficacy.instrument._loader import validate_file

    failed = 0
    for name in args.files:
        problems = validate_file(name)
        if problems:
            failed += 1
            noun = "problem" if len(problems) == 1 else "problems"
            print(f"{name}: {len(problems)} {noun}")
            for problem in problems:
                print(f"  {problem}")
        else:
            print(f"{name}: valid")
    return EXIT_INVALID if failed else EXIT_OK


def _read_data(path: str, encoding: str | None = None, missing: Any = None) -> Any:
    """Read a data file (``-``: CSV on standard input), its rows labelled as in the file.

    Each row's label becomes the file's own number for it (see
    :func:`efficacy.io._lines.file_rows`), so that messages name the lines a researcher
    sees in an editor; the caller puts the plain index back before writing
    (:func:`_plain_index`).
    """
    from efficacy.io._files import read

    if path != "-":
        return _label_rows(read(path, encoding=encoding, missing=missing), Path(path))
    folder = Path(tempfile.mkdtemp(prefix="efficacy-stdin-"))
    try:
        copy = folder / "stdin.csv"
        copy.write_bytes(sys.stdin.buffer.read())
        return _label_rows(read(copy, encoding=encoding, missing=missing), copy)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _label_rows(data: Any, path: Path) -> Any:
    from efficacy.io._lines import file_rows

    found = file_rows(data, path)
    if found is not None:
        data.attrs["efficacy_cli_rows"] = {"index": data.index, "word": found[1]}
        data.index = found[0]
    return data


def _plain_index(frame: Any, data: Any) -> Any:
    """``frame`` (on ``data``'s file-numbered rows) back on the data's own index."""
    rows = data.attrs.get("efficacy_cli_rows")
    if rows is not None:
        frame = frame.copy()
        frame.index = rows["index"]
    return frame


def _rows_in_file(message: str, data: Any) -> str:
    """A message naming data rows, said in the file's own numbers."""
    rows = None if data is None else data.attrs.get("efficacy_cli_rows")
    if rows is None:
        return message
    return re.sub(r"\brows \[", f"{rows['word']} [", message)


def _check_output(output: str | None, inputs: Sequence[str | None], what: str) -> None:
    """Refuse a bad output path before any work: an input, a folder, a missing folder."""
    from efficacy.errors import DataError

    if output is None:
        return
    _check_not_an_input(output, inputs, what)
    final = Path(os.path.realpath(Path(output).expanduser()))
    if final.is_dir():
        raise DataError(f"cannot write {what} {output}: it is a folder")
    if not final.parent.is_dir():
        raise DataError(f"cannot write {what} {output}: the folder {final.parent} does not exist")
    if not os.access(final.parent, os.W_OK):
        raise DataError(f"cannot write {what} {output}: the folder {final.parent} is not writable")


#: Library phrases with no keyword argument in them, and how the command says them.
CLI_PHRASES = (
    (
        'the full list is in attrs["efficacy"]["invalid_cells"]',
        "efficacy report lists every cell",
    ),
)

#: A keyword argument in a library message: ``name=``, a quoted or plain value.
_KEYWORD = re.compile(r"\b([a-z][a-z_]*)=(?:\[([^\]]*)\]|([\"'])([^\"']*)\3|([^\s,;)\]]*))")


def cli_message(text: str, flags: dict[str, str] | None = None) -> str:
    """A library message with its Python hints said as the command's flags.

    ``flags`` maps a keyword argument to the command's option (``on_invalid`` ->
    ``--on-invalid``); keyword arguments the command has no option for are left as
    they are.

    Examples
    --------
    >>> cli_message('Pass on_invalid="missing" to score them.', {"on_invalid": "--on-invalid"})
    'Pass --on-invalid missing to score them.'
    >>> cli_message("pass the file's encoding with encoding=", {"encoding": "--encoding"})
    "pass the file's encoding with --encoding"
    """
    for python, said in CLI_PHRASES:
        text = text.replace(python, said)
    if not flags:
        return text

    def option(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in flags:
            return match.group(0)
        listed, quoted, plain = match.group(2), match.group(4), match.group(5)
        if listed is not None:
            value = " ".join(part.strip(" '\"") for part in listed.split(","))
        else:
            value = quoted if quoted is not None else plain
        return f"{flags[name]} {value}" if value else flags[name]

    return _KEYWORD.sub(option, text)


def _flags(parser: argparse.ArgumentParser | None) -> dict[str, str]:
    """Keyword argument -> option of a command (``on_invalid`` -> ``--on-invalid``)."""
    if parser is None:
        return {}
    return {
        action.dest: action.option_strings[-1]
        for action in parser._actions
        if action.option_strings and action.dest != "help"
    }


def _write_table(frame: Any, output: str | None, decimals: int | None = None) -> None:
    if decimals is not None:
        floats = frame.select_dtypes("floating").columns
        frame = frame.assign(**{str(c): frame[c].round(decimals) for c in floats})
    if output is None:
        print(frame.to_csv(), end="")
        return
    from efficacy.io._files import write

    with _replaced_atomically(output) as temporary:
        write(frame, temporary)
    print(f"wrote {len(frame)} rows to {output}", file=sys.stderr)


def _keep_columns(data: Any, scores: Any, keep: Sequence[str]) -> Any:
    """``scores`` with the data columns ``keep`` in front; unknown or clashing names refused."""
    from efficacy.errors import DataError, require_columns

    if not keep:
        return scores
    require_columns(data, list(keep), what="data (--keep)")
    twice = sorted({column for column in keep if list(keep).count(column) > 1})
    if twice:
        raise DataError(f"--keep names columns more than once: {twice}")
    clash = [column for column in keep if column in scores.columns]
    if clash:
        raise DataError(
            f"--keep {clash} would repeat score columns of the same name; "
            "rename those data columns first"
        )
    kept = data[list(keep)].copy()
    for column in keep:  # whole numbers stored as floats (SPSS) stay integers
        values = kept[column]
        if values.dtype.kind == "f":
            finite = values.dropna()
            if len(finite) and (finite == finite.round()).all() and (finite.abs() < 2**53).all():
                kept[column] = values.astype("Int64")
    out = kept.join(scores)
    out.attrs = {**data.attrs, **scores.attrs}  # variable labels of the kept columns
    return out


def _positionals(args: argparse.Namespace, names: Sequence[str]) -> None:
    """Take positional arguments swallowed by ``--keep`` (given before them) back."""
    from efficacy.errors import DataError

    missing = [name for name in names if getattr(args, name) is None]
    if not missing:
        return
    keep = list(getattr(args, "keep", []) or [])
    if len(keep) < len(missing) + 1:
        raise DataError(f"missing {', '.join(missing).upper()}: give the instrument and data file")
    taken = keep[len(keep) - len(missing) :]
    args.keep = keep[: len(keep) - len(missing)]
    for name, value in zip(missing, taken, strict=True):
        setattr(args, name, value)


def _cmd_score(args: argparse.Namespace) -> int:
    from efficacy.errors import DataError
    from efficacy.scoring import score

    _positionals(args, ["instrument", "data"])
    if args.decimals is not None and args.decimals < 0:
        raise DataError(f"--decimals {args.decimals}: give 0 or more decimals")
    _check_output(args.output, [args.data, _instrument_path(args.instrument)], "--output")
    data = args.read = _read_data(args.data, args.encoding, args.missing)
    scores = score(
        data,
        args.instrument,
        columns=_columns_option(args.columns),
        coding=args.coding,
        method=args.method,
        on_invalid=args.on_invalid,
    )
    kept = _keep_columns(data, scores, args.keep)
    _write_table(_plain_index(kept, data), args.output, args.decimals)
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from efficacy.output._report import report

    _check_output(args.output, [args.data, _instrument_path(args.instrument)], "--output")
    data = args.read = _read_data(args.data, args.encoding, args.missing)
    result = report(
        data,
        args.instrument,
        norm=args.norm,
        columns=_columns_option(args.columns),
        group=_group_option(args.group),
        progress=not args.quiet and sys.stderr.isatty(),
        on_invalid=args.on_invalid,
        **{k: v for k, v in (("n_boot", args.n_boot), ("seed", args.seed)) if v is not None},
    )
    with _replaced_atomically(args.output) as temporary:
        result.save(temporary)
    print(f"wrote the report to {args.output}")
    return EXIT_OK


def _cmd_screen(args: argparse.Namespace) -> int:
    from efficacy.screening._screen import screen

    _check_output(args.output, [args.data, _instrument_path(args.instrument)], "--output")
    data = args.read = _read_data(args.data, args.encoding, args.missing)
    result = screen(
        data,
        args.instrument,
        duration=args.duration,
        seed=args.seed,
        resample_na=args.resample_na,
        on_invalid=args.on_invalid,
    )
    # the table goes to the file or standard output; the summary beside it
    print(result.summary(), file=sys.stdout if args.output else sys.stderr)
    _write_table(_plain_index(result.to_frame(), data), args.output)
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from efficacy.demo import run_demo
    from efficacy.errors import DataError

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise DataError(f"--out {args.out} is a file; the demo writes several files into a folder")
    run_demo(out)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``efficacy`` command."""
    from efficacy._version import __version__

    parser = _Parser(
        prog="efficacy",
        description="Score validated self-efficacy questionnaires, check their reliability "
        "and compare with published norms.",
    )
    parser.add_argument("--version", action="version", version=f"efficacy {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    commands.add_parser("list", help="list the bundled instruments").set_defaults(run=_cmd_list)

    show = commands.add_parser("show", help="items, scoring, sources and norms of an instrument")
    show.add_argument("instrument", help="bundled id (e.g. gse) or path to a YAML file")
    show.set_defaults(run=_cmd_show)

    validate = commands.add_parser("validate", help="check instrument files; exit 1 if invalid")
    validate.add_argument("files", nargs="+", metavar="FILE")
    validate.set_defaults(run=_cmd_validate)

    score = commands.add_parser("score", help="score a data file with an instrument")
    score.add_argument("instrument", nargs="?", help="bundled id (e.g. gse) or path to a YAML file")
    score.add_argument(
        "data",
        nargs="?",
        help="data file: CSV, TSV, Excel, SPSS .sav, Qualtrics CSV; - reads CSV from stdin",
    )
    score.add_argument("-o", "--output", help="output file (.csv, .xlsx, .sav); default stdout")
    score.add_argument(
        "--columns",
        help="column template such as 'self{n}', a JSON object, or item=column pairs",
    )
    score.add_argument("--coding", help="an alternative coding declared by the instrument")
    score.add_argument("--method", choices=["sum", "mean"], help="override the scoring method")
    score.add_argument(
        "--on-invalid",
        choices=["raise", "missing"],
        default="raise",
        help="invalid cells: stop with an error (default) or score them as missing",
    )
    score.add_argument(
        "--keep",
        nargs="*",
        default=[],
        help="data columns to copy to the output (labels and whole-number ids kept); "
        "may also come before INSTRUMENT DATA",
    )
    score.add_argument(
        "--decimals",
        type=int,
        help="round written scores to N decimals; default full precision, for files "
        "meant for further analysis",
    )
    score.add_argument(
        "--missing", nargs="+", type=float, help="missing-value codes in the data, e.g. 9 99"
    )
    score.add_argument("--encoding", help="text encoding of a CSV/TSV data file (e.g. cp1252)")
    score.set_defaults(run=_cmd_score, parser=score)

    report = commands.add_parser("report", help="write a self-contained HTML report")
    report.add_argument("instrument")
    report.add_argument("data", help="data file; - reads CSV from standard input")
    report.add_argument(
        "--missing", nargs="+", type=float, help="missing-value codes in the data, e.g. 9 99"
    )
    report.add_argument("--n-boot", type=int, help="bootstrap replicates (default: the report's)")
    report.add_argument("--seed", type=int, help="bootstrap seed (default: the report's, 0)")
    report.add_argument("-o", "--output", required=True, help="HTML file to write")
    report.add_argument("--norm", help="norm table id to compare with")
    report.add_argument(
        "--group",
        help="data column(s) with the norm table's covariates: sex, sex,age or sex=gender",
    )
    report.add_argument("--encoding", help="text encoding of a CSV/TSV data file (e.g. cp1252)")
    report.add_argument("--columns", help="column template, JSON object or item=column pairs")
    report.add_argument(
        "--on-invalid",
        choices=["raise", "missing"],
        default="raise",
        help="invalid cells: stop with an error (default) or score them as missing",
    )
    report.add_argument(
        "-q", "--quiet", action="store_true", help="no progress bar (shown only on a terminal)"
    )
    report.set_defaults(run=_cmd_report, parser=report)

    scr = commands.add_parser(
        "screen",
        help="screen respondents for careless responding",
        description="Compute every careless-responding index and flag for each respondent. "
        "The table (one row per respondent) goes to --output or standard output; the "
        "summary (rules, cut-offs and counts) to standard output with --output, else to "
        "standard error.",
    )
    scr.add_argument("instrument", help="bundled id (e.g. gse) or path to a YAML file")
    scr.add_argument("data", help="data file; - reads CSV from standard input")
    scr.add_argument("-o", "--output", help="output file (.csv, .xlsx, .sav); default stdout")
    scr.add_argument("--duration", help="data column with each respondent's seconds")
    scr.add_argument("--seed", type=int, help="seed for re-drawn psychsyn/psychant values")
    scr.add_argument(
        "--resample-na", action="store_true", help="re-draw undefined psychsyn/psychant values"
    )
    scr.add_argument(
        "--on-invalid",
        choices=["raise", "missing"],
        default="raise",
        help="invalid cells: stop with an error (default) or treat them as missing",
    )
    scr.add_argument(
        "--missing", nargs="+", type=float, help="missing-value codes in the data, e.g. 9 99"
    )
    scr.add_argument("--encoding", help="text encoding of a CSV/TSV data file (e.g. cp1252)")
    scr.set_defaults(run=_cmd_screen, parser=scr)

    demo = commands.add_parser("demo", help="score the bundled example data and write a report")
    demo.add_argument("--out", default="demo-output", help="folder for the outputs")
    demo.set_defaults(run=_cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    from efficacy.errors import EfficacyError

    parser = build_parser()
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    flags = _flags(getattr(args, "parser", None))
    with warnings.catch_warnings():
        warnings.showwarning = functools.partial(_show_warning, flags=flags)
        try:
            return int(run(args))
        except EfficacyError as exc:
            text = _rows_in_file(cli_message(str(exc), flags), getattr(args, "read", None))
            print(f"efficacy: error: {text}", file=sys.stderr)
            return EXIT_USAGE
        except json.JSONDecodeError as exc:
            print(f"efficacy: error: --columns is not valid JSON: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except OSError as exc:
            where = f": {exc.filename}" if exc.filename else ""
            print(f"efficacy: error: {exc.strerror or exc}{where}", file=sys.stderr)
            return EXIT_USAGE
