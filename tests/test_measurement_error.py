"""sem and score_interval: hand calculations and invariants."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from efficacy.coefficients._measurement_error import score_interval, sem
from efficacy.errors import DataError

Z95 = 1.959963984540054  # qnorm(0.975) in R
Z90 = 1.6448536269514722  # qnorm(0.95) in R


def test_sem_by_hand() -> None:
    # SD 15, r .91: 15 * sqrt(.09) = 4.5; SD 10, r .75: 10 * .5 = 5.
    assert sem(15.0, 0.91) == pytest.approx(4.5, abs=1e-12)
    np.testing.assert_allclose(sem(np.array([15.0, 10.0]), [0.91, 0.75]), [4.5, 5.0])
    assert sem(8.0, 1.0) == 0.0
    assert sem(8.0, 0.0) == 8.0


def test_sem_keeps_a_series_index() -> None:
    reliability = pd.Series([0.84, 0.96], index=["gse", "sub"])
    out = sem(5.0, reliability)
    assert isinstance(out, pd.Series)
    assert list(out.index) == ["gse", "sub"]
    np.testing.assert_allclose(out, [2.0, 1.0])


@pytest.mark.parametrize(
    ("sd", "r", "message"),
    [
        (10.0, 1.2, r"reliability must lie in \[0, 1\]; 1 bad: at \[0\], values \[1.2\]"),
        (10.0, -0.1, "reliability must lie in"),
        (10.0, float("nan"), "reliability must lie in"),
        (0.0, 0.8, "sd must be positive"),
        (-3.0, 0.8, "sd must be positive"),
        (float("inf"), 0.8, "sd must be positive"),
    ],
)
def test_sem_rejects_bad_input(sd: float, r: float, message: str) -> None:
    with pytest.raises(DataError, match=message):
        sem(sd, r)


def test_sem_names_series_labels() -> None:
    with pytest.raises(DataError, match=r"at \['b'\], values \[1.5\]"):
        sem(4.0, pd.Series([0.5, 1.5], index=["a", "b"]))


def test_observed_interval_by_hand() -> None:
    scores = pd.Series([100.0, 85.0, np.nan], index=["x", "y", "z"])
    out = score_interval(scores, sd=15.0, reliability=0.91)
    assert list(out.columns) == ["score", "lower", "upper"]
    assert list(out.index) == ["x", "y", "z"]
    # 100 ± 1.959964 * 4.5 and 85 ± the same; z is the exact quantile, not 1.96.
    np.testing.assert_allclose(out.loc["x", ["lower", "upper"]], [100 - Z95 * 4.5, 100 + Z95 * 4.5])
    np.testing.assert_allclose(out.loc["y", ["lower", "upper"]], [85 - Z95 * 4.5, 85 + Z95 * 4.5])
    assert out.loc["z"].iloc[1:].isna().all()


def test_true_score_interval_by_hand() -> None:
    # IQ-type scale: M 100, SD 15, r .91, observed 130, 90% level.
    # T = 100 + .91 * 30 = 127.3; SE of estimation = 15 * sqrt(.91 * .09) = 4.29272...
    out = score_interval([130.0], 15.0, 0.91, level=0.90, method="true_score", mean=100.0)
    see = 15 * math.sqrt(0.91 * 0.09)
    assert out.loc[0, "true_score"] == pytest.approx(127.3, abs=1e-12)
    assert out.loc[0, "lower"] == pytest.approx(127.3 - Z90 * see, abs=1e-12)
    assert out.loc[0, "upper"] == pytest.approx(127.3 + Z90 * see, abs=1e-12)
    assert list(out.columns) == ["score", "true_score", "lower", "upper"]


def test_broadcast_per_score_reliability() -> None:
    out = score_interval(np.array([10.0, 20.0]), sd=np.array([2.0, 4.0]), reliability=0.75)
    np.testing.assert_allclose(out["upper"] - out["lower"], 2 * Z95 * np.array([1.0, 2.0]))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"level": 1.0}, "level"),
        ({"level": 0.0}, "level"),
        ({"method": "kelley"}, "method"),
        ({"method": "true_score"}, "needs mean="),
        ({"reliability": 1.1}, "reliability must lie"),
        ({"sd": np.array([1.0, 2.0, 3.0])}, "match the 2 scores"),
    ],
)
def test_score_interval_rejects_bad_input(kwargs: dict, message: str) -> None:
    args = {"scores": [1.0, 2.0], "sd": 1.0, "reliability": 0.8, **kwargs}
    with pytest.raises(DataError, match=message):
        score_interval(**args)


def test_does_not_mutate_scores() -> None:
    scores = pd.Series([3.0, 4.0])
    before = scores.copy()
    score_interval(scores, 1.0, 0.7, method="true_score", mean=3.5)
    pd.testing.assert_series_equal(scores, before)


@settings(max_examples=60, deadline=None)
@given(
    sd=st.floats(0.01, 100.0),
    r1=st.floats(0.0, 1.0),
    r2=st.floats(0.0, 1.0),
    score=st.floats(-1e3, 1e3),
    level=st.floats(0.5, 0.999),
)
def test_interval_invariants(sd: float, r1: float, r2: float, score: float, level: float) -> None:
    low, high = sorted((r1, r2))
    # SEM falls as reliability rises.
    assert sem(sd, high) <= sem(sd, low)
    a = score_interval([score], sd, low, level=level).iloc[0]
    b = score_interval([score], sd, high, level=level).iloc[0]
    # The observed-score band contains the score and narrows as reliability rises.
    assert a["lower"] <= score <= a["upper"]
    assert b["upper"] - b["lower"] <= a["upper"] - a["lower"] + 1e-9
    # The true-score band is centred on the regressed score and contains it.
    t = score_interval([score], sd, low, level=level, method="true_score", mean=0.0).iloc[0]
    assert t["true_score"] == pytest.approx(low * score, abs=1e-9)
    assert t["lower"] <= t["true_score"] <= t["upper"]
    assert t["upper"] - t["true_score"] == pytest.approx(t["true_score"] - t["lower"], abs=1e-9)
