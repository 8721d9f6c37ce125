"""omega() against R psych 2.2.9 / GPArotation 2022.10-2, hand calculations, invariants.

Golden values: tests/fixtures/omega/psych.json (make_fixtures.R on items.csv, a seeded
bifactor simulation with reverse-keyed items q05 and q18 and missing cells).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from efficacy.coefficients import OmegaResult, omega
from efficacy.coefficients._moments import moments
from efficacy.coefficients.factor_analysis._bootstrap import resample_weights, weighted_correlations
from efficacy.errors import DataError

FIXTURES = Path(__file__).parent / "fixtures" / "omega"
REF = json.loads((FIXTURES / "psych.json").read_text())


def frame(m: dict) -> pd.DataFrame:
    return pd.DataFrame(np.array(m["values"], dtype=float), index=m["rows"], columns=m["cols"])


def quiet_omega(*args, **kwargs) -> OmegaResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return omega(*args, **kwargs)


@pytest.fixture(scope="module")
def items() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "items.csv")


@pytest.fixture(scope="module")
def om1(items: pd.DataFrame) -> OmegaResult:
    return quiet_omega(items)


@pytest.fixture(scope="module")
def om3(items: pd.DataFrame) -> OmegaResult:
    return quiet_omega(items, nfactors=3)


def check_against_psych(res: OmegaResult, ref: dict, *, atol_h: float, atol_sl: float) -> None:
    assert res.omega_h == pytest.approx(ref["omega_h"], abs=atol_h)
    assert res.omega_total == pytest.approx(ref["omega_tot"], abs=1e-6)
    assert res.omega_lim == pytest.approx(ref["omega_lim"], abs=atol_h)
    assert res.alpha == pytest.approx(ref["alpha"], abs=1e-12)
    assert res.g6 == pytest.approx(ref["g6"], abs=1e-12)
    assert res.ecv == pytest.approx(ref["ecv"], abs=atol_h)
    sl = frame(ref["sl"])
    ours = res.loadings.drop(columns="com")
    assert list(ours.columns) == list(sl.columns)
    # psych appends "-" to the names of flipped items
    assert [name.rstrip("-") for name in sl.index] == list(ours.index)
    np.testing.assert_allclose(ours.to_numpy(), sl.to_numpy(), atol=atol_sl)
    flipped = tuple(name.rstrip("-") for name in sl.index if name.endswith("-"))
    assert res.flipped == flipped
    group = frame(ref["omega_group"])
    np.testing.assert_allclose(
        res.omega_group.to_numpy(), group.to_numpy(), atol=atol_sl, equal_nan=True
    )
    assert list(res.omega_group.index) == list(group.index)


# --------------------------------------------------------------------------- golden


def test_one_factor_matches_psych(om1: OmegaResult) -> None:
    check_against_psych(om1, REF["omega"]["nf1"], atol_h=1e-6, atol_sl=1e-4)
    assert om1.omega_total == pytest.approx(REF["omega"]["nf1"]["omega_tot"], abs=1e-6)
    assert om1.flipped == ("q05", "q18")


def test_three_factors_matches_psych(om3: OmegaResult) -> None:
    ref = REF["omega"]["nf3"]
    check_against_psych(om3, ref, atol_h=1e-3, atol_sl=1e-4)
    assert om3.omega_h == pytest.approx(ref["omega_h"], abs=1e-5)  # in practice ~1e-8
    np.testing.assert_allclose(om3.gamma, ref["gloading"], atol=1e-4)
    phi = frame(ref["phi"])
    np.testing.assert_allclose(om3.phi.to_numpy(), phi.to_numpy(), atol=1e-4)
    np.testing.assert_allclose(om3.pattern.to_numpy(), frame(ref["oblique"]).to_numpy(), atol=1e-4)


def test_two_factors_matches_psych_and_warns(items: pd.DataFrame) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = omega(items, nfactors=2)
    assert any("three group factors" in str(w.message) for w in caught)
    check_against_psych(res, REF["omega"]["nf2"], atol_h=1e-4, atol_sl=1e-4)


def test_ml_matches_psych(items: pd.DataFrame) -> None:
    res = quiet_omega(items, nfactors=3, fm="ml")
    check_against_psych(res, REF["omega"]["nf3_ml"], atol_h=1e-4, atol_sl=1e-4)
    assert res.fm == "ml"


def test_reverse_matches_psych_key(items: pd.DataFrame) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # keyed explicitly: no flipping warning
        res = omega(items, nfactors=3, reverse=["q05", "q18"])
    check_against_psych(res, REF["omega"]["nf3_key"], atol_h=1e-4, atol_sl=1e-4)
    assert res.flipped == ("q05", "q18")
    assert res.correlation.loc["q05", "q01"] > 0


def test_poly_matches_psych(items: pd.DataFrame) -> None:
    res = quiet_omega(items, nfactors=3, poly=True)
    check_against_psych(res, REF["omega"]["nf3_poly"], atol_h=1e-4, atol_sl=1e-4)
    assert res.poly


def test_auto_flip_warns_with_names(items: pd.DataFrame) -> None:
    with pytest.warns(UserWarning, match=r"\['q05'\].*reverse="):
        omega(items.iloc[:, :10])


# --------------------------------------------------------------------------- hand calculations


def test_omega_total_model_one_factor_by_hand(om1: OmegaResult) -> None:
    lam = om1.loadings["g"].to_numpy()  # flipped, so all positive here
    expected = lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam**2).sum())
    assert om1.omega_total_model == pytest.approx(expected, abs=1e-12)
    # psych's omega total uses the observed variance instead
    r = om1.correlation.to_numpy()
    key = np.where(om1.correlation.index.isin(om1.flipped), -1.0, 1.0)
    vt = (r * np.outer(key, key)).sum()
    assert om1.omega_total == pytest.approx((vt - (1 - lam**2).sum()) / vt, abs=1e-9)


def test_omega_total_model_three_factors_by_hand(om3: OmegaResult) -> None:
    key = np.where(om3.loadings.index.isin(om3.flipped), -1.0, 1.0)
    f = om3.pattern.to_numpy() * key[:, None]
    common = (f @ om3.phi.to_numpy() @ f.T).sum()
    psi = om3.loadings["u2"].to_numpy()
    assert om3.omega_total_model == pytest.approx(common / (common + psi.sum()), abs=1e-9)


def test_alpha_is_standardized_alpha_of_flipped_matrix(om3: OmegaResult) -> None:
    key = np.where(om3.loadings.index.isin(om3.flipped), -1.0, 1.0)
    r = om3.correlation.to_numpy() * np.outer(key, key)
    k = r.shape[0]
    assert om3.alpha == pytest.approx(k / (k - 1) * (1 - k / r.sum()), abs=1e-12)


def test_schmid_leiman_table_identities(om3: OmegaResult) -> None:
    sl = om3.loadings
    groups = sl[["F1*", "F2*", "F3*"]].to_numpy()
    g = sl["g"].to_numpy()
    np.testing.assert_allclose(sl["u2"], 1 - sl["h2"], atol=1e-14)
    np.testing.assert_allclose(sl["p2"], g**2 / sl["h2"], atol=1e-12)
    loads = np.column_stack([g, groups])
    np.testing.assert_allclose(sl["com"], (loads**2).sum(1) ** 2 / (loads**4).sum(1))
    # Schmid-Leiman reproduces the communalities when gamma fits phi exactly (3 factors)
    np.testing.assert_allclose((loads**2).sum(1), sl["h2"], atol=1e-6)
    ecv = (g**2).sum() / (loads**2).sum()
    assert om3.ecv == pytest.approx(ecv, abs=1e-12)


def test_to_frame(om3: OmegaResult) -> None:
    table = om3.to_frame()
    assert list(table.index) == [
        "omega_h",
        "omega_total",
        "omega_total_model",
        "omega_lim",
        "alpha",
        "g6",
        "ecv",
    ]
    assert table.loc["omega_h", "estimate"] == om3.omega_h
    assert "OmegaResult(" in repr(om3)


def test_correlation_matrix_input(om3: OmegaResult) -> None:
    r = frame(REF["cor"])
    res = quiet_omega(r, nfactors=3)
    assert res.omega_h == pytest.approx(om3.omega_h, abs=1e-12)
    assert res.n_obs is None


# --------------------------------------------------------------------------- errors


def test_errors(items: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="nope"):
        omega(items, reverse=["nope"])
    with pytest.raises(DataError, match="more than 3 items"):
        omega(items.iloc[:, :3], nfactors=3)
    with pytest.raises(DataError, match="n_obs"):
        omega(frame(REF["cor"]), n_boot=5)
    with pytest.raises(DataError, match="correlation matrix"):
        omega(frame(REF["cor"]), poly=True)
    with pytest.raises(DataError, match="boot_ci"):
        omega(items, boot_ci="bca")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="level"):
        omega(items, level=95)


def test_input_not_mutated(items: pd.DataFrame) -> None:
    sub = items.iloc[:500, :8].copy()
    before = sub.copy()
    quiet_omega(sub, n_boot=3, seed=1)
    pd.testing.assert_frame_equal(sub, before)


# --------------------------------------------------------------------------- bootstrap


def test_bootstrap_is_seeded_and_brackets_the_estimate(items: pd.DataFrame) -> None:
    sub = items.iloc[:800]
    a = quiet_omega(sub, nfactors=3, n_boot=40, seed=11)
    b = quiet_omega(sub, nfactors=3, n_boot=40, seed=11)
    c = quiet_omega(sub, nfactors=3, n_boot=40, seed=12)
    pd.testing.assert_frame_equal(a.ci, b.ci)
    assert not a.ci.equals(c.ci)
    assert a.replicates.shape == (40, 6)
    for name in ("omega_h", "omega_total", "omega_total_model", "alpha", "g6"):
        lo, hi = a.ci.loc[name, ["lower", "upper"]]
        assert lo < getattr(a, name) < hi
    table = a.to_frame()
    assert {"lower", "upper"} <= set(table.columns)


def test_bootstrap_fisher_interval_is_psychs_formula(items: pd.DataFrame) -> None:
    res = quiet_omega(items.iloc[:600, :10], n_boot=30, seed=3, level=0.90)
    z = np.arctanh(res.replicates["omega_total"].to_numpy())
    half = 1.6448536269514722 * z.std(ddof=1)
    np.testing.assert_allclose(
        res.ci.loc["omega_total", ["lower", "upper"]].to_numpy(float),
        np.tanh([z.mean() - half, z.mean() + half]),
        atol=1e-12,
    )
    pct = quiet_omega(items.iloc[:600, :10], n_boot=30, seed=3, boot_ci="percentile")
    v = pct.replicates["omega_total"].to_numpy()
    np.testing.assert_allclose(
        pct.ci.loc["omega_total", ["lower", "upper"]].to_numpy(float),
        np.quantile(v, [0.025, 0.975]),
    )


def test_bootstrap_replicate_equals_analysis_of_resampled_rows(items: pd.DataFrame) -> None:
    x = items.iloc[:300, :6].to_numpy(dtype=float)
    rng = np.random.default_rng(5)
    weights = resample_weights(rng, x.shape[0], 3)
    mats = weighted_correlations(x, weights)
    for b in range(3):
        rows = np.repeat(np.arange(x.shape[0]), weights[b].astype(int))
        expected = moments(x[rows], nan_policy="pairwise").cor
        np.testing.assert_allclose(mats[b], expected, atol=1e-12)


def test_bootstrap_from_correlation_matrix_and_poly(items: pd.DataFrame) -> None:
    res = quiet_omega(frame(REF["cor"]).iloc[:8, :8], n_boot=10, seed=2, n_obs=500)
    assert np.isfinite(res.ci.loc["omega_total"]).all()
    poly = quiet_omega(items.iloc[:400, :6], poly=True, n_boot=4, seed=2)
    assert poly.replicates.shape == (4, 6)
    assert np.isfinite(poly.replicates.to_numpy()).all()


# --------------------------------------------------------------------------- properties


@st.composite
def one_factor_samples(draw: st.DrawFn) -> pd.DataFrame:
    k = draw(st.integers(3, 8))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    lam = rng.uniform(0.2, 0.9, k)
    n = 150
    x = rng.standard_normal((n, 1)) @ lam[None] + rng.standard_normal((n, k)) * np.sqrt(1 - lam**2)
    return pd.DataFrame(x, columns=[f"v{j}" for j in range(k)])


@settings(max_examples=20, deadline=None)
@given(one_factor_samples())
def test_omega_total_between_zero_and_one(data: pd.DataFrame) -> None:
    res = quiet_omega(data)
    assert 0.0 <= res.omega_total <= 1.0
    assert 0.0 <= res.omega_total_model <= 1.0


@st.composite
def bifactor_matrices(draw: st.DrawFn) -> np.ndarray:
    seed = draw(st.integers(0, 2**32 - 1))
    per_group = draw(st.integers(3, 5))
    rng = np.random.default_rng(seed)
    p = 3 * per_group
    general = rng.uniform(0.3, 0.7, p)
    groups = np.zeros((p, 3))
    for f in range(3):
        groups[f * per_group : (f + 1) * per_group, f] = rng.uniform(0.2, 0.5, per_group)
    lam = np.column_stack([general, groups])
    r = lam @ lam.T
    np.fill_diagonal(r, 1.0)
    return r


@settings(max_examples=15, deadline=None)
@given(bifactor_matrices())
def test_omega_h_at_most_omega_total(r: np.ndarray) -> None:
    res = quiet_omega(r, nfactors=3)
    assert res.omega_h <= res.omega_total + 1e-9
    assert 0.0 <= res.omega_total <= 1.0
