"""Norm tables and standard scores of a dask DataFrame of scores.

:func:`build_norms` needs, per group, only the count of each distinct score: each
partition counts its own, the counts are added once, and n, mean, SD and the
mid-rank percentile ranks follow from them. :func:`standardize` is row-wise against
a fixed norm table: each partition is standardized by the in-memory code, lazily.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from efficacy.errors import DataError, short_list
from efficacy.instrument._model import Source
from efficacy.instrument._norm_yaml import NormTable
from efficacy.norms import _build
from efficacy.norms._input import (
    Scores,
    check_identifier,
    instrument_of,
    norm_table,
    scores_of,
)
from efficacy.norms._standardize import standardize as standardize_frame
from efficacy.validation._norm_guard import NormInvarianceWarning, warn_norm_invariance


def _counts(part: pd.DataFrame, column: Any, keys: list[str]) -> tuple[pd.Series, list, list]:
    values = scores_of(part, column).values
    unscored = values.isna()
    no_group = part[keys].isna().any(axis=1) & ~unscored if keys else unscored & False
    table = pd.DataFrame({k: part[k] for k in keys} | {"__score__": values})[~unscored]
    counts = table.groupby([*keys, "__score__"], dropna=False, sort=False).size()
    return counts, list(part.index[unscored]), list(part.index[no_group])


def _group(where: dict[str, Any], counts: pd.Series, percentiles: bool, label: str) -> Any:
    by_score = counts.groupby(level=-1).sum().sort_index()
    distinct = by_score.index.to_numpy(dtype=float)
    n_at = by_score.to_numpy(dtype=np.int64)
    n = int(n_at.sum())
    mean = float((distinct * n_at).sum() / n) if n else float("nan")
    sd = float(np.sqrt((n_at * (distinct - mean) ** 2).sum() / (n - 1))) if n > 1 else None
    return _build.group_from_counts(where, distinct, n_at, mean, sd, percentiles, label)


def build_norms(
    scores: Any,
    *,
    by: Any = None,
    scale: Any = None,
    instrument: Any = None,
    id: str = "local",
    kind: str = "reference_data",
    population: str = "local sample",
    source_ref: str = "local_data",
    provenance: str = "C",
    metric: str | None = None,
    note: str | None = None,
    percentiles: bool = True,
    overall: bool = True,
) -> NormTable:
    """:func:`efficacy.build_norms` of a dask DataFrame of scores, from score counts.

    ``by`` names columns of ``scores`` (covariates in a separate frame would have
    to be aligned by index across partitions: join them first). A dask frame carries
    no scoring provenance, so the metric comes from ``metric=`` or the instrument.
    """
    import dask
    import dask.dataframe as dd

    if isinstance(scores, dd.Series):
        scores = scores.to_frame()
    _build._check_table_options(id, source_ref, kind, provenance)
    if by is not None and not isinstance(by, str | list | tuple):
        raise DataError("by= on a dask DataFrame names columns of the scores; join covariates")
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    meta = scores._meta
    missing = [k for k in keys if k not in meta.columns]
    if missing:
        raise DataError(f"scores lack the by= columns {missing}; they have {list(meta.columns)}")
    for key in keys:
        check_identifier(key, f"covariate name {key!r}")
    inst = instrument_of(instrument)
    default = inst.scales[0].id if inst is not None else None
    column = _build._score_column(meta, scale, default, by)
    if column is None:
        column = default
    if column is None:
        rest = [c for c in meta.columns if c not in keys and not str(c).endswith("_n_valid")]
        if len(rest) != 1:
            raise DataError(f"scores have several columns {rest}: pass scale=")
        column = rest[0]
    if column not in meta.columns:
        raise DataError(f"scores lack the column {column!r}; they have {list(meta.columns)}")
    scale_id = str(scale if scale is not None else (default or column))
    check_identifier(scale_id, "the scale id")
    task = dask.delayed(_counts, pure=True)
    parts = dask.compute(*[task(p, column, keys) for p in scores.to_delayed()])
    counts = pd.concat([p[0] for p in parts])
    counts = counts.groupby(level=list(range(counts.index.nlevels)), dropna=False).sum()
    distinct = pd.Series(counts.index.get_level_values(-1).unique().to_numpy(dtype=float))
    data = Scores(distinct, column, None)
    metric = _build._table_metric(
        metric, data, inst, scale_id, kind, population, source_ref, provenance
    )
    unscored = [row for p in parts for row in p[1]]
    if unscored:
        warnings.warn(
            f"{len(unscored)} respondents without a score are left out of the norms "
            f"(rows {short_list(unscored)})",
            UserWarning,
            stacklevel=4,
        )
    groups = []
    if not keys or overall:
        groups.append(_group({}, counts, percentiles, "all"))
    if keys:
        no_group = [row for p in parts for row in p[2]]
        if no_group:
            warnings.warn(
                f"{len(no_group)} respondents with a missing {keys} belong to no group "
                f"(rows {short_list(no_group)})",
                UserWarning,
                stacklevel=4,
            )
        grouped = counts.groupby(level=list(range(len(keys))), dropna=True, sort=True)
        for key, members in grouped:
            key = key if isinstance(key, tuple) else (key,)
            where = {k: _build._plain_value(v) for k, v in zip(keys, key, strict=True)}
            label = ", ".join(f"{k}={v}" for k, v in where.items())
            groups.append(_group(where, members, percentiles, label))
    if percentiles:
        note = f"{note} {_build.MIDRANK_NOTE}" if note else _build.MIDRANK_NOTE
    return NormTable(
        id=id,
        scale=scale_id,
        kind=kind,  # type: ignore[arg-type]
        population=population,
        source=Source(source_ref, provenance),  # type: ignore[arg-type]
        groups=tuple(groups),
        group_by=tuple(keys),
        metric=metric,  # type: ignore[arg-type]
        note=note,
    )


def _standardize_part(part: pd.DataFrame, meta: pd.DataFrame, **options: Any) -> pd.DataFrame:
    if len(part) == 0:
        return meta
    with warnings.catch_warnings():
        # said once by standardize() itself, not once per partition
        warnings.simplefilter("ignore", NormInvarianceWarning)
        out = standardize_frame(part, **options)
    out.attrs = {}
    return out


def standardize(
    scores: Any,
    instrument: Any,
    norm: Any,
    *,
    group: Any = None,
    group_data: Any = None,
    scale: Any = None,
    reliability: Any = None,
    level: float = 0.95,
    on_missing_group: str = "raise",
) -> Any:
    """:func:`efficacy.standardize` of a dask DataFrame of scores: a lazy dask frame.

    Row-wise against a fixed norm table, so each partition is standardized by the
    in-memory code (respondents without a norm group raise when their partition is
    computed, naming their row labels). ``group`` names columns of ``scores``;
    ``group_data`` (a separate frame) is refused: join it first.
    """
    if group_data is not None:
        raise DataError("group_data= is not available for a dask DataFrame; join it first")
    options = {"instrument": instrument, "norm": norm, "group": group, "scale": scale}
    options.update(reliability=reliability, level=level, on_missing_group=on_missing_group)
    probe = scores.head(1, npartitions=-1, compute=True)
    if probe.empty:
        raise DataError("scores have no rows")
    inst = instrument_of(instrument)
    assert inst is not None
    warn_norm_invariance(inst, norm_table(inst, norm), stacklevel=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        meta = standardize_frame(probe, **(options | {"on_missing_group": "nan"})).iloc[:0]
    meta.attrs = {}
    return scores.map_partitions(
        _standardize_part, meta, **options, meta=meta, align_dataframes=False
    )
