"""``screen`` of a dask DataFrame: global item statistics once, then the indices by partition.

The indices of :func:`efficacy.screen` are row-wise except for three global inputs:
the item means over the answered cells, the pairwise-complete covariance and
correlation matrices (Mahalanobis D², synonym and antonym pairs) and the keyed item
means (person-total correlation). Two passes gather them as the in-memory
:func:`~efficacy.screening._covariance.pairwise_moments` does (sums and counts, then
cross-products around the global means, summed over partitions). The cut-offs depend
on no respondent's values (fixed numbers, the item count, the chi-square quantile for
the item count, an instrument's declared seconds per item), so they are fixed then
too. What is left is row-wise: the indices, flags, reasons and notes of every
respondent stay a lazy dask frame, computed partition by partition against those
global inputs when asked for (:class:`~efficacy.distributed.LazyScreenResult`).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

import efficacy.screening._indices as _indices
import efficacy.screening._pairs as _pairs
from efficacy.distributed._lazy_screen import LazyScreenResult
from efficacy.errors import DataError
from efficacy.instrument import Instrument
from efficacy.scoring import InvalidResponseWarning
from efficacy.screening import _screen as memory
from efficacy.screening._cutoffs import Rule, resolve_cutoffs
from efficacy.screening._flags import flag_table, notes_column, reasons_column, rules_frame
from efficacy.screening._inputs import ScreenData, from_instruments, from_items


def _quietly(function: Any, *arguments: Any) -> Any:
    """``function(*arguments)`` without the invalid-cell warnings (already given once)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InvalidResponseWarning)
        return function(*arguments)


def _spec(part: pd.DataFrame, how: tuple[Any, ...]) -> ScreenData:
    """The partition's matrices, as the in-memory screen reads them (any number of rows)."""
    n = len(part)
    if n < 2:  # the item checks need two rows: pad with blank rows, then drop them
        blank = pd.DataFrame(np.nan, index=pd.Index([object(), object()]), columns=part.columns)
        part = pd.concat([part, blank.astype(part.dtypes.to_dict(), errors="ignore")])
    if how[0] == "items":
        spec = from_items(part, *how[1:])
    else:  # invalid cells were reported over the whole frame; the warnings are off
        spec = from_instruments(part, how[1], "missing")
    if n < 2:
        spec = replace(spec, raw=spec.raw[:n], keyed=spec.keyed[:n], index=spec.index[:n])
    return spec


def _sums(
    part: pd.DataFrame, how: tuple[Any, ...], duration: str | None
) -> tuple[np.ndarray | int, ...]:
    """Pass 1: answered sums and counts of the raw and the keyed items, and the rows.

    The check answers and the durations are validated here too, so that bad values
    are an error of ``screen`` itself rather than of a later computation.
    """
    spec = _spec(part, how)
    memory._checks(spec, part, {}, [])
    if duration is not None:
        memory._duration(part, duration)
    raw, keyed = np.isnan(spec.raw), np.isnan(spec.keyed)
    return (
        np.where(raw, 0.0, spec.raw).sum(axis=0),
        (~raw).sum(axis=0),
        np.where(keyed, 0.0, spec.keyed).sum(axis=0),
        (~keyed).sum(axis=0),
        len(part),
    )


def _cross(part: pd.DataFrame, how: tuple[Any, ...], centre: np.ndarray) -> tuple[np.ndarray, ...]:
    """Pass 2: the pairwise sums of ``pairwise_moments`` around the global item means."""
    x = _spec(part, how).raw
    present = ~np.isnan(x)
    mask = present.astype(float)
    centred = np.where(present, x - centre, 0.0)
    return (mask.T @ mask, centred.T @ mask, centred.T @ centred, (centred * centred).T @ mask)


