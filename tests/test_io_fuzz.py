"""Bounded fuzzing of write-read round trips: nothing lost, nothing injected.

Frames of junk text (delimiters, quotes, line breaks, formula-like starts, Unicode)
and numbers are written as CSV, TSV and Excel and read back: every record and every
cell must come back as written (a blank cell reads as missing, by the readers'
rule), and an Excel workbook written by :func:`efficacy.write` holds no formula.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import efficacy as ef
from efficacy.errors import DataError
from efficacy.io._common import ReadWarning
from efficacy.io._table_writer import FORMULA_STARTS, escape_formula

openpyxl = pytest.importorskip("openpyxl")

#: Characters that stress parsers and spreadsheets.
JUNK = [*",;\t\"'\n\r =+-@|{}[]:\\/0123456789.eE", "é", "ß", "中", "🙂", "\u00a0"]

junk_text = st.text(alphabet=st.sampled_from(JUNK) | st.characters(codec="utf-8"), max_size=12)
formula_text = st.builds(
    lambda start, rest: start + rest,
    st.sampled_from(["=", "+", "-", "@"]),
    st.sampled_from(["1+1", "SUM(A1:A9)", 'HYPERLINK("http://x","y")', "cmd|' /C calc'!A0", "3"]),
)
cell_text = junk_text | formula_text

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@st.composite
def frames(draw, *, excel: bool) -> pd.DataFrame:
    rows = draw(st.integers(min_value=1, max_value=6))
    text = draw(st.lists(cell_text, min_size=rows, max_size=rows))
    # an anchor keeps the column text, so that cells come back as written
    text[draw(st.integers(0, rows - 1))] = "x"
    if excel:  # XML 1.0 cannot hold most control characters: writing them is refused
        text = [_xml_safe(t) for t in text]
    codes = draw(st.lists(st.integers(-(2**40), 2**40), min_size=rows, max_size=rows))
    scores = draw(
        st.lists(
            st.floats(allow_nan=False, allow_infinity=False, width=64),
            min_size=rows,
            max_size=rows,
        )
    )
    return pd.DataFrame({"id": codes, "note": text, "score": scores})


def _xml_safe(text: str) -> str:
    return "".join(
        c for c in text if c in "\t\n" or (ord(c) >= 32 and not 0xD800 <= ord(c) <= 0xDFFF)
    )


def _expected_text(values: list[str], *, excel: bool) -> list[object]:
    out: list[object] = []
    for value in values:
        if excel:  # XML normalises every line break to \n
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        out.append(value if value.strip() else None)
    return out


def _refusable(frame: pd.DataFrame, suffix: str) -> bool:
    """What a writer must refuse rather than write wrongly: NUL in CSV text, and
    floats that 16 significant digits turn into infinity in a workbook."""
    if suffix == ".xlsx":
        return bool((frame["score"].abs() > 1.79e308).any())
    return any("\x00" in v for v in frame["note"])


def _round_trip(frame: pd.DataFrame, suffix: str, **options) -> pd.DataFrame | None:
    """The frame written and read back; None when the writer refused it, with reason."""
    with tempfile.TemporaryDirectory() as folder:
        try:
            path = ef.write(frame, Path(folder) / f"data{suffix}", **options)
        except DataError:
            assert _refusable(frame, suffix)
            return None
        if suffix == ".xlsx":
            book = openpyxl.load_workbook(path)
            formulas = [
                c.coordinate for s in book for r in s.iter_rows() for c in r if c.data_type == "f"
            ]
            assert not formulas, f"formulas written: {formulas}"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ReadWarning)
            return ef.read(path)


def _check(frame: pd.DataFrame, back: pd.DataFrame, *, excel: bool) -> None:
    assert back.columns.tolist() == frame.columns.tolist()
    assert len(back) == len(frame)
    assert back["id"].tolist() == frame["id"].tolist()
    if excel:  # openpyxl keeps 16 significant digits
        np.testing.assert_allclose(back["score"], frame["score"], rtol=1e-15, atol=0)
    else:
        assert back["score"].tolist() == frame["score"].tolist()
    got = [None if isinstance(v, float) and np.isnan(v) else v for v in back["note"]]
    assert got == _expected_text(frame["note"].tolist(), excel=excel)


@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
@FUZZ
@given(frame=frames(excel=False))
def test_delimited_round_trips_lose_and_inject_nothing(suffix: str, frame: pd.DataFrame) -> None:
    original = frame.copy()
    back = _round_trip(frame, suffix)
    pd.testing.assert_frame_equal(frame, original)
    if back is not None:
        _check(frame, back, excel=False)


@FUZZ
@given(frame=frames(excel=True))
def test_excel_round_trips_lose_and_inject_nothing(frame: pd.DataFrame) -> None:
    back = _round_trip(frame, ".xlsx")
    if back is not None:
        _check(frame, back, excel=True)


@FUZZ
@given(frame=frames(excel=False))
def test_csv_for_spreadsheets_starts_no_cell_with_a_formula(frame: pd.DataFrame) -> None:
    back = _round_trip(frame, ".csv", escape_formulas=True)
    if back is None:
        return
    assert len(back) == len(frame)
    for value in back["note"].dropna():
        if value.startswith(FORMULA_STARTS):
            float(value)  # only plain numbers may start so
    escaped = [escape_formula(v) for v in frame["note"]]
    got = [None if isinstance(v, float) and np.isnan(v) else v for v in back["note"]]
    assert got == _expected_text(escaped, excel=False)


@settings(max_examples=40, deadline=None)
@given(cells=st.lists(st.lists(cell_text, min_size=1, max_size=4), min_size=1, max_size=5))
def test_junk_files_are_read_or_refused_with_a_data_error(cells: list[list[str]]) -> None:
    text = "\n".join(",".join(row) for row in cells)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "junk.csv"
        path.write_text(text, encoding="utf-8")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                frame = ef.read(path)
            except DataError:
                return
    assert isinstance(frame, pd.DataFrame)
