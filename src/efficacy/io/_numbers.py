"""The one rule for reading a number from a cell, shared by scoring, reliability and norms.

A cell is judged by its Python type first, so values that only compare equal across
types (``True == 1``, ``Decimal(1) == 1``, ``1 + 0j == 1``) are never merged, and text
is a number only when :func:`parse_number` reads one.

Examples
--------
>>> import pandas as pd
>>> values, bad = numeric_cells(pd.Series(["4", "0_4", True, 3.0], dtype=object))
>>> values.tolist(), bad.tolist()
([4.0, nan, nan, 3.0], [False, True, True, False])
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from efficacy.instrument._model import normalise_label

#: A number as a cell may spell it: ASCII digits, optional sign, decimal point and exponent.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def parse_number(text: str) -> float | None:
    """The number a text cell spells, or None when it spells none.

    The rule: optional surrounding whitespace, an optional ``+`` or ``-``, ASCII
    digits ``0``-``9`` with an optional decimal point (``.``) and fraction, and an
    optional exponent (``e`` or ``E``). Nothing else is a number: no digit-group
    separators (``1_000``, ``1,000``, ``1 000``), no decimal comma, no digits of other
    scripts (``٤``, ``４``), no ``inf``, ``nan`` or hexadecimal, no control or invisible
    characters (``"4\\x00"``), and nothing too large for a float.

    Examples
    --------
    >>> parse_number(" 4 "), parse_number("-2.5e1"), parse_number("3.")
    (4.0, -25.0, 3.0)
    >>> parse_number("0_4"), parse_number("4\\x00"), parse_number("٤"), parse_number("inf")
    (None, None, None, None)
    """
    stripped = text.strip()
    if not _NUMBER.fullmatch(stripped):
        return None
    number = float(stripped)
    return number if np.isfinite(number) else None


def _is_number_type(kind: type) -> bool:
    """Python and numpy reals, Decimal and Fraction; never bool or complex."""
    if issubclass(kind, bool | np.bool_):
        return False
    return issubclass(kind, numbers.Real | Decimal)


def plain_numeric(dtype: Any) -> bool:
    """Integer or float dtypes (numpy or pandas nullable); not bool, not complex."""
    return (
        pd.api.types.is_numeric_dtype(dtype)
        and not pd.api.types.is_bool_dtype(dtype)
        and not pd.api.types.is_complex_dtype(dtype)
    )


def _numbers_of(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Float values of number objects, and a mask of those beyond a float's range."""
    try:
        return cells.astype(float), np.zeros(len(cells), dtype=bool)
    except OverflowError:
        values = np.empty(len(cells))
        bad = np.zeros(len(cells), dtype=bool)
        for i, cell in enumerate(cells):
            try:
                values[i] = float(cell)
            except OverflowError:
                values[i], bad[i] = np.nan, True
        return values, bad


def _text_codes(
    cells: np.ndarray, lookup: Mapping[str, float] | None, blank_is_missing: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Codes of str cells (labels via ``lookup``, then the number rule); each distinct
    text is coded once, and missing values (None, NaN, ``pd.NA``) are NaN. Returns the
    codes (NaN missing or unreadable) and the mask of unreadable cells."""
    positions, uniques = pd.factorize(cells)
    codes = np.empty(len(uniques) + 1)
    bad = np.zeros(len(uniques) + 1, dtype=bool)
    for i, text in enumerate(uniques):
        normalised = normalise_label(text)
        if not normalised:
            codes[i], bad[i] = np.nan, not blank_is_missing
        elif lookup is not None and normalised in lookup:
            codes[i] = lookup[normalised]
        else:
            number = parse_number(text)
            codes[i], bad[i] = (np.nan, True) if number is None else (number, False)
    codes[-1] = np.nan
    return codes[positions], bad[positions]


def numeric_cells(
    column: pd.Series,
    lookup: Mapping[str, float] | None = None,
    *,
    blank_is_missing: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Every cell of a column as a float, and the mask of cells that are not numbers.

    The one rule for reading numbers used by scoring, the reliability functions and
    the norms: integer and float cells (numpy, pandas nullable, Python, ``Decimal``,
    ``Fraction``) are numbers; text is a response label (when ``lookup`` maps
    normalised labels to codes) or a number spelled as :func:`parse_number` accepts;
    missing values (None, NaN, ``pd.NA``, NaT) and, with ``blank_is_missing``, blank
    text are NaN. Booleans, complex numbers, dates, durations, containers (lists,
    dicts, sets, tuples), bytes and every other object are not numbers: their cells
    are NaN and flagged. Values that compare equal across types (``True == 1``,
    ``1 + 0j == 1``) are never merged. Infinite numbers are returned as they are.

    Examples
    --------
    >>> values, bad = numeric_cells(pd.Series([1, True, "2", None, 1 + 0j], dtype=object))
    >>> values.tolist(), bad.tolist()
    ([1.0, nan, 2.0, nan, nan], [False, True, False, False, True])
    """
    dtype = column.dtype
    if plain_numeric(dtype):
        return column.to_numpy(dtype=float, na_value=np.nan), np.zeros(len(column), dtype=bool)
    cells = column.to_numpy(dtype=object)
    textual = pd.api.types.is_object_dtype(dtype) or isinstance(
        dtype, pd.StringDtype | pd.CategoricalDtype
    )
    if textual and pd.api.types.infer_dtype(cells, skipna=True) == "string":
        return _text_codes(cells, lookup, blank_is_missing)  # only text and missing values
    values = np.full(len(cells), np.nan)
    bad = np.zeros(len(cells), dtype=bool)
    present = np.flatnonzero(~pd.isna(cells))
    if present.size == 0:
        return values, bad
    if not textual:
        bad[present] = True  # bool, complex, datetime64, timedelta64, period, interval, ...
        return values, bad
    inferred = pd.api.types.infer_dtype(cells[present], skipna=False)
    if inferred in ("integer", "floating", "mixed-integer-float"):  # no bool, no complex
        values[present], bad[present] = _numbers_of(cells[present])
        return values, bad
    kinds = np.fromiter((type(cell) for cell in cells[present]), dtype=object, count=present.size)
    kind_codes, kind_uniques = pd.factorize(kinds)
    for k, kind in enumerate(kind_uniques):
        where = present[kind_codes == k]
        if issubclass(kind, str):
            values[where], bad[where] = _text_codes(cells[where], lookup, blank_is_missing)
        elif _is_number_type(kind):
            values[where], bad[where] = _numbers_of(cells[where])
        else:
            bad[where] = True
    return values, bad
