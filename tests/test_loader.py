"""Instrument files: loading, the schema, meaning checks and the messages for bad files."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

import efficacy as ef
from efficacy.instrument._loader import MAX_FILE_BYTES, instruments_dir, schema, validate_file

GSE_TEXT = (instruments_dir() / "gse.yaml").read_text("utf-8")


def write(tmp_path: Path, text: str, name: str = "scale.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def edited(old: str, new: str, count: int = 1) -> str:
    assert GSE_TEXT.count(old) >= count, old
    return GSE_TEXT.replace(old, new, count)


# ------------------------------------------------------------------ the GSE file


def test_gse_items_scoring_and_terms_follow_the_authors():
    gse = ef.load("gse")
    assert gse.n_items == 10
    assert gse.items[0].text == (
        "I can always manage to solve difficult problems if I try hard enough."
    )
    assert gse.items[9].text == "I can usually handle whatever comes my way."
    assert gse.reverse_items == ()
    assert gse.response.labels == {
        1.0: "Not at all true",
        2.0: "Hardly true",
        3.0: "Moderately true",
        4.0: "Exactly true",
    }
    assert gse.response.aliases == {2.0: ("barely true",)}
    scale = gse.scale("gse")
    assert (scale.method, scale.min_valid, scale.prorate) == ("sum", 7, True)
    assert gse.score_range("gse") == (10.0, 40.0)
    assert gse.score_range("gse", method="mean") == (1.0, 4.0)
    assert gse.license.commercial_use is False
    assert gse.generality == "general"


def test_gse_norm_tables_carry_the_reference_numbers_and_their_kind():
    gse = ef.load("gse")
    published = gse.norm("scholz2002")
    assert published.kind == "published"
    assert published.group().mean == 29.55 and published.group().n == 19120
    assert published.group(country="Japan").mean == 20.22
    reference = gse.norm("world2006")
    assert reference.kind == "reference_data"
    assert (reference.groups[0].n, reference.groups[0].mean, reference.groups[0].sd) == (
        19719,
        29.59,
        5.29,
    )
    assert gse.norm("world2006_sex").group(sex="female").sd == 5.59
    assert gse.norm("world2006_age").group(age=(60, None)).mean == 29.83
    germany = gse.norm("world2006_country").group(country="Germany")
    assert (germany.n, germany.mean, germany.sd, germany.alpha) == (7100, 29.57, 4.44, 0.812)
    assert len(gse.norm("world2006_country").groups) == 26
    # the published Scholz et al. (2002) country means are reproduced by the reference data
    for country in ["Japan", "Hong Kong", "France", "Denmark", "Costa Rica"]:
        assert published.group(country=country).mean == (
            gse.norm("world2006_country").group(country=country).mean
        )


def test_load_accepts_id_path_and_instrument_and_caches(tmp_path):
    by_id = ef.load("gse")
    assert ef.load(by_id) is by_id
    assert ef.load("gse") is by_id
    copy = write(tmp_path, GSE_TEXT, "my_gse.yaml")
    from_path = ef.load(copy)
    assert from_path.item_ids == by_id.item_ids
    assert from_path.sha256 == by_id.sha256
    assert ef.load(str(copy)).path == copy.resolve()


def test_unknown_id_names_the_bundled_ones():
    with pytest.raises(ef.InstrumentError, match=r"no bundled instrument 'gsx'.*gse"):
        ef.load("gsx")


def test_list_instruments_has_the_design_columns():
    table = ef.list_instruments()
    assert table.index.name == "id"
    for column in ["name", "construct", "domain", "n_items", "scales", "license"]:
        assert column in table.columns
    assert table.loc["gse", "n_items"] == 10


def test_the_schema_is_itself_valid_and_accepts_every_bundled_file():
    jsonschema.Draft202012Validator.check_schema(schema())
    for path in instruments_dir().glob("*.yaml"):
        assert validate_file(path) == [], path.name


# ------------------------------------------------------------------ bad files


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            '{id: gse4, number: 4, keyed: "+"',
            "{id: gse4, number: 4, keyed: reverse",
            "scale.yaml:{line} items[3].keyed: expected one of '+', '-'; got 'reverse'",
        ),
        (
            "min_valid: 7",
            "min_valid: 11",
            "scale.yaml:{line} scales[0].min_valid: 11 exceeds the scale's 10 items",
        ),
        (
            "mean: 20.22}",
            "mean: 50.22}",
            "scales range",
        ),
        (
            "{id: gse10, number: 10",
            "{id: gse9, number: 10",
            "item id 'gse9' is used twice",
        ),
        (
            "    2: [barely true]",
            "    7: [barely true]",
            "response.aliases[7]: code 7 is outside the response range 1-4",
        ),
        (
            "    4: Exactly true",
            "    4.5: Exactly true",
            "code 4.5 is outside the response range",
        ),
        (
            "source: {ref: scholz2002, provenance: S}",
            "source: {ref: nobody2020, provenance: S}",
            "'nobody2020' is not a key in citations",
        ),
        (
            "provenance: C}",
            "provenance: X}",
            "expected one of 'P', 'S', 'C'; got 'X'",
        ),
        (
            "    prorate: true\n",
            "",
            "a sum scored with missing items must be prorated",
        ),
        ("generality: general", "generality: broad", "generality: expected one of"),
        ("schema_version: 1\n", "", "'schema_version' is required"),
        ("validated: true", "validated: true\ncolour: blue", "'colour' is not a field"),
    ],
)
def test_invalid_files_are_refused_with_file_line_path_and_expectation(
    tmp_path, old, new, expected
):
    if expected == "scales range":
        expected = "norms[0].groups[1].mean: mean 50.22 is outside the score range 10-40 of gse"
    expected = expected.replace("{line}", str(GSE_TEXT[: GSE_TEXT.index(old)].count("\n") + 1))
    path = write(tmp_path, edited(old, new))
    problems = validate_file(path)
    assert any(expected in problem for problem in problems), problems
    with pytest.raises(ef.InstrumentError) as caught:
        ef.load(path)
    assert caught.value.problems == problems


def test_every_problem_is_listed_not_only_the_first(tmp_path):
    text = edited("min_valid: 7", "min_valid: 11").replace("mean: 20.22}", "mean: 50.22}")
    problems = validate_file(write(tmp_path, text))
    assert len(problems) == 2


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "the file is empty"),
        ("   \n\n", "the file is empty"),
        ("a: [1, 2\nb: }", "scale.yaml:2: not valid YAML"),
        ("- just\n- a list\n", "expected a mapping of instrument fields, got list"),
        ("!!python/object/apply:os.system ['echo hi']", "not valid YAML"),
    ],
)
def test_unreadable_files_get_a_clear_error(tmp_path, content, expected):
    problems = validate_file(write(tmp_path, content))
    assert len(problems) == 1 and expected in problems[0], problems


def test_huge_and_binary_files_are_refused(tmp_path):
    huge = write(tmp_path, "# " + "x" * (MAX_FILE_BYTES + 10), "huge.yaml")
    assert "instrument files are at most" in validate_file(huge)[0]
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00bad")
    assert "not UTF-8 text" in validate_file(binary)[0]
    assert "no such instrument file" in validate_file(tmp_path / "absent.yaml")[0]


def test_yaml_aliases_cannot_smuggle_objects(tmp_path):
    # the safe loader only builds plain data: a Python tag is a YAML error, not an object
    text = GSE_TEXT.replace("language: en", "language: !!python/name:os.system")
    problems = validate_file(write(tmp_path, text))
    assert problems and "not valid YAML" in problems[0]


def test_a_minimal_user_scale_loads(tmp_path):
    minimal = {
        "schema_version": 1,
        "id": "my_scale",
        "name": "My scale",
        "abbreviation": "MS",
        "version": "0.1",
        "language": "en",
        "construct": "self-efficacy",
        "domain": "holding a difficult conversation",
        "generality": "domain-specific",
        "population": "adults",
        "validated": False,
        "citations": [{"key": "me", "text": "My lab (2026). Unpublished."}],
        "license": {"summary": "CC BY 4.0", "source": {"ref": "me", "provenance": "P"}},
        "response": {
            "min": 0,
            "max": 100,
            "step": 10,
            "labels": {
                0: "Cannot do at all",
                50: "Moderately can do",
                100: "Highly certain can do",
            },
            "source": {"ref": "me", "provenance": "P"},
        },
        "items": [
            {"id": "c1", "number": 1, "text": "Start the conversation.", "keyed": "+"},
            {"id": "c2", "number": 2, "text": "Stay calm when interrupted.", "keyed": "+"},
        ],
        "scales": [
            {
                "id": "my_scale",
                "name": "Total",
                "items": "all",
                "method": "mean",
                "min_valid": 2,
                "missing_rule": "Every item is required.",
                "source": {"ref": "me", "provenance": "P"},
            }
        ],
    }
    path = write(tmp_path, yaml.safe_dump(minimal, sort_keys=False), "my_scale.yaml")
    inst = ef.load(path)
    assert inst.response.codes.tolist() == [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    assert inst.score_range() == (0.0, 100.0)


def test_norm_tables_round_trip_through_yaml():
    for table in ef.load("gse").norms:
        assert ef.NormTable.from_yaml(table.to_yaml()) == table
