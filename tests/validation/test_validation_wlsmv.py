"""WLSMV (ordinal items) against lavaan 0.6-14.

Reference: ``tests/fixtures/validation/ordinal_golden.R`` simulates 8 five-category items
from a stated 2-factor model (1,200 rows, written to ordinal.csv) and fits it with
``estimator = "WLSMV"``. The sample statistics (thresholds, polychorics, Gamma) are
compared directly; the scaled and robust measures within 1e-4 (lavaan's polychoric
optimiser stops at about 1e-8 on rho, which moves the chi-squares in the 6th digit).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from efficacy.errors import DataError
from efficacy.validation import ModelError, cfa
from efficacy.validation._ordinal import ordinal_stats

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "validation"
GOLDEN = json.loads((HERE / "ordinal_golden.json").read_text())
DATA = pd.read_csv(HERE / "ordinal.csv")
ITEMS = [f"o{i}" for i in range(1, 9)]
MODEL = {"F1": ITEMS[:4], "F2": ITEMS[4:]}
COMPUTED = (
    "npar",
    "fmin",
    "chisq",
    "df",
    "pvalue",
    "chisq_scaled",
    "df_scaled",
    "pvalue_scaled",
    "chisq_scaling_factor",
    "baseline_chisq",
    "baseline_df",
    "baseline_pvalue",
    "baseline_chisq_scaled",
    "baseline_df_scaled",
    "baseline_pvalue_scaled",
    "baseline_chisq_scaling_factor",
    "cfi",
    "tli",
    "cfi_scaled",
    "tli_scaled",
    "nnfi",
    "rfi",
    "nfi",
    "pnfi",
    "ifi",
    "rni",
    "nnfi_scaled",
    "rfi_scaled",
    "nfi_scaled",
    "pnfi_scaled",
    "ifi_scaled",
    "rni_scaled",
    "rmsea",
    "rmsea_ci_lower",
    "rmsea_ci_upper",
    "rmsea_pvalue",
    "rmsea_notclose_pvalue",
    "rmsea_scaled",
    "rmsea_ci_lower_scaled",
    "rmsea_ci_upper_scaled",
    "rmsea_pvalue_scaled",
    "rmsea_notclose_pvalue_scaled",
    "srmr",
    "srmr_bentler_nomean",
    "crmr_nomean",
    "cfi_robust",
    "tli_robust",
    "nnfi_robust",
    "rni_robust",
    "rmsea_robust",
    "rmsea_ci_lower_robust",
    "rmsea_ci_upper_robust",
    "rmsea_pvalue_robust",
    "rmsea_notclose_pvalue_robust",
)


def test_sample_statistics_and_gamma_match_lavaan():
    st = ordinal_stats(DATA[ITEMS].to_numpy() - 1, ITEMS)
    ref = GOLDEN["sample"]
    np.testing.assert_allclose(st.s, ref["wls_obs"], atol=1e-7)
    np.testing.assert_allclose(np.diag(st.gamma), ref["gamma_diag"], rtol=1e-6)
    np.testing.assert_allclose(st.gamma[0], ref["gamma_row1"], atol=1e-6)
    np.testing.assert_allclose(st.gamma[-1], ref["gamma_last"], atol=1e-6)
    # thresholds by hand: normal quantiles of the cumulative proportions
    from scipy.stats import norm

    counts = DATA["o1"].value_counts().sort_index().to_numpy()
    np.testing.assert_allclose(st.thresholds[0], norm.ppf(np.cumsum(counts)[:-1] / 1200))


@pytest.mark.parametrize(("key", "std_lv"), [("single", False), ("single_std_lv", True)])
def test_wlsmv_matches_lavaan(key, std_lv):
    fit = cfa(DATA, model=MODEL, estimator="WLSMV", std_lv=std_lv)
    assert fit.converged and fit.ok
    ref = GOLDEN[key]
    for name in COMPUTED:
        value = ref["fit_measures"][
            name.replace("_", ".") if "srmr" not in name and "crmr" not in name else name
        ]
        assert fit.fit_measures[name] == pytest.approx(value, rel=1e-5, abs=1e-4), name
    expected = pd.DataFrame(ref["parameters"])
    merged = expected.merge(fit.parameters, on=["lhs", "op", "rhs"], suffixes=("_ref", ""))
    assert len(merged) == len(fit.parameters) == 51  # lavaan's ~1 and ~*~ rows: fixed
    for column in ("est", "se", "std_all"):
        np.testing.assert_allclose(
            merged[column], merged[f"{column}_ref"], atol=1e-6, err_msg=column
        )


def test_wlsmv_errors_name_items():
    frame = DATA.copy()
    frame["o3"] = 2
    with pytest.raises(DataError, match=r"\[.o3.\] have no variance"):
        cfa(frame, model=MODEL, estimator="WLSMV")
    frame = DATA.copy().astype({"o2": float})
    frame.loc[3, "o2"] = 2.5
    with pytest.raises(DataError, match=r"integer category codes; items \['o2'\]"):
        cfa(frame, model=MODEL, estimator="WLSMV")
    with pytest.raises(ModelError, match="configural WLSMV model across groups"):
        cfa(DATA, model=MODEL, estimator="WLSMV", group="group", group_equal=["loadings"])
    with pytest.raises(ModelError, match="9-point range"):
        cfa(DATA, "tses", estimator="WLSMV")


LADDER = ("configural", "thresholds", "metric", "scalar")
LADDER_MEASURES = (
    "npar",
    "chisq",
    "df",
    "pvalue",
    "chisq_scaled",
    "chisq_scaling_factor",
    "pvalue_scaled",
    "baseline_chisq",
    "baseline_chisq_scaled",
    "cfi",
    "tli",
    "cfi_scaled",
    "tli_scaled",
    "rmsea",
    "rmsea_ci_lower",
    "rmsea_ci_upper",
    "rmsea_scaled",
    "rmsea_ci_lower_scaled",
    "rmsea_ci_upper_scaled",
    "srmr",
    "cfi_robust",
    "tli_robust",
    "rmsea_robust",
    "rmsea_ci_lower_robust",
    "rmsea_ci_upper_robust",
)


@pytest.fixture(scope="module")
def ladder():
    from efficacy.validation import invariance

    return invariance(DATA, model=MODEL, group="group", estimator="WLSMV")


def test_ordinal_ladder_matches_lavaan(ladder):
    """Wu & Estabrook (2016) ladder against semTools::measEq.syntax + lavaan: 1e-4."""
    assert ladder.levels == LADDER
    for level in LADDER:
        fit = ladder.fits[level]
        ref = GOLDEN["ladder"][level]
        assert fit.converged
        for name in LADDER_MEASURES:
            key = name if name == "srmr" else name.replace("_", ".")
            if ref["fit_measures"][key] is None:
                # lavaan 0.6-14 reports NA for the robust indices once thresholds are
                # held equal across groups
                assert level != "configural" and np.isnan(fit.fit_measures[name]), name
                continue
            assert fit.fit_measures[name] == pytest.approx(
                ref["fit_measures"][key], rel=1e-5, abs=1e-4
            ), (level, name)
        expected = pd.DataFrame(ref["parameters"])
        table = fit.parameters.assign(group=fit.parameters["group"].map({"a": 1, "b": 2}))
        merged = expected.merge(table, on=["lhs", "op", "rhs", "group"], suffixes=("_ref", ""))
        assert len(merged) == len(table)  # lavaan also lists the fixed residual variances
        for column in ("est", "se"):
            np.testing.assert_allclose(
                merged[column], merged[f"{column}_ref"], atol=1e-5, err_msg=f"{level} {column}"
            )
        std = merged[merged["std_all"].notna()]
        assert (std["op"] == "=~").sum() == 16
        np.testing.assert_allclose(std["std_all"], std["std_all_ref"], atol=1e-5)


def test_ordinal_ladder_difference_tests_match_lavaan(ladder):
    for level in LADDER[1:]:
        row = ladder.table.loc[level]
        ref = GOLDEN["ladder_lrt"][level]
        assert row["df_diff"] == ref["df_diff"]
        assert row["chisq_diff"] == pytest.approx(ref["chisq_diff"], rel=1e-5)
        assert row["p_diff"] == pytest.approx(ref["p_diff"], rel=1e-4, abs=1e-8)


def test_ordinal_ladder_verdicts(ladder):
    table = ladder.table
    assert table["verdict"].tolist() == ["reference", "holds", "holds", "fails"]
    # the simulation shifted o4's thresholds in group b: scalar invariance must fail
    assert table.loc["scalar", "delta_cfi"] < -0.010
    assert "scaled CFI" in table.loc["scalar", "criteria"]
    with pytest.raises(ModelError, match=r"cannot free \['o9', 'o4~~o4'\] on the ordinal"):
        ladder.partial(free=["o9", "o4~~o4"])


def test_category_seen_in_one_group_only_is_named():
    from efficacy.validation import invariance

    frame = DATA.copy()
    frame.loc[(frame["group"] == "b") & (frame["o6"] == 1), "o6"] = 2
    with pytest.raises(
        DataError,
        match=r"item 'o6': categories \[1\.0\] are observed in other "
        r"groups but not in group='b'",
    ):
        invariance(frame, model=MODEL, group="group", estimator="WLSMV")


def test_ordinal_omega_matches_semtools():
    fit = cfa(DATA, model=MODEL, estimator="WLSMV")
    rel = fit.reliability.set_index("factor")
    ref = GOLDEN["reliability"]
    for factor in MODEL:
        assert rel.loc[factor, "omega_ordinal"] == pytest.approx(
            ref["omega_ordinal"][factor], abs=1e-6
        )
        assert rel.loc[factor, "omega"] == pytest.approx(ref["omega_latent"][factor], abs=1e-6)
    std = fit.loadings.set_index("item")["std_all"]
    lam = std[MODEL["F1"]].to_numpy()
    assert rel.loc["F1", "ave"] == pytest.approx(np.mean(lam**2))


def test_wlsmv_from_an_instrument_reverses_and_changes_no_fit_index():
    import efficacy as ef

    rng = np.random.default_rng(11)
    inst = ef.load("rses")  # 0-3 (4 points), five reverse-keyed items
    trait = rng.normal(size=800)
    raw = {}
    for item in inst.items:
        latent = 0.7 * trait + rng.normal(scale=0.7, size=800)
        value = np.digitize(latent, [-0.8, 0.0, 0.8]).astype(float)
        raw[item.id] = 3 - value if item.reversed else value
    frame = pd.DataFrame(raw)
    fit = cfa(frame, "rses", estimator="WLSMV")
    plain = cfa(frame, model={"rses": list(frame.columns)}, estimator="WLSMV")
    for name in ("chisq", "df", "chisq_scaled", "cfi_scaled", "rmsea_scaled", "srmr", "cfi_robust"):
        assert fit.fit_measures[name] == pytest.approx(
            plain.fit_measures[name], rel=1e-7, abs=1e-9
        ), name
    loadings = fit.loadings.set_index("item")
    assert loadings.loc[list(inst.reverse_items), "reversed"].all()
    assert (loadings["std_all"] > 0).all()


def test_wlsmv_fit_does_not_depend_on_item_order():
    order = ["o3", "o1", "o2", "o4", "o8", "o5", "o7", "o6"]
    base = cfa(DATA, model=MODEL, estimator="WLSMV").fit_measures
    other = cfa(
        DATA[order], model={"F2": order[4:], "F1": order[:4]}, estimator="WLSMV"
    ).fit_measures
    # the polychoric correlations agree to about 1e-9 across orders (Brent search per pair)
    for name in (
        "chisq",
        "chisq_scaled",
        "cfi_scaled",
        "tli_scaled",
        "rmsea_scaled",
        "srmr",
        "cfi_robust",
        "rmsea_ci_upper_robust",
    ):
        assert other[name] == pytest.approx(base[name], rel=1e-6, abs=1e-6), name


def test_wlsmv_pairwise_matches_lavaan():
    """A tenth of the cells deleted at random (ordinal_missing.csv, written by the
    fixture script); lavaan's ``missing = "pairwise"``."""
    frame = pd.read_csv(HERE / "ordinal_missing.csv")
    fit = cfa(frame, model=MODEL, estimator="WLSMV", missing="pairwise")
    ref = GOLDEN["pairwise"]
    assert fit.n_obs == ref["sample"]["nobs"] == 1200 and fit.missing == "pairwise"
    for name in COMPUTED:
        key = name if "srmr" in name or "crmr" in name else name.replace("_", ".")
        assert fit.fit_measures[name] == pytest.approx(
            ref["fit_measures"][key], rel=1e-5, abs=1e-4
        ), name
    expected = pd.DataFrame(ref["parameters"])
    merged = expected.merge(fit.parameters, on=["lhs", "op", "rhs"], suffixes=("_ref", ""))
    for column in ("est", "se"):
        np.testing.assert_allclose(merged[column], merged[f"{column}_ref"], atol=1e-6)
    listwise = cfa(frame, model=MODEL, estimator="WLSMV")
    assert listwise.n_dropped > 0 and listwise.n_obs + listwise.n_dropped == 1200


