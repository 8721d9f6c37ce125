"""Response cells that must never become a silently wrong score.

Booleans, Decimals, complex numbers, containers, odd spellings of numbers, dates,
MultiIndex columns and duplicated row labels: each is either a correct score or an
error that names the column, the rows and the values.
"""

from __future__ import annotations

import warnings
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

import efficacy as ef
from efficacy.errors import DataError, EfficacyError, InvalidResponseError
from efficacy.scoring import InvalidResponseWarning

ITEMS = [f"gse{i}" for i in range(1, 11)]


def frame_with(column: list, *, fill: int = 4, n: int | None = None) -> pd.DataFrame:
    """GSE data whose ``gse1`` is ``column`` (object dtype) and the rest ``fill``."""
    n = len(column) if n is None else n
    data = pd.DataFrame({item: [fill] * n for item in ITEMS})
    data["gse1"] = pd.Series(column, dtype=object)
    return data


# ------------------------------------------------------------------ item 5: bool/Decimal


@pytest.mark.parametrize("cells", [[1, True], [True, 1], [1.0, np.True_], [np.True_, 1.0]])
def test_a_boolean_is_never_a_response_code_whatever_the_row_order(cells):
    data = frame_with(cells)
    with pytest.raises(InvalidResponseError) as info:
        ef.score(data, "gse")
    bad = info.value.cells
    position = [i for i, c in enumerate(cells) if isinstance(c, bool | np.bool_)]
    assert bad["row"].tolist() == position
    assert "gse1" in str(info.value) and "True" in str(info.value)


def test_a_boolean_made_missing_keeps_the_valid_code_next_to_it():
    data = frame_with([True, 1])
    with pytest.warns(InvalidResponseWarning):
        scores = ef.score(data, "gse", on_invalid="missing")
    assert scores["gse_n_valid"].tolist() == [9, 10]
    assert scores["gse"].tolist() == [40.0, 37.0]
    assert scores.attrs["efficacy"]["invalid_cells"]["row"].tolist() == [0]


@pytest.mark.parametrize("first", [True, False])
def test_decimal_and_fraction_cells_are_numbers_in_any_order(first):
    cells = [Decimal("1"), 1, Fraction(3, 1), Decimal("2.0")]
    if not first:
        cells = cells[::-1]
    scores = ef.score(frame_with(cells), "gse")
    expected = [36.0 + float(v) for v in cells]
    assert scores["gse"].tolist() == expected


@pytest.mark.parametrize("bad", [Decimal("Infinity"), Decimal("2.5"), Decimal("-1")])
def test_a_decimal_that_is_not_a_code_is_named(bad):
    with pytest.raises(InvalidResponseError, match="gse1"):
        ef.score(frame_with([1, bad]), "gse")


# ------------------------------------------------------------------ item 8: complex


@pytest.mark.parametrize("value", [2 + 1j, 2 + 0j])
def test_complex_cells_are_refused_by_score_and_item_responses(value):
    data = pd.DataFrame({item: [4, 3] for item in ITEMS})
    data["gse2"] = np.array([3, value], dtype=complex)
    for function in (ef.score, ef.item_responses):
        with pytest.raises(InvalidResponseError) as info:
            function(data, "gse")
        assert info.value.cells[["column", "row"]].values.tolist() == [["gse2", 0], ["gse2", 1]]
    mixed = frame_with([3, value])
    with pytest.raises(InvalidResponseError) as info:
        ef.score(mixed, "gse")
    assert info.value.cells["row"].tolist() == [1]


# ------------------------------------------------------------------ item 17: containers


@pytest.mark.parametrize("value", [[4], {"a": 4}, {4}, (4,), b"4"])
def test_a_container_in_a_cell_is_named(value):
    data = frame_with([4, value, 3])
    with pytest.raises(InvalidResponseError) as info:
        ef.score(data, "gse")
    message = str(info.value)
    assert "gse1" in message and "rows [1]" in message and repr(value) in message
    assert info.value.cells["row"].tolist() == [1]
    with pytest.raises(InvalidResponseError):
        ef.item_responses(data, "gse")


