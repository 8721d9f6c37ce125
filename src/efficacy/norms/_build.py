"""Local norm tables from your own scores: n, mean, SD and mid-rank percentile ranks per group."""

from __future__ import annotations

import warnings
from typing import Any, Literal

import numpy as np
import pandas as pd

from efficacy._dispatch import is_dask, on_dask
from efficacy.errors import DataError, short_list
from efficacy.instrument._model import Instrument, NormGroup, Source
from efficacy.instrument._norm_yaml import NormTable, to_yaml
from efficacy.norms._input import (
    Scores,
    check_identifier,
    check_metric,
    instrument_of,
    scores_of,
)

MIDRANK_NOTE = (
    "Percentile ranks by the mid-rank definition: 100*(number below + half the number at)/n."
)


def norm_table_to_yaml(table: NormTable, *, indent: int = 0) -> str:
    """Alias of :func:`to_yaml`."""
    return to_yaml(table, indent=indent)


def build_norms(
    scores: Any,
    *,
    by: Any = None,
    scale: Any = None,
    instrument: str | Instrument | None = None,
    id: str = "local",
    kind: Literal["published", "reference_data"] = "reference_data",
    population: str = "local sample",
    source_ref: str = "local_data",
    provenance: Literal["P", "S", "C"] = "C",
    metric: Literal["sum", "mean"] | None = None,
    note: str | None = None,
    percentiles: bool = True,
    overall: bool = True,
) -> NormTable:
    """A norm table from your own scores: n, mean, SD and percentile ranks per group.

    Parameters
    ----------
    scores
        Scores from :func:`efficacy.score` (DataFrame; ``scale=`` picks the column),
        a Series or an array. Unscored respondents (NaN) are left out, with a warning.
    by
        Grouping: a column name or list of names in ``scores``, or a Series /
        DataFrame of covariates aligned by index. Names must be lower-case
        identifiers, as instrument files require. Respondents with a missing
        covariate belong to no group (warning) but count in the whole sample.
    scale
        The score column, and the table's ``scale`` (default: the instrument's first
        scale, or the frame's only score column; columns named by ``by=`` do not count,
        so ``build_norms(scores, by=["nation"])`` on a frame of a score and a
        ``nation`` column takes the score).
    instrument
        Optional: checks the scores against the scale's range for the metric.
    id, kind, population, source_ref, provenance, note
        The table's fields in the instrument file. ``source_ref`` must be a citation
        key of the instrument file the table will be pasted into. With percentiles,
        the note ends with a sentence naming the mid-rank definition.
    metric
        ``"sum"`` or ``"mean"``; default from the scores' provenance, else the
        instrument's scale, else an error.
    percentiles
        Add each group's percentile rank of every observed raw score, by the
        mid-rank definition: 100·(number below + half the number at the score)/n.
    overall
        With ``by``, also a whole-sample group (empty ``where``), first.

    Returns
    -------
    NormTable
        Groups in sorted covariate order; SD with n − 1 (None for a group of one or
        with zero spread, which an instrument file cannot hold). ``to_yaml(table)``
        writes it for an instrument file.

    Examples
    --------
    >>> import pandas as pd
    >>> import efficacy as ef
    >>> data = pd.DataFrame({"gse": [20.0, 30.0, 30.0, 40.0]})
    >>> table = ef.build_norms(data, instrument="gse")
    >>> row = table.groups[0]
    >>> row.n, row.mean, round(row.sd, 4), row.percentiles
    (4, 30.0, 8.165, {20.0: 12.5, 30.0: 50.0, 40.0: 87.5})
    """
    if is_dask(scores):
        return on_dask("build_norms", **locals())  # type: ignore[no-any-return]
    _check_table_options(id, source_ref, kind, provenance)
    inst = instrument_of(instrument)
    default = inst.scales[0].id if inst is not None else None
    data = scores_of(scores, _score_column(scores, scale, default, by), default)
    scale_id = str(scale if scale is not None else (default or data.column))
    metric = _table_metric(metric, data, inst, scale_id, kind, population, source_ref, provenance)
    values = data.values
    unscored = values.isna()
    if unscored.any():
        warnings.warn(
            f"{int(unscored.sum())} respondents without a score are left out of the norms "
            f"(rows {short_list(list(values.index[unscored]))})",
            UserWarning,
            stacklevel=2,
        )
    covariates = _by_columns(by, scores, values.index)
    groups: list[NormGroup] = []
    if covariates is None or overall:
        groups.append(_norm_group({}, values.to_numpy(dtype=float), percentiles, "all"))
    if covariates is not None:
        frame = pd.DataFrame(covariates)
        no_group = frame.isna().any(axis=1) & ~unscored
        if no_group.any():
            warnings.warn(
                f"{int(no_group.sum())} respondents with a missing {list(covariates)} belong to "
                f"no group (rows {short_list(list(frame.index[no_group]))})",
                UserWarning,
                stacklevel=2,
            )
        keys = list(covariates)
        grouped = values.groupby([frame[k] for k in keys], dropna=True, sort=True)
        for key, members in grouped:
            where = {k: _plain_value(v) for k, v in zip(keys, key, strict=True)}
            label = ", ".join(f"{k}={v}" for k, v in where.items())
            groups.append(_norm_group(where, members.to_numpy(dtype=float), percentiles, label))
    if percentiles:
        note = f"{note} {MIDRANK_NOTE}" if note else MIDRANK_NOTE
    return NormTable(
        id=id,
        scale=scale_id,
        kind=kind,
        population=population,
        source=Source(source_ref, provenance),
        groups=tuple(groups),
        group_by=tuple(covariates) if covariates is not None else (),
        metric=metric,
        note=note,
    )


