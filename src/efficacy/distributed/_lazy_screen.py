"""The lazy result of ``screen`` on a dask DataFrame, and scoring without its flagged rows.

:class:`LazyScreenResult` holds the eager, global parts of a screen (rules and
cut-offs, warnings, item pairs, subscales, the number of respondents) and one lazy
dask frame with the per-respondent columns of ``ScreenResult.to_frame()``. Counts
per rule come from small per-partition tallies (a few numbers per partition), so a
screen of more respondents than fit in memory can be summarised, filtered and written
out (``to_frame().to_parquet(...)``) without bringing its rows together.

:func:`score` is :func:`efficacy.score` of a dask DataFrame that also takes
``exclude=`` a lazy screen result (or its ``flagged`` Series): the flagged rows are
scored as missing, partition by partition, as in memory.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

import efficacy.distributed._scoring as _scoring
from efficacy import scoring
from efficacy._dispatch import is_dask
from efficacy.errors import DataError, short_list
from efficacy.instrument._loader import load
from efficacy.instrument._model import Instrument
from efficacy.results import Result, Summary
from efficacy.screening._result import ScreenResult, counts_frame, screen_summary


def _tally(
    part: pd.DataFrame, index_columns: tuple[str, ...], flag_columns: tuple[str, ...]
) -> pd.DataFrame:
    """A partition's counts, as one row: rows, flagged rows, then per index the values
    computed and their sum, then per rule the rows it flags."""
    row: dict[str, float] = {
        "n_obs": float(len(part)),
        "n_flagged": float(part["flagged"].to_numpy(dtype=bool).sum()),
    }
    for j, column in enumerate(index_columns):
        values = part[column].to_numpy(dtype=float)
        present = values[~np.isnan(values)]
        row[f"n{j}"] = float(len(present))
        row[f"s{j}"] = float(present.sum())
    for j, flag in enumerate(flag_columns):
        row[f"f{j}"] = float(part[flag].to_numpy(dtype=bool).sum())
    return pd.DataFrame([row])


def _combine(
    tallies: pd.DataFrame, index_columns: tuple[str, ...], flag_columns: tuple[str, ...]
) -> dict[str, Any]:
    """The partitions' tallies (one row each) added up, in partition order."""
    total = {c: tallies[c].to_numpy().sum() for c in tallies.columns}
    return {
        "n_obs": int(total["n_obs"]),
        "n_flagged": int(total["n_flagged"]),
        "n_computed": np.array([int(total[f"n{j}"]) for j in range(len(index_columns))]),
        "sums": np.array([total[f"s{j}"] for j in range(len(index_columns))], dtype=float),
        "n_rule": np.array([int(total[f"f{j}"]) for j in range(len(flag_columns))]),
    }


