"""Cell-level options shared by every reader: missing codes, recoding, value labels.

Specifications name columns, or ``"*"`` for every column the format counts as
response data (for Qualtrics the question columns, for REDCap every field but the
record id and REDCap's own columns, otherwise every column); a column named
explicitly takes its own entry instead of the ``"*"`` one.

Examples
--------
>>> frame = pd.DataFrame({"q1": [1, 9, 3], "q2": ["a", "-99", "b"]})
>>> spec = per_column([9, -99], list(frame.columns), list(frame.columns), "missing", "x")
>>> out, counts = apply_missing(frame, spec)
>>> out["q1"].tolist(), counts
([1.0, nan, 3.0], {'q1': 1, 'q2': 1})
"""

from __future__ import annotations

import contextlib
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from efficacy._read_common import LISTED_VALUES, _narrow, blank_cells
from efficacy.errors import DataError
from efficacy.instrument import normalise_label


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def per_column(
    spec: Any, columns: Sequence[Any], star: Sequence[Any], what: str, name: str
) -> dict[Any, Any]:
    """Expand a specification (a list for ``"*"``, or a dict) to column -> entry."""
    if spec is None:
        return {}
    if isinstance(spec, str) or not isinstance(spec, Mapping | Sequence | set | tuple):
        spec = [spec]
    if not isinstance(spec, Mapping):
        spec = {"*": list(spec)}
    unknown = [key for key in spec if key != "*" and key not in columns]
    if unknown:
        raise DataError(
            f"{what} names columns that {name} does not have: {unknown[:LISTED_VALUES]}"
        )
    out: dict[Any, Any] = {}
    if "*" in spec:
        out = {column: spec["*"] for column in star}
    out.update({key: value for key, value in spec.items() if key != "*"})
    return out


def match_values(column: pd.Series, values: Sequence[Any]) -> np.ndarray:
    """Cells of ``column`` equal to one of ``values`` (numbers by value, text as written).

    Text cells are compared after trimming; a number also matches text that reads as
    that number (``"-99"``), and text that reads as a number matches numeric cells.
    """
    values = list(values)
    texts = [str(v).strip() for v in values if isinstance(v, str)]
    wanted = [float(v) for v in values if _is_number(v)]
    for text in texts:
        with contextlib.suppress(ValueError):
            wanted.append(float(text))
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return np.zeros(len(column), dtype=bool)
    if pd.api.types.is_numeric_dtype(dtype):
        return column.isin(wanted).to_numpy(dtype=bool, na_value=False)
    if not (pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype)):
        return column.isin(values).to_numpy(dtype=bool, na_value=False)
    text = column.astype("string").str.strip()
    hits = text.isin(texts).to_numpy(dtype=bool, na_value=False)
    if wanted:
        as_number = pd.to_numeric(text, errors="coerce")
        hits = hits | as_number.isin(wanted).to_numpy(dtype=bool, na_value=False)
    return hits


def apply_missing(
    frame: pd.DataFrame, codes: Mapping[Any, Sequence[Any]]
) -> tuple[pd.DataFrame, dict[Any, int]]:
    """Cells holding a declared missing code become missing; returns counts per column."""
    counts: dict[Any, int] = {}
    if not codes:
        return frame, counts
    frame = frame.copy()
    for column, values in codes.items():
        values = [values] if isinstance(values, str) or _is_number(values) else list(values)
        hits = match_values(frame[column], values)
        if hits.any():
            frame[column] = frame[column].where(~hits)
            counts[column] = int(hits.sum())
    return frame, counts