# ------------------------------------------------------------------ item 10: numbers


@pytest.mark.parametrize(
    "text",
    ["0_4", "4\x00", "\x004", "٤", "４", "4\u200b", "0x4", "inf", "nan", "4e", "--4", "1,0", "4 4"],
)
def test_spellings_outside_the_number_rule_are_refused(text):
    with pytest.raises(InvalidResponseError) as info:
        ef.score(frame_with(["3", text]), "gse")
    assert info.value.cells["value"].tolist() == [text]
    assert "gse1" in str(info.value)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("4", 4),
        (" 3 ", 3),
        ("+2", 2),
        ("2.0", 2),
        ("2.", 2),
        ("1e0", 1),
        ("0.3e1", 3),
        ("\t1\n", 1),
    ],
)
def test_plain_ascii_numbers_are_accepted(text, code):
    scores = ef.score(frame_with([text]), "gse")
    assert scores["gse"].tolist() == [36.0 + code]


def test_parse_number_rule():
    from efficacy.io._numbers import parse_number

    assert parse_number("  -1.5E+2 ") == -150.0
    assert parse_number("٣") is None
    assert parse_number("1_000") is None
    assert parse_number("") is None


# ------------------------------------------------------------------ item 6: dates


def test_datetime_and_timedelta_items_are_refused_by_alpha():
    rng = np.random.default_rng(0)
    items = pd.DataFrame(rng.integers(1, 5, size=(20, 3)), columns=["a", "b", "c"])
    items["b"] = pd.to_datetime(items["b"], unit="D")
    with pytest.raises(DataError, match="'b'"):
        ef.alpha(items)
    items["b"] = pd.to_timedelta(items["c"], unit="D")
    with pytest.raises(DataError, match="'b'"):
        ef.alpha(items)
    objects = items.astype(object)
    with pytest.raises(DataError, match="'b'"):
        ef.alpha(objects)


def test_complex_and_datetime_scores_are_refused_by_standardize():
    scores = pd.Series([20.0, 25.0, 30.0], name="gse")
    for bad in (scores.astype(complex), pd.Series(pd.to_datetime(scores, unit="D"), name="gse")):
        with pytest.raises(DataError, match="not numeric"):
            ef.standardize(bad, "gse", norm="scholz2002")


def test_datetime_scores_are_refused_by_reliable_change():
    pre = pd.Series(pd.to_datetime([20, 25, 30], unit="D"))
    post = pd.Series([22.0, 27.0, 35.0])
    with pytest.raises(DataError, match="not numeric"):
        ef.reliable_change(pre, post, sd=6.0, reliability=0.8)
    with pytest.raises(DataError, match="not numeric"):
        ef.reliable_change(post, pd.to_timedelta(post, unit="D"), sd=6.0, reliability=0.8)


def test_boolean_and_complex_items_are_refused_by_alpha_and_omega():
    rng = np.random.default_rng(1)
    items = pd.DataFrame(rng.integers(1, 5, size=(30, 4)).astype(float), columns=list("abcd"))
    complex_items = items.astype(complex)
    complex_items.loc[3, "c"] = 2 + 1j
    for function in (ef.alpha, ef.omega):
        with pytest.raises(DataError, match="'a'"):
            function(complex_items)
    with pytest.raises(DataError, match="'item1'"):
        ef.alpha(items.to_numpy().astype(complex))
    objects = items.astype(object)
    objects.loc[2, "b"] = True
    with pytest.raises(DataError, match=r"'b'.*rows \[2\]"):
        ef.alpha(objects)


# ------------------------------------------------------------------ item 7: MultiIndex


