"""standardize and compare_to_norm warn when a norm table compares or pools nations
without recorded scalar invariance across them."""

from __future__ import annotations

import warnings
from dataclasses import replace

import pandas as pd
import pytest

import efficacy as ef
from efficacy.instrument import NormTable
from efficacy.validation import NormInvarianceWarning, norm_invariance_problems


def test_a_table_by_country_warns_with_the_recorded_failure():
    scores = pd.DataFrame({"gse": [25.0, 31.0], "country": ["Germany", "Germany"]})
    with pytest.warns(NormInvarianceWarning, match=r"by 'country'.*failed \(damasio2016, \[P\]"):
        ef.compare_to_norm(scores, "gse", "world2006_country", group="country")
    with pytest.warns(NormInvarianceWarning, match="by 'country'"):
        ef.standardize(scores, "gse", "world2006_country", group="country")


def test_a_table_pooling_nations_warns_even_when_grouped_by_sex():
    by_sex = pd.DataFrame({"gse": [25.0, 31.0], "sex": ["male", "female"]})
    with pytest.warns(NormInvarianceWarning, match="pools respondents across nations"):
        ef.compare_to_norm(by_sex, "gse", "world2006_sex", group="sex")
    assert ef.load("gse").norm("world2006").spans == ("nation",)


def test_a_table_by_sex_from_one_nation_does_not_warn():
    gse = ef.load("gse")
    one_nation = replace(gse.norm("world2006_sex"), spans=())
    assert norm_invariance_problems(gse, one_nation) == []
    by_sex = pd.DataFrame({"gse": [25.0, 31.0], "sex": ["male", "female"]})
    with warnings.catch_warnings():
        warnings.simplefilter("error", NormInvarianceWarning)
        ef.compare_to_norm(by_sex, "gse", one_nation, group="sex")


def test_an_instrument_without_records_says_never_tested():
    gse = ef.load("gse")
    untested = replace(gse, validity=None)
    (message,) = norm_invariance_problems(untested, gse.norm("world2006"))
    assert "pools respondents across nations" in message
    assert "never tested (no validity record in gse)" in message


def test_spans_round_trip_through_yaml():
    table = ef.load("gse").norm("world2006_sex")
    text = table.to_yaml()
    assert "  spans: [nation]\n" in text
    assert NormTable.from_yaml(text).spans == ("nation",)
    assert "spans" not in replace(table, spans=()).to_yaml()


def test_a_pooled_grouping_the_table_already_compares_is_said_once():
    gse = ef.load("gse")
    problems = norm_invariance_problems(gse, gse.norm("world2006_country"), spans=["nation"])
    assert len(problems) == 1 and "by 'country'" in problems[0]
