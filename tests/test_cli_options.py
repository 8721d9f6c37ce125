"""The command line speaks CLI: flags in hints, options of its own, checks up front."""

from __future__ import annotations

import io
import sys

import pandas as pd
import pytest

from efficacy.cli import main


@pytest.fixture
def data_csv(tmp_path):
    frame = pd.DataFrame({"id": [101, 102, 103], **{f"gse{i}": [3, 2, 4] for i in range(1, 11)}})
    frame.loc[1, "gse3"] = 9
    frame.loc[1, "gse1"] = 1
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return path


def test_hints_name_flags_not_python_arguments(data_csv, capsys):
    assert main(["score", "gse", str(data_csv)]) == 2
    err = capsys.readouterr().err
    assert "--on-invalid missing" in err and 'on_invalid="missing"' not in err
    assert main(["score", "gse", str(data_csv), "--on-invalid", "missing"]) == 0
    err = capsys.readouterr().err
    assert "attrs[" not in err and "invalid response cells" in err


def test_missing_codes(data_csv, capsys):
    assert main(["score", "gse", str(data_csv), "--missing", "9", "99"]) == 0
    out = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert out.loc[1, "gse_n_valid"] == 9


def test_decimals_and_full_precision_by_default(data_csv, capsys):
    args = ["score", "gse", str(data_csv), "--missing", "9", "--method", "mean"]
    assert main(args) == 0
    full = capsys.readouterr().out
    assert "1.888888888888" in full
    assert main([*args, "--decimals", "2"]) == 0
    assert "1.89," in capsys.readouterr().out
    assert main([*args, "--decimals", "-1"]) == 2


def test_stdin(data_csv, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data_csv.read_bytes())))
    assert main(["score", "gse", "-", "--missing", "9"]) == 0
    assert len(pd.read_csv(io.StringIO(capsys.readouterr().out))) == 3


def test_output_checked_before_the_work(data_csv, tmp_path, capsys, monkeypatch):
    import efficacy.scoring

    def never(*args, **kwargs):
        raise AssertionError("scored before the output was checked")

    monkeypatch.setattr(efficacy.scoring, "score", never)
    bad = tmp_path / "no-such-folder" / "out.csv"
    assert main(["score", "gse", str(data_csv), "-o", str(bad)]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["score", "gse", str(data_csv), "-o", str(tmp_path)]) == 2
    assert "folder" in capsys.readouterr().err


