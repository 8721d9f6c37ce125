"""Readers and writers under attack: nothing lost, nothing injected, clear messages.

Each test reproduces one way a file could lose records or cells, give a wrong value
without a word, or carry a formula into a spreadsheet.
"""

from __future__ import annotations

import re
import struct
import time
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import efficacy as ef
from efficacy.errors import DataError
from efficacy.io._common import ReadWarning, duplicate_names

openpyxl = pytest.importorskip("openpyxl")
pyreadstat = pytest.importorskip("pyreadstat")


def read_text(tmp_path: Path, content: str | bytes, name: str = "data.csv", **options):
    """Read ``content`` as a file; returns the frame and the warnings' messages."""
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = ef.read(path, **options)
    return frame, [str(w.message) for w in caught if issubclass(w.category, Warning)]


# --- CSV: item 3 -------------------------------------------------------------------


def test_surplus_cells_in_the_first_record_are_an_error_like_in_any_record(
    tmp_path: Path,
) -> None:
    with pytest.raises(DataError, match=r"data\.csv: .*line 2 has 4 cells, but the header names 3"):
        read_text(tmp_path, "id,q1,q2\n1,4,3,7\n")
    with pytest.raises(DataError, match=r"data\.csv: .*line 3 has 4 cells, but the header names 3"):
        read_text(tmp_path, "id,q1,q2\n1,4,3\n2,4,3,7\n")


def test_surplus_line_numbers_count_the_file_lines_above_the_data(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"line 4 has 3 cells"):
        read_text(tmp_path, "\nid,q1\n1,4\n2,3,9\n")


def test_a_one_column_file_keeps_delimiters_inside_its_cells(tmp_path: Path) -> None:
    frame, caught = read_text(tmp_path, "comment\na,b\nc;d\ne\n")
    assert frame["comment"].tolist() == ["a,b", "c;d", "e"]
    assert frame.attrs["efficacy_source"]["delimiter"] is None
    assert any("each line is one cell" in message for message in caught)
    split, _ = read_text(tmp_path, "comment\na\n", delimiter=",")
    assert split.attrs["efficacy_source"]["delimiter"] == ","


def test_a_one_column_file_with_a_delimiter_given_refuses_surplus_cells(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="line 2 has 2 cells"):
        read_text(tmp_path, "q1\na,b\n", delimiter=",")


def test_a_blank_record_in_a_one_column_file_is_a_respondent(tmp_path: Path) -> None:
    frame, caught = read_text(tmp_path, "q1\n4\n\n3\n")
    assert len(frame) == 3
    assert frame["q1"].iloc[[0, 2]].tolist() == [4, 3]
    assert np.isnan(frame["q1"].iloc[1])
    assert frame.attrs["efficacy_source"]["empty_rows"] == [1]
    assert any("empty rows" in message for message in caught)


def test_blank_lines_at_the_end_of_a_one_column_file_are_not_respondents(tmp_path: Path) -> None:
    frame, _ = read_text(tmp_path, "q1\n4\n3\n\n\n")
    assert frame["q1"].tolist() == [4, 3]


def test_a_stray_opening_quote_that_swallows_records_is_warned_about(tmp_path: Path) -> None:
    frame, caught = read_text(tmp_path, 'id,q1,c\n1,4,"abc\n2,3,x\n3,2,"y\n4,1,z\n')
    assert len(frame) == 2  # legal CSV, read as written
    assert any("look like whole records" in m and "row 0 column 'c'" in m for m in caught)


def test_a_quoted_cell_with_an_ordinary_line_break_is_not_warned_about(tmp_path: Path) -> None:
    frame, caught = read_text(tmp_path, 'id,q1,c\n1,4,"first line\nsecond line"\n2,3,x\n')
    assert frame["c"].tolist() == ["first line\nsecond line", "x"]
    assert not caught


def test_a_blank_line_before_the_header_adds_no_record(tmp_path: Path) -> None:
    frame, _ = read_text(tmp_path, "\n\nid,q1\n1,4\n2,3\n")
    assert frame.to_dict("list") == {"id": [1, 2], "q1": [4, 3]}


