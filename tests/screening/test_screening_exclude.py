"""Scoring with flagged respondents excluded, and the report's data-quality numbers."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import efficacy as ef
from efficacy.errors import DataError
from efficacy.screening import data_quality, resolve_exclude, screen


@pytest.fixture(scope="module")
def demo():
    data = ef.datasets.load("gse_demo")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = screen(data, "gse", on_invalid="missing")
    return data, res


def test_exclusion_from_a_screen_marks_the_flagged_rows_with_reasons(demo):
    data, res = demo
    ex = resolve_exclude(data, res)
    assert ex.rows.tolist() == res.flagged.tolist()
    assert ex.provenance["n_excluded"] == res.n_flagged == 20
    assert ex.provenance["rule"] == "screen: any flag"
    assert ex.provenance["rows"] == list(data.index[res.flagged.to_numpy()])
    assert sum(ex.provenance["reasons"].values()) == 20


def test_scoring_with_the_exclusion_equals_scoring_with_those_rows_blank(demo):
    data, res = demo
    ex = resolve_exclude(data, res.flagged)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        values = ef.item_responses(data, "gse", on_invalid="missing").to_numpy()
        blanked = data.copy()
        blanked.loc[res.flagged, [f"gse{i}" for i in range(1, 11)]] = np.nan
        expected = ef.score(blanked, "gse", on_invalid="missing")
    from efficacy.scoring import scale_scores

    scores, n_valid = scale_scores(ex.apply(values), ef.load("gse"), ef.load("gse").scale())
    np.testing.assert_array_equal(scores, expected["gse"].to_numpy())
    np.testing.assert_array_equal(n_valid, expected["gse_n_valid"].to_numpy())
    assert np.isnan(scores[ex.rows]).all() and not np.isnan(values[ex.rows]).all()


def test_exclusion_accepts_a_series_in_any_order_and_a_list_of_labels():
    data = pd.DataFrame({"gse1": [1, 2, 3, 4]}, index=["a", "b", "c", "d"])
    shuffled = pd.Series([True, False, False, True], index=["d", "c", "b", "a"])
    assert resolve_exclude(data, shuffled).rows.tolist() == [True, False, False, True]
    assert resolve_exclude(data, ["b"]).rows.tolist() == [False, True, False, False]
    assert resolve_exclude(data, []).provenance["n_excluded"] == 0


@pytest.mark.parametrize(
    ("exclude", "match"),
    [
        (pd.Series([True, False], index=["a", "b"]), "lacks 2 rows of data: \\['c', 'd'\\]"),
        (pd.Series([1, 0, 0, 1], index=list("abcd")), "boolean Series"),
        (["a", "zz"], "rows not in data: \\['zz'\\]"),
        ("a", "must be a screen result"),
        (pd.Series([True] * 5, index=list("abcda")), "duplicate"),
    ],
)
def test_bad_exclusions_raise(exclude, match):
    data = pd.DataFrame({"gse1": [1, 2, 3, 4]}, index=["a", "b", "c", "d"])
    with pytest.raises(DataError, match=match):
        resolve_exclude(data, exclude)


def test_data_quality_alpha_and_mean_with_and_without_flagged(demo):
    data, res = demo
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dq = data_quality(data, "gse", res, on_invalid="missing")
        items = ef.item_responses(data, "gse", on_invalid="missing")
        scores = ef.score(data, "gse", on_invalid="missing")["gse"]
    keep = ~res.flagged
    row = dq.effect.loc["gse"]
    assert row["alpha_all"] == pytest.approx(ef.alpha(items).alpha, rel=1e-12)
    assert row["alpha_kept"] == pytest.approx(ef.alpha(items[keep]).alpha, rel=1e-12)
    assert row["mean_all"] == pytest.approx(scores.mean(), rel=1e-12)
    assert row["mean_kept"] == pytest.approx(scores[keep].mean(), rel=1e-12)
    assert row["mean_change"] == pytest.approx(row["mean_kept"] - row["mean_all"])
    assert (row["n_all"], row["n_kept"]) == (scores.notna().sum(), scores[keep].notna().sum())
    assert dq.n_flagged == 20 and dq.counts.loc["longstring", "n_flagged"] == 10
    assert "alpha" in str(dq.summary()) and "longstring >= 10" in str(dq.summary())
    assert dq.to_frame() is dq.effect and "DataQuality" in dq._repr_html_()


def test_data_quality_rejects_a_screen_of_other_rows(demo):
    data, res = demo
    with pytest.raises(DataError, match="other rows"):
        data_quality(data.head(50), "gse", res, on_invalid="missing")
