"""Shared steps of the table readers: header rows, empty rows and columns, cell types.

A reader hands over a *grid*: a DataFrame with positional columns holding every row
of the sheet or file, header rows included, cells as text (CSV, TSV) or as the
spreadsheet's own values (Excel). :func:`build_frame` turns it into the data frame:

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

Examples
--------
>>> grid = pd.DataFrame([["id", "q1", ""], ["007", "4", ""], ["008", "n/a", ""]])
>>> frame, meta = build_frame(grid, name="x.csv")
>>> frame.dtypes.astype(str).tolist(), meta["dropped_columns"], meta["mixed_columns"]
(['str', 'str'], [3], {'q1': ['n/a']})
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

#: Distinct text values listed per mixed column in the report.
LISTED_VALUES = 5

#: Integers beyond this lose digits as floats: longer digit strings stay text.
_MAX_DIGITS = 15


class ReadWarning(UserWarning):
    """Something legal but worth a look was found while reading a data file."""


def blank_cells(column: pd.Series) -> np.ndarray:
    """Missing cells and cells holding only whitespace.

    >>> blank_cells(pd.Series(["a", " ", None, ""], dtype=object)).tolist()
    [False, True, True, True]
    """
    if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_object_dtype(
        column.dtype
    ):
        return column.isna().to_numpy(dtype=bool)
    text = column.astype("string")
    return (text.isna() | text.str.strip().eq("")).to_numpy(dtype=bool, na_value=True)


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


def build_frame(
    grid: pd.DataFrame,
    *,
    name: str,
    header_rows: int = 1,
    keep_text: Callable[[str], bool] | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The data frame below ``header_rows`` header rows, and a report of what was done.

    Parameters
    ----------
    grid
        Every row of the file, header rows first, positional columns.
    name
        The file's name, for messages.
    header_rows
        Rows above the data; the first names the columns.
    keep_text
        Called with a column name: true keeps the column as text even if every cell
        is a number (Qualtrics ``_TEXT`` columns, identifiers).

    Returns
    -------
    frame, meta
        ``meta`` has ``rows``, ``columns``, ``empty_rows`` (0-based positions of
        all-missing rows kept), ``trailing_empty_rows`` (dropped),
        ``dropped_columns`` (1-based positions of unnamed empty columns dropped),
        ``unnamed_columns``, ``duplicate_columns``, ``mixed_columns`` (column ->
        text values found among numbers) and ``kept_as_text`` (column -> reason).
    """
    if grid.shape[0] < header_rows:
        raise_empty(name)
    names = header_names(grid.iloc[0].tolist())
    header_blank = np.ones(grid.shape[1], dtype=bool)
    for row in range(header_rows):
        header_blank &= np.array([not n for n in header_names(grid.iloc[row].tolist())])
    body = grid.iloc[header_rows:].reset_index(drop=True)
    blank = np.zeros(body.shape, dtype=bool)
    for j in range(body.shape[1]):
        blank[:, j] = blank_cells(body.iloc[:, j])
    meta: dict[str, Any] = {}

    trailing_rows = _trailing_true(blank.all(axis=1)) if body.shape[1] else body.shape[0]
    keep_rows = body.shape[0] - trailing_rows
    body, blank = body.iloc[:keep_rows], blank[:keep_rows]
    meta["trailing_empty_rows"] = trailing_rows

    trailing_cols = _trailing_true(header_blank & blank.all(axis=0))
    keep_cols = body.shape[1] - trailing_cols
    meta["dropped_columns"] = list(range(keep_cols + 1, body.shape[1] + 1))
    body, blank, names = body.iloc[:, :keep_cols], blank[:, :keep_cols], names[:keep_cols]

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
    duplicated = sorted({n for n in names if names.count(n) > 1})
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

    columns: list[pd.Series] = []
    mixed: dict[str, list[Any]] = {}
    kept_as_text: dict[str, str] = {}
    for j, column_name in enumerate(names):
        forced = keep_text is not None and keep_text(column_name)
        column, extra, reason = convert_column(body.iloc[:, j], blank[:, j], keep_text=forced)
        columns.append(column.rename(column_name).reset_index(drop=True))
        if extra:
            mixed[column_name] = extra
        if reason:
            kept_as_text[column_name] = reason
    frame = pd.concat(columns, axis=1) if columns else pd.DataFrame(index=range(keep_rows))
    frame.columns = pd.Index(names)
    meta.update(
        rows=int(frame.shape[0]),
        columns=int(frame.shape[1]),
        mixed_columns=mixed,
        kept_as_text=kept_as_text,
    )
    return frame, meta


def raise_empty(name: str) -> None:
    """Raise the error for a file without a header row."""
    from efficacy.errors import DataError

    raise DataError(f"{name}: the file is empty (no header row)")


def convert_column(
    column: pd.Series, blank: np.ndarray, *, keep_text: bool = False
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
    kind = pd.api.types.infer_dtype(column.where(~blank), skipna=True)
    if kind in ("integer", "floating", "mixed-integer-float", "decimal"):
        values = pd.to_numeric(column.where(~blank))
        return _narrow(values.astype(float), blank), [], None
    if kind == "empty":
        dtype = "str" if keep_text else float
        return pd.Series(np.nan, index=column.index, dtype=dtype), [], None
    if kind == "string":
        return _from_text(column.where(~blank).astype("str"), blank, keep_text)
    if kind in ("mixed", "mixed-integer"):
        as_text = column.where(~blank).astype("string").astype("str")
        converted, extra, reason = _from_text(as_text, blank, keep_text)
        if pd.api.types.is_numeric_dtype(converted.dtype):
            return converted, [], None
        return column.where(~blank), extra, reason
    return column.where(~blank).infer_objects(), [], None


def _from_text(
    text: pd.Series, blank: np.ndarray, keep_text: bool
) -> tuple[pd.Series, list[Any], str | None]:
    stripped = text.str.strip()
    numbers = pd.to_numeric(stripped, errors="coerce")
    is_number = numbers.notna().to_numpy()
    if keep_text or blank.all():
        return text, [], None
    if not (is_number | blank).all():
        if is_number.any():
            others = pd.unique(text[~(is_number | blank)].to_numpy(dtype=object))
            return text, list(others[:LISTED_VALUES]), None
        return text, [], None
    if stripped.str.match(r"^[+-]?0\d").any():
        return text, [], "leading zeros"
    if stripped.str.match(rf"^[+-]?\d{{{_MAX_DIGITS + 1},}}$").any():
        return text, [], f"integers of more than {_MAX_DIGITS} digits"
    return _narrow(numbers.astype(float), blank), [], None


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
    return values
