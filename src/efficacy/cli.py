"""The ``efficacy`` command: list, show, validate, score, report and demo.

User errors (bad files, bad data) print one clear message and exit with a non-zero
code, never a Python traceback:

- 0: success;
- 1: ``validate`` found problems;
- 2: a user error (unknown instrument, unreadable or invalid data, bad arguments).

Examples
--------
>>> main(["list"])  # doctest: +ELLIPSIS, +NORMALIZE_WHITESPACE
name ... gse General Self-Efficacy Scale ... 0
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
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
    if text is None:
        return None
    stripped = text.strip()
    if stripped.startswith("{") and stripped.endswith("}") and ":" in stripped:
        return json.loads(stripped)
    if "=" in stripped and "{" not in stripped:
        pairs = [part.split("=", 1) for part in stripped.split(",") if part]
        return {item.strip(): column.strip() for item, column in pairs}
    return stripped


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


def _read_data(path: str) -> Any:
    from efficacy.io._files import read

    return read(path)


def _write_table(frame: Any, output: str | None) -> None:
    if output is None:
        print(frame.to_csv(), end="")
        return
    from efficacy.io._files import write

    write(frame, output)
    print(f"wrote {len(frame)} rows to {output}", file=sys.stderr)


def _cmd_score(args: argparse.Namespace) -> int:
    import warnings

    from efficacy.scoring import score

    data = _read_data(args.data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scores = score(
            data,
            args.instrument,
            columns=_columns_option(args.columns),
            coding=args.coding,
            method=args.method,
            on_invalid=args.on_invalid,
        )
    for warning in caught:
        print(f"efficacy: warning: {warning.message}", file=sys.stderr)
    if args.keep:
        scores = data[args.keep].join(scores)
    _write_table(scores, args.output)
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from efficacy.output._report import report

    data = _read_data(args.data)
    result = report(
        data,
        args.instrument,
        norm=args.norm,
        columns=_columns_option(args.columns),
        path=args.output,
        progress=not args.quiet,
        on_invalid=args.on_invalid,
    )
    print(f"wrote the report to {args.output}" if args.output else result.html)
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from efficacy.demo import run_demo

    run_demo(Path(args.out))
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
    score.set_defaults(run=_cmd_score)

    report = commands.add_parser("report", help="write a self-contained HTML report")
    report.add_argument("instrument")
    report.add_argument("data")
    report.add_argument("-o", "--output", required=True, help="HTML file to write")
    report.add_argument("--norm", help="norm table id to compare with")
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
    try:
        return int(args.run(args))
    except EfficacyError as exc:
        print(f"efficacy: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        print(f"efficacy: error: {exc.strerror}: {exc.filename}", file=sys.stderr)
        return EXIT_USAGE
    except json.JSONDecodeError as exc:
        print(f"efficacy: error: --columns is not valid JSON: {exc}", file=sys.stderr)
        return EXIT_USAGE
