"""Item matrices and their sufficient statistics: the ground every reliability estimate
stands on.

:func:`item_matrix` turns a DataFrame or array of item responses into a validated float
matrix. :func:`moments` computes, in a few matrix products and without a loop over
respondents, the covariance and correlation matrices under listwise or pairwise
deletion with exactly R's semantics (``cov``/``cor(x, use="pairwise")``, n - 1
denominators, every pair on its own complete cases).

Examples
--------
>>> import numpy as np
>>> x = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, np.nan], [4.0, 5.0]])
>>> m = moments(x, nan_policy="pairwise")
>>> m.n_pairs.tolist()
[[4, 3], [3, 3]]
>>> round(float(m.cov[0, 1]), 6)  # rows 1, 2 and 4 only: 39/18
2.166667
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from efficacy.errors import (
    DataError,
    describe_cells,
    require_flat_columns,
    require_unique_columns,
)
from efficacy.io._numbers import numeric_cells

NanPolicy = Literal["pairwise", "listwise"]


@dataclass(frozen=True)
class ItemMatrix:
    """A validated items matrix: float values (NaN = missing), item names, row labels."""

    values: np.ndarray
    names: list[str]
    index: pd.Index

    @property
    def n_obs(self) -> int:
        """Number of rows, complete or not (R psych's N)."""
        return int(self.values.shape[0])

    @property
    def n_items(self) -> int:
        """Number of items (columns)."""
        return int(self.values.shape[1])


def item_matrix(items: pd.DataFrame | np.ndarray, *, min_items: int = 2) -> ItemMatrix:
    """Validate item responses and return them as a float matrix.

    Parameters
    ----------
    items
        DataFrame (columns are items) or 2-D array (items are named ``item1`` ...).
    min_items
        Fewest items allowed.

    Raises
    ------
    DataError
        Cells that are not numbers (naming column, rows and values): text other than
        a number spelled as :func:`efficacy.io._numbers.parse_number` accepts, booleans,
        complex numbers, dates and durations, containers; infinite cells; duplicate
        or MultiIndex columns; too few items or rows.

    Examples
    --------
    >>> import pandas as pd
    >>> item_matrix(pd.DataFrame({"a": [1, 2], "b": [2, None]})).values.tolist()
    [[1.0, 2.0], [2.0, nan]]
    """
    if isinstance(items, pd.DataFrame):
        frame = items
    else:
        array = np.asarray(items)
        if array.ndim != 2:
            raise DataError(f"items must be 2-D (respondents x items), got shape {array.shape}")
        frame = pd.DataFrame(array, columns=[f"item{j + 1}" for j in range(array.shape[1])])
    require_flat_columns(frame, "items")
    require_unique_columns(frame, "items")
    if frame.shape[1] < min_items:
        raise DataError(f"need at least {min_items} items, got {frame.shape[1]}")
    if frame.shape[0] < 2:
        raise DataError(f"need at least 2 respondents, got {frame.shape[0]}")
    columns = []
    for j, name in enumerate(frame.columns):
        column = frame.iloc[:, j]
        values, unreadable = numeric_cells(column, blank_is_missing=False)
        if unreadable.any():
            mask = pd.Series(unreadable, index=frame.index)
            raise DataError("items must be numeric; " + describe_cells(name, mask, column))
        infinite = np.isinf(values)
        if infinite.any():
            mask = pd.Series(infinite, index=frame.index)
            raise DataError("items must be finite; " + describe_cells(name, mask, column))
        columns.append(values)
    matrix = np.column_stack(columns) if columns else np.empty((frame.shape[0], 0))
    return ItemMatrix(matrix, [str(c) for c in frame.columns], frame.index)


@dataclass(frozen=True)
class Moments:
    """Covariance-type sufficient statistics of an item matrix.

    ``cov`` and ``cor`` follow R's ``cov(x, use=...)`` and ``cor(x, use=...)``;
    ``n_pairs[i, j]`` is the number of rows where items i and j are both present
    (its diagonal is each item's count); ``mean`` and ``sd`` are per-item over all
    present values (``na.rm=TRUE``); ``n_obs`` counts every row.
    """

    cov: np.ndarray
    cor: np.ndarray
    n_pairs: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    n_obs: int
    nan_policy: str


def cov2cor(cov: np.ndarray) -> np.ndarray:
    """Scale a covariance matrix to a correlation matrix (R's ``cov2cor``).

    Examples
    --------
    >>> cov2cor(np.array([[4.0, 2.0], [2.0, 9.0]])).round(4).tolist()
    [[1.0, 0.3333], [0.3333, 1.0]]
    """
    scale = 1.0 / np.sqrt(np.diag(cov))
    out = cov * scale[:, None] * scale[None, :]
    np.fill_diagonal(out, 1.0)
    return out


def moments(x: np.ndarray, nan_policy: NanPolicy = "pairwise") -> Moments:
    """Covariance and correlation matrices with R's missing-data semantics.

    Parameters
    ----------
    x
        N x k float matrix, NaN for missing.
    nan_policy
        ``"pairwise"``: each pair of items on the rows where both are present (R's
        ``use="pairwise"``). ``"listwise"``: complete rows only (``use="complete.obs"``).

    Raises
    ------
    DataError
        When some pair of items has fewer than 2 rows in common, or (listwise) fewer
        than 2 complete rows.
    """
    if nan_policy not in ("pairwise", "listwise"):
        raise DataError(f"nan_policy must be 'pairwise' or 'listwise', got {nan_policy!r}")
    n_obs = int(x.shape[0])
    present = ~np.isnan(x)
    item_mean = np.nanmean(x, axis=0) if present.any() else np.zeros(x.shape[1])
    item_sd = np.nanstd(x, axis=0, ddof=1)
    if nan_policy == "listwise" or present.all():
        rows = present.all(axis=1)
        complete = x if rows.all() else x[rows]
        n = int(complete.shape[0])
        if n < 2:
            raise DataError(f"need at least 2 complete rows for listwise deletion, got {n}")
        centred = complete - complete.mean(axis=0)
        cov = centred.T @ centred / (n - 1)
        n_pairs = np.full(cov.shape, n, dtype=np.int64)
        with np.errstate(invalid="ignore", divide="ignore"):
            cor = cov2cor(cov)
        if nan_policy == "listwise":
            item_mean = complete.mean(axis=0)
            item_sd = complete.std(axis=0, ddof=1)
        return Moments(cov, cor, n_pairs, item_mean, item_sd, n_obs, nan_policy)

    # Pairwise: sums over the rows where both i and j are present, by matrix products.
    # Centring on the item means first keeps the sums of squares well conditioned.
    mask = present.astype(float)
    centred = np.where(present, x - item_mean, 0.0)
    n_pairs = (mask.T @ mask).round().astype(np.int64)
    check_pairs(n_pairs)
    sum_i = centred.T @ mask  # [i, j]: sum of x_i over rows where j is present too
    cross = centred.T @ centred
    sq_i = (centred**2).T @ mask
    cov, cor = pairwise_from_sums(cross, sum_i, sq_i, n_pairs)
    return Moments(cov, cor, n_pairs, item_mean, item_sd, n_obs, nan_policy)


def check_pairs(n_pairs: np.ndarray) -> None:
    """Raise :class:`DataError` when some pair of items shares fewer than 2 rows."""
    if (n_pairs < 2).any():
        i, j = np.argwhere(n_pairs < 2)[0]
        raise DataError(
            f"items {i + 1} and {j + 1} have {n_pairs[i, j]} rows in common; "
            "pairwise statistics need at least 2"
        )


def pairwise_from_sums(
    cross: np.ndarray, sum_i: np.ndarray, sq_i: np.ndarray, n_pairs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """R's pairwise ``cov`` and ``cor`` from sums over the rows each pair shares.

    Parameters
    ----------
    cross
        ``[i, j]``: sum of ``z_i z_j`` over the rows where both items are present,
        ``z`` the items minus any fixed centre.
    sum_i, sq_i
        ``[i, j]``: sum of ``z_i`` and of ``z_i**2`` over the rows where j is present.
    n_pairs
        ``[i, j]``: the rows both items share (at least 2, see :func:`check_pairs`).

    Returns
    -------
    cov, cor
        The covariances, and the correlations with each pair's variances taken over
        its shared rows (unit diagonal). :func:`moments` and the dask form of the
        pairwise statistics (sums added over partitions) both end here.

    Examples
    --------
    >>> z = np.array([[1.0, 2.0], [2.0, 4.0], [4.0, 5.0]])
    >>> cov, cor = pairwise_from_sums(z.T @ z, z.T @ np.ones_like(z), (z**2).T @ np.ones_like(z),
    ...                               np.full((2, 2), 3))
    >>> round(float(cov[0, 1]), 6), round(float(cor[0, 1]), 6)
    (2.166667, 0.928571)
    """
    n = n_pairs.astype(float)
    cov = (cross - sum_i * sum_i.T / n) / (n - 1)
    var_i = (sq_i - sum_i**2 / n) / (n - 1)  # var of i over rows shared with j
    with np.errstate(invalid="ignore", divide="ignore"):
        cor = cov / np.sqrt(var_i * var_i.T)
    np.fill_diagonal(cor, 1.0)
    return cov, cor


#: R psych's ``Pinv`` tolerance: singular values above ``sqrt(eps) * d1`` are kept.
PINV_TOL = float(np.sqrt(np.finfo(float).eps))


def smc(r: np.ndarray, *, covar: bool = False) -> np.ndarray:
    """Squared multiple correlation of each item on the others, as R psych's ``smc``.

    ``1 - 1 / diag(Pinv(R))`` with psych's SVD pseudo-inverse (singular values above
    ``sqrt(eps) * d1`` kept), clipped to [0, 1]; NaN for a matrix with a non-finite
    entry. ``r`` may be a stack of matrices (``... x p x p``). With ``covar=True``
    the input is a covariance matrix: it is scaled to correlations first and the
    result multiplied by the item variances (psych's ``smc(C, covar=TRUE)``).

    Examples
    --------
    >>> smc(np.array([[1.0, 0.6], [0.6, 1.0]])).round(4).tolist()
    [0.36, 0.36]
    >>> smc(np.array([[4.0, 1.2], [1.2, 1.0]]), covar=True).round(4).tolist()
    [1.44, 0.36]
    """
    if covar:
        return smc(cov2cor(r)) * np.diagonal(r, axis1=-2, axis2=-1)
    finite = np.isfinite(r).all(axis=(-2, -1))
    if not finite.all():  # overflowed or undefined correlations: no SMC, as no inverse
        out = np.full(r.shape[:-1], np.nan)
        if finite.any():
            out[finite] = smc(r[finite])
        return out
    u, d, vh = np.linalg.svd(r)
    keep = d > np.maximum(PINV_TOL * d[..., :1], 0.0)
    inv_d = np.where(keep, 1.0 / np.where(keep, d, 1.0), 0.0)
    # diag(V diag(1/d) U') without forming the inverse
    diag = np.einsum("...sa,...s,...as->...a", vh, inv_d, u)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = 1.0 - 1.0 / diag
    return np.clip(out, 0.0, 1.0)
