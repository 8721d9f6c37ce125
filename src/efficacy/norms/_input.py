"""Shared input handling for norms and change: scores, norm tables, groups, reliability.

Everything here turns what a user hands the functions of
:mod:`efficacy.norms`
into checked arrays, or raises :class:`~efficacy.errors.DataError` naming the column,
the rows and the values. Nothing is coerced silently and the caller's data are never
changed.

Examples
--------
>>> import pandas as pd
>>> import efficacy as ef
>>> table = ef.load("gse").norm("world2006_age")
>>> ages = pd.Series([15, 23, 67], index=["a", "b", "c"])
>>> codes, groups = assign_groups({"age": ages}, table, "world2006_age")
>>> [groups[i].label for i in codes]
['age=12-19', 'age=20-29', 'age=60+']
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from efficacy.errors import (
    MAX_LISTED,
    DataError,
    describe_cells,
    require_columns,
    require_flat_columns,
    require_unique_columns,
    short_list,
)
from efficacy.instrument._loader import load
from efficacy.instrument._model import Instrument, NormGroup
from efficacy.instrument._norm_yaml import NormTable
from efficacy.io._numbers import numeric_cells

#: Published reliability statistics usable as "the" reliability of a scale, in order.
RELIABILITY_PREFERENCE = ("alpha", "omega", "test_retest", "split_half", "kr20")

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Scores:
    """One column of scores as a float Series, with what is known of its origin."""

    values: pd.Series
    column: Any
    method: str | None


# ------------------------------------------------------------------ instruments


def instrument_of(instrument: str | Instrument | None) -> Instrument | None:
    """The loaded instrument (None stays None)."""
    return None if instrument is None else load(instrument)


def norm_table(instrument: Instrument, norm: str | NormTable) -> NormTable:
    """The instrument's norm table called ``norm`` (a NormTable is returned as it is)."""
    if isinstance(norm, NormTable):
        return norm
    try:
        return instrument.norm(norm)
    except KeyError as exc:
        raise DataError(str(exc.args[0])) from None


def check_level(level: float) -> None:
    """Raise unless ``level`` lies strictly between 0 and 1."""
    if not isinstance(level, int | float) or not 0.0 < float(level) < 1.0:
        raise DataError(f"level must lie strictly between 0 and 1, got {level!r}")


def check_reliability(value: Any, what: str = "reliability") -> float:
    """A reliability coefficient as a float in (0, 1), or a DataError."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DataError(f"{what} must be a number between 0 and 1, got {value!r}") from None
    if not 0.0 < number < 1.0:
        raise DataError(f"{what} must lie strictly between 0 and 1, got {value!r}")
    return number


def published_reliability(instrument: Instrument, scale_id: str) -> tuple[float, str]:
    """The reliability coefficient the instrument publishes as a value for a scale.

    Statistics are tried in :data:`RELIABILITY_PREFERENCE` order (alpha first). An
    instrument that gives only a range is an error naming that range: picking a
    point of it is the user's decision (``reliability=``).
    """
    entries = [r for r in instrument.reliability if r.scale == scale_id]
    for statistic in RELIABILITY_PREFERENCE:
        for entry in entries:
            if entry.statistic == statistic and entry.value is not None:
                return float(entry.value), f"published {statistic} ({entry.source})"
    ranges = [
        f"{e.statistic} {e.range[0]:g}-{e.range[1]:g} ({e.source})"
        for e in entries
        if e.range is not None
    ]
    if ranges:
        raise DataError(
            f"{instrument.id} publishes the reliability of scale {scale_id!r} only as a range: "
            f"{'; '.join(ranges)}. A standard error of measurement needs one value: pass "
            "reliability= (e.g. your sample's alpha from ef.alpha, or a value from that range "
            "that you can justify)"
        )
    raise DataError(
        f"{instrument.id} publishes no reliability for scale {scale_id!r}; pass reliability="
    )


def single_group(table: NormTable) -> NormGroup:
    """The table's only group, or its whole-sample group (empty ``where``)."""
    if len(table.groups) == 1:
        return table.groups[0]
    for row in table.groups:
        if not row.where:
            return row
    labels = [row.label for row in table.groups]
    by = ", ".join(table.group_by) or "covariates"
    raise DataError(
        f"norm table {table.id!r} has {len(labels)} groups ({', '.join(labels)}) and no "
        f"whole-sample group; pass group= naming the column(s) with each respondent's {by}"
    )


