"""dask DataFrames: split-half, Guttman's lambdas, KR-20/21 and omega as in memory."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")

import efficacy as ef  # noqa: E402
from efficacy.errors import DataError  # noqa: E402

RTOL = 1e-12


@pytest.fixture(autouse=True)
def _plain_objects():
    """Keep object columns as they are (dask would turn them into strings)."""
    with dask.config.set({"dataframe.convert-string": False, "scheduler": "synchronous"}):
        yield


def _items(n: int = 1600, k: int = 8, seed: int = 0, missing: float = 0.03) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    trait = rng.normal(size=n)
    data = pd.DataFrame(
        {f"q{i}": np.clip(np.rint(2.5 + trait + rng.normal(size=n)), 1, 4) for i in range(1, k + 1)}
    )
    data = data.mask(rng.random(data.shape) < missing)
    data.index = pd.RangeIndex(500, 500 + n)  # row labels that are not positions
    return data


def _binary(missing: float = 0.0) -> pd.DataFrame:
    data = _items(missing=missing)
    return (data > 2).astype(float).where(data.notna())


def _frames_equal(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got, expected, rtol=RTOL, atol=1e-14)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"nan_policy": "listwise", "reverse": ["q3"]},
        {"max_splits": 20, "seed": 3},  # seeded random splits: the same splits
    ],
)
def test_split_half_and_guttman_equal_to_memory_on_8_partitions(options):
    data = _items()
    frame = dd.from_pandas(data, npartitions=8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the reversed item's first-PC warning, both ways
        expected, got = ef.split_half(data, **options), ef.split_half(frame, **options)
        g_expected, g_got = ef.guttman(data, **options), ef.guttman(frame, **options)
    _frames_equal(got.to_frame(), expected.to_frame())
    np.testing.assert_allclose(got.values, expected.values, rtol=RTOL, atol=1e-14)
    assert (got.best_split, got.worst_split) == (expected.best_split, expected.worst_split)
    assert (got.n_obs, got.n_splits, got.exhaustive) == (
        1600,
        expected.n_splits,
        expected.exhaustive,
    )
    _frames_equal(g_got.to_frame(), g_expected.to_frame())
    assert g_got.n_obs == g_expected.n_obs


def test_complete_data_and_one_partition_equal_to_memory():
    data = _items(missing=0.0)
    for parts in (1, 8):
        frame = dd.from_pandas(data, npartitions=parts)
        _frames_equal(ef.guttman(frame).to_frame(), ef.guttman(data).to_frame())
        _frames_equal(ef.split_half(frame).to_frame(), ef.split_half(data).to_frame())


def test_keying_warning_is_the_same_and_points_at_the_caller():
    data = _items()
    data["q5"] = 5 - data["q5"]
    messages = []
    for items in (data, dd.from_pandas(data, npartitions=8)):
        with pytest.warns(UserWarning, match="load negatively") as seen:
            ef.split_half(items)
        messages.append(str(seen[0].message))
        assert seen[0].filename == __file__
    assert messages[0] == messages[1]


@pytest.mark.parametrize(("nfactors", "nan_policy"), [(1, "pairwise"), (3, "listwise")])
def test_omega_equal_to_memory_on_8_partitions(nfactors, nan_policy):
    data = _items(k=9)
    with warnings.catch_warnings(record=True) as mine:
        warnings.simplefilter("always")
        got = ef.omega(dd.from_pandas(data, npartitions=8), nfactors, nan_policy=nan_policy)
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        expected = ef.omega(data, nfactors, nan_policy=nan_policy)
    # the correlation matrix to rounding; the fit then to the optimizer's own tolerance
    _frames_equal(got.correlation, expected.correlation)
    pd.testing.assert_frame_equal(got.to_frame(), expected.to_frame(), rtol=1e-8, atol=1e-9)
    pd.testing.assert_frame_equal(got.loadings, expected.loadings, rtol=1e-6, atol=1e-6)
    assert (got.n_obs, got.flipped, got.converged) == (expected.n_obs, expected.flipped, True)
    assert [str(w.message) for w in mine] == [str(w.message) for w in theirs]
    assert all(w.filename == __file__ for w in mine)


@pytest.mark.parametrize("nan_policy", ["raise", "listwise"])
def test_kr20_and_kr21_equal_to_memory(nan_policy):
    data = _binary(missing=0.0 if nan_policy == "raise" else 0.03)
    data["q2"] = data["q2"] + 1  # coded 1/2: the higher value counts as 1
    frame = dd.from_pandas(data, npartitions=8)
    options = {"nan_policy": nan_policy, "reverse": ["q4"]}
    expected, got = ef.kr20(data, **options), ef.kr20(frame, **options)
    assert got.kr20 == pytest.approx(expected.kr20, rel=RTOL)
    assert got.var_total == pytest.approx(expected.var_total, rel=RTOL)
    pd.testing.assert_series_equal(got.p, expected.p, rtol=RTOL)
    pd.testing.assert_series_equal(got.positive, expected.positive)
    assert (got.n_obs, got.n_dropped) == (expected.n_obs, expected.n_dropped)
    expected21, got21 = ef.kr21(data, **options), ef.kr21(frame, **options)
    assert got21.kr21 == pytest.approx(expected21.kr21, rel=RTOL)
    assert got21.mean == pytest.approx(expected21.mean, rel=RTOL)


def _same_error(data: pd.DataFrame, call, parts: int = 8) -> str:
    with pytest.raises(DataError) as in_memory:
        call(data)
    with pytest.raises(DataError) as on_dask:  # the rows in their order, whatever the labels
        call(dd.from_pandas(data, npartitions=parts, sort=False))
    assert str(on_dask.value) == str(in_memory.value)
    return str(on_dask.value)


def test_bad_cells_named_with_global_rows_over_every_partition():
    data = _items().astype(object)
    data.iloc[5, 2] = "often"  # partition 0
    data.iloc[1500, 2] = "never"  # partition 7
    data.iloc[1200, 6] = np.inf
    for call in (ef.split_half, ef.guttman, ef.omega):
        message = _same_error(data, call)
        assert "column 'q3': 2 cells, rows [505, 2000]" in message
    data.iloc[[5, 1500], 2] = 2.0
    assert "rows [1700]" in _same_error(data, ef.guttman)  # the infinite cell


def test_repeated_row_labels_are_named_by_position():
    data = _items().astype(object)
    data.index = np.arange(len(data)) % 1000
    data.iloc[1100, 1] = "x"
    assert "positions [1100] (row labels [100])" in _same_error(data, ef.split_half)


def test_binary_errors_equal_to_memory():
    data = _binary()
    data.iloc[10, 0] = 7.0  # a third value
    data.iloc[1400, 0] = 7.0
    message = _same_error(data, ef.kr20)
    assert "column 'q1': 2 cells, rows [510, 1900], values [7.0]" in message
    wrong = _same_error(_binary(), lambda d: ef.kr21(d, positive=5))
    assert "column 'q1': positive=5 is not one of its values [0.0, 1.0]" in wrong
    blank = _binary()
    blank.iloc[[3, 1599], 3] = np.nan
    assert "rows [503, 2099]" in _same_error(blank, ef.kr20)
    assert "unknown" not in _same_error(_binary(), lambda d: ef.kr20(d, reverse=["nope"]))


@pytest.mark.filterwarnings("ignore:Degrees of freedom:RuntimeWarning")  # numpy, in memory
def test_other_errors_equal_to_memory():
    constant = _items()
    constant["q4"] = 2.0
    _same_error(constant, ef.split_half)
    _same_error(constant, ef.omega)
    sparse = _items(n=40, missing=0.0)
    sparse.iloc[:39, 0] = np.nan
    _same_error(sparse, ef.guttman)  # q1 shares 1 row with each item
    _same_error(_items().iloc[:, :2], ef.omega)  # too few items
    _same_error(_items(), lambda d: ef.guttman(d, nan_policy="all"))


def test_polychoric_ordinal_alpha_and_poly_omega_equal_to_memory():
    data = _items()
    frame = dd.from_pandas(data, npartitions=8)
    expected, got = ef.polychoric(data), ef.polychoric(frame)
    _frames_equal(got.rho, expected.rho)
    _frames_equal(got.thresholds, expected.thresholds)
    pd.testing.assert_frame_equal(got.n_pairs, expected.n_pairs)
    assert (got.n_obs, got.smoothed) == (expected.n_obs, expected.smoothed)
    options = {"reverse": ["q2"]}
    assert ef.ordinal_alpha(frame, **options) == pytest.approx(
        ef.ordinal_alpha(data, **options), rel=RTOL
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # q2 reversed: negative correlations, both ways
        mine = ef.alpha(frame, reverse=["q2"], ordinal=True)
        theirs = ef.alpha(data, reverse=["q2"], ordinal=True)
    assert mine.ordinal_alpha == pytest.approx(theirs.ordinal_alpha, rel=RTOL)
    poly = ef.omega(frame, poly=True)
    _frames_equal(poly.correlation, ef.omega(data, poly=True).correlation)


def test_polychoric_errors_and_warnings_equal_to_memory():
    data = _items()
    data.iloc[7, 1] = 2.5
    data.iloc[1300, 1] = 1.5
    assert "column 'q2': 2 cells, rows [507, 1800]" in _same_error(data, ef.polychoric)
    wide = _items()
    wide.iloc[1000, 0] = 12.0
    assert "items span 12 categories" in _same_error(wide, ef.polychoric)
    short = _items()
    short["q3"] = short["q3"].clip(upper=3)  # q3 never reaches the top category
    messages = []
    for items in (short, dd.from_pandas(short, npartitions=8)):
        with pytest.warns(UserWarning, match="thresholds are estimated per pair") as seen:
            ef.polychoric(items)
        messages.append([str(w.message) for w in seen])
        assert seen[0].filename == __file__
    assert messages[0] == messages[1]


@pytest.mark.parametrize("options", [{}, {"nan_policy": "listwise"}, {"poly": True}])
def test_omega_bootstrap_draws_the_same_resamples_as_in_memory(options):
    data = _items(k=6)
    frame = dd.from_pandas(data, npartitions=8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starts that stop at other optima, both ways
        got = ef.omega(frame, n_boot=12, seed=4, **options)
        expected = ef.omega(data, n_boot=12, seed=4, **options)
    # replicate fits start from the full-sample solution: equal to its tolerance
    pd.testing.assert_frame_equal(got.replicates, expected.replicates, rtol=1e-8, atol=1e-9)
    pd.testing.assert_frame_equal(got.ci, expected.ci, rtol=1e-8, atol=1e-9)
    assert got.n_boot_failed == expected.n_boot_failed


def test_tetrachoric_is_refused_with_its_reason():
    with pytest.raises(DataError, match=r"tetrachoric.*binary coding"):
        ef.tetrachoric(dd.from_pandas(_binary(), npartitions=4))


hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=15, deadline=None, print_blob=True)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(6, 300),
    partitions=st.integers(1, 9),
    missing=st.sampled_from([0.0, 0.05, 0.3]),
    k=st.integers(2, 6),
    listwise=st.booleans(),
)
def test_fuzz_guttman_equal_to_memory(seed, n, partitions, missing, k, listwise):
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
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                outcomes.append(ef.guttman(data, nan_policy=policy).to_frame())
            except DataError as error:  # too few shared rows, a constant item: the same error
                outcomes.append(str(error))
    expected, got = outcomes
    if isinstance(expected, str):
        assert got == expected
        return
    pd.testing.assert_frame_equal(got, expected, rtol=1e-10, atol=1e-12)
