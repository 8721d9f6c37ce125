"""The ``efficacy`` command: list, show, validate, score, report, screen, cfa,
invariance and demo.

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
import functools
import json
import re
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from efficacy.cli._files import (
    check_output,
    instrument_path,
    keep_columns,
    plain_index,
    read_data,
    replaced_atomically,
    rows_in_file,
    write_table,
)
from efficacy.cli._messages import cli_message, flags, show_warning
from efficacy.cli._validation import add_validation_commands

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
    from efficacy.distributed._stream import score_in_chunks, streams
    from efficacy.errors import DataError
    from efficacy.scoring import score

    _positionals(args, ["instrument", "data"])
    if args.decimals is not None and args.decimals < 0:
        raise DataError(f"--decimals {args.decimals}: give 0 or more decimals")
    check_output(args.output, [args.data, instrument_path(args.instrument)], "--output")
    plain = not args.missing and args.decimals is None
    if plain and streams(args.data, args.output):  # a large CSV/TSV: scored in chunks of rows
        options = {"columns": _columns_option(args.columns), "coding": args.coding}
        options.update(method=args.method, on_invalid=args.on_invalid, keep=args.keep)
        options["encoding"] = args.encoding
        rows = score_in_chunks(
            args.data, args.instrument, args.output, replaced=replaced_atomically, **options
        )
        print(f"wrote {rows} rows to {args.output or 'standard output'}", file=sys.stderr)
        return EXIT_OK
    data = args.read = read_data(args.data, args.encoding, args.missing)
    scores = score(
        data,
        args.instrument,
        columns=_columns_option(args.columns),
        coding=args.coding,
        method=args.method,
        on_invalid=args.on_invalid,
    )
    kept = keep_columns(data, scores, args.keep)
    write_table(plain_index(kept, data), args.output, args.decimals)
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from efficacy.output._report import report

    check_output(args.output, [args.data, instrument_path(args.instrument)], "--output")
    data = args.read = read_data(args.data, args.encoding, args.missing)
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
    with replaced_atomically(args.output) as temporary:
        result.save(temporary)
    print(f"wrote the report to {args.output}")
    return EXIT_OK


def _cmd_screen(args: argparse.Namespace) -> int:
    from efficacy.screening._screen import screen

    check_output(args.output, [args.data, instrument_path(args.instrument)], "--output")
    data = args.read = read_data(args.data, args.encoding, args.missing)
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
    write_table(plain_index(result.to_frame(), data), args.output)
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from efficacy.demo import run_demo

    run_demo(Path(args.out), overwrite=args.overwrite)
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

    add_validation_commands(commands)

    demo = commands.add_parser("demo", help="score the bundled example data and write a report")
    demo.add_argument("--out", default="demo-output", help="folder for the outputs")
    demo.add_argument(
        "--overwrite",
        action="store_true",
        help="replace files of the outputs' names that an earlier demo did not write",
    )
    demo.set_defaults(run=_cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    from efficacy.errors import EfficacyError

    parser = build_parser()
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    hints = flags(getattr(args, "parser", None))
    with warnings.catch_warnings():
        warnings.showwarning = functools.partial(show_warning, flags=hints)
        try:
            return int(run(args))
        except EfficacyError as exc:
            text = rows_in_file(cli_message(str(exc), hints), getattr(args, "read", None))
            print(f"efficacy: error: {text}", file=sys.stderr)
            return EXIT_USAGE
        except json.JSONDecodeError as exc:
            print(f"efficacy: error: --columns is not valid JSON: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except OSError as exc:
            where = f": {exc.filename}" if exc.filename else ""
            print(f"efficacy: error: {exc.strerror or exc}{where}", file=sys.stderr)
            return EXIT_USAGE
