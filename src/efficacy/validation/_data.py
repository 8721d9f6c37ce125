"""From user input to the factor structure and per-group complete rows.

The factors come either from an instrument (its subscales; a scale whose items are the
union of two or more other scales is a total, not a factor; a single-scale instrument
is one factor) or from a ``model`` dict ``{factor: [items]}``. Instrument data go
through :func:`efficacy.item_responses`, so labels are coded and reverse-keyed items
reversed (a reversal changes no fit index, only the sign of the item's loading).

Missing data are handled listwise, as lavaan does by default, or by full-information
ML (``missing="fiml"``; rows with no answered item are dropped, as lavaan does). The
rows dropped are counted and reported by the result, never silently.

Examples
--------
>>> import efficacy as ef
>>> factors_from_instrument(ef.load("tses"))["management"][:3]
['tses3', 'tses5', 'tses8']
>>> list(factors_from_instrument(ef.load("gse")))
['gse']
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from efficacy.errors import DataError, require_columns, short_list
from efficacy.instrument import Instrument
from efficacy.validation._fiml import MissingGroup
from efficacy.validation._ml import GroupData
from efficacy.validation._warnings import FitWarning, ModelError


def factors_from_instrument(inst: Instrument) -> dict[str, list[str]]:
    """The instrument's subscales as factors; totals (unions of other scales) left out."""
    scales = list(inst.scales)
    factors: dict[str, list[str]] = {}
    for scale in scales:
        others = [s for s in scales if s.id != scale.id and set(s.items) < set(scale.items)]
        union = set().union(*(set(s.items) for s in others)) if others else set()
        if len(others) >= 2 and union == set(scale.items):
            continue
        factors[scale.id] = list(scale.items)
    return factors


@dataclass(frozen=True)
class Prepared:
    """What the estimators need: the factors, the items and the complete rows per group."""

    factors: dict[str, list[str]]
    items: tuple[str, ...]
    groups: tuple[GroupData, ...]
    group_labels: tuple[Any, ...]
    n_dropped: int
    reversed_items: tuple[str, ...]
    instrument: str | None
    residual_covariances: tuple[tuple[str, str], ...] = ()


