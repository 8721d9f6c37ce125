"""``cfa`` with ML or MLR of a dask DataFrame: the sample moments from per-partition sums.

ML with listwise deletion needs only each group's number of complete rows, item
means and covariance matrix (divisor N). Each partition contributes, per group, the
count, sums and cross-products of its complete rows around one common centre, and
the item minima and maxima (the no-variance check); the parts are added once and
the in-memory ML fit runs on the combined moments. MLR also needs the case-wise
moments of :mod:`efficacy.validation._casewise` (up to the fourth order): a second
pass sums them around each group's mean from the first, exactly as in memory.
WLSMV (polychoric correlations and their weight matrix from the rows) and FIML (the
rows by missing-data pattern) are refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from efficacy.errors import DataError, require_columns, short_list
from efficacy.instrument import Instrument
from efficacy.validation._casewise import CaseMoments, moment_sums
from efficacy.validation._cfa import _estimator, fit_prepared
from efficacy.validation._cfa_result import CFAResult
from efficacy.validation._data import (
    Prepared,
    check_residual_covariances,
    model_items,
    resolve_model,
)
from efficacy.validation._ml import GroupData
from efficacy.validation._warnings import ModelError


def _split(part: pd.DataFrame, items: list[str], group: str | None):
    """The partition's item values, group labels and complete-row mask."""
    values = part[items].to_numpy(dtype=float)
    labels = part[group] if group is not None else pd.Series("all", index=part.index)
    complete = ~np.isnan(values).any(axis=1)
    return values, labels, complete


def _group_rows(values: np.ndarray, labels: pd.Series, complete: np.ndarray, label: Any):
    return values[labels.eq(label).fillna(False).to_numpy(dtype=bool) & complete]


def _partition(part: pd.DataFrame, items: list[str], group: str | None, centre: np.ndarray) -> dict:
    """Per group label: complete rows, sums and cross-products around ``centre``, min, max."""
    values, labels, complete = _split(part, items, group)
    out: dict[Any, Any] = {"_rows": len(part), "_dropped": int((~complete).sum())}
    out["_na"] = list(part.index[labels.isna().to_numpy()])
    out["groups"] = {}
    for label in pd.unique(labels.dropna()):
        rows = _group_rows(values, labels, complete, label) - centre
        low = rows.min(axis=0) if len(rows) else np.full(len(items), np.inf)
        high = rows.max(axis=0) if len(rows) else np.full(len(items), -np.inf)
        out["groups"][label] = (len(rows), rows.sum(axis=0), rows.T @ rows, low, high)
    return out


def _partition_moments(
    part: pd.DataFrame, items: list[str], group: str | None, means: dict[Any, np.ndarray]
) -> dict:
    """Per group label: :func:`moment_sums` of the complete rows less the group's mean."""
    values, labels, complete = _split(part, items, group)
    out = {}
    for label in pd.unique(labels.dropna()):
        rows = _group_rows(values, labels, complete, label)
        if len(rows):
            out[label] = moment_sums(rows - means[label])
    return out


def _case_moments(frame: Any, items: list[str], group: str | None, means: dict) -> dict:
    """Each group's :class:`CaseMoments` around its mean: a second pass over the rows."""
    import dask

    task = dask.delayed(_partition_moments, pure=True)
    parts = dask.compute(*[task(p, items, group, means) for p in frame.to_delayed()])
    out = {}
    for label, mean in means.items():
        pieces = [part[label] for part in parts if label in part]
        sums = [sum(piece[k] for piece in pieces) for k in range(5)]
        out[label] = CaseMoments.from_sums(mean, *sums)
    return out