def test_keep_before_the_positionals_and_integer_ids(data_csv, capsys):
    assert main(["score", "--keep", "id", "gse", str(data_csv), "--missing", "9"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1].startswith("0,101,")


def test_keep_keeps_spss_labels_and_whole_number_ids(tmp_path, capsys):
    pytest.importorskip("pyreadstat")
    import efficacy as ef

    frame = pd.DataFrame({"id": [1.0, 2.0], **{f"gse{i}": [3.0, 2.0] for i in range(1, 11)}})
    sav = tmp_path / "in.sav"
    ef.write(frame, sav, variable_labels={"id": "Participant number"})
    out = tmp_path / "out.sav"
    assert main(["score", "gse", str(sav), "--keep", "id", "-o", str(out)]) == 0
    back = ef.read(out)
    assert back.attrs["efficacy_source"]["variable_labels"]["id"] == "Participant number"
    csv = tmp_path / "out.csv"
    assert main(["score", "gse", str(sav), "--keep", "id", "-o", str(csv)]) == 0
    assert csv.read_text().splitlines()[1].startswith("1,")


def test_report_options_in_help(capsys):
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    text = capsys.readouterr().out
    assert "--n-boot" in text and "--seed" in text and "--missing" in text
    with pytest.raises(SystemExit):
        main(["score", "--help"])
    assert "default full precision" in " ".join(capsys.readouterr().out.split())


def _header() -> str:
    return "id,note," + ",".join(f"gse{i}" for i in range(1, 11)) + "\n"


def test_rows_are_the_files_own_lines(tmp_path, capsys):
    good = ",".join(["3"] * 10)
    text = (
        _header()
        + f"1,plain,{good}\n"
        + "\n"  # a blank line: pandas skips it, the editor counts it
        + f'2,"two\nlines",{good}\n'  # a quoted cell over two lines
        + "3,x,7,"
        + ",".join(["3"] * 9)
        + "\n"  # line 6: the invalid cell
    )
    path = tmp_path / "lines.csv"
    path.write_text(text)
    assert main(["score", "gse", str(path)]) == 2
    err = capsys.readouterr().err
    assert "lines [6]" in err and "rows [" not in err
    assert main(["score", "gse", str(path), "--on-invalid", "missing", "--keep", "id"]) == 0
    out = pd.read_csv(io.StringIO(capsys.readouterr().out), index_col=0)
    assert list(out.index) == [0, 1, 2]  # the written index is the data's own


def test_excel_rows_are_sheet_rows(tmp_path, capsys):
    pytest.importorskip("openpyxl")
    frame = pd.DataFrame({f"gse{i}": [3, 3, 3] for i in range(1, 11)})
    frame.loc[2, "gse1"] = 8
    path = tmp_path / "d.xlsx"
    frame.to_excel(path, index=False)
    assert main(["score", "gse", str(path)]) == 2
    assert "sheet rows [4]" in capsys.readouterr().err


def test_file_rows_falls_back_when_the_index_is_not_plain():
    from efficacy.io._lines import file_rows

    frame = pd.DataFrame({"a": [1]}, index=["x"])
    frame.attrs["efficacy_source"] = {"format": "csv"}
    assert file_rows(frame, __import__("pathlib").Path("nowhere.csv")) is None


def test_encoding_hint_names_the_flag(tmp_path, capsys):
    path = tmp_path / "utf16.csv"
    text = "gse1,gse2\n1,2\n"
    path.write_bytes(text.encode("utf-16-le"))
    assert main(["score", "gse", str(path)]) == 2
    err = capsys.readouterr().err
    assert "--encoding" in err and "encoding=" not in err


def test_cli_message_keeps_what_the_command_cannot_say():
    from efficacy.cli import cli_message

    flags = {"on_invalid": "--on-invalid", "missing": "--missing"}
    assert cli_message("pass delimiter=';'", flags) == "pass delimiter=';'"
    assert cli_message("pass missing=[-99, 99]", flags) == "pass --missing -99 99"
    assert cli_message("groups (sex=male)", flags) == "groups (sex=male)"


def test_screen_prints_the_summary_and_writes_the_table(tmp_path, capsys):
    from efficacy.datasets import load_demo

    path = tmp_path / "demo.csv"
    load_demo().to_csv(path, index=False)
    out = tmp_path / "screen.csv"
    assert main(["screen", "gse", str(path), "--on-invalid", "missing", "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("Careless-responding screen: 600 respondents")
    table = pd.read_csv(out)  # the data's own 0..n-1 index is not written
    assert len(table) == 600 and {"longstring", "flagged", "reasons"} <= set(table.columns)
    assert main(["screen", "gse", str(path), "--on-invalid", "missing"]) == 0
    captured = capsys.readouterr()
    assert "Careless-responding screen" in captured.err
    assert len(pd.read_csv(io.StringIO(captured.out))) == 600
    assert main(["screen", "gse", str(path)]) == 2
    assert "--on-invalid missing" in capsys.readouterr().err


def test_report_progress_only_on_a_terminal_and_bootstrap_options(data_csv, tmp_path, monkeypatch):
    import efficacy.output._report as report_module

    seen = {}

    class Saved:
        def save(self, path):
            path.write_text("<html></html>")

    def fake_report(data, instrument, **options):
        seen.update(options)
        return Saved()

    monkeypatch.setattr(report_module, "report", fake_report)
    out = str(tmp_path / "r.html")
    base = ["report", "gse", str(data_csv), "-o", out, "--missing", "9"]
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert main([*base, "--n-boot", "50", "--seed", "7"]) == 0
    assert seen["progress"] is False and seen["n_boot"] == 50 and seen["seed"] == 7
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    seen.clear()
    assert main(base) == 0
    assert seen["progress"] is True and "n_boot" not in seen and "seed" not in seen
    assert main([*base, "-q"]) == 0
    assert seen["progress"] is False