@dataclass(frozen=True, repr=False, eq=False)
class LazyScreenResult(Result):
    """A careless-responding screen of a dask DataFrame, its rows still lazy.

    The global parts are computed: ``rules`` (with the cut-offs, none of which
    depends on the respondents' values), ``warnings``, ``items``, ``factors``, the
    synonym and antonym pairs and ``n_obs``. The per-respondent parts, ``indices``,
    ``flags``, ``flagged``, ``reasons`` and ``notes``, are dask collections on the
    data's partitions (the columns of :class:`~efficacy.screening.ScreenResult` of
    the same names). ``compute()`` gives that in-memory result; ``counts()``,
    ``n_flagged`` and ``summary()`` need only per-partition tallies (computed once,
    on first use, or along with other work by ``count_along``, then kept). Write the
    rows out with the dask frame's own methods,
    e.g. ``result.to_frame().to_parquet(path)`` or ``.to_csv(pattern)``; keep the
    unflagged respondents with ``data[~result.flagged]``.

    Attributes
    ----------
    table
        The lazy frame of ``to_frame()``: index columns, ``<index>_flag`` columns,
        ``flagged``, ``reasons``, ``notes``.
    index_columns, flag_columns
        The names of the index and flag columns of ``table``.
    rules, warnings, items, factors, synonym_pairs, antonym_pairs, antonym_source,
    instruments, critval, resample_na, seed
        As in :class:`~efficacy.screening.ScreenResult`.
    n_obs
        Number of respondents screened (counted in the first pass).
    """

    table: Any
    index_columns: tuple[str, ...]
    flag_columns: tuple[str, ...]
    rules: pd.DataFrame
    warnings: tuple[str, ...]
    items: tuple[str, ...]
    factors: dict[str, tuple[str, ...]]
    synonym_pairs: tuple[tuple[str, str], ...]
    antonym_pairs: tuple[tuple[str, str], ...]
    antonym_source: str
    instruments: tuple[str, ...]
    critval: float
    n_obs: int
    resample_na: bool = False
    seed: int | None = None

    @property
    def indices(self) -> Any:
        """The indices per respondent (a lazy dask DataFrame)."""
        return self.table[list(self.index_columns)]

    @property
    def flags(self) -> Any:
        """One boolean ``<index>_flag`` column per rule with a cut-off (lazy)."""
        return self.table[list(self.flag_columns)]

    @property
    def flagged(self) -> Any:
        """True where any rule fired (a lazy dask Series named ``flagged``)."""
        return self.table["flagged"]

    @property
    def reasons(self) -> Any:
        """The rules that fired, in words (a lazy dask Series)."""
        return self.table["reasons"]

    @property
    def notes(self) -> Any:
        """Why an index is NaN for the respondent (a lazy dask Series)."""
        return self.table["notes"]

    def to_frame(self) -> Any:
        """One row per respondent, as ``ScreenResult.to_frame()``: a lazy dask DataFrame."""
        return self.table

    def compute(self, **options: Any) -> ScreenResult:
        """The in-memory :class:`~efficacy.screening.ScreenResult` (every row in memory).

        ``options`` go to ``dask.compute`` (e.g. ``scheduler="threads"``). The counts
        are kept from the same pass.
        """
        import dask

        frames = list(dask.compute(*self.table.to_delayed(), **options))
        if "_tallies" not in self.__dict__:
            names = (self.index_columns, self.flag_columns)
            tallies = pd.concat([_tally(f, *names) for f in frames], ignore_index=True)
            self.__dict__["_tallies"] = _combine(tallies, *names)
        whole = pd.concat(frames) if len(frames) > 1 else frames[0]
        return ScreenResult(
            indices=whole[list(self.index_columns)],
            flags=pd.DataFrame(  # built as in memory (no rule: no columns, a RangeIndex)
                {f: whole[f].to_numpy() for f in self.flag_columns}, index=whole.index, dtype=bool
            ),
            flagged=whole["flagged"],
            reasons=whole["reasons"].astype(object),
            notes=whole["notes"].astype(object),
            rules=self.rules,
            warnings=self.warnings,
            items=self.items,
            factors=self.factors,
            synonym_pairs=self.synonym_pairs,
            antonym_pairs=self.antonym_pairs,
            antonym_source=self.antonym_source,
            instruments=self.instruments,
            critval=self.critval,
            resample_na=self.resample_na,
            seed=self.seed,
        )

    def _tally_frame(self) -> Any:
        """The lazy per-partition tallies: a dask frame of one small row per partition."""
        names = (self.index_columns, self.flag_columns)
        meta = _tally(self.table._meta, *names).iloc[:0]
        return self.table.map_partitions(_tally, *names, meta=meta)

    @cached_property
    def _tallies(self) -> dict[str, Any]:
        """The counts behind ``counts()``: one small tally per partition, added up."""
        return _combine(self._tally_frame().compute(), self.index_columns, self.flag_columns)

    def count_along(self, *others: Any, **options: Any) -> tuple[Any, ...]:
        """Tally the counts in the same pass as other lazy work on the rows.

        ``others`` are dask collections or delayed tasks, typically
        ``result.to_frame().to_parquet(path, compute=False)``: one ``dask.compute``
        runs them with the tallies, so the rows are computed once for both. Later
        ``counts()``, ``n_flagged`` and ``summary()`` then read nothing. ``options`` go
        to ``dask.compute``; returns the computed ``others``.
        """
        import dask

        tallies, *done = dask.compute(self._tally_frame(), *others, **options)
        self.__dict__["_tallies"] = _combine(tallies, self.index_columns, self.flag_columns)
        return tuple(done)

    @property
    def n_flagged(self) -> int:
        """Number of respondents with at least one flag (a pass over the partitions)."""
        return int(self._tallies["n_flagged"])

    def counts(self) -> pd.DataFrame:
        """Per index: respondents with a value, its mean, and how many its rule flags.

        As ``ScreenResult.counts()``, from per-partition tallies: the rows are not
        brought together. The means are sums over partitions divided by the counts,
        equal to the in-memory means to rounding.
        """
        tallies = self._tallies
        n_computed = dict(zip(self.index_columns, tallies["n_computed"].tolist(), strict=True))
        with np.errstate(invalid="ignore", divide="ignore"):
            means = tallies["sums"] / tallies["n_computed"]
        return counts_frame(
            self.rules,
            n_computed,
            dict(zip(self.index_columns, means.tolist(), strict=True)),
            dict(zip(self.flag_columns, tallies["n_rule"].tolist(), strict=True)),
        )

    def summary(self) -> Summary:
        """As ``ScreenResult.summary()``, from the per-partition tallies."""
        return screen_summary(self, self.n_obs, self.n_flagged, self.counts())

    def _repr_fields(self) -> list[tuple[str, Any]]:
        counted = "_tallies" in self.__dict__
        return [
            ("n_obs", self.n_obs),
            ("n_flagged", self.n_flagged if counted else "not yet counted"),
            ("n_items", len(self.items)),
            ("instruments", self.instruments),
            ("warnings", len(self.warnings)),
            ("npartitions", self.table.npartitions),
        ]

    def _repr_html_(self) -> str:
        """The repr, without computing anything (``summary()`` counts the flags)."""
        return f"<pre>{html.escape(repr(self))}</pre>"


