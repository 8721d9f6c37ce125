"""Bad cells of a dask DataFrame, reported as in memory with the frame's own rows.

Each partition is read as the in-memory item matrix reads its data
(:func:`efficacy.io._numbers.numeric_cells`, one rule for numbers) and brings back,
per column with offending cells, only what an error message shows: how many, the
first row labels and positions and the first distinct values (:class:`Found`). After
the pass the parts are put together in partition order, so the message names the same
cells, with the same global row labels (or 0-based positions over the whole frame when
labels repeat), as :func:`efficacy.errors.describe_cells` does in memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from efficacy.errors import MAX_LISTED, DataError, describe_found
from efficacy.io._numbers import numeric_cells

#: How many rows and values a part keeps: enough to tell whether a message says "...".
KEPT = MAX_LISTED + 1


@dataclass(frozen=True)
class Found:
    """Offending cells of one column in one partition (``kind`` says what is wrong)."""

    column: int
    kind: str
    count: int
    rows: list[Any]
    positions: list[int]
    values: list[Any]


@dataclass(frozen=True)
class IndexInfo:
    """What tells whether a partition's row labels can repeat those of another."""

    length: int
    unique: bool
    increasing: bool
    first: Any
    last: Any


def _distinct(cells: np.ndarray) -> list[Any]:
    """The first :data:`KEPT` distinct cells in order (by type and equality)."""
    out: list[Any] = []
    for cell in cells:
        if not any(cell is other or _same(cell, other) for other in out):
            out.append(cell)
            if len(out) >= KEPT:
                break
    return out


def found(j: int, kind: str, flags: np.ndarray, index: pd.Index, cells: Any) -> Found:
    """The :class:`Found` of the cells ``flags`` marks in column ``j`` of a partition."""
    where = np.flatnonzero(flags)
    raw = np.asarray(cells, dtype=object)[where]
    try:
        values = list(pd.unique(raw))[:KEPT]
    except TypeError:  # unhashable cells (lists, dicts): distinct by equality
        values = _distinct(raw)
    return Found(j, kind, int(where.size), list(index[where[:KEPT]]), where[:KEPT].tolist(), values)


def index_info(part: pd.DataFrame) -> IndexInfo:
    """The partition's :class:`IndexInfo`."""
    index = part.index
    if len(index) == 0:
        return IndexInfo(0, True, True, None, None)
    return IndexInfo(
        len(index), bool(index.is_unique), bool(index.is_monotonic_increasing), index[0], index[-1]
    )


def read_numeric(part: pd.DataFrame) -> tuple[np.ndarray, list[Found]]:
    """The partition as floats (NaN missing) and its cells that are not finite numbers.

    Per column, cells that are not numbers are reported (kind ``"numeric"``); in a
    column without those, infinite cells (kind ``"finite"``), as
    :func:`efficacy.coefficients._moments.item_matrix` checks them.
    """
    n, k = part.shape
    plain = all(isinstance(d, np.dtype) and d.kind in "fiu" for d in part.dtypes)
    if plain:
        x = part.to_numpy(dtype=float, copy=False)
        infinite = np.isinf(x)
        bad = np.flatnonzero(infinite.any(axis=0)) if n else []
        return x, [found(j, "finite", infinite[:, j], part.index, part.iloc[:, j]) for j in bad]
    columns, problems = [], []
    for j in range(k):
        column = part.iloc[:, j]
        values, unreadable = numeric_cells(column, blank_is_missing=False)
        if unreadable.any():
            problems.append(found(j, "numeric", unreadable, part.index, column))
        else:
            infinite = np.isinf(values)
            if infinite.any():
                problems.append(found(j, "finite", infinite, part.index, column))
        columns.append(values)
    x = np.column_stack(columns) if columns else np.empty((n, 0))
    return x, problems


def labels_unique(frame: Any, infos: Sequence[IndexInfo]) -> bool:
    """Whether the dask frame's row labels are all distinct (decided cheaply if possible)."""
    if not all(info.unique for info in infos):
        return False
    if frame.known_divisions:
        return True
    shown = [info for info in infos if info.length]
    try:
        if all(info.increasing for info in shown) and all(
            a.last < b.first for a, b in pairwise(shown)
        ):
            return True
    except TypeError:  # labels that do not compare
        pass
    return bool(frame.index.nunique().compute() == sum(info.length for info in infos))


def describe(name: Any, parts: Sequence[tuple[int, Found]], unique: bool) -> str:
    """:func:`efficacy.errors.describe_cells` of a column's cells over every partition.

    ``parts`` holds each partition's row offset (its first row's position over the whole
    frame) with what it found, in partition order.
    """
    rows: list[Any] = []
    positions: list[int] = []
    seen: list[Any] = []
    for offset, part in parts:
        if len(rows) < KEPT:
            rows.extend(part.rows)
            positions.extend(offset + p for p in part.positions)
        seen.extend(part.values)
    cells = np.empty(len(seen), dtype=object)
    cells[:] = seen
    try:  # distinct as in memory (pd.unique over the column's cells)
        values = list(pd.unique(cells))[:KEPT]
    except TypeError:
        values = _distinct(cells)
    count = sum(part.count for _, part in parts)
    return describe_found(name, count, rows[:KEPT], values, None if unique else positions[:KEPT])


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        return True
    try:
        return type(a) is type(b) and bool(a == b)
    except (TypeError, ValueError):
        return False


def by_column(
    founds: Sequence[Sequence[Found]], infos: Sequence[IndexInfo]
) -> dict[tuple[int, str], list[tuple[int, Found]]]:
    """Every partition's findings grouped by (column, kind), with row offsets."""
    out: dict[tuple[int, str], list[tuple[int, Found]]] = {}
    offset = 0
    for part, info in zip(founds, infos, strict=True):
        for item in part:
            out.setdefault((item.column, item.kind), []).append((offset, item))
        offset += info.length
    return out


def raise_unreadable(
    frame: Any, names: list[str], founds: Sequence[Sequence[Found]], infos: Sequence[IndexInfo]
) -> None:
    """Raise the in-memory error for cells that are not finite numbers, if any.

    As in memory, the first column (in column order) with such cells is named: its
    cells that are not numbers, or if it has none its infinite ones.
    """
    grouped = by_column(founds, infos)
    if not grouped:
        return
    unique = labels_unique(frame, infos)
    for j, name in enumerate(names):
        if (j, "numeric") in grouped:
            raise DataError(
                "items must be numeric; " + describe(name, grouped[j, "numeric"], unique)
            )
        if (j, "finite") in grouped:
            raise DataError("items must be finite; " + describe(name, grouped[j, "finite"], unique))