def _check_table_options(id: str, source_ref: str, kind: Any, provenance: Any) -> None:
    """Check a new norm table's id, source reference, kind and provenance mark.

    Parameters
    ----------
    id, source_ref
        Identifiers for the table and its source.
    kind
        ``"published"`` or ``"reference_data"``.
    provenance
        ``"P"``, ``"S"`` or ``"C"``.

    Raises
    ------
    DataError
        An invalid identifier, kind or provenance mark.
    """
    check_identifier(id, "id")
    check_identifier(source_ref, "source_ref")
    if kind not in ("published", "reference_data"):
        raise DataError(f"kind must be 'published' or 'reference_data', got {kind!r}")
    if provenance not in ("P", "S", "C"):
        raise DataError(f"provenance must be 'P', 'S' or 'C', got {provenance!r}")


def _table_metric(
    metric: Any,
    data: Scores,
    inst: Instrument | None,
    scale_id: str,
    kind: Any,
    population: str,
    source_ref: str,
    provenance: Any,
) -> str:
    """The metric of a new norm table, checked against the scores and the instrument.

    Parameters
    ----------
    metric
        ``"sum"``, ``"mean"`` or None (from the scores' provenance or the instrument).
    data
        The scores.
    inst
        The instrument, if any; its scale must be on the same metric.
    scale_id
        The table's scale id (checked as an identifier).
    kind, population, source_ref, provenance
        The table's kind, population and source, for the probe table checked.

    Returns
    -------
    str
        ``"sum"`` or ``"mean"``.
    """
    check_identifier(scale_id, "the scale id")
    metric = _metric(metric, data, inst, scale_id)
    if inst is not None:
        source = Source(source_ref, provenance)
        probe = NormTable(scale_id, scale_id, kind, population, source, (), (), metric)  # type: ignore[arg-type]
        check_metric(data, inst, probe)
    return metric


def _metric(metric: Any, data: Scores, inst: Instrument | None, scale_id: str) -> str:
    if metric is not None:
        if metric not in ("sum", "mean"):
            raise DataError(f"metric must be 'sum' or 'mean', got {metric!r}")
        if data.method is not None and data.method != metric:
            raise DataError(
                f"scores in column {data.column!r} were scored as {data.method} scores "
                f"(attrs['efficacy']), not {metric}"
            )
        return str(metric)
    if data.method is not None:
        return data.method
    if inst is not None:
        try:
            return inst.scale(scale_id).method
        except KeyError as exc:
            raise DataError(str(exc.args[0])) from None
    raise DataError(
        "the scores carry no scoring provenance and no instrument was given: pass "
        "metric='sum' or metric='mean'"
    )


