"""The command line never destroys its input and never prints a traceback for a user error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from efficacy.cli import main

ITEMS = [f"gse{i}" for i in range(1, 11)]


@pytest.fixture
def data_csv(tmp_path: Path) -> Path:
    frame = pd.DataFrame([[4] * 10, [1, 2, 3, 4, 1, 2, 3, 4, 1, 2]], columns=ITEMS)
    frame.insert(0, "id", ["p1", "p2"])
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return path


def _spellings(path: Path) -> list[str]:
    link = path.parent / "link.csv"
    link.symlink_to(path)
    hard = path.parent / "hard.csv"
    os.link(path, hard)
    return [
        str(path),
        os.path.relpath(path),
        str(path.parent / "." / path.name),
        str(path.parent / "sub" / ".." / path.name),
        str(link),
        str(hard),
    ]


@pytest.mark.parametrize("command", ["score", "report"])
def test_an_output_that_is_the_input_is_refused_however_spelled(
    data_csv, tmp_path, command, capsys, monkeypatch
):
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    before = data_csv.read_bytes()
    for output in _spellings(data_csv):
        argv = [command, "gse", str(data_csv), "-o", output]
        assert main([*argv, "-q"] if command == "report" else argv) == 2, output
        err = capsys.readouterr().err
        assert "is the input file" in err and "Traceback" not in err
        assert data_csv.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv", "hard.csv", "link.csv", "sub"]


def test_an_output_that_is_the_instrument_file_is_refused(data_csv, tmp_path, capsys):
    from efficacy.instrument._loader import instruments_dir

    own = tmp_path / "mine.yaml"
    own.write_text((instruments_dir() / "gse.yaml").read_text("utf-8"), "utf-8")
    before = own.read_bytes()
    assert main(["score", str(own), str(data_csv), "-o", str(own)]) == 2
    assert "is the input file" in capsys.readouterr().err
    assert own.read_bytes() == before


def test_outputs_replace_files_whole_and_leave_no_temporary(data_csv, tmp_path, capsys):
    out = tmp_path / "scores.csv"
    out.write_text("old\n")
    os.chmod(out, 0o640)
    assert main(["score", "gse", str(data_csv), "-o", str(out)]) == 0
    assert pd.read_csv(out)["gse"].tolist() == [40.0, 23.0]
    assert (out.stat().st_mode & 0o777) == 0o640
    varied = tmp_path / "varied.csv"
    rows = [[4] * 10, [1, 2, 3, 4, 1, 2, 3, 4, 1, 2], [2, 3, 1, 2, 3, 1, 2, 3, 1, 3]]
    pd.DataFrame(rows, columns=ITEMS).to_csv(varied, index=False)
    html = tmp_path / "report.html"
    assert main(["report", "gse", str(varied), "-o", str(html), "-q"]) == 0
    assert html.read_text("utf-8").lstrip().lower().startswith("<!doctype html")
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_a_failed_write_leaves_the_old_output_and_no_temporary(data_csv, tmp_path, capsys):
    out = tmp_path / "scores.sav"
    out.write_bytes(b"previous")
    bad = tmp_path / "bad.csv"
    frame = pd.read_csv(data_csv)
    frame.loc[1, "gse3"] = 9
    frame.to_csv(bad, index=False)
    assert main(["score", "gse", str(bad), "-o", str(out)]) == 2
    assert out.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_symlinked_output_is_written_through(data_csv, tmp_path, capsys):
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    link = tmp_path / "out.csv"
    link.symlink_to(real)
    assert main(["score", "gse", str(data_csv), "-o", str(link)]) == 0
    assert link.is_symlink()
    assert pd.read_csv(real)["gse"].tolist() == [40.0, 23.0]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--keep", "nope"], "lacks 1 column: ['nope']"),
        (["--keep", "gse1", "--", "x"], None),
        (["--columns", "gse1=a,b"], "not of the form item=column"),
        (["--columns", "gse{n}{"], "not a valid template"),
        (["--columns", "gse{n}{foo}"], "the only fields are"),
        (["--columns", "gse{n}{0}"], "the only fields are"),
        (["--columns", "gse{id:d}"], "cannot be filled in"),
        (["--columns", "{n}{"], "not a valid template"),
    ],
)
def test_bad_score_options_are_one_line_errors(data_csv, argv, message, capsys):
    if message is None:  # extra positional argument: argparse usage error
        with pytest.raises(SystemExit) as info:
            main(["score", "gse", str(data_csv), *argv])
        assert info.value.code == 2
        return
    assert main(["score", "gse", str(data_csv), *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("efficacy: error:") and message in err and "Traceback" not in err


def test_keep_that_repeats_a_score_column_is_an_error(tmp_path, capsys):
    frame = pd.DataFrame([[4] * 10], columns=ITEMS)
    frame["gse"] = ["x"]
    path = tmp_path / "d.csv"
    frame.to_csv(path, index=False)
    assert main(["score", "gse", str(path), "--keep", "gse"]) == 2
    assert "would repeat score columns" in capsys.readouterr().err


def test_a_zero_padded_template(tmp_path, capsys):
    frame = pd.DataFrame([[4] * 10], columns=[f"q{i:02d}" for i in range(1, 11)])
    path = tmp_path / "padded.csv"
    frame.to_csv(path, index=False)
    assert main(["score", "gse", str(path), "--columns", "q{n:02d}"]) == 0
    assert "40.0" in capsys.readouterr().out


def test_demo_into_an_existing_file_is_a_one_line_error(tmp_path, capsys):
    target = tmp_path / "existing_file"
    target.write_text("keep me")
    assert main(["demo", "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert "is a file" in err and "Traceback" not in err
    assert target.read_text() == "keep me"


def test_read_warnings_are_plain_lines_and_encoding_can_be_given(tmp_path):
    frame = pd.DataFrame([[4] * 10, [3] * 10], columns=ITEMS)
    frame.insert(0, "name", ["Zoë", "Jürgen"])
    path = tmp_path / "latin.csv"
    path.write_bytes(frame.to_csv(index=False).encode("cp1252"))
    command = [sys.executable, "-m", "efficacy", "score", "gse", str(path), "--keep", "name"]
    guessed = subprocess.run(command, capture_output=True, text=True, check=False)
    assert guessed.returncode == 0, guessed.stderr
    lines = guessed.stderr.splitlines()
    assert lines and all(line.startswith("efficacy: warning: ") for line in lines), lines
    assert "Warning" not in guessed.stderr and ".py:" not in guessed.stderr
    given = subprocess.run([*command, "--encoding", "cp1252"], capture_output=True, text=True)
    assert given.returncode == 0 and given.stderr == ""
    assert "Jürgen" in given.stdout


def test_report_passes_group_to_the_norm_comparison(tmp_path, capsys):
    frame = pd.DataFrame([[4] * 10, [3] * 10, [2] * 10, [3] * 10], columns=ITEMS)
    frame["gender"] = ["female", "male", "female", "male"]
    path = tmp_path / "d.csv"
    frame.to_csv(path, index=False)
    html = tmp_path / "r.html"
    base = ["report", "gse", str(path), "-o", str(html), "-q", "--norm", "world2006_sex"]
    assert main(base) == 2
    assert "pass --group naming" in capsys.readouterr().err  # the CLI flag, not group=
    assert main([*base, "--group", "sex=gender"]) == 0
    assert html.exists()
    assert main([*base, "--group", "sex=gender,age"]) == 2
    assert "covariate=column" in capsys.readouterr().err


def test_a_write_that_fails_midway_leaves_the_previous_output(data_csv, tmp_path, monkeypatch):
    import efficacy.io._files as files

    out = tmp_path / "scores.csv"
    out.write_text("previous\n")

    def broken_write(frame, path, **options):
        Path(path).write_text("gse\n40.0\n")  # part of the table, then the disk fails
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(files, "write", broken_write)
    assert main(["score", "gse", str(data_csv), "-o", str(out)]) == 2
    assert out.read_text() == "previous\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_template_in_braces_is_not_taken_for_json(tmp_path, capsys):
    frame = pd.DataFrame([[4] * 10, [3] * 10], columns=[f"{i:02d}" for i in range(1, 11)])
    path = tmp_path / "numbers.csv"
    frame.to_csv(path, index=False)
    assert main(["score", "gse", str(path), "--columns", "{n:02d}"]) == 0
    assert "40.0" in capsys.readouterr().out


def test_keep_twice_and_an_unknown_output_format_are_plain_errors(data_csv, tmp_path, capsys):
    assert main(["score", "gse", str(data_csv), "--keep", "id", "id"]) == 2
    assert "more than once: ['id']" in capsys.readouterr().err
    out = tmp_path / "scores.txt"
    assert main(["score", "gse", str(data_csv), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("efficacy: error: scores.txt: cannot choose a format from '.txt'")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv"]


def test_demo_replaces_only_its_own_unchanged_outputs(tmp_path, capsys):
    folder = tmp_path / "out"
    folder.mkdir()
    mine = folder / "gse_report.html"
    mine.write_text("my own report")
    assert main(["demo", "--out", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "gse_report.html" in err and "--overwrite" in err
    assert mine.read_text() == "my own report"
    mine.unlink()
    assert main(["demo", "--out", str(folder)]) == 0
    assert main(["demo", "--out", str(folder)]) == 0  # its own, unchanged: replaced
    scores = folder / "gse_scores.csv"
    scores.write_text(scores.read_text() + "edited\n")
    assert main(["demo", "--out", str(folder)]) == 2
    assert "gse_scores.csv" in capsys.readouterr().err
    assert scores.read_text().endswith("edited\n")
    assert main(["demo", "--out", str(folder), "--overwrite"]) == 0
    assert not scores.read_text().endswith("edited\n")
