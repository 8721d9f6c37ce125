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


def _counted(data: pd.DataFrame, n_parts: int):
    """A dask frame over ``data`` whose partitions count every load in ``loads``."""
    bounds = np.linspace(0, len(data), n_parts + 1).astype(int)
    loads: list[int] = []

    def part(i: int) -> pd.DataFrame:
        loads.append(i)
        return data.iloc[bounds[i] : bounds[i + 1]]

    return dd.from_map(part, range(n_parts), meta=data.iloc[:0]), loads


def test_nothing_is_computed_until_asked_and_counts_are_tallied_once():
    data = ef.datasets.load("gse_demo")
    frame, loads = _counted(data, 6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ef.screen(frame, "gse", on_invalid="missing")
        expected = ef.screen(data, "gse", on_invalid="missing")
    after_screen = len(loads)
    assert after_screen > 0  # the global statistics are eager
    assert res.n_obs == 600
    pd.testing.assert_frame_equal(res.rules, expected.rules)
    assert res.warnings == expected.warnings
    # the per-respondent parts, their repr and a lazy filter read nothing
    for lazy in (res.indices, res.flags, res.flagged, res.reasons, res.notes, res.to_frame()):
        assert type(lazy).__module__.split(".")[0] in ("dask", "dask_expr")
    assert "not yet counted" in repr(res)
    kept = frame[~res.flagged]
    assert res.to_frame().npartitions == 6
    assert len(loads) == after_screen
    # counts: one pass, then kept
    assert res.n_flagged == 20
    assert len(loads) == after_screen + 6
    res.counts()
    res.summary()
    assert "n_flagged=20" in repr(res)
    assert len(loads) == after_screen + 6
    pd.testing.assert_frame_equal(  # dask reads the text columns as its own string dtype
        kept.compute(), data[~expected.flagged], check_dtype=False
    )
    assert len(loads) == after_screen + 12


def test_counts_can_share_the_pass_that_writes_the_rows(tmp_path):
    data = ef.datasets.load("gse_demo")
    frame, loads = _counted(data, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ef.screen(frame, "gse", on_invalid="missing")
        expected = ef.screen(data, "gse", on_invalid="missing")
    before = len(loads)
    res.count_along(res.to_frame().to_parquet(tmp_path / "rows", compute=False))
    assert len(loads) == before + 4  # one pass for the file and the tallies
    pd.testing.assert_frame_equal(res.counts(), expected.counts(), rtol=1e-12, atol=1e-12)
    assert len(loads) == before + 4
    written = pd.read_parquet(tmp_path / "rows").rename_axis(None)  # dask names the index
    pd.testing.assert_frame_equal(
        written.astype({"reasons": object, "notes": object}),
        expected.to_frame(),
        rtol=1e-12,
        atol=1e-12,
        check_index_type=False,
    )


def test_flagged_rows_are_excluded_from_scores_lazily():
    data = ef.datasets.load("gse_demo")
    frame = dd.from_pandas(data, npartitions=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ef.screen(frame, "gse", on_invalid="missing")
        expected = ef.score(
            data, "gse", on_invalid="missing", exclude=ef.screen(data, "gse", on_invalid="missing")
        )
        lazy = ef.score(frame, "gse", on_invalid="missing", exclude=res)
        by_series = ef.score(frame, "gse", on_invalid="missing", exclude=res.flagged)
    got = lazy.compute()
    expected.attrs = {}
    pd.testing.assert_frame_equal(got, expected)
    pd.testing.assert_frame_equal(by_series.compute(), expected)
    assert got["gse"].isna().sum() >= 20
    with pytest.raises(ef.errors.InvalidResponseError):  # invalid cells: every row is checked
        ef.score(frame, "gse", exclude=res)
    with pytest.raises(DataError, match="partitions"):
        ef.score(dd.from_pandas(data, npartitions=3), "gse", on_invalid="missing", exclude=res)
    with pytest.raises(DataError, match="boolean dask Series"):
        ef.score(frame, "gse", on_invalid="missing", exclude=res.indices["irv"])
    with pytest.raises(DataError, match=r"lazy result of ef\.screen .* not list"):
        ef.score(frame, "gse", on_invalid="missing", exclude=[0, 1])
    shifted = data.set_axis(data.index + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        other = ef.screen(dd.from_pandas(shifted, npartitions=5), "gse", on_invalid="missing")
    with pytest.raises(DataError, match="do not cover the same rows"):
        ef.score(frame, "gse", on_invalid="missing", exclude=other.flagged)
    unknown = frame.clear_divisions()  # then each partition's rows are compared
    lazy = ef.score(unknown, "gse", on_invalid="missing", exclude=other.flagged.clear_divisions())
    with pytest.raises(
        DataError, match=r"not partitioned like data: .* rows \[\d+\] that exclude lacks"
    ):
        lazy.compute()


def test_empty_partitions_and_rules_without_cutoffs():
    data = _items(300)
    scales = {f"s{s}": [f"s{s}_{i}" for i in range(4)] for s in range(3)}
    frame = dd.concat(
        [
            dd.from_pandas(data.iloc[:100], npartitions=2),
            dd.from_pandas(data.iloc[:0], npartitions=1),
            dd.from_pandas(data.iloc[100:], npartitions=3),
        ]
    )
    off = {key: None for key in ef.screening.RULES}
    for options in ({"scales": scales, "duration": "seconds"}, {"scales": scales, "cutoffs": off}):
        got, expected = _screen_both(data, frame, **options)
        _same(got, expected)
    assert got.flags.shape == (300, 0) and got.n_flagged == 0


def test_bad_durations_are_an_error_of_screen_itself():
    data = _items(200)
    data.loc[250, "seconds"] = -3.0
    frame = dd.from_pandas(data, npartitions=4)
    scales = {"all": [c for c in data.columns if c != "seconds"]}
    with pytest.raises(DataError, match="non-negative seconds"):
        ef.screen(frame, scales=scales, duration="seconds")


def _generated(n_parts: int, rows: int):
    def part(i: int) -> pd.DataFrame:
        rng = np.random.default_rng(i)
        x = rng.integers(1, 5, size=(rows, 10)).astype(float)
        x[rng.random(x.shape) < 0.01] = np.nan
        return pd.DataFrame(
            x,
            columns=[f"gse{j}" for j in range(1, 11)],
            index=pd.RangeIndex(i * rows, (i + 1) * rows),
        )

    return dd.from_map(part, range(n_parts))


def test_a_lazy_screen_written_to_parquet_keeps_memory_bounded(tmp_path):
    import tracemalloc

    import dask

    with dask.config.set(scheduler="threads", num_workers=2), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # first, a tiny run: the imports are not measured
        small = ef.screen(_generated(n_parts=2, rows=100), "gse")
        small.count_along(small.to_frame().to_parquet(tmp_path / "small", compute=False))
        frame = _generated(n_parts=16, rows=5_000)  # 80,000 rows
        tracemalloc.start()
        try:
            res = ef.screen(frame, "gse")
            res.count_along(res.to_frame().to_parquet(tmp_path / "screen", compute=False))
            table = res.counts()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert res.n_obs == 80_000
    assert table.loc["longstring", "n_computed"] == 80_000
    written = dd.read_parquet(tmp_path / "screen")
    assert len(written) == 80_000
    assert int(written["flagged"].sum().compute()) == res.n_flagged
    assert list(written.columns) == list(res.to_frame().columns)
    # the items alone are 6.4 MB and the screen's rows 9 MB: neither is ever whole
    assert peak < 10e6, f"peak {peak / 1e6:.1f} MB"


hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=8, deadline=None, print_blob=True)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(12, 150),
    partitions=st.integers(1, 7),
    missing=st.sampled_from([0.0, 0.1]),
)
def test_any_partitioning_gives_the_memory_screen_and_its_counts(seed, n, partitions, missing):
    rng = np.random.default_rng(seed)
    trait = rng.normal(size=(n, 1))
    values = np.clip(np.rint(2.5 + trait + rng.normal(size=(n, 6))), 1, 4)
    values[rng.random(values.shape) < missing] = np.nan
    data = pd.DataFrame(values, columns=[f"i{j}" for j in range(6)])
    data.iloc[0] = 2.0  # at least one straight-liner
    options = {
        "scales": {"a": ["i0", "i1", "i2"], "b": ["i3", "i4", "i5"]},
        "cutoffs": {"irv": 0.5, "n_missing": 1},
    }
    frame = dd.from_pandas(data, npartitions=partitions)
    got, expected = _screen_both(data, frame, **options)  # also compares the counts
    _same(got, expected)
    assert got.n_flagged >= 1
