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

from efficacy.errors import DataError
from efficacy.instrument._model import normalise_label
from efficacy.io._common import LISTED_VALUES, _narrow


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


def map_distinct(column: pd.Series, func: Any) -> np.ndarray:
    """``func`` applied once per distinct non-missing value, spread over the cells.

    Missing cells give None. The work grows with the number of distinct values, not
    of respondents.

    >>> map_distinct(pd.Series(["a ", None, "a "]), str.strip).tolist()
    ['a', None, 'a']
    """
    codes, uniques = pd.factorize(column.to_numpy(dtype=object), use_na_sentinel=True)
    results = np.empty(len(uniques) + 1, dtype=object)
    results[:-1] = [func(value) for value in uniques]
    results[-1] = None
    return results[codes]


def _text_and_numbers(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Trimmed text (None where missing) and the number each cell reads as (NaN if none)."""
    codes, uniques = pd.factorize(column.to_numpy(dtype=object), use_na_sentinel=True)
    text = np.empty(len(uniques) + 1, dtype=object)
    text[:-1] = [str(value).strip() for value in uniques]
    text[-1] = None
    numbers = np.full(len(uniques) + 1, np.nan)
    numbers[:-1] = pd.to_numeric(pd.Series(text[:-1], dtype=object), errors="coerce").to_numpy(
        dtype=float, na_value=np.nan
    )
    return text[codes], numbers[codes]


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
    text, as_number = _text_and_numbers(column)
    hits = np.isin(text, np.array(texts, dtype=object)) if texts else np.zeros(len(text), bool)
    if wanted:
        hits = hits | np.isin(as_number, wanted)
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
        numeric = pd.api.types.is_numeric_dtype(original.dtype) and not pd.api.types.is_bool_dtype(
            original.dtype
        )
        if numeric:  # one entry per cell
            codes = np.arange(len(original))
            number = original.to_numpy(dtype=float, na_value=np.nan)
            label = None
            blank = np.isnan(number)
        else:  # one entry per distinct value, spread over the cells through ``codes``
            codes, uniques = pd.factorize(original.to_numpy(dtype=object), use_na_sentinel=True)
            text = np.array([str(value).strip() for value in uniques] + [""], dtype=object)
            number = pd.to_numeric(pd.Series(text, dtype=object), errors="coerce").to_numpy(
                dtype=float, na_value=np.nan
            )
            label = np.array([normalise_label(value) for value in text], dtype=object)
            blank = (text == "")[codes]
        result = np.full(len(number), np.nan)
        hit_any = np.zeros(len(number), dtype=bool)
        for key, code in mapping.items():
            if _is_number(key):
                hits = number == float(key)
            elif isinstance(key, str) and label is not None:
                hits = label == normalise_label(key)
            elif isinstance(key, str):
                try:
                    hits = number == float(key)
                except ValueError:
                    hits = np.zeros(len(number), dtype=bool)
            else:
                raise DataError(f"recode for {column!r}: cannot match value {key!r}")
            hits = hits & ~hit_any
            result[hits] = np.nan if code is None else float(code)
            hit_any |= hits
        if not numeric:
            hit_any[-1] = False  # the slot of missing cells
        matched, result = hit_any[codes], result[codes]
        number = number[codes]
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
            keys = pd.Series(map_distinct(original, lambda v: str(v).strip()), index=original.index)
        mapped = keys.map(lookup)
        missing_label = mapped.isna() & original.notna()
        if missing_label.any():
            values = pd.unique(original[missing_label].to_numpy(dtype=object))
            unlabelled[column] = list(values[:LISTED_VALUES])
            fallback = map_distinct(keys, _numeral) if numeric else keys.to_numpy(dtype=object)
            mapped = mapped.where(~missing_label, pd.Series(fallback, index=original.index))
        frame[column] = mapped.astype("str").where(original.notna())
    return frame, unlabelled


def _numeral(value: Any) -> Any:
    if isinstance(value, float) and np.isnan(value):
        return value
    return f"{value:g}" if _is_number(value) else str(value)