def _check_factors(factors: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """The factors as lists; an item may load on several factors (a cross-loading), but
    not twice on one, and an item cannot share a factor's name."""
    if not factors:
        raise ModelError("the model has no factors")
    out = {}
    for name, items in factors.items():
        if isinstance(items, str):
            raise ModelError(f"factor {name!r}: give its items as a list, not the string {items!r}")
        items = list(items)
        if len(items) < 2:
            raise ModelError(
                f"factor {name!r} has {len(items)} item(s) {items}: a factor needs at least "
                "3 items (2 if it correlates with other factors)"
            )
        twice = sorted({str(item) for item in items if items.count(item) > 1})
        if twice:
            raise ModelError(f"factor {name!r} lists item(s) {twice} more than once")
        out[str(name)] = items
    clash = sorted(set(out) & {str(i) for items in out.values() for i in items})
    if clash:
        raise ModelError(f"{clash} are named both as a factor and as an item")
    for name, items in out.items():
        if len(items) == 2:
            if len(out) == 1:
                raise ModelError(
                    f"factor {name!r} has only 2 items {items}: a one-factor model needs at "
                    "least 3 items to be identified"
                )
            warnings.warn(
                f"factor {name!r} has only 2 items {items}: it is identified only through "
                "its covariances with the other factors",
                FitWarning,
                stacklevel=4,
            )
    return out


def model_items(factors: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """The items of the model in the order lavaan meets them (a cross-loaded item once)."""
    return tuple(dict.fromkeys(item for name in factors for item in factors[name]))


def check_residual_covariances(pairs: Any, items: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """Residual covariances as ``(item, item)`` pairs of model items, each pair once."""
    if pairs is None:
        return ()
    if isinstance(pairs, str) or not isinstance(pairs, Sequence | set | frozenset):
        raise ModelError(
            f"residual_covariances must be a list of item pairs such as [('x1', 'x2')], "
            f"not {pairs!r}"
        )
    out: list[tuple[str, str]] = []
    seen: dict[frozenset, tuple[str, str]] = {}
    known = set(items)
    for pair in pairs:
        if isinstance(pair, str) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise ModelError(f"residual covariance {pair!r} is not a pair of items")
        a, b = pair
        for item in (a, b):
            if item not in known:
                raise ModelError(
                    f"residual covariance {a!r} ~~ {b!r}: {item!r} is not an item of the "
                    f"model {short_list(list(items))}"
                )
        if a == b:
            raise ModelError(
                f"residual covariance {a!r} ~~ {b!r} pairs an item with itself (its residual "
                "variance is always in the model)"
            )
        key = frozenset((a, b))
        if key in seen:
            raise ModelError(
                f"residual covariance {a!r} ~~ {b!r} is listed twice (as {seen[key]!r})"
            )
        seen[key] = (a, b)
        out.append((a, b))
    return tuple(out)


def resolve_model(
    data: Any, instrument: Any, model: Any, group: str | None, on_invalid: str = "raise"
) -> tuple[dict[str, tuple[str, ...]], Any, tuple[str, ...], str | None]:
    """The factors, the coded item frame (None without an instrument), the reversed items
    and the instrument id, from an instrument or a ``model=`` mapping.

    ``data`` may be a pandas or a dask frame: with an instrument, its responses are coded
    and reverse-keyed by :func:`efficacy.item_responses` (lazily on dask).
    """
    if on_invalid not in ("raise", "missing"):
        raise DataError(f"on_invalid must be 'raise' or 'missing', got {on_invalid!r}")
    if instrument is None:
        if model is None:
            raise ModelError("give an instrument (e.g. 'tses') or a model {factor: [items]}")
        return _check_factors(dict(model)), None, (), None
    import efficacy as ef

    inst = ef.load(instrument)
    factors = dict(model) if model is not None else factors_from_instrument(inst)
    source = data.drop(columns=[group]) if group is not None and group in data else data
    frame = ef.item_responses(source, inst, on_invalid=on_invalid)  # type: ignore[arg-type]
    return _check_factors(factors), frame, inst.reverse_items, inst.id


def wlsmv_rows(missing: str) -> str:
    """The rows :func:`prepare` keeps for a WLSMV fit with ``missing``: complete rows
    (``"listwise"``), or every row with an answer (``"pairwise"``: prepare's ``"fiml"``
    keeps exactly those).

    Raises
    ------
    ModelError
        ``missing`` is neither ``"listwise"`` nor ``"pairwise"``.
    """
    if missing not in ("listwise", "pairwise"):
        raise ModelError(f"WLSMV takes missing='listwise' or 'pairwise', not {missing!r}")
    return "fiml" if missing == "pairwise" else "listwise"


def prepare(
    data: pd.DataFrame,
    instrument: str | Instrument | None,
    model: Mapping[str, Sequence[str]] | None,
    group: str | None,
    missing: str = "listwise",
    on_invalid: str = "raise",
    residual_covariances: Sequence[tuple[str, str]] | None = (),
) -> Prepared:
    """Check the input and split the rows by group.

    ``missing="listwise"`` keeps complete rows (:class:`GroupData`); ``"fiml"`` keeps
    every row with at least one answered item (:class:`MissingGroup`).
    ``residual_covariances`` are checked against the model's items.
    """
    if missing not in ("listwise", "fiml"):
        if missing == "pairwise":
            raise ModelError(
                "missing='pairwise' is for estimator='WLSMV'; ML and MLR take "
                "missing='listwise' or 'fiml'"
            )
        raise ModelError(f"unknown missing={missing!r}; use 'listwise' or 'fiml'")
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    factors, items_frame, reversed_items, inst_id = resolve_model(
        data, instrument, model, group, on_invalid
    )
    items = model_items(factors)
    pairs = check_residual_covariances(residual_covariances, items)
    if items_frame is None:
        require_columns(data, items)
        items_frame = data[list(items)]
        for item in items:
            column = items_frame[item]
            if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
                raise DataError(
                    f"item {item!r} is not numeric (dtype {column.dtype}); values "
                    f"{short_list(list(pd.unique(column.dropna())))}"
                )
    else:
        missing = [item for item in items if item not in items_frame.columns]
        if missing:
            raise ModelError(f"model items {missing} are not items of {inst_id!r}")
        items_frame = items_frame[list(items)]
    values = items_frame.to_numpy(dtype=float)
    if group is not None:
        require_columns(data, [group])
        labels_all = data[group]
        bad = labels_all.isna()
        if bad.any():
            raise DataError(
                f"group column {group!r} is missing in {int(bad.sum())} rows "
                f"{short_list(list(data.index[bad.to_numpy()]))}"
            )
        labels = tuple(pd.unique(labels_all))
        codes = pd.Categorical(labels_all, categories=list(labels)).codes
    else:
        labels = ("all",)
        codes = np.zeros(len(data), dtype=int)
    answered = ~np.isnan(values)
    complete = answered.any(axis=1) if missing == "fiml" else answered.all(axis=1)
    groups = []
    for g, label in enumerate(labels):
        rows = values[(codes == g) & complete]
        where = f" in group {group}={label!r}" if group is not None else ""
        if rows.shape[0] < 2:
            raise DataError(f"only {rows.shape[0]} usable rows{where}")
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            sd = np.nanstd(rows, axis=0)
            first = np.nanmax(rows, axis=0)
        flat = [items[j] for j in np.flatnonzero(~(sd > 0))]
        if flat:
            raise DataError(
                f"item(s) {flat} have no variance{where} (every answer is "
                f"{[float(first[items.index(i)]) for i in flat]})"
            )
        groups.append(
            MissingGroup.from_array(rows) if missing == "fiml" else GroupData.from_array(rows)
        )
    return Prepared(
        factors=factors,
        items=items,
        groups=tuple(groups),
        group_labels=labels,
        n_dropped=int((~complete).sum()),
        reversed_items=tuple(i for i in reversed_items if i in items),
        instrument=inst_id,
        residual_covariances=pairs,
    )


def check_rows(prepared: Prepared, n_free: int) -> None:
    """Fewer rows than free parameters: no estimate can be trusted."""
    n = sum(g.n for g in prepared.groups)
    if n < n_free:
        raise DataError(
            f"{n} usable rows for {n_free} free parameters: a CFA needs more rows than "
            f"parameters ({prepared.n_dropped} rows with missing items were dropped)"
        )
