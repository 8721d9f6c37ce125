"""Exceptions and the helpers that make their messages name columns, rows and values.

Every user-facing error of the package derives from :class:`EfficacyError`, so a
notebook or the CLI can catch one type. Messages always say *where* (file, field,
column, row labels) and *what* (the offending values), never just "invalid input".

Examples
--------
>>> import pandas as pd
>>> bad = pd.Series([False, True, True], index=["a", "b", "c"])
>>> values = pd.Series([1, 7, 8], index=["a", "b", "c"])
>>> describe_cells("item3", bad, values)
"column 'item3': 2 cells, rows ['b', 'c'], values [7, 8]"
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

#: How many row labels and values an error message lists before it says "...".
MAX_LISTED = 5


class EfficacyError(Exception):
    """Base class of every error raised for bad input to the package."""


class InstrumentError(EfficacyError):
    """An instrument file or definition is invalid.

    ``problems`` holds every problem found, one message each, so a caller can
    list them all (``efficacy validate`` does).
    """

    def __init__(self, problems: Sequence[str] | str) -> None:
        self.problems: list[str] = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class DataError(EfficacyError, ValueError):
    """The data handed to a function cannot be used as they are."""


class InvalidResponseError(DataError):
    """Cells of the response data are outside what the instrument allows.

    ``cells`` is a tidy DataFrame with columns ``column``, ``row`` and ``value``:
    every offending cell, not only the ones named in the message. Where the cells
    come from :func:`efficacy.score`, its index (``position``) holds each cell's
    0-based row position, which tells apart rows that share a label.
    """

    def __init__(self, message: str, cells: pd.DataFrame) -> None:
        self.cells = cells
        super().__init__(message)


def short_list(values: Sequence[Any]) -> str:
    """At most :data:`MAX_LISTED` values as a list literal, with ``...`` when cut.

    >>> short_list([1, 2, 3, 4, 5, 6, 7])
    '[1, 2, 3, 4, 5, ...]'
    """
    shown = [v.item() if hasattr(v, "item") else v for v in values[:MAX_LISTED]]
    text = repr(list(shown))
    if len(values) > MAX_LISTED:
        text = text[:-1] + ", ...]"
    return text


def describe_cells(column: Any, mask: pd.Series, values: pd.Series) -> str:
    """Describe the cells of one column selected by ``mask`` for an error message.

    Parameters
    ----------
    column
        The column's name as the user knows it.
    mask
        Boolean Series marking the offending rows.
    values
        The column's original values (same index as ``mask``).

    Returns
    -------
    str
        ``"column 'x': 3 cells, rows [...], values [...]"`` listing at most
        :data:`MAX_LISTED` rows and distinct values. When row labels repeat, rows are
        named by their 0-based position with their labels:
        ``"positions [3] (row labels [0])"``.

    Examples
    --------
    >>> twice = pd.Index([0, 0, 1])
    >>> describe_cells("q1", pd.Series([False, True, False], index=twice),
    ...                pd.Series([3, 9, 4], index=twice))
    "column 'q1': 1 cell, positions [1] (row labels [0]), values [9]"
    """
    flags = mask.to_numpy(dtype=bool)
    rows = list(mask.index[flags])
    cells = values.to_numpy(dtype=object)[flags]
    try:
        bad_values = list(pd.unique(cells))
    except TypeError:  # unhashable cells (lists, dicts): distinct by equality
        bad_values = []
        for cell in cells:
            if not any(cell is seen or _same(cell, seen) for seen in bad_values):
                bad_values.append(cell)
    positions = None if mask.index.is_unique else list(np.flatnonzero(flags))
    return describe_found(column, len(rows), rows, bad_values, positions)


def describe_found(
    column: Any,
    count: int,
    rows: Sequence[Any],
    values: Sequence[Any],
    positions: Sequence[int] | None = None,
) -> str:
    """:func:`describe_cells` from what was found: the count, the first rows and values.

    Parameters
    ----------
    column
        The column's name as the user knows it.
    count
        How many cells.
    rows
        Their row labels in order (only the first :data:`MAX_LISTED` + 1 are needed).
    values
        Their distinct values in order of appearance (likewise).
    positions
        Their 0-based positions when row labels repeat, else None.

    Examples
    --------
    >>> describe_found("q1", 7, [3, 4, 8, 9, 10, 12], [9])
    "column 'q1': 7 cells, rows [3, 4, 8, 9, 10, ...], values [9]"
    """
    noun = "cell" if count == 1 else "cells"
    if positions is None:
        where = f"rows {short_list(rows)}"
    else:  # a label names several rows: say which by position
        where = f"positions {short_list(positions)} (row labels {short_list(rows)})"
    return f"column {column!r}: {count} {noun}, {where}, values {short_list(values)}"


def _same(first: Any, second: Any) -> bool:
    try:
        return type(first) is type(second) and bool(first == second)
    except (TypeError, ValueError):
        return False


def require_columns(frame: pd.DataFrame, wanted: Sequence[Any], what: str = "data") -> None:
    """Raise :class:`DataError` naming every column of ``wanted`` that ``frame`` lacks.

    Examples
    --------
    >>> require_columns(pd.DataFrame({"a": [1]}), ["a", "b"])
    Traceback (most recent call last):
    ...
    efficacy.errors.DataError: data lacks 1 column: ['b']; it has ['a']
    """
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        noun = "column" if len(missing) == 1 else "columns"
        raise DataError(
            f"{what} lacks {len(missing)} {noun}: {short_list(missing)}; "
            f"it has {short_list(list(frame.columns))}"
        )


def require_flat_columns(frame: pd.DataFrame, what: str = "data") -> None:
    """Raise :class:`DataError` if ``frame`` has MultiIndex (several-level) columns.

    Examples
    --------
    >>> levels = pd.MultiIndex.from_tuples([("q1", "t1"), ("q1", "t2")])
    >>> wide = pd.DataFrame([[1, 2]], columns=levels)
    >>> require_flat_columns(wide)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    efficacy.errors.DataError: data has MultiIndex columns (2 levels, e.g. ('q1', 't1')); ...
    """
    if isinstance(frame.columns, pd.MultiIndex):
        example = f", e.g. {frame.columns[0]!r}" if len(frame.columns) else ""
        raise DataError(
            f"{what} has MultiIndex columns ({frame.columns.nlevels} levels{example}); "
            "give one level of column names, e.g. frame.xs('t1', axis=1, level=1) for one "
            "level's columns, or join the levels: "
            "frame.columns = ['_'.join(map(str, c)) for c in frame.columns]"
        )


def require_unique_columns(frame: pd.DataFrame, what: str = "data") -> None:
    """Raise :class:`DataError` if ``frame`` has duplicated column names.

    Examples
    --------
    >>> require_unique_columns(pd.DataFrame([[1, 2]], columns=["a", "a"]))
    Traceback (most recent call last):
    ...
    efficacy.errors.DataError: data has duplicate columns: ['a']
    """
    duplicated = frame.columns[frame.columns.duplicated()]
    if len(duplicated):
        raise DataError(f"{what} has duplicate columns: {short_list(list(pd.unique(duplicated)))}")
