"""The validation, screening and IRT results summarise themselves as a Summary.

Each summary is a :class:`efficacy.results.Summary` whose rows hold the key numbers, whose
notes hold the caveats (warnings and problems first), and whose HTML shows the same rows.
"""

from __future__ import annotations

import dataclasses
import html
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import efficacy as ef
from efficacy.item_response import irt, reliable_change_theta
from efficacy.results import Summary
from efficacy.screening import data_quality, screen
from efficacy.validation import cfa, invariance

FIXTURES = Path(__file__).parent / "fixtures" / "irt"


def check(summary: Summary, result: object) -> str:
    """The summary is a Summary; its text and its HTML show every row and note."""
    assert isinstance(summary, Summary)
    text = str(summary)
    shown = result._repr_html_()  # type: ignore[attr-defined]
    assert shown == summary._repr_html_()
    assert html.escape(summary.title) in shown
    for label, value in summary.rows:
        assert isinstance(value, str)
        assert label in text and value in text
        assert (
            f"<th style='text-align:left'>{html.escape(label)}</th>"
            f"<td style='text-align:left'>{html.escape(value)}</td>"
        ) in shown
    for note in summary.notes:
        assert html.escape(note) in shown
    return text


def two_factors(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    f = rng.multivariate_normal([0.0, 0.0], [[1.0, 0.4], [0.4, 1.0]], size=n)
    columns = {}
    for j, loadings in enumerate(((0.8, 0.7, 0.6), (0.9, 0.6, 0.7))):
        for i, value in enumerate(loadings):
            columns[f"f{j}i{i}"] = value * f[:, j] + rng.normal(scale=0.6, size=n)
    return pd.DataFrame(columns)


MODEL = {"A": ["f0i0", "f0i1", "f0i2"], "B": ["f1i0", "f1i1", "f1i2"]}


# ------------------------------------------------------------------------ validation


def test_cfa_summary_rows_are_the_fit_measures():
    data = two_factors()
    data.iloc[[2, 5], 1] = np.nan
    fit = cfa(data, model=MODEL, estimator="MLR")
    summary = fit.summary()
    text = check(summary, fit)
    rows = dict(summary.rows)
    assert summary.rows[0] == ("status", "converged")
    assert rows["rows used"] == "398 (dropped for missing items: 2; missing data: listwise)"
    # 21 moments of 6 items; 4 free loadings, 6 residuals, 2 variances, 1 covariance
    assert rows["df"] == str(21 - 13) == str(int(fit.fit_measures["df"]))
    for key in ("chisq", "cfi", "cfi_robust", "rmsea", "srmr", "chisq_scaling_factor"):
        assert rows[key] == f"{fit.fit_measures[key]:.4f}"
    assert rows["factors"] == "A: f0i0, f0i1, f0i2; B: f1i0, f1i1, f1i2"
    assert summary.title == "Confirmatory factor analysis (MLR, marker loadings fixed to 1)"
    pd.testing.assert_frame_equal(summary.table, fit.loadings)
    assert "Loadings" in text and "f1i2" in text
    assert not [note for note in summary.notes if note.startswith("Problem")]


def test_cfa_summary_says_first_that_the_fit_did_not_converge():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = cfa(two_factors(), model=MODEL, max_iter=1)
    assert not fit.converged
    summary = fit.summary()
    check(summary, fit)
    assert summary.rows[0][0] == "status"
    assert summary.rows[0][1].startswith("did not converge: do not interpret")
    assert summary.notes[0].startswith("Problem:")
    assert "converge" in summary.notes[0]


def test_cfa_summary_says_first_that_a_converged_fit_has_problems():
    fit = cfa(two_factors(), model=MODEL)
    troubled = dataclasses.replace(fit, problems=("a Heywood case: f0i0",))
    assert troubled.converged and not troubled.ok
    summary = troubled.summary()
    check(summary, troubled)
    assert summary.rows[0] == (
        "status",
        "converged with problems: do not interpret this fit as it stands",
    )
    assert summary.notes[0] == "Problem: a Heywood case: f0i0"


def test_invariance_summary_shows_verdicts_criteria_and_the_ladder():
    data = two_factors(600, seed=4)
    data["g"] = np.repeat(["a", "b"], 300)
    inv = invariance(data, model=MODEL, group="g")
    summary = inv.summary()
    text = check(summary, inv)
    rows = dict(summary.rows)
    assert summary.title == "Measurement invariance across 'g' (ML)"
    assert rows["groups"] == "a, b" and rows["reference group"] == "a"
    for level in inv.levels:
        verdict = inv.table.loc[level, "verdict"]
        assert rows[level] == ("" if pd.isna(verdict) else str(verdict))
        assert f"Criteria for {level}: {inv.table.loc[level, 'criteria']}" in summary.notes
    assert summary.table.index.tolist() == list(inv.levels)
    assert summary.table["chisq"].tolist() == inv.table["chisq"].tolist()
    assert "delta_cfi" in text and "problems" not in rows


def test_invariance_summary_names_a_level_whose_fit_has_problems():
    data = two_factors(600, seed=4)
    data["g"] = np.repeat(["a", "b"], 300)
    inv = invariance(data, model=MODEL, group="g")
    bad = inv.fits["scalar"]
    troubled = dataclasses.replace(bad, problems=("a Heywood case: f0i0",))
    shown = dataclasses.replace(inv, fits={**inv.fits, "scalar": troubled})
    summary = shown.summary()
    check(summary, shown)
    assert summary.rows[0][0] == "problems" and "scalar" in summary.rows[0][1]
    assert summary.notes[0] == "Problem (scalar): a Heywood case: f0i0"


# ------------------------------------------------------------------------ screening


@pytest.fixture(scope="module")
def gse_demo():
    data = ef.datasets.load("gse_demo")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = screen(data, "gse", on_invalid="missing")
    return data, res


def test_screen_summary_counts_rules_and_sources(gse_demo):
    data, res = gse_demo
    summary = res.summary()
    text = check(summary, res)
    rows = dict(summary.rows)
    assert summary.title.startswith(f"Careless-responding screen: {len(data)} respondents")
    assert rows["respondents"] == str(len(data))
    # 20 of the demo's respondents are flagged (tests/screening/test_screening_exclude.py)
    assert rows["flagged by at least one rule"] == f"20 ({20 / len(data):.1%})"
    for key in res.rules.index:
        assert str(key) in rows
        assert res.rules.loc[key, "rule"] in rows[str(key)]
        if rows[str(key)].endswith("in the data)"):  # not applicable: no source to cite
            continue
        assert f"Source of the {key} rule: {res.rules.loc[key, 'source']}" in summary.notes
    longstring = res.counts().loc["longstring"]
    assert f"flagged {int(longstring['n_flagged'])}, computed for" in rows["longstring"]
    pd.testing.assert_frame_equal(summary.table, res.counts().drop(columns="rule"))
    assert "synonym pairs" in rows and "antonym pairs" in rows
    assert text.count("Warning:") == len(res.warnings)


def test_screen_summary_puts_its_warnings_first():
    rng = np.random.default_rng(0)
    items = pd.DataFrame(rng.integers(1, 5, size=(40, 4)), columns=list("abcd"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = screen(items, response_range=(1, 4))
    assert res.warnings  # four items cannot inform every index
    summary = res.summary()
    check(summary, res)
    assert summary.notes[: len(res.warnings)] == tuple(f"Warning: {w}" for w in res.warnings)


def test_data_quality_summary_shows_alpha_with_and_without_the_flagged(gse_demo):
    data, res = gse_demo
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dq = data_quality(data, "gse", res, on_invalid="missing")
        items = ef.item_responses(data, "gse", on_invalid="missing")
    summary = dq.summary()
    text = check(summary, dq)
    rows = dict(summary.rows)
    keep = ~res.flagged
    alpha_all, alpha_kept = ef.alpha(items).alpha, ef.alpha(items[keep]).alpha
    assert f"alpha {alpha_all:.3f} -> {alpha_kept:.3f}" in rows["gse without the flagged"]
    assert rows["flagged by at least one rule"] == f"20 ({20 / len(data):.1%})"
    assert rows["longstring"].endswith("flagged 10")
    assert summary.title.startswith(f"DataQuality: 20 of {len(data)} respondents flagged")
    assert summary.table is dq.effect
    assert "DataQuality" in dq._repr_html_() and "alpha" in text
    assert summary.notes[: len(dq.warnings)] == tuple(f"Warning: {w}" for w in dq.warnings)


# ------------------------------------------------------------------------ IRT


@pytest.fixture(scope="module")
def lsat7_model():
    return irt(pd.read_csv(FIXTURES / "lsat7.csv"))


def test_graded_model_summary_has_fit_convergence_and_items(lsat7_model):
    model = lsat7_model
    summary = model.summary()
    text = check(summary, model)
    rows = dict(summary.rows)
    assert summary.rows[0][0] == "status"
    assert summary.rows[0][1].startswith("converged (EM iterations")
    # mirt 1.x on LSAT7: logLik -2658.805, 10 parameters
    assert rows["fit"].startswith("log-likelihood -2658.805, AIC ")
    assert rows["fit"].endswith("parameters 10")
    assert rows["persons"] == "1000" and rows["items"] == "5"
    assert rows["marginal reliability"] == f"{model.marginal_reliability:.3f}"
    assert summary.table.columns.tolist() == ["a", "d1", "b1", "n_categories", "n"]
    assert summary.table["a"].tolist() == model.items["a"].tolist()
    assert "item5" in text


def test_graded_model_summary_says_first_that_it_did_not_converge():
    rng = np.random.default_rng(1)
    q1 = rng.integers(0, 2, 400)
    data = pd.DataFrame({"q1": q1, "q2": q1, "q3": rng.integers(0, 2, 400)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = irt(data, max_iter=50)
    summary = model.summary()
    check(summary, model)
    assert summary.rows[0][1].startswith(f"NOT converged: {model.message}")
    assert summary.notes[0].startswith("The estimation did not converge")


def test_theta_change_summary_counts_by_hand():
    pre = pd.DataFrame({"theta": [0.0, 0.5, 1.0, 0.0], "se": [0.3, 0.3, 0.3, np.nan]})
    post = pd.DataFrame({"theta": [1.0, 0.6, 0.2, 0.0], "se": [0.3, 0.3, 0.3, 0.3]})
    change = reliable_change_theta(pre, post)
    summary = change.summary()
    check(summary, change)
    rows = dict(summary.rows)
    # 1.0 / sqrt(0.18) = 2.36 > 1.96; 0.1 / 0.42 and -0.8 / 0.42 = -1.89 are not
    assert (
        rows["criterion"] == f"|rci| > {stats.norm.ppf(0.975):.4f} (level 0.95), higher is better"
    )
    assert rows["persons"] == "3 of 4 persons with usable scores at both occasions"
    assert rows["counts"] == "reliably deteriorated: 0; unchanged: 2; reliably improved: 1"
    assert (
        summary.notes[-1]
        == "1 of 4 persons without a usable score at both occasions are not classified."
    )


def test_item_fit_summary_counts_rows_and_misfitting_items(lsat7_model):
    fit = lsat7_model.item_fit()
    summary = fit.summary()
    check(summary, fit)
    rows = dict(summary.rows)
    assert rows["rows used"] == "1000 complete rows (0 incomplete rows left out)"
    assert rows["items with p < .05"] == f"{int((fit.table['p'] < 0.05).sum())} of 5"
    assert rows["mincell"] == "1"
    pd.testing.assert_frame_equal(summary.table, fit.table)
