"""Invariants of the CFA engine (Hypothesis) and checks written out by hand."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import efficacy as ef
from efficacy.validation import _fitindex as fx
from efficacy.validation import cfa, factors_from_instrument


def simulate(n=400, seed=0, loadings=((0.8, 0.7, 0.6), (0.9, 0.6, 0.7)), r=0.4):
    rng = np.random.default_rng(seed)
    k = len(loadings)
    phi = np.full((k, k), r) + (1 - r) * np.eye(k)
    f = rng.multivariate_normal(np.zeros(k), phi, size=n)
    columns = {}
    for j, lam in enumerate(loadings):
        for i, value in enumerate(lam):
            columns[f"f{j}i{i}"] = value * f[:, j] + rng.normal(scale=0.6, size=n)
    return pd.DataFrame(columns)


DATA = simulate()
MODEL = {"A": ["f0i0", "f0i1", "f0i2"], "B": ["f1i0", "f1i1", "f1i2"]}
INDICES = (
    "chisq",
    "df",
    "cfi",
    "tli",
    "rmsea",
    "rmsea_ci_lower",
    "rmsea_ci_upper",
    "srmr",
    "aic",
    "bic",
    "baseline_chisq",
)


@settings(max_examples=15, deadline=None)
@given(
    st.permutations(MODEL["A"]),
    st.permutations(MODEL["B"]),
    st.permutations(list(DATA.columns)),
    st.booleans(),
)
def test_fit_indices_do_not_depend_on_item_order(order_a, order_b, columns, swap):
    base = cfa(DATA, model=MODEL).fit_measures
    model = {"B": order_b, "A": order_a} if swap else {"A": order_a, "B": order_b}
    other = cfa(DATA[columns], model=model).fit_measures
    for key in INDICES:
        assert other[key] == pytest.approx(base[key], rel=1e-8, abs=1e-9), key


@settings(max_examples=10, deadline=None)
@given(st.floats(0.1, 50), st.floats(-100, 100), st.sampled_from(["ML", "MLR"]))
def test_fit_indices_do_not_depend_on_item_units(scale, shift, estimator):
    base = cfa(DATA, model=MODEL, estimator=estimator).fit_measures
    moved = DATA.copy()
    moved["f0i1"] = moved["f0i1"] * scale + shift
    other = cfa(moved, model=MODEL, estimator=estimator).fit_measures
    same = [k for k in INDICES if k not in ("aic", "bic")]
    for key in (*same, *(("cfi_robust", "chisq_scaled") if estimator == "MLR" else ())):
        assert other[key] == pytest.approx(base[key], rel=1e-7, abs=1e-8), key
    # the log-likelihood carries the Jacobian of the change of units: n log(scale)
    assert other["aic"] - base["aic"] == pytest.approx(2 * 400 * math.log(scale), abs=1e-6)


@pytest.mark.parametrize("estimator", ["ML", "MLR"])
def test_saturated_model_has_chisq_zero(estimator):
    fit = cfa(DATA, model={"A": ["f0i0", "f0i1", "f0i2"]}, estimator=estimator)
    fm = fit.fit_measures
    assert fm["df"] == 0 and abs(fm["chisq"]) < 1e-9
    assert fm["cfi"] == 1.0 and fm["tli"] == 1.0 and fm["rmsea"] == 0.0
    assert fm["srmr"] < 1e-6
    assert math.isnan(fm["pvalue"])


def test_baseline_model_indices_as_lavaan():
    # the baseline model compared with itself: CFI = TLI = NFI = 0 (lavaan's formulas)
    assert fx.cfi(918.85, 36, 918.85, 36) == 0.0
    assert fx.tli(918.85, 36, 918.85, 36) == 0.0
    assert fx.nfi(918.85, 36, 918.85, 36) == 0.0
    # a model fitting better than its df: CFI truncated at 1, TLI not (lavaan)
    assert fx.cfi(10.0, 24, 918.85, 36) == 1.0
    assert fx.tli(10.0, 24, 918.85, 36) == pytest.approx(1 - (10 - 24) * 36 / ((918.85 - 36) * 24))
    assert fx.tli(10.0, 24, 918.85, 36) > 1.0


def test_cfi_tli_by_hand_from_the_fit():
    fm = cfa(DATA, model=MODEL).fit_measures
    x2, df, x2n, dfn = fm["chisq"], fm["df"], fm["baseline_chisq"], fm["baseline_df"]
    assert dfn == 15  # 6 items: 21 moments - 6 variances
    assert fm["cfi"] == pytest.approx(1 - max(x2 - df, 0) / max(x2 - df, x2n - dfn, 0))
    assert fm["tli"] == pytest.approx(1 - (x2 - df) * dfn / ((x2n - dfn) * df))
    # logl, AIC, BIC from the chi-square and the unrestricted log-likelihood
    assert fm["logl"] == pytest.approx(fm["unrestricted_logl"] - x2 / 2)
    assert fm["aic"] == pytest.approx(-2 * fm["logl"] + 2 * fm["npar"])
    assert fm["bic"] == pytest.approx(-2 * fm["logl"] + fm["npar"] * math.log(400))


def test_mlr_scaled_and_robust_relations():
    fm = cfa(DATA, model=MODEL, estimator="MLR").fit_measures
    c = fm["chisq_scaling_factor"]
    assert fm["chisq_scaled"] == pytest.approx(fm["chisq"] / c)
    assert fm["rmsea_robust"] == pytest.approx(
        math.sqrt(max(fm["chisq"] / 400 / fm["df"] - c / 400, 0))
    )
    # same estimates as ML
    ml = cfa(DATA, model=MODEL)
    np.testing.assert_allclose(
        cfa(DATA, model=MODEL, estimator="MLR").parameters["est"], ml.parameters["est"]
    )


def test_std_lv_is_an_equivalent_model():
    marker = cfa(DATA, model=MODEL)
    unit = cfa(DATA, model=MODEL, std_lv=True)
    for key in INDICES:
        assert unit.fit_measures[key] == pytest.approx(marker.fit_measures[key], rel=1e-7)
    np.testing.assert_allclose(unit.loadings["std_all"], marker.loadings["std_all"], atol=1e-6)
    variances = unit.parameters.query("op == '~~' and lhs == rhs and lhs in ['A', 'B']")
    assert (variances["est"] == 1.0).all() and not variances["free"].any()


def test_instrument_subscales_are_the_factors_and_totals_are_not():
    tses = ef.load("tses")
    factors = factors_from_instrument(tses)
    assert list(factors) == ["engagement", "instruction", "management"]
    assert sum(len(v) for v in factors.values()) == 24
    assert list(factors_from_instrument(ef.load("gse"))) == ["gse"]


def rses_data(n=500, seed=2):
    rng = np.random.default_rng(seed)
    inst = ef.load("rses")
    trait = rng.normal(size=n)
    frame = {}
    for item in inst.items:
        value = np.clip(np.rint(1.5 + 0.8 * trait + rng.normal(scale=0.8, size=n)), 0, 3)
        frame[item.id] = 3 - value if item.reversed else value
    return pd.DataFrame(frame)


def test_reverse_keyed_items_are_reversed_and_change_no_fit_index():
    data = rses_data()
    fit = cfa(data, "rses")
    raw = cfa(data, model={"rses": list(data.columns)})
    for key in INDICES:
        assert fit.fit_measures[key] == pytest.approx(raw.fit_measures[key], rel=1e-7), key
    loadings = fit.loadings.set_index("item")
    raw_loadings = raw.loadings.set_index("item")
    reversed_items = list(ef.load("rses").reverse_items)
    assert loadings["reversed"].to_dict() == {i: i in reversed_items for i in loadings.index}
    # marker rses1 is not reversed: reversed items load positively after reversal
    assert (loadings.loc[reversed_items, "std_all"] > 0).all()
    np.testing.assert_allclose(
        loadings.loc[reversed_items, "std_all"],
        -raw_loadings.loc[reversed_items, "std_all"],
        atol=1e-6,
    )
    assert fit.parameters["reversed"].any()


def test_result_views():
    fit = cfa(DATA, model=MODEL, estimator="MLR")
    text = str(fit.summary())
    assert "cfi_robust" in text and "Loadings" in text and "MLR" in text
    assert repr(fit).startswith("CFAResult(estimator='MLR', converged=True")
    assert "<table" in fit._repr_html_()
    frame = fit.to_frame()
    assert list(frame.columns[:4]) == ["lhs", "op", "rhs", "free"]
    assert list(fit.loadings.columns) == ["factor", "item", "est", "se", "z", "pvalue", "std_all"]
    before = DATA.copy()
    cfa(DATA, model=MODEL)
    pd.testing.assert_frame_equal(DATA, before)  # the caller's data are not modified


def test_listwise_rows_dropped_are_reported():
    data = DATA.copy()
    data.iloc[[3, 7, 11], 0] = np.nan
    fit = cfa(data, model=MODEL)
    assert (fit.n_obs, fit.n_dropped) == (397, 3)
    assert "dropped for missing items: 3" in str(fit.summary())


def test_same_input_same_output():
    a = cfa(DATA, model=MODEL, estimator="MLR")
    b = cfa(DATA, model=MODEL, estimator="MLR")
    pd.testing.assert_series_equal(a.fit_measures, b.fit_measures)


def test_no_warning_for_a_clean_fit():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cfa(DATA, model=MODEL)


def test_configural_chisq_is_the_sum_of_the_group_fits():
    from efficacy.validation import invariance

    data = DATA.assign(grp=np.where(np.arange(len(DATA)) % 3 == 0, "x", "y"))
    inv = invariance(data, model=MODEL, group="grp", levels=("configural", "metric"))
    parts = [cfa(data[data["grp"] == g], model=MODEL).fit_measures["chisq"] for g in "xy"]
    assert inv.table.loc["configural", "chisq"] == pytest.approx(sum(parts), rel=1e-9)
    # nested: the metric model cannot fit better; 4 loadings constrained
    assert inv.table.loc["metric", "chisq"] >= inv.table.loc["configural", "chisq"]
    assert inv.table.loc["metric", "df_diff"] == 4
