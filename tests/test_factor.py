"""Factor analysis (fa) against R psych 2.2.9 / GPArotation 2022.10-2, and invariants.

Golden values: tests/fixtures/omega/psych.json (make_fixtures.R on items.csv). psych's
L-BFGS-B stops early (factr = 1e7); we solve to the optimum, so loadings agree to about
1e-6; the tests allow 1e-4 (the tolerance asked for) on loadings.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from efficacy.coefficients import FactorResult, fa
from efficacy.coefficients.factor_analysis._extract import extract
from efficacy.coefficients.factor_analysis._rotation import oblimin, varimax
from efficacy.errors import DataError

FIXTURES = Path(__file__).parent / "fixtures" / "omega"
REF = json.loads((FIXTURES / "psych.json").read_text())


def frame(m: dict) -> pd.DataFrame:
    return pd.DataFrame(np.array(m["values"], dtype=float), index=m["rows"], columns=m["cols"])


def assert_loadings_match(ours: pd.DataFrame, ref: pd.DataFrame, atol: float) -> None:
    """Equal up to the sign and the order of the columns."""
    assert list(ours.index) == list(ref.index)
    a, b = ours.to_numpy(), ref.to_numpy()
    assert a.shape == b.shape
    used: set[int] = set()
    for j in range(b.shape[1]):
        errors = [
            min(np.abs(a[:, c] - b[:, j]).max(), np.abs(a[:, c] + b[:, j]).max())
            if c not in used
            else np.inf
            for c in range(a.shape[1])
        ]
        best = int(np.argmin(errors))
        assert errors[best] < atol, f"column {ref.columns[j]}: max error {errors[best]:.2e}"
        used.add(best)


@pytest.fixture(scope="module")
def items() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "items.csv")


CASES = {
    "minres_1_oblimin": {"nfactors": 1},
    "minres_3_oblimin": {"nfactors": 3},
    "minres_3_varimax": {"nfactors": 3, "rotate": "varimax"},
    "minres_3_none": {"nfactors": 3, "rotate": "none"},
    "ml_1_oblimin": {"nfactors": 1, "fm": "ml"},
    "ml_3_oblimin": {"nfactors": 3, "fm": "ml"},
    "ml_3_varimax": {"nfactors": 3, "fm": "ml", "rotate": "varimax"},
}


@pytest.fixture(scope="module")
def fits(items: pd.DataFrame) -> dict[str, FactorResult]:
    return {name: fa(items, **kwargs) for name, kwargs in CASES.items()}


@pytest.mark.parametrize("case", list(CASES))
def test_fa_matches_psych(case: str, fits: dict[str, FactorResult]) -> None:
    res, ref = fits[case], REF["fa"][case]
    loadings = frame(ref["loadings"])
    assert_loadings_match(res.loadings, loadings, atol=1e-4)
    # psych's column names travel with the columns when they are sorted
    assert list(res.loadings.columns) == list(loadings.columns)
    np.testing.assert_allclose(res.loadings.to_numpy(), loadings.to_numpy(), atol=1e-4)
    np.testing.assert_allclose(res.communalities, ref["communality"], atol=1e-5)
    np.testing.assert_allclose(res.uniquenesses, ref["uniquenesses"], atol=1e-5)
    np.testing.assert_allclose(res.complexity, ref["complexity"], atol=1e-4)
    if ref["phi"] is None:
        assert res.phi is None
    else:
        phi = frame(ref["phi"])
        np.testing.assert_allclose(res.phi.loc[phi.index, phi.columns], phi, atol=1e-5)
    assert res.rms == pytest.approx(ref["rms"], abs=1e-7)
    assert res.crms == pytest.approx(ref["crms"], abs=1e-7)
    assert res.dof == ref["dof"]
    assert res.objective == pytest.approx(ref["objective"], rel=1e-6)
    assert res.chi_square == pytest.approx(ref["statistic"], rel=1e-6)
    assert res.p_value == pytest.approx(ref["pval"], rel=1e-5)
    assert res.empirical_chi_square == pytest.approx(ref["chi"], rel=1e-6)
    assert res.rmsea == pytest.approx(ref["rmsea"][0], abs=1e-7)
    # psych finds the interval with uniroot's default tolerance; ours is exact
    np.testing.assert_allclose(res.rmsea_ci, ref["rmsea"][1:], atol=1e-4)
    assert res.tli == pytest.approx(ref["tli"], abs=1e-7)
    assert res.bic == pytest.approx(ref["bic"], abs=1e-3)
    assert res.fit == pytest.approx(ref["fit"], abs=1e-7)
    assert res.fit_off == pytest.approx(ref["fit_off"], abs=1e-7)
    assert res.null_chi_square == pytest.approx(ref["null_chisq"], rel=1e-9)
    np.testing.assert_allclose(res.eigenvalues, ref["e_values"], atol=1e-12)
    vacc = frame(ref["vaccounted"])
    np.testing.assert_allclose(res.variance.loc[vacc.index, vacc.columns], vacc, atol=1e-5)
    assert res.converged


def test_fa_of_correlation_matrix_matches_psych() -> None:
    ref = REF["fa"]["matrix_minres_3_oblimin"]
    r = frame(REF["cor"])
    res = fa(r, 3, n_obs=2800)
    assert_loadings_match(res.loadings, frame(ref["loadings"]), atol=1e-4)
    # no pairwise counts for a matrix: unweighted residuals
    assert res.rms == pytest.approx(ref["rms"], abs=1e-9)
    assert res.chi_square == pytest.approx(ref["statistic"], rel=1e-6)
    assert res.tli == pytest.approx(ref["tli"], abs=1e-7)


def test_correlation_matrix_without_n_obs_has_no_chi_square() -> None:
    res = fa(frame(REF["cor"]), 2)
    assert res.n_obs is None
    assert np.isnan(res.chi_square)
    assert np.isnan(res.rmsea)
    assert np.isfinite(res.rms)


def test_to_frame_and_repr(fits: dict[str, FactorResult]) -> None:
    res = fits["minres_3_oblimin"]
    table = res.to_frame()
    assert list(table.columns) == ["MR2", "MR1", "MR3", "h2", "u2", "com"]
    np.testing.assert_allclose(table["h2"] + table["u2"], 1.0)
    assert repr(res).startswith("FactorResult(")
    np.testing.assert_allclose(res.structure, res.loadings.to_numpy() @ res.phi.to_numpy())


def test_oblique_model_reproduces_communalities(fits: dict[str, FactorResult]) -> None:
    res = fits["minres_3_oblimin"]
    f, phi = res.loadings.to_numpy(), res.phi.to_numpy()
    np.testing.assert_allclose(np.diag(f @ phi @ f.T), res.communalities, atol=1e-9)


def test_errors(items: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="more than 3 items"):
        fa(items.iloc[:, :3], 3)
    with pytest.raises(DataError, match="fm must be"):
        fa(items, 1, fm="pa")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="rotate must be"):
        fa(items, 2, rotate="promax")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="nfactors"):
        fa(items, 0)
    flat = items.iloc[:, :4].assign(q02=3)
    with pytest.raises(DataError, match="q02"):
        fa(flat, 1)


def test_listwise_policy(items: pd.DataFrame) -> None:
    res = fa(items.iloc[:, :8], 1, nan_policy="listwise")
    complete = items.iloc[:, :8].dropna()
    r = complete.corr().to_numpy()
    np.testing.assert_allclose(res.correlation.to_numpy(), r, atol=1e-12)


def test_input_not_mutated(items: pd.DataFrame) -> None:
    sub = items.iloc[:, :6].copy()
    before = sub.copy()
    fa(sub, 2)
    pd.testing.assert_frame_equal(sub, before)


def test_exact_one_factor_model_is_recovered() -> None:
    lam = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
    r = np.outer(lam, lam)
    np.fill_diagonal(r, 1.0)
    for fm in ("minres", "ml"):
        res = fa(r, 1, fm=fm, n_obs=500)
        np.testing.assert_allclose(res.loadings.iloc[:, 0], lam, atol=1e-7)
        assert res.rms == pytest.approx(0.0, abs=1e-8)


# --------------------------------------------------------------------------- properties


@st.composite
def loading_matrices(draw: st.DrawFn) -> np.ndarray:
    p = draw(st.integers(6, 10))
    m = draw(st.integers(2, 3))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    lam = rng.uniform(-0.3, 0.8, (p, m))
    scale = np.sqrt(np.maximum((lam**2).sum(axis=1) / 0.85, 1.0))
    return lam / scale[:, None]


@settings(max_examples=25, deadline=None)
@given(loading_matrices())
def test_rotation_leaves_communalities_unchanged(lam: np.ndarray) -> None:
    h2 = (lam**2).sum(axis=1)
    vm = varimax(lam[None])
    np.testing.assert_allclose((vm.loadings[0] ** 2).sum(axis=1), h2, atol=1e-10)
    ob = oblimin(lam[None])
    f, phi = ob.loadings[0], ob.phi[0]
    np.testing.assert_allclose(np.diag(f @ phi @ f.T), h2, atol=1e-10)
    np.testing.assert_allclose(np.diag(phi), 1.0, atol=1e-12)


@settings(max_examples=15, deadline=None)
@given(loading_matrices(), st.sampled_from(["minres", "ml"]))
def test_fa_communalities_do_not_depend_on_rotation(lam: np.ndarray, fm: str) -> None:
    r = lam @ lam.T
    np.fill_diagonal(r, 1.0)
    m = lam.shape[1]
    h2 = {}
    for rotate in ("none", "varimax", "oblimin"):
        res = fa(r, m, fm=fm, rotate=rotate)  # type: ignore[arg-type]
        f = res.loadings.to_numpy()
        phi = np.eye(m) if res.phi is None else res.phi.to_numpy()
        h2[rotate] = np.diag(f @ phi @ f.T)
    np.testing.assert_allclose(h2["varimax"], h2["none"], atol=1e-8)
    np.testing.assert_allclose(h2["oblimin"], h2["none"], atol=1e-8)


def test_extraction_is_batched_per_problem() -> None:
    rng = np.random.default_rng(3)
    mats = []
    for _ in range(4):
        lam = rng.uniform(0.3, 0.8, (8, 2))
        r = lam @ lam.T
        np.fill_diagonal(r, 1.0)
        mats.append(r)
    stack = np.stack(mats)
    together = extract(stack, 2, "minres")
    for b in range(4):
        alone = extract(stack[b : b + 1], 2, "minres")
        np.testing.assert_allclose(together.psi[b], alone.psi[0], atol=1e-12)
