"""The bundled instrument catalogue: every file valid, every fact sourced, and each
instrument's published scoring pinned against the reference (INSTRUMENTS.md facts,
written out here by hand), so an edit that breaks the scoring fails loudly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import efficacy as ef
from efficacy.instrument._loader import bundled_ids, instruments_dir, validate_file

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "instruments" / "templates" / "bandura_template.yaml"
EXAMPLE = ROOT / "docs" / "examples" / "difficult_conversations.yaml"
CATALOGUE = ("gse", "ngse", "semcd6", "tses", "mslq_se", "rses")

BUNDLED = bundled_ids()
ALL_FILES = [instruments_dir() / f"{i}.yaml" for i in BUNDLED] + [TEMPLATE, EXAMPLE]
FILE_IDS = [p.stem for p in ALL_FILES]


def raw(path: Path) -> dict:
    return yaml.safe_load(path.read_text("utf-8"))


# ------------------------------------------------------------------ every file


def test_catalogue_ships_the_reference_instruments():
    assert set(CATALOGUE) <= set(BUNDLED)


@pytest.mark.parametrize("path", ALL_FILES, ids=FILE_IDS)
def test_file_validates_and_loads(path):
    assert validate_file(path) == []
    assert ef.load(path).id == raw(path)["id"]


def test_ids_unique_and_match_file_names():
    ids = [raw(p)["id"] for p in ALL_FILES]
    assert len(ids) == len(set(ids))
    for instrument_id in BUNDLED:
        assert ef.load(instrument_id).id == instrument_id


@pytest.mark.parametrize("path", ALL_FILES, ids=FILE_IDS)
def test_score_range_follows_from_items_response_and_method(path):
    data = raw(path)
    low, high = float(data["response"]["min"]), float(data["response"]["max"])
    n_all = len(data["items"])
    inst = ef.load(path)
    for scale in data["scales"]:
        n = n_all if scale["items"] == "all" else len(scale["items"])
        factor = n if scale["method"] == "sum" else 1
        assert inst.score_range(scale["id"]) == (low * factor, high * factor)


@pytest.mark.parametrize("path", ALL_FILES, ids=FILE_IDS)
def test_scored_extremes_reach_the_range(path):
    """Lowest answers (highest on reverse-keyed items) score the bottom of each range."""
    inst = ef.load(path)
    lo, hi = inst.response.min, inst.response.max
    worst = {it.id: [hi if it.reversed else lo] for it in inst.items}
    best = {it.id: [lo if it.reversed else hi] for it in inst.items}
    data = pd.concat([pd.DataFrame(worst), pd.DataFrame(best)], ignore_index=True)
    scores = ef.score(data, inst)
    for scale in inst.scales:
        low, high = inst.score_range(scale.id)
        assert scores[scale.id].tolist() == [low, high]


@pytest.mark.parametrize("path", ALL_FILES, ids=FILE_IDS)
def test_norm_means_lie_inside_the_score_range(path):
    inst = ef.load(path)
    for table in inst.norms:
        low, high = inst.score_range(table.scale, method=table.metric)
        for group in table.groups:
            assert low <= group.mean <= high, (table.id, group.label)


@pytest.mark.parametrize("path", ALL_FILES, ids=FILE_IDS)
def test_every_fact_carries_a_source(path):
    data = raw(path)
    keys = {c["key"] for c in data["citations"]}
    sourced = [data["license"], data["response"], *data["scales"]]
    sourced += data.get("reliability", []) + data.get("norms", [])
    for fact in sourced:
        assert fact["source"]["ref"] in keys
        assert fact["source"]["provenance"] in {"P", "S", "C"}
    for entry in data.get("reliability", []):
        assert ("value" in entry) or ("range" in entry)


@pytest.mark.parametrize("path", ALL_FILES, ids=FILE_IDS)
def test_reference_data_is_never_labelled_published(path):
    for table in ef.load(path).norms:
        assert (table.kind == "reference_data") == (table.source.provenance == "C"), table.id


@pytest.mark.parametrize("path", ALL_FILES, ids=FILE_IDS)
def test_every_scale_states_its_missing_rule(path):
    for scale in ef.load(path).scales:
        assert len(scale.missing_rule) > 20
        if scale.method == "sum" and scale.min_valid < scale.n_items:
            assert scale.prorate


def test_generality_and_direction():
    for instrument_id in CATALOGUE:
        inst = ef.load(instrument_id)
        expected = "general" if instrument_id in {"gse", "ngse", "rses"} else "domain-specific"
        assert inst.generality == expected
        assert inst.higher_is_better
        assert inst.validated


def test_catalogue_pages_are_generated_not_edited():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate_catalogue.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


# ------------------------------------------------ reference facts, per instrument


def test_ngse_reference_facts():
    inst = ef.load("ngse")
    assert inst.n_items == 8
    assert inst.item_ids == tuple(f"ngse{i}" for i in range(1, 9))
    assert inst.reverse_items == ()
    assert inst.items[0].text == (
        "I will be able to achieve most of the goals that I have set for myself."
    )
    assert inst.items[-1].text == "Even when things are tough, I can perform quite well."
    assert (inst.response.min, inst.response.max) == (1, 5)
    assert inst.response.labels[3] == "Neither agree nor disagree"
    scale = inst.scale("ngse")
    assert (scale.method, scale.min_valid, inst.score_range("ngse")) == ("mean", 8, (1, 5))
    assert "no missing-data rule" in scale.missing_rule
    assert sorted(r.value for r in inst.reliability) == [0.86, 0.90]
    assert inst.norms == ()
    assert inst.license.summary.startswith("No explicit licence found.")
    assert inst.citation("chen2001").doi == "10.1177/109442810141004"


def test_semcd6_reference_facts():
    inst = ef.load("semcd6")
    assert inst.n_items == 6
    assert inst.reverse_items == ()
    assert inst.items[0].text == (
        "How confident are you that you can keep the fatigue caused by your disease from "
        "interfering with the things you want to do?"
    )
    assert inst.items[-1].text == (
        "How confident are you that you can do things other than just taking medication to "
        "reduce how much your illness affects your everyday life?"
    )
    assert "reduce your need to see a doctor?" in inst.items[4].text
    assert any('"you illness"' in note for note in inst.notes)
    assert any("consecutive" in note for note in inst.notes)
    assert inst.instructions.startswith("We would like to know how confident you are")
    assert dict(inst.response.labels) == {1: "Not at all confident", 10: "Totally confident"}
    scale = inst.scale("semcd6")
    assert (scale.method, scale.min_valid, inst.score_range("semcd6")) == ("mean", 4, (1, 10))
    row = inst.norm("stanford605").group()
    assert (row.n, row.mean, row.sd) == (605, 5.17, 2.22)
    assert inst.norm("stanford605").kind == "published"
    assert inst.norm("stanford605").metric == "mean"
    by_n = {r.n: r for r in inst.reliability}
    assert by_n[605].value == 0.91
    assert by_n[2866].range == (0.88, 0.95)
    assert by_n[2866].source.ref == "ritter2014"
    assert inst.citation("ritter2014").doi == "10.1016/j.jclinepi.2014.06.009"


TSES_KEY = {
    "engagement": [1, 2, 4, 6, 9, 12, 14, 22],
    "instruction": [7, 10, 11, 17, 18, 20, 23, 24],
    "management": [3, 5, 8, 13, 15, 16, 19, 21],
}


def test_tses_reference_facts():
    inst = ef.load("tses")
    assert inst.n_items == 24
    assert inst.reverse_items == ()
    assert (
        inst.items[0].text == "How much can you do to get through to the most difficult students?"
    )
    assert inst.items[-1].text == (
        "How well can you provide appropriate challenges for very capable students?"
    )
    assert dict(inst.response.labels) == {
        1: "Nothing",
        3: "Very Little",
        5: "Some Influence",
        7: "Quite A Bit",
        9: "A Great Deal",
    }
    for scale_id, numbers in TSES_KEY.items():
        scale = inst.scale(scale_id)
        assert scale.items == tuple(f"tses{n}" for n in numbers)
        assert (scale.method, scale.min_valid) == ("mean", 8)
    assert sorted(n for numbers in TSES_KEY.values() for n in numbers) == list(range(1, 25))
    total = inst.scale("tses")
    assert (total.n_items, total.method, total.min_valid) == (24, "mean", 24)
    published = {  # scale: (M, SD, alpha), the authors' scoring sheet, n not stated
        "tses": (7.1, 0.94, 0.94),
        "engagement": (7.3, 1.1, 0.87),
        "instruction": (7.3, 1.1, 0.91),
        "management": (6.7, 1.1, 0.90),
    }
    for scale_id, (mean, sd, alpha) in published.items():
        (table,) = [t for t in inst.norms if t.scale == scale_id]
        row = table.group()
        assert (row.mean, row.sd, row.alpha, row.n) == (mean, sd, alpha, None)
        assert (table.kind, table.metric) == ("published", "mean")
        (rel,) = [r for r in inst.reliability if r.scale == scale_id]
        assert (rel.value, rel.n) == (alpha, None)


def test_mslq_se_reference_facts():
    inst = ef.load("mslq_se")
    numbers = [5, 6, 12, 15, 20, 21, 29, 31]
    assert [it.number for it in inst.items] == numbers
    assert inst.item_ids == tuple(f"mslq{n}" for n in numbers)
    assert inst.reverse_items == ()
    assert inst.items[0].text == "I believe I will receive an excellent grade in this class."
    assert inst.items[-1].text == (
        "Considering the difficulty of this course, the teacher, and my skills, I think I will "
        "do well in this class."
    )
    assert dict(inst.response.labels) == {1: "Not at all true of me", 7: "Very true of me"}
    scale = inst.scale("mslq_se")
    assert (scale.method, scale.min_valid, inst.score_range("mslq_se")) == ("mean", 8, (1, 7))
    assert sorted(r.value for r in inst.reliability) == [0.88, 0.93]
    assert inst.norms == ()
    assert "public domain" in inst.license.summary


def test_rses_reference_facts():
    inst = ef.load("rses")
    assert inst.construct == "self-esteem"
    assert inst.n_items == 10
    assert inst.reverse_items == ("rses2", "rses5", "rses6", "rses8", "rses9")
    assert inst.items[0].text == "On the whole, I am satisfied with myself."
    assert inst.items[-1].text == "I take a positive attitude toward myself."
    assert dict(inst.response.labels) == {
        3: "Strongly agree",
        2: "Agree",
        1: "Disagree",
        0: "Strongly disagree",
    }
    coding = inst.response.coding("one_to_four")
    assert dict(coding.recode) == {1: 0, 2: 1, 3: 2, 4: 3}
    assert "1 = Strongly disagree" in coding.description
    scale = inst.scale("rses")
    assert (scale.method, scale.min_valid, inst.score_range("rses")) == ("sum", 10, (0, 30))
    assert inst.norms == ()
    assert any("discriminant" in note for note in inst.notes)
    assert any("never by position alone" in note for note in inst.notes)


def test_template_and_example_are_marked_unvalidated():
    template = ef.load(TEMPLATE)
    assert not template.validated
    assert "template, not a validated instrument" in template.description
    assert dict(template.response.labels) == {
        0: "Cannot do at all",
        50: "Moderately can do",
        100: "Highly certain can do",
    }
    assert (template.response.min, template.response.max, template.response.step) == (0, 100, 10)
    assert all(" can do " in item.text for item in template.items)
    example = ef.load(EXAMPLE)
    assert not example.validated
    assert "illustration" in example.description


# ----------------------------------------------------- scoring, hand-computed


def test_rses_scoring_by_label():
    agree = pd.DataFrame({f"rses{i}": ["Strongly agree"] for i in range(1, 11)})
    # 5 positive items x 3 + 5 reverse-keyed items x 0
    assert ef.score(agree, "rses")["rses"].tolist() == [15.0]
    best = pd.DataFrame(
        {
            f"rses{i}": ["Strongly disagree" if i in {2, 5, 6, 8, 9} else "Strongly agree"]
            for i in range(1, 11)
        }
    )
    assert ef.score(best, "rses")["rses"].tolist() == [30.0]


def test_rses_scoring_with_the_one_to_four_coding():
    data = pd.DataFrame(
        {
            # row 0: all 4 (Strongly agree)  -> 5 x 3 + 5 x 0 = 15
            # row 1: positives 4, reversed 1 -> 5 x 3 + 5 x (3 - 0) = 30
            # row 2: all 2 (Disagree)        -> 5 x 1 + 5 x (3 - 1) = 15
            # row 3: positives 3, reversed 2 -> 5 x 2 + 5 x (3 - 1) = 20
            f"rses{i}": [4, 1, 2, 2] if i in {2, 5, 6, 8, 9} else [4, 4, 2, 3]
            for i in range(1, 11)
        }
    )
    scores = ef.score(data, "rses", coding="one_to_four")
    assert scores["rses"].tolist() == [15.0, 30.0, 15.0, 20.0]
    assert scores["rses_n_valid"].tolist() == [10, 10, 10, 10]


def test_rses_requires_every_item():
    data = pd.DataFrame({f"rses{i}": [3.0] for i in range(1, 11)})
    data.loc[0, "rses4"] = np.nan
    scores = ef.score(data, "rses")
    assert np.isnan(scores.loc[0, "rses"])
    assert scores.loc[0, "rses_n_valid"] == 9


def test_tses_subscale_means_by_hand():
    # row 0: item i answers (i mod 9) + 1, i.e. 2, 3, ..., 9, 1, 2, ..., 9, 1, ..., 7
    # row 1: engagement items 9, every other item 1
    row0 = {f"tses{i}": (i % 9) + 1 for i in range(1, 25)}
    row1 = {f"tses{i}": 9 if i in TSES_KEY["engagement"] else 1 for i in range(1, 25)}
    scores = ef.score(pd.DataFrame([row0, row1]), "tses")
    # engagement 1,2,4,6,9,12,14,22 -> 2+3+5+7+1+4+6+5 = 33 / 8
    # instruction 7,10,11,17,18,20,23,24 -> 8+2+3+9+1+3+6+7 = 39 / 8
    # management 3,5,8,13,15,16,19,21 -> 4+6+9+5+7+8+2+4 = 45 / 8
    # total (33 + 39 + 45) / 24 = 117 / 24
    assert scores.loc[0, "engagement"] == pytest.approx(33 / 8)
    assert scores.loc[0, "instruction"] == pytest.approx(39 / 8)
    assert scores.loc[0, "management"] == pytest.approx(45 / 8)
    assert scores.loc[0, "tses"] == pytest.approx(117 / 24)
    assert scores.loc[1, ["engagement", "instruction", "management"]].tolist() == [9, 1, 1]
    assert scores.loc[1, "tses"] == pytest.approx((8 * 9 + 16 * 1) / 24)


def test_tses_missing_item_voids_its_subscale_and_the_total():
    data = pd.DataFrame([{f"tses{i}": 7.0 for i in range(1, 25)}])
    data.loc[0, "tses22"] = np.nan  # an engagement item
    scores = ef.score(data, "tses")
    assert np.isnan(scores.loc[0, "engagement"])
    assert np.isnan(scores.loc[0, "tses"])
    assert scores.loc[0, "instruction"] == 7.0
    assert scores.loc[0, "management"] == 7.0
    assert scores.loc[0, "tses_n_valid"] == 23


def test_semcd6_scores_with_up_to_two_missing():
    data = pd.DataFrame(
        {
            "semcd6_1": [1, 8, 8],
            "semcd6_2": [2, 6, 6],
            "semcd6_3": [3, 4, None],
            "semcd6_4": [4, 2, None],
            "semcd6_5": [5, None, None],
            "semcd6_6": [10, None, 9],
        }
    )
    scores = ef.score(data, "semcd6")
    # row 0: (1+2+3+4+5+10) / 6 = 25 / 6; row 1: 4 answered, (8+6+4+2) / 4 = 5;
    # row 2: 3 answered (more than two missing) -> no score
    assert scores.loc[0, "semcd6"] == pytest.approx(25 / 6)
    assert scores.loc[1, "semcd6"] == 5.0
    assert np.isnan(scores.loc[2, "semcd6"])
    assert scores["semcd6_n_valid"].tolist() == [6, 4, 3]


def test_ngse_mean_and_every_item_required():
    data = pd.DataFrame({f"ngse{i}": [i % 5 + 1, 4.0] for i in range(1, 9)})
    data.loc[1, "ngse3"] = np.nan
    scores = ef.score(data, "ngse")
    # items 1..8 answer 2,3,4,5,1,2,3,4 -> 24 / 8 = 3
    assert scores.loc[0, "ngse"] == 3.0
    assert np.isnan(scores.loc[1, "ngse"])


def test_mslq_columns_match_by_mslq_number():
    numbers = [5, 6, 12, 15, 20, 21, 29, 31]
    data = pd.DataFrame({f"q{n}": [7 if n == 31 else 1] for n in numbers})
    data["q1"] = [3]  # a column of another MSLQ item: not part of this scale
    scores = ef.score(data, "mslq_se", columns="q{n}")
    assert scores.loc[0, "mslq_se"] == pytest.approx((7 * 1 + 7) / 8)


def test_template_and_example_score_on_both_codings():
    template = ef.load(TEMPLATE)
    row = {item.id: [10 * (k + 1)] for k, item in enumerate(template.items)}  # 10..60
    assert ef.score(pd.DataFrame(row), template)["bandura_template"].tolist() == [35.0]
    tenth = pd.DataFrame({item.id: [k + 1] for k, item in enumerate(template.items)})  # 1..6
    scores = ef.score(tenth, template, coding="zero_to_ten")
    assert scores["bandura_template"].tolist() == [35.0]
    example = pd.DataFrame({f"dc{i}": [100, 50] for i in range(1, 8)})
    scores = ef.score(example, EXAMPLE)
    assert scores["difficult_conversations"].tolist() == [100.0, 50.0]
