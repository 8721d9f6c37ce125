"""Coefficient alpha of a dask DataFrame from per-partition sufficient statistics.

Each partition contributes the sums of :func:`alpha_moments` (cross-products, sums,
counts of shared rows, the row-mean total's sums and the counts of each integer
code) around one common centre; the parts are added once and turned into the same
:class:`AlphaMoments` the in-memory path computes, from which
:func:`alpha_from_moments` makes the result. No partition is ever brought back whole.

The bootstrap intervals resample rows: one more pass gathers the answer patterns
(:mod:`efficacy.distributed._patterns`), from which the in-memory bootstrap draws the
same resamples for the same seed; the driver then holds the distinct patterns and
4 bytes per row.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from efficacy.coefficients.alpha_family._alpha import AlphaResult, alpha_from_moments
from efficacy.coefficients.alpha_family._alpha_checks import (
    check_finite,
    check_options,
    check_range,
    check_variance,
    read_items,
    reverse_positions,
)
from efficacy.coefficients.alpha_family._frequencies import frequencies_from_value_counts
from efficacy.coefficients.alpha_family._from_moments import (
    _centre,
    _chunk_rows,
    add_sums,
    moments_from_sums,
    partial_sums,
)
from efficacy.distributed._patterns import dask_patterns
from efficacy.distributed._polychoric import ordinal_alpha
from efficacy.errors import DataError


def _partition(
    part: pd.DataFrame,
    centre: np.ndarray,
    sign: np.ndarray,
    reflected_centre: np.ndarray,
    squares: bool,
    bounds: tuple[float, float] | None,
) -> tuple[Any, np.ndarray, np.ndarray]:
    """The partition's sums, after the in-memory checks of its cells."""
    k = len(part.columns)
    if len(part) == 0:
        x = np.empty((0, k))
    else:
        x, names, index = _read(part)
        low, high = np.fmin.reduce(x, axis=0), np.fmax.reduce(x, axis=0)
        if np.isinf(low).any() or np.isinf(high).any():
            check_finite(x, names, index)
        if bounds is not None:
            check_range(x, names, index, low, high, *bounds)
    low = np.fmin.reduce(x, axis=0) if len(x) else np.full(k, np.nan)
    high = np.fmax.reduce(x, axis=0) if len(x) else np.full(k, np.nan)
    return partial_sums(x, centre, sign, reflected_centre, squares), low, high


def _read(part: pd.DataFrame) -> tuple[np.ndarray, list[str], pd.Index]:
    """The partition's cells checked as :func:`alpha` checks them (any number of rows)."""
    if len(part) >= 2:
        return read_items(part)
    blank = pd.DataFrame(np.nan, index=pd.Index([object()]), columns=part.columns)
    x, names, _ = read_items(pd.concat([part, blank]))  # one row: the check needs two
    return x[: len(part)], names, part.index


def _value_counts(part: pd.DataFrame) -> list[dict[float, int]]:
    """Each item's raw answers in the partition (read as :func:`alpha` reads them): value
    -> count, missing cells left out."""
    values = _read(part)[0]
    out = []
    for j in range(values.shape[1]):
        column = values[:, j]
        found, count = np.unique(column[~np.isnan(column)], return_counts=True)
        out.append(dict(zip(found.tolist(), count.tolist(), strict=True)))
    return out


def _reduce(parts: Sequence[Any]) -> Any:
    total = parts[0]
    for part in parts[1:]:
        total = add_sums(total, part)
    return total


