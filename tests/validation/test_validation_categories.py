"""WLSMV with items of different numbers of categories, against lavaan 0.6-14 and semTools.

Reference: ``tests/fixtures/validation/categories_golden.R`` simulates 8 items with 2, 3,
4 and 5 categories (one coded 2 to 5: nobody chose "1") from a stated 2-factor model in
two groups of 500 (categories.csv) and fits them with ``estimator = "WLSMV"``: one group,
``cfa(group=)`` and the Wu & Estabrook (2016) ladder of ``semTools::measEq.syntax``.
Tolerances as in test_validation_wlsmv.py: scaled and robust measures 1e-4 (lavaan's
polychoric optimiser stops at about 1e-8 on rho), parameters 1e-6 in one group and 1e-5
across groups (numerical Jacobian).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from efficacy.errors import DataError
from efficacy.validation import cfa, invariance
from efficacy.validation._ordinal import ordinal_stats

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "validation"
GOLDEN = json.loads((HERE / "categories_golden.json").read_text())
DATA = pd.read_csv(HERE / "categories.csv")
ITEMS = [f"c{i}" for i in range(1, 9)]
MODEL = {"F1": ITEMS[:4], "F2": ITEMS[4:]}
LADDER = ("configural", "thresholds", "metric", "scalar")
MEASURES = (
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
    "rmsea_ci_upper",
    "rmsea_scaled",
    "rmsea_ci_upper_scaled",
    "srmr",
    "cfi_robust",
    "tli_robust",
    "rmsea_robust",
)


def _key(name: str) -> str:
    return (
        name if name in ("srmr", "crmr_nomean", "srmr_bentler_nomean") else name.replace("_", ".")
    )


def assert_fit_matches(fit, ref, label: str, n_std: int) -> None:
    """Fit measures within 1e-4 (1e-5 relative), estimates and SEs 1e-5, std_all 1e-5."""
    assert fit.converged, label
    for name in MEASURES:
        value = ref["fit_measures"][_key(name)]
        if value is None:
            # lavaan 0.6-14 reports NA for the robust indices once thresholds are held
            # equal across groups
            assert np.isnan(fit.fit_measures[name]), (label, name)
            continue
        assert fit.fit_measures[name] == pytest.approx(value, rel=1e-5, abs=1e-4), (label, name)
    expected = pd.DataFrame(ref["parameters"])
    table = fit.parameters
    keys = ["lhs", "op", "rhs"]
    if "group" in table:
        table = table.assign(group=table["group"].map({"a": 1, "b": 2}))
        keys.append("group")
    merged = expected.merge(table, on=keys, suffixes=("_ref", ""))
    assert len(merged) == len(table), label
    for column in ("est", "se"):
        np.testing.assert_allclose(
            merged[column], merged[f"{column}_ref"], atol=1e-5, err_msg=f"{label} {column}"
        )
    std = merged[merged["std_all"].notna()]
    assert (std["op"] == "=~").sum() == n_std, label
    np.testing.assert_allclose(std["std_all"], std["std_all_ref"], atol=1e-5, err_msg=label)


def test_the_data_have_items_of_two_to_five_categories():
    counts = {item: DATA[item].nunique() for item in ITEMS}
    assert counts == GOLDEN["n_categories"]
    assert sorted(set(counts.values())) == [2, 3, 4, 5]
    assert sorted(DATA["c3"].unique()) == [2, 3, 4, 5]


def test_sample_statistics_and_gamma_match_lavaan():
    codes = np.column_stack([np.searchsorted(np.unique(DATA[item]), DATA[item]) for item in ITEMS])
    stats = ordinal_stats(codes, ITEMS)
    assert stats.n_categories == (2, 3, 4, 5, 3, 4, 5, 5)
    assert [len(t) for t in stats.thresholds] == [1, 2, 3, 4, 2, 3, 4, 4]
    ref = GOLDEN["sample"]
    np.testing.assert_allclose(stats.s, ref["wls_obs"], atol=1e-7)
    np.testing.assert_allclose(np.diag(stats.gamma), ref["gamma_diag"], rtol=1e-6)
    np.testing.assert_allclose(stats.gamma[0], ref["gamma_row1"], atol=1e-6)
    np.testing.assert_allclose(stats.gamma[-1], ref["gamma_last"], atol=1e-6)
    # c1 (binary) by hand: its threshold is the normal quantile of the share of "1"
    from scipy.stats import norm

    assert stats.thresholds[0][0] == pytest.approx(norm.ppf(np.mean(DATA["c1"] == 1)))


@pytest.mark.parametrize(("key", "std_lv"), [("single", False), ("single_std_lv", True)])
def test_one_group_matches_lavaan(key, std_lv):
    fit = cfa(DATA, model=MODEL, estimator="WLSMV", std_lv=std_lv)
    assert fit.ok
    assert_fit_matches(fit, GOLDEN[key], key, n_std=8)
    # one threshold fewer than categories, item by item: 1 + 2 + 3 + 4 + 2 + 3 + 4 + 4
    assert (fit.parameters["op"] == "|").sum() == 23
    assert fit.fit_measures["df"] == 19


def test_modification_indices_and_reliability_match_lavaan():
    fit = cfa(DATA, model=MODEL, estimator="WLSMV")
    ours = fit.modification_indices(top=None)
    ref = pd.DataFrame(GOLDEN["modindices"])
    assert len(ours) == len(ref) == 36
    merged = ref.merge(ours, on=["lhs", "op", "rhs"], suffixes=("_ref", ""), how="left")
    for column in ("mi", "epc", "sepc_all"):
        np.testing.assert_allclose(
            merged[column], merged[f"{column}_ref"], rtol=1e-4, atol=1e-6, err_msg=column
        )
    rel = fit.reliability.set_index("factor")
    for factor in MODEL:
        assert rel.loc[factor, "omega_ordinal"] == pytest.approx(
            GOLDEN["reliability"]["omega_ordinal"][factor], abs=1e-6
        )
        assert rel.loc[factor, "omega"] == pytest.approx(
            GOLDEN["reliability"]["omega_latent"][factor], abs=1e-6
        )


def test_across_groups_matches_lavaan_default():
    fit = cfa(DATA, model=MODEL, estimator="WLSMV", group="group")
    assert not fit.std_lv
    assert_fit_matches(fit, GOLDEN["groups_default"], "groups_default", n_std=16)


@pytest.fixture(scope="module")
def ladder():
    return invariance(DATA, model=MODEL, group="group", estimator="WLSMV")


def test_ladder_matches_semtools(ladder):
    """Binary c1 included: its intercept is free at thresholds and metric, its scale at
    scalar (one threshold identifies one of them), as semTools writes the model."""
    assert ladder.levels == LADDER
    for level in LADDER:
        assert_fit_matches(ladder.fits[level], GOLDEN["ladder"]["fits"][level], level, 16)
        ref = GOLDEN["ladder"]["lrt"].get(level)
        if ref is not None:
            row = ladder.table.loc[level]
            assert row["df_diff"] == ref["df_diff"]
            assert row["chisq_diff"] == pytest.approx(ref["chisq_diff"], rel=1e-5)
            assert row["p_diff"] == pytest.approx(ref["p_diff"], rel=1e-4, abs=1e-8)
    params = ladder.fits["metric"].parameters.set_index(["lhs", "op", "group"])
    assert params.loc[("c1", "~1", "b"), "free"] and not params.loc[("c1", "~*~", "b"), "free"]
    assert params.loc[("c2", "~1", "b"), "free"] and params.loc[("c2", "~*~", "b"), "free"]
    # the simulation shifted c4's thresholds in group b: scalar invariance fails
    assert ladder.table["verdict"].tolist() == ["reference", "holds", "holds", "fails"]


def test_partial_on_a_binary_item_matches_semtools(ladder):
    partial = ladder.partial(free=["c1"])
    assert partial.free == ("c1|t1",)
    for level in LADDER:
        ref = GOLDEN["partial_binary"]["fits"][level]
        assert_fit_matches(partial.fits[level], ref, level, 16)
    params = partial.fits["scalar"].parameters.set_index(["lhs", "op", "group"])
    # c1's threshold free: its scale and intercept stay at 1 and 0, as in configural
    assert not params.loc[("c1", "~*~", "b"), "free"]
    assert params.loc[("c1", "~*~", "b"), "est"] == 1.0


def test_category_seen_in_one_group_only_is_still_named():
    frame = DATA.copy()
    frame.loc[(frame["group"] == "b") & (frame["c6"] == 4), "c6"] = 3
    with pytest.raises(
        DataError,
        match=r"item 'c6': categories \[4\.0\] are observed in other groups but not in group='b'",
    ):
        invariance(frame, model=MODEL, group="group", estimator="WLSMV")


def test_ordinal_stats_refuses_codes_it_cannot_use():
    with pytest.raises(DataError, match=r"codes not observed .*\{'a': \[1\]\}"):
        ordinal_stats(np.array([[0, 0], [2, 1], [0, 1], [2, 0]]), ["a", "b"])
    with pytest.raises(DataError, match=r"items \['b'\] show a single observed category"):
        ordinal_stats(np.array([[0, 0], [1, 0], [0, 0]]), ["a", "b"])
    with pytest.raises(DataError, match="'a' and 'b' have no rows in common"):
        ordinal_stats(np.array([[0, -1], [1, -1], [-1, 0], [-1, 1]]), ["a", "b"])


SMALL = DATA[DATA["group"] == "a"].iloc[:300]


@settings(max_examples=5, deadline=None)
@given(
    st.sampled_from(ITEMS),
    st.floats(min_value=0.5, max_value=20),
    st.integers(min_value=-5, max_value=5),
)
def test_fit_depends_only_on_the_order_of_each_items_codes(item, factor, shift):
    """Any increasing recoding of one item's codes (gaps included) leaves the fit alone."""
    base = cfa(SMALL, model=MODEL, estimator="WLSMV")
    frame = SMALL.copy()
    frame[item] = frame[item].map(lambda v: round(factor * v**2) + shift)
    assert frame[item].nunique() == SMALL[item].nunique()
    recoded = cfa(frame, model=MODEL, estimator="WLSMV")
    for name in ("chisq", "chisq_scaled", "cfi_scaled", "rmsea_scaled", "srmr"):
        assert recoded.fit_measures[name] == pytest.approx(base.fit_measures[name], abs=1e-9)
    np.testing.assert_allclose(recoded.parameters["est"], base.parameters["est"], atol=1e-9)
