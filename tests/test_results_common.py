"""Results summarise themselves; the common numbers read directly; warnings said once."""

from __future__ import annotations

import copy
import html as html_lib
import warnings

import numpy as np
import pandas as pd
import pytest

import efficacy as ef
from efficacy.datasets import load_demo
from efficacy.results import Summary
from efficacy.scoring import InvalidResponseWarning


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    return load_demo()


@pytest.fixture(scope="module")
def rel(demo):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ef.reliability(demo, "gse", on_invalid="missing")


@pytest.fixture(scope="module")
def items(demo) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ef.item_responses(demo, "gse", on_invalid="missing").dropna()


# ------------------------------------------------------------ direct numbers


def test_scale_alpha_is_the_number_and_keeps_its_result(rel):
    a = rel["gse"].alpha
    assert isinstance(a, float)
    assert a == rel["gse"].alpha.alpha == rel.to_frame().loc["gse", "alpha"]
    assert round(a, 3) == pytest.approx(0.876, abs=1e-3)
    assert f"{a:.2f}" == f"{rel['gse'].alpha.alpha:.2f}"
    assert a.ci == a.result.ci and a.items is a.result.items
    assert isinstance(a.summary(), Summary)
    assert repr(a) == repr(float(a.alpha))  # shown as the number it is
    assert rel["gse"].omega_total == pytest.approx(rel["gse"].omega.omega_total)
    again = copy.deepcopy(rel["gse"])  # through Alpha.__reduce__, as pickle goes
    assert again.alpha == a and again.alpha.n_obs == a.n_obs


def test_instrument_reliability_repr_shows_alpha(rel):
    text = repr(rel)
    assert "alpha={'gse': 0.87" in text
    assert "..." not in text


def test_reliability_passes_omegas_warnings_on(demo, monkeypatch):
    import efficacy.coefficients.factor_analysis._omega as omega_module

    real = omega_module.omega

    def unconverged(*args, **kwargs):
        warnings.warn("the factor solution did not meet its convergence criterion", stacklevel=2)
        return real(*args, **kwargs)

    monkeypatch.setattr(omega_module, "omega", unconverged)
    with pytest.warns(UserWarning, match="convergence criterion"):
        ef.reliability(demo.dropna(), "gse", on_invalid="missing")


# ------------------------------------------------------------------ summaries


def _check(summary: Summary, *words: str) -> str:
    assert isinstance(summary, Summary)
    text = str(summary)
    html = summary._repr_html_()
    for word in words:
        assert word in text, (word, text)
    assert html.startswith("<div>") and html_lib.escape(summary.title) in html
    return text


def test_alpha_summary(items):
    text = _check(ef.alpha(items).summary(), "alpha", "95% CI", "feldt", "respondents", "items")
    assert "r_drop" in text  # the item analysis


def test_omega_and_fa_summaries(items):
    _check(ef.omega(items).summary(), "omega total", "omega hierarchical", "respondents", "minres")
    _check(ef.fa(items).summary(), "RMSEA", "rotation", "respondents", "converged")


def test_split_half_guttman_kr_summaries(items):
    _check(ef.split_half(items).summary(), "splits", "respondents", "maximum")
    _check(ef.guttman(items).summary(), "lambda", "respondents")
    binary = (items > 2).astype(float)
    _check(ef.kr20(binary).summary(), "KR-20", "dropped", "respondents")
    _check(ef.kr21(binary).summary(), "KR-21", "dropped", "respondents")


def test_polychoric_retest_compare_summaries(items):
    _check(ef.polychoric(items.iloc[:, :3]).summary(), "method", "respondents", "smoothed")
    rng = np.random.default_rng(3)
    t1 = rng.normal(30, 5, 80)
    t2 = t1 + rng.normal(0, 2, 80)
    t2[0] = np.nan
    _check(ef.test_retest(t1, t2).summary(), "ICC(A,1)", "Pearson r", "dropped", "1 without")
    compared = ef.compare_alphas([0.8, 0.7], [100, 120], [10, 10])
    _check(compared.summary(), "method", "p", "alphas", "independent")


