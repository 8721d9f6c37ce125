"""Modification indices under FIML and across groups against lavaan 0.6-14.

Reference: ``tests/fixtures/validation/modindices_golden.R`` (``modindices()`` on
HolzingerSwineford1939 with a third of the cells deleted, ``missing = "fiml"``, and on
the complete data across schools with equal loadings). The golden file also holds the
estimates lavaan computed the score tests at: at those estimates ours agree to 1e-8,
which pins the algorithm; at our own estimates (a gradient below 1e-8 where lavaan's
optimiser stops near 1e-6) they agree within 1e-4.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from efficacy.validation import FitWarning, cfa
from efficacy.validation._modindices import modification_indices, score_tests

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "validation"
GOLDEN = json.loads((HERE / "modindices_golden.json").read_text())
HS = pd.read_csv(HERE / "hs1939.csv")
HS_NA = pd.read_csv(HERE / "hs1939_missing.csv")
MODEL = {
    "visual": ["x1", "x2", "x3"],
    "textual": ["x4", "x5", "x6"],
    "speed": ["x7", "x8", "x9"],
}
COLUMNS = ("mi", "epc", "sepc_all")


def merged(ours: pd.DataFrame, ref: dict, groups: tuple) -> pd.DataFrame:
    """Our table next to lavaan's, every row of each matched in the other."""
    table = pd.DataFrame({k: v for k, v in ref.items() if k != "estimates"})
    key = ["lhs", "op", "rhs"]
    if len(groups) > 1:
        table["group"] = [groups[g - 1] for g in table["group"]]
        key.append("group")
    both = table.merge(ours, on=key, suffixes=("_ref", ""), how="outer", indicator=True)
    assert (both["_merge"] == "both").all(), both[both["_merge"] != "both"][key]
    assert len(ours) == len(table)
    return both


def at_lavaan_estimates(fit, ref: dict) -> pd.DataFrame:
    """Our modification indices computed at lavaan's estimates."""
    est = fit._estimation
    pe = pd.DataFrame(ref["estimates"])
    value = {(r.lhs, r.op, r.rhs, r.group - 1): r.est for r in pe.itertuples()}
    theta = est.ml.theta.copy()
    for par in est.model.params:
        if par.free:
            theta[par.free - 1] = value[(par.lhs, par.op, par.rhs, par.group)]
    assert np.max(np.abs(theta - est.ml.theta)) < 1e-4  # the same optimum
    return modification_indices(replace(est, ml=replace(est.ml, theta=theta)), fit.groups)


@pytest.fixture(scope="module")
def fiml_fits():
    return {
        "fiml_ml": cfa(HS_NA, model=MODEL, missing="fiml"),
        "fiml_mlr": cfa(HS_NA, model=MODEL, missing="fiml", estimator="MLR"),
    }


@pytest.fixture(scope="module")
def group_fits():
    return {
        "fiml_ml_groups": cfa(
            HS_NA,
            model=MODEL,
            missing="fiml",
            group="school",
            group_equal=["loadings", "intercepts"],
        ),
        "ml_groups_metric": cfa(HS, model=MODEL, group="school", group_equal=["loadings"]),
    }


@pytest.mark.parametrize("name", ["fiml_ml", "fiml_mlr"])
def test_fiml_modification_indices_match_lavaan(fiml_fits, name):
    fit = fiml_fits[name]
    ours = fit.modification_indices(top=None)
    both = merged(ours, GOLDEN[name], fit.groups)
    assert len(both) == 54  # 18 cross-loadings, 36 residual covariances
    for column in COLUMNS:
        np.testing.assert_allclose(both[column], both[f"{column}_ref"], atol=1e-4, err_msg=column)


def test_fiml_uses_the_expected_information(fiml_fits):
    # lavaan fits FIML with the observed information, and modindices() still uses the
    # expected one: the golden numbers were computed that way
    assert GOLDEN["fiml_information"][0] == "observed"
    fit = fiml_fits["fiml_ml"]
    ref = GOLDEN["fiml_ml"]
    both = merged(at_lavaan_estimates(fit, ref), ref, fit.groups)
    for column in COLUMNS:
        np.testing.assert_allclose(both[column], both[f"{column}_ref"], atol=1e-8, err_msg=column)