def test_ordinal_ladder_pairwise_matches_lavaan():
    from efficacy.validation import invariance

    frame = pd.read_csv(HERE / "ordinal_missing.csv")
    inv = invariance(
        frame,
        model=MODEL,
        group="group",
        estimator="WLSMV",
        missing="pairwise",
        levels=("configural", "scalar"),
    )
    for level in ("configural", "scalar"):
        ref = GOLDEN["ladder_pairwise"][level]["fit_measures"]
        fm = inv.fits[level].fit_measures
        assert inv.fits[level].missing == "pairwise"
        for name in (
            "chisq",
            "df",
            "chisq_scaled",
            "chisq_scaling_factor",
            "cfi_scaled",
            "tli_scaled",
            "rmsea_scaled",
            "srmr",
        ):
            key = name if name == "srmr" else name.replace("_", ".")
            assert fm[name] == pytest.approx(ref[key], rel=1e-5, abs=1e-4), (level, name)


def test_wlsmv_modification_indices_match_lavaan():
    fit = cfa(DATA, model=MODEL, estimator="WLSMV")
    ours = fit.modification_indices(top=None)
    ref = pd.DataFrame(GOLDEN["modindices"])
    assert len(ours) == len(ref) == 36  # 8 cross-loadings, 28 residual correlations
    merged = ref.merge(ours, on=["lhs", "op", "rhs"], suffixes=("_ref", ""), how="left")
    assert merged["mi"].notna().all()
    for column in ("mi", "epc", "sepc_all"):
        np.testing.assert_allclose(
            merged[column], merged[f"{column}_ref"], rtol=1e-4, atol=1e-6, err_msg=column
        )
    assert fit.modification_indices(top=1)[["lhs", "op", "rhs"]].iloc[0].tolist() == [
        "o6",
        "~~",
        "o7",
    ]


