"""Reading data files and writing results: efficacy.io._files.

The fixture files in tests/fixtures/io (written by make_fixtures.py there) spell the
same twelve GSE response sets (truth.csv) the way each format does; every reader
must give back exactly those codes.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import efficacy as ef
from efficacy.errors import DataError, InvalidResponseError
from efficacy.io._codes import apply_recode
from efficacy.io._files import ReadWarning, match_items_by_text

FIXTURES = Path(__file__).parent / "fixtures" / "io"
ITEMS = [f"gse{i}" for i in range(1, 11)]
QUALTRICS_ITEMS = {f"gse{i}": f"Q1_{i}" for i in range(1, 11)}


@pytest.fixture(scope="module")
def truth() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "truth.csv")


@pytest.fixture(scope="module")
def truth_scores(truth: pd.DataFrame) -> pd.Series:
    return ef.score(truth, "gse")["gse"]


def read_quietly(path: Path, **options) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReadWarning)
        return ef.read(path, **options)


def items_of(frame: pd.DataFrame, mapping: dict[str, str] | None = None) -> pd.DataFrame:
    mapping = mapping or {item: item for item in ITEMS}
    return frame[[mapping[item] for item in ITEMS]].set_axis(ITEMS, axis=1).astype(float)


def test_truth_scores_by_hand(truth_scores: pd.Series) -> None:
    # respondent 103 left gse2 out: 9 items summing to 35, prorated 35 / 9 * 10;
    # respondent 105 answered only 6 items (GSE needs 7): no score.
    assert truth_scores[2] == pytest.approx(35 / 9 * 10, rel=1e-15)
    assert np.isnan(truth_scores[4])
    assert truth_scores[0] == 25.0


# ------------------------------------------------------------------ CSV, TSV


def test_windows_1252_csv_is_detected_and_reported(truth: pd.DataFrame) -> None:
    with pytest.warns(ReadWarning, match=r"not UTF-8 .* read as cp1252"):
        frame = ef.read(FIXTURES / "gse_cp1252.csv")
    source = frame.attrs["efficacy_source"]
    assert source["encoding"] == "cp1252"
    assert source["format"] == "csv"
    assert source["rows"] == 12
    assert frame["name"].tolist() == truth["name"].tolist()
    assert frame.loc[0, "comment"] == "it’s “fine” – ok"
    assert frame.loc[5, "comment"] == "naïve"
    pd.testing.assert_frame_equal(items_of(frame), truth[ITEMS])


def test_encoding_given_is_used_without_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = ef.read(FIXTURES / "gse_cp1252.csv", encoding="cp1252")
    assert frame.attrs["efficacy_source"]["encoding"] == "cp1252"
    assert frame["name"].iloc[9] == "François"


def test_wrong_encoding_given_is_an_error_naming_the_file() -> None:
    with pytest.raises(DataError, match=r"gse_cp1252.csv: not utf-8 text .* at byte"):
        ef.read(FIXTURES / "gse_cp1252.csv", encoding="utf-8")


def test_tsv(truth: pd.DataFrame) -> None:
    frame = ef.read(FIXTURES / "gse.tsv")
    source = frame.attrs["efficacy_source"]
    assert (source["format"], source["delimiter"], source["encoding"]) == ("tsv", "\t", "utf-8")
    pd.testing.assert_frame_equal(items_of(frame), truth[ITEMS])
    assert frame["id"].dtype == np.int64


def test_utf16_tab_separated_export(tmp_path: Path) -> None:
    # Qualtrics writes its TSV exports in UTF-16 with a byte order mark.
    path = tmp_path / "export.tsv"
    path.write_bytes("id\tname\n1\tZoë\n2\tÅsa\n".encode("utf-16"))
    frame = ef.read(path)
    assert frame["name"].tolist() == ["Zoë", "Åsa"]
    assert frame.attrs["efficacy_source"]["encoding"] == "utf-16"


def test_semicolon_csv_is_sniffed(tmp_path: Path) -> None:
    path = tmp_path / "european.csv"
    path.write_text("id;gse1\n1;4\n2;3\n", encoding="utf-8")
    frame = ef.read(path)
    assert frame["gse1"].tolist() == [4, 3]
    assert frame.attrs["efficacy_source"]["delimiter"] == ";"


def test_nothing_is_coerced_behind_the_users_back(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text(
        "id,gse1,note,big\n007,4,NA,12345678901234567890\n010,n/a,null,1\n011,3,,2\n",
        encoding="utf-8",
    )
    frame = ef.read(path)
    source = frame.attrs["efficacy_source"]
    assert frame["id"].tolist() == ["007", "010", "011"]  # leading zeros kept
    assert source["kept_as_text"] == {
        "id": "leading zeros",
        "big": "integers of more than 15 digits",
    }
    assert frame["gse1"].tolist() == ["4", "n/a", "3"]  # not silently made missing
    assert source["mixed_columns"] == {"gse1": ["n/a"]}
    assert frame["note"].tolist()[:2] == ["NA", "null"]  # only blanks are missing
    assert np.isnan(frame["note"].iloc[2])


def test_cells_read_as_written(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text(
        'id,done,q1,q2,day\n1,TRUE, 4 ,"-012",2024-03-01\n2,FALSE,  ,3,2024-03-02\n',
        encoding="utf-8",
    )
    frame = ef.read(path)
    assert frame["done"].tolist() == ["TRUE", "FALSE"]  # text, not booleans
    assert frame["q1"].iloc[0] == 4 and np.isnan(frame["q1"].iloc[1])  # blank is missing
    assert frame["q2"].tolist() == ["-012", "3"]
    assert frame.attrs["efficacy_source"]["kept_as_text"] == {"q2": "leading zeros"}
    assert frame["day"].tolist() == ["2024-03-01", "2024-03-02"]


def test_header_only_file(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("id,gse1\n", encoding="utf-8")
    frame = ef.read(path)
    assert frame.shape == (0, 2)
    assert frame.attrs["efficacy_source"]["rows"] == 0


def test_no_row_is_dropped_silently(tmp_path: Path) -> None:
    path = tmp_path / "gaps.csv"
    path.write_text("id,gse1,,\n1,4,,\n,,,\n   ,  ,,\n2,3,,\n,,,\n,,,\n", encoding="utf-8")
    with pytest.warns(ReadWarning, match=r"2 empty rows between records kept"):
        frame = ef.read(path)
    source = frame.attrs["efficacy_source"]
    assert frame.shape == (4, 2)
    assert frame["id"].tolist()[0] == 1.0 and frame["id"].tolist()[3] == 2.0
    assert source["empty_rows"] == [1, 2]
    assert source["trailing_empty_rows"] == 2
    assert source["dropped_columns"] == [3, 4]
    assert source["rows"] == 4


def test_unnamed_column_with_data_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("id,,gse1\n1,x,4\n", encoding="utf-8")
    with pytest.warns(ReadWarning, match="no name"):
        frame = ef.read(path)
    assert list(frame.columns) == ["id", "Unnamed: 1", "gse1"]
    assert frame.attrs["efficacy_source"]["dropped_columns"] == []


def test_duplicate_column_names_are_kept_and_warned_about(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("id,q,q\n1,2,3\n", encoding="utf-8")
    with pytest.warns(ReadWarning, match="more than once"):
        frame = ef.read(path)
    assert list(frame.columns) == ["id", "q", "q"]
    assert frame.attrs["efficacy_source"]["duplicate_columns"] == ["q"]


def test_missing_codes_are_counted_per_column(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("id,q1,q2,q3\n9,1,9,x\n2,9,-9,refused\n", encoding="utf-8")
    frame = ef.read(path, missing={"q1": [9], "q2": [9, -9], "q3": ["refused"]})
    source = frame.attrs["efficacy_source"]
    assert source["missing_counts"] == {"q1": 1, "q2": 2, "q3": 1}
    assert frame["id"].tolist() == [9, 2]  # not named, not touched
    assert frame["q3"].tolist()[0] == "x" and np.isnan(frame["q3"].iloc[1])


def test_missing_naming_an_absent_column_is_an_error() -> None:
    with pytest.raises(DataError, match=r"missing names columns .* \['nope'\]"):
        ef.read(FIXTURES / "gse.tsv", missing={"nope": [9]})


# ------------------------------------------------------------------ Excel


def test_excel_reads_the_first_sheet_and_says_so(truth: pd.DataFrame) -> None:
    with pytest.warns(ReadWarning, match=r"2 sheets \['responses', 'notes'\]"):
        frame = ef.read(FIXTURES / "gse.xlsx")
    source = frame.attrs["efficacy_source"]
    assert (source["format"], source["sheet"]) == ("excel", "responses")
    pd.testing.assert_frame_equal(items_of(frame), truth[ITEMS])
    assert frame["name"].tolist() == truth["name"].tolist()


def test_excel_sheet_by_name_and_number() -> None:
    assert ef.read(FIXTURES / "gse.xlsx", sheet="notes")["note"].tolist() == [
        "GSE pilot, 12 respondents"
    ]
    assert ef.read(FIXTURES / "gse.xlsx", sheet=1).attrs["efficacy_source"]["sheet"] == "notes"
    with pytest.raises(DataError, match=r"no sheet 'other'; its sheets are"):
        ef.read(FIXTURES / "gse.xlsx", sheet="other")
    with pytest.raises(DataError, match="no sheet number 5"):
        ef.read(FIXTURES / "gse.xlsx", sheet=5)


def test_excel_keeps_empty_rows_between_records(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["id", "gse1"], [1, 4], [None, None], [2, "3"], [3, "n/a"]):
        sheet.append(row)
    sheet.cell(row=9, column=1).number_format = "0.00"  # formatting only, no value
    path = tmp_path / "book.xlsx"
    book.save(path)
    with pytest.warns(ReadWarning, match="1 empty rows"):
        frame = ef.read(path)
    assert len(frame) == 4
    assert frame["gse1"].iloc[0] == 4 and pd.isna(frame["gse1"].iloc[1])
    assert frame["gse1"].iloc[2:].tolist() == ["3", "n/a"]  # kept as found
    assert frame.attrs["efficacy_source"]["mixed_columns"] == {"gse1": ["n/a"]}


def test_excel_numbers_stored_as_text_become_numbers(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    for row in (["gse1"], [4], ["3"], [None]):
        book.active.append(row)
    path = tmp_path / "book.xlsx"
    book.save(path)
    assert ef.read(path)["gse1"].tolist()[:2] == [4.0, 3.0]


# ------------------------------------------------------------------ SPSS


def test_spss_user_missing_values_become_nan_per_the_file(truth: pd.DataFrame) -> None:
    frame = ef.read(FIXTURES / "gse_labels.sav")
    source = frame.attrs["efficacy_source"]
    assert source["format"] == "spss"
    pd.testing.assert_frame_equal(items_of(frame), truth[ITEMS])
    expected = {item: int(n) for item, n in truth[ITEMS].isna().sum().items() if n}
    assert source["missing_counts"] == expected
    assert source["missing_codes"]["gse1"] == [8.0, 9.0]  # discrete values
    assert source["missing_codes"]["gse2"] == [[8.0, 9.0]]  # a range
    assert np.isnan(frame.loc[5, "name"])  # an empty string answer is missing


def test_spss_labels_are_kept_as_in_the_file() -> None:
    source = ef.read(FIXTURES / "gse_labels.sav").attrs["efficacy_source"]
    assert source["value_labels"]["gse1"][2.0] == "  Hardly   true"
    assert source["value_labels"]["gse1"][4.0] == "EXACTLY TRUE"
    assert source["value_labels"]["gse1"][9.0] == "Don't know"
    assert source["variable_labels"]["gse3"].strip() == (
        "It is easy for me to stick to my aims and accomplish my goals."
    )
    assert source["spss"]["file_label"] == "GSE pilot"
    assert source["spss"]["formats"]["name"].startswith("A")  # a string variable


def test_spss_labelled_responses_score_end_to_end(truth_scores: pd.Series) -> None:
    frame = ef.read(FIXTURES / "gse_labels.sav", labels="labels")
    assert frame.loc[0, "gse1"] == "  Hardly   true"  # the label as the file spells it
    assert frame.attrs["efficacy_source"]["unlabelled_values"] == {}
    columns = match_items_by_text(frame, "gse")
    assert columns == {item: item for item in ITEMS}
    scores = ef.score(frame, "gse", columns=columns)
    pd.testing.assert_series_equal(scores["gse"], truth_scores)


def test_spss_codes_score_end_to_end(truth_scores: pd.Series) -> None:
    scores = ef.score(ef.read(FIXTURES / "gse_labels.sav"), "gse")
    pd.testing.assert_series_equal(scores["gse"], truth_scores)


def test_spss_unlabelled_codes_are_reported(tmp_path: Path) -> None:
    frame = pd.DataFrame({"q": [1.0, 2.0, 5.0, np.nan]})
    path = ef.write(frame, tmp_path / "x.sav", value_labels={"q": {1: "low", 2: "high"}})
    labelled = ef.read(path, labels="labels")
    assert labelled["q"].tolist()[:3] == ["low", "high", "5"]
    assert labelled.attrs["efficacy_source"]["unlabelled_values"] == {"q": [5.0]}


def test_corrupt_spss_file_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "broken.sav"
    path.write_bytes(b"$FL2 this is not really an SPSS file" * 4)
    with pytest.raises(DataError, match=r"broken.sav: not a readable SPSS .sav file"):
        ef.read(path)


# ------------------------------------------------------------------ Qualtrics


def test_qualtrics_current_layout(truth: pd.DataFrame) -> None:
    with pytest.warns(ReadWarning, match=r"-99, Qualtrics' code for 'seen but unanswered'"):
        ef.read(FIXTURES / "qualtrics_current.csv")
    frame = ef.read(FIXTURES / "qualtrics_current.csv", missing=[-99])
    source = frame.attrs["efficacy_source"]
    assert source["format"] == "qualtrics"
    assert source["qualtrics"]["layout"] == "current"
    assert source["qualtrics"]["header_rows"] == 3
    assert source["qualtrics"]["import_ids"]["Q1_4"] == "QID1_4"
    assert source["rows"] == 12  # the header rows are not records
    assert source["dropped_columns"] == [24, 25]  # trailing, unnamed and empty
    assert source["missing_counts"] == {"Q1_2": 1}
    assert source["variable_labels"]["Q1_1"].endswith("if I try hard enough.")
    assert frame["Q3_4_TEXT"].dtype == "str"  # typed answers stay text
    assert frame["Q3_4_TEXT"].iloc[3] == "12"
    assert frame["Q2"].dtype == np.int64
    pd.testing.assert_frame_equal(items_of(frame, QUALTRICS_ITEMS), truth[ITEMS])


def test_qualtrics_numeric_export_scores_end_to_end(truth_scores: pd.Series) -> None:
    frame = ef.read(FIXTURES / "qualtrics_current.csv", missing=[-99])
    columns = match_items_by_text(frame, "gse")
    assert columns == QUALTRICS_ITEMS
    pd.testing.assert_series_equal(ef.score(frame, "gse", columns=columns)["gse"], truth_scores)


def test_qualtrics_choice_text_export_scores_end_to_end(truth_scores: pd.Series) -> None:
    frame = ef.read(FIXTURES / "qualtrics_text.csv")
    assert frame.loc[0, "Q1_1"] == "Hardly true"
    columns = match_items_by_text(frame, "gse")
    pd.testing.assert_series_equal(ef.score(frame, "gse", columns=columns)["gse"], truth_scores)


def test_qualtrics_legacy_layout_and_recode(truth: pd.DataFrame, truth_scores) -> None:
    raw = ef.read(FIXTURES / "qualtrics_legacy.csv")
    source = raw.attrs["efficacy_source"]
    assert source["qualtrics"]["layout"] == "legacy"
    assert source["qualtrics"]["renamed"]["ResponseID"] == "V1"
    assert raw["ResponseID"].iloc[0] == "R_101y"
    columns = match_items_by_text(raw, "gse")  # "<question>.-<statement>" labels
    assert columns == QUALTRICS_ITEMS
    with pytest.raises(InvalidResponseError, match="outside the response range"):
        ef.score(raw, "gse", columns=columns)  # the export codes "Exactly true" as 5
    fixed = ef.read(FIXTURES / "qualtrics_legacy.csv", recode={"*": {5: 4}})
    assert fixed.attrs["efficacy_source"]["recoded"]["Q1_10"] == int((truth["gse10"] == 4).sum())
    assert fixed["LocationAccuracy"].tolist()[0] == -1  # "*" leaves built-in columns alone
    pd.testing.assert_frame_equal(items_of(fixed, QUALTRICS_ITEMS), truth[ITEMS])
    pd.testing.assert_series_equal(ef.score(fixed, "gse", columns=columns)["gse"], truth_scores)


def test_recode_choice_texts_and_report_what_is_left(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("q1,q2\nTotally true,1\n  totally TRUE,2\nHardly true,3\n", encoding="utf-8")
    frame = ef.read(path, recode={"q1": {"Totally true": 4}, "q2": {1: 2, 2: 1, 3: None}})
    assert frame["q1"].tolist() == [4.0, 4.0, "Hardly true"]
    assert frame["q2"].tolist()[:2] == [2, 1] and np.isnan(frame["q2"].iloc[2])
    source = frame.attrs["efficacy_source"]
    assert source["recoded"] == {"q1": 2, "q2": 3}
    assert source["recode_unmatched"] == {"q1": ["Hardly true"]}
    with pytest.raises(DataError, match="codes must be numbers"):
        ef.read(path, recode={"q1": {"Totally true": "four"}})


def test_forcing_qualtrics_on_another_file_is_an_error() -> None:
    with pytest.raises(DataError, match=r"gse.tsv: not a Qualtrics export"):
        ef.read(FIXTURES / "gse.tsv", format="qualtrics")


# ------------------------------------------------------------------ REDCap


def redcap(**options) -> pd.DataFrame:
    return ef.read(
        FIXTURES / "redcap_export.csv",
        format="redcap",
        dictionary=FIXTURES / "redcap_dictionary.csv",
        **options,
    )


def test_redcap_with_dictionary(truth: pd.DataFrame, truth_scores: pd.Series) -> None:
    frame = redcap(missing=[777, 999])
    source = frame.attrs["efficacy_source"]
    assert source["format"] == "redcap"
    expected = {item: int(n) for item, n in truth[ITEMS].isna().sum().items() if n}
    assert source["missing_counts"] == expected
    assert source["value_labels"]["gse1"] == {
        1: "Not at all true",
        2: "Hardly true",
        3: "Moderately true",
        4: "Exactly true",
    }
    assert source["value_labels"]["consent"] == {1: "Yes", 0: "No"}
    assert (
        source["variable_labels"]["heard___2"] == "How did you hear of the study? (choice=A friend)"
    )
    assert source["variable_labels"]["gse1"].startswith("I can always manage")  # no <b>
    assert source["redcap"]["record_id"] == "record_id"
    assert source["redcap"]["not_in_data"] == []
    assert frame["record_id"].tolist()[0] == 101
    pd.testing.assert_frame_equal(items_of(frame), truth[ITEMS])
    columns = match_items_by_text(frame, "gse")
    pd.testing.assert_series_equal(ef.score(frame, "gse", columns=columns)["gse"], truth_scores)


def test_redcap_undeclared_missing_codes_are_warned_about() -> None:
    with pytest.warns(ReadWarning, match=r"not among the field's choices .* 'gse1': \[777\]"):
        frame = redcap()
    assert frame.attrs["efficacy_source"]["redcap"]["values_outside_choices"]["gse2"] == [999]
    assert frame.attrs["efficacy_source"]["missing_counts"] == {}


def test_redcap_labels() -> None:
    frame = redcap(missing=[777, 999], labels="labels")
    assert frame.loc[0, ["consent", "gse1", "heard___1", "gse_form_complete"]].tolist() == [
        "Yes",
        "Hardly true",
        "Checked",
        "Complete",
    ]


def test_redcap_needs_its_dictionary(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="needs its data dictionary"):
        ef.read(FIXTURES / "redcap_export.csv", format="redcap")
    with pytest.raises(DataError, match="no such data dictionary"):
        ef.read(FIXTURES / "redcap_export.csv", format="redcap", dictionary=tmp_path / "x.csv")
    wrong = tmp_path / "dictionary.csv"
    wrong.write_text("name,label\ngse1,x\n", encoding="utf-8")
    with pytest.raises(DataError, match="lacks the column 'Variable / Field Name'"):
        ef.read(FIXTURES / "redcap_export.csv", format="redcap", dictionary=wrong)
    labels_export = tmp_path / "labels.csv"
    labels_export.write_text("Record ID,Do you agree to take part?\n1,Yes\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"none of its columns is a field .* not labels"):
        ef.read(labels_export, format="redcap", dictionary=FIXTURES / "redcap_dictionary.csv")


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "empty.csv: the file is empty"),
        ("blank.csv", b"\n\n  \n", "blank.csv: the file is empty"),
        ("binary.csv", b"PK\x03\x04\x00\x00binary", "binary.csv: binary content"),
        ("ragged.csv", b"a,b\n1,2\n1,2,3\n", r"ragged.csv: cannot be read as CSV: .*line 3"),
        ("book.xlsx", b"not a zip file", "book.xlsx: not a readable .xlsx workbook"),
        ("old.xls", b"\xd0\xcf\x11\xe0", r"old.xls: old-style .xls workbooks are not read"),
        ("data.json", b"{}", r"data.json: unknown file type '.json'"),
    ],
)
def test_unreadable_files_are_errors_naming_the_file(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataError, match=message):
        ef.read(path)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"nothing.csv: no such file"):
        ef.read(tmp_path / "nothing.csv")
    with pytest.raises(DataError, match="is a folder"):
        ef.read(tmp_path)


def test_options_that_do_not_apply_are_errors() -> None:
    with pytest.raises(DataError, match="sheet= is for Excel"):
        ef.read(FIXTURES / "gse.tsv", sheet=1)
    with pytest.raises(DataError, match="dictionary= is for REDCap"):
        ef.read(FIXTURES / "gse.tsv", dictionary="x.csv")
    with pytest.raises(DataError, match="needs value labels; the file has none"):
        ef.read(FIXTURES / "gse.tsv", labels="labels")
    with pytest.raises(DataError, match="unknown format 'stata'"):
        ef.read(FIXTURES / "gse.tsv", format="stata")


# ------------------------------------------------------------------ matching items


def test_match_reports_unmatched_and_ambiguous_items() -> None:
    gse = ef.load("gse")
    labels = {f"c{i}": item.text for i, item in enumerate(gse.items[:8], start=1)}
    labels["dup"] = "  " + gse.items[0].text.upper() + "  "
    with pytest.raises(DataError) as caught:
        match_items_by_text(labels, gse)
    message = str(caught.value)
    assert "gse9: no column labelled 'If I am in trouble" in message
    assert "gse10: no column labelled" in message
    assert "gse1: several columns carry its text: ['c1', 'dup']" in message
    with pytest.warns(ReadWarning, match="not matched"):
        partial = match_items_by_text(labels, gse, strict=False)
    assert partial == {f"gse{i}": f"c{i}" for i in range(2, 9)}


def test_match_by_numbered_labels_and_a_series() -> None:
    gse = ef.load("gse")
    labels = pd.Series({f"v{i}": f"{i}. {item.text}" for i, item in enumerate(gse.items, 1)})
    assert match_items_by_text(labels, "gse")["gse10"] == "v10"


def test_match_needs_labels() -> None:
    with pytest.raises(DataError, match="needs a DataFrame"):
        match_items_by_text(["a", "b"], "gse")


# ------------------------------------------------------------------ writing


def test_sav_round_trip_keeps_values_and_labels(tmp_path: Path) -> None:
    original = ef.read(FIXTURES / "gse_labels.sav")
    path = ef.write(original, tmp_path / "again.sav")
    back = ef.read(path)
    pd.testing.assert_frame_equal(back, original, check_dtype=True)
    before, after = original.attrs["efficacy_source"], back.attrs["efficacy_source"]
    assert after["variable_labels"] == before["variable_labels"]
    for column in ITEMS:
        assert after["value_labels"][column] == before["value_labels"][column]


def test_sav_round_trip_of_given_labels(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": ["a", "b"], "q": [1.0, np.nan], "n": [3, 4]})
    path = ef.write(
        frame,
        tmp_path / "x.zsav",
        variable_labels={"q": "Question one", "id": "Participant"},
        value_labels={"q": {1: "yes", 0: "no"}},
    )
    back = ef.read(path)
    source = back.attrs["efficacy_source"]
    assert source["variable_labels"] == {"id": "Participant", "q": "Question one"}
    assert source["value_labels"] == {"q": {1.0: "yes", 0.0: "no"}}
    assert back["id"].tolist() == ["a", "b"]
    assert back["n"].tolist() == [3.0, 4.0]
    assert frame["n"].dtype == np.int64  # the caller's frame is untouched


def test_scores_written_to_sav_carry_scale_labels(tmp_path: Path, truth: pd.DataFrame) -> None:
    scores = ef.score(truth.set_index("id"), "gse")
    back = ef.read(ef.write(scores, tmp_path / "scores.sav"))
    labels = back.attrs["efficacy_source"]["variable_labels"]
    assert labels["gse"] == "General self-efficacy (sum)"
    assert labels["gse_n_valid"] == "General self-efficacy: items answered"
    assert back["id"].tolist() == list(range(101, 113))  # the index became a column
    np.testing.assert_array_equal(back["gse"], scores["gse"])


def test_sav_refuses_what_spss_cannot_hold(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"'1st' must start with a letter"):
        ef.write(pd.DataFrame({"1st": [1]}), tmp_path / "x.sav")
    with pytest.raises(DataError, match="differ only in case"):
        ef.write(pd.DataFrame({"Gse": [1], "gse": [2]}), tmp_path / "x.sav")
    with pytest.raises(DataError, match="holds mixed-integer values"):
        ef.write(pd.DataFrame({"q": pd.Series([1, "a"], dtype=object)}), tmp_path / "x.sav")
    with pytest.raises(DataError, match="true/false"):
        ef.write(pd.DataFrame({"ok": [True, False]}), tmp_path / "x.sav")


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".xlsx"])
def test_table_round_trips(tmp_path: Path, suffix: str) -> None:
    frame = pd.DataFrame(
        {"gse": [25.0, np.nan, 38.888888888888886], "gse_n_valid": [10, 6, 9]},
        index=pd.Index(["p1", "p2", "p3"], name="id"),
    )
    path = ef.write(frame, tmp_path / f"scores{suffix}")
    back = read_quietly(path).set_index("id")
    pd.testing.assert_frame_equal(back, frame, check_dtype=False, check_index_type=False)
    if suffix != ".xlsx":  # openpyxl writes 16 significant digits
        assert back["gse"].iloc[2] == 38.888888888888886  # never rounded


def test_write_excel_adds_a_labels_sheet(tmp_path: Path) -> None:
    frame = pd.DataFrame({"q": [1, 2]})
    path = ef.write(frame, tmp_path / "x.xlsx", variable_labels={"q": "Question"},
                    value_labels={"q": {1: "low", 2: "high"}})  # fmt: skip
    sheet = ef.read(path, sheet="variables")
    assert sheet.to_dict("records") == [
        {"variable": "q", "label": "Question", "values": "1 = low | 2 = high"}
    ]


def test_write_csv_options_and_label_warning(tmp_path: Path) -> None:
    frame = pd.DataFrame({"gse": [1.5, np.nan]})
    path = ef.write(frame, tmp_path / "x.tsv", na_rep="n/a")
    assert path.read_text() == "gse\n1.5\nn/a\n"
    with pytest.warns(ReadWarning, match="cannot hold variable or value labels"):
        ef.write(frame, tmp_path / "x.csv", variable_labels={"gse": "GSE"})


def test_write_errors(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": [1]})
    with pytest.raises(DataError, match="does not exist"):
        ef.write(frame, tmp_path / "no" / "x.csv")
    with pytest.raises(DataError, match="cannot choose a format"):
        ef.write(frame, tmp_path / "x.json")
    with pytest.raises(DataError, match="needs a DataFrame"):
        ef.write([1, 2], tmp_path / "x.csv")


floats = st.one_of(st.just(np.nan), st.floats(min_value=-1e12, max_value=1e12))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=hnp.arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 3)), elements=floats)
)
def test_numbers_survive_every_written_format(tmp_path: Path, values: np.ndarray) -> None:
    frame = pd.DataFrame(values, columns=[f"v{j}" for j in range(values.shape[1])])
    frame.insert(0, "id", np.arange(1, len(frame) + 1))
    for suffix in (".csv", ".sav", ".xlsx"):
        back = read_quietly(ef.write(frame, tmp_path / f"x{suffix}"))
        assert back.shape == frame.shape  # no row lost, all-missing answers included
        expected = frame.to_numpy(dtype=float)
        if suffix == ".xlsx":  # openpyxl writes numbers with 16 significant digits
            np.testing.assert_allclose(back.to_numpy(dtype=float), expected, rtol=1e-15)
        else:
            np.testing.assert_array_equal(back.to_numpy(dtype=float), expected)


@settings(max_examples=30, deadline=None)
@given(
    codes=st.lists(st.sampled_from([1, 2, 3, 4, None]), min_size=1, max_size=30),
    as_text=st.booleans(),
)
def test_recoding_swaps_codes_all_at_once(codes: list, as_text: bool) -> None:
    column = pd.Series(codes, dtype=float)
    if as_text:
        column = column.map(lambda v: f"{v:g}", na_action="ignore").astype(object)
    frame = pd.DataFrame({"q": column})
    out, counts, _ = apply_recode(frame, {"q": {1: 2, 2: 1, 4: None}}, "x")
    swapped = [{1: 2, 2: 1, 3: 3, 4: None}[c] if c is not None else None for c in codes]
    expected = [np.nan if v is None else float(v) for v in swapped]
    if counts:
        np.testing.assert_array_equal(out["q"].to_numpy(dtype=float), expected)
    assert counts.get("q", 0) == sum(c in (1, 2, 4) for c in codes)
    assert frame["q"].equals(pd.DataFrame({"q": column})["q"])  # the input is untouched
