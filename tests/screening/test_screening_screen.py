"""ef.screen driven by instruments: declared checks, speed, cut-offs, warnings, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

import efficacy as ef
from efficacy.errors import DataError, EfficacyError, InstrumentError
from efficacy.instrument import check_text, from_text, instruments_dir
from efficacy.screening import ScreeningWarning, screen

RSES = yaml.safe_load((instruments_dir() / "rses.yaml").read_text("utf-8"))


def rses_with_screening(section: dict) -> str:
    data = {**RSES, "id": "rses_checked", "screening": section}
    return yaml.dump(data, Dumper=_NoAliases, sort_keys=False)


class _NoAliases(yaml.SafeDumper):
    """Instrument files refuse YAML aliases: write repeated objects out in full."""

    def ignore_aliases(self, data):
        return True


CHECKED = {
    "checks": [
        {
            "id": "attn1",
            "kind": "attention",
            "text": "Please answer 'Strongly agree'.",
            "expected": [3],
        },
        {
            "id": "infreq1",
            "kind": "infrequency",
            "text": "I have never used a phone.",
            "expected": [0, 1],
        },
    ],
    "seconds_per_item": 3,
    "antonyms": [["rses1", "rses2"], ["rses3", "rses5"], ["rses4", "rses6"], ["rses7", "rses8"]],
    "source": {"ref": "umd_rosenberg", "provenance": "S"},
}


def quiet(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return screen(*args, **kwargs)


#: Item intercepts: each reverse-keyed item mirrors its positive partner (3 - b).
INTERCEPT = {
    "rses1": 0.6,
    "rses3": 1.1,
    "rses4": 1.6,
    "rses7": 2.0,
    "rses10": 2.4,
    "rses2": 2.4,
    "rses5": 1.9,
    "rses6": 1.4,
    "rses8": 1.0,
    "rses9": 0.6,
}


def rses_data(n: int = 60, seed: int = 3) -> pd.DataFrame:
    """Answers driven by one trait; reverse-keyed items answered the other way."""
    rng = np.random.default_rng(seed)
    trait = rng.normal(size=n)
    inst = ef.load("rses")
    cols = {}
    for item in inst.items:
        sign = -1 if item.reversed else 1
        answer = INTERCEPT[item.id] + sign * 0.7 * trait + rng.normal(0, 0.4, n)
        cols[item.id] = np.clip(np.round(answer), 0, 3)
    return pd.DataFrame(cols, index=[f"p{i}" for i in range(n)])


# ------------------------------------------------------------------- declared checks


def test_schema_accepts_the_screening_section_and_the_instrument_carries_it():
    inst = from_text(rses_with_screening(CHECKED), "rses_checked.yaml")
    spec = inst.screening
    assert [c.id for c in spec.checks] == ["attn1", "infreq1"]
    assert spec.checks[1].expected == (0.0, 1.0) and spec.checks[1].kind == "infrequency"
    assert spec.seconds_per_item == 3 and spec.antonyms[0] == ("rses1", "rses2")
    assert ef.load("rses").screening is None  # bundled instruments declare none


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"antonyms": [["rses1", "nope"]]}, "antonym pair needs two different items"),
        ({"antonyms": [["rses1", "rses1"]]}, "antonym pair needs two different items"),
        ({"checks": [{**CHECKED["checks"][0], "id": "rses1"}]}, "also an item id"),
        ({"checks": [CHECKED["checks"][0], dict(CHECKED["checks"][0])]}, "used twice"),
        ({"seconds_per_item": 0}, "seconds_per_item"),
        ({"checks": [{**CHECKED["checks"][0], "expected": []}]}, "expected"),
        ({"source": {"ref": "nobody", "provenance": "S"}}, "not a key in citations"),
    ],
)
def test_bad_screening_sections_are_reported(section, message):
    problems = check_text(rses_with_screening(section), "x.yaml")
    assert any(message in p and "screening" in p for p in problems), problems


def test_failed_checks_and_too_fast_completion_are_flagged():
    inst = from_text(rses_with_screening(CHECKED), "rses_checked.yaml")
    data = rses_data(6)
    data["attn1"] = [3, 3, 2, np.nan, 3, 3]  # row 2 wrong, row 3 skipped (fails)
    data["infreq1"] = [0, 1, 0, 0, 3, 0]  # row 4 claims the improbable
    data["secs"] = [120.0, 20.0, 100.0, 100.0, 100.0, np.nan]  # 12 items shown
    res = quiet(data, inst, duration="secs", cutoffs={"mahalanobis": None, "longstring": None})
    assert res.indices["failed_checks"].tolist() == [0, 0, 1, 1, 1, 0]
    np.testing.assert_allclose(
        res.indices["seconds_per_item"], [10, 20 / 12, 100 / 12, 100 / 12, 100 / 12, np.nan]
    )
    assert res.flags["failed_checks_flag"].tolist() == [False, False, True, True, True, False]
    assert res.flags["seconds_per_item_flag"].tolist() == [False, True] + [False] * 4
    assert res.rules.loc["seconds_per_item", "cutoff"] == 3  # declared by the instrument
    assert res.reasons["p1"] == "seconds_per_item < 3"
    assert res.reasons["p2"] == "failed_checks >= 1"
    assert "seconds_per_item: no duration" in res.notes["p5"]


def test_declared_and_keyed_antonyms():
    inst = from_text(rses_with_screening(CHECKED), "rses_checked.yaml")
    data = rses_data(80)
    declared = quiet(data, inst, antonyms="declared")
    assert declared.antonym_pairs == tuple(tuple(p) for p in CHECKED["antonyms"])
    keyed = quiet(data, inst, antonyms="keyed")
    # reversed rses2, 5, 6, 8, 9 matched by rank with positive rses1, 3, 4, 7, 10
    assert keyed.antonym_pairs == (
        ("rses2", "rses1"),
        ("rses5", "rses3"),
        ("rses6", "rses4"),
        ("rses8", "rses7"),
        ("rses9", "rses10"),
    )
    # attentive answers: antonyms answered in opposite directions
    assert np.nanmedian(keyed.indices["psychant"]) < -0.5
    given = quiet(data, inst, antonyms=[("rses1", "rses2"), ("rses3", "rses5"), ("rses4", "rses6")])
    assert given.antonym_source == "given" and len(given.antonym_pairs) == 3
    with pytest.raises(DataError, match="unknown items"):
        quiet(data, inst, antonyms=[("rses1", "zzz")])


def test_missing_check_columns_are_named_in_a_warning():
    inst = from_text(rses_with_screening(CHECKED), "rses_checked.yaml")
    with pytest.warns(ScreeningWarning, match=r"declared checks \['attn1', 'infreq1'\]"):
        res = screen(rses_data(), inst)
    assert "failed_checks" not in res.indices


# ------------------------------------------------------------------- instruments


def test_tses_even_odd_uses_the_three_subscales_not_the_total():
    rng = np.random.default_rng(0)
    inst = ef.load("tses")
    data = pd.DataFrame(rng.integers(1, 10, size=(50, 24)), columns=list(inst.item_ids))
    res = quiet(data, "tses")
    assert list(res.factors) == ["engagement", "instruction", "management"]
    assert res.indices["even_odd"].notna().all()


def test_several_instruments_are_screened_together():
    data = pd.concat(
        [
            rses_data(40),
            ef.datasets.load("gse_demo").head(40).filter(like="gse").set_axis(rses_data(40).index),
        ],
        axis=1,
    )
    res = quiet(data, ["gse", "rses"], on_invalid="missing")
    assert res.items == ef.load("gse").item_ids + ef.load("rses").item_ids
    assert list(res.factors) == ["gse", "rses"]
    assert res.instruments == ("gse", "rses")


def test_honest_warnings():
    gse = ef.datasets.load("gse_demo").head(200).filter(like="gse")
    with pytest.warns(ScreeningWarning) as record:
        res = screen(gse, "gse", on_invalid="missing")
    text = " ".join(str(w.message) for w in record)
    assert "straight-lining cannot be told from consistency" in text
    assert "even_odd: needs at least 2 subscales" in text
    assert res.indices["even_odd"].isna().all()
    assert len(res.warnings) == len([w for w in record if w.category is ScreeningWarning])
    # RSES has reverse-keyed items: straight-lining is informative there
    rses = quiet(rses_data(), "rses")
    assert not any(w.startswith("longstring") for w in rses.warnings)


def test_two_subscales_warn_that_even_odd_is_only_plus_or_minus_one():
    rng = np.random.default_rng(4)
    data = pd.DataFrame(rng.integers(1, 6, size=(40, 6)), columns=list("abcdef"))
    with pytest.warns(ScreeningWarning, match="can only be 1, -1 or NaN"):
        res = screen(data, scales={"x": ["a", "b", "c"], "y": ["d", "e", "f"]})
    assert set(res.indices["even_odd"].dropna()) <= {-1.0, 1.0}


def test_all_missing_row_gets_nan_and_a_reason_not_zero():
    data = rses_data(30)
    data.iloc[4] = np.nan
    res = quiet(data, "rses")
    row = res.to_frame().iloc[4]
    for column in ("longstring", "longstring_avg", "irv", "mahalanobis", "person_total_r"):
        assert np.isnan(row[column]), column
    assert row["n_missing"] == 10 and not row["flagged"]
    assert "longstring: no answers" in row["notes"] and "irv: fewer than 2 answers" in row["notes"]


# ------------------------------------------------------------------- cut-offs


def test_default_cut_offs_and_their_sources_are_stated():
    res = quiet(rses_data(), "rses")
    rules = res.rules
    assert rules.loc["longstring", "cutoff"] == 10
    assert rules.loc["mahalanobis", "cutoff"] == 0.99
    assert pd.isna(rules.loc["even_odd", "cutoff"])  # one scale: even-odd cannot inform
    assert "fewer than 3 subscales" in rules.loc["even_odd", "source"]
    tses = ef.load("tses")
    three = pd.DataFrame(
        np.random.default_rng(2).integers(1, 10, size=(40, 24)), columns=list(tses.item_ids)
    )
    assert quiet(three, tses).rules.loc["even_odd", "cutoff"] == -0.30
    assert rules["source"].str.len().min() > 10
    text = str(res.summary())
    assert f"mahalanobis > {stats.chi2.ppf(0.99, 10):.4g}" in text  # 23.21
    assert "Meade & Craig, 2012" in text and "Johnson (2005)" in text


def test_every_cut_off_can_be_changed_or_turned_off():
    data = rses_data(80)
    base = quiet(data, "rses")
    strict = quiet(
        data,
        "rses",
        cutoffs={
            "mahalanobis": 0.5,
            "longstring": 3,
            "irv": 0.8,
            "psychsyn": 0.9,
            "person_total": 0.5,
        },
    )
    d2 = base.indices["mahalanobis"]
    assert strict.flags["mahalanobis_flag"].equals(d2 > stats.chi2.ppf(0.5, 10))
    assert strict.flags["longstring_flag"].equals(base.indices["longstring"] >= 3)
    assert strict.flags["irv_flag"].equals(base.indices["irv"] <= 0.8)
    assert strict.flags["psychsyn_flag"].equals(base.indices["psychsyn"] < 0.9)
    assert strict.flags["person_total_r_flag"].equals(base.indices["person_total_r"] < 0.5)
    off = quiet(data, "rses", cutoffs={"mahalanobis": None, "longstring": None, "even_odd": None})
    assert off.flags.shape[1] == 0 and not off.flagged.any()
    assert "mahalanobis: not flagged" in str(off.summary())


@pytest.mark.parametrize(
    ("cutoffs", "match"),
    [
        ({"longstrng": 3}, "unknown cut-offs"),
        ({"mahalanobis": 23.2}, "confidence in"),
        ({"irv": "low"}, "must be a number"),
    ],
)
def test_bad_cut_offs_raise(cutoffs, match):
    with pytest.raises(DataError, match=match):
        quiet(rses_data(), "rses", cutoffs=cutoffs)


# ------------------------------------------------------------------- input checks


def test_the_callers_data_are_not_changed():
    data = rses_data()
    data.iloc[0, 0] = np.nan
    before = data.copy()
    quiet(data, "rses")
    pd.testing.assert_frame_equal(data, before)


def test_result_is_on_the_data_index_with_the_documented_columns():
    res = quiet(rses_data(), "rses")
    frame = res.to_frame()
    assert frame.index.equals(rses_data().index)
    assert list(frame.columns[:10]) == [
        "longstring",
        "longstring_avg",
        "irv",
        "mahalanobis",
        "mahalanobis_p",
        "even_odd",
        "psychsyn",
        "psychant",
        "person_total_r",
        "n_missing",
    ]
    assert {"flagged", "reasons", "notes", "mahalanobis_flag"} <= set(frame.columns)
    np.testing.assert_allclose(frame["mahalanobis_p"], stats.chi2.sf(frame["mahalanobis"], 10))
    assert "ScreenResult(n_obs=60" in repr(res) and "<table>" in res._repr_html_()


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda d: screen(d.to_numpy(), "rses"), "must be a pandas DataFrame"),
        (lambda d: screen(d.iloc[:0], "rses"), "no rows"),
        (lambda d: screen(d, "rses", scales={"a": ["rses1"]}), "not both"),
        (lambda d: screen(d.drop(columns="rses4"), "rses"), "rses4"),
        (lambda d: screen(d, "rses", duration="time"), "duration column 'time'"),
        (lambda d: screen(d.assign(t=-1.0), "rses", duration="t"), "non-negative"),
        (lambda d: screen(d, scales={"a": ["rses1", "rses2"]}, reverse=["rses2"]), "range"),
        (lambda d: screen(d, scales={"a": ["rses1", "x"]}), "lacks 1 column"),
        (lambda d: screen(d, "rses", critval=1.5), "critval"),
        (lambda d: screen(d, "rses", antonyms="sideways"), "antonyms must be"),
    ],
)
def test_bad_input_raises_a_clear_efficacy_error(call, match):
    data = rses_data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(EfficacyError, match=match):
            call(data)


def test_invalid_responses_name_the_cells():
    data = rses_data()
    data.loc["p3", "rses2"] = 7
    with pytest.raises(ef.InvalidResponseError, match="rses2"):
        quiet(data, "rses")


def test_instrument_errors_stay_instrument_errors():
    with pytest.raises(InstrumentError):
        from_text(rses_with_screening({"antonyms": [["rses1", "x"]]}))
