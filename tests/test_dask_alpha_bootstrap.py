"""dask DataFrames: alpha's bootstrap and BCa intervals draw the in-memory resamples."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")

import efficacy as ef  # noqa: E402
import efficacy.coefficients.alpha_family._bootstrap as boot  # noqa: E402
from efficacy.errors import DataError  # noqa: E402

TOL = 1e-12


@pytest.fixture(autouse=True)
def _synchronous():
    with dask.config.set({"scheduler": "synchronous"}):
        yield


def _items(n: int = 1600, k: int = 8, seed: int = 0, missing: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    trait = rng.normal(size=n)
    data = pd.DataFrame(
        {f"q{i}": np.clip(np.rint(3 + trait + rng.normal(size=n)), 1, 5) for i in range(1, k + 1)}
    )
    data = data.mask(rng.random(data.shape) < missing)
    data.index = pd.RangeIndex(100, 100 + n)  # row labels that are not positions
    return data


def _explicit(x: np.ndarray, rows: np.ndarray, nan_policy: str) -> float:
    return ef.alpha(x[rows], warn_negative=False, nan_policy=nan_policy).alpha


@pytest.mark.parametrize("missing", [0.0, 0.03])
@pytest.mark.parametrize("ci", ["bootstrap", "bca"])
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"nan_policy": "listwise", "reverse": ["q3"]},
        {"reverse": ["q2", "q5"], "min": 1, "max": 5, "level": 0.9},
    ],
)
def test_interval_equals_memory_on_8_partitions(missing, ci, options):
    data = _items(missing=missing)
    frame = dd.from_pandas(data, npartitions=8)
    expected = ef.alpha(data, ci=ci, n_boot=150, seed=7, warn_negative=False, **options)
    got = ef.alpha(frame, ci=ci, n_boot=150, seed=7, warn_negative=False, **options)
    assert got.ci_method == ci and got.boot.shape == (150,)
    np.testing.assert_allclose(got.boot, expected.boot, rtol=0, atol=TOL)
    np.testing.assert_allclose(got.ci, expected.ci, rtol=0, atol=TOL)
    assert got.ci[0] < got.alpha < got.ci[1]
    assert got.summary().notes == expected.summary().notes


@pytest.mark.parametrize("nan_policy", ["pairwise", "listwise"])
def test_resamples_are_the_seeded_row_draws(nan_policy):
    data = _items(n=600, k=5, seed=3, missing=0.03)
    frame = dd.from_pandas(data, npartitions=5)
    got = ef.alpha(frame, ci="bootstrap", n_boot=20, seed=11, nan_policy=nan_policy)
    x = data.to_numpy()
    used = x if nan_policy == "pairwise" else x[~np.isnan(x).any(axis=1)]
    draws = np.random.default_rng(11).integers(0, used.shape[0], size=(20, used.shape[0]))
    expected = [_explicit(used, draws[b], nan_policy) for b in range(4)]
    np.testing.assert_allclose(got.boot[:4], expected, rtol=0, atol=TOL)


@pytest.mark.parametrize("nan_policy", ["pairwise", "listwise"])
def test_bca_from_patterns_equals_bca_from_every_row_left_out(nan_policy):
    # the hand calculation: leave each row out in turn, alpha of the rest, Efron's BCa
    data = _items(n=90, k=4, seed=5, missing=0.04)
    x = data.to_numpy()
    frame = dd.from_pandas(data, npartitions=3)
    got = ef.alpha(frame, ci="bca", n_boot=60, seed=2, nan_policy=nan_policy)
    used = x if nan_policy == "pairwise" else x[~np.isnan(x).any(axis=1)]
    every = np.arange(used.shape[0])
    jack = np.array([_explicit(used, np.delete(every, i), nan_policy) for i in every])
    assert got.ci == pytest.approx(boot.bca_ci(got.boot, got.alpha, jack, 0.95), abs=TOL)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(8, 60),
    cats=st.integers(2, 4),
    level=st.floats(0.5, 0.99),
)
def test_weighted_bca_equals_bca_over_the_rows(seed, n, cats, level):
    rng = np.random.default_rng(seed)
    x = rng.integers(1, cats + 1, size=(n, 3)).astype(float)
    _, inverse, counts = boot.row_patterns(x)
    jack = rng.normal(size=counts.size)
    draws = rng.normal(size=200)
    weighted = boot.bca_ci(draws, 0.1, jack, level, weights=counts)
    by_rows = boot.bca_ci(draws, 0.1, jack[inverse], level)
    np.testing.assert_allclose(weighted, by_rows, rtol=0, atol=1e-12)


def test_bad_cells_are_reported_before_any_resampling():
    data = _items(n=800, k=4).astype(object)
    data.iloc[250, 2] = "four"
    with pytest.raises(DataError, match=r"q3.*four"):
        ef.alpha(dd.from_pandas(data, npartitions=4), ci="bca", n_boot=10)


def test_the_progress_bar_shows_on_a_terminal(monkeypatch, capsys):
    frame = dd.from_pandas(_items(n=300, k=4), npartitions=3)
    ef.alpha(frame, ci="bootstrap", n_boot=30, seed=1)
    assert capsys.readouterr().err == ""  # not a terminal: no bar, as in memory
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    ef.alpha(frame, ci="bootstrap", n_boot=30, seed=1)
    err = capsys.readouterr().err
    assert "alpha bootstrap" in err and "/30" in err
