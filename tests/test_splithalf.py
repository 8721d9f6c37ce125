"""split_half: golden values from R psych 2.2.9 splitHalf, and invariants.

Golden values: tests/fixtures/classical/classical.json, written by make_fixtures.R from
the CSV files beside it.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from efficacy.coefficients.alpha_family._split_half import (
    _all_splits,
    _random_splits,
    n_distinct_splits,
    split_half,
)
from efficacy.errors import DataError

FIXTURES = Path(__file__).parent / "fixtures" / "classical"
GOLDEN = json.loads((FIXTURES / "classical.json").read_text())
TOL = 1e-10


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(FIXTURES / name)


def test_fixture_versions_recorded() -> None:
    assert GOLDEN["versions"]["psych"] == "2.2.9"
    assert GOLDEN["versions"]["R"].startswith("R version")


# ----------------------------------------------------------------------------- golden
def test_every_split_matches_psych_even_k_pairwise() -> None:
    gold = GOLDEN["split16"]
    res = split_half(read("items16.csv"))
    assert res.exhaustive
    assert res.n_splits == 6435 == len(gold["raw"])
    # Same splits in the same (lexicographic) order as psych.
    np.testing.assert_allclose(res.values, gold["raw"], rtol=0, atol=TOL)
    for ours, theirs in [
        (res.max, "maxrb"),
        (res.min, "minrb"),
        (res.mean, "meanr"),
        (res.alpha, "alpha"),
        (res.lambda2, "lambda2"),
        (res.lambda6, "lambda6"),
        (res.average_r, "av_r"),
        (res.median_r, "med_r"),
    ]:
        assert ours == pytest.approx(gold[theirs], abs=TOL), theirs
    np.testing.assert_allclose(res.ci, gold["ci"], rtol=0, atol=TOL)
    assert res.median == pytest.approx(gold["ci"][1], abs=TOL)
    assert list(res.best_split) == gold["max_split"]
    assert list(res.worst_split) == gold["min_split"]


def test_listwise_matches_psych_on_complete_rows_and_odd_even_by_hand() -> None:
    gold = GOLDEN["split16_listwise"]
    res = split_half(read("items16.csv"), nan_policy="listwise")
    assert res.max == pytest.approx(gold["maxrb"], abs=TOL)
    assert res.min == pytest.approx(gold["minrb"], abs=TOL)
    assert res.alpha == pytest.approx(gold["alpha"], abs=TOL)
    # R: half sums of odd and even items on na.omit(x); cor, and var of the sums.
    odd_even = GOLDEN["odd_even_listwise"]
    assert res.odd_even_r == pytest.approx(odd_even["r"], abs=TOL)
    assert res.spearman_brown == pytest.approx(odd_even["spearman_brown"], abs=TOL)
    assert res.flanagan_rulon == pytest.approx(odd_even["flanagan_rulon"], abs=TOL)


def test_reverse_matches_psych_key_and_check_keys() -> None:
    items = read("items6rev.csv")
    keyed = split_half(items, reverse=["a3"])
    for name in ("split6_key", "split6_check"):
        gold = GOLDEN[name]
        np.testing.assert_allclose(keyed.values, gold["raw"], rtol=0, atol=TOL)
        assert keyed.lambda6 == pytest.approx(gold["lambda6"], abs=TOL)
        assert keyed.alpha == pytest.approx(gold["alpha"], abs=TOL)
        assert [("-" + n if n == "a3" else n) for n in keyed.best_split] == gold["max_split"]
    with pytest.warns(UserWarning, match=r"\['a3'\].*reversed"):
        checked = split_half(items, check_keys=True)
    np.testing.assert_allclose(checked.values, keyed.values, rtol=0, atol=1e-14)


def test_odd_k_enumerates_every_split_psych_a_subset() -> None:
    """psych 2.2.9 walks only round(choose(7, 3))/2 splits for 7 items; we walk all 35."""
    gold = np.array(GOLDEN["split7"]["raw"])
    res = split_half(read("items7.csv"))
    assert res.n_splits == math.comb(7, 3) == 35
    assert res.exhaustive
    distance = np.abs(res.values[None, :] - gold[:, None]).min(axis=1)
    assert distance.max() < TOL
    assert res.max >= gold.max() - TOL
    assert res.min <= gold.min() + TOL


# ----------------------------------------------------------------------------- splits
@pytest.mark.parametrize("k", [2, 3, 4, 5, 8, 9, 12])
def test_enumeration_is_every_distinct_split_once(k: int) -> None:
    s = _all_splits(k)
    assert len(s) == n_distinct_splits(k)
    assert (s.sum(axis=1) == k // 2).all()
    # A partition and its complement are the same split: canonicalise and count.
    canon = {min(tuple(row), tuple(1 - row)) for row in s.astype(int)}
    assert len(canon) == len(s)


@pytest.mark.parametrize(("k", "n"), [(12, 100), (9, 60), (25, 2000), (70, 50)])
def test_random_splits_are_distinct_and_sized(k: int, n: int) -> None:
    s = _random_splits(k, n, np.random.default_rng(3))
    assert s.shape == (n, k)
    assert (s.sum(axis=1) == k // 2).all()
    canon = {min(tuple(row), tuple(1 - row)) for row in s.astype(int)}
    assert len(canon) == n


def test_random_splits_are_a_subset_of_all_splits() -> None:
    rng = np.random.default_rng(11)
    x = rng.normal(size=(80, 1)) + rng.normal(size=(80, 12))
    full = split_half(x)
    part = split_half(x, max_splits=100, seed=4)
    assert full.exhaustive and full.n_splits == 462
    assert not part.exhaustive and part.n_splits == 100
    distance = np.abs(full.values[None, :] - part.values[:, None]).min(axis=1)
    assert distance.max() < 1e-12
    assert part.max <= full.max + 1e-12


def test_random_splits_are_reproducible_with_a_seed() -> None:
    rng = np.random.default_rng(5)
    x = rng.normal(size=(60, 1)) + rng.normal(size=(60, 25))
    a = split_half(x, seed=42)
    b = split_half(x, seed=42)
    assert a.n_splits == 15000 and not a.exhaustive
    np.testing.assert_array_equal(a.values, b.values)
    assert a.best_split == b.best_split


# ----------------------------------------------------------------------------- behaviour
def test_input_is_not_mutated_and_names_are_kept() -> None:
    items = read("items6rev.csv")
    before = items.copy()
    res = split_half(items, reverse="a3")
    pd.testing.assert_frame_equal(items, before)
    assert set(res.best_split) <= set(items.columns)
    frame = res.to_frame()
    assert frame.loc["max", "value"] == res.max
    assert frame.loc["n_splits", "value"] == res.n_splits


def test_negative_item_without_reverse_warns() -> None:
    with pytest.warns(UserWarning, match=r"\['a3'\].*mis-keyed"):
        split_half(read("items6rev.csv"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reverse": ["zz"]}, "not in the data: \\['zz'\\]"),
        ({"max_splits": 0}, "max_splits"),
        ({"nan_policy": "drop"}, "nan_policy"),
    ],
)
def test_bad_arguments(kwargs: dict, message: str) -> None:
    with pytest.raises(DataError, match=message):
        split_half(read("items7.csv"), **kwargs)


def test_zero_variance_and_non_numeric_items() -> None:
    items = read("items7.csv")
    with pytest.raises(DataError, match=r"zero variance.*\['v2'\]"):
        split_half(items.assign(v2=3.0))
    bad = items.astype({"v4": object})
    bad.loc[7, "v4"] = "three"
    with pytest.raises(DataError, match=r"column 'v4'.*rows \[7\].*'three'"):
        split_half(bad)


# ----------------------------------------------------------------------------- properties
@st.composite
def item_data(draw: st.DrawFn) -> np.ndarray:
    seed = draw(st.integers(0, 2**32 - 1))
    k = draw(st.integers(2, 9))
    n = draw(st.integers(k + 3, 60))
    loading = draw(st.floats(0.0, 2.0))
    rng = np.random.default_rng(seed)
    return loading * rng.normal(size=(n, 1)) + rng.normal(size=(n, k))


@settings(max_examples=40, deadline=None)
@given(item_data())
def test_invariants(x: np.ndarray) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = split_half(x)
    k = x.shape[1]
    m = k // 2
    eps = 1e-10
    assert res.max + eps >= res.mean >= res.min - eps
    assert res.min - eps <= res.median <= res.max + eps
    # 4 R_AB <= R_AA + R_BB + 2 R_AB because (s_A - s_B)' R (s_A - s_B) >= 0.
    assert res.max <= 1 + eps
    # Over all splits the mean coefficient is alpha * 4 m (k - m) / k^2 (= alpha, k even).
    assert res.mean == pytest.approx(res.alpha * 4 * m * (k - m) / k**2, abs=1e-10)
    # Guttman: lambda3 (alpha) <= lambda2.
    assert res.lambda2 + eps >= res.alpha
    assert res.spearman_brown == pytest.approx(2 * res.odd_even_r / (1 + res.odd_even_r), abs=1e-12)
    # Flanagan-Rulon on the odd-even half sums, computed from the raw half sums.
    odd, even = x[:, 0::2].sum(axis=1), x[:, 1::2].sum(axis=1)
    fr = 2 * (1 - (odd.var(ddof=1) + even.var(ddof=1)) / (odd + even).var(ddof=1))
    assert res.flanagan_rulon == pytest.approx(fr, abs=1e-9)
    assert res.odd_even_r == pytest.approx(np.corrcoef(odd, even)[0, 1], abs=1e-9)