def test_scale_and_instrument_reliability_summaries(rel):
    _check(rel["gse"].summary(), "alpha", "feldt", "omega total", "respondents", "published")
    text = _check(rel.summary(), "Alpha intervals: 95% (feldt)", "respondents")
    assert "alpha_ci_lower" in text


def test_apa_table_summary_and_its_own_html():
    from efficacy.output.tables import ApaTable

    table = ApaTable(frame=pd.DataFrame({"a": [1.0, 2.0]}), title="Means", number=2)
    _check(table.summary(), "Table 2", "Means", "2 rows")
    assert "<table" in table._repr_html_()


# ------------------------------------------------------------------- warnings


def _invalid_warnings(caught) -> int:
    return sum(issubclass(w.category, InvalidResponseWarning) for w in caught)


def test_the_invalid_cell_warning_is_said_once_per_analysis(demo):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        ef.score(demo, "gse", on_invalid="missing")
        ef.item_responses(demo, "gse", on_invalid="missing")
        ef.reliability(demo, "gse", on_invalid="missing", omega=False)
        assert _invalid_warnings(caught) == 1
        other = demo.copy()
        other.loc[other.index[0], "gse1"] = 17  # other data: said again
        ef.score(other, "gse", on_invalid="missing")
        assert _invalid_warnings(caught) == 2


def test_every_occurrence_when_asked_for(demo):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ef.score(demo, "gse", on_invalid="missing")
        ef.score(demo, "gse", on_invalid="missing")
    assert _invalid_warnings(caught) == 2
    for _ in range(2):  # a fresh filter state starts afresh
        with pytest.warns(InvalidResponseWarning):
            ef.score(demo, "gse", on_invalid="missing")


# ------------------------------------------------------------------- T score


def test_t_score_has_its_own_name_and_the_old_one_warns():
    scores = pd.DataFrame({"gse": [35.0, 29.59, 20.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        out = ef.standardize(scores, "gse", "world2006", reliability=0.86)
        t_score = out["t_score"]
        assert "t" not in out.columns
        assert {"t_score_ci_lower", "t_score_ci_upper"} <= set(out.columns)
    for read in (
        lambda o: o["t"],
        lambda o: o.t,
        lambda o: o.loc[:, "t"],
        lambda o: o.at[0, "t"],
        lambda o: o[["z", "t"]]["t"],
        lambda o: o.loc[0, ["z", "t"]]["t_score"],
    ):
        with pytest.warns(DeprecationWarning, match="'t_score'"):
            value = read(out)
        assert np.allclose(np.atleast_1d(value)[:1], t_score.iloc[:1])
    with pytest.warns(DeprecationWarning, match="t_score_ci_lower"):
        assert (out["t_ci_lower"] == out["t_score_ci_lower"]).all()
    comparison = ef.compare_to_norm(scores, "gse", norm="world2006").to_frame()
    assert "t" in comparison.columns  # the t statistic keeps its name


def test_report_summary():
    from efficacy.output._report import Report

    scores = pd.DataFrame({"gse": [30.0, 25.0]})
    report = Report(
        html="<html></html>",
        title="GSE report",
        instrument="gse",
        scores=scores,
        reliability=None,
        methods="Internal consistency was alpha = .88.",
    )
    text = _check(report.summary(), "GSE report", "2 scored", "not saved", "alpha = .88")
    assert "tables" in text and "figures" in text


def test_a_nested_filter_state_does_not_make_the_outer_one_repeat(demo):
    with warnings.catch_warnings(record=True) as outer:
        warnings.simplefilter("default")
        ef.score(demo, "gse", on_invalid="missing")
        with warnings.catch_warnings(record=True) as inner:  # e.g. inside a report
            ef.score(demo, "gse", on_invalid="missing")
        ef.item_responses(demo, "gse", on_invalid="missing")
    assert _invalid_warnings(inner) == 1
    assert _invalid_warnings(outer) == 1
