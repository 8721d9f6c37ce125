"""Reliable change (six methods) and clinical significance.

Each formula is checked against a hand calculation written out below, following the
definitions in /work/shared/FORMULAS.md section 10 (clinicalsignificance's
``calc_rci.R``). Cross-checks with other implementations:

- CECPfuns (Evans & Paz), ``tests/testthat/test-getRCIfromSDandAlpha.R``:
  ``getRCIfromSDandAlpha(7.5, .8, conf = 0.95) == 9.296925484568419051357``, the
  smallest reliable change qnorm(.975)·sqrt(2)·SD·sqrt(1 − rel) (Jacobson & Truax,
  1991; Christensen & Mendoza, 1986).
- clinicalsignificance, ``tests/testthat/test-calc_rci.R``: its Hageman–Arrindell
  case (pre 30, 20, 10, 8, 6, 4, 2; post 3, 2, 2, 2, 2, 2, 1; M_pre 10, SD_pre 5,
  M_post 7, SD_post 6, reliability .80), recomputed by hand here.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import efficacy as ef
from efficacy.errors import DataError
from efficacy.norms import ClinicalSignificance, ReliableChange, cutoff_value

Z975 = stats.norm.ppf(0.975)
PRE = np.array([20.0, 30.0, 25.0])
POST = np.array([35.0, 31.0, 12.0])
SD, R = 7.5, 0.8
SE_M = 7.5 * math.sqrt(1 - 0.8)  # 3.3541019...
S_DIFF = math.sqrt(2 * SE_M**2)  # 4.7434164...
SE_PRED = 7.5 * math.sqrt(1 - 0.8**2)  # 7.5 * 0.6 = 4.5


def gse_frame(values, index=None, method="sum"):
    frame = pd.DataFrame({"gse": values}, index=index)
    frame.attrs["efficacy"] = {"instrument": "gse", "methods": {"gse": method}}
    return frame


# ------------------------------------------------------------------- formulas


def test_jacobson_truax_hand_calculation():
    res = ef.reliable_change(PRE, POST, sd=SD, reliability=R)
    assert isinstance(res, ReliableChange)
    frame = res.to_frame()
    assert list(frame.columns) == ["pre", "post", "change", "rci", "category"]
    np.testing.assert_allclose(frame["change"], [15.0, 1.0, -13.0])
    np.testing.assert_allclose(frame["rci"], [15 / S_DIFF, 1 / S_DIFF, -13 / S_DIFF], rtol=1e-12)
    assert frame["category"].tolist() == [
        "reliably improved",  # 3.162 > 1.96
        "unchanged",  # 0.211
        "reliably deteriorated",  # -2.741 < -1.96
    ]
    assert res.standard_error == pytest.approx(S_DIFF, rel=1e-12)
    assert res.critical_value == Z975
    assert res.sided == "two-sided"


def test_threshold_matches_cecpfuns():
    # CECPfuns test-getRCIfromSDandAlpha.R: getRCIfromSDandAlpha(7.5, .8) = 9.2969254845684...
    res = ef.reliable_change([20.0], [21.0], sd=7.5, reliability=0.8)
    assert res.threshold == pytest.approx(9.296925484568419051357, rel=1e-14)
    assert res.threshold == pytest.approx(Z975 * S_DIFF, rel=1e-14)


def test_gulliksen_lord_novick_hand_calculation():
    res = ef.reliable_change(
        PRE, POST, sd=SD, reliability=R, method="gulliksen_lord_novick", mean_pre=25.0
    )
    expected = [
        ((35 - 25) - 0.8 * (20 - 25)) / SE_PRED,  # 14/4.5
        ((31 - 25) - 0.8 * (30 - 25)) / SE_PRED,  # 2/4.5
        ((12 - 25) - 0.8 * (25 - 25)) / SE_PRED,  # -13/4.5
    ]
    np.testing.assert_allclose(res.to_frame()["rci"], expected, rtol=1e-12)
    assert res.means_source == "given"


def test_hsu_linn_lord_hand_calculation():
    res = ef.reliable_change(
        PRE, POST, sd=SD, reliability=R, method="hsu_linn_lord", mean_pre=25.0, mean_post=26.0
    )
    expected = [((b - 26) - 0.8 * (a - 25)) / SE_PRED for a, b in zip(PRE, POST, strict=True)]
    np.testing.assert_allclose(res.to_frame()["rci"], expected, rtol=1e-12)
    assert res.mean_post == 26.0


def test_edwards_nunnally_hand_calculation():
    res = ef.reliable_change(
        PRE, POST, sd=SD, reliability=R, method="edwards_nunnally", mean_pre=25.0
    )
    # estimated true pre score 0.8(pre - 25) + 25: 21, 29, 25
    expected = [(35 - 21) / SE_M, (31 - 29) / SE_M, (12 - 25) / SE_M]
    np.testing.assert_allclose(res.to_frame()["rci"], expected, rtol=1e-12)


def test_nunnally_kotsch_hand_calculation():
    res = ef.reliable_change(
        PRE,
        POST,
        sd=SD,
        reliability=R,
        method="nunnally_kotsch",
        mean_pre=25.0,
        reliability_post=0.7,
    )
    denominator = math.sqrt(0.8**2 * 7.5**2 * (1 - 0.8) + 7.5**2 * (1 - 0.7))  # sqrt(7.2 + 16.875)
    expected = [(35 - 21) / denominator, (31 - 29) / denominator, (12 - 25) / denominator]
    np.testing.assert_allclose(res.to_frame()["rci"], expected, rtol=1e-12)
    assert res.reliability_post == 0.7
    same = ef.reliable_change(
        PRE, POST, sd=SD, reliability=R, method="nunnally_kotsch", mean_pre=25.0
    )
    assert same.reliability_post == R


def test_hageman_arrindell_hand_calculation_clinicalsignificance_case():
    pre = np.array([30.0, 20.0, 10.0, 8.0, 6.0, 4.0, 2.0])
    post = np.array([3.0, 2.0, 2.0, 2.0, 2.0, 2.0, 1.0])
    m_pre, sd_pre, m_post, sd_post, r = 10.0, 5.0, 7.0, 6.0, 0.80
    res = ef.reliable_change(
        pre,
        post,
        sd=sd_pre,
        reliability=r,
        method="hageman_arrindell",
        mean_pre=m_pre,
        mean_post=m_post,
        sd_post=sd_post,
        higher_is_better=False,
    )
    se_m = sd_pre * math.sqrt(1 - r)
    r_xx1 = (sd_pre**2 - se_m**2) / sd_pre**2  # = r
    r_xx2 = (sd_post**2 - se_m**2) / sd_post**2
    r12 = np.corrcoef(pre, post)[0, 1]
    r_dd = (sd_pre**2 * r_xx1 + sd_post**2 * r_xx2 - 2 * sd_pre * sd_post * r12) / (
        sd_pre**2 + sd_post**2 - 2 * sd_pre * sd_post * r12
    )
    expected = ((post - pre) * r_dd + (m_post - m_pre) * (1 - r_dd)) / (
        math.sqrt(r_dd) * math.sqrt(2 * se_m**2)
    )
    np.testing.assert_allclose(res.to_frame()["rci"], expected, rtol=1e-12)
    assert res.r_dd == pytest.approx(r_dd, rel=1e-12)
    assert res.r_pre_post == pytest.approx(r12, rel=1e-12)
    # one-sided criterion: qnorm(.95) = 1.6448536..., not a rounded 1.65
    assert res.critical_value == stats.norm.ppf(0.95)
    assert res.sided == "one-sided"
    crit = stats.norm.ppf(0.95)
    improved = -expected > crit
    assert (res.to_frame()["category"] == "reliably improved").tolist() == improved.tolist()


def test_hageman_arrindell_needs_enough_data():
    with pytest.raises(DataError, match="at least 3 persons"):
        ef.reliable_change(
            [1.0, 2.0], [2.0, 3.0], sd=1, reliability=0.8, method="hageman_arrindell"
        )


def test_means_default_to_the_data():
    res = ef.reliable_change(PRE, POST, sd=SD, reliability=R, method="gulliksen_lord_novick")
    m_pre = (20 + 30 + 25) / 3
    expected = ((POST - m_pre) - 0.8 * (PRE - m_pre)) / SE_PRED
    np.testing.assert_allclose(res.to_frame()["rci"], expected, rtol=1e-12)
    assert res.mean_pre == pytest.approx(25.0)
    assert "means of the data" in res.means_source


# ------------------------------------------------------------ criterion, direction


def test_exact_critical_value_decides_borderline():
    # sd 1 and reliability .5 make S_diff = sqrt(2)*sqrt(.5) = 1, so rci = change
    res = ef.reliable_change([0.0, 0.0, 0.0], [1.95999, 1.9599, -1.95999], sd=1, reliability=0.5)
    assert res.to_frame()["category"].tolist() == [
        "reliably improved",  # 1.95999 > 1.959964 (a rounded 1.96 would say unchanged)
        "unchanged",
        "reliably deteriorated",
    ]
    res90 = ef.reliable_change([0.0], [1.7], sd=1, reliability=0.5, level=0.9)
    assert res90.critical_value == stats.norm.ppf(0.95)
    assert res90.to_frame()["category"].tolist() == ["reliably improved"]


def test_lower_is_better_flips_direction():
    res = ef.reliable_change(PRE, POST, sd=SD, reliability=R, higher_is_better=False)
    assert res.to_frame()["category"].tolist() == [
        "reliably deteriorated",
        "unchanged",
        "reliably improved",
    ]


def test_instrument_decides_direction_and_defaults():
    res = ef.reliable_change([24.0], [33.0], instrument="gse", norm="world2006", reliability=0.86)
    assert res.higher_is_better is True
    assert res.sd == 5.29
    assert "world2006" in res.sd_source
    assert res.rci_of(0) == pytest.approx(9 / (math.sqrt(2) * 5.29 * math.sqrt(1 - 0.86)))


def test_published_range_needs_reliability():
    with pytest.raises(DataError, match=r"only as a range: alpha 0\.76-0\.9"):
        ef.reliable_change([24.0], [33.0], instrument="gse", norm="world2006")


def test_instrument_without_norm_needs_sd():
    with pytest.raises(DataError, match="pass sd= or norm="):
        ef.reliable_change([24.0], [33.0], instrument="gse", reliability=0.86)


def test_norm_without_sd():
    with pytest.raises(DataError, match="gives no SD"):
        ef.reliable_change([24.0], [33.0], instrument="gse", norm="scholz2002", reliability=0.8)


def test_sample_sd_default_without_instrument():
    res = ef.reliable_change(PRE, POST, reliability=R)
    assert res.sd == pytest.approx(np.std(PRE, ddof=1))  # sqrt(25) = 5
    assert res.sd_source == "sample SD of the pre-test scores"


def test_reliability_required_without_instrument():
    with pytest.raises(DataError, match="reliability= is needed"):
        ef.reliable_change(PRE, POST, sd=SD)
    with pytest.raises(DataError, match="strictly between 0 and 1"):
        ef.reliable_change(PRE, POST, sd=SD, reliability=1.0)
    with pytest.raises(DataError, match="positive number"):
        ef.reliable_change(PRE, POST, sd=-1, reliability=R)
    with pytest.raises(DataError, match="method must be one of"):
        ef.reliable_change(PRE, POST, sd=SD, reliability=R, method="rci")


# ------------------------------------------------------------------- alignment


def test_pre_and_post_align_by_index():
    pre = pd.Series([20.0, 30.0, 25.0], index=["a", "b", "c"])
    post = pd.Series([12.0, 35.0, 31.0], index=["c", "a", "b"])
    frame = ef.reliable_change(pre, post, sd=SD, reliability=R).to_frame()
    assert frame.index.tolist() == ["a", "b", "c"]
    assert frame["post"].tolist() == [35.0, 31.0, 12.0]


def test_unpaired_labels_are_named():
    pre = pd.Series([20.0, 30.0], index=["a", "b"])
    post = pd.Series([21.0, 31.0], index=["b", "d"])
    with pytest.raises(
        DataError, match=r"labels only in pre: \['a'\].*labels only in post: \['d'\]"
    ):
        ef.reliable_change(pre, post, sd=SD, reliability=R)
    with pytest.raises(DataError, match="pre has 2 scores and post 3"):
        ef.reliable_change([1.0, 2.0], [1.0, 2.0, 3.0], sd=SD, reliability=R)


def test_score_frames_and_metric_checks():
    pre = gse_frame([20.0, 30.0], index=["x", "y"])
    post = gse_frame([35.0, 31.0], index=["x", "y"])
    res = ef.reliable_change(pre, post, instrument="gse", norm="world2006", reliability=0.86)
    assert res.to_frame().loc["x", "change"] == 15.0
    with pytest.raises(DataError, match="pre were scored as sum scores and post as mean"):
        ef.reliable_change(pre, gse_frame([3.5, 3.1], ["x", "y"], "mean"), sd=5, reliability=0.8)
    mean_pre = gse_frame([2.0, 3.0], ["x", "y"], "mean")
    mean_post = gse_frame([3.5, 3.1], ["x", "y"], "mean")
    with pytest.raises(DataError, match=r"scored as mean scores .* on the sum metric"):
        ef.reliable_change(mean_pre, mean_post, instrument="gse", norm="world2006", reliability=0.8)


def test_missing_scores_have_no_category():
    res = ef.reliable_change([20.0, np.nan, 25.0], [35.0, 30.0, 12.0], sd=SD, reliability=R)
    frame = res.to_frame()
    assert np.isnan(frame["rci"].iloc[1])
    assert pd.isna(frame["category"].iloc[1])
    assert res.counts.to_dict() == {
        "reliably deteriorated": 1,
        "unchanged": 0,
        "reliably improved": 1,
    }


def test_does_not_mutate_inputs():
    pre = pd.Series([20.0, 30.0], index=["a", "b"])
    post = pd.Series([35.0, 31.0], index=["a", "b"])
    before = pre.copy(), post.copy()
    ef.reliable_change(pre, post, sd=SD, reliability=R)
    pd.testing.assert_series_equal(pre, before[0])
    pd.testing.assert_series_equal(post, before[1])


def test_repr_omits_fields_that_do_not_apply():
    text = repr(ef.reliable_change(PRE, POST, sd=SD, reliability=R))
    assert text.startswith("ReliableChange(method='jacobson_truax'")
    assert "r_dd" not in text
    assert "threshold=9.297" in text


# ------------------------------------------------------------------ properties

scores = st.floats(10, 40, allow_nan=False)


@settings(max_examples=50, deadline=None)
@given(
    pairs=st.lists(st.tuples(scores, scores), min_size=1, max_size=30),
    sd=st.floats(1, 10),
    r=st.floats(0.05, 0.95),
)
def test_property_jacobson_truax_antisymmetric(pairs, sd, r):
    pre = np.array([p for p, _ in pairs])
    post = np.array([q for _, q in pairs])
    forward = ef.reliable_change(pre, post, sd=sd, reliability=r).to_frame()
    backward = ef.reliable_change(post, pre, sd=sd, reliability=r).to_frame()
    np.testing.assert_allclose(forward["rci"], -backward["rci"], rtol=1e-12, atol=1e-12)
    swap = {
        "reliably improved": "reliably deteriorated",
        "reliably deteriorated": "reliably improved",
    }
    flipped = [swap.get(c, c) for c in backward["category"]]
    assert forward["category"].tolist() == flipped


@settings(max_examples=30, deadline=None)
@given(pre=scores, change=st.floats(-20, 20), r=st.floats(0.05, 0.95))
def test_property_category_agrees_with_threshold(pre, change, r):
    res = ef.reliable_change([pre], [pre + change], sd=5.0, reliability=r)
    category = res.to_frame()["category"].iloc[0]
    actual = res.to_frame()["change"].iloc[0]
    if actual > res.threshold * (1 + 1e-12):
        assert category == "reliably improved"
    elif actual < -res.threshold * (1 + 1e-12):
        assert category == "reliably deteriorated"
    elif abs(actual) < res.threshold * (1 - 1e-12):
        assert category == "unchanged"


# -------------------------------------------------------- clinical significance


def test_cutoffs_hand_calculation():
    assert cutoff_value("a", 20.0, 5.0) == 20 + 2 * 5
    assert cutoff_value("a", 30.0, 6.0, higher_is_better=False) == 30 - 2 * 6
    assert cutoff_value("b", 20.0, 5.0, 29.59, 5.29) == pytest.approx(29.59 - 2 * 5.29)
    assert cutoff_value("b", 30.0, 6.0, 10.0, 5.0, higher_is_better=False) == 10 + 2 * 5
    c = (5.0 * 29.59 + 5.29 * 20.0) / (5.0 + 5.29)  # 24.6599...
    assert cutoff_value("c", 20.0, 5.0, 29.59, 5.29) == pytest.approx(c, rel=1e-12)
    with pytest.raises(DataError, match="needs the functional population"):
        cutoff_value("c", 20.0, 5.0)
    with pytest.raises(DataError, match="'a', 'b' or 'c'"):
        cutoff_value("d", 20.0, 5.0, 30.0, 5.0)


def test_clinical_significance_categories():
    # clinical M 20 SD 5, functional from the world2006 norm (29.59, 5.29): c = 24.66
    # RCI with SD_clin 5 and r .86: S_diff = sqrt(2)*5*sqrt(.14) = 2.6458
    pre = pd.Series([18.0, 19.0, 10.0, 22.0], index=["rec", "unch", "imp", "det"])
    post = pd.Series([31.0, 24.0, 20.0, 12.0], index=["rec", "unch", "imp", "det"])
    res = ef.clinical_significance(
        pre,
        post,
        clinical_mean=20.0,
        clinical_sd=5.0,
        instrument="gse",
        norm="world2006",
        reliability=0.86,
    )
    assert isinstance(res, ClinicalSignificance)
    assert res.cutoff == pytest.approx((5 * 29.59 + 5.29 * 20) / (5 + 5.29), rel=1e-12)
    assert res.functional_mean == 29.59
    assert "world2006" in res.functional_source
    frame = res.to_frame()
    s_diff = math.sqrt(2) * 5 * math.sqrt(1 - 0.86)
    np.testing.assert_allclose(frame["rci"], (post - pre) / s_diff, rtol=1e-12)
    assert frame["category"].tolist() == ["recovered", "unchanged", "improved", "deteriorated"]
    assert frame["clinical_pre"].tolist() == [True, True, True, True]
    assert frame["functional_post"].tolist() == [True, False, False, False]
    assert res.reliable_change.sd == 5.0
    assert "clinical_sd" in res.reliable_change.sd_source
    assert res.counts.to_dict() == {
        "deteriorated": 1,
        "unchanged": 1,
        "improved": 1,
        "recovered": 1,
    }


def test_clinical_significance_lower_is_better():
    # e.g. a symptom scale: clinical M 30 SD 6, functional M 10 SD 5; c = (6*10 + 5*30)/11
    res = ef.clinical_significance(
        [32.0, 28.0],
        [12.0, 21.0],
        clinical_mean=30.0,
        clinical_sd=6.0,
        functional_mean=10.0,
        functional_sd=5.0,
        reliability=0.9,
        higher_is_better=False,
    )
    assert res.cutoff == pytest.approx(210 / 11)  # 19.09
    # S_diff = sqrt(2)*6*sqrt(.1) = 2.683; person 2: -7/2.683 = -2.61, post 21 > 19.09
    assert res.to_frame()["category"].tolist() == ["recovered", "improved"]


def test_clinical_significance_cutoff_a_and_b():
    common = {"clinical_mean": 20.0, "clinical_sd": 5.0, "reliability": 0.86}
    res_a = ef.clinical_significance([15.0], [31.0], cutoff="a", **common)
    assert res_a.cutoff == 30.0
    assert res_a.to_frame()["category"].tolist() == ["recovered"]
    res_b = ef.clinical_significance(
        [15.0], [31.0], cutoff="b", functional_mean=29.59, functional_sd=5.29, **common
    )
    assert res_b.cutoff == pytest.approx(19.01)
    with pytest.raises(DataError, match="needs the functional population"):
        ef.clinical_significance([15.0], [31.0], cutoff="b", **common)
    with pytest.raises(DataError, match="give both"):
        ef.clinical_significance([15.0], [31.0], functional_mean=29.0, **common)


def test_clinical_significance_warns_when_starting_functional():
    with pytest.warns(UserWarning, match="1 persons started on the functional side"):
        res = ef.clinical_significance(
            [28.0],
            [38.0],
            clinical_mean=20.0,
            clinical_sd=5.0,
            functional_mean=29.59,
            functional_sd=5.29,
            reliability=0.86,
        )
    assert res.to_frame()["category"].tolist() == ["improved"]
    assert "cutoff=24.66" in repr(res)
