"""Instrument files under attack: validation gaps, YAML bombs, deep nesting, odd paths."""

from __future__ import annotations

import itertools
import math
import os
import re
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
import yaml

import efficacy as ef
from efficacy.cli import main as cli_main
from efficacy.instrument._loader import check_text, instruments_dir, validate_file
from efficacy.instrument._norm_yaml import from_yaml

GSE_TEXT = (instruments_dir() / "gse.yaml").read_text("utf-8")


def line_of(text: str) -> int:
    """The 1-based line of gse.yaml on which ``text`` first appears."""
    assert text in GSE_TEXT, text
    return GSE_TEXT[: GSE_TEXT.index(text)].count("\n") + 1


def edited(old: str, new: str) -> str:
    assert old in GSE_TEXT, old
    return GSE_TEXT.replace(old, new, 1)


def problems_of(text: str) -> list[str]:
    return check_text(text, "scale.yaml")


def assert_refused(text: str, *expected: str) -> list[str]:
    problems = problems_of(text)
    joined = "\n".join(problems)
    for part in expected:
        assert part in joined, problems
    with pytest.raises(ef.InstrumentError):
        ef.instrument.from_text(text, "scale.yaml")
    return problems


# ----------------------------------------------------------------- item 9: gaps


@pytest.mark.parametrize("step", [".inf", ".nan", "-.inf"])
def test_a_non_finite_step_is_refused(step):
    line = line_of("  step: 1\n")
    assert_refused(edited("  step: 1\n", f"  step: {step}\n"), f"scale.yaml:{line} response.step:")


def test_an_infinite_step_no_longer_makes_every_number_a_code():
    problems = problems_of(edited("  step: 1\n", "  step: .inf\n"))
    assert problems and all("response.step" in p for p in problems), problems


def test_two_codes_cannot_share_a_label():
    problems = assert_refused(
        edited("    4: Exactly true", "    4: Hardly true"), "response.labels[4]", "'Hardly true'"
    )
    assert re.match(r"scale\.yaml:\d+ response\.labels\[4\]: ", problems[0]), problems


def test_labels_are_compared_as_scoring_compares_them():
    # scoring matches labels case- and whitespace-insensitively: so does the check
    assert_refused(edited("    4: Exactly true", "    4: '  HARDLY   true '"), "response.labels[4]")


def test_an_alias_cannot_be_another_codes_label():
    assert_refused(
        edited("    2: [barely true]", "    2: [Exactly TRUE]"),
        "response.aliases[2]",
        "code 4",
    )


def test_an_alias_of_two_codes_is_refused():
    text = edited("    2: [barely true]", "    2: [barely true]\n    3: [barely true]")
    assert_refused(text, "response.aliases[3]")


def test_an_alias_repeating_its_own_label_is_allowed():
    text = edited("    2: [barely true]", "    2: [barely true, hardly TRUE]")
    assert problems_of(text) == []


def test_duplicate_mapping_keys_are_refused_naming_the_field():
    problems = assert_refused(edited("id: gse\n", "id: gse\nid: other\n"), "scale.yaml:6 id:")
    assert problems == ["scale.yaml:6 id: is given twice (first on line 5)"]


def test_a_duplicate_that_breaks_the_file_is_named_not_an_unrelated_field():
    # the last value used to win, and the message pointed at the first key's line
    text = edited("  min: 1\n", "  min: 1\n  min: five\n")
    problems = assert_refused(text, "response.min")
    first = line_of("  min: 1\n")
    expected = f"scale.yaml:{first + 1} response.min: is given twice (first on line {first})"
    assert problems == [expected]


def test_duplicate_keys_deep_in_the_file_are_refused():
    text = edited("    method: sum\n", "    method: sum\n    method: mean\n")
    assert_refused(text, "scales[0].method", "is given twice")


@pytest.mark.parametrize(("first", "second"), [("4", "4.0"), ("4", "'4'"), ("'4'", "'4.00'")])
def test_label_keys_of_one_code_collide_loudly(first, second):
    text = edited("    4: Exactly true", f"    {first}: Exactly true\n    {second}: Fully true")
    assert_refused(text, "response.labels")


