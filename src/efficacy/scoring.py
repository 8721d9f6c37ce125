"""Scoring: from raw responses to scale scores with the authors' own rules.

The steps, all vectorised over respondents:

1. match the instrument's items to the data's columns (item ids, a dict, or a template such as
   ``"self{n}"``);
2. code every cell: numbers stay numbers, response labels (and the instrument's
   aliases) become their codes, case- and whitespace-insensitively, and text spelling
   a number (:func:`~efficacy.io._numbers.parse_number`) becomes that number;
   declared missing codes (e.g. 9) and blank cells become missing. A cell is judged
   by its type first (:func:`~efficacy.io._numbers.numeric_cells`): booleans,
   complex numbers, dates and other objects are never response codes, however they
   compare with one;
3. check every cell: a code must be one of the response scale's codes. Out-of-range
   codes, non-integer values (such as person-mean imputed 2.333), unknown labels and
   junk are errors that name the column, rows and values; with
   ``on_invalid="missing"`` they are scored as missing, each cell reported (once);
4. reverse-key by the *declared* range (min + max - x);
5. score each scale: sum or mean of its items, the instrument's minimum-valid rule,
   prorated sums (mean of the answered items x number of items) where allowed.

The caller's data are never changed; ``DataFrame.attrs["efficacy"]`` records the rest.
A dask DataFrame is scored lazily by :mod:`efficacy.distributed`.

Examples
--------
>>> import pandas as pd
>>> import efficacy as ef
>>> data = pd.DataFrame({f"gse{i}": [4, 3] for i in range(1, 11)})
>>> data.loc[1, "gse1"] = None  # one item missing: prorated sum = mean x 10
>>> ef.score(data, "gse")
    gse  gse_n_valid
0  40.0           10
1  30.0            9
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from efficacy._columns import Columns, resolve_columns
from efficacy._dispatch import is_dask, on_dask
from efficacy._exclude import Exclusion, resolve_exclude
from efficacy._version import __version__
from efficacy._warnings import fingerprint, warn_once
from efficacy.errors import (
    DataError,
    InvalidResponseError,
    describe_cells,
    require_flat_columns,
)
from efficacy.instrument._loader import load
from efficacy.instrument._model import Instrument, Scale
from efficacy.io._numbers import numeric_cells, plain_numeric

OnInvalid = Literal["raise", "missing"]
OffGrid = Literal["invalid", "keep"]

#: Problems a response cell can have, as they appear in messages and reports.
OUT_OF_RANGE = "outside the response range"
NOT_A_CODE = "not a response code (non-integer or off the response grid)"
UNKNOWN_LABEL = "unknown label or non-numeric text"
NOT_IN_CODING = "not a code of the chosen coding"
PROBLEMS = ("", OUT_OF_RANGE, NOT_A_CODE, UNKNOWN_LABEL, NOT_IN_CODING)


class InvalidResponseWarning(UserWarning):
    """Invalid response cells were scored as missing (``on_invalid="missing"``)."""


# ------------------------------------------------------------------- coding


@dataclass(frozen=True)
class CodedItems:
    """Coded responses (N x k floats, NaN missing) and every invalid cell found."""

    values: np.ndarray
    invalid: pd.DataFrame
    kept_off_grid: int = 0  # within-range off-grid cells kept as given (off_grid="keep")


#: Rows handled at once by the cell checks and scale sums: bounds temporary memory.
BLOCK_ROWS = 65_536


def _row_blocks(n_rows: int) -> list[slice]:
    return [slice(start, min(start + BLOCK_ROWS, n_rows)) for start in range(0, n_rows, BLOCK_ROWS)]


def _raw_matrix(frame: pd.DataFrame, lookup: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """The cells as floats, and a mask of cells that could not be read as a number or label."""
    if all(plain_numeric(dtype) for dtype in frame.dtypes):
        values = frame.to_numpy(dtype=float, na_value=np.nan, copy=True)  # written in place
        return values, np.zeros(values.shape, dtype=bool)
    values = np.empty(frame.shape, dtype=float)
    unreadable = np.zeros(frame.shape, dtype=bool)
    for j in range(frame.shape[1]):
        values[:, j], unreadable[:, j] = numeric_cells(frame.iloc[:, j], lookup)
    return values, unreadable


def code_items(
    data: pd.DataFrame,
    instrument: Instrument,
    mapping: Mapping[str, Any],
    *,
    coding: str | None = None,
    off_grid: OffGrid = "invalid",
) -> CodedItems:
    """Code every item cell and find the invalid ones (reverse keying not applied).

    With ``off_grid="keep"``, values inside the response range but off its grid (such
    as person-mean imputed 2.333) are kept as given instead of being invalid.

    Returns
    -------
    CodedItems
        ``values``: N x k floats in item order, NaN for missing *and* invalid cells;
        ``invalid``: one row per invalid cell with columns item, column, row (the
        row's label), value and problem; its index, ``position``, is the row's
        0-based position, which tells rows with the same label apart.
    """
    response = instrument.response
    frame = data.loc[:, list(mapping.values())]
    values, unreadable = _raw_matrix(frame, response.label_lookup())
    invalid_kind = np.zeros(values.shape, dtype=np.uint8)  # index into PROBLEMS; 0 = valid
    invalid_kind[unreadable] = PROBLEMS.index(UNKNOWN_LABEL)

    kept = 0
    if coding is not None:
        recode = response.coding(coding).recode
        keys = np.fromiter(recode, dtype=float)
        targets = np.fromiter(recode.values(), dtype=float)
    for rows in _row_blocks(values.shape[0]):
        block = values[rows]  # a view: the checks below write into ``values`` in place
        present = ~np.isnan(block)
        if response.missing_codes:
            declared_missing = present & np.isin(block, response.missing_codes)
            block[declared_missing] = np.nan
            present &= ~declared_missing
        if coding is not None:
            known = np.isin(block, keys)
            invalid_kind[rows][present & ~known] = PROBLEMS.index(NOT_IN_CODING)
            recoded = np.full(block.shape, np.nan)
            for key, target in zip(keys, targets, strict=True):
                recoded[block == key] = target
            block[...] = recoded
            continue
        low, high, step = response.min, response.max, response.step
        in_range = (block >= low) & (block <= high)
        with np.errstate(invalid="ignore"):  # infinite cells: out of range, reported below
            steps = (block - low) / step
            on_grid = np.abs(steps - np.round(steps)) < 1e-9
        if off_grid == "keep":
            kept += int((present & in_range & ~on_grid).sum())
            on_grid |= in_range
        bad = present & ~(in_range & on_grid)
        if bad.any():
            kinds = invalid_kind[rows]
            kinds[present & ~in_range] = PROBLEMS.index(OUT_OF_RANGE)
            kinds[present & in_range & ~on_grid] = PROBLEMS.index(NOT_A_CODE)
            block[bad] = np.nan

    flagged = invalid_kind != 0
    if not flagged.any():
        empty = pd.DataFrame(
            {"item": [], "column": [], "row": [], "value": [], "problem": []},
            index=pd.Index([], dtype=np.intp, name="position"),
        )
        return CodedItems(values, empty, kept)
    rows, cols = np.nonzero(flagged)
    item_ids = list(mapping)
    column_names = list(mapping.values())
    original = [frame.iat[r, c] for r, c in zip(rows, cols, strict=True)]
    invalid = pd.DataFrame(
        {
            "item": [item_ids[c] for c in cols],
            "column": [column_names[c] for c in cols],
            "row": list(data.index[rows]),
            "value": original,
            "problem": [PROBLEMS[k] for k in invalid_kind[rows, cols]],
        },
        index=pd.Index(rows.astype(np.intp), name="position"),
    )
    return CodedItems(values, invalid, kept)


def _invalid_message(
    instrument: Instrument, invalid: pd.DataFrame, data: pd.DataFrame, coding: str | None
) -> str:
    response = instrument.response
    allowed = (
        f"codes of coding {coding!r}: {sorted(response.coding(coding).recode)}"
        if coding is not None
        else f"codes {response.min:g}-{response.max:g}"
        + (f" in steps of {response.step:g}" if response.step != 1 else "")
    )
    labels = ", ".join(repr(label) for label in response.labels.values())
    lines = [
        f"{len(invalid)} invalid response cells for {instrument.id} "
        f"(allowed: {allowed}; labels {labels}"
        + (
            f"; missing codes {[f'{c:g}' for c in response.missing_codes]}"
            if response.missing_codes
            else ""
        )
        + "):"
    ]
    for (column, problem), cells in invalid.groupby(["column", "problem"], sort=False):
        flags = np.zeros(len(data), dtype=bool)
        flags[cells.index.to_numpy(dtype=np.intp)] = True
        mask = pd.Series(flags, index=data.index)
        lines.append(f"  {problem}: " + describe_cells(column, mask, data[column]))
    lines.append('Pass on_invalid="missing" to score these cells as missing (each is reported).')
    return "\n".join(lines)


def _check_frame(data: Any) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    require_flat_columns(data)
    if data.shape[0] == 0:
        raise DataError("data has no rows")
    return data


def _coded(
    data: pd.DataFrame,
    instrument: Instrument,
    columns: Columns,
    coding: str | None,
    on_invalid: OnInvalid,
    off_grid: OffGrid = "invalid",
) -> tuple[CodedItems, dict[str, Any]]:
    if on_invalid not in ("raise", "missing"):
        raise DataError(f"on_invalid must be 'raise' or 'missing', got {on_invalid!r}")
    if off_grid not in ("invalid", "keep"):
        raise DataError(f"off_grid must be 'invalid' or 'keep', got {off_grid!r}")
    if coding is not None:
        try:
            instrument.response.coding(coding)
        except KeyError as exc:
            raise DataError(str(exc.args[0])) from None
    mapping = resolve_columns(instrument, data, columns)
    coded = code_items(data, instrument, mapping, coding=coding, off_grid=off_grid)
    if coded.kept_off_grid:
        warn_once(
            f"{coded.kept_off_grid} response cells inside the response range but off its "
            "grid (e.g. person-mean imputed values) were kept as given (off_grid='keep')",
            key=(instrument.id, id(data)),
            stacklevel=3,
        )
    if len(coded.invalid):
        if on_invalid == "raise":
            raise InvalidResponseError(
                _invalid_message(instrument, coded.invalid, data, coding), coded.invalid
            )
        counts = coded.invalid.groupby("column", sort=False).size()
        summary = ", ".join(f"{column!r}: {n}" for column, n in counts.items())
        warn_once(
            f"{len(coded.invalid)} invalid response cells scored as missing ({summary}); "
            'the full list is in attrs["efficacy"]["invalid_cells"]',
            InvalidResponseWarning,
            key=(instrument.id, fingerprint(coded.invalid[["column", "row", "value"]])),
            stacklevel=3,
        )
    return coded, mapping


def _reverse(values: np.ndarray, instrument: Instrument) -> np.ndarray:
    reversed_items = [j for j, item in enumerate(instrument.items) if item.reversed]
    if not reversed_items:
        return values
    values = values.copy()
    flip = instrument.response.min + instrument.response.max
    values[:, reversed_items] = flip - values[:, reversed_items]
    return values


def item_responses(
    data: pd.DataFrame,
    instrument: str | Instrument,
    columns: Columns = None,
    *,
    coding: str | None = None,
    on_invalid: OnInvalid = "raise",
    reverse: bool = True,
    off_grid: OffGrid = "invalid",
) -> pd.DataFrame:
    """Coded item responses, one float column per item (named by item id).

    The input to reliability analyses: labels are coded, missing codes and blanks are NaN, and
    with ``reverse=True`` reverse-keyed items are flipped by the declared range, so every item
    points the same way. ``off_grid`` is as in :func:`score`.

    Examples
    --------
    >>> import efficacy as ef
    >>> raw = pd.DataFrame({f"gse{i}": ["Exactly true", "barely TRUE "] for i in range(1, 11)})
    >>> ef.item_responses(raw, "gse").iloc[:, :3]
       gse1  gse2  gse3
    0   4.0   4.0   4.0
    1   2.0   2.0   2.0
    """
    if is_dask(data):
        return on_dask("item_responses", **locals())
    inst = load(instrument)
    coded, _ = _coded(_check_frame(data), inst, columns, coding, on_invalid, off_grid)
    return items_frame(coded, inst, data.index, reverse=reverse)


def items_frame(
    coded: CodedItems, instrument: Instrument, index: pd.Index, *, reverse: bool = True
) -> pd.DataFrame:
    """The item frame of :func:`item_responses` from responses coded once."""
    values = _reverse(coded.values, instrument) if reverse else coded.values
    frame = pd.DataFrame(values, index=index, columns=list(instrument.item_ids))
    frame.attrs["efficacy"] = {
        "instrument": instrument.id,
        "reversed": reverse,
        "invalid_cells": coded.invalid,
    }
    return frame


def code_responses(
    data: pd.DataFrame,
    instrument: Instrument,
    columns: Columns = None,
    *,
    coding: str | None = None,
    on_invalid: OnInvalid = "raise",
    off_grid: OffGrid = "invalid",
) -> tuple[CodedItems, dict[str, Any]]:
    """Responses coded and checked once, with the item -> column mapping used.

    Everything :func:`score` and :func:`item_responses` compute follows from this
    (:func:`scores_frame`, :func:`items_frame`): a caller that needs both codes the data once.
    """
    return _coded(_check_frame(data), instrument, columns, coding, on_invalid, off_grid)


def scale_scores(
    values: np.ndarray, instrument: Instrument, scale: Scale, method: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Scores and valid-item counts of one scale from coded, reversed responses.

    ``method`` overrides the scale's own. A sum asked of a scale with missing items is
    prorated (mean of the answered items x number of items) when the scale allows prorating or
    is scored as a mean by its authors; otherwise only complete rows get a sum.
    """
    method = method or scale.method
    positions = [instrument.item_ids.index(item) for item in scale.items]
    whole = positions == list(range(values.shape[1]))
    n_valid = np.empty(values.shape[0], dtype=np.int64)
    total = np.empty(values.shape[0])
    for rows in _row_blocks(values.shape[0]):
        part = values[rows] if whole else values[rows][:, positions]
        answered = ~np.isnan(part)
        n_valid[rows] = answered.sum(axis=1)
        total[rows] = np.where(answered, part, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / n_valid
    k = scale.n_items
    if method == "mean":
        scores = mean
    elif scale.prorate or scale.method == "mean":
        scores = mean * k
    else:
        scores = np.where(n_valid == k, total, np.nan)
    scores[n_valid < scale.min_valid] = np.nan
    return scores, n_valid


def score(
    data: pd.DataFrame,
    instrument: str | Instrument,
    columns: Columns = None,
    *,
    coding: str | None = None,
    method: Literal["sum", "mean", "irt"] | None = None,
    scales: str | list[str] | None = None,
    on_invalid: OnInvalid = "raise",
    exclude: Any = None,
    off_grid: OffGrid = "invalid",
) -> pd.DataFrame:
    """Score questionnaire data with an instrument's own rules.

    Parameters
    ----------
    data
        Raw responses, one row per respondent (a dask DataFrame: scored lazily, see above).
    instrument
        A bundled id (``"gse"``), a path to an instrument file, or an Instrument.
    columns
        ``None`` (columns named by item id), a dict item id -> column, or a template
        such as ``"self{n}"`` (``{n}`` item number, ``{id}`` item id, each with an
        optional format spec: ``"q{n:02d}"`` gives ``q01`` ... ``q10``).
    coding
        An alternative coding the instrument declares (e.g. RSES ``"one_to_four"``).
    method
        ``"sum"`` or ``"mean"`` for every scale instead of the instrument's own, or
        ``"irt"``: trait scores (EAP) from the item parameters in the instrument's
        ``irt:`` section, without fitting (``<scale>_theta``, ``_se``, ``_T`` = 50 + 10
        theta, ``_n_valid`` and ``_status`` per calibrated scale).
    scales
        Which scales to score (default all; with ``method="irt"`` every calibrated
        scale): a list of scale ids, or one scale id.
    on_invalid
        ``"raise"`` (default): invalid cells are an :class:`InvalidResponseError`.
        ``"missing"``: they are scored as missing, with a warning, and listed in
        ``attrs["efficacy"]["invalid_cells"]``.
    exclude
        Respondents to score as missing: a screen result (:func:`efficacy.screen`, its
        flagged respondents), a boolean Series on ``data``'s index such as
        ``screen.flagged``, or a list of row labels. They are listed, with the rule and
        the reasons, in ``attrs["efficacy"]["excluded"]``.
    off_grid
        ``"invalid"`` (default): a value inside the response range but off its grid
        (a non-integer such as a person-mean imputed 2.333 on a 1-4 scale) is an
        invalid cell, handled by ``on_invalid``. ``"keep"``: such values are kept as
        given and scored, with a warning counting them (e.g. to reproduce analyses of
        a data file whose authors imputed person means). Out-of-range values stay
        invalid either way.

    Returns
    -------
    DataFrame
        On ``data``'s index: one float column per scale named by scale id (NaN where
        the missing rule says "do not score"), then ``<scale>_n_valid`` per scale.

    Raises
    ------
    DataError
        Missing or duplicate columns, MultiIndex columns, a bad column template, an
        empty frame.
    InvalidResponseError
        Out-of-range codes, unknown labels, non-integer values, junk: text that is
        neither a label nor a number (:func:`~efficacy.io._numbers.parse_number`),
        booleans, complex numbers, dates, lists and other objects. The message names each
        column, the rows (by position when row labels repeat) and the values.

    Examples
    --------
    >>> import efficacy as ef
    >>> data = pd.DataFrame({f"item{i}": [1, 4, None] for i in range(1, 11)})
    >>> ef.score(data, "gse", columns="item{n}")["gse"].tolist()
    [10.0, 40.0, nan]
    """
    if is_dask(data):
        return on_dask("score", **locals())
    inst = load(instrument)
    data = _check_frame(data)
    if method not in (None, "sum", "mean", "irt"):
        raise DataError(f"method must be 'sum', 'mean' or 'irt', got {method!r}")
    if isinstance(scales, str):
        scales = [scales]
    chosen = list(inst.scales) if scales is None else [_scale(inst, s) for s in scales]
    coded, mapping = _coded(data, inst, columns, coding, on_invalid, off_grid)
    excluded = None if exclude is None else resolve_exclude(data, exclude)
    if method == "irt":
        return _theta_frame(coded, mapping, inst, data.index, scales, coding, excluded)
    return scores_frame(
        coded,
        mapping,
        inst,
        data.index,
        scales=chosen,
        method=method,
        coding=coding,
        excluded=excluded,
    )


def scores_frame(
    coded: CodedItems,
    mapping: dict[str, Any],
    instrument: Instrument,
    index: pd.Index,
    *,
    scales: list[Scale] | None = None,
    method: Literal["sum", "mean"] | None = None,
    coding: str | None = None,
    excluded: Exclusion | None = None,
) -> pd.DataFrame:
    """The scores frame of :func:`score` (with its provenance) from responses coded once."""
    chosen = list(instrument.scales) if scales is None else scales
    values = _reverse(coded.values, instrument)
    if excluded is not None:
        values = excluded.apply(values)
    result: dict[str, Any] = {}
    counts: dict[str, Any] = {}
    for scale in chosen:
        result[scale.id], counts[f"{scale.id}_n_valid"] = scale_scores(
            values, instrument, scale, method
        )
    out = pd.DataFrame({**result, **counts}, index=index)
    out.attrs["efficacy"] = {
        "instrument": instrument.id,
        "instrument_version": instrument.version,
        "instrument_sha256": instrument.sha256,
        "package_version": __version__,
        "methods": {scale.id: method or scale.method for scale in chosen},
        "coding": coding,
        "columns": dict(mapping),
        "invalid_cells": coded.invalid,
        "excluded": None if excluded is None else excluded.provenance,
    }
    return out


def _theta_frame(
    coded: CodedItems,
    mapping: dict[str, Any],
    instrument: Instrument,
    index: pd.Index,
    scales: list[str] | None,
    coding: str | None,
    excluded: Exclusion | None,
) -> pd.DataFrame:
    """``score(method="irt")``: trait scores from the instrument's published parameters."""
    from efficacy.item_response._theta import theta_scores

    values = _reverse(coded.values, instrument)
    if excluded is not None:
        values = excluded.apply(values)
    out = theta_scores(values, instrument, index, scales=scales)
    out.attrs["efficacy"] = {
        "instrument": instrument.id,
        "instrument_version": instrument.version,
        "instrument_sha256": instrument.sha256,
        "package_version": __version__,
        **out.attrs["efficacy"],
        "coding": coding,
        "columns": dict(mapping),
        "invalid_cells": coded.invalid,
        "excluded": None if excluded is None else excluded.provenance,
    }
    return out


def _scale(instrument: Instrument, scale_id: str) -> Scale:
    try:
        return instrument.scale(scale_id)
    except KeyError as exc:
        raise DataError(str(exc.args[0])) from None
