"""Where R psych and efficacy make different choices: both are offered, under names.

Golden values (tests/fixtures/correctness, R 4.x with psych 2.2.9 and psychTools):
feldt.json (make_feldt.R), fa_listwise.json (make_fa_listwise.R), split_odd.json
(make_split_odd.R).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import special

import efficacy as ef
from efficacy.coefficients import fa
from efficacy.coefficients.alpha_family._bootstrap import feldt_ci, r_qf
from efficacy.errors import DataError

FIXTURES = Path(__file__).parent / "fixtures" / "correctness"
FELDT = json.loads((FIXTURES / "feldt.json").read_text())
LISTWISE = json.loads((FIXTURES / "fa_listwise.json").read_text())
SPLIT = json.loads((FIXTURES / "split_odd.json").read_text())


def exact_data(r: np.ndarray, n: int = 200, seed: int = 1) -> np.ndarray:
    """Data whose sample correlation matrix is exactly ``r``."""
    z = np.random.default_rng(seed).standard_normal((n, r.shape[0]))
    z -= z.mean(axis=0)
    q, _ = np.linalg.qr(z)
    return q @ np.linalg.cholesky(r).T


# ----------------------------------------------------------------- Feldt interval


@pytest.mark.parametrize("case", FELDT["cases"] + [FELDT["spi"]])
def test_feldt_psych_reproduces_rs_qf(case) -> None:
    args = (case["alpha"], case["n_obs"], case["n_items"], 0.95)
    lower, upper = feldt_ci(*args, r_quantile=True)
    assert lower == pytest.approx(case["lower"], abs=1e-14)
    assert upper == pytest.approx(case["upper"], abs=1e-14)
    exact = feldt_ci(*args)
    large = (case["n_obs"] - 1) * (case["n_items"] - 1) > 4e5
    if large:  # R's shortcut moves the bounds; the default keeps the exact quantile
        assert abs(exact[0] - case["lower"]) > 1e-6
        df1, df2 = case["n_obs"] - 1, (case["n_obs"] - 1) * (case["n_items"] - 1)
        assert exact[0] == pytest.approx(
            1 - (1 - case["alpha"]) * special.fdtri(df1, df2, 0.975), abs=1e-15
        )
    else:
        assert exact == pytest.approx((lower, upper), abs=1e-14)


def test_r_qf_branches() -> None:
    assert r_qf(0.3, 5, 10) == pytest.approx(special.fdtri(5, 10, 0.3), rel=1e-15)
    assert r_qf(0.3, 5, 5e5) == pytest.approx(special.chdtri(5, 0.7) / 5, rel=1e-15)
    assert r_qf(0.3, 5e5, 10) == pytest.approx(10 / special.chdtri(10, 0.3), rel=1e-15)


def test_alpha_offers_both_feldt_intervals() -> None:
    rng = np.random.default_rng(4)
    n, k = 200_002, 3  # (N - 1)(k - 1) = 400,002
    x = pd.DataFrame(rng.standard_normal((n, 1)) + rng.standard_normal((n, k)))
    exact = ef.alpha(x, warn_negative=False)
    psych = ef.alpha(x, ci="feldt_psych", warn_negative=False)
    assert exact.alpha == psych.alpha
    assert exact.ci == pytest.approx(feldt_ci(exact.alpha, n, k, 0.95), abs=1e-15)
    assert psych.ci == pytest.approx(feldt_ci(exact.alpha, n, k, 0.95, r_quantile=True), abs=1e-15)
    assert abs(exact.ci[0] - psych.ci[0]) > 1e-6
    small = pd.DataFrame(rng.standard_normal((50, 1)) + rng.standard_normal((50, 4)))
    assert ef.alpha(small, ci="feldt_psych").ci == ef.alpha(small).ci


# -------------------------------------------------------- fa with listwise deletion


@pytest.fixture(scope="module")
def ability() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "ability.csv")


@pytest.mark.parametrize("ref", LISTWISE)
def test_fa_listwise_np_obs_pairwise_is_psychs(ref, ability) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        psych = fa(ability, ref["nfactors"], nan_policy="listwise", np_obs="pairwise")
        used = fa(ability, ref["nfactors"], nan_policy="listwise")
    assert psych.empirical_chi_square == pytest.approx(ref["chi"], rel=1e-6)
    assert psych.rms == pytest.approx(ref["rms"], rel=1e-6)
    assert psych.crms == pytest.approx(ref["crms"], rel=1e-6)
    assert psych.fit_off == pytest.approx(ref["fit_off"], rel=1e-6)
    assert used.chi_square == pytest.approx(ref["statistic"], rel=1e-6)
    # The default weights by the complete rows the correlations come from.
    complete = ability.dropna()
    direct = fa(complete, ref["nfactors"])
    assert used.empirical_chi_square == pytest.approx(direct.empirical_chi_square, rel=1e-9)
    assert used.empirical_chi_square < psych.empirical_chi_square


def test_np_obs_is_checked_and_irrelevant_without_listwise(ability) -> None:
    with pytest.raises(DataError, match="np_obs must be"):
        fa(ability, 1, np_obs="complete")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = fa(ability, 1, np_obs="pairwise")
        b = fa(ability, 1)
    assert a.empirical_chi_square == b.empirical_chi_square


# ---------------------------------------------------------------- odd item counts


def test_lambda4_over_every_split_for_odd_item_counts() -> None:
    odd, even = SPLIT["odd"], SPLIT["even"]
    x = exact_data(np.array(odd["r"]))
    sh = ef.split_half(pd.DataFrame(x, columns=odd["names"]))
    g = ef.guttman(pd.DataFrame(x, columns=odd["names"]))
    assert sh.n_splits == 35  # choose(7, 3): every distinct split
    assert g.std_lambda4 == pytest.approx(sh.max, abs=1e-12)
    # psych skips some splits for an odd count: its lambda 4 is lower, within 0.03.
    assert odd["guttman_lambda4"] == odd["max"]
    assert 1e-3 < sh.max - odd["max"] < 0.03
    assert abs(sh.mean - odd["mean"]) < 0.03
    xe = exact_data(np.array(even["r"]))
    she = ef.split_half(pd.DataFrame(xe, columns=even["names"]))
    ge = ef.guttman(pd.DataFrame(xe, columns=even["names"]))
    assert she.max == pytest.approx(even["max"], abs=1e-12)
    assert ge.std_lambda4 == pytest.approx(even["guttman_lambda4"], abs=1e-12)
    assert she.mean == pytest.approx(even["mean"], abs=1e-12)
