"""Shared steps of the table readers: header rows, empty rows and columns, cell types.

A reader hands over its *header rows* (lists of cells) and its *body*: a DataFrame
with positional columns holding every record, as the CSV parser typed them or as
the spreadsheet stored them. :func:`build_frame` turns them into the data frame:

- the first header row names the columns; further header rows (Qualtrics) are the
  caller's business;
- a blank cell (empty or only whitespace) is missing, in every format;
- empty rows at the end of the sheet are not records: they are dropped and counted;
  empty rows between records are kept as all-missing rows and reported;
- columns at the right edge that are both unnamed and entirely empty are dropped and
  reported; any other unnamed column is kept as ``"Unnamed: <position>"``, with a
  warning;
- a column becomes numeric only when every non-blank cell is a number; codes with
  leading zeros (``007``) and digit strings too long for a float (identifiers) stay
  text; columns mixing numbers and text stay text and are reported, with the text
  values found, so nothing is coerced behind the user's back.

Text is examined with NumPy's vectorised string functions, so wide files of many
thousand respondents read in about the time of :func:`pandas.read_csv`.

Examples
--------
>>> header = [["id", "q1", ""]]
>>> body = pd.DataFrame([["007", "4", None], ["008", "n/a", None]])
>>> frame, meta = build_frame(header, body, name="x.csv")
>>> frame.dtypes.astype(str).tolist(), meta["dropped_columns"], meta["mixed_columns"]
(['str', 'str'], [3], {'q1': ['n/a']})
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

#: Distinct text values listed per mixed column in the report.
LISTED_VALUES = 5

#: Integers beyond this lose digits as floats: longer digit strings stay text.
MAX_DIGITS = 15

_STRING = np.dtypes.StringDType()


class ReadWarning(UserWarning):
    """Something legal but worth a look was found while reading a data file."""


def _is_plain_numeric(dtype: Any) -> bool:
    return (
        pd.api.types.is_numeric_dtype(dtype)
        and not pd.api.types.is_bool_dtype(dtype)
        and not pd.api.types.is_object_dtype(dtype)
    )


@dataclass(frozen=True)
class _Distinct:
    """A non-numeric column as its distinct cells: the text is examined once per value."""

    codes: np.ndarray  # per cell: index into ``values``, -1 where missing
    values: np.ndarray  # the distinct cells, in order of appearance (objects)
    stripped: np.ndarray  # their text without surrounding whitespace (StringDType)
    blank: np.ndarray  # per distinct value: empty once stripped

    def per_cell(self, per_value: np.ndarray, missing: Any) -> np.ndarray:
        """Spread a per-value array over the cells (``missing`` where a cell is missing)."""
        return np.append(per_value, np.array([missing], dtype=per_value.dtype))[self.codes]


def _distinct(column: pd.Series) -> _Distinct:
    codes, uniques = pd.factorize(column.to_numpy(dtype=object), use_na_sentinel=True)
    values = np.asarray(uniques, dtype=object)
    stripped = np.strings.strip(values.astype(_STRING))
    return _Distinct(codes, values, stripped, np.strings.str_len(stripped) == 0)


def blank_cells(column: pd.Series) -> np.ndarray:
    """Missing cells and cells holding only whitespace.

    >>> blank_cells(pd.Series(["a", " ", None, ""], dtype=object)).tolist()
    [False, True, True, True]
    """
    return _blank_and_distinct(column)[0]


def _blank_and_distinct(column: pd.Series) -> tuple[np.ndarray, _Distinct | None]:
    """Blank cells, and for non-numeric columns their distinct values."""
    if _is_plain_numeric(column.dtype):
        return column.isna().to_numpy(dtype=bool), None
    distinct = _distinct(column)
    return distinct.per_cell(distinct.blank, True), distinct


def _trailing_true(flags: np.ndarray) -> int:
    """How many ``True`` values end ``flags``."""
    if not flags.size or not flags[-1]:
        return 0
    falses = np.flatnonzero(~flags)
    return flags.size if not falses.size else flags.size - 1 - int(falses[-1])


def header_names(row: Sequence[Any]) -> list[str]:
    """Column names from a header row: text as written, blanks as ``""``."""
    names = []
    for cell in row:
        if cell is None or (isinstance(cell, float) and np.isnan(cell)):
            names.append("")
        else:
            text = str(cell)
            names.append("" if not text.strip() else text)
    return names


def duplicate_names(names: Sequence[str]) -> list[str]:
    """The names used more than once, sorted; in time linear in the number of names.

    >>> duplicate_names(["q1", "q2", "q1", "id", "q2", "q1"])
    ['q1', 'q2']
    """
    return sorted(name for name, count in Counter(names).items() if count > 1)


def build_frame(
    header: Sequence[Sequence[Any]],
    body: pd.DataFrame,
    *,
    name: str,
    keep_text: Callable[[str], bool] | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The data frame from header rows and body, and a report of what was done.

    Parameters
    ----------
    header
        The header rows; the first names the columns.
    body
        The records, positional columns, as wide as the header.
    name
        The file's name, for messages.
    keep_text
        Called with a column name: true keeps the column as text even if every cell
        is a number (Qualtrics ``_TEXT`` columns).

    Returns
    -------
    frame, meta
        ``meta`` has ``empty_rows`` (0-based positions of all-missing rows kept),
        ``trailing_empty_rows`` (dropped), ``dropped_columns`` (1-based positions of
        unnamed empty columns dropped), ``unnamed_columns``, ``duplicate_columns``,
        ``mixed_columns`` (column -> text values found among numbers) and
        ``kept_as_text`` (column -> reason).
    """
    width = body.shape[1]
    rows = [list(row) + [""] * (width - len(row)) for row in header]
    names = header_names(rows[0])
    header_blank = np.ones(width, dtype=bool)
    for row in rows:
        header_blank &= np.array([not n for n in header_names(row)], dtype=bool)
    # one Series per column, taken once: a wide file costs no more per column than
    # a narrow one (frame-wide slicing costs time per column, on every slice)
    body = body.reset_index(drop=True)
    cells = [column for _, column in body.items()]
    length = body.shape[0]
    blank = np.zeros(body.shape, dtype=bool)
    distinct: dict[int, _Distinct | None] = {}
    plain = np.array([_is_plain_numeric(column.dtype) for column in cells], dtype=bool)
    for j, column in enumerate(cells):
        if plain[j]:
            values = column.to_numpy()
            if values.dtype.kind in "fc":
                blank[:, j] = np.isnan(values)
            elif values.dtype.kind not in "iu":
                blank[:, j] = column.isna().to_numpy(dtype=bool)
        else:
            blank[:, j], distinct[j] = _blank_and_distinct(column)
    meta: dict[str, Any] = {}

    trailing_rows = _trailing_true(blank.all(axis=1)) if width else length
    keep_rows = length - trailing_rows
    blank = blank[:keep_rows]
    if trailing_rows:
        cells = [column.iloc[:keep_rows] for column in cells]
    for j, d in distinct.items():
        if d is not None and trailing_rows:
            distinct[j] = replace(d, codes=d.codes[:keep_rows])
    meta["trailing_empty_rows"] = trailing_rows

    trailing_cols = _trailing_true(header_blank & blank.all(axis=0))
    keep_cols = width - trailing_cols
    meta["dropped_columns"] = list(range(keep_cols + 1, width + 1))
    cells, blank, names = cells[:keep_cols], blank[:, :keep_cols], names[:keep_cols]

    unnamed = [j for j, n in enumerate(names) if not n]
    for j in unnamed:
        names[j] = f"Unnamed: {j}"
    meta["unnamed_columns"] = [names[j] for j in unnamed]
    if unnamed:
        warnings.warn(
            f"{name}: {len(unnamed)} columns have no name and hold data; kept as "
            f"{meta['unnamed_columns'][:LISTED_VALUES]}",
            ReadWarning,
            stacklevel=4,
        )
    duplicated = duplicate_names(names)
    meta["duplicate_columns"] = duplicated
    if duplicated:
        warnings.warn(
            f"{name}: column names used more than once: {duplicated[:LISTED_VALUES]}; "
            "each is kept, select them by position",
            ReadWarning,
            stacklevel=4,
        )

    empty_rows = np.flatnonzero(blank.all(axis=1)) if keep_cols else np.arange(keep_rows)
    meta["empty_rows"] = [int(i) for i in empty_rows]
    if len(empty_rows) and keep_cols:
        warnings.warn(
            f"{name}: {len(empty_rows)} empty rows between records kept as all-missing "
            f"rows (0-based rows {meta['empty_rows'][:LISTED_VALUES]})",
            ReadWarning,
            stacklevel=4,
        )

    mixed: dict[str, list[Any]] = {}
    kept_as_text: dict[str, str] = {}
    columns: dict[int, Any] = {}
    for j, column_name in enumerate(names):
        forced = keep_text is not None and keep_text(column_name)
        if plain[j] and not forced:  # numbers as the parser typed them
            columns[j] = cells[j].to_numpy()
            continue
        column, extra, reason = convert_column(
            cells[j], blank[:, j], keep_text=forced, distinct=distinct.get(j)
        )
        columns[j] = column.reset_index(drop=True)
        if extra:
            mixed[column_name] = extra
        if reason:
            kept_as_text[column_name] = reason
    frame = pd.DataFrame(columns, index=pd.RangeIndex(keep_rows))
    frame.columns = pd.Index(names)
    meta.update(mixed_columns=mixed, kept_as_text=kept_as_text)
    _warn_header_record(cells, blank, names, mixed, name)
    return frame, meta


