"""Screening indices against R on real data with missing cells (psychTools bfi, 400 rows).

The fixture and the R script that wrote it sit in tests/fixtures/screening/: Mahalanobis
D² is psych::outlier() (psych 2.2.9); the other indices follow the careless 1.2.2
definitions in base R.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from efficacy.screening import screen

FIXTURE = Path(__file__).parents[1] / "fixtures" / "screening" / "careless_bfi.json"


@pytest.fixture(scope="module")
def golden():
    ref = json.loads(FIXTURE.read_text(encoding="utf-8"))
    rows = [[np.nan if v is None else v for v in row] for row in ref["items"]]
    data = pd.DataFrame(rows, columns=ref["columns"], dtype=float)
    columns = ref["columns"]
    scales = {name: columns[5 * i : 5 * i + 5] for i, name in enumerate("ACENO")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = screen(
            data,
            scales=scales,
            reverse=ref["reverse"],
            response_range=(1, 6),
            critval=ref["critval"],
        )
    return ref, data, res


def _values(ref, key):
    return np.array([np.nan if v is None else v for v in ref[key]], dtype=float)


@pytest.mark.parametrize(
    "column",
    [
        "longstring",
        "longstring_avg",
        "irv",
        "mahalanobis",
        "even_odd",
        "psychsyn",
        "psychant",
        "person_total_r",
    ],
)
def test_index_matches_r(golden, column):
    ref, _, res = golden
    got = res.indices[column].to_numpy()
    np.testing.assert_allclose(got, _values(ref, column), rtol=1e-10, atol=1e-12)


def test_data_has_missing_cells_and_undefined_values(golden):
    _, data, res = golden
    assert data.isna().sum().sum() > 40
    assert (res.indices["n_missing"] > 0).sum() > 20


def test_pairs_match_r(golden):
    ref, _, res = golden
    assert [list(p) for p in res.synonym_pairs] == ref["synonym_pairs"]
    assert [list(p) for p in res.antonym_pairs] == ref["antonym_pairs"]


def test_mahalanobis_cut_off_matches_r(golden):
    ref, _, res = golden
    cut = ref["mahalanobis_cut_99"]
    assert res.flags["mahalanobis_flag"].tolist() == (np.array(ref["mahalanobis"]) > cut).tolist()
    assert f"{cut:.4g}" in res.rules.loc["mahalanobis", "rule"]
