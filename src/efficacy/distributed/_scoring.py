"""Scores and item frames of a dask DataFrame: lazily, partition by partition.

Invalid cells are found first, in one pass that brings back only those cells (with
each partition's length, so that positions count over the whole frame), and are
raised or warned about exactly as :func:`efficacy.score` does in memory. The scores
themselves stay lazy: each partition is scored by the in-memory code.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from efficacy import scoring
from efficacy.errors import DataError, InvalidResponseError
from efficacy.instrument._loader import load
from efficacy.instrument._model import Instrument


def _require_dask_frame(data: Any) -> Any:
    import dask.dataframe as dd

    if not isinstance(data, dd.DataFrame):
        raise DataError(f"data must be a dask DataFrame, got {type(data).__name__}")
    return data


def _partition_invalid(
    part: pd.DataFrame,
    instrument: Instrument,
    mapping: dict[str, Any],
    coding: str | None,
    off_grid: str,
) -> tuple[int, pd.DataFrame, int]:
    if len(part) == 0:
        return 0, pd.DataFrame(), 0
    coded = scoring.code_items(part, instrument, mapping, coding=coding, off_grid=off_grid)  # type: ignore[arg-type]
    return len(part), coded.invalid, coded.kept_off_grid


def invalid_cells(
    data: Any,
    instrument: str | Instrument,
    columns: scoring.Columns = None,
    *,
    coding: str | None = None,
    off_grid: scoring.OffGrid = "invalid",
) -> tuple[pd.DataFrame, int, int]:
    """Every invalid response cell of a dask DataFrame, in one pass over it.

    Returns
    -------
    tuple
        The invalid cells as :func:`efficacy.scoring.code_items` lists them (item,
        column, row label, value, problem; indexed by the 0-based position over the
        whole frame), the number of rows, and the number of off-grid cells kept.
    """
    import dask

    inst = load(instrument)
    data = _require_dask_frame(data)
    mapping = scoring.resolve_columns(inst, data._meta, columns)
    if coding is not None:
        try:
            inst.response.coding(coding)
        except KeyError as exc:
            raise DataError(str(exc.args[0])) from None
    task = dask.delayed(_partition_invalid, pure=True)
    parts = dask.compute(*[task(p, inst, mapping, coding, off_grid) for p in data.to_delayed()])
    frames, offset, kept = [], 0, 0
    for n_rows, found, kept_here in parts:
        if len(found):
            found = found.copy()
            found.index = pd.Index(found.index.to_numpy() + offset, name="position")
            frames.append(found)
        offset += n_rows
        kept += kept_here
    if not frames:
        empty = scoring.code_items(
            data._meta.iloc[:0], inst, mapping, coding=coding, off_grid=off_grid
        ).invalid
        return empty, offset, kept
    return pd.concat(frames), offset, kept


def _check(
    data: Any,
    inst: Instrument,
    columns: scoring.Columns,
    coding: str | None,
    on_invalid: str,
    off_grid: str,
) -> pd.DataFrame:
    """The in-memory checks of ``score``, on the whole dask frame."""
    if on_invalid not in ("raise", "missing"):
        raise DataError(f"on_invalid must be 'raise' or 'missing', got {on_invalid!r}")
    if off_grid not in ("invalid", "keep"):
        raise DataError(f"off_grid must be 'invalid' or 'keep', got {off_grid!r}")
    invalid, n_rows, kept = invalid_cells(
        data,
        inst,
        columns,
        coding=coding,
        off_grid=off_grid,  # type: ignore[arg-type]
    )
    if n_rows == 0:
        raise DataError("data has no rows")
    if kept:
        warnings.warn(
            f"{kept} response cells inside the response range but off its grid (e.g. "
            "person-mean imputed values) were kept as given (off_grid='keep')",
            UserWarning,
            stacklevel=4,
        )
    if len(invalid) == 0:
        return invalid
    if on_invalid == "raise":
        raise InvalidResponseError(_message(inst, invalid, coding), invalid)
    counts = invalid.groupby("column", sort=False).size()
    summary = ", ".join(f"{column!r}: {n}" for column, n in counts.items())
    warnings.warn(
        f"{len(invalid)} invalid response cells scored as missing ({summary}); "
        "the full list is returned by efficacy.distributed.invalid_cells",
        scoring.InvalidResponseWarning,
        stacklevel=4,
    )
    return invalid


def _message(inst: Instrument, invalid: pd.DataFrame, coding: str | None) -> str:
    """The in-memory message, from the invalid cells alone (their rows, their values)."""
    positions = np.unique(invalid.index.to_numpy())
    where = {p: i for i, p in enumerate(positions)}
    labels = invalid.groupby(level=0)["row"].first().reindex(positions)
    cells = pd.DataFrame(index=pd.Index(labels.to_list()))
    local = invalid.copy()
    local.index = pd.Index([where[p] for p in invalid.index], name="position")
    for column, group in local.groupby("column", sort=False):
        values = np.full(len(positions), None, dtype=object)
        values[group.index.to_numpy()] = group["value"].to_numpy(dtype=object)
        cells[column] = values
    return scoring._invalid_message(inst, local, cells, coding)


def _score_part(part: pd.DataFrame, meta: pd.DataFrame, **options: Any) -> pd.DataFrame:
    if len(part) == 0:
        return meta
    with warnings.catch_warnings():  # found and reported once, over the whole frame
        warnings.simplefilter("ignore")
        out = options.pop("function")(part, on_invalid="missing", **options)
    out.attrs = {}
    return out


def _meta(function: Any, data: Any, **options: Any) -> pd.DataFrame:
    """The empty result frame: the function applied to one blank row."""
    blank = pd.DataFrame({c: pd.Series([np.nan], dtype=object) for c in data._meta.columns})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = function(blank, on_invalid="missing", **options).iloc[:0]
    out.index = data._meta.index[:0]
    out.attrs = {}
    return out


def score_options(
    inst: Instrument,
    columns: scoring.Columns,
    coding: str | None,
    off_grid: str,
    method: str | None,
    scales: str | list[str] | None,
) -> dict[str, Any]:
    """The options every partition is scored with (``on_invalid`` is checked once, over
    the whole frame, and the partitions score invalid cells as missing)."""
    options = {"instrument": inst, "columns": columns, "coding": coding, "off_grid": off_grid}
    options.update(method=method, scales=scales)
    return options


def map_scores(frame: Any, meta: pd.DataFrame, options: dict[str, Any]) -> Any:
    """The lazy score frame of the dask frame ``frame``, its partitions scored in memory
    with ``options`` (from :func:`score_options`) into frames like ``meta``."""
    return frame.map_partitions(
        _score_part, meta, function=scoring.score, **options, meta=meta, align_dataframes=False
    )


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

    The invalid cells are checked first (one pass, see the module docstring); the
    scores are computed when the result is. ``exclude=`` needs in-memory data
    (screen results and row lists are in-memory objects) and is refused.
    """
    inst = load(instrument)
    data = _require_dask_frame(data)
    if exclude is not None:
        raise DataError(
            "exclude= on a dask DataFrame takes the lazy result of ef.screen on that frame "
            "or a boolean dask Series partitioned like it (such as its .flagged), not "
            f"{type(exclude).__name__}"
        )
    options = score_options(inst, columns, coding, off_grid, method, scales)
    meta = _meta(scoring.score, data, **options)
    _check(data, inst, columns, coding, on_invalid, off_grid)
    return map_scores(data, meta, options)


def item_responses(
    data: Any,
    instrument: str | Instrument,
    columns: scoring.Columns = None,
    *,
    coding: str | None = None,
    on_invalid: scoring.OnInvalid = "raise",
    reverse: bool = True,
    off_grid: scoring.OffGrid = "invalid",
) -> Any:
    """:func:`efficacy.item_responses` of a dask DataFrame: a lazy dask item frame."""
    inst = load(instrument)
    data = _require_dask_frame(data)
    options = {"instrument": inst, "columns": columns, "coding": coding, "off_grid": off_grid}
    options.update(reverse=reverse)
    meta = _meta(scoring.item_responses, data, **options)
    _check(data, inst, columns, coding, on_invalid, off_grid)
    return data.map_partitions(
        _score_part,
        meta,
        function=scoring.item_responses,
        **options,
        meta=meta,
        align_dataframes=False,
    )