def test_wlsmv_across_groups_matches_lavaan_default():
    """``cfa(group=...)`` under WLSMV: lavaan's default configural model (markers)."""
    fit = cfa(DATA, model=MODEL, estimator="WLSMV", group="group")
    ref = GOLDEN["groups_default"]
    assert fit.converged and not fit.std_lv
    for name in (
        "npar",
        "chisq",
        "df",
        "chisq_scaled",
        "chisq_scaling_factor",
        "cfi_scaled",
        "tli_scaled",
        "rmsea_scaled",
        "srmr",
        "cfi_robust",
        "tli_robust",
        "rmsea_ci_upper_robust",
    ):
        key = name if name == "srmr" else name.replace("_", ".")
        assert fit.fit_measures[name] == pytest.approx(
            ref["fit_measures"][key], rel=1e-5, abs=1e-4
        ), name
    expected = pd.DataFrame(ref["parameters"])
    table = fit.parameters.assign(group=fit.parameters["group"].map({"a": 1, "b": 2}))
    merged = expected.merge(table, on=["lhs", "op", "rhs", "group"], suffixes=("_ref", ""))
    for column in ("est", "se"):
        np.testing.assert_allclose(
            merged[column], merged[f"{column}_ref"], atol=1e-5, err_msg=column
        )