def _blank_rows(part: pd.DataFrame, flagged: pd.Series, columns: list[Any]) -> pd.DataFrame:
    """The partition with the item cells of its flagged rows set to missing."""
    if not part.index.equals(flagged.index):
        extra = short_list(list(flagged.index.difference(part.index)))
        lacking = short_list(list(part.index.difference(flagged.index)))
        raise DataError(
            "exclude is not partitioned like data: a partition of data has rows "
            f"{lacking} that exclude lacks and exclude has rows {extra} that data lacks "
            "there; pass the result of screening this frame"
        )
    rows = flagged.to_numpy(dtype=bool)
    if not rows.any():
        return part
    out = part.copy()
    for column in columns:
        out[column] = out[column].where(~rows)
    return out


def score(
    data: Any,
    instrument: str | Instrument,
    columns: scoring.Columns = None,
    *,
    coding: str | None = None,
    method: str | None = None,
    scales: str | list[str] | None = None,
    on_invalid: scoring.OnInvalid = "raise",
    exclude: Any = None,
    off_grid: scoring.OffGrid = "invalid",
) -> Any:
    """:func:`efficacy.score` of a dask DataFrame: a lazy dask frame of scores.

    ``exclude`` may be a :class:`LazyScreenResult` of ``data`` (its flagged
    respondents) or a boolean dask Series partitioned like ``data`` (such as its
    ``flagged``): those rows are scored as missing, as in memory, once the invalid
    cells of every row have been checked (as in memory, excluded rows included).
    The dask score frame carries no ``attrs`` provenance, so the excluded rows are
    not listed; count them with ``exclude.n_flagged``. Lists of row labels and pandas
    Series are in-memory objects and are refused.
    """
    options: dict[str, Any] = {"coding": coding, "method": method, "scales": scales}
    options.update(on_invalid=on_invalid, off_grid=off_grid)
    if exclude is None or not (isinstance(exclude, LazyScreenResult) or is_dask(exclude)):
        return _scoring.score(data, instrument, columns, exclude=exclude, **options)
    inst = load(instrument)
    data = _scoring._require_dask_frame(data)
    flagged = exclude.flagged if isinstance(exclude, LazyScreenResult) else exclude
    if not hasattr(flagged, "dtype") or flagged.dtype != bool:
        raise DataError(
            "exclude must be a screen result or a boolean dask Series (like screen.flagged), "
            f"got {type(flagged).__name__} of dtype {getattr(flagged, 'dtype', None)}"
        )
    if flagged.npartitions != data.npartitions:
        raise DataError(
            f"exclude has {flagged.npartitions} partitions and data {data.npartitions}; "
            "pass the result of screening this frame"
        )
    if data.known_divisions and flagged.known_divisions and data.divisions != flagged.divisions:
        raise DataError("exclude's partitions do not cover the same rows as data's")
    _scoring._check(data, inst, columns, coding, on_invalid, off_grid)
    mapping = scoring.resolve_columns(inst, data._meta, columns)
    masked = data.map_partitions(
        _blank_rows, flagged, list(mapping.values()), meta=data._meta, align_dataframes=False
    )
    chosen = _scoring.score_options(inst, columns, coding, off_grid, method, scales)
    meta = _scoring._meta(scoring.score, data, **chosen)
    return _scoring.map_scores(masked, meta, chosen)
