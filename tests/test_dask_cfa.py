"""ef.cfa (ML and MLR, listwise) on a dask DataFrame: the in-memory fit, from 8 partitions."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")

import dask  # noqa: E402

import efficacy as ef  # noqa: E402
from efficacy.errors import DataError, InvalidResponseError  # noqa: E402
from efficacy.scoring import InvalidResponseWarning  # noqa: E402

MODEL = {"A": ["a1", "a2", "a3"], "B": ["b1", "b2", "b3"]}


def _data(n: int = 1200) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    f = rng.normal(size=(n, 2)) @ np.array([[1.0, 0.4], [0.0, 0.9]])
    load = np.array([[0.8, 0.7, 0.6, 0, 0, 0], [0, 0, 0, 0.9, 0.6, 0.7]]).T
    x = 3 + f @ load.T + rng.normal(scale=0.6, size=(n, 6))
    data = pd.DataFrame(x, columns=[c for items in MODEL.values() for c in items])
    data = data.mask(rng.random(data.shape) < 0.03)
    data["site"] = np.where(rng.random(n) < 0.4, "north", "south")
    return data


def _same(
    got: ef.validation.CFAResult, expected: ef.validation.CFAResult, rtol: float = 1e-10
) -> None:
    """The combined moments equal in memory to 1e-12; the fits to ``rtol``.

    The ML fit stops once every gradient element is below 1e-10, so moments equal to
    rounding can stop one scoring step apart (8 and 9 steps in the two-group model
    below), which moves the estimates by a few 1e-9: the fit itself is only that exact.
    """
    assert got.n_obs == expected.n_obs and got.n_dropped == expected.n_dropped
    assert got.converged and expected.converged
    assert got.estimator == expected.estimator
    for mine, theirs in zip(got._estimation.data, expected._estimation.data, strict=True):
        assert mine.n == theirs.n
        np.testing.assert_allclose(mine.mean, theirs.mean, rtol=1e-12, atol=0)
        np.testing.assert_allclose(mine.cov, theirs.cov, rtol=1e-12, atol=1e-14)
        if got.estimator == "MLR":
            ours, memory = mine.case_moments, theirs.case_moments
            assert mine.x.shape == (mine.n, 0)  # the dask fit never held the rows
            for name in ("second", "third", "fourth"):
                scale = np.abs(getattr(memory, name)).max()
                np.testing.assert_allclose(
                    getattr(ours, name), getattr(memory, name), rtol=0, atol=1e-12 * scale
                )
            np.testing.assert_allclose(ours.first, memory.first, rtol=0, atol=1e-13)
    pd.testing.assert_series_equal(got.fit_measures, expected.fit_measures, rtol=rtol, atol=1e-12)
    pd.testing.assert_frame_equal(got.parameters, expected.parameters, rtol=rtol, atol=1e-12)
    pd.testing.assert_frame_equal(got.loadings, expected.loadings, rtol=rtol, atol=1e-12)


def test_ml_listwise_equals_memory_on_8_partitions():
    data = _data()
    frame = dd.from_pandas(data, npartitions=8)
    expected = ef.cfa(data, model=MODEL)
    got = ef.cfa(frame, model=MODEL)
    assert expected.n_dropped > 0
    _same(got, expected)
    _same(ef.cfa(frame, model=MODEL, std_lv=True), ef.cfa(data, model=MODEL, std_lv=True))


def test_multigroup_ml_equals_memory():
    data = _data()
    frame = dd.from_pandas(data, npartitions=8)
    for options in ({}, {"group_equal": ["loadings", "intercepts"]}):
        expected = ef.cfa(data, model=MODEL, group="site", **options)
        got = ef.cfa(frame, model=MODEL, group="site", **options)
        assert got.groups == expected.groups
        _same(got, expected, rtol=1e-7)


def test_instrument_ml_equals_memory():
    rng = np.random.default_rng(0)
    trait = rng.normal(size=800)
    raw = pd.DataFrame(
        {
            f"gse{i}": np.clip(np.rint(2.5 + 0.8 * trait + rng.normal(size=800)), 1, 4)
            for i in range(1, 11)
        }
    )
    _same(ef.cfa(dd.from_pandas(raw, npartitions=8), "gse"), ef.cfa(raw, "gse"))


def test_mlr_listwise_equals_memory_on_8_partitions():
    """Estimates as in memory to 1e-12; SEs, the scaled test and robust indices to 5e-10.

    The case-wise moments agree to 1e-12 (checked in ``_same``). The SEs differ by
    up to about 1e-10 (relative) because the sandwich's bread, the observed
    information, is a finite-difference Hessian with steps of 1e-5, which magnifies
    rounding differences of the moments 1e5 times: fitting the same rows in memory in
    another order moves them as much (5.6e-11 for the SEs, 1.2e-10 for the scaled
    RMSEA p-value on this data).
    """
    data = _data()
    frame = dd.from_pandas(data, npartitions=8)
    pairs = [("a1", "b1")]
    for options in ({}, {"std_lv": True}, {"residual_covariances": pairs}):
        expected = ef.cfa(data, model=MODEL, estimator="MLR", **options)
        got = ef.cfa(frame, model=MODEL, estimator="MLR", **options)
        assert expected.fit_measures["chisq_scaling_factor"] > 0
        np.testing.assert_allclose(got.parameters.est, expected.parameters.est, rtol=1e-12)
        _same(got, expected, rtol=5e-10)
    assert "MLR" in got.summary().title and dict(got.summary().rows)["status"] == "converged"


def test_multigroup_mlr_equals_memory():
    """Two groups: 1e-7, as for ML, where the optimiser may stop one step apart."""
    data = _data()
    frame = dd.from_pandas(data, npartitions=8)
    for options in ({}, {"group_equal": ["loadings", "intercepts"]}):
        expected = ef.cfa(data, model=MODEL, group="site", estimator="MLR", **options)
        got = ef.cfa(frame, model=MODEL, group="site", estimator="MLR", **options)
        assert got.groups == expected.groups
        _same(got, expected, rtol=1e-7)


def test_instrument_mlr_invalid_cells_as_in_memory():
    rng = np.random.default_rng(0)
    trait = rng.normal(size=800)
    raw = pd.DataFrame(
        {
            f"gse{i}": np.clip(np.rint(2.5 + 0.8 * trait + rng.normal(size=800)), 1, 4)
            for i in range(1, 11)
        }
    ).astype(object)
    raw.iloc[650, 3] = 7  # a row of partition 6
    with pytest.raises(InvalidResponseError) as in_memory:
        ef.cfa(raw, "gse", estimator="MLR")
    with dask.config.set({"dataframe.convert-string": False}):
        frame = dd.from_pandas(raw, npartitions=8)
    with pytest.raises(InvalidResponseError) as on_dask:
        ef.cfa(frame, "gse", estimator="MLR")
    assert str(on_dask.value) == str(in_memory.value)
    assert "rows [650]" in str(on_dask.value)  # the frame's label, not a partition position
    with pytest.warns(InvalidResponseWarning, match="1 invalid response cells"):
        got = ef.cfa(frame, "gse", estimator="MLR", on_invalid="missing")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InvalidResponseWarning)
        expected = ef.cfa(raw, "gse", estimator="MLR", on_invalid="missing")
    assert got.n_dropped == expected.n_dropped == 1
    _same(got, expected, rtol=5e-10)


def test_case_wise_estimators_are_refused_with_the_reason():
    frame = dd.from_pandas(_data(200), npartitions=8)
    with pytest.raises(DataError, match=r"case-wise statistics \(polychoric"):
        ef.cfa(frame, model=MODEL, estimator="WLSMV")
    for estimator in ("ML", "MLR"):
        with pytest.raises(DataError, match="missing-data pattern"):
            ef.cfa(frame, model=MODEL, missing="fiml", estimator=estimator)
    data = _data(200)
    data.loc[7, "site"] = None
    with pytest.raises(DataError, match="group column 'site' is missing in 1 rows"):
        ef.cfa(dd.from_pandas(data, npartitions=8), model=MODEL, group="site")
    data = _data(200)
    data["a2"] = 4.0
    with pytest.raises(DataError, match=r"\['a2'\] have no variance"):
        ef.cfa(dd.from_pandas(data, npartitions=8), model=MODEL)


def test_instrument_with_groups_on_unknown_divisions_equals_memory():
    rng = np.random.default_rng(0)
    trait = rng.normal(size=800)
    raw = pd.DataFrame(
        {
            f"tses{i}": np.clip(np.rint(5 + 1.5 * trait + rng.normal(size=800)), 1, 9)
            for i in range(1, 25)
        }
    )
    raw["site"] = np.where(rng.random(800) < 0.5, "a", "b")
    frame = dd.from_pandas(raw, npartitions=8).clear_divisions()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ef.validation.FitWarning)  # one trait, three factors
        expected = ef.cfa(raw, "tses", group="site")
        got = ef.cfa(frame, "tses", group="site")
    assert got.groups == expected.groups == ("a", "b")
    _same(got, expected, rtol=1e-7)
