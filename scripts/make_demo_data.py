"""Simulate the bundled example data sets of efficacy (seeded, reproducible).

Writes, into ``src/efficacy/data/`` (or the folder given with ``--out``):

``gse_demo.csv`` / ``gse_demo.json``
    600 simulated respondents answering the General Self-Efficacy Scale (GSE), with the
    covariates id, country, sex and age and the item responses gse1..gse10 coded 1-4.
    Some cells are deliberately missing or invalid, as real data are; the JSON lists
    every one of them.
``gse_prepost.csv`` / ``gse_prepost.json``
    40 simulated clients answering the GSE before and after an intervention
    (pre_gse1..pre_gse10, post_gse1..post_gse10).

The response model is Samejima's graded response model (GRM): for person ``i`` and item
``j`` with discrimination ``a_j`` and ordered thresholds ``b_j1 < b_j2 < b_j3``,

    P(X_ij >= c + 1) = 1 / (1 + exp(-a_j (theta_i - b_jc))),   c = 1, 2, 3,

and ``X_ij`` is 1 plus the number of thresholds passed. The parameters below are chosen
so that the simulated sum scores resemble the authors' international reference data
(mean about 29.6, SD about 5); they are not estimates from any real data set.

Run from the repository root::

    python scripts/make_demo_data.py            # rewrite the bundled files
    python scripts/make_demo_data.py --out DIR  # write them elsewhere
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20240521
N_DEMO = 600
N_PREPOST = 40
ITEMS = [f"gse{j}" for j in range(1, 11)]

#: GRM item discriminations a_j (logistic metric).
DISCRIMINATION = np.array([1.6, 1.3, 1.5, 1.9, 2.0, 1.5, 1.7, 2.1, 2.2, 1.8])
#: GRM thresholds b_j1 < b_j2 < b_j3, one row per item.
THRESHOLDS = np.array(
    [
        [-2.3, -1.2, 0.5],
        [-1.9, -0.6, 1.1],
        [-2.1, -0.8, 0.9],
        [-2.0, -0.7, 0.8],
        [-2.1, -0.7, 0.9],
        [-2.6, -1.5, 0.2],
        [-1.9, -0.6, 1.0],
        [-2.0, -0.7, 0.8],
        [-2.2, -0.9, 0.7],
        [-2.2, -1.0, 0.6],
    ]
)
#: Countries of the demo data: a few of the GSE reference-data countries, and their weights.
COUNTRIES = {"Germany": 0.4, "USA": 0.3, "Great Britain": 0.15, "Netherlands": 0.15}

#: Share of item cells made missing at random, before the cases below.
MISSING_SHARE = 0.02
#: Respondents (row positions) given more than 3 missing items: not scored by the GSE rule.
TOO_MANY_MISSING = {17: 4, 233: 5, 401: 6, 555: 10}
#: Unusual cells written over the simulated codes: (row position, column, value, valid, note).
SPECIAL_CELLS: list[tuple[int, str, object, bool, str]] = [
    (42, "gse4", 5, False, "out-of-range code (the scale is 1-4)"),
    (87, "gse5", 2.333, False, "person-mean imputed value, not a response code"),
    (5, "gse3", "Exactly true", True, "response label typed as text: code 4"),
    (11, "gse3", " barely true", True, "alias of 'Hardly true' with a leading space: code 2"),
    (29, "gse3", "HARDLY TRUE", True, "response label in capitals: code 2"),
    (300, "gse8", "n/a?", False, "junk text, not a response"),
]

#: Change model of the pre/post data (latent metric of the GRM).
PRE_MEAN, PRE_SD = -1.2, 0.8
CHANGE_MEAN, CHANGE_SD = 0.8, 0.6


def simulate_grm(theta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Item codes 1-4 (N x 10 integers) drawn from the graded response model."""
    logits = DISCRIMINATION[None, :, None] * (theta[:, None, None] - THRESHOLDS[None, :, :])
    passed = 1.0 / (1.0 + np.exp(-logits))  # P(X >= c + 1), N x items x 3
    draws = rng.random((theta.size, len(ITEMS), 1))
    return 1 + (draws < passed).sum(axis=2)


