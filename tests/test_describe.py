"""Fact sheets: the Markdown page and the terminal text carry every fact of the file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import efficacy as ef
from efficacy.instrument._describe import format_number, instrument_markdown, instrument_text
from efficacy.instrument._loader import bundled_ids, from_text
from efficacy.instrument._model import PROVENANCE_MEANING

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "instruments" / "templates" / "bandura_template.yaml"
EXAMPLE = ROOT / "docs" / "examples" / "difficult_conversations.yaml"
SOURCES = [*bundled_ids(), TEMPLATE, EXAMPLE]
IDS = [Path(str(s)).stem for s in SOURCES]


def flat(text: str) -> str:
    """Whitespace collapsed, so wrapped lines and table padding do not matter."""
    return " ".join(text.split())


def md_flat(text: str) -> str:
    return flat(text.replace("\\|", "|"))


@pytest.fixture(params=["markdown", "text"])
def render(request):
    if request.param == "markdown":
        return lambda inst: md_flat(instrument_markdown(inst))
    return lambda inst: flat(instrument_text(inst))


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_sheet_carries_every_fact(source, render):
    inst = ef.load(source)
    sheet = render(inst)
    assert inst.name in sheet
    for field in (inst.construct, inst.domain, inst.generality, inst.population):
        assert flat(field) in sheet
    for item in inst.items:
        assert item.text in sheet
        assert item.id in sheet
    for code, label in inst.response.labels.items():
        assert label in sheet and format_number(code) in sheet
    for names in inst.response.aliases.values():
        assert all(name in sheet for name in names)
    for coding in inst.response.codings:
        assert coding.id in sheet and flat(coding.description) in sheet
    for scale in inst.scales:
        low, high = inst.score_range(scale.id)
        assert scale.id in sheet and scale.name in sheet
        assert f"{format_number(low)}-{format_number(high)}" in sheet
        assert flat(scale.missing_rule) in sheet
    for entry in inst.reliability:
        value = entry.value if entry.value is not None else entry.range[0]
        assert format_number(value) in sheet
        if entry.n is not None:
            assert str(entry.n) in sheet
    for table in inst.norms:
        assert table.id in sheet and flat(table.population) in sheet
        for group in table.groups:
            assert group.label in sheet and format_number(group.mean) in sheet
    for note in inst.notes:
        assert flat(note) in sheet
    for citation in inst.citations:
        assert citation.key in sheet and flat(citation.text) in sheet
    assert flat(inst.license.summary) in sheet
    assert str(inst.license.source) in sheet
    if inst.instructions:
        assert flat(inst.instructions) in sheet


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_provenance_marks_used_are_explained(source, render):
    inst = ef.load(source)
    sheet = render(inst)
    used = {inst.license.source.provenance, inst.response.source.provenance}
    used |= {s.source.provenance for s in inst.scales}
    used |= {r.source.provenance for r in inst.reliability}
    used |= {t.source.provenance for t in inst.norms}
    for mark, meaning in PROVENANCE_MEANING.items():
        assert (f"[{mark}] {meaning}" in sheet) == (mark in used)


def test_markdown_tables_have_one_row_per_fact():
    page = instrument_markdown(ef.load("tses"))
    assert page.startswith("# Teachers' Sense of Efficacy Scale (long form) (TSES)\n")
    assert "| 22 | tses22 | + | How much can you assist families" in page
    assert (
        "| engagement | Efficacy in student engagement | 1, 2, 4, 6, 9, 12, 14, 22 | mean | 1-9 "
        "| 8 | no |" in page
    )
    assert "| tses | Teacher efficacy (total) | all 24 items | mean | 1-9 | 24 | no |" in page
    assert "| all | n/a | 7.1 | 0.94 | 0.94 |" in page
    assert "n/a: not stated by the source." in page


def test_reference_data_is_labelled_as_such():
    page = instrument_markdown(ef.load("gse"))
    assert "reference data computed from the authors' item-level data set, not published" in page
    assert "| age=60+ | 872 | 29.83 | 6.05 |" in page
    assert "| 2 | Hardly true | barely true |" in page


def test_unvalidated_instruments_say_so():
    for source in (TEMPLATE, EXAMPLE):
        inst = ef.load(source)
        assert "**Not a validated instrument.**" in instrument_markdown(inst)
        assert "NOT A VALIDATED INSTRUMENT." in instrument_text(inst)
    assert "Not a validated" not in instrument_markdown(ef.load("gse"))


def _variant(**changes) -> ef.Instrument:
    data = yaml.safe_load(TEMPLATE.read_text("utf-8"))
    data["response"]["missing_codes"] = [-99, 999]
    data["items"][0]["text"] = "I can do this | or that."
    data["norms"] = [
        {
            "id": "pilot",
            "scale": "bandura_template",
            "kind": "reference_data",
            "metric": "mean",
            "population": "a pilot sample",
            "source": {"ref": "efficacy_template", "provenance": "C"},
            "groups": [{"n": 40, "mean": 55.5, "sd": 12.0, "percentiles": {"50": 48, "70": 81}}],
        }
    ]
    data.update(changes)
    return from_text(yaml.safe_dump(data, sort_keys=False), "variant.yaml")


def test_missing_codes_percentiles_and_pipes_are_rendered():
    inst = _variant()
    page = instrument_markdown(inst)
    text = flat(instrument_text(inst))
    assert "Codes meaning missing: -99, 999." in page
    assert "Codes meaning missing: -99, 999." in text
    assert "| all | 40 | 55.5 | 12 | 50: 48, 70: 81 |" in page
    assert "I can do this \\| or that." in page
    assert "I can do this | or that." in text
    assert "[C] computed from the authors' public item-level data set" in page


def test_text_fits_a_terminal():
    for source in SOURCES:
        for line in instrument_text(ef.load(source)).splitlines():
            assert len(line) <= 100, line


def test_format_number_never_rounds():
    assert format_number(0.835) == "0.835"
    assert format_number(29.59) == "29.59"
    assert format_number(19719) == "19719"
    assert format_number(1 / 3) == repr(1 / 3)