def _moments(parts: Sequence[tuple[np.ndarray, ...]]) -> tuple[np.ndarray, np.ndarray]:
    """Covariance and correlation from the summed pass-2 sums (``pairwise_moments``)."""
    n_pairs, sum_i, cross, squares = (sum(p[j] for p in parts) for j in range(4))
    if (n_pairs < 2).any():
        i, j = np.argwhere(n_pairs < 2)[0]
        raise DataError(
            f"items {i + 1} and {j + 1} have {int(n_pairs[i, j])} rows in common; "
            "pairwise statistics need at least 2"
        )
    cov = (cross - sum_i * sum_i.T / n_pairs) / (n_pairs - 1)
    var_i = (squares - sum_i**2 / n_pairs) / (n_pairs - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cor = cov / np.sqrt(var_i * var_i.T)
    np.fill_diagonal(cor, 1.0)
    return cov, cor


def _rows(
    part: pd.DataFrame,
    how: tuple[Any, ...],
    stats: dict[str, Any],
    duration: str | None,
) -> pd.DataFrame:
    """Pass 3: every index of the partition's respondents, against the global statistics."""
    from scipy import special

    spec = _spec(part, how)
    raw, keyed = spec.raw, spec.keyed
    quiet: list[str] = []
    out: dict[str, np.ndarray] = {}
    out["longstring"], out["longstring_avg"] = _indices.longstring(raw)
    out["irv"] = _indices.irv(raw)
    out["mahalanobis"] = np.full(raw.shape[0], np.nan)
    if stats["inverse"] is not None:
        out["mahalanobis"] = _indices.mahalanobis(raw, stats["mean"], stats["inverse"])
    out["mahalanobis_p"] = special.chdtrc(raw.shape[1], out["mahalanobis"])
    out["even_odd"] = memory._even_odd(spec, quiet)
    for name, what in (("psychsyn", "synonyms"), ("psychant", "antonyms")):
        out[name], _ = _indices.pair_correlation(raw, stats[what])
    out["person_total_r"] = _indices.person_total(keyed, stats["keyed_means"])
    out["n_missing"] = np.isnan(raw).sum(axis=1)
    memory._checks(spec, part, out, quiet)
    if duration is not None:
        n_shown = raw.shape[1] + sum(1 for c in spec.checks if c.id in part.columns)
        out["seconds_per_item"] = memory._duration(part, duration) / n_shown
    return pd.DataFrame(out, index=part.index, copy=False)


def _table(
    part: pd.DataFrame,
    how: tuple[Any, ...],
    stats: dict[str, Any],
    duration: str | None,
    rules: dict[str, Rule],
    meta: pd.DataFrame | None,
) -> pd.DataFrame:
    """The partition's rows of ``to_frame()``: indices, flags, ``flagged``, reasons, notes.

    The reasons and notes are arrow strings here (object columns cannot be written to
    parquet by a lazy frame); ``compute()`` turns them back into the in-memory objects.

    Every column is row-wise once the global statistics and the rules are fixed, so a
    partition's rows are those of the in-memory screen of the whole frame.
    """
    if len(part) == 0 and meta is not None:  # the empty frame with the columns' types
        return meta
    with warnings.catch_warnings():  # invalid cells were reported once, over the frame
        warnings.simplefilter("ignore", InvalidResponseWarning)
        indices = _rows(part, how, stats, duration)
    k = int(stats["n_items"])
    flags = flag_table(indices, rules, k)
    columns: dict[str, Any] = {c: indices[c].to_numpy() for c in indices.columns}
    text = pd.StringDtype("pyarrow")  # a dtype parquet and csv writers know (not object)
    notes = notes_column(columns, indices.index).astype(text)
    columns.update((c, flags[c].to_numpy()) for c in flags.columns)
    columns["flagged"] = flags.to_numpy().any(axis=1)
    columns["reasons"] = reasons_column(flags, rules, k).astype(text)
    columns["notes"] = notes
    return pd.DataFrame(columns, index=indices.index, copy=False)  # the arrays, not copies


def screen(
    data: Any,
    instrument: str | Instrument | Sequence[str | Instrument] | None = None,
    *,
    scales: Mapping[str, Sequence[Any]] | None = None,
    reverse: Sequence[Any] = (),
    response_range: tuple[float, float] | None = None,
    duration: str | pd.Series | None = None,
    cutoffs: Mapping[str, float | None] | None = None,
    critval: float = 0.60,
    antonyms: Any = "correlation",
    resample_na: bool = False,
    seed: int | None = None,
    on_invalid: str = "raise",
) -> LazyScreenResult:
    """:func:`efficacy.screen` of a dask DataFrame: a lazy :class:`LazyScreenResult`.

    Two passes over the partitions (item sums with the row count, then pairwise
    cross-products), plus one for invalid cells when instruments are given, fix
    everything global: item means, covariances, synonym and antonym pairs, the rules
    and their cut-offs, and the warnings (given now, as in memory). Check answers
    and durations are validated in the first pass. The per-respondent tables are
    lazy: nothing more is read until they, the counts or ``compute()`` are asked for.
    ``compute()`` gives the in-memory :class:`~efficacy.screening.ScreenResult`, its
    indices equal to rounding (about 1e-12). ``duration`` must name a column (a
    pandas Series cannot be aligned with a dask frame's partitions), and
    ``resample_na`` is refused: its random draws run over the rows in memory order.

    Examples
    --------
    >>> import warnings
    >>> import dask.dataframe as dd
    >>> import efficacy as ef
    >>> data = ef.datasets.load("gse_demo")
    >>> with warnings.catch_warnings(record=True):
    ...     res = ef.screen(dd.from_pandas(data, npartitions=4), "gse", on_invalid="missing")
    >>> res.n_obs, res.n_flagged
    (600, 20)
    >>> res.compute().indices.shape
    (600, 10)
    """
    import dask

    if not hasattr(data, "columns") or not hasattr(data, "to_delayed"):
        raise DataError(f"data must be a dask DataFrame, got {type(data).__name__}")
    if resample_na:
        raise DataError(
            "resample_na=True draws at random over the rows in memory order; on a dask "
            "DataFrame screen with resample_na=False (the deterministic definition)"
        )
    if duration is not None and not isinstance(duration, str):
        raise DataError(
            "on a dask DataFrame, duration must name a column of data, not "
            f"{type(duration).__name__}"
        )
    if duration is not None and duration not in data.columns:
        raise DataError(f"duration column {duration!r} is not in data")
    if instrument is not None and scales is not None:
        raise DataError("give an instrument or scales, not both")
    if not 0 < critval < 1:
        raise DataError(f"critval must be between 0 and 1, got {critval!r}")
    given = antonyms if not isinstance(antonyms, str) else ()
    if instrument is None:
        how: tuple[Any, ...] = ("items", scales, reverse, response_range, given)
    else:
        if reverse or response_range is not None:
            raise DataError(
                "reverse and response_range are for item frames; an instrument declares its own"
            )
        import efficacy as ef

        many = isinstance(instrument, Sequence) and not isinstance(instrument, str)
        chosen = list(instrument) if many else [instrument]  # type: ignore[list-item]
        for entry in chosen:  # invalid cells: raised or warned over the whole frame
            ef.item_responses(data, entry, reverse=False, on_invalid=on_invalid)  # type: ignore[arg-type]
        how = ("instruments", chosen)
    parts = data.to_delayed()
    head = data.head(2, npartitions=-1, compute=True)
    if head.empty:
        raise DataError("data has no rows")
    spec = _quietly(_spec, head, how)
    k = len(spec.items)
    first = _quietly(
        dask.compute, *[dask.delayed(_sums, pure=True)(p, how, duration) for p in parts]
    )
    n_obs = int(sum(f[4] for f in first))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = sum(f[0] for f in first) / sum(f[1] for f in first)
        keyed_means = sum(f[2] for f in first) / sum(f[3] for f in first)
    notes: list[str] = []
    cov = cor = inverse = None
    second = _quietly(
        dask.compute,
        *[
            dask.delayed(_cross, pure=True)(p, how, np.where(np.isnan(mean), 0.0, mean))
            for p in parts
        ],
    )
    try:
        cov, cor = _moments(second)
    except DataError as exc:
        notes.append(f"mahalanobis, psychsyn and psychant: item covariances undefined ({exc})")
    if cov is not None:
        inverse = memory._covariance_inverse(cov, notes)
    memory._even_odd(spec, notes)
    synonyms = np.empty((0, 2), np.int64)
    if cor is not None:
        synonyms = _pairs.correlated_pairs(cor, critval)
    antonym_pairs = memory._antonym_pairs(spec, cor, critval, antonyms, notes)
    for name, what, pairs in (
        ("psychsyn", "synonyms", synonyms),
        ("psychant", "antonyms", antonym_pairs),
    ):
        if len(pairs) < 3:
            notes.append(
                f"{name}: {len(pairs)} {what[:-1]} pairs (at least 3 needed); "
                "no respondent gets a value"
            )
    memory._checks(spec, head, {}, notes)
    stats = {
        "mean": mean,
        "inverse": inverse,
        "synonyms": synonyms,
        "antonyms": antonym_pairs,
        "keyed_means": keyed_means,
        "n_items": k,
    }
    rules = resolve_cutoffs(cutoffs, k, spec.seconds_per_item)
    if memory._usable_factors(spec) < 3 and "even_odd" not in (cutoffs or {}):
        rules["even_odd"] = replace(
            rules["even_odd"],
            cutoff=None,
            source="not flagged by default with fewer than 3 subscales (the index is then "
            "only -1, 1 or NaN); " + rules["even_odd"].source,
        )
    memory._longstring_warning(spec, notes)
    for message in notes:
        warnings.warn(message, memory.ScreeningWarning, stacklevel=4)  # the caller of ef.screen
    meta = _quietly(_table, head, how, stats, duration, rules, None).iloc[:0]
    meta.index = data._meta.index[:0]
    table = data.map_partitions(
        _table, how, stats, duration, rules, meta, meta=meta, align_dataframes=False
    )
    flag_columns = tuple(c for c in meta.columns if c.endswith("_flag"))
    names = list(spec.items)
    return LazyScreenResult(
        table=table,
        index_columns=tuple(c for c in meta.columns[:-3] if c not in flag_columns),
        flag_columns=flag_columns,
        rules=rules_frame(rules, k),
        warnings=tuple(notes),
        items=spec.items,
        factors={f: tuple(names[j] for j in pos) for f, pos in spec.factors.items()},
        synonym_pairs=tuple((names[a], names[b]) for a, b in synonyms),
        antonym_pairs=tuple((names[a], names[b]) for a, b in antonym_pairs),
        antonym_source=antonyms if isinstance(antonyms, str) else "given",
        instruments=spec.instruments,
        critval=float(critval),
        n_obs=n_obs,
        seed=seed,
    )