def test_recode_and_percentile_keys_of_one_value_collide_loudly():
    text = edited("    2: [barely true]", "    2: [barely true]\n    2.0: [hardly]")
    assert_refused(text, "response.aliases")


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("mean: 29.59, sd: 5.29}", "mean: 29.59, sd: .nan}", "sd"),
        ("mean: 29.59, sd: 5.29}", "mean: 29.59, sd: .inf}", "sd"),
        ("mean: 29.59, sd: 5.29}", "mean: .nan, sd: 5.29}", "mean"),
        ("  max: 4\n", "  max: .inf\n", "response.max"),
        ("  min: 1\n", "  min: -.inf\n", "response.min"),
        ("  min: 1\n", "  min: .nan\n", "response.min"),
    ],
)
def test_nan_and_inf_are_refused_where_a_finite_number_is_needed(old, new, field):
    assert_refused(edited(old, new), field)


def test_nan_in_norm_alpha_reliability_ranges_and_age_bounds_is_refused():
    problems = problems_of(edited("range: [0.76, 0.90]", "range: [.nan, 0.90]"))
    assert any("reliability[0].range[0]" in p for p in problems), problems
    group = "  - id: byage\n    scale: gse\n    kind: published\n    population: p\n"
    group += "    group_by: [age]\n    source: {ref: scholz2002, provenance: S}\n"
    group += (
        "    groups:\n      - {where: {age: {min: 20, max: .inf}}, mean: 29, sd: 5, alpha: .nan}\n"
    )
    problems = problems_of(GSE_TEXT.rstrip("\n") + "\n" + group)
    joined = "\n".join(problems)
    assert "groups[0].where.age" in joined and "groups[0].alpha" in joined, problems


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("id: gse\n", 'id: "gse\\n"\n', "id"),
        ("{id: gse1,", '{id: "gse1\\n",', "items[0].id"),
        ("language: en", 'language: "en\\n"', "language"),
        ("    4: Exactly true", '    "4\\n": Exactly true', "response.labels"),
    ],
)
def test_identifiers_and_patterns_match_the_whole_value(old, new, field):
    assert_refused(edited(old, new), field)


def test_huge_code_grids_are_refused():
    text = edited("  step: 1\n", "  step: 0.000000001\n")
    assert_refused(text, "response.step")


def test_a_huge_integer_is_an_instrument_error():
    line = line_of("  max: 4\n")
    assert_refused(edited("  max: 4\n", f"  max: {'9' * 5000}\n"), f"scale.yaml:{line}")


def test_an_impossible_date_is_an_instrument_error():
    assert_refused(edited("version:", "version: 2020-02-30\nx_version:"), "scale.yaml:")


def test_whitespace_only_text_is_refused():
    # a blank label would be matched by every blank cell
    assert_refused(edited("    4: Exactly true", "    4: '   '"), "response.labels.4")


# ------------------------------------------------------ item 13: billion laughs


def _laughs(levels: int = 9) -> str:
    lines = ["a: &a [l,l,l,l,l,l,l,l,l]"]
    names = "abcdefghi"[:levels]
    for previous, name in itertools.pairwise(names):
        refs = ",".join([f"*{previous}"] * 9)
        lines.append(f"{name}: &{name} [{refs}]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_fast_and_small(tmp_path):
    bomb = _laughs()
    assert len(bomb) < 350
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb, "utf-8")
    tracemalloc.start()
    start = time.perf_counter()
    try:
        problems = validate_file(path)
        with pytest.raises(ef.InstrumentError):
            ef.load(path)
        with pytest.raises(ef.InstrumentError):
            from_yaml(bomb)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert time.perf_counter() - start < 2
    assert peak < 20_000_000
    assert problems == ["bomb.yaml:1 a: anchors and aliases (&name, *name) are not allowed"]


