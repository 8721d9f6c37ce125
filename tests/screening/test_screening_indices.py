"""Every index by hand on small frames: missing cells, constant rows, all-missing rows.

The conventions pinned here are those of the formulas page, section "Careless
responding" (R careless 1.2.2, psych 2.2.9).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from efficacy.screening import _indices, _pairs, screen

NAN = np.nan

ROWS = np.array(
    [
        [1, 1, 2, 2],  # two runs of 2
        [3, NAN, 3, 3],  # a missing cell breaks the run and is a run of 1
        [5, 5, 5, 5],  # constant
        [NAN, NAN, NAN, NAN],  # nothing answered
        [2, NAN, NAN, NAN],  # one answer
        [1, 2, 3, 4],
    ]
)


def test_longstring_by_hand():
    longest, average = _indices.longstring(ROWS)
    np.testing.assert_array_equal(longest, [2, 2, 4, NAN, 1, 1])
    # runs: [2, 2]; [1, 1, 2]; [4]; -; [1, 1, 1, 1]; [1, 1, 1, 1]
    np.testing.assert_allclose(average, [2, 4 / 3, 4, NAN, 1, 1])


def test_irv_is_the_n_minus_1_sd_and_nan_below_two_answers():
    got = _indices.irv(ROWS)
    expected = [math.sqrt(4 * 0.25 / 3), 0.0, 0.0, NAN, NAN, math.sqrt(5 / 3)]
    np.testing.assert_allclose(got, expected)


def test_mahalanobis_by_hand_with_a_missing_cell():
    x = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 4.0], [4.0, 3.0]])
    mean = np.array([2.5, 2.5])
    cov = np.array([[5 / 3, 1.0], [1.0, 5 / 3]])  # n - 1 denominator, by hand
    inverse = np.linalg.inv(cov)
    # every centred row is (+-1.5, +-0.5) or (+-0.5, +-1.5): D² = 9/16 (3.75 - 1.5 + 5/12)
    np.testing.assert_allclose(_indices.mahalanobis(x, mean, inverse), [1.5] * 4)
    partial = np.array([[1.0, NAN], [NAN, NAN]])
    # (-1.5, missing -> 0): 9/16 * 5/3 * 2.25
    np.testing.assert_allclose(_indices.mahalanobis(partial, mean, inverse), [2.109375, NAN])


def test_screen_mahalanobis_uses_pairwise_covariance_and_item_means():
    data = pd.DataFrame({"a": [1, 2, 3, 4, 1], "b": [2, 1, 4, 3, NAN]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = screen(data)
    # a: mean 11/5 over 5 rows; b: mean 2.5 over 4. cov(a, b) on rows 1-4 only.
    a, b = np.array([1, 2, 3, 4, 1.0]), np.array([2, 1, 4, 3.0])
    s = np.array([[np.var(a, ddof=1), 1.0], [1.0, np.var(b, ddof=1)]])
    c = np.array([1 - 2.2, 0.0])  # last row, b missing
    assert res.indices["mahalanobis"].iloc[4] == pytest.approx(c @ np.linalg.inv(s) @ c)


def test_even_odd_by_hand_sign_and_clamp():
    # three factors of two items: odd half = 1st item, even half = 2nd item
    x = np.array(
        [
            [1, 2, 3, 3, 5, 4],  # odd [1, 3, 5], even [2, 3, 4]: r = 1, r_sb = 1
            [1, 5, 3, 3, 5, 1],  # r = -1: 2r / (1 + r) = -inf, set to -1
            [2, 1, 2, 3, 4, 4],  # odd [2, 2, 4], even [1, 3, 4]
            [3, 1, 3, 2, 3, 5],  # odd halves constant: undefined
            [1, 3, 2, 1, 3, 2],  # odd [1, 2, 3], even [3, 1, 2]: r = -.5, r_sb = -2 -> -1
            [1, NAN, 3, 3, 5, 4],  # factor 1 has no even answer: 2 factors left, r = +-1
        ],
        dtype=float,
    )
    values, usable = _indices.even_odd(x, [(0, 1), (2, 3), (4, 5)])
    r = 24 / math.sqrt(24 * 42)  # deviations (-2, -2, 4)/3 and (-5, 1, 4)/3
    expected = [-1.0, 1.0, -(2 * r / (1 + r)), NAN, 1.0, -1.0]
    np.testing.assert_allclose(values, expected)
    assert usable.tolist() == [3, 3, 3, 3, 3, 2]


def test_even_odd_follows_the_declared_item_order_not_column_blocks():
    rng = np.random.default_rng(1)
    data = pd.DataFrame(rng.integers(1, 6, size=(30, 6)), columns=list("abcdef")).astype(float)
    interleaved = {"F1": ["a", "c", "e"], "F2": ["b", "d", "f"], "F3": ["a", "b"]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = screen(data, scales=interleaved)
    positions = [(0, 2, 4), (1, 3, 5), (0, 1)]
    expected, _ = _indices.even_odd(data.to_numpy(), positions)
    np.testing.assert_allclose(res.indices["even_odd"], expected)
    blocks, _ = _indices.even_odd(data.to_numpy(), [(0, 1, 2), (3, 4, 5)])
    assert not np.allclose(expected, blocks, equal_nan=True)


def test_pair_correlation_needs_more_than_two_pairs():
    x = np.array(
        [
            [1, 2, 3, 4, 5, 6],  # first [1, 3, 5], second [2, 4, 6]: r = 1
            [1, 6, 3, 4, 5, 2],  # first [1, 3, 5], second [6, 4, 2]: r = -1
            [1, 2, NAN, 4, 5, 6],  # 2 pairs left: NaN
            [3, 2, 3, 4, 3, 6],  # first members constant: NaN
            [1, 1, 2, 3, 3, 2],  # first [1, 2, 3], second [1, 3, 2]: r = .5
        ],
        dtype=float,
    )
    pairs = np.array([[0, 1], [2, 3], [4, 5]])
    values, usable = _indices.pair_correlation(x, pairs)
    np.testing.assert_allclose(values, [1.0, -1.0, NAN, NAN, 0.5])
    assert usable.tolist() == [3, 3, 2, 3, 3]


def test_correlated_pairs_take_the_lower_triangle_in_r_order():
    r = np.array(
        [
            [1.0, 0.7, 0.65, -0.9],
            [0.7, 1.0, 0.61, 0.0],
            [0.65, 0.61, 1.0, -0.61],
            [-0.9, 0.0, -0.61, 1.0],
        ]
    )
    # R: which() over the lower triangle, column by column; first member the later item
    assert _pairs.correlated_pairs(r, 0.6).tolist() == [[1, 0], [2, 0], [2, 1]]
    assert _pairs.correlated_pairs(r, -0.6, antonyms=True).tolist() == [[3, 0], [3, 2]]
    assert _pairs.correlated_pairs(r, 0.7).tolist() == []  # strictly above critval


def test_keyed_pairs_match_reversed_and_positive_items_by_rank_in_each_scale():
    # scale 1: reversed [1], positive [0, 2]; scale 2: reversed [4], positive [3];
    # the total (0..5): reversed [1, 4], positive [0, 2, 3, 5] -> (1, 0) again, (4, 2)
    pairs = _pairs.keyed_pairs([(0, 1, 2), (3, 4), (0, 1, 2, 3, 4, 5)], {1, 4})
    assert pairs.tolist() == [[1, 0], [4, 3], [4, 2]]


def test_person_total_by_hand():
    means = np.array([2.0, 3.0, 4.0, 3.0])
    x = np.array(
        [
            [1, 2, 3, 2],  # = means - 1: r = 1
            [3, 2, 1, 2],  # reversed pattern: r = -1
            [1, 2, NAN, NAN],  # 2 answers: NaN
            [3, 3, 3, 3],  # constant: NaN
            [1, 3, 2, NAN],  # over [2, 3, 4]: r(1,3,2; 2,3,4) = .5
        ],
        dtype=float,
    )
    np.testing.assert_allclose(_indices.person_total(x, means), [1.0, -1.0, NAN, NAN, 0.5])


def test_resampling_is_seeded_and_only_touches_undefined_values():
    rng = np.random.default_rng(0)
    x = rng.integers(1, 6, size=(200, 8)).astype(float)
    x[:20, [0, 2, 4, 6]] = 3.0  # first members constant: undefined before resampling
    pairs = np.array([[0, 1], [2, 3], [4, 5], [6, 7]])
    values, _ = _indices.pair_correlation(x, pairs)
    one = _pairs.resample_pairs(x, pairs, values, np.random.default_rng(5))
    two = _pairs.resample_pairs(x, pairs, values, np.random.default_rng(5))
    np.testing.assert_array_equal(one, two)
    defined = ~np.isnan(values)
    np.testing.assert_array_equal(one[defined], values[defined])
    assert np.isnan(values[:20]).all() and not np.isnan(one[:20]).all()