@pytest.mark.parametrize("name", ["fiml_ml_groups", "ml_groups_metric"])
def test_group_modification_indices_match_lavaan(group_fits, name):
    fit = group_fits[name]
    ref = GOLDEN[name]
    both = merged(fit.modification_indices(top=None), ref, fit.groups)
    # with the loadings equal, freeing a marker loading is identified: lavaan tests it
    markers = both[(both["op"] == "=~") & both["rhs"].isin(["x1", "x4", "x7"])]
    markers = markers[[r.rhs in MODEL[r.lhs] for r in markers.itertuples()]]
    assert len(markers) == 6
    for column in COLUMNS:
        np.testing.assert_allclose(
            both[column], both[f"{column}_ref"], rtol=1e-4, atol=1e-4, err_msg=column
        )
    exact = merged(at_lavaan_estimates(fit, ref), ref, fit.groups)
    for column in COLUMNS:
        np.testing.assert_allclose(exact[column], exact[f"{column}_ref"], atol=1e-8, err_msg=column)


def test_untestable_parameters_are_left_out(fiml_fits):
    # one group: freeing a marker loading or a factor mean leaves the model unidentified
    fit = fiml_fits["fiml_ml"]
    table = fit.modification_indices(top=None)
    assert table["mi"].notna().all()
    assert not ((table["op"] == "=~") & (table["rhs"] == "x1") & (table["lhs"] == "visual")).any()
    assert not (table["op"] == "~1").any()


def test_score_tests_by_hand():
    # two parameters, the second tested: V = 4 - 1 * 1 / 2 = 3.5, g = 0.7, N = 10
    info = np.array([[2.0, 1.0], [1.0, 4.0]])
    mi, epc = score_tests(info, np.array([0.0, 0.7]), 1, 10)
    assert mi[0] == pytest.approx(10 * 0.49 / 3.5)
    assert epc[0] == pytest.approx(-0.2)
    # a V below eps^(1/3) cannot be tested
    mi, epc = score_tests(np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([0.0, 0.1]), 1, 10)
    assert np.isnan(mi[0]) and np.isnan(epc[0])


def test_top_sorts_by_mi(fiml_fits):
    fit = fiml_fits["fiml_ml"]
    top = fit.modification_indices(top=3)
    assert len(top) == 3
    assert top["mi"].is_monotonic_decreasing
    assert top.iloc[0][["lhs", "op", "rhs"]].tolist() == ["visual", "=~", "x9"]


@settings(max_examples=40, deadline=None)
@given(
    k=st.integers(1, 4),
    e=st.integers(1, 3),
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(10, 5000),
)
def test_each_score_test_is_the_one_parameter_test(k, e, seed, n):
    # freeing one extra parameter j alone: mi = N g_j^2 [I_j^-1]_jj over the model's
    # parameters and j; the EPC is the Newton step of that parameter
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(k + e, k + e + 2))
    info = a @ a.T / (k + e + 2) + 0.1 * np.eye(k + e)
    grad = np.concatenate([np.zeros(k), rng.normal(size=e)])
    mi, epc = score_tests(info, grad, k, n)
    for j in range(e):
        keep = [*range(k), k + j]
        inv = np.linalg.inv(info[np.ix_(keep, keep)])
        assert mi[j] == pytest.approx(n * grad[k + j] ** 2 * inv[-1, -1], rel=1e-8)
        assert mi[j] >= 0
        assert epc[j] == pytest.approx(-grad[k + j] * inv[-1, -1], rel=1e-8)


def test_a_fit_that_did_not_converge_warns(fiml_fits):
    fit = replace(fiml_fits["fiml_ml"], converged=False)
    with pytest.warns(FitWarning, match="did not converge"):
        fit.modification_indices()
