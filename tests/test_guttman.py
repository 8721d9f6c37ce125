"""guttman, kr20, kr21: golden values from R psych 2.2.9, hand calculations, invariants.

Golden values: tests/fixtures/classical/classical.json (make_fixtures.R). psych's
guttman() reports only the correlation-matrix lambdas (our std_lambda*); the raw
(covariance) lambda2, lambda4, lambda6 and alpha come from splitHalf(covar=TRUE).
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

from efficacy.coefficients.alpha_family._guttman import guttman, kr20, kr21
from efficacy.errors import DataError

FIXTURES = Path(__file__).parent / "fixtures" / "classical"
GOLDEN = json.loads((FIXTURES / "classical.json").read_text())
TOL = 1e-10
LAMBDAS = [f"lambda{i}" for i in range(1, 7)]


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(FIXTURES / name)


# ----------------------------------------------------------------------------- guttman
def test_standardized_lambdas_match_psych_guttman() -> None:
    res = guttman(read("items16.csv"))
    for name in LAMBDAS:
        assert getattr(res, "std_" + name) == pytest.approx(GOLDEN["guttman16"][name], abs=TOL), (
            name
        )
    assert res.exhaustive and res.n_splits == 6435


def test_standardized_lambdas_with_a_reversed_item_match_psych() -> None:
    res = guttman(read("items6rev.csv"), reverse=["a3"])
    for name in LAMBDAS:
        assert getattr(res, "std_" + name) == pytest.approx(GOLDEN["guttman6"][name], abs=TOL), name


def test_raw_lambdas_match_psych_splithalf_covar_and_pandas_cov() -> None:
    items = read("items16.csv")
    res = guttman(items)
    gold = GOLDEN["split16_covar"]
    assert res.lambda4 == pytest.approx(gold["maxrb"], abs=TOL)
    assert res.lambda2 == pytest.approx(gold["lambda2"], abs=TOL)
    assert res.lambda3 == pytest.approx(gold["alpha"], abs=TOL)
    assert res.lambda6 == pytest.approx(gold["lambda6"], abs=TOL)
    # lambda1 and lambda5 by hand from pandas' pairwise covariance matrix.
    c = items.cov().to_numpy()
    v = c.sum()
    lambda1 = 1 - np.trace(c) / v
    off = c - np.diag(np.diag(c))
    lambda5 = lambda1 + 2 * np.sqrt((off**2).sum(axis=0).max()) / v
    assert res.lambda1 == pytest.approx(lambda1, abs=TOL)
    assert res.lambda5 == pytest.approx(lambda5, abs=TOL)


def test_to_frame_and_repr() -> None:
    res = guttman(read("items7.csv"))
    frame = res.to_frame()
    assert list(frame.index) == LAMBDAS
    assert frame.loc["lambda3", "raw"] == res.lambda3
    assert frame.loc["lambda6", "standardized"] == res.std_lambda6
    assert "GuttmanResult(lambda1=" in repr(res)


def test_many_items_use_random_splits_for_lambda4() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(100, 1)) + rng.normal(size=(100, 20))
    res = guttman(x, max_splits=500, seed=1)
    assert not res.exhaustive and res.n_splits == 500
    assert res.lambda4 <= 1


@st.composite
def item_data(draw: st.DrawFn) -> np.ndarray:
    seed = draw(st.integers(0, 2**32 - 1))
    k = draw(st.integers(2, 8))
    n = draw(st.integers(k + 3, 50))
    loading = draw(st.floats(0.0, 2.0))
    scale = draw(st.lists(st.floats(0.2, 5.0), min_size=k, max_size=k))
    rng = np.random.default_rng(seed)
    return (loading * rng.normal(size=(n, 1)) + rng.normal(size=(n, k))) * np.array(scale)


@settings(max_examples=40, deadline=None)
@given(item_data())
def test_lambda_orderings(x: np.ndarray) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = guttman(x)
    eps = 1e-10
    k = x.shape[1]
    for prefix in ("", "std_"):
        l1, l2, l3, l4, l5, l6 = (getattr(res, prefix + n) for n in LAMBDAS)
        assert l3 <= l2 + eps  # Guttman (1945)
        assert l1 <= l2 + eps and l1 <= l5 + eps and l1 <= l6 + eps
        assert l4 <= 1 + eps and l6 <= 1 + eps
        if l1 >= 0:
            assert l1 <= l3 + eps
        if k % 2 == 0:  # lambda3 is the mean over all equal splits, lambda4 their max
            assert l4 >= l3 - eps


# ----------------------------------------------------------------------------- KR-20/21
def test_kr20_equals_psych_alpha_on_binary_items() -> None:
    res = kr20(read("binary.csv"))
    assert res.kr20 == pytest.approx(GOLDEN["binary"]["raw_alpha"], abs=TOL)
    assert res.n_obs == 200 and res.n_items == 10 and res.n_dropped == 0


def test_kr20_and_kr21_by_hand() -> None:
    x = pd.DataFrame(
        {
            "q1": [1, 1, 1, 1, 0, 1],
            "q2": [1, 0, 1, 1, 0, 0],
            "q3": [0, 0, 1, 1, 0, 0],
            "q4": [1, 1, 1, 0, 0, 1],
        }
    )
    # p = (5/6, 1/2, 1/3, 2/3); sum pq = 5/36 + 1/4 + 2/9 + 2/9 = 5/6.
    # Totals (3, 2, 4, 3, 0, 2): mean 7/3; squared deviations (4+1+25+4+49+1)/9 = 84/9,
    # so the N-denominator variance is 14/9.
    # KR-20 = 4/3 (1 - (5/6)/(14/9)) = 4/3 * (1 - 15/28) = 4/3 * 13/28 = 13/21.
    # KR-21 = 4/3 (1 - (7/3)(5/3) / (4 * 14/9)) = 4/3 * (1 - 35/56) = 4/3 * 3/8 = 1/2.
    assert kr20(x).kr20 == pytest.approx(13 / 21, abs=1e-14)
    r21 = kr21(x)
    assert r21.kr21 == pytest.approx(1 / 2, abs=1e-14)
    assert r21.mean == pytest.approx(7 / 3) and r21.var_total == pytest.approx(14 / 9)
    np.testing.assert_allclose(kr20(x).p, [5 / 6, 1 / 2, 1 / 3, 2 / 3])


def test_reverse_recodes_one_minus_x() -> None:
    x = read("binary.csv")
    flipped = x.assign(b03=1 - x["b03"])
    assert kr20(flipped, reverse=["b03"]).kr20 == pytest.approx(kr20(x).kr20, abs=1e-14)
    assert kr21(flipped, reverse="b03").kr21 == pytest.approx(kr21(x).kr21, abs=1e-14)


def test_non_binary_values_are_named() -> None:
    x = read("binary.csv").astype(float)
    x.loc[[4, 9], "b02"] = [2.0, 3.0]
    with pytest.raises(DataError, match=r"0/1.*column 'b02': 2 cells, rows \[4, 9\], values"):
        kr20(x)
    with pytest.raises(DataError, match="kr21 needs items scored 0/1"):
        kr21(x)


def test_missing_answers_raise_or_are_dropped_and_counted() -> None:
    x = read("binary.csv").astype(float)
    x.loc[[3, 8], "b05"] = np.nan
    with pytest.raises(DataError, match=r"column 'b05': 2 cells, rows \[3, 8\]"):
        kr20(x)
    res = kr20(x, nan_policy="listwise")
    assert res.n_dropped == 2 and res.n_obs == 198
    assert res.kr20 == pytest.approx(kr20(x.dropna()).kr20, abs=1e-14)
    assert kr21(x, nan_policy="listwise").n_dropped == 2


@st.composite
def binary_data(draw: st.DrawFn) -> np.ndarray:
    seed = draw(st.integers(0, 2**32 - 1))
    k = draw(st.integers(2, 10))
    n = draw(st.integers(5, 80))
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(n, 1))
    x = (latent + rng.normal(size=(n, k)) > rng.normal(size=k)).astype(float)
    return x


@settings(max_examples=40, deadline=None)
@given(binary_data())
def test_kr20_is_alpha_and_kr21_is_below(x: np.ndarray) -> None:
    total = x.sum(axis=1)
    if total.var() == 0:
        with pytest.raises(DataError, match="zero variance"):
            kr20(x)
        return
    k = x.shape[1]
    alpha = k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total.var(ddof=1))
    r20 = kr20(x).kr20
    assert r20 == pytest.approx(alpha, abs=1e-10)
    assert kr21(x).kr21 <= r20 + 1e-10


def test_kr21_equals_kr20_when_items_are_equally_difficult() -> None:
    rng = np.random.default_rng(8)
    base = np.array([1.0] * 6 + [0.0] * 4)
    x = np.column_stack([rng.permutation(base) for _ in range(5)])  # every p = .6
    assert kr21(x).kr21 == pytest.approx(kr20(x).kr20, abs=1e-12)


def test_lambda2_keeps_tiny_covariances_next_to_large_variances() -> None:
    # two items, covariance c tiny against the variances: lambda2 = lambda3 = 4c / V by
    # hand (V = v1 + v2 + 2c); summing all squares and then subtracting the diagonal
    # once lost most digits of c^2 here
    v1, v2, c = 0.04, 0.9, 1.6e-7
    matrix = np.array([[v1, c], [c, v2]])
    from efficacy.coefficients.alpha_family._guttman import _lambdas
    from efficacy.coefficients.alpha_family._split_half import make_splits

    out = _lambdas(matrix, make_splits(2, 15000, None)[0])
    expected = 4 * c / (v1 + v2 + 2 * c)
    assert out["lambda2"] == pytest.approx(expected, rel=1e-8)
    assert out["lambda3"] == pytest.approx(expected, rel=1e-8)
