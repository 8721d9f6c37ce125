"""The checks alpha makes before it computes: workspace size, options, item matrix, keys,
range and variance."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from efficacy.coefficients._moments import item_matrix
from efficacy.coefficients.alpha_family._from_moments import AlphaMoments
from efficacy.errors import (
    DataError,
    describe_cells,
    require_flat_columns,
    require_unique_columns,
)

CI_METHODS = ("feldt", "feldt_psych", "duhachek", "bootstrap", "bca")
PSYCH_VERSIONS = ("2.2.9", "2.5")


#: Largest working memory :func:`alpha` allocates, in bytes (2 GiB: about 440 items).
MAX_WORKSPACE_BYTES = 2**31


def workspace_bytes(n_obs: int, n_items: int) -> int:
    """Bytes :func:`alpha` allocates at its peak for ``n_obs`` rows and ``n_items`` items.

    The statistics with each item dropped hold three ``k x (k - 1) x (k - 1)`` float
    arrays (the correlation matrices without each item, and their decomposition);
    the rest is a few copies of the ``N x k`` data and ``k x k`` matrices.

    Examples
    --------
    >>> workspace_bytes(300, 10)
    121840
    """
    k = int(n_items)
    return 8 * (3 * k * (k - 1) ** 2 + 4 * int(n_obs) * k + 8 * k * k)


def check_size(n_obs: int, n_items: int) -> None:
    needed = workspace_bytes(n_obs, n_items)
    if needed > MAX_WORKSPACE_BYTES:
        largest = 3
        while workspace_bytes(n_obs, largest + 1) <= MAX_WORKSPACE_BYTES:
            largest += 1
        raise DataError(
            f"alpha of {n_items} items would allocate about {size_text(needed)} (psych's "
            f"item-dropped statistics hold 3 arrays of {n_items} x {n_items - 1} x "
            f"{n_items - 1} floats); the limit is {size_text(MAX_WORKSPACE_BYTES)}, about "
            f"{largest} items with {n_obs} rows. Analyse the scales one at a time"
        )


def size_text(n_bytes: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if n_bytes < 1000 or unit == "TB":
            return f"{n_bytes:.0f} {unit}" if unit == "bytes" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1000
    raise AssertionError  # pragma: no cover


def read_items(items: pd.DataFrame | np.ndarray) -> tuple[np.ndarray, list[str], pd.Index]:
    """Float matrix (a view where possible, never written to), item names, row labels."""
    if isinstance(items, pd.DataFrame):
        require_flat_columns(items, "items")
        require_unique_columns(items, "items")
        plain = all(isinstance(d, np.dtype) and d.kind in "fiu" for d in items.dtypes)
        if plain and items.shape[0] >= 2 and items.shape[1] >= 2:
            values = items.to_numpy(dtype=float, copy=False)
            return values, [str(c) for c in items.columns], items.index
    else:
        array = np.asarray(items)
        if array.ndim == 2 and array.dtype.kind in "fiu" and min(array.shape) >= 2:
            names = [f"item{j + 1}" for j in range(array.shape[1])]
            return array.astype(float, copy=False), names, pd.RangeIndex(array.shape[0])
    checked = item_matrix(items)
    return checked.values, checked.names, checked.index


def reverse_positions(
    reverse: Sequence[Any] | str | int, columns: Sequence[Any], names: list[str]
) -> list[int]:
    wanted = [reverse] if isinstance(reverse, str | int | np.integer) else list(reverse)
    positions: list[int] = []
    unknown = []
    for key in wanted:
        if key in list(columns):
            positions.append(list(columns).index(key))
        elif isinstance(key, str) and key in names:
            positions.append(names.index(key))
        elif isinstance(key, int | np.integer) and not isinstance(key, bool):
            if not -len(names) <= key < len(names):
                unknown.append(key)
            else:
                positions.append(int(key) % len(names))
        else:
            unknown.append(key)
    if unknown:
        raise DataError(f"reverse names unknown items {unknown!r}; the items are {names!r}")
    if len(set(positions)) != len(positions):
        twice = sorted({names[p] for p in positions if positions.count(p) > 1})
        raise DataError(f"reverse lists items more than once: {twice!r}")
    return positions


def check_range(
    x: np.ndarray,
    names: list[str],
    index: pd.Index,
    col_min: np.ndarray,
    col_max: np.ndarray,
    low: float,
    high: float,
) -> None:
    bad_cols = np.flatnonzero((col_min < low) | (col_max > high))
    if bad_cols.size:
        parts = []
        for j in bad_cols:
            column = pd.Series(x[:, j], index=index)
            parts.append(describe_cells(names[j], (column < low) | (column > high), column))
        raise DataError(
            f"responses outside the declared range {low:g}..{high:g}: " + "; ".join(parts)
        )


def check_finite(x: np.ndarray, names: list[str], index: pd.Index) -> None:
    parts = []
    for j in range(x.shape[1]):
        infinite = np.isinf(x[:, j])
        if infinite.any():
            column = pd.Series(x[:, j], index=index)
            parts.append(describe_cells(names[j], pd.Series(infinite, index=index), column))
    if parts:
        raise DataError("items must be finite; " + "; ".join(parts))


def check_variance(
    names: list[str], mom: AlphaMoments, col_min: np.ndarray, col_max: np.ndarray, listwise: bool
) -> None:
    for j in range(len(names)):
        if mom.item_n[j] < 2:
            raise DataError(
                f"item {names[j]!r} has {mom.item_n[j]} answered rows; alpha needs at least 2"
            )
        if col_min[j] == col_max[j]:
            raise DataError(
                f"item {names[j]!r} has zero variance: all {mom.item_n[j]} answered rows "
                f"are {col_min[j]:g}; a constant item carries no information, drop it"
            )
    if listwise and not mom.complete and mom.n_pairs[0, 0] < 2:
        raise DataError(
            f"listwise deletion leaves {mom.n_pairs[0, 0]} complete rows of {mom.n_obs}; "
            "alpha needs at least 2 (use nan_policy='pairwise')"
        )
    if (mom.n_pairs < 2).any():
        i, j = np.argwhere(mom.n_pairs < 2)[0]
        raise DataError(
            f"items {names[i]!r} and {names[j]!r} share {mom.n_pairs[i, j]} rows; "
            "their covariance needs at least 2"
        )
    bad = np.flatnonzero(~(np.diag(mom.cov) > 0))
    if bad.size:
        raise DataError(
            f"item {names[bad[0]]!r} does not vary over the {mom.n_pairs[bad[0], bad[0]]} "
            "complete rows used for listwise deletion"
        )


def is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def check_options(
    nan_policy: Any,
    ci: Any,
    psych_version: Any,
    level: Any,
    n_boot: Any,
    low: Any,
    high: Any,
) -> None:
    """Raise :class:`DataError` (also a ``ValueError``) naming a bad option of :func:`alpha`."""
    if not isinstance(nan_policy, str) or nan_policy not in ("pairwise", "listwise"):
        raise DataError(f"nan_policy must be 'pairwise' or 'listwise', got {nan_policy!r}")
    if not isinstance(ci, str) or ci not in CI_METHODS:
        raise DataError(f"ci must be one of {CI_METHODS}, got {ci!r}")
    if not isinstance(psych_version, str) or psych_version not in PSYCH_VERSIONS:
        raise DataError(f"psych_version must be one of {PSYCH_VERSIONS}, got {psych_version!r}")
    if not is_real(level) or not 0 < level < 1:
        raise DataError(f"level must be between 0 and 1, got {level!r}")
    if ci in ("bootstrap", "bca") and (
        not is_real(n_boot) or not np.isfinite(n_boot) or int(n_boot) != n_boot or n_boot < 2
    ):
        raise DataError(f"n_boot must be an integer of at least 2, got {n_boot!r}")
    if (low is None) != (high is None):
        raise DataError("give both min and max (the declared response range) or neither")
    if low is not None:
        if not (is_real(low) and is_real(high) and np.isfinite(low) and np.isfinite(high)):
            raise DataError(f"min and max must be finite numbers, got min={low!r}, max={high!r}")
        if not low < high:
            raise DataError(f"min must be below max, got min={low!r}, max={high!r}")
