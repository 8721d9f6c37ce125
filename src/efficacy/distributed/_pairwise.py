"""Covariances and correlations of a dask DataFrame with R's ``use=`` rules.

One pass over the partitions: each is read as the in-memory item matrix reads its
data (bad cells found, not raised, see :mod:`efficacy.distributed._cells`) and
contributes the additive sums of :func:`~efficacy.coefficients.alpha_family.
_from_moments.partial_sums` around one common centre (cross-products, sums, squares
and counts over the rows each pair of items shares, and the same over complete rows).
The parts are added once and turned into the in-memory
:class:`~efficacy.coefficients._moments.Moments` with the formulas
:func:`~efficacy.coefficients._moments.moments` uses
(:func:`~efficacy.coefficients._moments.pairwise_from_sums`), so split-half, Guttman's
lambdas and omega equal their in-memory results to rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from efficacy.coefficients._moments import Moments, check_pairs, cov2cor, pairwise_from_sums
from efficacy.coefficients.alpha_family._from_moments import (
    _centre,
    _chunk_rows,
    add_sums,
    partial_sums,
)
from efficacy.distributed._cells import (
    Found,
    IndexInfo,
    index_info,
    raise_unreadable,
    read_numeric,
)
from efficacy.errors import DataError, require_flat_columns, require_unique_columns
from efficacy.io._numbers import numeric_cells

NAN_POLICIES = ("pairwise", "listwise")


@dataclass(frozen=True)
class DaskMoments:
    """The in-memory :class:`Moments` of a dask frame, with its item names and the SDs
    of each item over all its present values (whatever the missing-data rule)."""

    names: list[str]
    moments: Moments
    present_sd: np.ndarray


def _partition(
    part: pd.DataFrame, centre: np.ndarray, squares: bool
) -> tuple[Any, list[Found], IndexInfo]:
    x, problems = read_numeric(part)
    if problems or len(part) == 0:
        return None, problems, index_info(part)
    ones = np.ones(x.shape[1])
    return partial_sums(x, centre, ones, centre, squares), problems, index_info(part)


def item_names(items: Any, min_items: int) -> list[str]:
    """The item names of a dask frame, checked as the in-memory item matrix checks them."""
    if not hasattr(items, "columns") or not hasattr(items, "to_delayed"):
        raise DataError(f"items must be a dask DataFrame, got {type(items).__name__}")
    require_flat_columns(items._meta, "items")
    require_unique_columns(items._meta, "items")
    if len(items.columns) < min_items:
        raise DataError(f"need at least {min_items} items, got {len(items.columns)}")
    return [str(c) for c in items.columns]


def first_rows(items: Any, rows: int) -> np.ndarray:
    """The first ``rows`` rows as floats (cells that are not numbers as NaN; infinite
    ones stay, and give an item the centre 0)."""
    head = items.partitions[0].head(rows, compute=True) if items.npartitions else None
    if head is None or len(head) < rows:
        head = items.head(rows, npartitions=-1, compute=True)
    columns = [
        numeric_cells(head.iloc[:, j], blank_is_missing=False)[0] for j in range(head.shape[1])
    ]
    return np.column_stack(columns) if columns else np.empty((len(head), 0))


def dask_moments(items: Any, nan_policy: str, min_items: int = 2) -> DaskMoments:
    """:func:`~efficacy.coefficients._moments.moments` of a dask frame of items.

    Raises
    ------
    DataError
        As in memory: a frame with too few items or rows, cells that are not finite
        numbers (naming the column, global rows and values), pairs of items sharing
        fewer than 2 rows, fewer than 2 complete rows under listwise deletion.
    """
    import dask

    names = item_names(items, min_items)
    k = len(names)
    x_head = first_rows(items, _chunk_rows(k))
    centre = _centre(x_head, len(x_head)) if len(x_head) else np.zeros(k)
    task = dask.delayed(_partition, pure=True)
    squares = nan_policy == "pairwise"
    done = dask.compute(*[task(p, centre, squares) for p in items.to_delayed()])
    infos = [d[2] for d in done]
    n_obs = sum(info.length for info in infos)
    if n_obs < 2:
        raise DataError(f"need at least 2 respondents, got {n_obs}")
    raise_unreadable(items, names, [d[1] for d in done], infos)
    if nan_policy not in NAN_POLICIES:
        raise DataError(f"nan_policy must be 'pairwise' or 'listwise', got {nan_policy!r}")
    parts = [d[0] for d in done if d[0] is not None]
    total = parts[0]
    for part in parts[1:]:
        total = add_sums(total, part)
    return _moments(names, total[0], n_obs, centre, nan_policy)


def _moments(
    names: list[str], sums: Any, n_obs: int, centre: np.ndarray, policy: str
) -> DaskMoments:
    k = len(names)
    with np.errstate(invalid="ignore", divide="ignore"):
        n_item = np.diag(sums.mm)
        z_sum, z2_sum = np.diag(sums.zm), np.diag(sums.zz)
        item_mean = centre + z_sum / n_item
        item_sd = np.sqrt((z2_sum - z_sum**2 / n_item) / (n_item - 1))
    present_sd = item_sd
    gram, zsum, n_complete = sums.complete[:k, :k], sums.complete[:k, k], sums.complete[k, k]
    if policy == "listwise" or round(float(n_complete)) == n_obs:
        n = round(float(n_complete))
        if n < 2:
            raise DataError(f"need at least 2 complete rows for listwise deletion, got {n}")
        cov = (gram - np.outer(zsum, zsum) / n) / (n - 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            cor = cov2cor(cov)
        if policy == "listwise":
            item_mean = centre + zsum / n
            item_sd = np.sqrt(np.diag(cov))
        n_pairs = np.full((k, k), n, dtype=np.int64)
    else:
        n_pairs = np.rint(sums.mm).astype(np.int64)
        check_pairs(n_pairs)
        cov, cor = pairwise_from_sums(sums.zz, sums.zm, sums.z2m, n_pairs)
    mom = Moments(cov, cor, n_pairs, item_mean, item_sd, n_obs, policy)
    return DaskMoments(names, mom, present_sd)
