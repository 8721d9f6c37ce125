"""Response frequencies as R psych's ``response.frequencies(items, max=10)`` reports them.

Only items whose observed range (max - min) is at most ``max`` are counted. If the
distinct values over those items, counting a missing value as one more value as R's
``unique()`` does, number more than ``max``, psych reports nothing (``None`` here).
Each cell is the share of the item's answered rows giving that value; ``miss`` is the
share of all rows left unanswered. The values are the raw codes, before any reverse
keying (psych counts before it reverses).

Examples
--------
>>> import numpy as np
>>> x = np.array([[1.0, 2.0], [2.0, 2.0], [1.0, np.nan], [2.0, 1.0]])
>>> response_frequencies(x, ["a", "b"])
          1         2  miss
a  0.500000  0.500000  0.00
b  0.333333  0.666667  0.25
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _value_label(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def _frame(
    table: np.ndarray,
    values: np.ndarray,
    names: list[str],
    n_obs: int,
    any_missing: bool,
    max_values: int,
) -> pd.DataFrame | None:
    if values.size + int(any_missing) > max_values:
        return None
    responses = table.sum(axis=1)
    frame = pd.DataFrame(
        table / responses[:, None],
        index=pd.Index(names),
        columns=pd.Index([_value_label(v) for v in values], dtype=object),
    )
    frame["miss"] = 1 - responses / n_obs
    return frame


def frequencies_from_counts(
    counts: np.ndarray,
    base: np.ndarray,
    names: list[str],
    n_obs: int,
    max_values: int = 10,
) -> pd.DataFrame | None:
    """Response frequencies from per-item code counts (``counts[j, v]`` for ``base[j] + v``).

    Examples
    --------
    >>> counts = np.array([[0, 2, 2], [1, 2, 0]])
    >>> frequencies_from_counts(counts, np.array([0.0, 1.0]), ["a", "b"], n_obs=4)
              1         2  miss
    a  0.500000  0.500000  0.00
    b  0.333333  0.666667  0.25
    """
    seen = counts > 0
    first = np.argmax(seen, axis=1)
    last = counts.shape[1] - 1 - np.argmax(seen[:, ::-1], axis=1)
    selected = np.flatnonzero((last - first) < (max_values + 1))
    if selected.size == 0:
        return None
    item_idx, step = np.nonzero(counts[selected])
    values_of = base[selected][item_idx] + step
    values = np.unique(values_of)
    table = np.zeros((selected.size, values.size))
    table[item_idx, np.searchsorted(values, values_of)] = counts[selected][item_idx, step]
    any_missing = bool((table.sum(axis=1) < n_obs).any())
    return _frame(table, values, [names[j] for j in selected], n_obs, any_missing, max_values)


def response_frequencies(
    x: np.ndarray,
    names: list[str],
    max_values: int = 10,
) -> pd.DataFrame | None:
    """Share of each response value per item, plus ``miss`` (psych semantics).

    Parameters
    ----------
    x
        N x k raw responses (NaN missing).
    names
        Item names (the index of the result).
    max_values
        psych's ``max``: the widest range and the most distinct values counted.

    Returns
    -------
    DataFrame or None
        Items (rows) by sorted response values (columns, labelled by the value,
        an ``int`` when integral) and ``miss``.
    """
    counts = []
    for j in range(x.shape[1]):
        column = x[:, j]
        values, count = np.unique(column[~np.isnan(column)], return_counts=True)
        counts.append(dict(zip(values.tolist(), count.tolist(), strict=True)))
    return frequencies_from_value_counts(counts, names, x.shape[0], max_values)


def frequencies_from_value_counts(
    counts: list[dict[float, int]], names: list[str], n_obs: int, max_values: int = 10
) -> pd.DataFrame | None:
    """:func:`response_frequencies` from each item's answer counts (value -> count; the
    counts of several row blocks add up), so that data in parts give the same table."""
    selected = [j for j, c in enumerate(counts) if c and (max(c) - min(c)) < (max_values + 1)]
    if not selected:
        return None
    values = np.array(sorted(set().union(*(counts[j] for j in selected))), dtype=float)
    any_missing = any(sum(counts[j].values()) < n_obs for j in selected)
    if values.size + int(any_missing) > max_values:
        return None
    position = {value: i for i, value in enumerate(values.tolist())}
    table = np.zeros((len(selected), values.size))
    for row, j in enumerate(selected):
        for value, count in counts[j].items():
            table[row, position[value]] = count
    return _frame(table, values, [names[j] for j in selected], n_obs, any_missing, max_values)