def test_multiindex_columns_are_refused_with_a_clear_error():
    data = pd.DataFrame([[4] * 10, [3] * 10], columns=ITEMS)
    data.columns = pd.MultiIndex.from_arrays([ITEMS, ["pre"] * 10])
    for function in (ef.score, ef.item_responses):
        with pytest.raises(DataError, match="MultiIndex"):
            function(data, "gse")
    with pytest.raises(DataError, match="MultiIndex"):
        ef.alpha(
            pd.DataFrame(
                [[1, 2], [2, 1], [3, 3]], columns=pd.MultiIndex.from_tuples([("a", 1), ("b", 1)])
            )
        )


# ------------------------------------------------------------------ item 18: duplicate labels


def test_invalid_cells_on_duplicated_row_labels_are_named_by_position():
    data = pd.DataFrame({item: [4, 3, 4] for item in ITEMS}, index=[0, 0, 1])
    data.loc[:, "gse1"] = [9 - 1, 3, 4]  # 8 at the first row labelled 0 only
    with pytest.raises(InvalidResponseError) as info:
        ef.score(data, "gse")
    message = str(info.value)
    assert "1 cell" in message
    assert "positions [0]" in message and "values [8]" in message
    assert "3" not in message.split("values")[1].split("\n")[0]
    assert info.value.cells.index.tolist() == [0]


# ------------------------------------------------------------------ item 22: scales="gse"


def test_a_single_scale_id_as_a_string():
    data = pd.DataFrame({item: [4] for item in ITEMS})
    assert ef.score(data, "gse", scales="gse")["gse"].tolist() == [40.0]
    with pytest.raises(DataError, match="no scale") as info:
        ef.score(data, "gse", scales="gs")
    assert "'g'" not in str(info.value)


# ------------------------------------------------------------------ item 16: templates


@pytest.mark.parametrize(
    "template", ["gse{n}{", "gse{n}{foo}", "gse{n}{0}", "gse{id:d}", "gse{n!z}"]
)
def test_bad_column_templates_are_data_errors(template):
    data = pd.DataFrame({item: [4] for item in ITEMS})
    with pytest.raises(DataError, match="template"):
        ef.score(data, "gse", columns=template)


def test_a_template_with_a_format_spec():
    data = pd.DataFrame({f"q{i:02d}": [4, 3] for i in range(1, 11)})
    assert ef.score(data, "gse", columns="q{n:02d}")["gse"].tolist() == [40.0, 30.0]


def test_the_callers_frame_is_unchanged():
    data = frame_with([True, Decimal(2), 2 + 1j, [4], "0_4", "3"])
    before = data.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ef.score(data, "gse", on_invalid="missing")
    pd.testing.assert_frame_equal(data, before)


def test_every_error_is_an_efficacy_error():
    assert issubclass(InvalidResponseError, EfficacyError)


def test_infinite_cells_are_out_of_range_without_a_numpy_warning():
    data = frame_with([np.inf, "4", -np.inf])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InvalidResponseError, match="outside the response range") as info:
            ef.score(data, "gse")
    assert info.value.cells.index.tolist() == [0, 2]


def test_a_complex_correlation_matrix_is_not_taken_for_a_real_one():
    r = np.array([[1, 0.5, 0.4], [0.5, 1, 0.3], [0.4, 0.3, 1]]) + 0j
    r[0, 1] += 0.2j
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DataError, match="items must be numeric"):
            ef.omega(r, n_obs=100)


def test_excel_boolean_cells_read_by_ef_read_are_invalid(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(ITEMS)
    sheet.append([1, *([4] * 9)])
    sheet.append([True, *([4] * 9)])
    path = tmp_path / "booleans.xlsx"
    book.save(path)
    data = ef.read(path)
    with pytest.raises(InvalidResponseError) as info:
        ef.score(data, "gse")
    assert info.value.cells[["column", "row"]].values.tolist() == [["gse1", 1]]
    assert "values [True]" in str(info.value)