# ----------------------------------------------------------------------- scores


def _provenance_method(obj: pd.DataFrame | pd.Series, column: Any) -> str | None:
    info = obj.attrs.get("efficacy") if isinstance(obj.attrs, Mapping) else None
    if not isinstance(info, Mapping):
        return None
    methods = info.get("methods")
    if isinstance(methods, Mapping) and column in methods:
        method = methods[column]
        return str(method) if method is not None else None
    return None


def _default_column(frame: pd.DataFrame, what: str) -> Any:
    info = frame.attrs.get("efficacy")
    methods = info.get("methods") if isinstance(info, Mapping) else None
    if isinstance(methods, Mapping):
        present = [c for c in methods if c in frame.columns]
        if len(present) == 1:
            return present[0]
    candidates = [c for c in frame.columns if not str(c).endswith("_n_valid")]
    if len(candidates) == 1:
        return candidates[0]
    raise DataError(
        f"{what} has several columns {short_list(list(frame.columns))}; "
        "pass scale= naming the score column"
    )


def _as_float(series: pd.Series, column: Any, what: str) -> pd.Series:
    if pd.api.types.is_bool_dtype(series.dtype):
        raise DataError(f"{what} column {column!r} is boolean, not scores")
    values, unreadable = numeric_cells(series, blank_is_missing=False)
    if unreadable.any():
        bad = pd.Series(unreadable, index=series.index)
        raise DataError(f"{what} are not numeric: {describe_cells(column, bad, series)}")
    out = pd.Series(values, index=series.index, name=series.name)
    infinite = pd.Series(np.isinf(values), index=out.index)
    if infinite.any():
        raise DataError(f"{what} are infinite: {describe_cells(column, infinite, series)}")
    return out


def scores_of(scores: Any, scale: Any = None, default: Any = None, what: str = "scores") -> Scores:
    """The score column as a float Series (a copy), its name and its scoring method.

    ``scores`` is a DataFrame (``scale`` or ``default`` names the column; with neither,
    the frame's only score column), a Series, or a one-dimensional array or list
    (indexed 0..n-1). The method (sum or mean) comes from ``attrs["efficacy"]`` as
    written by :func:`efficacy.score`, when present.
    """
    if isinstance(scores, pd.DataFrame):
        require_flat_columns(scores, what)
        require_unique_columns(scores, what)
        column = scale if scale is not None else default
        if column is None or (scale is None and column not in scores.columns):
            column = _default_column(scores, what)
        require_columns(scores, [column], what)
        values = _as_float(scores[column], column, what)
        return Scores(values, column, _provenance_method(scores, column))
    if isinstance(scores, pd.Series):
        column = scores.name if scores.name is not None else (scale or default)
        values = _as_float(scores, column, what)
        method = _provenance_method(scores, column)
        if method is None and scale is not None:
            method = _provenance_method(scores, scale)
        return Scores(values, column, method)
    array = np.asarray(scores)
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim != 1:
        raise DataError(f"{what} must be one-dimensional, got shape {array.shape}")
    series = pd.Series(array, index=pd.RangeIndex(len(array)))
    column = scale or default or what
    return Scores(_as_float(series, column, what), column, None)


def check_metric(
    data: Scores, instrument: Instrument, table: NormTable, what: str = "scores"
) -> None:
    """Scores must be on the norm table's metric (sum or mean) and inside its range.

    The provenance written by :func:`efficacy.score` is compared with the table's
    metric; without provenance, scores outside the possible range of that metric are
    the tell-tale (mean scores 1-4 fall below GSE sums 10-40, and vice versa).
    """
    if data.method is not None and data.method != table.metric:
        raise DataError(
            f"{what} in column {data.column!r} were scored as {data.method} scores "
            f"(attrs['efficacy']), but norm table {table.id!r} is on the {table.metric} "
            f"metric; score with method={table.metric!r} or choose a norm table on the "
            f"{data.method} metric"
        )
    low, high = instrument.score_range(table.scale, table.metric)
    values = data.values
    outside = (values < low - 1e-9) | (values > high + 1e-9)
    if outside.any():
        raise DataError(
            f"{what} outside the possible range {low:g}-{high:g} of {instrument.id} scale "
            f"{table.scale!r} on the {table.metric} metric of norm table {table.id!r} "
            f"(are they on another metric?): {describe_cells(data.column, outside, values)}"
        )


