"""Polychoric and tetrachoric correlations against R psych 2.2.9, and their invariants.

Golden values: tests/fixtures/omega/psych.json, written by make_fixtures.R from
items.csv (simulate.py). psych's Brent search stops at a tolerance of about 1.2e-4 on
rho; our search takes the same steps, so agreement is far tighter than that.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from efficacy.coefficients.ordinal._polychoric import (
    PolychoricResult,
    ordinal_alpha,
    polychoric,
    polychoric_table,
    tetrachoric,
)
from efficacy.errors import DataError

FIXTURES = Path(__file__).parent / "fixtures" / "omega"
REF = json.loads((FIXTURES / "psych.json").read_text())
ATOL_RHO = 1e-6  # psych's own search tolerance is ~1.2e-4; the issue asks for 1e-4


def frame(m: dict) -> pd.DataFrame:
    return pd.DataFrame(np.array(m["values"], dtype=float), index=m["rows"], columns=m["cols"])


@pytest.fixture(scope="module")
def items() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "items.csv")


@pytest.fixture(scope="module")
def full(items: pd.DataFrame) -> PolychoricResult:
    return polychoric(items)


def test_fixture_versions() -> None:
    assert REF["versions"]["psych"] == "2.2.9"
    assert REF["versions"]["GPArotation"] == "2022.10.2"


# --------------------------------------------------------------------------- golden


def test_polychoric_matches_psych(full: PolychoricResult) -> None:
    ref_rho = frame(REF["polychoric"]["rho"])
    ref_tau = frame(REF["polychoric"]["tau"])
    assert list(full.rho.columns) == list(ref_rho.columns)
    np.testing.assert_allclose(full.rho.to_numpy(), ref_rho.to_numpy(), atol=ATOL_RHO, rtol=0)
    np.testing.assert_allclose(full.thresholds.to_numpy(), ref_tau.to_numpy(), atol=1e-10)
    assert full.global_thresholds
    assert full.n_corrected == 0
    assert not full.smoothed
    assert full.n_obs == 2800


def test_polychoric_result_shapes(full: PolychoricResult, items: pd.DataFrame) -> None:
    assert list(full.thresholds.columns) == ["1|2", "2|3", "3|4", "4|5", "5|6"]
    counts = items.notna().astype(int)
    np.testing.assert_array_equal(full.n_pairs.to_numpy(), (counts.T @ counts).to_numpy())
    pd.testing.assert_frame_equal(full.to_frame(), full.rho)
    assert "PolychoricResult(" in repr(full)


def test_per_pair_thresholds_and_correction_match_psych(items: pd.DataFrame) -> None:
    small = items.iloc[:200, :6].copy()
    small["q01"] = small["q01"].clip(upper=5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = polychoric(small)
    messages = " ".join(str(w.message) for w in caught)
    assert "same highest category" in messages
    assert "continuity correction" in messages
    ref = REF["polychoric_small"]
    np.testing.assert_allclose(res.rho.to_numpy(), frame(ref["rho"]).to_numpy(), atol=ATOL_RHO)
    np.testing.assert_allclose(res.thresholds.to_numpy(), frame(ref["tau"]).to_numpy(), atol=1e-10)
    assert not res.global_thresholds
    assert res.n_corrected > 0
    assert np.isposinf(res.thresholds.loc["q01", "5|6"])


def test_tetrachoric_matches_psych(items: pd.DataFrame) -> None:
    block = items.iloc[:, :8]
    binary = (block >= 4).astype(float).where(block.notna())
    res = tetrachoric(binary)
    ref = REF["tetrachoric"]
    np.testing.assert_allclose(res.rho.to_numpy(), frame(ref["rho"]).to_numpy(), atol=ATOL_RHO)
    np.testing.assert_allclose(res.thresholds["0|1"].to_numpy(), ref["tau"], atol=1e-12)
    assert res.method == "tetrachoric"


def test_tetrachoric_with_empty_cells_and_smoothing_matches_psych(items: pd.DataFrame) -> None:
    block = items.iloc[:80, :6]
    rare = (block >= 6).astype(float).where(block.notna())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = tetrachoric(rare)
    messages = " ".join(str(w.message) for w in caught)
    assert "continuity correction" in messages
    assert "smoothed" in messages
    ref = REF["tetrachoric_rare"]
    np.testing.assert_allclose(res.rho.to_numpy(), frame(ref["rho"]).to_numpy(), atol=ATOL_RHO)
    assert res.smoothed
    assert res.n_corrected > 0


@pytest.mark.parametrize("name", ["t2", "t3"])
def test_polychoric_table_matches_psych(name: str) -> None:
    ref = REF["polychoric_table"][name]
    rho, rows, cols = polychoric_table(np.array(ref["table"]))
    assert rho == pytest.approx(ref["rho"], abs=ATOL_RHO)
    np.testing.assert_allclose(rows, np.atleast_1d(ref["tau_row"]), atol=1e-12)
    np.testing.assert_allclose(cols, np.atleast_1d(ref["tau_col"]), atol=1e-12)


def test_tighter_tolerance_moves_little(items: pd.DataFrame) -> None:
    sub = items.iloc[:, :5]
    default = polychoric(sub).rho.to_numpy()
    tight = polychoric(sub, tol=1e-10).rho.to_numpy()
    assert np.abs(default - tight).max() < 1.2e-4


# --------------------------------------------------------------------------- behaviour


def test_single_category_item_is_named() -> None:
    data = pd.DataFrame({"a": [1, 2, 3, 2, 1], "flat": [2, 2, 2, 2, np.nan], "c": [1, 3, 2, 2, 1]})
    with pytest.raises(DataError, match=r"'flat' \(only 2\)"):
        polychoric(data)
    with pytest.raises(DataError, match="'flat'"):
        tetrachoric(data.assign(a=[0, 1, 0, 1, 0], c=[1, 0, 0, 1, 1]))


def test_non_integer_codes_are_refused() -> None:
    data = pd.DataFrame({"a": [1, 2, 3, 2], "b": [1, 2.5, 3, 1]}, index=list("wxyz"))
    with pytest.raises(DataError, match=r"column 'b': 1 cell, rows \['x'\], values \[2.5\]"):
        polychoric(data)


def test_too_many_categories() -> None:
    data = pd.DataFrame({"a": np.arange(1, 11), "b": np.arange(10, 0, -1)})
    with pytest.raises(DataError, match="10 categories"):
        polychoric(data)


def test_no_overlap_is_refused() -> None:
    data = pd.DataFrame({"a": [1, 2, np.nan, np.nan], "b": [np.nan, np.nan, 1, 2]})
    with pytest.raises(DataError, match="'a' and 'b'"):
        polychoric(data)


def test_tetrachoric_needs_binary_items() -> None:
    data = pd.DataFrame({"a": [0, 1, 2, 1], "b": [0, 1, 1, 0]})
    with pytest.raises(DataError, match="column 'a'"):
        tetrachoric(data)


def test_polychoric_table_validation() -> None:
    with pytest.raises(DataError):
        polychoric_table(np.array([[1, 2, 3]]))
    with pytest.raises(DataError):
        polychoric_table(np.array([[1, -2], [3, 4]]))


def test_input_not_mutated(items: pd.DataFrame) -> None:
    sub = items.iloc[:300, :4].copy()
    before = sub.copy()
    polychoric(sub)
    pd.testing.assert_frame_equal(sub, before)


def test_codes_shift_does_not_matter(items: pd.DataFrame) -> None:
    sub = items.iloc[:400, :4]
    a = polychoric(sub).rho.to_numpy()
    b = polychoric(sub - 1).rho.to_numpy()
    np.testing.assert_allclose(a, b, atol=1e-12)


def test_ordinal_alpha_is_standardized_alpha_of_rho(full: PolychoricResult) -> None:
    r = full.rho.to_numpy().copy()
    k = r.shape[0]
    assert ordinal_alpha(full) == pytest.approx(k / (k - 1) * (1 - k / r.sum()), abs=1e-14)
    sign = np.where(full.rho.columns.isin(["q05", "q18"]), -1.0, 1.0)
    flipped = r * np.outer(sign, sign)
    expected = k / (k - 1) * (1 - k / flipped.sum())
    assert ordinal_alpha(full, reverse=["q05", "q18"]) == pytest.approx(expected, abs=1e-14)
    with pytest.raises(DataError, match="nope"):
        ordinal_alpha(full, reverse=["nope"])


def test_ordinal_alpha_from_items(items: pd.DataFrame) -> None:
    sub = items.iloc[:500, :5]
    assert ordinal_alpha(sub) == pytest.approx(ordinal_alpha(polychoric(sub)), abs=1e-15)


# --------------------------------------------------------------------------- properties


@st.composite
def ordinal_data(draw: st.DrawFn) -> pd.DataFrame:
    n_items = draw(st.integers(2, 5))
    n_cat = draw(st.integers(2, 5))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n = 120
    common = rng.standard_normal((n, 1))
    loadings = rng.uniform(-0.8, 0.8, (1, n_items))
    latent = common @ loadings + rng.standard_normal((n, n_items))
    cuts = np.sort(rng.normal(0, 0.8, n_cat - 1))
    codes = 1 + (latent[:, :, None] > cuts).sum(axis=2)
    # every item keeps at least two categories
    codes[0], codes[1] = 1, n_cat
    return pd.DataFrame(codes, columns=[f"i{j}" for j in range(n_items)])


@settings(max_examples=20, deadline=None)
@given(ordinal_data())
def test_polychoric_symmetric_unit_diagonal(data: pd.DataFrame) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rho = polychoric(data).rho.to_numpy()
    np.testing.assert_array_equal(rho, rho.T)
    np.testing.assert_array_equal(np.diag(rho), 1.0)
    assert np.abs(rho).max() <= 1.0


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 60), min_size=4, max_size=4))
def test_polychoric_of_2x2_table_equals_tetrachoric(cells: list[int]) -> None:
    table = np.array(cells).reshape(2, 2)
    rows = np.repeat([[0, 0], [0, 1], [1, 0], [1, 1]], cells, axis=0)
    data = pd.DataFrame(rows, columns=["x", "y"])
    rho_table, _, _ = polychoric_table(table)
    rho_tet = tetrachoric(data).rho.loc["x", "y"]
    rho_poly = polychoric(data).rho.loc["x", "y"]
    # Same likelihood and thresholds; only rounding differs along the Brent search.
    assert rho_tet == pytest.approx(rho_table, abs=1e-9)
    assert rho_poly == pytest.approx(rho_tet, abs=1e-9)
