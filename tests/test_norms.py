"""Norms: standard scores, sample-vs-norm comparison, local norm tables and their YAML.

Golden values are hand calculations written out below from the GSE norm tables in
instruments/gse.yaml (world2006: n 19719, M 29.59, SD 5.29; world2006_sex: male
30.08/5.11, female 28.99/5.59; ...).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import efficacy as ef
from efficacy.errors import DataError, InstrumentError
from efficacy.instrument import _loader as loader
from efficacy.instrument._model import NormGroup, Source
from efficacy.instrument._norm_yaml import NormTable
from efficacy.norms import (
    STANDARD_COLUMNS,
    NormComparison,
    from_yaml,
    norm_table_to_yaml,
    to_yaml,
)

GSE = ef.load("gse")
Z975 = stats.norm.ppf(0.975)  # 1.959963984540054


def gse_frame(values, index=None, method="sum", **columns):
    """A scores frame as ef.score returns it: column "gse" and provenance."""
    frame = pd.DataFrame({"gse": values, **columns}, index=index)
    frame.attrs["efficacy"] = {"instrument": "gse", "methods": {"gse": method}}
    return frame


# ------------------------------------------------------------------ standardize


def test_standardize_hand_calculation_world2006():
    out = ef.standardize(gse_frame([35.0, 24.0]), "gse", "world2006", reliability=0.86)
    assert list(out.columns) == list(STANDARD_COLUMNS)
    z = (35 - 29.59) / 5.29  # 1.0226843...
    assert out.loc[0, "z"] == pytest.approx(z, rel=1e-12)
    assert out.loc[0, "t"] == pytest.approx(50 + 10 * z, rel=1e-12)
    assert out.loc[0, "percentile"] == pytest.approx(100 * stats.norm.cdf(z), rel=1e-12)
    assert out.loc[0, "percentile_method"] == "normal"
    assert out.loc[0, "stanine"] == 7  # floor(2*1.0227 + 5.5) = floor(7.545)
    assert out.loc[0, "sten"] == 8  # floor(2*1.0227 + 6) = floor(8.045)
    sem = 5.29 * math.sqrt(1 - 0.86)  # 1.9793383...
    assert out.loc[0, "sem"] == pytest.approx(sem, rel=1e-12)
    assert out.loc[0, "ci_lower"] == pytest.approx(35 - Z975 * sem, rel=1e-12)
    assert out.loc[0, "ci_upper"] == pytest.approx(35 + Z975 * sem, rel=1e-12)
    half_t = Z975 * 10 * math.sqrt(1 - 0.86)
    assert out.loc[0, "t_ci_lower"] == pytest.approx(50 + 10 * z - half_t, rel=1e-12)
    assert out.loc[0, "t_ci_upper"] == pytest.approx(50 + 10 * z + half_t, rel=1e-12)
    z2 = (24 - 29.59) / 5.29  # -1.0567...
    assert out.loc[1, "z"] == pytest.approx(z2)
    assert out.loc[1, "stanine"] == 3  # floor(-2.113 + 5.5) = floor(3.387)
    assert out.loc[1, "sten"] == 3  # floor(-2.113 + 6) = floor(3.887)
    assert out.loc[1, "norm_group"] == "all"
    assert out.loc[1, "norm_mean"] == 29.59
    assert out.loc[1, "norm_sd"] == 5.29


def test_critical_value_is_exact_not_rounded():
    out = ef.standardize(gse_frame([30.0]), "gse", "world2006", reliability=0.86)
    sem = 5.29 * math.sqrt(0.14)
    assert out.loc[0, "ci_upper"] - 30.0 == pytest.approx(1.959963984540054 * sem, rel=1e-12)
    assert out.loc[0, "ci_upper"] - 30.0 != pytest.approx(1.96 * sem, rel=1e-9)
    assert out.attrs["efficacy"]["critical_value"] == Z975
    out90 = ef.standardize(gse_frame([30.0]), "gse", "world2006", reliability=0.86, level=0.9)
    assert out90.loc[0, "ci_upper"] - 30.0 == pytest.approx(stats.norm.ppf(0.95) * sem)


def test_provenance_records_norm_kind_and_source():
    out = ef.standardize(gse_frame([30.0]), "gse", "world2006", reliability=0.86)
    info = out.attrs["efficacy"]
    assert info["norm"] == "world2006"
    assert info["kind"] == "reference_data"
    assert info["source"] == "gse_world_data_2006 [C]"
    assert "world_24nations" in info["citation"]
    assert info["reliability"] == 0.86
    assert info["reliability_source"] == "given"
    assert info["level"] == 0.95
    assert "caution" in info


def test_accepts_series_array_and_list_and_keeps_index():
    series = pd.Series([35.0, 20.0], index=["p1", "p2"], name="gse")
    from_series = ef.standardize(series, "gse", "world2006", reliability=0.86)
    assert list(from_series.index) == ["p1", "p2"]
    from_array = ef.standardize(np.array([35.0, 20.0]), "gse", "world2006", reliability=0.86)
    from_list = ef.standardize([35.0, 20.0], "gse", "world2006", reliability=0.86)
    np.testing.assert_allclose(from_series["z"].to_numpy(), from_array["z"].to_numpy())
    np.testing.assert_allclose(from_list["t"].to_numpy(), from_array["t"].to_numpy())
    assert list(from_array.index) == [0, 1]


def test_scale_picks_the_column_of_a_frame():
    frame = gse_frame([35.0], other=[12.0])
    frame["gse_n_valid"] = 10
    out = ef.standardize(frame, "gse", "world2006", scale="gse", reliability=0.86)
    assert out.loc[0, "score"] == 35.0
    with pytest.raises(DataError, match="lacks 1 column: \\['nope'\\]"):
        ef.standardize(frame, "gse", "world2006", scale="nope", reliability=0.86)


def test_nan_score_gives_nan_row():
    out = ef.standardize(gse_frame([np.nan, 30.0]), "gse", "world2006", reliability=0.86)
    assert np.isnan(out.loc[0, "z"])
    assert pd.isna(out.loc[0, "stanine"])
    assert pd.isna(out.loc[0, "percentile_method"])
    assert out.loc[1, "stanine"] == 5


def test_does_not_mutate_input():
    frame = gse_frame([35.0, 20.0], sex=["Male", "female"])
    before = frame.copy()
    ef.standardize(frame, "gse", "world2006_sex", group="sex", reliability=0.86)
    pd.testing.assert_frame_equal(frame, before)


def test_published_reliability_range_needs_reliability():
    # z, T, percentiles and stanines need no reliability; only the SEM interval does,
    # and its absence is explained (issue 15).
    with pytest.warns(UserWarning, match=r"only as a range: alpha 0\.76-0\.9") as info:
        out = ef.standardize(gse_frame([30.0]), "gse", "world2006")
    (message,) = [str(w.message) for w in info if "only as a range" in str(w.message)]
    assert "reliability=" in message
    assert np.isfinite(out.loc[0, ["z", "t", "percentile"]].astype(float)).all()
    assert out.loc[0, "stanine"] == 5
    assert out[["sem", "ci_lower", "ci_upper", "t_ci_lower", "t_ci_upper"]].isna().all().all()
    assert out.attrs["efficacy"]["reliability"] is None
    assert "only as a range" in out.attrs["efficacy"]["reliability_source"]


def test_reliability_checked():
    with pytest.raises(DataError, match="strictly between 0 and 1"):
        ef.standardize(gse_frame([30.0]), "gse", "world2006", reliability=1.2)
    with pytest.raises(DataError, match="'group'"):
        ef.standardize(gse_frame([30.0]), "gse", "world2006", reliability="alpha")


def test_norm_without_sd_is_an_error_explaining_why():
    with pytest.raises(DataError, match="z = \\(x - mean\\)/SD needs an SD"):
        ef.standardize(gse_frame([30.0]), "gse", "scholz2002", reliability=0.86)
    frame = gse_frame([30.0], country=["Japan"])
    with pytest.raises(DataError, match="no SD for groups \\['country=Japan'\\]"):
        ef.standardize(frame, "gse", "scholz2002", group="country", reliability=0.86)


def test_unknown_norm_table():
    with pytest.raises(DataError, match="no norm table 'nope'"):
        ef.standardize(gse_frame([30.0]), "gse", "nope", reliability=0.86)


# ---------------------------------------------------------------------- metric


def test_mean_scores_against_sum_norms_raise_from_provenance():
    frame = gse_frame([3.5], method="mean")
    with pytest.raises(DataError, match=r"scored as mean scores .* on the sum metric"):
        ef.standardize(frame, "gse", "world2006", reliability=0.86)


def test_mean_scores_without_provenance_caught_by_range():
    with pytest.raises(DataError, match=r"outside the possible range 10-40 .* rows \[0, 1\]"):
        ef.standardize([3.5, 2.0, 35.0], "gse", "world2006", reliability=0.86)


def test_non_numeric_scores():
    with pytest.raises(DataError, match="not numeric: column 'gse': 1 cell, rows \\[1\\]"):
        ef.standardize(gse_frame(["30", "high"]), "gse", "world2006", reliability=0.86)


# ----------------------------------------------------------------------- groups


def test_group_by_sex_case_insensitive():
    frame = gse_frame([35.0, 24.0, 30.0], sex=["Female", " MALE ", "male"])
    out = ef.standardize(frame, "gse", "world2006_sex", group="sex", reliability=0.86)
    assert out["norm_group"].tolist() == ["sex=female", "sex=male", "sex=male"]
    assert out.loc[0, "z"] == pytest.approx((35 - 28.99) / 5.59)
    assert out.loc[1, "z"] == pytest.approx((24 - 30.08) / 5.11)
    assert out.loc[1, "sem"] == pytest.approx(5.11 * math.sqrt(0.14))


def test_group_by_age_ranges_inclusive_and_open():
    ages = [12, 19, 20, 23, 59, 60, 95]
    frame = gse_frame([30.0] * 7, age=ages)
    out = ef.standardize(frame, "gse", "world2006_age", group="age", reliability=0.86)
    assert out["norm_group"].tolist() == [
        "age=12-19",
        "age=12-19",
        "age=20-29",
        "age=20-29",
        "age=50-59",
        "age=60+",
        "age=60+",
    ]
    assert out.loc[3, "z"] == pytest.approx((30 - 29.69) / 5.22)
    assert out.loc[6, "z"] == pytest.approx((30 - 29.83) / 6.05)


def test_group_data_separate_and_aligned_by_index():
    scores = gse_frame([35.0, 24.0], index=["a", "b"])
    covariates = pd.DataFrame({"Age_years": [23, 45]}, index=["b", "a"])
    out = ef.standardize(
        scores,
        "gse",
        "world2006_age",
        group={"age": "Age_years"},
        group_data=covariates,
        reliability=0.86,
    )
    assert out["norm_group"].tolist() == ["age=40-49", "age=20-29"]
    series = pd.Series(["male", "female"], index=["b", "a"], name="sex")
    out = ef.standardize(scores, "gse", "world2006_sex", group_data=series, reliability=0.86)
    assert out["norm_group"].tolist() == ["sex=female", "sex=male"]


def test_group_data_missing_respondents():
    scores = gse_frame([35.0, 24.0], index=["a", "b"])
    covariates = pd.Series(["male"], index=["a"], name="sex")
    with pytest.raises(DataError, match=r"lack 1 respondents .* rows \['b'\]"):
        ef.standardize(scores, "gse", "world2006_sex", group_data=covariates, reliability=0.86)


def test_group_column_must_be_a_covariate_of_the_table():
    frame = gse_frame([35.0], gender=["male"])
    with pytest.raises(DataError, match="groups by \\['sex'\\]; pass group=\\{covariate"):
        ef.standardize(frame, "gse", "world2006_sex", group="gender", reliability=0.86)


def test_missing_group_raises_naming_rows_and_values():
    frame = gse_frame([30.0, 31.0, 32.0], index=["p1", "p2", "p3"], age=[23, 9, None])
    with pytest.raises(DataError) as info:
        ef.standardize(frame, "gse", "world2006_age", group="age", reliability=0.86)
    message = str(info.value)
    assert "2 respondents: rows ['p2', 'p3']" in message
    assert "{'age': 9.0}" in message
    assert "{'age': None}" in message
    assert "age=12-19" in message


def test_missing_group_nan_with_warning_and_report():
    frame = gse_frame([30.0, 31.0], index=["p1", "p2"], country=["Germany", "Atlantis"])
    with pytest.warns(UserWarning, match="rows \\['p2'\\]"):
        out = ef.standardize(
            frame,
            "gse",
            "world2006_country",
            group="country",
            reliability=0.86,
            on_missing_group="nan",
        )
    assert out.loc["p1", "z"] == pytest.approx((30 - 29.57) / 4.44)
    assert np.isnan(out.loc["p2", "z"])
    assert pd.isna(out.loc["p2", "norm_group"])
    assert out.attrs["efficacy"]["missing_group"] == ["p2"]


def test_several_groups_need_group():
    with pytest.raises(DataError, match=r"2 groups \(sex=male, sex=female\).*pass group="):
        ef.standardize(gse_frame([30.0]), "gse", "world2006_sex", reliability=0.86)


def test_whole_sample_group_used_without_group():
    out = ef.compare_to_norm(gse_frame([30.0, 31.0]), "gse", "scholz2002")
    assert out.to_frame().index.tolist() == ["all"]
    assert out.to_frame().loc["all", "norm_mean"] == 29.55


def test_reliability_per_group_alpha():
    frame = gse_frame([25.0, 25.0], country=["Japan", "Spain"])
    out = ef.standardize(frame, "gse", "world2006_country", group="country", reliability="group")
    assert out.loc[0, "sem"] == pytest.approx(6.19 * math.sqrt(1 - 0.910))
    assert out.loc[1, "sem"] == pytest.approx(4.05 * math.sqrt(1 - 0.842))
    assert out.attrs["efficacy"]["reliability"]["country=Japan"] == 0.910
    with pytest.raises(DataError, match="needs an alpha for every norm group"):
        ef.standardize(gse_frame([30.0]), "gse", "world2006", reliability="group")


# ------------------------------------------------------------ percentile tables


def _table_with_percentiles() -> NormTable:
    row = NormGroup(
        where={}, mean=30.0, sd=5.0, n=100, percentiles={20.0: 10.0, 30.0: 50.0, 40.0: 90.0}
    )
    return NormTable("pct", "gse", "published", "test", Source("schwarzer1995", "P"), (row,))


def test_percentile_from_table_interpolated_linearly():
    table = _table_with_percentiles()
    out = ef.standardize([25.0, 30.0, 38.0], "gse", table, reliability=0.8)
    assert out.loc[0, "percentile"] == pytest.approx(10 + (25 - 20) / (30 - 20) * (50 - 10))
    assert out.loc[1, "percentile"] == 50.0
    assert out.loc[2, "percentile"] == pytest.approx(50 + (38 - 30) / (40 - 30) * (90 - 50))
    assert out["percentile_method"].tolist() == [
        "table_interpolated",
        "table",
        "table_interpolated",
    ]


def test_percentile_outside_table_is_nan_with_warning():
    row = NormGroup(where={}, mean=30.0, sd=5.0, percentiles={20.0: 10.0, 30.0: 50.0})
    table = NormTable("pct", "gse", "published", "test", Source("schwarzer1995", "P"), (row,))
    with pytest.warns(UserWarning, match="outside the scores listed"):
        out = ef.standardize([15.0, 35.0, 25.0], "gse", table, reliability=0.8)
    assert out["percentile_method"].tolist() == [
        "outside_table",
        "outside_table",
        "table_interpolated",
    ]
    assert out["percentile"].isna().tolist() == [True, True, False]


# ----------------------------------------------------------------- properties


@settings(max_examples=40, deadline=None)
@given(
    group=st.sampled_from(GSE.norm("world2006_age").groups),
    offsets=st.lists(st.floats(-15, 10, allow_nan=False), min_size=1, max_size=20),
)
def test_properties_z_t_percentile(group, offsets):
    low, high = group.where["age"]
    age = low if high is None else (low + high) // 2
    scores = np.clip(group.mean + np.array(offsets), 10.0, 40.0)
    data = gse_frame(np.append(scores, group.mean), age=[age] * (len(scores) + 1))
    out = ef.standardize(data, "gse", "world2006_age", group="age", reliability=0.86)
    # the norm mean has z = 0, T = 50, percentile 50
    assert out["z"].iloc[-1] == pytest.approx(0.0, abs=1e-12)
    assert out["t"].iloc[-1] == pytest.approx(50.0)
    assert out["percentile"].iloc[-1] == pytest.approx(50.0)
    # T and z agree
    np.testing.assert_allclose(out["t"], 50 + 10 * out["z"], rtol=1e-12)
    # percentiles (and stanines) are monotone in the score
    ordered = out.sort_values("score")
    assert ordered["percentile"].is_monotonic_increasing
    assert ordered["stanine"].astype(int).is_monotonic_increasing
    assert ordered["sten"].astype(int).is_monotonic_increasing


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(10, 40), min_size=2, max_size=40))
def test_property_table_percentiles_monotone(values):
    scores = gse_frame([float(v) for v in values])
    if np.std(values) == 0:
        return
    table = ef.build_norms(scores, instrument="gse")
    probe = np.linspace(min(values), max(values), 25)
    out = ef.standardize(probe, "gse", table, reliability=0.8)
    assert out["percentile"].is_monotonic_increasing
    assert set(out["percentile_method"]) <= {"table", "table_interpolated"}


# --------------------------------------------------------------- compare_to_norm

SAMPLE = [31.0, 33.0, 29.0, 35.0, 32.0, 30.0, 34.0, 28.0]  # mean 31.5, variance 6


def test_compare_hand_calculation_with_norm_sd():
    res = ef.compare_to_norm(gse_frame(SAMPLE), "gse", "world2006")
    assert isinstance(res, NormComparison)
    row = res.to_frame().loc["all"]
    mean, sd, n = 31.5, math.sqrt(6), 8  # sum 252/8; squared deviations 42/7
    assert row["mean"] == pytest.approx(mean)
    assert row["sd"] == pytest.approx(sd)
    t = (31.5 - 29.59) / (sd / math.sqrt(n))  # 1.91/0.8660 = 2.2055
    assert row["t"] == pytest.approx(t, rel=1e-12)
    assert res.t == pytest.approx(t, rel=1e-12)
    assert row["df"] == 7
    assert row["p"] == pytest.approx(2 * stats.t.sf(t, 7), rel=1e-12)
    reference = stats.ttest_1samp(SAMPLE, 29.59)
    assert row["t"] == pytest.approx(reference.statistic)
    assert row["p"] == pytest.approx(reference.pvalue)
    t_crit = stats.t.ppf(0.975, 7)
    assert row["diff_ci_lower"] == pytest.approx(1.91 - t_crit * sd / math.sqrt(n))
    # Welch from summary statistics: v1 = 6/8, v2 = 5.29^2/19719
    v1, v2 = 6 / 8, 5.29**2 / 19719
    assert row["welch_t"] == pytest.approx(1.91 / math.sqrt(v1 + v2), rel=1e-12)
    welch_df = (v1 + v2) ** 2 / (v1**2 / 7 + v2**2 / 19718)
    assert row["welch_df"] == pytest.approx(welch_df, rel=1e-12)
    assert row["welch_p"] == pytest.approx(2 * stats.t.sf(1.91 / math.sqrt(v1 + v2), welch_df))
    # Cohen's d with the norm SD (Glass's delta), large-sample CI
    d = 1.91 / 5.29  # 0.36106
    assert row["d_sd"] == "norm"
    assert row["d"] == pytest.approx(d, rel=1e-12)
    se = math.sqrt(1 / 8 + 1 / 19719 + d**2 / (2 * 19718))
    assert row["d_ci_lower"] == pytest.approx(d - Z975 * se, rel=1e-12)
    assert row["d_ci_upper"] == pytest.approx(d + Z975 * se, rel=1e-12)
    j = math.exp(math.lgamma(19718 / 2) - math.lgamma(19717 / 2)) / math.sqrt(19718 / 2)
    assert row["g"] == pytest.approx(j * d, rel=1e-12)
    assert row["g_ci_upper"] == pytest.approx(j * (d + Z975 * se), rel=1e-12)
    assert "Hedges & Olkin" in row["ci_method"]


def test_compare_without_norm_sd_uses_sample_sd_and_noncentral_t():
    res = ef.compare_to_norm(SAMPLE, "gse", "scholz2002")
    row = res.to_frame().loc["all"]
    assert row["d_sd"] == "sample"
    d = (31.5 - 29.55) / math.sqrt(6)  # 1.95/2.4495 = 0.79608
    assert row["d"] == pytest.approx(d, rel=1e-12)
    assert np.isnan(row["welch_t"])  # the norm gives no SD
    # the CI limits are the noncentralities under which the observed t is the
    # 97.5th and 2.5th percentile (Steiger & Fouladi, 1997)
    t = d * math.sqrt(8)
    assert stats.nct.cdf(t, 7, row["d_ci_lower"] * math.sqrt(8)) == pytest.approx(0.975)
    assert stats.nct.cdf(t, 7, row["d_ci_upper"] * math.sqrt(8)) == pytest.approx(0.025)
    j7 = math.gamma(3.5) / (math.sqrt(3.5) * math.gamma(3))  # 0.888202
    assert row["g"] == pytest.approx(j7 * d, rel=1e-12)
    assert row["g_ci_lower"] == pytest.approx(j7 * row["d_ci_lower"], rel=1e-12)
    assert "noncentral t" in row["ci_method"]


def test_noncentral_ci_close_to_large_sample_for_big_n():
    rng = np.random.default_rng(1)
    scores = np.clip(np.round(rng.normal(31, 5, 4000)), 10, 40)
    row = ef.compare_to_norm(scores, "gse", "scholz2002").to_frame().iloc[0]
    n, d = 4000, row["d"]
    se = math.sqrt(1 / n + d**2 / (2 * n))
    assert row["d_ci_lower"] == pytest.approx(d - Z975 * se, abs=2e-3)
    assert row["d_ci_upper"] == pytest.approx(d + Z975 * se, abs=2e-3)


def test_compare_per_group():
    frame = gse_frame([30.0, 32.0, 34.0, 25.0, 27.0, 29.0], sex=["male"] * 3 + ["female"] * 3)
    res = ef.compare_to_norm(frame, "gse", "world2006_sex", group="sex")
    table = res.to_frame()
    assert table.index.tolist() == ["sex=male", "sex=female"]
    assert table.loc["sex=male", "mean"] == 32.0
    assert table.loc["sex=male", "d"] == pytest.approx((32 - 30.08) / 5.11)
    assert table.loc["sex=female", "d"] == pytest.approx((27 - 28.99) / 5.59)
    assert table.loc["sex=female", "t"] == pytest.approx((27 - 28.99) / (2 / math.sqrt(3)))
    with pytest.raises(DataError, match="has 2 groups"):
        _ = res.t
    assert "groups=2" in repr(res)


def test_compare_small_group_warns():
    frame = gse_frame([30.0, 32.0, 34.0, 25.0], sex=["male"] * 3 + ["female"])
    with pytest.warns(UserWarning, match="fewer than 2 scores"):
        res = ef.compare_to_norm(frame, "gse", "world2006_sex", group="sex")
    assert np.isnan(res.to_frame().loc["sex=female", "t"])


def test_compare_repr_and_html():
    res = ef.compare_to_norm(SAMPLE, "gse", "world2006")
    text = repr(res)
    assert text.startswith("NormComparison(norm='world2006', kind='reference_data'")
    assert "d_sd='norm'" in text
    assert "<table" in res._repr_html_()


def test_compare_nan_scores_counted_as_missing():
    res = ef.compare_to_norm([*SAMPLE, np.nan], "gse", "world2006")
    row = res.to_frame().loc["all"]
    assert row["n"] == 8
    assert row["n_missing"] == 1


# ------------------------------------------------------------------ build_norms


def test_build_norms_hand_calculation():
    table = ef.build_norms(gse_frame([20.0, 30.0, 30.0, 40.0]), instrument="gse")
    assert table.scale == "gse"
    assert table.metric == "sum"
    assert table.kind == "reference_data"
    row = table.groups[0]
    assert row.where == {}
    assert row.n == 4
    assert row.mean == 30.0
    assert row.sd == pytest.approx(math.sqrt((100 + 0 + 0 + 100) / 3))
    # mid-rank: 100*(below + at/2)/n
    assert row.percentiles == {
        20.0: 100 * (0 + 1 / 2) / 4,
        30.0: 100 * (1 + 2 / 2) / 4,
        40.0: 100 * (3 + 1 / 2) / 4,
    }
    assert "mid-rank" in table.note


def test_build_norms_by_group_with_overall_first():
    frame = gse_frame([20.0, 30.0, 25.0, 35.0, 30.0], sex=["f", "f", "m", "m", "m"])
    table = ef.build_norms(frame, by="sex", id="clinic", population="clinic sample")
    assert table.group_by == ("sex",)
    assert [g.label for g in table.groups] == ["all", "sex=f", "sex=m"]
    assert table.groups[1].mean == 25.0
    assert table.groups[2].n == 3
    assert table.groups[2].mean == 30.0
    assert table.groups[2].sd == pytest.approx(math.sqrt((25 + 25 + 0) / 2))
    no_overall = ef.build_norms(frame, by="sex", overall=False)
    assert [g.label for g in no_overall.groups] == ["sex=f", "sex=m"]


def test_build_norms_warnings_and_errors():
    frame = gse_frame([20.0, np.nan, 30.0])
    with pytest.warns(UserWarning, match="1 respondents without a score"):
        table = ef.build_norms(frame)
    assert table.groups[0].n == 2
    with pytest.warns(UserWarning, match="no spread"):
        flat = ef.build_norms(gse_frame([30.0, 30.0]))
    assert flat.groups[0].sd is None
    with pytest.raises(DataError, match="lower case letters"):
        ef.build_norms(gse_frame([30.0, 31.0], Sex=["m", "f"]), by="Sex")
    with pytest.raises(DataError, match="metric='sum' or metric='mean'"):
        ef.build_norms([30.0, 31.0])
    with pytest.raises(DataError, match="outside the possible range"):
        ef.build_norms([3.0, 3.5], instrument="gse")


def test_build_norms_then_standardize_uses_its_percentiles():
    table = ef.build_norms(gse_frame([20.0, 30.0, 30.0, 40.0]), instrument="gse")
    out = ef.standardize([30.0, 35.0], "gse", table, reliability=0.8)
    assert out["percentile"].tolist() == [50.0, 50 + (35 - 30) / (40 - 30) * (87.5 - 50)]
    assert out.loc[0, "z"] == 0.0


# ------------------------------------------------------------------------- YAML


def test_yaml_round_trip_of_every_bundled_table():
    for table in GSE.norms:
        assert from_yaml(to_yaml(table)) == table
        assert from_yaml(norm_table_to_yaml(table, indent=4)) == table


def _instrument_with(table_yaml: str) -> str:
    text = loader.resolve_path("gse").read_text("utf-8")
    return text.rstrip("\n") + "\n\n" + table_yaml


def test_round_trip_build_yaml_load_inside_instrument_file():
    rng = np.random.default_rng(7)
    n = 300
    scores = np.round(rng.normal(29, 5, n)).clip(10, 40)
    scores[:5] = [28.571428571428573, 31.428571428571427, 22.857142857142858, 40.0, 10.0]
    frame = gse_frame(
        scores, sex=rng.choice(["female", "male"], n), cohort=rng.choice([2019, 2020], n)
    )
    table = ef.build_norms(
        frame,
        by=["sex", "cohort"],
        instrument="gse",
        id="local_2020",
        population="Outpatients of one clinic, 2019-2020",
        source_ref="gse_world_data_2006",
        note="Built from local data.",
    )
    text = to_yaml(table, indent=2)
    assert text.startswith("  - id: local_2020\n")
    instrument = loader.from_text(_instrument_with(text), "gse_local.yaml")
    assert instrument.norm("local_2020") == table
    assert from_yaml(text) == table


@settings(max_examples=6, deadline=None)
@given(
    values=st.lists(st.integers(10, 40), min_size=3, max_size=30),
    mean_metric=st.booleans(),
)
def test_property_round_trip(values, mean_metric):
    if len(set(values)) < 2:
        return
    raw = np.array(values, dtype=float)
    scores = raw / 10.0 if mean_metric else raw
    frame = gse_frame(scores, method="mean" if mean_metric else "sum")
    table = ef.build_norms(frame, instrument="gse", source_ref="schwarzer1995")
    assert table.metric == ("mean" if mean_metric else "sum")
    loaded = loader.from_text(_instrument_with(to_yaml(table, indent=2)), "x.yaml")
    assert loaded.norm("local") == table


def test_from_yaml_reports_schema_problems():
    with pytest.raises(InstrumentError, match="'kind'"):
        from_yaml(
            "id: x\nscale: gse\npopulation: p\nsource: {ref: a, provenance: P}\ngroups: [{mean: 1}]"
        )
    with pytest.raises(InstrumentError, match="not in group_by"):
        from_yaml(
            "id: x\nscale: gse\nkind: published\npopulation: p\n"
            "source: {ref: a, provenance: P}\ngroups: [{where: {sex: f}, mean: 1}]"
        )
    with pytest.raises(InstrumentError, match="one norm table"):
        from_yaml("[]")


def test_no_warnings_in_plain_use_but_the_norm_guard():
    # the reference data pool 24 nations, across which scalar invariance failed
    # (the instrument's validity records): that one warning is the only one
    from efficacy.validation import NormInvarianceWarning

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        ef.standardize(gse_frame([30.0]), "gse", "world2006", reliability=0.86)
        ef.compare_to_norm(SAMPLE, "gse", "world2006")
    assert [w.category for w in seen] == [NormInvarianceWarning] * 2


def test_with_scores_from_ef_score():
    data = pd.DataFrame({f"gse{i}": [4, 3, 1, 2] for i in range(1, 11)})
    data["gse1"] = [4, 3, 1, None]  # one missing item: prorated sum
    scores = ef.score(data, "gse")
    out = ef.standardize(scores, "gse", "world2006", reliability=0.86)
    assert out["score"].tolist() == [40.0, 30.0, 10.0, 20.0]
    assert out.loc[1, "z"] == pytest.approx((30 - 29.59) / 5.29)
    means = ef.score(data, "gse", method="mean")
    with pytest.raises(DataError, match="scored as mean scores"):
        ef.standardize(means, "gse", "world2006", reliability=0.86)
    table = ef.build_norms(means, instrument="gse")
    assert table.metric == "mean"
