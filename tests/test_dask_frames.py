"""dask DataFrames: the same scores, item frames, alpha and norms as in memory."""

from __future__ import annotations

import subprocess
import sys
import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")

import efficacy as ef  # noqa: E402
from efficacy.errors import DataError, InvalidResponseError  # noqa: E402
from efficacy.scoring import InvalidResponseWarning  # noqa: E402

RTOL = 1e-12


@pytest.fixture(autouse=True)
def _plain_objects():
    """Keep object columns as they are (dask would turn them into strings)."""
    with dask.config.set({"dataframe.convert-string": False, "scheduler": "synchronous"}):
        yield


def _gse(n: int = 3000, seed: int = 0, missing: float = 0.03) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    trait = rng.normal(size=n)
    data = pd.DataFrame(
        {f"gse{i}": np.clip(np.rint(2.5 + trait + rng.normal(size=n)), 1, 4) for i in range(1, 11)}
    )
    data = data.mask(rng.random(data.shape) < missing)
    data.index = pd.RangeIndex(500, 500 + n)  # row labels that are not positions
    return data


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out.attrs = {}
    return out


def test_import_efficacy_does_not_import_dask():
    code = "import sys, efficacy as ef; ef.score; ef.alpha; print('dask' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_score_is_a_lazy_dask_frame_equal_to_memory():
    data = _gse()
    lazy = ef.score(dd.from_pandas(data, npartitions=8), "gse")
    assert isinstance(lazy, dd.DataFrame)
    expected = ef.score(data, "gse")
    pd.testing.assert_frame_equal(lazy.compute(), _plain(expected), rtol=RTOL, atol=0)


def test_item_responses_equal_to_memory():
    data = _gse()
    got = ef.item_responses(dd.from_pandas(data, npartitions=8), "gse", reverse=True).compute()
    pd.testing.assert_frame_equal(got, _plain(ef.item_responses(data, "gse")))


def test_invalid_cells_reported_as_in_memory_with_global_rows():
    data = _gse().astype(object)
    data.iloc[5, 2] = 7  # partition 0
    data.iloc[2900, 4] = "often"  # partition 7
    data.iloc[1500, 0] = 2.5
    with pytest.raises(InvalidResponseError) as in_memory:
        ef.score(data, "gse")
    with pytest.raises(InvalidResponseError) as on_dask:
        ef.score(dd.from_pandas(data, npartitions=8), "gse")
    assert str(on_dask.value) == str(in_memory.value)
    assert "rows [2000]" in str(on_dask.value)  # label, not the position in a partition
    pd.testing.assert_frame_equal(
        on_dask.value.cells.sort_index(), in_memory.value.cells.sort_index()
    )
    assert sorted(on_dask.value.cells.index) == [5, 1500, 2900]


def test_invalid_cells_as_missing_warn_once_and_score_as_in_memory():
    data = _gse().astype(object)
    data.iloc[7, 1] = 9
    with pytest.warns(InvalidResponseWarning, match="1 invalid response cells"):
        lazy = ef.score(dd.from_pandas(data, npartitions=8), "gse", on_invalid="missing")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = ef.score(data, "gse", on_invalid="missing")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # computing warns no more
        got = lazy.compute()
    pd.testing.assert_frame_equal(got, _plain(expected), rtol=RTOL, atol=0)


def test_missing_columns_and_exclude_are_errors_up_front():
    frame = dd.from_pandas(_gse().drop(columns="gse3"), npartitions=2)
    with pytest.raises(DataError, match="gse3"):
        ef.score(frame, "gse")
    with pytest.raises(DataError, match="exclude"):
        ef.score(dd.from_pandas(_gse(), npartitions=2), "gse", exclude=[500])


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"nan_policy": "listwise"},
        {"psych_version": "2.5"},
        {"reverse": ["gse2"], "warn_negative": False},
        {"reverse": ["gse2", "gse7"], "min": 1, "max": 4, "ci": "duhachek", "warn_negative": False},
    ],
)
def test_alpha_equal_to_memory_on_8_partitions(options):
    items = _plain(ef.item_responses(_gse(), "gse"))
    expected = ef.alpha(items, **options)
    got = ef.alpha(dd.from_pandas(items, npartitions=8), **options)
    pd.testing.assert_frame_equal(got.to_frame(), expected.to_frame(), rtol=RTOL, atol=0)
    pd.testing.assert_frame_equal(got.items, expected.items, rtol=RTOL, atol=0)
    pd.testing.assert_frame_equal(got.response_freq, expected.response_freq, rtol=RTOL)
    assert got.ci == pytest.approx(expected.ci, rel=RTOL)


def test_alpha_on_complete_data_equal_to_memory():
    items = _plain(ef.item_responses(_gse(missing=0.0), "gse"))
    expected = ef.alpha(items)
    got = ef.alpha(dd.from_pandas(items, npartitions=8))
    pd.testing.assert_frame_equal(got.items, expected.items, rtol=RTOL, atol=0)
    assert got.alpha == pytest.approx(expected.alpha, rel=RTOL)


def test_alpha_checks_cells():
    items = _plain(ef.item_responses(_gse(), "gse"))
    items.iloc[2000, 3] = 6.0
    frame = dd.from_pandas(items, npartitions=8)
    with pytest.raises(DataError, match=r"gse4.*rows \[2500\]"):
        ef.alpha(frame, min=1, max=4)
    with pytest.raises(DataError, match=r"gse4.*rows \[2500\]"):
        ef.alpha(frame, min=1, max=4, ci="bootstrap")  # before the patterns are read