def alpha(
    items: Any,
    reverse: Sequence[Any] | str | int = (),
    *,
    min: float | None = None,
    max: float | None = None,
    nan_policy: str = "pairwise",
    ci: str = "feldt",
    level: float = 0.95,
    n_boot: int = 1000,
    seed: Any = None,
    psych_version: str = "2.2.9",
    warn_negative: bool = True,
    ordinal: bool = False,
) -> AlphaResult:
    """:func:`efficacy.alpha` of a dask DataFrame of item responses.

    The same numbers as in memory (to rounding, about 1e-12), from one pass over the
    partitions (two when ``reverse`` is given without ``min``/``max``: the observed
    range comes first; ordinal alpha adds one for the polychoric tables). The
    bootstrap intervals (``ci="bootstrap"`` or ``"bca"``) take one more pass, which
    gathers the distinct answer patterns and the pattern of every row
    (:mod:`efficacy.distributed._patterns`); the same seed then draws the same
    resamples as in memory, and the BCa jackknife works on the patterns as in memory.
    The driver then holds the distinct patterns and 4 bytes per row.
    """
    import dask

    check_options(nan_policy, ci, psych_version, level, n_boot, min, max)
    if not hasattr(items, "columns"):
        raise DataError(f"items must be a dask DataFrame, got {type(items).__name__}")
    names = [str(c) for c in items.columns]
    if len(names) < 2:
        raise DataError(f"need at least 2 items, got {len(names)}")
    if len(set(names)) < len(names):
        raise DataError(
            f"items has duplicate columns: {sorted({n for n in names if names.count(n) > 1})}"
        )
    flipped = reverse_positions(reverse, list(items.columns), names)
    k = len(names)
    sign = np.ones(k)
    sign[flipped] = -1.0
    parts = items.to_delayed()
    head = items.partitions[0].head(_chunk_rows(k), compute=True) if parts else None
    if head is None or head.empty:
        head = items.head(_chunk_rows(k), npartitions=-1, compute=True)
    centre = _centre(_read(head)[0], len(head)) if len(head) else np.zeros(k)
    if min is not None:
        reflect_value = float(min) + float(max)  # type: ignore[arg-type]
    elif flipped:  # psych: the observed range over all items
        low, high = dask.compute(items.min().min(), items.max().max())
        reflect_value = float(high) + float(low)
    else:
        reflect_value = 0.0
    reflect = np.full(k, reflect_value)
    reflected_centre = np.where(sign < 0, reflect - centre, centre)
    bounds = None if min is None else (float(min), float(max))  # type: ignore[arg-type]
    squares = psych_version == "2.5" and nan_policy != "listwise"
    task = dask.delayed(_partition, pure=True)
    done = dask.compute(*[task(p, centre, sign, reflected_centre, squares, bounds) for p in parts])
    sums, counter, n_obs = _reduce([d[0] for d in done])
    if n_obs < 2:
        raise DataError(f"need at least 2 respondents, got {n_obs}")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        mom = moments_from_sums(sums, counter, n_obs, centre, sign, reflected_centre, nan_policy)
    if mom.codes is not None:
        col_min, col_max = mom.codes.column_range()
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            col_min = np.fmin.reduce(np.vstack([d[1] for d in done]), axis=0)
            col_max = np.fmax.reduce(np.vstack([d[2] for d in done]), axis=0)
    check_variance(names, mom, col_min, col_max, nan_policy == "listwise")
    # with integer codes the table comes from the moments' code counts; otherwise from
    # each item's answer counts, summed over the partitions (one more pass)
    freq = None
    if mom.codes is None:
        parts_counts = dask.compute(*[dask.delayed(_value_counts)(p) for p in parts])
        counts = [dict(sum((Counter(pc[j]) for pc in parts_counts), Counter())) for j in range(k)]
        freq = frequencies_from_value_counts(counts, names, n_obs)
    patterns = dask_patterns(items) if ci in ("bootstrap", "bca") else None
    result = alpha_from_moments(
        mom,
        names,
        flipped,
        ci=ci,
        level=level,
        nan_policy=nan_policy,
        psych_version=psych_version,
        warn_negative=warn_negative,
        response_freq=freq,
        n_boot=n_boot,
        seed=seed,
        patterns=patterns,
        keying=(sign, reflect),
    )
    if not ordinal:
        return result
    value = ordinal_alpha(items, reverse=[names[j] for j in flipped])
    return dataclasses.replace(result, ordinal_alpha=value)
