"""SPSS ``.sav`` and ``.zsav`` files, through pyreadstat.

The file is read with its user-defined missing values intact, then every value the
file itself declares missing (discrete values and ranges, per variable) becomes NaN
and is counted. Variable labels and value labels are kept as they are in the file,
stray spaces included (scoring matches labels case- and whitespace-insensitively).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from efficacy.errors import DataError
from efficacy.io._common import blank_cells


def read_spss(path: Path, *, encoding: str | None = None) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Read a ``.sav``/``.zsav`` file; file-declared missing values are NaN, counted in meta."""
    try:
        import pyreadstat
    except ImportError:  # pragma: no cover - optional dependency
        raise DataError(
            f"{path.name}: reading SPSS files needs pyreadstat (pip install 'efficacy[io]')"
        ) from None
    try:
        frame, info = pyreadstat.read_sav(
            str(path), user_missing=True, apply_value_formats=False, encoding=encoding
        )
    except Exception as exc:  # pyreadstat raises its own, untyped errors
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise DataError(f"{path.name}: not a readable SPSS .sav file ({detail})") from None
    expected = getattr(info, "number_rows", None)
    if expected is not None and expected >= 0 and expected != len(frame):
        raise DataError(
            f"{path.name}: the file declares {expected} cases but {len(frame)} were read"
        )
    frame, missing_counts, definitions = _user_missing(frame, info.missing_ranges or {})
    frame = _blank_strings(frame)
    meta: dict[str, Any] = {
        "rows": len(frame),
        "columns": int(frame.shape[1]),
        "variable_labels": {
            column: label
            for column, label in (info.column_names_to_labels or {}).items()
            if label is not None and label != ""
        },
        "value_labels": {
            column: dict(labels) for column, labels in (info.variable_value_labels or {}).items()
        },
        "missing_codes": definitions,
        "missing_counts": missing_counts,
        "spss": {
            "file_label": info.file_label,
            "file_encoding": info.file_encoding,
            "measure": dict(info.variable_measure or {}),
            "formats": dict(info.original_variable_types or {}),
        },
    }
    return frame, meta


def _user_missing(
    frame: pd.DataFrame, ranges: dict[str, list[dict[str, Any]]]
) -> tuple[pd.DataFrame, dict[str, int], dict[str, list[Any]]]:
    """Turn the file's user-missing values into NaN, per its own definitions."""
    counts: dict[str, int] = {}
    definitions: dict[str, list[Any]] = {}
    if not ranges:
        return frame, counts, definitions
    frame = frame.copy()
    for column, spans in ranges.items():
        if column not in frame.columns or not spans:
            continue
        values = frame[column]
        hits = np.zeros(len(values), dtype=bool)
        described: list[Any] = []
        for span in spans:
            low, high = span["lo"], span["hi"]
            described.append(low if low == high else [low, high])
            if pd.api.types.is_numeric_dtype(values.dtype):
                number = values.to_numpy(dtype=float, na_value=np.nan)
                hits |= (number >= float(low)) & (number <= float(high))
            else:
                text = values.astype("string")
                if low == high:
                    hits |= text.eq(str(low)).to_numpy(dtype=bool, na_value=False)
                else:
                    inside = text.ge(str(low)) & text.le(str(high))
                    hits |= inside.to_numpy(dtype=bool, na_value=False)
        definitions[column] = described
        if hits.any():
            frame[column] = values.where(~hits)
            counts[column] = int(hits.sum())
    return frame, counts, definitions


def _blank_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """SPSS string variables hold ``""`` for no answer: make them missing text columns."""
    text_columns = [
        c
        for c in frame.columns
        if pd.api.types.is_object_dtype(frame[c].dtype)
        or pd.api.types.is_string_dtype(frame[c].dtype)
    ]
    if not text_columns:
        return frame
    frame = frame.copy()
    for column in text_columns:
        values = frame[column]
        if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
            continue
        frame[column] = values.astype("str").where(~blank_cells(values))
    return frame
