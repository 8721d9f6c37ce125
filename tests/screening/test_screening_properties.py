"""Invariants of the screen, for any data Hypothesis can think of."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from efficacy.screening import screen

COLUMNS = list("abcdef")
SCALES = {"x": ["a", "c", "e"], "y": ["b", "d"], "z": ["f", "a"]}


@st.composite
def answer_frames(draw):
    """12-40 respondents x 6 items on 1-5, some cells missing, items never constant."""
    n = draw(st.integers(12, 40))
    values = draw(arrays(np.float64, (n, 6), elements=st.integers(1, 5).map(float)))
    missing = np.zeros((n, 6), dtype=bool)
    holes = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, 5)), max_size=8))
    for i, j in holes:
        missing[i, j] = True
    values[missing] = np.nan
    values[0] = [1, 2, 3, 4, 5, 1]  # rows 0 and 1 keep every item variable
    values[1] = [5, 4, 3, 2, 1, 5]
    return pd.DataFrame(values, columns=COLUMNS, index=[f"r{i}" for i in range(n)])


def run(data: pd.DataFrame):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return screen(data, scales=SCALES, reverse=["d"], response_range=(1, 5), critval=0.3)


@settings(max_examples=40, deadline=None)
@given(answer_frames(), st.randoms(use_true_random=False))
def test_indices_do_not_depend_on_row_order(data, random):
    order = list(data.index)
    random.shuffle(order)
    first = run(data).to_frame()
    second = run(data.loc[order]).to_frame().loc[data.index]
    numeric = first.select_dtypes("number").columns
    np.testing.assert_allclose(second[numeric], first[numeric], rtol=1e-9, atol=1e-9)
    pd.testing.assert_series_equal(second["reasons"], first["reasons"])


@settings(max_examples=40, deadline=None)
@given(answer_frames(), st.integers(2, 10))
def test_longstring_and_irv_do_not_depend_on_other_respondents(data, keep):
    whole = run(data).indices
    part = run(data.iloc[: keep + 2]).indices
    for column in ("longstring", "longstring_avg", "irv", "n_missing"):
        np.testing.assert_array_equal(part[column], whole[column].iloc[: keep + 2])


@settings(max_examples=40, deadline=None)
@given(answer_frames())
def test_mahalanobis_is_the_quadratic_form_with_the_pairwise_covariance(data):
    d2 = run(data).indices["mahalanobis"].to_numpy()
    cov = data.cov().to_numpy()  # pandas: pairwise complete, n - 1
    if np.linalg.eigvalsh(cov)[0] <= 1e-10 * np.linalg.eigvalsh(cov)[-1]:
        assert np.isnan(d2).all()
        return
    inverse = np.linalg.inv(cov)
    centred = data.to_numpy() - data.mean().to_numpy()
    for i, row in enumerate(centred):
        seen = ~np.isnan(row)
        expected = row[seen] @ inverse[np.ix_(seen, seen)] @ row[seen] if seen.any() else np.nan
        np.testing.assert_allclose(d2[i], expected, rtol=1e-8, atol=1e-10)


@settings(max_examples=30, deadline=None)
@given(answer_frames())
def test_bounds_and_signs(data):
    ind = run(data).indices
    k = data.shape[1]
    answered = data.notna().sum(axis=1)
    ls = ind["longstring"]
    assert ((ls >= 1) & (ls <= answered.clip(lower=1))).all()
    assert (ind["longstring_avg"] <= ls).all()
    for column in ("even_odd", "psychsyn", "psychant", "person_total_r"):
        values = ind[column].dropna()
        assert ((values >= -1) & (values <= 1)).all(), column
    assert ((ind["mahalanobis_p"].dropna() >= 0) & (ind["mahalanobis_p"].dropna() <= 1)).all()
    assert (ind["n_missing"] == k - answered).all()


@settings(max_examples=60, deadline=None)
@given(
    arrays(
        np.float64,
        (15, 5),
        elements=st.one_of(
            st.integers(1, 4).map(float), st.floats(-50, 50, allow_nan=False), st.just(np.nan)
        ),
    ),
    st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=9),
)
def test_pair_sums_equal_the_direct_within_person_correlation(x, raw_pairs):
    from efficacy.screening._indices import pair_correlation
    from efficacy.screening._rowstats import row_pearson

    pairs = np.array([(i, j) for i, j in raw_pairs if i != j] or [(0, 1)])
    first, second = x[:, pairs[:, 0]], x[:, pairs[:, 1]]
    valid = ~np.isnan(first) & ~np.isnan(second)
    got, usable = pair_correlation(x, pairs)
    np.testing.assert_allclose(got, row_pearson(first, second, valid, 3), atol=1e-7)
    np.testing.assert_array_equal(usable, valid.sum(axis=1))


@settings(max_examples=60, deadline=None)
@given(
    arrays(
        np.float64,
        (12, 6),
        elements=st.one_of(
            st.integers(1, 4).map(float), st.floats(-50, 50, allow_nan=False), st.just(np.nan)
        ),
    ),
    arrays(np.float64, 6, elements=st.one_of(st.integers(1, 4).map(float), st.floats(-9, 9))),
)
def test_person_total_sums_equal_the_direct_correlation(x, means):
    from efficacy.screening._indices import person_total
    from efficacy.screening._rowstats import row_pearson

    expected = row_pearson(x, np.broadcast_to(means, x.shape), ~np.isnan(x), 3)
    np.testing.assert_allclose(person_total(x, means), expected, atol=1e-7)


@settings(max_examples=40, deadline=None)
@given(answer_frames())
def test_blockwise_moments_equal_the_reliability_moments(data):
    from efficacy.coefficients._moments import moments
    from efficacy.screening._covariance import pairwise_moments

    x = data.to_numpy()
    mean, cov, cor = pairwise_moments(x)
    reference = moments(x, nan_policy="pairwise")
    np.testing.assert_allclose(mean, reference.mean, rtol=1e-12)
    np.testing.assert_allclose(cov, reference.cov, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(cor, reference.cor, rtol=1e-10, atol=1e-12)


def test_blockwise_moments_span_several_blocks_and_report_thin_pairs():
    import pytest

    from efficacy.coefficients._moments import moments
    from efficacy.errors import DataError
    from efficacy.screening._covariance import pairwise_moments

    rng = np.random.default_rng(8)
    x = rng.integers(1, 6, size=(150_000, 4)).astype(float)
    x[rng.random(x.shape) < 0.05] = np.nan
    _, cov, _ = pairwise_moments(x)
    np.testing.assert_allclose(cov, moments(x).cov, rtol=1e-10)
    with pytest.raises(DataError, match="items 1 and 2 have 1 rows in common"):
        pairwise_moments(np.array([[1.0, np.nan], [2.0, 3.0], [np.nan, 4.0]]))
