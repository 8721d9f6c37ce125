"""The main job on bundled data: what ``make demo`` and ``efficacy demo`` run.

It scores the bundled GSE example data with the authors' rules (reporting the invalid
cells it scored as missing), prints the reliability table and the comparison with the
international reference data, writes the scores and a self-contained HTML report, and
says where they are.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

#: The reference data the demo compares with (GSE international data file, all respondents).
DEMO_NORM = "world2006"


def _heading(text: str) -> None:
    print(f"\n{text}\n{'-' * len(text)}")


def run_demo(out: Path) -> dict[str, Path]:
    """Run the demo, writing into ``out``; returns the paths it wrote."""
    import efficacy as ef
    from efficacy.datasets import describe, load_demo
    from efficacy.scoring import InvalidResponseWarning

    out.mkdir(parents=True, exist_ok=True)
    data = load_demo()
    about = describe("gse_demo")
    inst = ef.load("gse")
    print(f"efficacy {ef.__version__}: {inst.name} ({inst.abbreviation}), {inst.n_items} items")
    print(f"Data: {len(data)} respondents, bundled example ({about.get('description', '')})")

    _heading("Scoring")
    # the invalid cells are listed below; the warning would only repeat it
    warnings.filterwarnings("ignore", category=InvalidResponseWarning)
    scores = ef.score(data, inst, on_invalid="missing")
    invalid = scores.attrs["efficacy"]["invalid_cells"]
    scored = scores["gse"].notna()
    print(
        f"{int(scored.sum())} of {len(scores)} respondents scored; "
        f"{int((~scored).sum())} have more than 3 of 10 items missing (authors' rule)."
    )
    print(f"{len(invalid)} invalid cells were scored as missing:")
    with pd.option_context("display.width", 120):
        print(invalid.to_string(index=False))

    _heading("Reliability")
    rel = ef.reliability(data, inst, on_invalid="missing")
    with pd.option_context("display.width", 160, "display.precision", 3):
        print(rel.to_frame().to_string())

    _heading(f"Comparison with the norm table {DEMO_NORM!r}")
    table = inst.norm(DEMO_NORM)
    print(f"{table.kind.replace('_', ' ')}: {table.population}")
    comparison = ef.compare_to_norm(scores, inst, norm=DEMO_NORM)
    shown = [
        "n",
        "mean",
        "sd",
        "norm_mean",
        "norm_sd",
        "t",
        "p",
        "welch_t",
        "welch_p",
        "g",
        "g_ci_lower",
        "g_ci_upper",
    ]
    with pd.option_context("display.width", 160, "display.precision", 3):
        print(comparison.to_frame()[shown].to_string())

    paths = {"scores": out / "gse_scores.csv", "report": out / "gse_report.html"}
    data[["id", "country", "sex", "age"]].join(scores).to_csv(paths["scores"], index=False)
    ef.report(data, inst, norm=DEMO_NORM, path=paths["report"], on_invalid="missing")
    _heading("Written")
    for name, path in paths.items():
        print(f"{name}: {path.resolve()}")
    return paths