def test_any_alias_or_anchor_is_refused_with_its_line():
    text = edited(
        "  source: {ref: schwarzer1995, provenance: P, note: the authors'",
        "  source: &src {ref: schwarzer1995, provenance: P, note: the authors'",
    )
    text = text.replace(
        '  source: {ref: schwarzer1995, provenance: P, note: "alias',
        '  source: *src\n  x_source: {ref: schwarzer1995, provenance: P, note: "alias',
        1,
    )
    problems = problems_of(text)
    assert len(problems) == 1 and "anchors and aliases" in problems[0], problems
    line = line_of("  source: {ref: schwarzer1995, provenance: P, note: the authors'")
    assert problems[0].startswith(f"scale.yaml:{line} license.source:"), problems


def test_merge_keys_are_refused():
    text = edited("  min: 1\n", "  <<: {min: 1}\n")
    assert_refused(text, "response", "merge keys")


# --------------------------------------------------------- item 14: deep nesting


def _deep_block(levels: int) -> str:
    return "".join(" " * i + f"k{i}:\n" for i in range(levels)) + " " * levels + "v: 1\n"


@pytest.mark.parametrize(
    "text",
    [
        _deep_block(1200),
        "a: " + "[" * 5000 + "]" * 5000 + "\n",
        "a: " + "{b: " * 3000 + "1" + "}" * 3000 + "\n",
    ],
    ids=["block", "flow-list", "flow-map"],
)
def test_deep_nesting_is_an_instrument_error_not_a_recursion_error(tmp_path, text):
    assert len(text.encode()) < ef.instrument.MAX_FILE_BYTES
    path = tmp_path / "deep.yaml"
    path.write_text(text, "utf-8")
    problems = validate_file(path)
    # refused by the loader's depth limit, or earlier by libyaml's own
    assert len(problems) == 1 and "nest" in problems[0], problems
    assert re.match(r"deep\.yaml:\d+[ :]", problems[0]), problems
    with pytest.raises(ef.InstrumentError):
        ef.load(path)
    with pytest.raises(ef.InstrumentError):
        from_yaml(text)


def test_the_cli_reports_deep_nesting_in_one_line(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text(_deep_block(1200), "utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "efficacy", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    assert run.stdout.splitlines() == [
        f"{path}: 1 problem",
        "  deep.yaml:33 k0.k1.k2.k3.k4.k5.k6.k7.k8.k9.k10.k11.k12.k13.k14.k15.k16.k17.k18"
        ".k19.k20.k21.k22.k23.k24.k25.k26.k27.k28.k29.k30.k31: nested more than 32 levels deep",
    ]


# ------------------------------------------------ item 15: NaN/inf in response


@pytest.mark.parametrize("field", ["min", "max", "step"])
@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "1.0e+400"])
def test_nan_or_inf_in_the_response_range_is_a_problem_not_a_crash(tmp_path, capsys, field, value):
    old = {"min": "  min: 1\n", "max": "  max: 4\n", "step": "  step: 1\n"}[field]
    path = tmp_path / "scale.yaml"
    path.write_text(edited(old, f"  {field}: {value}\n"), "utf-8")
    problems = validate_file(path)
    assert problems and all(f"response.{field}" in p for p in problems), problems
    assert cli_main(["validate", str(path)]) == 1
    assert capsys.readouterr().out.splitlines()[1:] == [f"  {p}" for p in problems]


# ------------------------------------------------------ items 21 and 22: paths


def test_a_nul_byte_in_a_path_is_an_instrument_error():
    for name in ["gse\x00.yaml", "gse\x00", "dir/\x00x.yaml"]:
        with pytest.raises(ef.InstrumentError, match="NUL"):
            ef.load(name)
    assert "NUL" in validate_file("gse\x00.yaml")[0]


def test_a_directory_is_not_called_a_missing_file(tmp_path):
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    for problems in (validate_file(folder), _load_problems(folder)):
        assert "is a directory" in problems[0] and "no such" not in problems[0], problems


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_symlink_to_a_device_is_refused_without_reading_it(tmp_path):
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    start = time.perf_counter()
    for problems in (validate_file(link), _load_problems(link)):
        assert "not a regular file" in problems[0] and "no such" not in problems[0], problems
        assert "zero.yaml" in problems[0]
    assert time.perf_counter() - start < 5


