"""S-X2 item fit: mirt's documented LSAT7 values, expected shares by enumerating response
patterns, the statistic and the merging of sparse score groups by hand."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit
from scipy.stats import chi2, norm

from efficacy.errors import DataError
from efficacy.item_response import GradedParameters, ItemFit, irt
from efficacy.item_response._itemfit import _merge, expected_shares, item_fit

FIXTURES = Path(__file__).parents[1] / "fixtures" / "irt"
NODES = np.linspace(-6, 6, 61)
WEIGHTS = norm.pdf(NODES) / norm.pdf(NODES).sum()


def test_lsat7_matches_mirt_documentation():
    # mirt's documentation (customItems example) fits LSAT7's 2PL and prints
    # a = .989 1.081 1.703 .766 .737, d = 1.856 .808 1.803 .486 (item 5: b = -2.518) and
    # itemfit(mod): S_X2 4.750 14.441 1.266 5.241 0.941, df 2, p .093 .001 .531 .073 .625.
    data = pd.read_csv(FIXTURES / "lsat7.csv")
    a = np.array([0.989, 1.081, 1.703, 0.766, 0.737])
    d = [1.856, 0.808, 1.803, 0.486, 0.737 * 2.518]
    binary = np.array([0.0, 1.0])
    pars = GradedParameters(tuple(data.columns), a, tuple(np.array([v]) for v in d), (binary,) * 5)
    fit = item_fit(pars, data.to_numpy())
    # the printed parameters are rounded to 3 decimals: S-X2 agrees to about 5e-3
    np.testing.assert_allclose(fit.table["S_X2"], [4.750, 14.441, 1.266, 5.241, 0.941], atol=5e-3)
    assert fit.table["df"].tolist() == [2] * 5
    np.testing.assert_allclose(fit.table["p"], [0.093, 0.001, 0.531, 0.073, 0.625], atol=1.5e-3)
    np.testing.assert_allclose(fit.table["RMSEA"], [0.037, 0.079, 0.0, 0.040, 0.0], atol=1.5e-3)


def _pars() -> GradedParameters:
    return GradedParameters(
        ("q1", "q2", "q3"),
        np.array([1.4, 0.8, 2.0]),
        (np.array([1.0, -0.5]), np.array([0.2]), np.array([2.0, 0.5, -1.5])),
        (np.arange(3.0), np.arange(2.0), np.arange(4.0)),
    )


def _pattern_probability(pars, pattern):
    like = WEIGHTS.copy()
    for j, k in enumerate(pattern):
        a, d = pars.a[j], pars.d[j]
        above = 1.0 if k == 0 else expit(a * NODES + d[k - 1])
        below = 0.0 if k == d.size else expit(a * NODES + d[k])
        like = like * (above - below)
    return like.sum()


def test_expected_shares_by_pattern_enumeration():
    pars = _pars()
    shares = expected_shares(pars)
    joint = np.zeros((7, 3, 4))  # sum score x item x category
    for pattern in itertools.product(range(3), range(2), range(4)):
        prob = _pattern_probability(pars, pattern)
        for j, k in enumerate(pattern):
            joint[sum(pattern), j, k] += prob
    for j in range(3):
        for s in range(7):
            total = joint[s, j].sum()
            want = joint[s, j, : pars.n_cat[j]] / total
            np.testing.assert_allclose(shares[j][s], want, atol=1e-12)


def test_statistic_by_hand_for_one_item():
    pars = _pars()
    rng = np.random.default_rng(9)
    theta = rng.normal(size=3000)
    cols = [
        (rng.uniform(size=(3000, 1)) < expit(a * theta[:, None] + d[None, :])).sum(1)
        for a, d in zip(pars.a, pars.d, strict=True)
    ]
    data = np.column_stack(cols)
    fit = item_fit(pars, data, mincell=0.0)  # no merging
    total = data.sum(axis=1)
    shares = expected_shares(pars)[0]
    stat = 0.0
    cells = 0
    for s in range(1, 6):
        n_s = np.sum(total == s)
        for k in range(3):
            e = n_s * shares[s, k]
            if e > 0:
                o = np.sum((total == s) & (data[:, 0] == k))
                stat += (o - e) ** 2 / e
                cells += 1
    df = cells - 5 - 3
    assert fit.table.loc["q1", "S_X2"] == pytest.approx(stat, rel=1e-12)
    assert fit.table.loc["q1", "df"] == df
    assert fit.table.loc["q1", "p"] == pytest.approx(chi2.sf(stat, df), rel=1e-12)
    want_rmsea = np.sqrt(max(stat / df - 1, 0) / (3000 - 1))
    assert fit.table.loc["q1", "RMSEA"] == pytest.approx(want_rmsea, abs=1e-15)


def test_sparse_groups_are_merged_with_a_neighbour():
    obs = np.array([[1.0, 0.0], [5.0, 5.0], [6.0, 2.0], [0.0, 1.0]])
    exp = np.array([[0.5, 0.5], [4.0, 6.0], [5.0, 3.0], [0.3, 0.7]])
    merged_obs, merged_exp = _merge(obs, exp, mincell=1.0)
    # first row into the second, then the last into the one before
    np.testing.assert_array_equal(merged_obs, [[6.0, 5.0], [6.0, 3.0]])
    np.testing.assert_allclose(merged_exp, [[4.5, 6.5], [5.3, 3.7]])
    middle_obs = np.array([[3.0, 3.0], [0.0, 1.0], [9.0, 9.0]])
    middle_exp = np.array([[3.0, 3.0], [0.4, 0.6], [9.0, 9.0]])
    got_obs, _ = _merge(middle_obs, middle_exp, mincell=1.0)
    # the middle row joins the neighbour with fewer persons (the first)
    np.testing.assert_array_equal(got_obs, [[3.0, 4.0], [9.0, 9.0]])


def test_model_item_fit_reports_incomplete_rows():
    data = pd.read_csv(FIXTURES / "bfi_neuroticism.csv")
    fit = irt(data).item_fit()
    assert isinstance(fit, ItemFit)
    assert fit.n_used == int(data.notna().all(axis=1).sum())
    assert fit.n_incomplete == len(data) - fit.n_used
    assert (fit.table["df"] > 0).all()
    assert "incomplete rows left out" in str(fit.summary())
    assert fit.to_frame().shape == (5, 5)


def test_item_fit_needs_complete_rows():
    pars = _pars()
    with pytest.raises(DataError, match="complete rows"):
        item_fit(pars, np.array([[0, -1, 1]]))