def cfa(
    data: Any,
    instrument: str | Instrument | None = None,
    *,
    model: Mapping[str, Sequence[str]] | None = None,
    estimator: str = "ML",
    std_lv: bool = False,
    group: str | None = None,
    group_equal: Sequence[str] = (),
    group_partial: Sequence[str] = (),
    meanstructure: bool | None = None,
    missing: str = "listwise",
    max_iter: int = 500,
    on_invalid: str = "raise",
    residual_covariances: Sequence[tuple[str, str]] = (),
) -> CFAResult:
    """:func:`efficacy.cfa` (ML or MLR, listwise) of a dask DataFrame: the same :class:`CFAResult`.

    One pass over the partitions gathers each group's complete-row count, sums and
    cross-products (plus one for invalid cells when an instrument codes the items);
    the fit is the in-memory one on those moments (fit measures and parameters equal
    to about 1e-10). With ``estimator="MLR"`` a second pass sums the case-wise
    moments up to the fourth order around each group's mean (for 10 items a 55 x 55
    matrix per group), from which the sandwich standard errors and the Yuan-Bentler
    scaled test follow exactly as in memory.

    Examples
    --------
    >>> import dask.dataframe as dd, numpy as np, pandas as pd
    >>> import efficacy as ef
    >>> rng = np.random.default_rng(3)
    >>> x = rng.normal(size=(300, 1)) + rng.normal(size=(300, 4))
    >>> items = pd.DataFrame(x, columns=["a", "b", "c", "d"])
    >>> fit = ef.cfa(dd.from_pandas(items, npartitions=3), model={"F": ["a", "b", "c", "d"]})
    >>> int(fit.fit_measures["df"]), fit.n_obs
    (2, 300)
    """
    import dask

    estimator = _estimator(estimator)
    if estimator not in ("ML", "MLR"):
        raise DataError(
            f"estimator={estimator!r} needs case-wise statistics (polychoric correlations "
            "and their weight matrix from the rows); on a dask DataFrame use "
            "estimator='ML' or 'MLR'"
        )
    if missing != "listwise":
        raise DataError(
            f"missing={missing!r} needs the rows by missing-data pattern; on a dask "
            "DataFrame use missing='listwise' (ML from the complete rows' moments)"
        )
    if not hasattr(data, "columns") or not hasattr(data, "to_delayed"):
        raise DataError(f"data must be a dask DataFrame, not {type(data).__name__}")
    factors, coded, reversed_items, inst_id = resolve_model(
        data, instrument, model, group, on_invalid
    )
    frame = data if coded is None else coded
    items = list(model_items(factors))
    pairs = check_residual_covariances(residual_covariances, items)
    if instrument is None:
        require_columns(data._meta, items)
        for item in items:
            dtype = data._meta[item].dtype
            if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
                raise DataError(f"item {item!r} is not numeric (dtype {dtype})")
    else:
        absent = [item for item in items if item not in frame.columns]
        if absent:
            raise ModelError(f"model items {absent} are not items of {inst_id!r}")
    if group is not None:
        require_columns(data._meta, [group])
        frame = frame[items].assign(**{group: data[group]})
    else:
        frame = frame[items]
    head = frame[items].head(1000, npartitions=-1, compute=True).to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        centre = np.nanmean(head, axis=0) if len(head) else np.zeros(len(items))
    centre = np.where(np.isnan(centre), 0.0, centre)
    task = dask.delayed(_partition, pure=True)
    parts = dask.compute(*[task(p, items, group, centre) for p in frame.to_delayed()])
    bad = [label for part in parts for label in part["_na"]]
    if bad:
        raise DataError(f"group column {group!r} is missing in {len(bad)} rows {short_list(bad)}")
    labels: list[Any] = []
    for part in parts:
        labels.extend(label for label in part["groups"] if label not in labels)
    moments: list[tuple[int, np.ndarray, np.ndarray]] = []
    for label in labels:
        pieces = [part["groups"][label] for part in parts if label in part["groups"]]
        n = sum(p[0] for p in pieces)
        where = f" in group {group}={label!r}" if group is not None else ""
        if n < 2:
            raise DataError(f"only {n} usable rows{where}")
        total = sum(p[1] for p in pieces)
        cross = sum(p[2] for p in pieces)
        low = np.min([p[3] for p in pieces], axis=0)
        high = np.max([p[4] for p in pieces], axis=0)
        flat = [items[j] for j in np.flatnonzero(~(high > low))]
        if flat:
            raise DataError(
                f"item(s) {flat} have no variance{where} (every answer is "
                f"{[float(high[items.index(i)] + centre[items.index(i)]) for i in flat]})"
            )
        shift = total / n
        cov = (cross - np.outer(total, shift)) / n
        moments.append((n, centre + shift, (cov + cov.T) / 2))
    means = {label: m[1] for label, m in zip(labels, moments, strict=True)}
    case = _case_moments(frame, items, group, means) if estimator == "MLR" else {}
    # the rows are never held: x has the number of rows and no columns
    groups = [
        GroupData(x=np.empty((n, 0)), mean=mean, cov=cov, moments=case.get(label))
        for label, (n, mean, cov) in zip(labels, moments, strict=True)
    ]
    prepared = Prepared(
        factors=factors,
        items=tuple(items),
        groups=tuple(groups),
        group_labels=tuple(labels),
        n_dropped=sum(part["_dropped"] for part in parts),
        reversed_items=tuple(i for i in reversed_items if i in items),
        instrument=inst_id,
        residual_covariances=pairs,
    )
    n_groups = len(groups)
    if meanstructure is None:
        meanstructure = n_groups > 1
    return fit_prepared(
        prepared, estimator, meanstructure, std_lv, group_equal, group_partial, max_iter
    )