def test_a_blank_line_between_qualtrics_header_rows_keeps_no_header_as_record(
    tmp_path: Path,
) -> None:
    content = (
        "ResponseId,Q1_1\n\nResponse ID,How true - I can solve problems\n"
        '{"ImportId":"_recordId"},{"ImportId":"QID1_1"}\nR_1,4\nR_2,3\n'
    )
    frame, _ = read_text(tmp_path, content)
    assert frame.to_dict("list") == {"ResponseId": ["R_1", "R_2"], "Q1_1": [4, 3]}
    assert frame.attrs["efficacy_source"]["qualtrics"]["import_ids"]["Q1_1"] == "QID1_1"


# --- item 21 and 22: arguments and messages ----------------------------------------


@pytest.mark.parametrize("delimiter", ["", ",,", "\n", '"', 5])
def test_a_bad_delimiter_is_a_data_error(tmp_path: Path, delimiter) -> None:
    with pytest.raises(DataError, match="delimiter must be one character"):
        read_text(tmp_path, "a,b\n1,2\n", delimiter=delimiter)


@pytest.mark.parametrize("order", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_gets_a_hint_to_pass_the_encoding(
    tmp_path: Path, order: str
) -> None:
    content = "id,q1\n1,4\n2,3\n".encode(order)
    with pytest.raises(
        DataError, match=f"UTF-16 text without a byte order mark; pass encoding='{order}'"
    ):
        read_text(tmp_path, content)
    frame, _ = read_text(tmp_path, content, encoding=order)
    assert frame["q1"].tolist() == [4, 3]


def test_binary_content_is_still_called_binary(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="binary content"):
        read_text(tmp_path, b"PK\x03\x04\x00\x00\x14\x00binary\x00\x00")


def test_carriage_return_line_endings_are_read_as_lines(tmp_path: Path) -> None:
    frame, _ = read_text(tmp_path, b"id,q1\r1,4\r2,3\r")
    assert frame.to_dict("list") == {"id": [1, 2], "q1": [4, 3]}
    assert frame.attrs["efficacy_source"]["line_endings"] == "CR"


def test_a_qualtrics_export_without_its_import_id_row_is_recognised(tmp_path: Path) -> None:
    content = (
        "StartDate,ResponseId,Q1_1,Q1_2\n"
        "Start Date,Response ID,How true? - I can solve,How true? - If someone opposes me\n"
        "2024-01-01,R_1,4,3\n2024-01-02,R_2,2,1\n"
    )
    frame, _ = read_text(tmp_path, content)
    assert frame["ResponseId"].tolist() == ["R_1", "R_2"]
    assert frame["Q1_1"].tolist() == [4, 2]
    source = frame.attrs["efficacy_source"]
    assert source["format"] == "qualtrics"
    assert source["qualtrics"]["layout"] == "no_import_ids"
    assert source["qualtrics"]["question_columns"] == ["Q1_1", "Q1_2"]
    assert source["variable_labels"]["Q1_2"] == "How true? - If someone opposes me"


def test_a_leftover_header_row_is_never_silently_record_0(tmp_path: Path) -> None:
    frame, caught = read_text(tmp_path, "id,q1,q2\nID,Question 1,Question 2\n1,4,3\n2,3,2\n")
    assert len(frame) == 3  # kept, but said
    assert any("record 0 looks like a second header row" in m for m in caught)


def test_text_in_row_0_of_a_text_column_is_no_header_row(tmp_path: Path) -> None:
    _, caught = read_text(tmp_path, "id,q1\nA,4\nB,3\n")
    assert not caught


# --- item 19: wide headers -----------------------------------------------------------


def test_duplicate_names_take_linear_time() -> None:
    names = [f"c{i}" for i in range(200_000)] + ["c7", "c7"]
    start = time.perf_counter()
    assert duplicate_names(names) == ["c7"]
    assert time.perf_counter() - start < 2.0


def test_a_wide_file_with_duplicate_names_is_read_whole(tmp_path: Path) -> None:
    names = [f"c{i}" for i in range(3000)] + ["c1"]
    content = ",".join(names) + "\n" + ",".join(str(i % 5) for i in range(len(names))) + "\n"
    frame, caught = read_text(tmp_path, content)
    assert frame.shape == (1, 3001)
    assert frame.attrs["efficacy_source"]["duplicate_columns"] == ["c1"]
    assert any("more than once" in m for m in caught)


# --- Excel: items 2, 5, 12 -----------------------------------------------------------


def _workbook(path: Path, rows: list[list]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _retag(path: Path, reference: str) -> Path:
    """The workbook with its sheet's ``<dimension>`` tag replaced by ``reference``."""
    out = path.with_name(f"tagged_{reference.replace(':', '_')}.xlsx")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data, count = re.subn(
                    rb'<dimension ref="[^"]*"\s*/>',
                    f'<dimension ref="{reference}"/>'.encode(),
                    data,
                )
                assert count == 1
            target.writestr(item, data)
    return out


@pytest.mark.parametrize("reference", ["A1:K3", "A1", "A1:B2", "C5:D9"])
def test_excel_rows_and_columns_beyond_a_wrong_dimension_tag_are_read(
    tmp_path: Path, reference: str
) -> None:
    rows = [["id", "q1", "q2"]] + [[i, 1 + i % 4, 4 - i % 4] for i in range(30)]
    path = _retag(_workbook(tmp_path / "book.xlsx", rows), reference)
    frame = ef.read(path)
    assert frame.shape == (30, 3)
    assert frame["id"].tolist() == list(range(30))
    assert frame["q2"].tolist() == [4 - i % 4 for i in range(30)]


def test_formula_cells_without_a_saved_value_are_named(tmp_path: Path) -> None:
    rows = [["id", "q1", "total"], [1, 4, "=B2*2"], [2, 3, 6], [3, 2, "=B4*2"]]
    path = _workbook(tmp_path / "formulas.xlsx", rows)  # openpyxl saves no values
    with pytest.warns(ReadWarning, match=r"2 formula cells hold no saved value .*\['C2', 'C4'\]"):
        frame = ef.read(path)
    assert frame["total"].isna().tolist() == [True, False, True]


def test_text_that_starts_with_equals_is_no_formula_and_is_not_warned_about(
    tmp_path: Path,
) -> None:
    path = tmp_path / "text.xlsx"
    ef.write(pd.DataFrame({"note": ["=1+1", "ok"], "q1": [4, 3]}), path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = ef.read(path)
    assert frame["note"].tolist() == ["=1+1", "ok"]


@pytest.mark.parametrize("column", [[True, 1, 4], [1, True, 4], [True, False, True]])
def test_excel_boolean_cells_stay_booleans(tmp_path: Path, column: list) -> None:
    path = _workbook(tmp_path / "bools.xlsx", [["q1"]] + [[v] for v in column])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReadWarning)
        frame = ef.read(path)
    assert [type(v) for v in frame["q1"]] == [type(v) for v in column]
    assert frame["q1"].tolist() == column


# --- item 11: formula injection on write ---------------------------------------------

FORMULAS = [
    "=1+1",
    '=HYPERLINK("http://x","y")',
    "+A1",
    "-A1+1",
    "@SUM(A1:A2)",
    "=cmd|' /C calc'!A0",
]


def test_excel_text_is_written_as_text_never_as_a_formula(tmp_path: Path) -> None:
    frame = pd.DataFrame({"=id": FORMULAS, "q1": range(len(FORMULAS))})
    original = frame.copy()
    path = ef.write(frame, tmp_path / "out.xlsx", variable_labels={"q1": "=label"})
    pd.testing.assert_frame_equal(frame, original)
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row)
    back = ef.read(path, sheet="data")
    assert back["=id"].tolist() == FORMULAS
    assert back.columns.tolist() == ["=id", "q1"]


def test_csv_for_spreadsheets_escapes_formula_text(tmp_path: Path) -> None:
    frame = pd.DataFrame({"=id": [*FORMULAS, "-3", "ok"], "q1": range(len(FORMULAS) + 2)})
    original = frame.copy()
    path = ef.write(frame, tmp_path / "out.csv", escape_formulas=True)
    pd.testing.assert_frame_equal(frame, original)
    back = ef.read(path)
    assert back.columns.tolist() == ["'=id", "q1"]
    assert back["'=id"].tolist() == [*("'" + f for f in FORMULAS), "-3", "ok"]
    assert back["q1"].tolist() == list(range(len(FORMULAS) + 2))


def test_csv_is_written_as_is_by_default(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": FORMULAS, "q1": range(len(FORMULAS))})
    back = ef.read(ef.write(frame, tmp_path / "out.tsv"))
    assert back["id"].tolist() == FORMULAS


# --- item 4: SPSS files that leave the case count open -----------------------------


def _open_count_sav(tmp_path: Path, compress: bool) -> bytes:
    frame = pd.DataFrame(
        {
            "id": np.arange(200.0),
            "q1": np.random.default_rng(3).integers(1, 5, 200).astype(float),
            "note": ["some text"] * 200,
        }
    )
    path = tmp_path / "full.sav"
    pyreadstat.write_sav(
        frame,
        str(path),
        row_compress=compress,
        column_labels=["Person", "Item 1", None],
        variable_value_labels={"q1": {1.0: "Not at all true", 4.0: "Exactly true"}},
    )
    raw = bytearray(path.read_bytes())
    assert struct.unpack("<i", raw[80:84])[0] == 200
    raw[80:84] = struct.pack("<i", -1)  # the header leaves the number of cases open
    return bytes(raw)


@pytest.mark.parametrize("compress", [False, True])
def test_a_truncated_sav_with_an_open_case_count_is_refused(tmp_path: Path, compress) -> None:
    raw = _open_count_sav(tmp_path, compress)
    path = tmp_path / "cut.sav"
    refusals: list[str] = []
    short: list[int] = []
    cuts = range(len(raw) - 400, len(raw) - 1, 7)
    for cut in cuts:
        path.write_bytes(raw[:cut])
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ReadWarning)
                frame = ef.read(path)
        except DataError as exc:
            refusals.append(str(exc))
        else:  # only a cut exactly between two cases cannot be told
            short.append(len(frame))
    assert all(n < 200 for n in short)
    assert len(refusals) >= len(cuts) * 0.8
    assert all(
        "the file is truncated" in message or "not a readable SPSS" in message
        for message in refusals
    )
    assert sum("the file is truncated" in message for message in refusals) >= len(cuts) // 4


@pytest.mark.parametrize("compress", [False, True])
def test_a_whole_sav_with_an_open_case_count_is_read_with_a_warning(
    tmp_path: Path, compress
) -> None:
    path = tmp_path / "open.sav"
    path.write_bytes(_open_count_sav(tmp_path, compress))
    with pytest.warns(ReadWarning, match="does not state its number of cases; 200 were read"):
        frame = ef.read(path)
    assert len(frame) == 200
    assert frame["id"].tolist() == list(np.arange(200.0))


def test_a_redcap_dictionary_with_a_surplus_cell_in_its_first_row_is_refused(
    tmp_path: Path,
) -> None:
    dictionary = tmp_path / "dictionary.csv"
    dictionary.write_text(
        "Variable / Field Name,Form Name,Field Type,Field Label\n"
        "record_id,survey,text,Record ID,surplus\n"
        "q1,survey,radio,Item 1\n"
    )
    (tmp_path / "export.csv").write_text("record_id,q1\n1,4\n")
    with pytest.raises(DataError, match="first row holds more cells than the header names"):
        ef.read(tmp_path / "export.csv", format="redcap", dictionary=dictionary)