def align(first: pd.Series, second: pd.Series, names: tuple[str, str]) -> pd.Series:
    """``second`` reordered to ``first``'s index; labels in only one are an error."""
    for series, name in zip((first, second), names, strict=True):
        if not series.index.is_unique:
            dup = series.index[series.index.duplicated()]
            raise DataError(f"{name} has duplicate index labels {short_list(list(dup))}")
    only_first = first.index.difference(second.index, sort=False)
    only_second = second.index.difference(first.index, sort=False)
    if len(only_first) or len(only_second):
        parts = []
        if len(only_first):
            parts.append(
                f"{len(only_first)} labels only in {names[0]}: {short_list(list(only_first))}"
            )
        if len(only_second):
            parts.append(
                f"{len(only_second)} labels only in {names[1]}: {short_list(list(only_second))}"
            )
        raise DataError(f"{names[0]} and {names[1]} are aligned by index; " + "; ".join(parts))
    return second.reindex(first.index)


# ----------------------------------------------------------------------- groups


def _covariate_name(name: Any, table: NormTable) -> str:
    text = str(name)
    for covariate in table.group_by:
        if covariate.casefold() == text.casefold():
            return covariate
    raise DataError(
        f"column {name!r} is not a covariate of norm table {table.id!r}, which groups by "
        f"{list(table.group_by)}; pass group={{covariate: column}} to map a differently "
        "named column"
    )


def group_columns(
    group: Any,
    scores: Any,
    group_data: pd.DataFrame | pd.Series | None,
    table: NormTable,
    index: pd.Index,
) -> dict[str, pd.Series] | None:
    """Covariate name -> values aligned to ``index``, or None for the single-group case.

    ``group`` is None, a column name, a list of names, or a dict covariate -> column;
    the columns are taken from ``group_data`` when given, else from ``scores``.
    """
    if group is None and group_data is None:
        return None
    if not table.group_by:
        raise DataError(f"norm table {table.id!r} has no groups by covariate; leave group=None")
    source: pd.DataFrame
    if isinstance(group_data, pd.Series):
        name = group_data.name
        if group is None:
            if len(table.group_by) != 1:
                raise DataError(
                    f"norm table {table.id!r} groups by {list(table.group_by)}; pass group="
                )
            group = {table.group_by[0]: name if name is not None else 0}
        source = group_data.to_frame(name if name is not None else 0)
    elif isinstance(group_data, pd.DataFrame):
        source = group_data
        if group is None:
            group = list(table.group_by)
    elif group_data is None:
        if not isinstance(scores, pd.DataFrame):
            raise DataError(
                "group= names columns, but the scores are not a DataFrame; pass the "
                "covariates as group_data= (a DataFrame or Series on the scores' index)"
            )
        source = scores
    else:
        raise DataError(
            f"group_data must be a DataFrame or Series, got {type(group_data).__name__}"
        )
    if isinstance(group, Mapping):
        mapping = {_covariate_name(k, table): v for k, v in group.items()}
    else:
        names = [group] if isinstance(group, str) or not isinstance(group, Sequence) else group
        mapping = {_covariate_name(n, table): n for n in names}
    require_columns(source, list(mapping.values()), "group data")
    if source is not scores:
        if not source.index.is_unique:
            dup = source.index[source.index.duplicated()]
            raise DataError(f"group data has duplicate index labels {short_list(list(dup))}")
        missing = index.difference(source.index, sort=False)
        if len(missing):
            raise DataError(
                f"group data lack {len(missing)} respondents of the scores (aligned by index): "
                f"rows {short_list(list(missing))}"
            )
    return {cov: source[col].reindex(index) for cov, col in mapping.items()}


