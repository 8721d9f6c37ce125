"""Write the output shown on the documentation's landing page.

Runs the landing page's example on the bundled demo data and writes, between the
markers in ``docs/index.md``, the APA reliability table and the norm comparison it
prints, and the score-distribution figure to ``docs/assets/gse_distribution.png``.
``tests/test_docs.py`` checks that the page shows what the code prints today.

    python scripts/generate_landing.py
"""

from __future__ import annotations

import warnings
from pathlib import Path

import efficacy as ef
from efficacy import datasets
from efficacy.output import tables

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "index.md"
FIGURE = ROOT / "docs" / "assets" / "gse_distribution.png"
START, END = "<!-- landing-output:start -->", "<!-- landing-output:end -->"


def landing_output() -> str:
    """The Markdown the landing page shows between its markers."""
    data = datasets.load_demo()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ef.scoring.InvalidResponseWarning)
        scores = ef.score(data, "gse", on_invalid="missing")
        rel = ef.reliability(data, "gse", on_invalid="missing")
    comparison = ef.compare_to_norm(scores, "gse", "world2006")
    reliability = tables.reliability_table(rel, title="Internal consistency", number=1)
    norm = tables.norm_comparison_table(comparison, title="The sample against world2006", number=2)
    return "\n\n".join(
        [
            START,
            reliability.to_markdown(),
            norm.to_markdown(),
            "![Distribution of the demo GSE scores against the world2006 reference data]"
            "(assets/gse_distribution.png)",
            END,
        ]
    )


def main() -> None:
    text = PAGE.read_text(encoding="utf-8")
    before, rest = text.split(START, 1)
    after = rest.split(END, 1)[1]
    PAGE.write_text(before + landing_output() + after, encoding="utf-8")
    data = datasets.load_demo()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ef.scoring.InvalidResponseWarning)
        scores = ef.score(data, "gse", on_invalid="missing")
    FIGURE.parent.mkdir(exist_ok=True)
    fig = ef.plot.score_distribution(scores, "gse", norm="world2006")
    fig.savefig(FIGURE, dpi=96, metadata={"Software": None})


if __name__ == "__main__":
    main()
