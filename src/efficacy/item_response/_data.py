"""Response data for the graded model: checked, coded as 0-based categories per item.

Each item's categories are the codes it may take (from ``min``/``max``, an instrument's
response scale, or the codes seen in the data). A declared code nobody chose cannot
carry a threshold: it is left out of that item's model with an
:class:`UnobservedCategoryWarning` naming the item and the code, never pinned to an
arbitrary value.

Examples
--------
>>> import pandas as pd
>>> coded = code_responses(pd.DataFrame({"q1": [1, 2, 3], "q2": [2, 1, None]}))
>>> coded.categories.tolist()
[[0, 1], [1, 0], [2, -1]]
>>> [c.tolist() for c in coded.codes]
[[1.0, 2.0, 3.0], [1.0, 2.0]]
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from efficacy.errors import DataError, describe_cells, require_unique_columns, short_list


class UnobservedCategoryWarning(UserWarning):
    """A declared response category of an item was never chosen in the data."""


@dataclass(frozen=True)
class CodedResponses:
    """Responses as 0-based category indices (``-1`` missing), one column per item."""

    names: tuple[str, ...]
    categories: np.ndarray
    codes: tuple[np.ndarray, ...]
    index: pd.Index


def numeric_items(data: pd.DataFrame, what: str = "data") -> np.ndarray:
    """The frame as floats, with an error naming any column that holds non-numbers."""
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"{what} must be a pandas DataFrame, got {type(data).__name__}")
    require_unique_columns(data, what)
    if data.shape[1] == 0 or data.shape[0] == 0:
        raise DataError(f"{what} is empty ({data.shape[0]} rows, {data.shape[1]} columns)")
    if all(
        pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t) for t in data.dtypes
    ):
        return np.asfortranarray(data.to_numpy(dtype=float, na_value=np.nan))
    out = np.empty(data.shape, dtype=float, order="F")
    for j, column in enumerate(data.columns):
        series = data[column]
        if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
            series.dtype
        ):
            out[:, j] = series.to_numpy(dtype=float, na_value=np.nan)
            continue
        converted = pd.to_numeric(series, errors="coerce")
        bad = converted.isna() & series.notna()
        if bad.any():
            raise DataError(f"{what}: non-numeric values in {describe_cells(column, bad, series)}")
        out[:, j] = converted.to_numpy(dtype=float)
    return out


def code_responses(
    data: pd.DataFrame,
    codes: Sequence[float] | Sequence[Sequence[float]] | None = None,
    *,
    what: str = "data",
    warn_unobserved: bool = True,
) -> CodedResponses:
    """Code each item's answers as 0-based indices of the categories it is modelled with.

    Parameters
    ----------
    data
        One numeric column per item (NaN: not answered).
    codes
        The allowed codes: one list for every item, one list per item, or None (each
        item's codes are those seen in its column).
    warn_unobserved
        Drop declared but unobserved codes with a warning (fitting). False: keep every
        declared code (scoring with given parameters).
    """
    values = numeric_items(data, what)
    names = tuple(str(c) for c in data.columns)
    n_items = len(names)
    if codes is None:
        per_item: list[np.ndarray | None] = [None] * n_items
    elif len(codes) and np.ndim(codes[0]) == 1:
        if len(codes) != n_items:
            raise DataError(f"codes: {len(codes)} lists for {n_items} items")
        per_item = [np.asarray(c, dtype=float) for c in codes]  # type: ignore[arg-type]
    else:
        shared = np.asarray(codes, dtype=float)
        per_item = [shared] * n_items
    categories = np.full(values.shape, -1, dtype=np.int16, order="F")
    kept: list[np.ndarray] = []
    for j, name in enumerate(names):
        column = values[:, j]
        answered = ~np.isnan(column)
        if warn_unobserved and not answered.any():
            raise DataError(f"{what}: column {name!r} has no answers")
        given = column[answered]
        if warn_unobserved or per_item[j] is None:
            seen = np.unique(given)
        declared = seen if per_item[j] is None else np.unique(per_item[j])
        if given.size == 0:  # scoring: nobody answered this item
            kept.append(declared)
            continue
        index = _positions(declared, given)
        unknown = answered.copy()
        unknown[answered] = declared[index] != given
        if unknown.any():
            mask = pd.Series(unknown, index=data.index)
            raise DataError(
                f"{what}: codes outside {code_list(declared)} in "
                f"{describe_cells(data.columns[j], mask, data.iloc[:, j])}"
            )
        if warn_unobserved:
            missing = declared[~np.isin(declared, seen)]
            if missing.size:
                noun = "category" if missing.size == 1 else "categories"
                warnings.warn(
                    f"item {name!r}: {noun} {code_list(missing, full=True)} declared but never "
                    f"observed; left out of this item's model (no threshold can be "
                    f"estimated for it), so the item has {seen.size} categories "
                    f"{code_list(seen, full=True)}",
                    UnobservedCategoryWarning,
                    stacklevel=4,
                )
                declared = seen
            if declared.size < 2:
                raise DataError(
                    f"{what}: column {name!r} has a single observed code "
                    f"{short_list(list(declared))}; an item needs two categories"
                )
            index = np.searchsorted(declared, given)
        categories[answered, j] = index
        kept.append(declared)
    return CodedResponses(names, categories, tuple(kept), data.index)


def _positions(declared: np.ndarray, given: np.ndarray) -> np.ndarray:
    """Where each value sits among the declared codes (a valid index; the caller checks
    that the code there equals the value)."""
    step = np.diff(declared)
    if declared.size > 1 and np.all(step == step[0]):  # evenly spaced: arithmetic
        index = np.rint((given - declared[0]) / step[0])
        return np.clip(index, 0, declared.size - 1).astype(np.int64)
    return np.minimum(np.searchsorted(declared, given), declared.size - 1)


def code_list(codes: np.ndarray, full: bool = False) -> str:
    """Codes as a list (cut after a few unless ``full``), whole numbers without a point.

    >>> code_list(np.array([1.0, 2.5]))
    '[1, 2.5]'
    """
    shown = [int(c) if float(c).is_integer() else float(c) for c in codes]
    return repr(shown) if full else short_list(shown)


def one_hot(categories: np.ndarray, offsets: np.ndarray, n_columns: int) -> np.ndarray:
    """Rows x (all categories of all items) indicator matrix; missing answers are zero rows."""
    n_rows = categories.shape[0]
    out = np.zeros((n_rows, n_columns))
    rows, cols = np.nonzero(categories >= 0)
    out[rows, offsets[cols] + categories[rows, cols]] = 1.0
    return out