def _score_column(scores: Any, scale: Any, default: Any, by: Any) -> Any:
    """``scale``, or the frame's only column besides the ``by=`` columns (and
    ``*_n_valid`` counts) when neither ``scale`` nor the instrument's scale names one."""
    if scale is not None or not isinstance(scores, pd.DataFrame):
        return scale
    if default is not None and default in scores.columns:
        return scale
    if not isinstance(by, str | list | tuple):
        return scale
    grouping = {by} if isinstance(by, str) else set(by)
    rest = [c for c in scores.columns if c not in grouping and not str(c).endswith("_n_valid")]
    return rest[0] if len(rest) == 1 else scale


def _by_columns(by: Any, scores: Any, index: pd.Index) -> dict[str, pd.Series] | None:
    if by is None:
        return None
    if isinstance(by, pd.Series):
        name = by.name
        if name is None:
            raise DataError("by= as a Series needs a name (the covariate's name)")
        frame = by.to_frame()
    elif isinstance(by, pd.DataFrame):
        frame = by
    else:
        if not isinstance(scores, pd.DataFrame):
            raise DataError("by= names columns, but the scores are not a DataFrame")
        names = [by] if isinstance(by, str) else list(by)
        missing = [n for n in names if n not in scores.columns]
        if missing:
            raise DataError(
                f"scores lack the by= columns {missing}; they have {list(scores.columns)}"
            )
        frame = scores[names]
    if frame is not scores and not isinstance(by, str | list | tuple):
        if not frame.index.is_unique:
            raise DataError("by= covariates have duplicate index labels")
        lacking = index.difference(frame.index, sort=False)
        if len(lacking):
            raise DataError(
                f"by= covariates lack {len(lacking)} respondents of the scores (aligned by "
                f"index): rows {short_list(list(lacking))}"
            )
    out = {}
    for name in frame.columns:
        check_identifier(name, f"covariate name {name!r}")
        out[str(name)] = frame[name].reindex(index)
    return out


def _plain_value(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, str | bool | int | float):
        return value
    raise DataError(
        f"covariate value {value!r} of type {type(value).__name__} cannot be written to an "
        "instrument file (strings, numbers and booleans can)"
    )


def _norm_group(
    where: dict[str, Any], values: np.ndarray, percentiles: bool, label: str
) -> NormGroup:
    observed = np.sort(values[~np.isnan(values)])
    n = int(observed.size)
    if n == 0:
        raise DataError(f"norm group {label} has no scores")
    sd: float | None = float(observed.std(ddof=1)) if n > 1 else None
    distinct, first = np.unique(observed, return_index=True)
    counts = np.diff(np.append(first, n))
    return group_from_counts(
        where, distinct, counts, float(observed.mean()), sd, percentiles, label
    )


def group_from_counts(
    where: dict[str, Any],
    distinct: np.ndarray,
    counts: np.ndarray,
    mean: float,
    sd: float | None,
    percentiles: bool,
    label: str,
) -> NormGroup:
    """A norm group from its distinct scores (sorted), their counts, mean and SD.

    The percentile ranks need only the counts of each distinct score, so a group can
    be built from counts summed over the partitions of a dask frame.
    """
    n = int(counts.sum())
    if n == 0:
        raise DataError(f"norm group {label} has no scores")
    if sd is not None and sd == 0.0:
        sd = None
    if sd is None:
        warnings.warn(
            f"norm group {label} has {'one score' if n == 1 else 'no spread'}: its SD is left "
            "out (standard scores against it are not possible)",
            UserWarning,
            stacklevel=4,
        )
    ranks = None
    if percentiles:
        below = np.concatenate([[0], np.cumsum(counts)[:-1]])
        ranks = {
            float(score): float(100.0 * (b + 0.5 * at) / n)
            for score, b, at in zip(distinct, below, counts, strict=True)
        }
    return NormGroup(where=where, mean=mean, sd=sd, n=n, percentiles=ranks)