def _warn_header_record(
    cells: Sequence[pd.Series],
    blank: np.ndarray,
    names: Sequence[str],
    mixed: dict[str, list[Any]],
    name: str,
) -> None:
    """Warn when record 0 holds the only text of columns of numbers: a header row left over."""
    if len(blank) < 2 or not mixed:
        return
    positions = [j for j, n in enumerate(names) if n in mixed]
    for j in positions:
        rest = cells[j].iloc[1:][~blank[1:, j]].map(_numeral)
        numbers = pd.to_numeric(rest, errors="coerce")
        if numbers.isna().any() or not isinstance(cells[j].iloc[0], str):
            return
    shown = [names[j] for j in positions][:LISTED_VALUES]
    warnings.warn(
        f"{name}: record 0 looks like a second header row: it holds the only text in "
        f"columns of numbers {shown}; it was kept as a record (remove it from the file, "
        "or drop row 0)",
        ReadWarning,
        stacklevel=4,
    )


def convert_column(
    column: pd.Series,
    blank: np.ndarray,
    *,
    keep_text: bool = False,
    distinct: _Distinct | None = None,
) -> tuple[pd.Series, list[Any], str | None]:
    """Give a column its type: numbers, text, or what the spreadsheet holds.

    Returns the column, the text values found among numbers (empty when none) and,
    when a numeric-looking column was kept as text, the reason.

    Examples
    --------
    >>> col = pd.Series(["1", "2", " "], dtype=object)
    >>> convert_column(col, blank_cells(col))[0].tolist()
    [1.0, 2.0, nan]
    """
    if _is_plain_numeric(column.dtype):
        if keep_text:
            return _text(column.map(_numeral, na_action="ignore"), blank), [], None
        return column, [], None
    kind = pd.api.types.infer_dtype(column[~blank], skipna=True)
    if kind in ("integer", "floating", "mixed-integer-float", "decimal"):
        if keep_text:
            return _text(column.map(_numeral, na_action="ignore"), blank), [], None
        values = pd.to_numeric(column.where(~blank))
        return _narrow(values.astype(float), blank), [], None
    if kind == "empty":
        dtype = "str" if keep_text else float
        return pd.Series(np.nan, index=column.index, dtype=dtype), [], None
    if kind == "string":
        return _from_text(column, blank, keep_text, distinct)
    if kind in ("mixed", "mixed-integer"):
        as_text = column.map(_numeral, na_action="ignore")
        converted, extra, reason = _from_text(as_text, blank, keep_text)
        if _is_plain_numeric(converted.dtype):
            return converted, [], None
        return column.where(~blank), extra, reason
    return column.where(~blank).infer_objects(), [], None


