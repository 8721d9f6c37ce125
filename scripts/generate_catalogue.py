"""Write the instrument catalogue pages from the bundled instrument files.

One page per bundled instrument, ``docs/instruments/<id>.md``, rendered by
:func:`efficacy.instrument.instrument_markdown`, and ``docs/instruments/index.md``, a
table
built from :func:`efficacy.list_instruments`. The YAML files are the single source: the
pages are never edited by hand.

Usage::

    python scripts/generate_catalogue.py            # (re)write the pages
    python scripts/generate_catalogue.py --check    # exit 1 if the pages are out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import efficacy as ef
from efficacy.instrument._describe import instrument_markdown

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "docs" / "instruments"
SCRIPT = "scripts/generate_catalogue.py"


def _banner(source: str) -> str:
    return (
        f"<!-- Generated from {source} by {SCRIPT}. Do not edit by hand: "
        f"edit the YAML and run `python {SCRIPT}`. -->\n\n"
    )


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def index_markdown() -> str:
    """The catalogue's index page: one row per bundled instrument."""
    table = ef.list_instruments()
    lines = [
        "# Instrument catalogue",
        "",
        "Every instrument bundled with efficacy, loaded with `ef.load(ID)`. Each page gives "
        "the exact item wording, the authors' scoring and missing-data rules, published "
        "reliability and norms, and the terms of use, each fact with its source.",
        "",
        "| id | name | construct | domain | generality | items | scales | norm tables "
        "| terms of use |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for instrument_id, row in table.iterrows():
        cells = [
            f"[{instrument_id}]({instrument_id}.md)",
            row["name"],
            row["construct"],
            row["domain"],
            row["generality"],
            row["n_items"],
            row["scales"],
            row["norms"] or "none",
            row["license"],
        ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines += [
        "",
        "To build a scale for your own domain, start from the template "
        "`instruments/templates/bandura_template.yaml` (see the guide "
        "[Building your own scale](../guide/building-your-own-scale.md)).",
    ]
    return _banner("instruments/*.yaml") + "\n".join(lines) + "\n"


def pages() -> dict[str, str]:
    """File name -> content of every catalogue page."""
    out = {"index.md": index_markdown()}
    for instrument_id in ef.list_instruments().index:
        inst = ef.load(instrument_id)
        out[f"{instrument_id}.md"] = _banner(f"instruments/{instrument_id}.yaml") + (
            instrument_markdown(inst)
        )
    return out


def check(out_dir: Path) -> list[str]:
    """Problems of the committed pages in ``out_dir`` (empty: up to date)."""
    expected = pages()
    problems = []
    for name, content in expected.items():
        path = out_dir / name
        if not path.is_file():
            problems.append(f"{path}: missing")
        elif path.read_text("utf-8") != content:
            problems.append(f"{path}: differs from what {SCRIPT} generates")
    for path in sorted(out_dir.glob("*.md")):
        if path.name not in expected:
            problems.append(f"{path}: not generated from any bundled instrument (stale page)")
    return problems


def write(out_dir: Path) -> list[Path]:
    """Write every page into ``out_dir``; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in pages().items():
        path = out_dir / name
        path.write_text(content, "utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="do not write; exit 1 if the committed pages differ from the generated ones",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    if args.check:
        problems = check(args.out)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print(f"run `python {SCRIPT}` to regenerate the pages", file=sys.stderr)
            return 1
        print(f"{args.out}: catalogue pages are up to date")
        return 0
    for path in write(args.out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
