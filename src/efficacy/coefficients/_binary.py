"""Binary (dichotomous) items: any two values per item, booleans included, coded 0/1.

Every function for binary items (:func:`~efficacy.coefficients.alpha_family.kr20`,
``kr21``, :func:`~efficacy.coefficients.ordinal.tetrachoric`) reads its items here, so
that they accept the same data: each item takes at most two distinct values (0/1,
1/2, "yes" coded 5 and "no" 3, ``True``/``False``...). The higher of the two counts as
1 unless ``positive`` names the value that does; ``True`` is higher than ``False``.

Examples
--------
>>> import pandas as pd
>>> b = binary_items(pd.DataFrame({"a": [1, 2, 2], "b": [True, False, True]}))
>>> b.values.tolist(), b.positive
([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], {'a': 2.0, 'b': 1.0})
>>> binary_items(pd.DataFrame({"a": [1, 2, 2], "b": [0, 1, 1]}), positive=1).values[:, 0].tolist()
[1.0, 0.0, 0.0]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from efficacy.coefficients._moments import ItemMatrix, item_matrix
from efficacy.errors import DataError, describe_cells


@dataclass(frozen=True)
class BinaryItems:
    """Binary items coded 0/1 (NaN missing), with the values they came from."""

    values: np.ndarray  # 0/1, NaN missing
    raw: ItemMatrix  # the items as given (booleans as 0/1)
    positive: dict[str, float]  # per item, the value that counts as 1

    @property
    def names(self) -> list[str]:
        """Item names."""
        return self.raw.names


def _booleans_as_numbers(items: Any) -> Any:
    """Boolean columns (numpy, pandas or object columns of bools) as 0/1 floats."""
    if not isinstance(items, pd.DataFrame):
        array = np.asarray(items)
        if array.dtype == bool:
            return array.astype(float)
        if array.dtype == object and array.ndim == 2:
            items = pd.DataFrame(array, columns=[f"item{j + 1}" for j in range(array.shape[1])])
        else:
            return items
    converted = {}
    for position in range(items.shape[1]):
        column = items.iloc[:, position]
        present = column.dropna()
        if pd.api.types.is_bool_dtype(column.dtype) or (
            column.dtype == object
            and len(present)
            and all(isinstance(v, bool | np.bool_) for v in present)
        ):
            converted[position] = column.map(lambda v: np.nan if pd.isna(v) else float(v))
            converted[position] = converted[position].astype(float)
    if not converted:
        return items
    out = items.copy()
    for position, column in converted.items():
        out.isetitem(position, column)
    return out


def binary_items(
    items: Any,
    *,
    positive: Any = None,
    message: str = "binary items need two values per item (0/1 or any other two)",
    min_items: int = 2,
) -> BinaryItems:
    """Validate binary items and code them 0/1.

    Parameters
    ----------
    items
        Respondents x items (DataFrame or 2-D array); NaN marks a missing answer.
        Boolean columns are read as ``False`` = 0, ``True`` = 1.
    positive
        The value that counts as 1: one value for every item, or a mapping item name
        -> value. Default: the higher of each item's two values.
    message
        How an error about non-binary items begins.
    min_items
        Fewest items allowed.

    Raises
    ------
    DataError
        An item with more than two distinct values (naming the cells outside its two
        values: 0 and 1 when it has both, else its two most frequent values; with
        ``positive``, that value and the most frequent other), a ``positive`` value
        an item does not take, unknown item names in ``positive``.
    """
    im = item_matrix(_booleans_as_numbers(items), min_items=min_items)
    x = im.values
    wanted = positive_values(positive, im.names)
    frame = pd.DataFrame(x, index=im.index, columns=im.names)
    out = np.full_like(x, np.nan)
    chosen: dict[str, float] = {}
    problems = []
    for j, name in enumerate(im.names):
        column = x[:, j]
        present = ~np.isnan(column)
        values, counts = np.unique(column[present], return_counts=True)
        keep, one = two_values(name, values, counts, wanted.get(name))
        if one is None:
            problems.append(keep)
            continue
        bad = present & ~np.isin(column, list(keep))
        if bad.any():
            problems.append(describe_cells(name, pd.Series(bad, index=im.index), frame[name]))
            continue
        chosen[name] = one
        out[:, j] = np.where(present, (column == one).astype(float), np.nan)
    if problems:
        raise DataError(f"{message}; " + "; ".join(problems))
    return BinaryItems(out, im, chosen)


def positive_values(positive: Any, names: list[str]) -> dict[str, Any]:
    """``positive`` as a mapping item name -> value (items without one left out).

    Raises
    ------
    DataError
        A mapping naming items that are not in ``names``.
    """
    if isinstance(positive, Mapping):
        unknown = [str(k) for k in positive if str(k) not in names]
        if unknown:
            raise DataError(
                f"positive names items that are not in the data: {unknown}; items are {names}"
            )
        return {str(k): v for k, v in positive.items()}
    return dict.fromkeys(names, positive) if positive is not None else {}


def two_values(name: str, values: np.ndarray, counts: np.ndarray, pos: Any) -> tuple[Any, Any]:
    """The two values an item keeps and the one counted as 1, from its value counts.

    Parameters
    ----------
    name
        The item's name (for messages).
    values, counts
        The item's distinct present values, sorted, and how often each occurs.
    pos
        The value asked to count as 1, or None.

    Returns
    -------
    tuple
        ``(keep, one)``: the set of the two values kept and the value counted as 1;
        or ``(problem, None)`` when ``pos`` is not one of the item's values.

    Raises
    ------
    DataError
        ``pos`` is not a number.
    """
    if pos is not None:
        try:
            pos = float(pos)
        except (TypeError, ValueError):
            raise DataError(f"positive must be a number, got {pos!r} for {name!r}") from None
    if pos is not None and values.size and pos not in values:
        return (
            f"column {name!r}: positive={pos:g} is not one of its values "
            f"{[float(v) for v in values[:5]]}"
        ), None
    if pos is not None:
        others = [(c, v) for v, c in zip(values, counts, strict=True) if v != pos]
        keep = {pos} | ({max(others, key=lambda t: (t[0], -t[1]))[1]} if others else set())
    elif {0.0, 1.0} <= set(values.tolist()):
        keep = {0.0, 1.0}
    else:
        ranked = sorted(zip(values, counts, strict=True), key=lambda t: (-t[1], t[0]))
        keep = {float(v) for v, _ in ranked[:2]}
    return keep, float(pos if pos is not None else max(keep))