class _Covariate:
    """One covariate prepared once for matching against every norm group.

    Values are factorised, so categorical matching normalises only the distinct
    values; the numeric form for range covariates is computed on first use.
    """

    def __init__(self, name: str, values: pd.Series) -> None:
        self.name = name
        self.values = values
        self.codes, uniques = pd.factorize(values, use_na_sentinel=True)
        self.uniques = pd.Series(uniques)
        self._numbers: np.ndarray | None = None

    def numbers(self) -> np.ndarray:
        if self._numbers is None:
            numbers, unreadable = numeric_cells(self.values, blank_is_missing=False)
            if unreadable.any():
                bad = pd.Series(unreadable, index=self.values.index)
                raise DataError(
                    f"covariate {self.name!r} is a numeric range in the norm table, but "
                    f"{describe_cells(self.name, bad, self.values)} are not numbers"
                )
            self._numbers = numbers
        return self._numbers

    def matches(self, wanted: Any) -> np.ndarray:
        if isinstance(wanted, tuple):
            low, high = wanted
            array = self.numbers()
            mask = ~np.isnan(array)
            if low is not None:
                mask &= array >= low
            if high is not None:
                mask &= array <= high
            return mask
        hit = self._hit_uniques(wanted)
        return np.append(hit, False)[self.codes]  # code -1 (missing) -> False

    def _hit_uniques(self, wanted: Any) -> np.ndarray:
        uniques = self.uniques
        if len(uniques) == 0:
            return np.zeros(0, dtype=bool)
        if pd.api.types.is_bool_dtype(self.values.dtype):
            if not isinstance(wanted, bool):
                return np.zeros(len(uniques), dtype=bool)
            return (uniques == wanted).to_numpy(dtype=bool)
        if isinstance(wanted, bool):
            wanted = "true" if wanted else "false"
        elif isinstance(wanted, int | float) and pd.api.types.is_numeric_dtype(self.values.dtype):
            return (uniques == wanted).to_numpy(dtype=bool)
        text = uniques.astype("string").str.strip().str.casefold()
        return (text == str(wanted).strip().casefold()).fillna(False).to_numpy(dtype=bool)


def assign_groups(
    covariates: Mapping[str, pd.Series], table: NormTable, norm_id: str | None = None
) -> tuple[np.ndarray, list[NormGroup]]:
    """Each respondent's norm group: codes into the returned groups (-1: none).

    Categorical values match exactly (strings case- and whitespace-insensitively:
    "Male" is ``male``); range covariates match numerically, bounds inclusive. Only
    groups defined by exactly the given covariates are candidates, so a whole-sample
    group never catches respondents whose own group is missing.
    """
    norm_id = norm_id or table.id
    wanted = set(covariates)
    candidates = [g for g in table.groups if set(g.where) == wanted]
    if not candidates:
        labels = [g.label for g in table.groups]
        raise DataError(
            f"norm table {norm_id!r} has no groups defined by {sorted(wanted)}; "
            f"its groups are {labels}"
        )
    index = next(iter(covariates.values())).index
    prepared = {name: _Covariate(name, values) for name, values in covariates.items()}
    codes = np.full(len(index), -1, dtype=np.intp)
    hits = np.zeros(len(index), dtype=np.intp)
    for position, row in enumerate(candidates):
        mask = np.ones(len(index), dtype=bool)
        for covariate, value in row.where.items():
            mask &= prepared[covariate].matches(value)
        codes[mask] = position
        hits += mask
    if (hits > 1).any():
        rows = list(index[hits > 1])
        raise DataError(
            f"norm table {norm_id!r} has overlapping groups: {int((hits > 1).sum())} "
            f"respondents fit more than one, rows {short_list(rows)}"
        )
    return codes, candidates


def describe_missing_groups(
    covariates: Mapping[str, pd.Series], mask: np.ndarray, table: NormTable, n_groups: list[str]
) -> str:
    """Message naming respondents without a norm group and their covariate values."""
    index = next(iter(covariates.values())).index
    rows = list(index[mask])
    shown = []
    for position in np.flatnonzero(mask)[:MAX_LISTED]:
        shown.append({k: _plain(v.iloc[position]) for k, v in covariates.items()})
    values = repr(shown)[:-1] + (", ...]" if len(rows) > MAX_LISTED else "]")
    noun = "respondent" if len(rows) == 1 else "respondents"
    return (
        f"no norm group in table {table.id!r} for {len(rows)} {noun}: rows "
        f"{short_list(rows)}, values {values}; its groups are {n_groups}"
    )


def _plain(value: Any) -> Any:
    if value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def check_identifier(value: str, what: str) -> None:
    """Raise unless ``value`` is a lower-case identifier as instrument files require."""
    if not isinstance(value, str) or not _IDENTIFIER.match(value):
        raise DataError(
            f"{what} must be lower case letters, digits and underscores starting with a "
            f"letter (as in instrument files), got {value!r}"
        )