def apply_recode(
    frame: pd.DataFrame, recode: Mapping[Any, Mapping[Any, Any]], name: str
) -> tuple[pd.DataFrame, dict[Any, int], dict[Any, list[Any]]]:
    """Replace values by codes, ``{column: {value: code}}`` (all at once, never chained).

    Numeric keys match numbers (and numerals in text columns); text keys match text
    cells case- and whitespace-insensitively. Returns the frame, the number of cells
    recoded per column and, for text columns, the values left as they were.
    """
    counts: dict[Any, int] = {}
    left: dict[Any, list[Any]] = {}
    if not recode:
        return frame, counts, left
    frame = frame.copy()
    for column, mapping in recode.items():
        if not isinstance(mapping, Mapping):
            raise DataError(f"recode for {column!r} must be a dict value -> code")
        bad = [code for code in mapping.values() if code is not None and not _is_number(code)]
        if bad:
            raise DataError(
                f"recode for {column!r}: codes must be numbers (or None for missing), "
                f"got {bad[:LISTED_VALUES]}"
            )
        original = frame[column]
        blank = blank_cells(original)
        numeric = pd.api.types.is_numeric_dtype(original.dtype) and not pd.api.types.is_bool_dtype(
            original.dtype
        )
        if numeric:
            number = original.to_numpy(dtype=float, na_value=np.nan)
            text = None
        else:
            text = original.astype("string").str.strip()
            number = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            text = text.map(normalise_label, na_action="ignore")
        result = np.full(len(original), np.nan)
        matched = np.zeros(len(original), dtype=bool)
        for key, code in mapping.items():
            if _is_number(key):
                hits = number == float(key)
            elif isinstance(key, str) and text is not None:
                hits = text.eq(normalise_label(key)).to_numpy(dtype=bool, na_value=False)
            elif isinstance(key, str):
                try:
                    hits = number == float(key)
                except ValueError:
                    hits = np.zeros(len(original), dtype=bool)
            else:
                raise DataError(f"recode for {column!r}: cannot match value {key!r}")
            hits = hits & ~matched
            result[hits] = np.nan if code is None else float(code)
            matched |= hits
        if not matched.any():
            continue
        counts[column] = int(matched.sum())
        unmatched = ~matched & ~blank
        if numeric:
            kept = np.where(matched, result, number)
            frame[column] = _narrow(pd.Series(kept, index=original.index), np.isnan(kept))
        elif not unmatched.any():
            frame[column] = _narrow(pd.Series(result, index=original.index), ~matched | blank)
        else:
            mixed = original.astype(object).where(~matched, pd.Series(result, index=original.index))
            frame[column] = mixed.where(~(blank & ~matched))
            values = pd.unique(original[unmatched].to_numpy(dtype=object))
            left[column] = list(values[:LISTED_VALUES])
    return frame, counts, left


def apply_labels(
    frame: pd.DataFrame, value_labels: Mapping[Any, Mapping[Any, str]]
) -> tuple[pd.DataFrame, dict[Any, list[Any]]]:
    """Replace codes by their value labels; codes without a label become their numeral.

    Returns the frame and, per column, the values that had no label.
    """
    unlabelled: dict[Any, list[Any]] = {}
    frame = frame.copy()
    for column, labels in value_labels.items():
        if column not in frame.columns or not labels:
            continue
        original = frame[column]
        numeric = pd.api.types.is_numeric_dtype(original.dtype)
        if numeric:
            lookup = {float(k): v for k, v in labels.items() if _is_number(k)}
            keys = original.astype(float)
        else:
            lookup = {str(k).strip(): v for k, v in labels.items()}
            keys = original.astype("string").str.strip()
        mapped = keys.map(lookup)
        missing_label = mapped.isna() & original.notna()
        if missing_label.any():
            values = pd.unique(original[missing_label].to_numpy(dtype=object))
            unlabelled[column] = list(values[:LISTED_VALUES])
            fallback = keys.map(_numeral) if numeric else keys
            mapped = mapped.where(~missing_label, fallback)
        frame[column] = mapped.astype("str").where(original.notna())
    return frame, unlabelled


def _numeral(value: Any) -> Any:
    if isinstance(value, float) and np.isnan(value):
        return value
    return f"{value:g}" if _is_number(value) else str(value)