def test_build_norms_and_standardize_equal_to_memory():
    data = _gse(4000)
    scores = _plain(ef.score(data, "gse"))
    scores["sex"] = np.where(np.arange(len(scores)) % 3 == 0, "female", "male")
    lazy = dd.from_pandas(scores, npartitions=8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = ef.build_norms(scores, instrument="gse", by="sex")
    with pytest.warns(UserWarning, match="without a score"):
        got = ef.build_norms(lazy, instrument="gse", by="sex")
    assert [g.where for g in got.groups] == [g.where for g in expected.groups]
    for mine, theirs in zip(got.groups, expected.groups, strict=True):
        assert mine.n == theirs.n
        assert mine.percentiles == theirs.percentiles
        assert mine.mean == pytest.approx(theirs.mean, rel=RTOL)
        assert mine.sd == pytest.approx(theirs.sd, rel=RTOL)
    assert got.note == expected.note
    complete = scores.dropna()
    options = {"group": "sex", "reliability": 0.86}
    z_expected = ef.standardize(complete, "gse", "world2006_sex", **options)
    z_lazy = ef.standardize(
        dd.from_pandas(complete, npartitions=8), "gse", "world2006_sex", **options
    )
    assert isinstance(z_lazy, dd.DataFrame)
    pd.testing.assert_frame_equal(z_lazy.compute(), _plain(z_expected), rtol=RTOL, atol=0)


def test_the_norm_guard_warns_once_not_once_per_partition():
    from efficacy.validation import NormInvarianceWarning

    scores = _plain(ef.score(_gse(800), "gse")).dropna()
    lazy = dd.from_pandas(scores, npartitions=8)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        ef.standardize(lazy, "gse", "world2006", reliability=0.86).compute(scheduler="sync")
    guard = [w for w in seen if issubclass(w.category, NormInvarianceWarning)]
    assert len(guard) == 1 and "pools respondents across nations" in str(guard[0].message)


def _generated(n_parts: int, rows: int) -> dd.DataFrame:
    """A dask frame whose partitions are generated when computed, never held together."""

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


def test_alpha_memory_is_bounded_by_a_partition_not_the_data():
    frame = _generated(n_parts=16, rows=50_000)  # 64 MB of data, 4 MB a partition
    tracemalloc.start()
    try:
        result = ef.alpha(frame, warn_negative=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.n_obs == 800_000
    assert peak < 20e6, f"peak {peak / 1e6:.1f} MB"


hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=20, deadline=None, print_blob=True)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(8, 400),
    partitions=st.integers(1, 9),
    missing=st.sampled_from([0.0, 0.05, 0.3]),
    k=st.integers(2, 6),
    listwise=st.booleans(),
)
def test_fuzz_alpha_and_scores_equal_to_memory(seed, n, partitions, missing, k, listwise):
    rng = np.random.default_rng(seed)
    trait = rng.normal(size=n)
    items = pd.DataFrame(
        {f"q{j}": np.clip(np.rint(3 + trait + rng.normal(size=n)), 1, 5) for j in range(k)}
    )
    items = items.mask(rng.random(items.shape) < missing)
    policy = "listwise" if listwise else "pairwise"
    frame = dd.from_pandas(items, npartitions=min(partitions, n))
    outcomes = []
    for data in (items, frame):
        try:
            outcomes.append(ef.alpha(data, nan_policy=policy, warn_negative=False))
        except DataError as error:  # too few shared rows, a constant item: the same error
            outcomes.append(str(error))
    expected, got = outcomes
    if isinstance(expected, str):
        assert got == expected
        return
    pd.testing.assert_frame_equal(got.items, expected.items, rtol=1e-10, atol=1e-13)
    assert got.alpha == pytest.approx(expected.alpha, rel=1e-10, abs=1e-13, nan_ok=True)
    if expected.response_freq is None:
        assert got.response_freq is None
    else:
        pd.testing.assert_frame_equal(got.response_freq, expected.response_freq)


def test_build_norms_of_a_dask_series_and_alpha_of_a_series():
    scores = _plain(ef.score(_gse(), "gse"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = ef.build_norms(scores["gse"], instrument="gse")
        got = ef.build_norms(dd.from_pandas(scores, npartitions=4)["gse"], instrument="gse")
    assert got.groups[0].percentiles == expected.groups[0].percentiles
    with pytest.raises(DataError, match="items"):
        ef.alpha(dd.from_pandas(scores, npartitions=4)["gse"])


def test_response_frequencies_of_non_integer_answers_equal_to_memory():
    # half-point answers carry no integer codes: the table comes from each item's
    # answer counts, summed over the partitions
    rng = np.random.default_rng(0)
    trait = rng.normal(size=500)
    x = pd.DataFrame(
        {
            f"i{j}": np.clip(np.round((2.5 + trait + rng.normal(size=500)) * 2) / 2, 1, 4)
            for j in range(4)
        }
    )
    x.iloc[3, 1] = np.nan
    expected = ef.alpha(x).response_freq
    got = ef.alpha(dd.from_pandas(x, npartitions=8)).response_freq
    assert expected is not None and list(expected.columns) == [1, 1.5, 2, 2.5, 3, 3.5, 4, "miss"]
    pd.testing.assert_frame_equal(got, expected, rtol=RTOL, atol=0)
