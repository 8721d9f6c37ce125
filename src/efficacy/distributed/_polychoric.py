"""Polychoric correlations and ordinal alpha of a dask DataFrame, from summed tables.

The polychoric estimation reads nothing but each pair's two-way table of category
counts and each item's margin. Each partition counts its own tables over its own
range of codes (:func:`~efficacy.coefficients.ordinal._stack.pair_counts`) in one
pass that also finds bad cells; the counts are placed in the frame's common range of
codes and added (integers: exactly), and the in-memory code fits them
(:func:`~efficacy.coefficients.ordinal._polychoric.polychoric_from_tables`). The
result is the in-memory one exactly, with the same warnings and errors.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from efficacy.coefficients.ordinal._brent import R_OPTIMIZE_TOL
from efficacy.coefficients.ordinal._polychoric import (
    PolychoricResult,
    polychoric_from_tables,
    require_variation,
)
from efficacy.coefficients.ordinal._polychoric import ordinal_alpha as _ordinal_alpha
from efficacy.coefficients.ordinal._stack import pair_counts
from efficacy.distributed._cells import (
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

#: ``stacklevel`` of the warnings, from :func:`dask_polychoric` to the user's call
#: (this module's public function, ``on_dask``, the public function, the user).
_TO_USER = 5


def _partition(part: pd.DataFrame, max_categories: int) -> dict[str, Any]:
    x, problems = read_numeric(part)
    out: dict[str, Any] = {"problems": problems, "info": index_info(part), "tables": None}
    if problems:
        return out
    present = ~np.isnan(x)
    with np.errstate(invalid="ignore"):
        fraction = present & (np.floor(x) != x)
    out["non_integer"] = [
        found(j, "integer", fraction[:, j], part.index, x[:, j])
        for j in np.flatnonzero(fraction.any(axis=0))
    ]
    out["lo"] = np.where(present, x, np.inf).min(axis=0) if len(x) else np.full(x.shape[1], np.inf)
    out["hi"] = np.where(present, x, -np.inf).max(axis=0) if len(x) else -out["lo"]
    if out["non_integer"] or not present.any():
        return out
    low = int(out["lo"][np.isfinite(out["lo"])].min())
    n_cat = int(out["hi"][np.isfinite(out["hi"])].max()) - low + 1
    if n_cat <= max_categories:
        codes = np.where(present, x - low, -1).astype(np.int64)
        tables, margins = pair_counts(codes, n_cat)
        out["tables"] = (low, tables[0], margins[0])
    return out


def _raise_cells(items: Any, names: list[str], done: list[dict[str, Any]]) -> list[IndexInfo]:
    infos = [d["info"] for d in done]
    n_obs = sum(info.length for info in infos)
    if n_obs < 2:
        raise DataError(f"need at least 2 respondents, got {n_obs}")
    raise_unreadable(items, names, [d["problems"] for d in done], infos)
    grouped = by_column([d["non_integer"] for d in done], infos)
    if grouped:
        j = min(column for column, _ in grouped)
        raise DataError(
            "polychoric correlations need integer category codes; "
            + describe(names[j], grouped[j, "integer"], labels_unique(items, infos))
        )
    return infos


def dask_polychoric(
    items: Any,
    *,
    correct: float = 0.5,
    global_thresholds: bool = True,
    smooth: bool = True,
    max_categories: int = 8,
    tol: float = R_OPTIMIZE_TOL,
    stacklevel: int = 3,
) -> PolychoricResult:
    """:func:`efficacy.polychoric` of a dask frame (``stacklevel`` as for a
    ``warnings.warn`` called here)."""
    import dask

    names = item_names(items, 2)
    task = dask.delayed(_partition, pure=True)
    done = list(dask.compute(*[task(p, max_categories) for p in items.to_delayed()]))
    infos = _raise_cells(items, names, done)
    lo = np.min([d["lo"] for d in done], axis=0)
    hi = np.max([d["hi"] for d in done], axis=0)
    require_variation(names, lo, hi)
    low = int(lo.min())
    n_cat = int(hi.max()) - low + 1
    if n_cat > max_categories:
        raise DataError(
            f"items span {n_cat} categories (codes {low} to {low + n_cat - 1}); "
            f"polychoric correlations allow at most max_categories={max_categories}"
        )
    k = len(names)
    tables = np.zeros((k * (k - 1) // 2, n_cat, n_cat))
    margins = np.zeros((k, n_cat))
    for part in done:
        if part["tables"] is None:
            continue
        start, table, margin = part["tables"]
        at = slice(start - low, start - low + table.shape[-1])
        tables[:, at, at] += table
        margins[:, at] += margin
    return polychoric_from_tables(
        names,
        tables[None],
        margins[None],
        low,
        sum(info.length for info in infos),
        correct=correct,
        global_thresholds=global_thresholds,
        smooth=smooth,
        tol=tol,
        stacklevel=stacklevel + 1,
    )


def polychoric(
    items: Any,
    *,
    correct: float = 0.5,
    global_thresholds: bool = True,
    smooth: bool = True,
    max_categories: int = 8,
    tol: float = R_OPTIMIZE_TOL,
) -> PolychoricResult:
    """:func:`efficacy.polychoric` of a dask DataFrame: the in-memory result exactly."""
    return dask_polychoric(
        items,
        correct=correct,
        global_thresholds=global_thresholds,
        smooth=smooth,
        max_categories=max_categories,
        tol=tol,
        stacklevel=_TO_USER,
    )


def ordinal_alpha(items: Any, *, reverse: Iterable[str] = (), correct: float = 0.5) -> float:
    """:func:`efficacy.ordinal_alpha` of a dask DataFrame (its polychoric matrix as above)."""
    result = dask_polychoric(items, correct=correct, stacklevel=_TO_USER)
    return _ordinal_alpha(result, reverse=reverse, correct=correct)
