"""The main job on bundled data: what ``make demo`` and ``efficacy demo`` run.

It scores the bundled GSE example data with the authors' rules (reporting the invalid
cells it scored as missing), prints the reliability table and the comparison with the
international reference data, writes the scores and a self-contained HTML report, and
says where they are.

The outputs never replace a file the demo did not write: the folder keeps a manifest
(:data:`MANIFEST`) with the SHA-256 of each file the demo wrote, and a file of the same
name is replaced only while it is unchanged since then. Anything else (a file of the
user's, or a demo output edited since) stops the demo before it writes, naming the
files; ``overwrite=True`` (``efficacy demo --overwrite``) replaces them.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import Path

import pandas as pd

from efficacy.errors import DataError

#: The reference data the demo compares with (GSE international data file, all respondents).
DEMO_NORM = "world2006"

#: The outputs' names inside the demo folder.
OUTPUTS = {"scores": "gse_scores.csv", "report": "gse_report.html"}

#: The file in the demo folder recording the SHA-256 of each output the demo wrote.
MANIFEST = ".efficacy-demo.json"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _written_before(out: Path) -> dict[str, str]:
    try:
        recorded = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return recorded if isinstance(recorded, dict) else {}


def check_outputs(out: Path) -> None:
    """Refuse to replace files in ``out`` that the demo did not write, or that changed
    since it wrote them.

    Raises
    ------
    DataError
        ``out`` is a file, or some output names exist and are not the demo's own,
        unchanged outputs (the error names them).
    """
    if out.exists() and not out.is_dir():
        raise DataError(f"--out {out} is a file; the demo writes several files into a folder")
    recorded = _written_before(out)
    foreign = [
        name
        for name in OUTPUTS.values()
        if (out / name).exists()
        and (not (out / name).is_file() or recorded.get(name) != _sha256(out / name))
    ]
    if foreign:
        raise DataError(
            f"{out} already holds {foreign}, not written by an earlier demo or changed "
            "since: choose another --out folder, or pass --overwrite to replace them"
        )


def _heading(text: str) -> None:
    print(f"\n{text}\n{'-' * len(text)}")


def run_demo(out: Path, overwrite: bool = False) -> dict[str, Path]:
    """Run the demo, writing into ``out``; returns the paths it wrote.

    Files in ``out`` are replaced only when an earlier demo wrote them and they are
    unchanged since (see :func:`check_outputs`), or with ``overwrite=True``.
    """
    import efficacy as ef
    from efficacy.datasets import describe, load_demo
    from efficacy.scoring import InvalidResponseWarning

    if not overwrite:
        check_outputs(out)
    elif out.exists() and not out.is_dir():
        raise DataError(f"--out {out} is a file; the demo writes several files into a folder")
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

    paths = {key: out / name for key, name in OUTPUTS.items()}
    data[["id", "country", "sex", "age"]].join(scores).to_csv(paths["scores"], index=False)
    ef.report(data, inst, norm=DEMO_NORM, path=paths["report"], on_invalid="missing")
    manifest = {path.name: _sha256(path) for path in paths.values()}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    _heading("Written")
    for name, path in paths.items():
        print(f"{name}: {path.resolve()}")
    return paths
