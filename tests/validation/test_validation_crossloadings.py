"""Cross-loadings and residual covariances against lavaan 0.6-14 (and semTools 0.5-6).

Reference: ``tests/fixtures/validation/crossload_golden.R``. HolzingerSwineford1939 with
the 3-factor model plus ``visual =~ x9`` (x9 then loads on visual and speed) and
``x2 ~~ x3``: ML, ``std_lv``, MLR, FIML (ML and MLR, lavaan's EM run to convergence),
the configural-to-strict ladder by school (ML and MLR), modification indices (one group;
by school with equal loadings) and ``compRelSEM``/``AVE``; ordinal.csv under WLSMV with
``F1 =~ o5`` and ``o1 ~~ o2``.

Tolerances as the other golden tests: fit measures 1e-6 (chi-square scale 1e-6
relative; WLSMV 1e-4), parameters 1e-5 for one group and 5e-5 for two, modification
indices 1e-4 relative, reliability 1e-6.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from efficacy.validation import ModelError, cfa, invariance

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "validation"
GOLDEN = json.loads((HERE / "crossload_golden.json").read_text())
HS = pd.read_csv(HERE / "hs1939.csv").drop(columns="id")
HS_NA = pd.read_csv(HERE / "hs1939_missing.csv").drop(columns="id")
ORDINAL = pd.read_csv(HERE / "ordinal.csv")
MODEL = {
    "visual": ["x1", "x2", "x3", "x9"],
    "textual": ["x4", "x5", "x6"],
    "speed": ["x7", "x8", "x9"],
}
PAIRS = [("x2", "x3")]
ITEMS = [f"o{i}" for i in range(1, 9)]
ORDINAL_MODEL = {"F1": ITEMS[:5], "F2": ITEMS[4:]}
CHISQ_SCALE = ("chisq", "baseline_chisq", "logl", "unrestricted_logl", "aic", "bic", "bic2")


def compare_fit(ours: pd.Series, ref: dict, tol: float = 1e-6, minimum: int = 30) -> None:
    compared = 0
    for key, value in ref.items():
        name = key.replace(".", "_")
        if name not in ours.index:
            continue
        if value is None:
            assert math.isnan(ours[name]), name
            continue
        rel = tol if any(name.startswith(k) for k in CHISQ_SCALE) else 0
        # the robust measures of the groups' WLSMV fits agree to 1e-3, as in
        # test_validation_wlsmv_groups
        abs_tol = 10 * tol if minimum < 30 and "robust" in name else tol
        assert ours[name] == pytest.approx(value, rel=rel, abs=abs_tol), name
        compared += 1
    assert compared >= minimum


def with_group_numbers(table: pd.DataFrame, labels) -> pd.DataFrame:
    table = table.copy()
    if "group" in table:
        table["group"] = table["group"].map({lab: i + 1 for i, lab in enumerate(labels)})
    else:
        table["group"] = 1
    return table


def compare_parameters(ours: pd.DataFrame, ref: dict, tol: float, labels=()) -> None:
    expected = pd.DataFrame(ref)
    table = with_group_numbers(ours, labels)
    merged = expected.merge(table, on=["lhs", "op", "rhs", "group"], suffixes=("_ref", ""))
    assert len(merged) == len(expected) == len(table)
    for column in ("est", "se", "std_lv", "std_all"):
        np.testing.assert_allclose(
            merged[column], merged[f"{column}_ref"], atol=tol, err_msg=column
        )


def compare_modindices(ours: pd.DataFrame, ref: dict, labels=()) -> None:
    expected = pd.DataFrame(ref)
    table = with_group_numbers(ours, labels)
    merged = expected.merge(table, on=["lhs", "op", "rhs", "group"], suffixes=("_ref", ""))
    assert len(merged) == len(expected) == len(table)
    for column in ("mi", "epc", "sepc_all"):
        np.testing.assert_allclose(
            merged[column], merged[f"{column}_ref"], rtol=1e-4, atol=1e-4, err_msg=column
        )


@pytest.mark.parametrize(
    ("key", "data", "kwargs"),
    [
        ("ml", HS, {}),
        ("ml_std_lv", HS, {"std_lv": True}),
        ("mlr", HS, {"estimator": "MLR"}),
        ("ml_fiml", HS_NA, {"missing": "fiml"}),
        ("mlr_fiml", HS_NA, {"missing": "fiml", "estimator": "MLR"}),
    ],
)
def test_one_group_matches_lavaan(key, data, kwargs):
    fit = cfa(data, model=MODEL, residual_covariances=PAIRS, **kwargs)
    assert fit.converged and fit.ok
    compare_fit(fit.fit_measures, GOLDEN[key]["fit_measures"])
    compare_parameters(fit.parameters, GOLDEN[key]["parameters"], 1e-5)


def test_parameter_table_names_and_markers():
    table = cfa(HS, model=MODEL, residual_covariances=PAIRS).parameters
    rows = table.set_index(["lhs", "op", "rhs"])
    # x9 is free on visual (not its first item) and speed's own free loading
    assert rows.loc[("visual", "=~", "x9"), "free"]
    assert rows.loc[("speed", "=~", "x9"), "free"]
    assert not rows.loc[("speed", "=~", "x7"), "free"]
    assert rows.loc[("speed", "=~", "x7"), "est"] == 1.0
    assert rows.loc[("x2", "~~", "x3"), "free"]
    # 9 items, one row each for x9's variance and intercept-free residuals
    assert (table["op"] == "=~").sum() == 10
    assert (table["lhs"] + table["op"] + table["rhs"] == "x9~~x9").sum() == 1
    # df: 45 moments - (6 free loadings + the cross-loading + 9 residual variances +
    # 1 residual covariance + 3 factor variances + 3 factor covariances) = 45 - 23
    fit = cfa(HS, model=MODEL, residual_covariances=[("x3", "x2")])
    assert int(fit.fit_measures["df"]) == 45 - 23
    # the pair's order is the name, not the model
    assert ("x3", "~~", "x2") in set(
        zip(fit.parameters.lhs, fit.parameters.op, fit.parameters.rhs, strict=True)
    )
    assert fit.fit_measures["chisq"] == pytest.approx(
        GOLDEN["ml"]["fit_measures"]["chisq"], rel=1e-6
    )
    text = str(fit.summary())
    assert "residual covariances  x3~~x2" in text
    assert "visual: x1, x2, x3, x9" in text


@settings(max_examples=8, deadline=None)
@given(
    st.sampled_from(
        [(a, b) for a in range(1, 10) for b in range(a + 1, 10) if (a - 1) // 3 != (b - 1) // 3]
    )
)
def test_a_residual_covariance_frees_one_df_and_never_worsens_the_fit(pair):
    # pairs of items on different factors (within a 3-item factor HS shows Heywood cases)
    simple = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": MODEL["speed"]}
    a, b = (f"x{k}" for k in pair)
    base = cfa(HS, model=simple)
    freed = cfa(HS, model=simple, residual_covariances=[(a, b)])
    swapped = cfa(HS, model=simple, residual_covariances=[(b, a)])
    assert int(freed.fit_measures["df"]) == int(base.fit_measures["df"]) - 1
    assert freed.fit_measures["chisq"] <= base.fit_measures["chisq"] + 1e-8
    # the order of the pair names the parameter and changes nothing else
    assert swapped.fit_measures["chisq"] == pytest.approx(freed.fit_measures["chisq"], abs=1e-9)
    # the score test predicts the gain: mi is the one-step chi-square drop
    mi = base.modification_indices(top=None)
    hit = mi[(mi["op"] == "~~") & (mi[["lhs", "rhs"]].apply(set, axis=1) == {a, b})]
    assert len(hit) == 1
    assert base.fit_measures["chisq"] - freed.fit_measures["chisq"] > 0.5 * hit["mi"].iloc[0] - 1


@pytest.fixture(scope="module", params=["ML", "MLR"])
def ladder(request):
    inv = invariance(
        HS, model=MODEL, group="school", estimator=request.param, residual_covariances=PAIRS
    )
    return request.param, inv


def test_ladder_matches_lavaan(ladder):
    estimator, inv = ladder
    ref = GOLDEN[f"invariance_{estimator.lower()}"]
    labels = list(inv.groups)
    for level in ("configural", "metric", "scalar", "strict"):
        fit = inv.fits[level]
        # lavaan's two-group optimiser stops early (see test_validation_hs): 1e-5 there
        compare_fit(fit.fit_measures, ref["fits"][level]["fit_measures"], 1e-5)
        compare_parameters(fit.parameters, ref["fits"][level]["parameters"], 5e-5, labels)
    for level, lrt in ref["lrt"].items():
        row = inv.table.loc[level]
        assert row["df_diff"] == lrt["df_diff"]
        assert row["chisq_diff"] == pytest.approx(lrt["chisq_diff"], rel=1e-5, abs=1e-4)


def test_ladder_equalities_follow_lavaan(ladder):
    _, inv = ladder
    table = inv.fits["strict"].parameters.set_index(["lhs", "op", "rhs", "group"])
    a, b = inv.groups
    # a cross-loading is a loading: equal from metric on
    cross = table.xs(("visual", "=~", "x9"), level=[0, 1, 2])["est"]
    assert cross[a] == pytest.approx(cross[b], abs=1e-12)
    # group.equal "residuals" holds residual variances, not residual covariances
    var = table.xs(("x2", "~~", "x2"), level=[0, 1, 2])["est"]
    cov = table.xs(("x2", "~~", "x3"), level=[0, 1, 2])["est"]
    assert var[a] == pytest.approx(var[b], abs=1e-12)
    assert abs(cov[a] - cov[b]) > 1e-3


def test_modification_indices_match_lavaan():
    fit = cfa(HS, model=MODEL, residual_covariances=PAIRS)
    mi = fit.modification_indices(top=None)
    compare_modindices(mi, GOLDEN["modindices"])
    named = set(zip(mi.lhs, mi.op, mi.rhs, strict=True))
    # parameters already free are not proposed again
    assert ("visual", "=~", "x9") not in named
    assert ("x2", "~~", "x3") not in named and ("x3", "~~", "x2") not in named
    metric = cfa(
        HS, model=MODEL, residual_covariances=PAIRS, group="school", group_equal=["loadings"]
    )
    compare_modindices(
        metric.modification_indices(top=None), GOLDEN["modindices_metric"], metric.groups
    )


def test_reliability_matches_semtools():
    rel = cfa(HS, model=MODEL, residual_covariances=PAIRS).reliability.set_index("factor")
    ref = GOLDEN["reliability"]
    for factor, omega in ref["omega"].items():
        assert rel.loc[factor, "omega"] == pytest.approx(omega, abs=1e-6)
    for factor, ave in ref["ave"].items():
        if ave is None:  # semTools: no AVE for a factor with a cross-loaded item
            assert math.isnan(rel.loc[factor, "ave"])
            assert math.isnan(rel.loc[factor, "coefficient_h"])
        else:
            assert rel.loc[factor, "ave"] == pytest.approx(ave, abs=1e-6)
    assert rel.loc["visual", "n_items"] == 4
    # omega by hand: visual's loadings and variance over the observed total of its items
    fit = cfa(HS, model=MODEL, residual_covariances=PAIRS)
    p = fit.parameters.set_index(["lhs", "op", "rhs"])["est"]
    lam = np.array([p[("visual", "=~", f"x{i}")] for i in (1, 2, 3, 9)])
    s = np.cov(HS[["x1", "x2", "x3", "x9"]].to_numpy().T, bias=True)
    by_hand = lam.sum() ** 2 * p[("visual", "~~", "visual")] / s.sum()
    assert rel.loc["visual", "omega"] == pytest.approx(by_hand, rel=1e-12)


def test_wlsmv_matches_lavaan():
    fit = cfa(
        ORDINAL[ITEMS], model=ORDINAL_MODEL, estimator="WLSMV", residual_covariances=[("o1", "o2")]
    )
    assert fit.converged and fit.ok
    ref = GOLDEN["wlsmv"]
    compare_fit(fit.fit_measures, ref["fit_measures"], 1e-4)
    expected = pd.DataFrame(ref["parameters"])
    merged = expected.merge(fit.parameters, on=["lhs", "op", "rhs"], suffixes=("_ref", ""))
    assert len(merged) == len(fit.parameters)
    assert {"F1=~o5", "o1~~o2"} <= set(merged.lhs + merged.op + merged.rhs)
    for column in ("est", "se", "std_all"):
        np.testing.assert_allclose(merged[column], merged[f"{column}_ref"], atol=1e-6)
    mi = fit.modification_indices(top=None)
    compare_modindices(mi, GOLDEN["wlsmv_modindices"])
    assert not ((mi.lhs == "o1") & (mi.op == "~~") & (mi.rhs == "o2")).any()
    rel = fit.reliability.set_index("factor")
    for factor in ("F1", "F2"):
        omega = GOLDEN["wlsmv_reliability"]["omega"][factor]
        ordinal = GOLDEN["wlsmv_reliability"]["omega_ordinal"][factor]
        assert rel.loc[factor, "omega"] == pytest.approx(omega, abs=1e-6)
        assert rel.loc[factor, "omega_ordinal"] == pytest.approx(ordinal, abs=1e-6)


def compare_groups(fit, ref: dict) -> None:
    compare_fit(fit.fit_measures, ref["fit_measures"], 1e-4, minimum=20)
    expected = pd.DataFrame(ref["parameters"])
    table = with_group_numbers(fit.parameters, fit.groups)
    merged = expected.merge(table, on=["lhs", "op", "rhs", "group"], suffixes=("_ref", ""))
    assert len(merged) == len(table)
    for column in ("est", "se"):
        np.testing.assert_allclose(merged[column], merged[f"{column}_ref"], atol=1e-5)


def test_wlsmv_groups_match_lavaan():
    kwargs = {"model": ORDINAL_MODEL, "estimator": "WLSMV", "group": "group"}
    pairs = [("o1", "o2")]
    compare_groups(
        cfa(ORDINAL, residual_covariances=pairs, **kwargs), GOLDEN["wlsmv_groups_default"]
    )
    inv = invariance(ORDINAL, residual_covariances=pairs, **kwargs)
    for level, fit in inv.fits.items():
        compare_groups(fit, GOLDEN["wlsmv_ladder"][level])
        rows = fit.parameters.set_index(["lhs", "op", "rhs", "group"])
        assert rows.loc[("o1", "~~", "o2", "b"), "free"]
    for level, lrt in GOLDEN["wlsmv_ladder_lrt"].items():
        row = inv.table.loc[level]
        assert row["df_diff"] == lrt["df_diff"]
        assert row["chisq_diff"] == pytest.approx(lrt["chisq_diff"], rel=1e-5, abs=1e-5)
    mi = inv.fits["metric"].modification_indices(top=None)
    compare_modindices(mi, GOLDEN["wlsmv_ladder_modindices"], inv.groups)
    assert not ((mi.lhs == "o1") & (mi.op == "~~") & (mi.rhs == "o2")).any()
    assert not ((mi.lhs == "F1") & (mi.op == "=~") & (mi.rhs == "o5")).any()
    # the cross-loading is a loading: equal across groups from metric on
    loads = inv.fits["metric"].parameters.query("lhs == 'F1' and rhs == 'o5'")["est"]
    assert loads.iloc[0] == pytest.approx(loads.iloc[1], abs=1e-12)


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        ([("x2", "y9")], r"'y9' is not an item of the model"),
        ([("x2", "x2")], r"'x2' ~~ 'x2' pairs an item with itself"),
        ([("x2", "x3"), ("x3", "x2")], r"'x3' ~~ 'x2' is listed twice"),
        ([("x2", "x3", "x4")], r"is not a pair of items"),
        ("x2~~x3", r"list of item pairs"),
    ],
)
def test_bad_residual_covariances_are_refused(pairs, message):
    with pytest.raises(ModelError, match=message):
        cfa(HS, model=MODEL, residual_covariances=pairs)


def test_item_twice_on_one_factor_is_refused():
    with pytest.raises(ModelError, match=r"factor 'visual' lists item\(s\) \['x1'\] more"):
        cfa(HS, model={**MODEL, "visual": ["x1", "x2", "x1"]})


def test_instrument_item_ids():
    rng = np.random.default_rng(5)
    trait = rng.normal(size=400)
    raw = pd.DataFrame(
        {
            f"gse{i}": np.clip(np.rint(2.5 + 0.8 * trait + rng.normal(size=400)), 1, 4)
            for i in range(1, 11)
        }
    )
    plain = cfa(raw, "gse")
    fit = cfa(raw, "gse", residual_covariances=[("gse1", "gse2")])
    assert int(fit.fit_measures["df"]) == int(plain.fit_measures["df"]) - 1
    assert fit.fit_measures["chisq"] <= plain.fit_measures["chisq"]
    with pytest.raises(ModelError, match=r"'x1' is not an item of the model"):
        cfa(raw, "gse", residual_covariances=[("x1", "gse2")])


def test_multi_group_wlsmv_standardizes_a_residual_covariance_as_lavaan():
    # tests/fixtures/validation/residual_std_golden.R: lavaan's standardizedSolution
    import json
    import warnings
    from pathlib import Path

    import pandas as pd

    from efficacy.validation import cfa

    here = Path(__file__).resolve().parents[1] / "fixtures" / "validation"
    ref = json.loads((here / "residual_std_golden.json").read_text())
    data = pd.read_csv(here / "categories.csv")
    model = {"F1": ["c1", "c2", "c3", "c4"], "F2": ["c5", "c6", "c7", "c8"]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = cfa(
            data,
            model=model,
            group="group",
            estimator="WLSMV",
            std_lv=True,
            residual_covariances=[("c2", "c3")],
        )
    rows = fit.parameters.query("lhs == 'c2' and op == '~~' and rhs == 'c3'")
    assert list(rows["group"]) == ref["groups"]
    np.testing.assert_allclose(rows["est"], ref["est"], atol=1e-5)
    np.testing.assert_allclose(rows["std_all"], ref["std_all"], atol=1e-5)