def _numeral(value: Any) -> Any:
    """Text of a cell; whole floats without their ``.0`` (Excel stores 4 as 4.0)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else str(value)


def _text(column: pd.Series, blank: np.ndarray) -> pd.Series:
    """A text column, blanks missing."""
    cells = column.to_numpy(dtype=object, copy=True)
    cells[blank] = np.nan
    return pd.Series(cells, index=column.index, dtype="str")


def _from_text(
    column: pd.Series, blank: np.ndarray, keep_text: bool, distinct: _Distinct | None = None
) -> tuple[pd.Series, list[Any], str | None]:
    if keep_text or blank.all():
        return _text(column, blank), [], None
    d = distinct if distinct is not None else _distinct(column)
    first = np.strings.slice(d.stripped, 0, 1)
    maybe = ~d.blank & (
        np.strings.isdigit(first) | (first == "+") | (first == "-") | (first == ".")
    )
    if not maybe.any():
        return _text(column, blank), [], None
    numbers = np.full(len(d.values), np.nan)
    numbers[maybe] = pd.to_numeric(
        pd.Series(d.stripped[maybe].astype(object)), errors="coerce"
    ).to_numpy(dtype=float, na_value=np.nan)
    is_number = ~np.isnan(numbers)
    if not (is_number | d.blank).all():
        if is_number.any():
            others = d.values[~(is_number | d.blank)]
            return _text(column, blank), list(others[:LISTED_VALUES]), None
        return _text(column, blank), [], None
    digits = np.strings.lstrip(np.strings.lstrip(d.stripped, "+"), "-")
    length = np.strings.str_len(digits)
    second = np.strings.slice(digits, 1, 2)
    if (np.strings.startswith(digits, "0") & (length > 1) & np.strings.isdigit(second)).any():
        return _text(column, blank), [], "leading zeros"
    if ((length > MAX_DIGITS) & np.strings.isdigit(digits)).any():
        return _text(column, blank), [], f"integers of more than {MAX_DIGITS} digits"
    return _narrow(pd.Series(d.per_cell(numbers, np.nan), index=column.index), blank), [], None


def _narrow(values: pd.Series, blank: np.ndarray) -> pd.Series:
    """Whole numbers without missing cells as int64; anything else float64."""
    array = values.to_numpy(dtype=float)
    if (
        not blank.any()
        and np.isfinite(array).all()
        and (np.abs(array) < 2.0**53).all()
        and (array == np.round(array)).all()
    ):
        return values.astype(np.int64)
    return values.astype(float)