def make_demo(rng: np.random.Generator) -> tuple[pd.DataFrame, dict]:
    """The 600-respondent demo data and its metadata."""
    n = N_DEMO
    theta = rng.standard_normal(n)
    codes = simulate_grm(theta, rng)
    country = rng.choice(list(COUNTRIES), size=n, p=list(COUNTRIES.values()))
    sex = rng.choice(["female", "male"], size=n)
    age = rng.integers(12, 81, size=n)

    items = pd.DataFrame(codes, columns=ITEMS).astype(object)
    missing_mask = rng.random(codes.shape) < MISSING_SHARE
    reserved = set(TOO_MANY_MISSING) | {row for row, *_ in SPECIAL_CELLS}
    missing_mask[sorted(reserved), :] = False
    for row, count in TOO_MANY_MISSING.items():
        columns = rng.choice(len(ITEMS), size=count, replace=False)
        missing_mask[row, columns] = True
    items = items.mask(missing_mask)
    for row, column, value, _, _ in SPECIAL_CELLS:
        items.loc[row, column] = value

    frame = pd.DataFrame({"id": np.arange(1, n + 1), "country": country, "sex": sex, "age": age})
    frame = pd.concat([frame, items], axis=1)

    rows, cols = np.nonzero(missing_mask)
    missing_cells = [
        {"id": int(r + 1), "column": ITEMS[c]} for r, c in zip(rows, cols, strict=True)
    ]
    meta = {
        "name": "gse_demo",
        "title": "Simulated General Self-Efficacy Scale responses (demo data)",
        "description": (
            "simulated from a graded response model, with some missing and invalid cells"
        ),
        "simulated": True,
        "generated_by": "scripts/make_demo_data.py",
        "seed": SEED,
        "n_respondents": n,
        "instrument": "gse",
        "columns": {
            "id": "respondent number 1-600",
            "country": f"one of {list(COUNTRIES)} (weights {list(COUNTRIES.values())})",
            "sex": "female or male, equally likely",
            "age": "age in years, uniform integers 12-80",
            "gse1..gse10": "item responses coded 1-4 (1 Not at all true ... 4 Exactly true)",
        },
        "model": {
            "name": "graded response model (Samejima), logistic metric",
            "theta": "N(0, 1), independent of country, sex and age",
            "formula": "P(X >= c + 1) = 1 / (1 + exp(-a_j (theta - b_jc))), c = 1, 2, 3",
            "discrimination": DISCRIMINATION.tolist(),
            "thresholds": THRESHOLDS.tolist(),
        },
        "missing": {
            "share_at_random": MISSING_SHARE,
            "n_cells": int(missing_mask.sum()),
            "cells": missing_cells,
            "respondents_not_scored": [
                {"id": row + 1, "n_missing": count} for row, count in TOO_MANY_MISSING.items()
            ],
            "rule": "the GSE is scored only when at most 3 of its 10 items are missing",
        },
        "special_cells": [
            {
                "id": row + 1,
                "column": column,
                "value": value,
                "valid": valid,
                "note": note,
            }
            for row, column, value, valid, note in SPECIAL_CELLS
        ],
        "note": (
            "Simulated data for examples and tests; not responses of real people. Scoring "
            "with on_invalid='raise' (the default) stops at the invalid cells; "
            "on_invalid='missing' scores them as missing and reports each."
        ),
    }
    return frame, meta


def make_prepost(rng: np.random.Generator) -> tuple[pd.DataFrame, dict]:
    """The 40-client pre/post data and its metadata."""
    n = N_PREPOST
    theta_pre = PRE_MEAN + PRE_SD * rng.standard_normal(n)
    change = CHANGE_MEAN + CHANGE_SD * rng.standard_normal(n)
    pre = simulate_grm(theta_pre, rng)
    post = simulate_grm(theta_pre + change, rng)
    frame = pd.DataFrame({"id": [f"c{i:02d}" for i in range(1, n + 1)]})
    frame = pd.concat(
        [
            frame,
            pd.DataFrame(pre, columns=[f"pre_{c}" for c in ITEMS]),
            pd.DataFrame(post, columns=[f"post_{c}" for c in ITEMS]),
        ],
        axis=1,
    )
    frame = frame.astype({c: "Int64" for c in frame.columns if c != "id"})
    frame.loc[7, "post_gse6"] = pd.NA  # one unanswered item: prorated by the GSE rule
    meta = {
        "name": "gse_prepost",
        "title": "Simulated GSE before and after an intervention (40 clients)",
        "description": "simulated clients measured before and after an intervention",
        "simulated": True,
        "generated_by": "scripts/make_demo_data.py",
        "seed": SEED,
        "n_respondents": n,
        "instrument": "gse",
        "columns": {
            "id": "client code c01-c40",
            "pre_gse1..pre_gse10": "GSE item responses 1-4 before the intervention",
            "post_gse1..post_gse10": "GSE item responses 1-4 after the intervention",
        },
        "model": {
            "name": "graded response model (Samejima), same item parameters as gse_demo",
            "theta_pre": f"N({PRE_MEAN}, {PRE_SD}^2): a sample below the general population",
            "theta_post": f"theta_pre + change, change ~ N({CHANGE_MEAN}, {CHANGE_SD}^2)",
            "discrimination": DISCRIMINATION.tolist(),
            "thresholds": THRESHOLDS.tolist(),
        },
        "missing": {"cells": [{"id": "c08", "column": "post_gse6"}]},
        "note": "Simulated data for the reliable-change walkthrough; not real clients.",
    }
    return frame, meta


def write(out: Path) -> list[Path]:
    """Simulate both data sets and write their CSV and JSON files into ``out``."""
    rng = np.random.default_rng(SEED)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for frame, meta in (make_demo(rng), make_prepost(rng)):
        csv_path = out / f"{meta['name']}.csv"
        json_path = out / f"{meta['name']}.json"
        frame.to_csv(csv_path, index=False, lineterminator="\n")
        json_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        written += [csv_path, json_path]
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parents[1] / "src" / "efficacy" / "data"
    parser.add_argument("--out", type=Path, default=default, help="output folder")
    args = parser.parse_args(argv)
    for path in write(args.out):
        print(path)


if __name__ == "__main__":
    main()
