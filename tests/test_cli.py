"""The ``efficacy`` command: output, exit codes, and no tracebacks for user errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from efficacy.cli import main
from efficacy.instrument._loader import instruments_dir

GSE_ITEMS = [f"gse{i}" for i in range(1, 11)]


@pytest.fixture
def data_csv(tmp_path: Path) -> Path:
    frame = pd.DataFrame([[4] * 10, [1, 2, 3, 4, 1, 2, 3, 4, 1, 2]], columns=GSE_ITEMS)
    frame.insert(0, "id", ["p1", "p2"])
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return path


def test_list_prints_the_catalogue(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "gse" in out and "General Self-Efficacy Scale" in out


def test_validate_reports_every_problem_and_exits_1(tmp_path, capsys):
    good = instruments_dir() / "gse.yaml"
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        good.read_text("utf-8")
        .replace('{id: gse4, number: 4, keyed: "+"', "{id: gse4, number: 4, keyed: reverse")
        .replace("generality: general", "generality: broad"),
        "utf-8",
    )
    assert main(["validate", str(good)]) == 0
    assert main(["validate", str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"{good}: valid" in out
    assert f"{bad}: 2 problems" in out
    assert "generality: expected one of 'general', 'domain-specific'; got 'broad'" in out
    assert "items[3].keyed: expected one of '+', '-'; got 'reverse'" in out


def test_score_writes_scores(data_csv, tmp_path, capsys):
    out_path = tmp_path / "scores.csv"
    assert main(["score", "gse", str(data_csv), "-o", str(out_path), "--keep", "id"]) == 0
    scores = pd.read_csv(out_path)
    assert scores["id"].tolist() == ["p1", "p2"]
    assert scores["gse"].tolist() == [40.0, 23.0]


def test_score_to_stdout_with_a_column_template(tmp_path, capsys):
    frame = pd.DataFrame([[4] * 10], columns=[f"q{i}" for i in range(1, 11)])
    path = tmp_path / "q.csv"
    frame.to_csv(path, index=False)
    assert main(["score", "gse", str(path), "--columns", "q{n}", "--method", "mean"]) == 0
    assert "4.0" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["score", "nosuch", "DATA"], "no bundled instrument 'nosuch'"),
        (["score", "gse", "absent.csv"], "absent.csv"),
        (["show", "nosuch"], "no bundled instrument"),
        (["score", "gse", "DATA", "--columns", "x{n}"], "lacks 10 columns"),
    ],
)
def test_user_errors_exit_2_with_one_message(argv, message, data_csv, capsys):
    argv = [str(data_csv) if a == "DATA" else a for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("efficacy: error:") and message in err
    assert "Traceback" not in err


def test_invalid_cells_are_an_error_unless_asked_to_score_them_missing(tmp_path, capsys):
    frame = pd.DataFrame([[4] * 10, [9] + [4] * 9], columns=GSE_ITEMS)
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    assert main(["score", "gse", str(path)]) == 2
    # the file's own line: the header is line 1, data row 1 (0-based) is line 3
    assert "column 'gse1': 1 cell, lines [3], values [9" in capsys.readouterr().err
    assert main(["score", "gse", str(path), "--on-invalid", "missing"]) == 0
    captured = capsys.readouterr()
    assert "warning: 1 invalid response cells scored as missing" in captured.err


def test_bad_arguments_exit_2_without_traceback():
    result = subprocess.run(
        [sys.executable, "-m", "efficacy", "score"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "efficacy: error:" in result.stderr and "Traceback" not in result.stderr


def test_report_writes_a_self_contained_html_file(tmp_path, capsys):
    from efficacy.datasets import load_demo

    data_path = tmp_path / "demo.csv"
    load_demo().to_csv(data_path, index=False)
    out = tmp_path / "report.html"
    argv = ["report", "gse", str(data_path), "-o", str(out), "--norm", "world2006", "-q"]
    assert main(argv) == 2  # the demo data hold invalid cells
    assert "invalid response cells" in capsys.readouterr().err
    assert main([*argv, "--on-invalid", "missing"]) == 0
    html = out.read_text("utf-8")
    assert "<html" in html and "data:image/png;base64," in html
    assert 'src="http' not in html  # nothing loaded from elsewhere
