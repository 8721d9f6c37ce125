"""The optional ``validity:`` section of an instrument file."""

from __future__ import annotations

import re
from pathlib import Path

import efficacy as ef
from efficacy.instrument import Validity, check_text

BUNDLED = (Path(ef.load("gse").path)).read_text()
# the bundled file without its validity records and pooled-table marks: a file that
# records nothing, to which the tests add their own section
GSE = re.sub(r"\nvalidity:\n(?:  .*\n|\n)*?(?=norms:)", "\n", BUNDLED).replace(
    "    spans: [nation]\n", ""
)
CITATION = ef.load("gse").citations[0].key

SECTION = f"""
validity:
  structure:
    - model: one factor
      estimator: MLR
      n: 1200
      sample: adults
      fit: {{chisq: 85.3, df: 35, cfi: 0.97, tli: 0.96, rmsea: 0.05, srmr: 0.03}}
      source: {{ref: {CITATION}, provenance: P}}
  invariance:
    - across: sex
      groups: [female, male]
      level: scalar
      holds: true
      estimator: MLR
      delta_cfi: -0.004
      source: {{ref: {CITATION}, provenance: P}}
    - across: nation
      level: scalar
      holds: false
      delta_cfi: -0.16
      source: {{ref: {CITATION}, provenance: P, note: illustration}}
"""


def test_validity_section_is_valid_and_loaded(tmp_path):
    text = GSE + SECTION
    assert check_text(text) == []
    path = tmp_path / "gse_validity.yaml"
    path.write_text(text)
    inst = ef.load(path)
    assert isinstance(inst.validity, Validity)
    (structure,) = inst.validity.structure
    assert structure.estimator == "MLR" and structure.fit["cfi"] == 0.97
    assert [r.across for r in inst.validity.invariance] == ["sex", "nation"]
    assert inst.validity.invariance[0].groups == ("female", "male")
    assert inst.validity.scalar_invariance("sex") is True
    assert inst.validity.scalar_invariance("nation") is False
    assert inst.validity.scalar_invariance("language") is None


def test_the_stripped_file_records_nothing(tmp_path):
    assert "validity:" not in GSE and "spans:" not in GSE
    path = tmp_path / "plain.yaml"
    path.write_text(GSE)
    assert ef.load(path).validity is None


def test_bundled_gse_records_the_published_invariance_across_nations():
    validity = ef.load("gse").validity
    assert validity is not None
    levels = {r.level: r.holds for r in validity.invariance if r.across == "nation"}
    assert levels == {"configural": True, "metric": False, "scalar": False}
    assert {r.source.ref for r in validity.invariance} == {"damasio2016"}
    assert {r.source.provenance for r in validity.invariance} == {"P"}
    assert validity.scalar_invariance("nation") is False
    assert validity.scalar_invariance("sex") is None


def test_validity_errors_name_the_field():
    bad = GSE + SECTION.replace(
        "level: scalar\n      holds: true", "level: partial\n      holds: true"
    )
    problems = check_text(bad)
    assert problems and any("validity" in p and "level" in p for p in problems)
    unknown = GSE + SECTION.replace(
        f"ref: {CITATION}, provenance: P}}\n  invariance",
        "ref: nobody, provenance: P}\n  invariance",
    )
    problems = check_text(unknown)
    assert any("'nobody' is not a key in citations" in p for p in problems)


def test_norm_guard(tmp_path):
    import pytest

    from efficacy.validation import NormInvarianceWarning, warn_norm_invariance

    plain_path = tmp_path / "gse_plain.yaml"
    plain_path.write_text(GSE)
    plain = ef.load(plain_path)
    by_country = plain.norm("world2006_country")
    with pytest.warns(NormInvarianceWarning, match="was never tested"):
        messages = warn_norm_invariance(plain, by_country)
    assert len(messages) == 1 and "'country'" in messages[0]
    # a pooled international table: the caller says what it spans
    pooled = plain.norm("world2006")
    assert warn_norm_invariance(plain, pooled) == []
    with pytest.warns(NormInvarianceWarning):
        warn_norm_invariance(plain, pooled, spans=["nation"])
    # with records: scalar invariance by sex holds, across nations it failed
    path = tmp_path / "gse_validity.yaml"
    path.write_text(GSE + SECTION)
    recorded = ef.load(path)
    with pytest.warns(NormInvarianceWarning, match="failed"):
        problems = warn_norm_invariance(recorded, recorded.norm("world2006_country"))
    assert "failed" in problems[0] and "delta CFI -0.160" in problems[0]
    assert warn_norm_invariance(recorded, recorded.norm("world2006_sex")) == []
