"""The ``efficacy`` command: list, show, validate, score, report and demo.

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
) -> None:
    """Print a warning as one plain line on standard error (no source line)."""
    text = " ".join(str(message).split())
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


def _read_data(path: str, encoding: str | None = None) -> Any:
    from efficacy.io._files import read

    return read(path, encoding=encoding)


def _write_table(frame: Any, output: str | None) -> None:
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
    return data[list(keep)].join(scores)


def _cmd_score(args: argparse.Namespace) -> int:
    from efficacy.distributed._stream import score_in_chunks, streams
    from efficacy.scoring import score

    if args.output is not None:
        _check_not_an_input(args.output, [args.data, _instrument_path(args.instrument)], "--output")
    if streams(args.data, args.output):  # a large CSV/TSV file: scored in chunks of rows
        options = {"columns": _columns_option(args.columns), "coding": args.coding}
        options.update(method=args.method, on_invalid=args.on_invalid, keep=args.keep)
        options["encoding"] = args.encoding
        rows = score_in_chunks(
            args.data, args.instrument, args.output, replaced=_replaced_atomically, **options
        )
        print(f"wrote {rows} rows to {args.output or 'standard output'}", file=sys.stderr)
        return EXIT_OK
    data = _read_data(args.data, args.encoding)
    scores = score(
        data,
        args.instrument,
        columns=_columns_option(args.columns),
        coding=args.coding,
        method=args.method,
        on_invalid=args.on_invalid,
    )
    _write_table(_keep_columns(data, scores, args.keep), args.output)
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from efficacy.output._report import report

    _check_not_an_input(args.output, [args.data, _instrument_path(args.instrument)], "--output")
    data = _read_data(args.data, args.encoding)
    result = report(
        data,
        args.instrument,
        norm=args.norm,
        columns=_columns_option(args.columns),
        group=_group_option(args.group),
        progress=not args.quiet,
        on_invalid=args.on_invalid,
    )
    with _replaced_atomically(args.output) as temporary:
        result.save(temporary)
    print(f"wrote the report to {args.output}")
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
    score.add_argument("instrument", help="bundled id (e.g. gse) or path to a YAML file")
    score.add_argument("data", help="data file: CSV, TSV, Excel, SPSS .sav, Qualtrics CSV")
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
    score.add_argument("--keep", nargs="*", default=[], help="data columns to copy to the output")
    score.add_argument("--encoding", help="text encoding of a CSV/TSV data file (e.g. cp1252)")
    score.set_defaults(run=_cmd_score)

    report = commands.add_parser("report", help="write a self-contained HTML report")
    report.add_argument("instrument")
    report.add_argument("data")
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
    report.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    report.set_defaults(run=_cmd_report)

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
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        try:
            return int(run(args))
        except EfficacyError as exc:
            print(f"efficacy: error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except json.JSONDecodeError as exc:
            print(f"efficacy: error: --columns is not valid JSON: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except OSError as exc:
            where = f": {exc.filename}" if exc.filename else ""
            print(f"efficacy: error: {exc.strerror or exc}{where}", file=sys.stderr)
            return EXIT_USAGE
