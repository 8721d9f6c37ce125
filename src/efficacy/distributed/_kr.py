"""KR-20 and KR-21 of a dask DataFrame of binary items, in two passes of counts.

The first pass counts each item's values (and finds cells that are not numbers); the
two values of each item and the one counted as 1 are then chosen from the counts
exactly as in memory (:func:`~efficacy.coefficients._binary.two_values`). The second
pass finds the cells outside those two values and the missing answers, and counts,
over the complete rows, the 1s per item and the rows of each sum score: all KR-20 and
KR-21 need (:func:`~efficacy.coefficients.alpha_family._guttman.kr20_from_moments`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from efficacy.coefficients._binary import _booleans_as_numbers, positive_values, two_values
from efficacy.coefficients.alpha_family._guttman import (
    KR20Result,
    KR21Result,
    kr20_from_moments,
    kr21_from_moments,
)
from efficacy.coefficients.alpha_family._split_half import reverse_signs
from efficacy.distributed._cells import (
    Found,
    IndexInfo,
    by_column,
    describe,
    found,
    index_info,
    labels_unique,
    raise_unreadable,
    read_numeric,
)
from efficacy.distributed._pairwise import item_names
from efficacy.errors import DataError


def _values(
    part: pd.DataFrame,
) -> tuple[list[tuple[np.ndarray, np.ndarray]], list[Found], IndexInfo]:
    x, problems = read_numeric(_booleans_as_numbers(part))
    counted = []
    for j in range(x.shape[1]):
        column = x[:, j]
        counted.append(np.unique(column[~np.isnan(column)], return_counts=True))
    return counted, problems, index_info(part)


def _counts(
    part: pd.DataFrame, keep: list[np.ndarray], ones: np.ndarray, sign: np.ndarray
) -> tuple[list[Found], list[Found], int, np.ndarray, np.ndarray]:
    """Cells outside the two values, missing answers, and the complete rows' counts."""
    x, _ = read_numeric(_booleans_as_numbers(part))
    k = x.shape[1]
    missing = np.isnan(x)
    outside, blank = [], []
    for j in range(k):
        bad = ~missing[:, j] & ~np.isin(x[:, j], keep[j])
        if bad.any():
            outside.append(found(j, "outside", bad, part.index, x[:, j]))
        if missing[:, j].any():
            blank.append(found(j, "missing", missing[:, j], part.index, x[:, j]))
    complete = x[~missing.any(axis=1)]
    coded = (complete == ones).astype(float)
    coded = np.where(sign < 0, 1.0 - coded, coded)
    totals = np.rint(coded.sum(axis=1)).astype(np.int64)
    return outside, blank, len(complete), coded.sum(axis=0), np.bincount(totals, minlength=k + 1)


def _binary_counts(
    items: Any, reverse: Iterable[str] | str, nan_policy: str, fn: str, positive: Any
) -> tuple[list[str], np.ndarray, np.ndarray, int, int, dict[str, float]]:
    """The in-memory checks of ``_binary_matrix``, and the counts KR-20/21 need."""
    import dask

    names = item_names(items, 2)
    k = len(names)
    parts = items.to_delayed()
    first = dask.compute(*[dask.delayed(_values, pure=True)(p) for p in parts])
    infos = [f[2] for f in first]
    n_obs = sum(info.length for info in infos)
    if n_obs < 2:
        raise DataError(f"need at least 2 respondents, got {n_obs}")
    raise_unreadable(items, names, [f[1] for f in first], infos)
    wanted = positive_values(positive, names)
    keep, ones, problems = [], np.full(k, np.nan), {}
    for j, name in enumerate(names):
        values = np.concatenate([f[0][j][0] for f in first])
        weights = np.concatenate([f[0][j][1] for f in first])
        values, where = np.unique(values, return_inverse=True)
        counts = np.bincount(where, weights=weights, minlength=values.size).astype(np.int64)
        chosen, one = two_values(name, values, counts, wanted.get(name))
        if one is None:
            problems[j] = chosen
            chosen = set()
        else:
            ones[j] = one
        keep.append(np.array(sorted(chosen), dtype=float))
    try:
        sign, unknown = reverse_signs(names, reverse), None
    except DataError as error:  # raised where the in-memory code raises it
        sign, unknown = np.ones(k), error
    task = dask.delayed(_counts, pure=True)
    second = dask.compute(*[task(p, keep, ones, sign) for p in parts])
    outside = by_column([s[0] for s in second], infos)
    unique = labels_unique(items, infos) if outside or nan_policy == "raise" else True
    for j, name in enumerate(names):
        if j not in problems and (j, "outside") in outside:
            problems[j] = describe(name, outside[j, "outside"], unique)
    if problems:
        raise DataError(
            f"{fn} needs items scored 0/1 or with two values each (positive= says which "
            "counts as 1); " + "; ".join(problems[j] for j in sorted(problems))
        )
    if nan_policy not in ("raise", "listwise"):
        raise DataError(f"nan_policy must be 'raise' or 'listwise', got {nan_policy!r}")
    blank = by_column([s[1] for s in second], infos)
    if blank and nan_policy == "raise":
        found_parts = [
            describe(name, blank[j, "missing"], unique)
            for j, name in enumerate(names)
            if (j, "missing") in blank
        ]
        raise DataError(
            f"{fn} needs complete rows; missing answers in "
            + "; ".join(found_parts)
            + " (pass nan_policy='listwise' to drop those rows)"
        )
    n = sum(s[2] for s in second)
    if n < 2:
        raise DataError(f"{fn} needs at least 2 complete rows, got {n}")
    if unknown is not None:
        raise unknown
    ones_count = np.sum([s[3] for s in second], axis=0)
    totals = np.sum([s[4] for s in second], axis=0)
    chosen_ones = {name: float(ones[j]) for j, name in enumerate(names)}
    return names, ones_count, totals, n, n_obs - n, chosen_ones


def _total_moments(totals: np.ndarray, n: int) -> tuple[float, float]:
    """Mean and variance (N denominator) of the sum score from its counts."""
    scores = np.arange(totals.size, dtype=float)
    mean = float(totals @ scores) / n
    return mean, float(totals @ (scores - mean) ** 2) / n


def kr20(
    items: Any,
    reverse: Iterable[str] | str = (),
    *,
    nan_policy: str = "raise",
    positive: Any = None,
) -> KR20Result:
    """:func:`efficacy.kr20` of a dask DataFrame (two passes of counts; the in-memory
    result to rounding, the same errors naming columns and global rows)."""
    names, ones, totals, n, dropped, chosen = _binary_counts(
        items, reverse, nan_policy, "kr20", positive
    )
    _, var_total = _total_moments(totals, n)
    return kr20_from_moments(names, ones / n, var_total, n, dropped, chosen)


def kr21(
    items: Any,
    reverse: Iterable[str] | str = (),
    *,
    nan_policy: str = "raise",
    positive: Any = None,
) -> KR21Result:
    """:func:`efficacy.kr21` of a dask DataFrame (see :func:`kr20`)."""
    names, _, totals, n, dropped, chosen = _binary_counts(
        items, reverse, nan_policy, "kr21", positive
    )
    mean, var_total = _total_moments(totals, n)
    return kr21_from_moments(names, mean, var_total, n, dropped, chosen)
