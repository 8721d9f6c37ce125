"""``efficacy cfa`` and ``efficacy invariance``: the instrument's factor structure, checked.

``cfa`` fits the instrument's declared factors (:func:`efficacy.cfa`) and prints the
summary: estimator, convergence and problems, the fit measures and the standardized
loadings; ``--modindices N`` adds the N largest modification indices. ``invariance``
fits the invariance ladder across a group column (:func:`efficacy.invariance`) and
prints each level's fit, the differences and the verdict with its criteria;
``--free`` refits it with the named items' intercepts (or thresholds) free.

With ``--output`` the table goes to that file (``cfa``: the parameter table;
``invariance``: the ladder) and the summary to standard output.

Examples
--------
>>> import efficacy as ef, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> ef.datasets.load_demo().to_csv(folder / "demo.csv", index=False)
>>> from efficacy.cli import main
>>> args = ["cfa", "gse", str(folder / "demo.csv"), "--on-invalid", "missing"]
>>> main(args)  # doctest: +ELLIPSIS
Confirmatory factor analysis (ML, marker loadings fixed to 1)
  status          converged
...
0
"""

from __future__ import annotations

import argparse
from typing import Any

from efficacy.cli._files import check_output, instrument_path, read_data, write_table

EXIT_OK = 0

_ESTIMATORS = ("ML", "MLR", "WLSMV")
_MISSING_DATA = ("listwise", "fiml", "pairwise")


def _count(text: str) -> int:
    """A whole number of at least 0 (``--modindices``)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {value}")
    return value


def _read(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    """The data (the output checked first) and the options both commands share."""
    if args.output:
        check_output(args.output, [args.data, instrument_path(args.instrument)], "--output")
    data = args.read = read_data(args.data, args.encoding, args.missing_codes)
    options = {
        "estimator": args.estimator,
        "std_lv": args.std_lv,
        "missing": args.missing,
        "on_invalid": args.on_invalid,
        "residual_covariances": [tuple(pair) for pair in args.residual_covariance or ()],
    }
    return data, options


def _cmd_cfa(args: argparse.Namespace) -> int:
    from efficacy.validation import cfa

    data, options = _read(args)
    fit = cfa(data, args.instrument, group=args.group, **options)
    print(fit.summary())
    if args.modindices:
        print()
        print(f"Largest {args.modindices} modification indices")
        print(fit.modification_indices(top=args.modindices).to_string(index=False))
    if args.output:
        write_table(fit.to_frame(), args.output)
    return EXIT_OK


def _cmd_invariance(args: argparse.Namespace) -> int:
    from efficacy.validation import invariance

    data, options = _read(args)
    result = invariance(data, args.instrument, group=args.group, levels=args.levels, **options)
    if args.free:
        result = result.partial(free=args.free)
    print(result.summary())
    if args.output:
        write_table(result.to_frame(), args.output)
    return EXIT_OK


def _shared(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("instrument", help="bundled id (e.g. tses) or path to a YAML file")
    parser.add_argument("data", help="data file; - reads CSV from standard input")
    parser.add_argument(
        "--estimator",
        choices=_ESTIMATORS,
        default="ML",
        help="ML (default), MLR (robust) or WLSMV (ordinal items, 4- to 7-point)",
    )
    parser.add_argument(
        "--missing-data",
        dest="missing",  # the library's missing=: its messages then name this flag
        choices=_MISSING_DATA,
        default="listwise",
        help="incomplete rows: listwise (default), fiml (ML/MLR) or pairwise (WLSMV)",
    )
    parser.add_argument(
        "--std-lv", action="store_true", help="identify factors by unit variances, not markers"
    )
    parser.add_argument(
        "-o", "--output", help="file for the table (.csv, .xlsx, .sav); the summary is printed"
    )
    parser.add_argument(
        "--missing",
        dest="missing_codes",
        nargs="+",
        type=float,
        help="missing-value codes in the data, e.g. 9 99",
    )
    parser.add_argument("--encoding", help="text encoding of a CSV/TSV data file (e.g. cp1252)")
    parser.add_argument(
        "--residual-covariance",
        nargs=2,
        action="append",
        metavar=("ITEM", "ITEM"),
        help="free the residual covariance of two items (repeat for more pairs)",
    )
    parser.add_argument(
        "--on-invalid",
        choices=["raise", "missing"],
        default="raise",
        help="invalid cells: stop with an error (default) or treat them as missing",
    )


def add_validation_commands(commands: Any) -> None:
    """Add ``cfa`` and ``invariance`` to the ``efficacy`` command's subparsers."""
    cfa = commands.add_parser(
        "cfa",
        help="confirmatory factor analysis of the instrument's factors",
        description="Fit the instrument's declared factors (its subscales) and print the "
        "fit measures, the standardized loadings and any problem (non-convergence, "
        "Heywood cases). With --output the parameter table goes to that file.",
    )
    _shared(cfa)
    cfa.add_argument("--group", help="data column: fit the model in each group (configural)")
    cfa.add_argument(
        "--modindices",
        type=_count,
        default=0,
        metavar="N",
        help="also print the N largest modification indices",
    )
    cfa.set_defaults(run=_cmd_cfa, parser=cfa)

    inv = commands.add_parser(
        "invariance",
        help="measurement invariance of the instrument's factors across groups",
        description="Fit the invariance ladder across --group (configural, metric, scalar, "
        "strict; for WLSMV configural, thresholds, metric, scalar) and print each level's "
        "fit, the differences and a verdict with the criteria it used. With --output the "
        "ladder goes to that file.",
    )
    _shared(inv)
    inv.add_argument("--group", required=True, help="data column holding the groups")
    inv.add_argument("--levels", nargs="+", help="levels to fit (default: the whole ladder)")
    inv.add_argument(
        "--free",
        nargs="+",
        metavar="ITEM",
        help="partial invariance: free these items' intercepts (or thresholds) across groups",
    )
    inv.set_defaults(run=_cmd_invariance, parser=inv)
