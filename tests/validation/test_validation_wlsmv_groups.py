"""Multi-group WLSMV fits: modification indices and reliability against lavaan 0.6-14
and semTools 0.5-6.

Reference: ``tests/fixtures/validation/modindices_golden.R`` on ordinal.csv (8 items,
groups ``a`` and ``b``): ``cfa(group = "group", ordered = ...)`` with lavaan's marker
identification, and the four levels of the ordinal invariance ladder (Wu & Estabrook
identification, as ordinal_golden.R writes them). At lavaan's own estimates our score
tests agree within 1e-5 (what is left is lavaan's polychoric optimiser, which stops at
about 1e-8); at ours within 1e-4, relative for the largest (an mi of 149).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from efficacy.validation import ModelError, cfa, invariance
from efficacy.validation._modindices_groups import (
    _extended,
    _implied,
    _jacobian,
    groups_modification_indices,
)
from efficacy.validation._reliability import coefficient_h, composite_reliability

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "validation"
GOLDEN = json.loads((HERE / "modindices_golden.json").read_text())
DATA = pd.read_csv(HERE / "ordinal.csv")
ITEMS = [f"o{i}" for i in range(1, 9)]
MODEL = {"F1": ITEMS[:4], "F2": ITEMS[4:]}
LEVELS = ("configural", "thresholds", "metric", "scalar")
COLUMNS = ("mi", "epc", "sepc_all")


@pytest.fixture(scope="module")
def fits():
    ladder = invariance(DATA, model=MODEL, group="group", estimator="WLSMV")
    out = {level: ladder.fits[level] for level in LEVELS}
    out["cfa"] = cfa(DATA, model=MODEL, group="group", estimator="WLSMV")
    return out


def reference(name: str) -> dict:
    return GOLDEN["wlsmv_groups"] if name == "cfa" else GOLDEN["ladder"][name]["modindices"]


def merged(ours: pd.DataFrame, ref: dict, groups) -> pd.DataFrame:
    table = pd.DataFrame({k: v for k, v in ref.items() if k != "estimates"})
    table["group"] = [groups[g - 1] for g in table["group"]]
    both = table.merge(
        ours, on=["lhs", "op", "rhs", "group"], suffixes=("_ref", ""), how="outer", indicator=True
    )
    assert (both["_merge"] == "both").all(), both[both["_merge"] != "both"]
    return both


@pytest.mark.parametrize("name", ["cfa", *LEVELS])
def test_modification_indices_match_lavaan(fits, name):
    fit = fits[name]
    ref = reference(name)
    both = merged(fit.modification_indices(top=None), ref, fit.groups)
    assert len(both) == {"scalar": 88}.get(name, 72)  # 16 cross-loadings, 56 covariances
    for column in COLUMNS:
        np.testing.assert_allclose(
            both[column], both[f"{column}_ref"], rtol=1e-5, atol=1e-4, err_msg=column
        )
    # at lavaan's estimates
    state = fit._estimation
    pe = pd.DataFrame(ref["estimates"])
    value = {(r.lhs, r.op, r.rhs, r.group - 1): r.est for r in pe.itertuples()}
    theta = state.theta.copy()
    for par in state.model.params:
        if par.free:
            theta[par.free - 1] = value[(par.lhs, par.op, par.rhs, par.group)]
    at_lavaan = groups_modification_indices(replace(state, theta=theta), fit.groups)
    exact = merged(at_lavaan, ref, fit.groups)
    for column in COLUMNS:
        np.testing.assert_allclose(exact[column], exact[f"{column}_ref"], atol=1e-5, err_msg=column)


def test_pairwise_modification_indices_match_lavaan():
    frame = pd.read_csv(HERE / "ordinal_missing.csv")
    fit = cfa(frame, model=MODEL, group="group", estimator="WLSMV", missing="pairwise")
    both = merged(fit.modification_indices(top=None), GOLDEN["wlsmv_groups_pairwise"], fit.groups)
    assert len(both) == 72
    for column in COLUMNS:
        np.testing.assert_allclose(
            both[column], both[f"{column}_ref"], rtol=1e-5, atol=1e-4, err_msg=column
        )


def test_scalar_level_tests_the_intercepts(fits):
    # o4's thresholds were shifted by 0.5 in group b: its intercept is the largest mi,
    # and a group-b EPC is standardized by the item's scale there
    top = fits["scalar"].modification_indices(top=2)
    assert set(top["rhs"]) == {""} and set(top["lhs"]) == {"o4"}
    assert top["mi"].iloc[0] > 100
    b = top[top["group"] == "b"].iloc[0]
    scale = fits["scalar"].parameters.query("lhs == 'o4' and op == '~*~' and group == 'b'")
    assert b["sepc_all"] == pytest.approx(b["epc"] * scale["est"].iloc[0])


def test_a_fit_without_its_estimation_is_refused(fits):
    fit = fits["metric"]
    bare = replace(fit, _estimation=None)
    with pytest.raises(ModelError, match="modification indices of this multi-group WLSMV"):
        bare.modification_indices()
    with pytest.raises(ModelError, match="reliability of this multi-group WLSMV"):
        _ = bare.reliability


@pytest.mark.parametrize("name", ["cfa", *LEVELS])
def test_reliability_matches_semtools(fits, name):
    fit = fits[name]
    ref = (
        GOLDEN["wlsmv_groups_reliability"]
        if name == "cfa"
        else GOLDEN["ladder"][name]["reliability"]
    )
    rel = fit.reliability.set_index(["group", "factor"])
    assert list(rel.index) == [(g, f) for g in ("a", "b") for f in MODEL]
    for key, column in (
        ("omega_ordinal", "omega_ordinal"),
        ("omega_latent", "omega"),
        ("ave", "ave"),
    ):
        for row in ref[key]:
            for factor in MODEL:
                assert rel.loc[(row["group"], factor), column] == pytest.approx(
                    row[factor], abs=1e-5
                ), (key, row["group"], factor)


def test_reliability_from_the_standardized_loadings(fits):
    fit = fits["metric"]
    rel = fit.reliability.set_index(["group", "factor"])
    params, loadings = fit.parameters, fit.loadings
    for (group, name), row in rel.iterrows():
        mine = (loadings["group"] == group) & (loadings["factor"] == name)
        std = loadings.loc[mine, "std_all"].to_numpy()
        assert row["n_items"] == 4
        # AVE: sum(lambda^2) psi over the latent responses' variances 1 / D^2
        in_group = params["group"] == group
        lam = params[in_group & (params["op"] == "=~") & (params["lhs"] == name)]
        psi = params[in_group & (params["op"] == "~~") & (params["lhs"] == name)]
        psi = psi[psi["rhs"] == name]["est"].iloc[0]
        scale = params[in_group & (params["op"] == "~*~")].set_index("lhs")["est"]
        expected = np.sum(lam["est"] ** 2) * psi / np.sum(1 / scale[lam["rhs"]] ** 2)
        assert row["ave"] == pytest.approx(expected, abs=1e-10)
        if group == "a":  # scales of 1: the mean squared standardized loading
            assert row["ave"] == pytest.approx(np.mean(std**2), abs=1e-10)
        # H = A / (1 + A), A = sum l^2 / (1 - l^2); CR = (sum l)^2 / ((sum l)^2 + sum(1 - l^2))
        a = np.sum(std**2 / (1 - std**2))
        assert row["coefficient_h"] == pytest.approx(a / (1 + a), abs=1e-10)
        assert coefficient_h(std) == pytest.approx(row["coefficient_h"])
        s = std.sum() ** 2
        assert row["composite_reliability"] == pytest.approx(
            s / (s + np.sum(1 - std**2)), abs=1e-10
        )
        assert composite_reliability(std) == pytest.approx(row["composite_reliability"])


def test_jacobian_equals_central_differences(fits):
    # every kind of parameter (freed scales, intercepts, means, added residual
    # covariances) at a point away from the estimates
    state = fits["scalar"]._estimation
    table, extra = _extended(state.model)
    rng = np.random.default_rng(1)
    theta = np.concatenate([state.theta, [p.value for p in extra]])
    theta = theta + rng.normal(scale=0.05, size=theta.size)
    for g in range(2):
        pairs = state.stats[g].pairs
        numeric = np.zeros((len(state.stats[g].s), theta.size))
        for j in range(theta.size):
            up, down = theta.copy(), theta.copy()
            up[j] += 1e-6
            down[j] -= 1e-6
            numeric[:, j] = (_implied(table, up, g, pairs) - _implied(table, down, g, pairs)) / 2e-6
        np.testing.assert_allclose(_jacobian(table, theta, g, pairs), numeric, atol=1e-8)