def test_a_missing_file_and_a_dangling_symlink_are_told_apart(tmp_path):
    assert validate_file(tmp_path / "absent.yaml") == [
        f"{tmp_path / 'absent.yaml'}: no such instrument file"
    ]
    link = tmp_path / "gone.yaml"
    link.symlink_to(tmp_path / "absent.yaml")
    assert validate_file(link) == [
        f"{link}: symbolic link to {tmp_path / 'absent.yaml'}, which does not exist"
    ]


def test_an_unknown_bundled_id_that_is_not_an_identifier_is_an_instrument_error():
    for name in ["", "..", "GSE ", "gse\n"]:
        with pytest.raises(ef.InstrumentError):
            ef.load(name)


def _load_problems(path: Path) -> list[str]:
    with pytest.raises(ef.InstrumentError) as caught:
        ef.load(path)
    return caught.value.problems


def test_the_bundled_files_still_load():
    for instrument_id in ef.instrument.bundled_ids():
        assert ef.load(instrument_id).id == instrument_id
    assert math.isfinite(ef.load("gse").response.step)


def test_norm_tables_from_yaml_share_the_checks():
    good = ef.load("gse").norm("world2006").to_yaml()
    assert from_yaml(good) == ef.load("gse").norm("world2006")
    with pytest.raises(ef.InstrumentError, match="sd"):
        from_yaml(good.replace("sd: 5.29", "sd: .nan"))
    with pytest.raises(ef.InstrumentError, match="given twice"):
        from_yaml(good.replace("  scale: gse\n", "  scale: gse\n  scale: gse\n"))
    assert yaml.safe_load(good)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (_laughs(), "f.yaml:1 a: anchors and aliases (&name, *name) are not allowed"),
        ("a: 1\na: 2\n", "f.yaml:2 a: is given twice (first on line 1)"),
        ("a: {4: x, 4.0: y}\n", "f.yaml:1 a[4.0]: is given twice (first on line 1 as 4)"),
        ("a:\n  <<: {b: 1}\n", "f.yaml:2 a: merge keys (<<) are not allowed"),
        (
            "a:\n  [1]: x\n",
            "f.yaml:2 a: a mapping key must be a plain value, not a list or mapping",
        ),
        (_deep_block(40), "f.yaml:33 " + ".".join(f"k{i}" for i in range(32))),
        ("a: [1, 2\nb: }", "f.yaml:2: not valid YAML"),
        ("a: 2020-02-30\n", "f.yaml:1 a: not valid YAML: '2020-02-30' is not a valid timestamp"),
    ],
)
@pytest.mark.parametrize("parser", ["libyaml", "python"])
def test_both_yaml_parsers_refuse_alike(monkeypatch, parser, text, expected):
    from efficacy.instrument import _yaml

    if parser == "python":
        monkeypatch.setattr(_yaml, "_Loader", _yaml._PyLoader)
    with pytest.raises(ef.InstrumentError) as caught:
        _yaml.read_yaml(text, "f.yaml")
    assert caught.value.problems[0].startswith(expected), caught.value.problems
    assert len(caught.value.problems) == 1


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    1: Not at all true", "    1: '3'", "response.labels[1]: label '3' reads as"),
        ("    2: [barely true]", "    2: [' 4 ']", "response.aliases[2]: alias ' 4 ' reads as"),
    ],
)
def test_a_label_that_reads_as_another_codes_number_is_refused(old, new, expected):
    assert_refused(edited(old, new), expected)


def test_a_label_that_is_its_own_codes_number_is_allowed():
    assert problems_of(edited("    4: Exactly true", "    4: '4.0'")) == []


def test_unusable_paths_are_instrument_errors(tmp_path):
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    cases = {
        tmp_path / ("x" * 5000 + ".yaml"): "cannot read the instrument file",
        loop: "cannot read the instrument file",
        fifo: "not a regular file",
    }
    for path, expected in cases.items():
        assert expected in validate_file(path)[0]
        with pytest.raises(ef.InstrumentError, match=expected):
            ef.load(path)
