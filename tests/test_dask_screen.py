"""ef.screen on a dask DataFrame: a lazy result whose compute() is the in-memory ScreenResult."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")

import efficacy as ef  # noqa: E402
from efficacy.errors import DataError  # noqa: E402


def _same(got: ef.screening.ScreenResult, expected: ef.screening.ScreenResult) -> None:
    pd.testing.assert_frame_equal(got.indices, expected.indices, rtol=1e-12, atol=1e-12)
    pd.testing.assert_frame_equal(got.flags, expected.flags)
    pd.testing.assert_series_equal(got.flagged, expected.flagged)
    pd.testing.assert_series_equal(got.reasons, expected.reasons)
    pd.testing.assert_series_equal(got.notes, expected.notes)
    pd.testing.assert_frame_equal(got.rules, expected.rules)
    assert got.warnings == expected.warnings
    assert got.synonym_pairs == expected.synonym_pairs
    assert got.antonym_pairs == expected.antonym_pairs
    assert got.factors == expected.factors


def _screen_both(data: pd.DataFrame, frame, **options):
    with warnings.catch_warnings(record=True) as seen_memory:
        warnings.simplefilter("always")
        expected = ef.screen(data, **options)
    with warnings.catch_warnings(record=True) as seen_dask:
        warnings.simplefilter("always")
        lazy = ef.screen(frame, **options)
    got = lazy.compute()
    screening = [str(w.message) for w in seen_memory if "Screening" in w.category.__name__]
    assert [str(w.message) for w in seen_dask if "Screening" in w.category.__name__] == screening
    _same_counts(lazy, expected)
    return got, expected


def _same_counts(lazy, expected: ef.screening.ScreenResult) -> None:
    """The aggregate parts of the lazy result equal the in-memory ones."""
    assert lazy.n_obs == expected.n_obs
    assert lazy.n_flagged == expected.n_flagged
    pd.testing.assert_frame_equal(lazy.counts(), expected.counts(), rtol=1e-12, atol=1e-12)
    assert lazy.summary().rows == expected.summary().rows
    assert lazy.summary().notes == expected.summary().notes


def test_instrument_screen_equals_memory_on_8_partitions():
    data = ef.datasets.load("gse_demo")
    frame = dd.from_pandas(data, npartitions=8)
    assert frame.npartitions == 8
    got, expected = _screen_both(data, frame, instrument="gse", on_invalid="missing")
    _same(got, expected)
    assert got.n_flagged == expected.n_flagged == 20


def _items(n: int = 900) -> pd.DataFrame:
    rng = np.random.default_rng(11)
    trait = rng.normal(size=(n, 3))
    data = {}
    for s in range(3):
        for i in range(4):
            sign = -1 if i == 3 else 1
            data[f"s{s}_{i}"] = np.clip(np.rint(3 + sign * trait[:, s] + rng.normal(size=n)), 1, 5)
    frame = pd.DataFrame(data, index=pd.RangeIndex(100, 100 + n))
    frame = frame.mask(rng.random(frame.shape) < 0.05)
    frame.iloc[5] = 3.0  # a straight-liner
    frame["seconds"] = rng.uniform(5, 200, size=n)
    return frame


def test_item_frame_screen_with_tiny_partitions_equals_memory():
    data = _items()
    scales = {f"s{s}": [f"s{s}_{i}" for i in range(4)] for s in range(3)}
    frame = dd.concat(
        [dd.from_pandas(data.iloc[:1], npartitions=1), dd.from_pandas(data.iloc[1:], npartitions=7)]
    )
    assert frame.npartitions == 8
    options = {
        "scales": scales,
        "reverse": ["s0_3", "s1_3", "s2_3"],
        "response_range": (1, 5),
        "duration": "seconds",
        "antonyms": "keyed",
        "cutoffs": {"psychsyn": 0.0, "irv": 0.3},
    }
    got, expected = _screen_both(data, frame, **options)
    _same(got, expected)
    assert got.indices["even_odd"].notna().sum() > 800
    assert got.indices["mahalanobis"].notna().all()
    got, expected = _screen_both(data, frame, scales=scales, critval=0.3)
    _same(got, expected)


def test_refusals_and_errors_are_clear():
    data = _items(200)
    frame = dd.from_pandas(data, npartitions=8)
    scales = {"all": [c for c in data.columns if c != "seconds"]}
    with pytest.raises(DataError, match="resample_na"):
        ef.screen(frame, scales=scales, resample_na=True, seed=1)
    with pytest.raises(DataError, match="duration must name a column"):
        ef.screen(frame, scales=scales, duration=data["seconds"])
    with pytest.raises(DataError, match="not in data"):
        ef.screen(frame, scales=scales, duration="nope")
    raw = ef.datasets.load("gse_demo")
    with pytest.raises(DataError) as memory:
        ef.screen(raw, "gse")
    with pytest.raises(DataError) as lazy:
        ef.screen(dd.from_pandas(raw, npartitions=8), "gse")
    assert str(lazy.value) == str(memory.value)
