"""SPSS ``.sav`` and ``.zsav`` files, through pyreadstat.

The file is read with its user-defined missing values intact, then every value the
file itself declares missing (discrete values and ranges, per variable) becomes NaN
and is counted. Variable labels and value labels are kept as they are in the file,
stray spaces included (scoring matches labels case- and whitespace-insensitively).

A file whose header gives the number of cases (most do) is refused when another
number of cases was read. A file that leaves it open (``-1``: programs writing a
stream do so) is checked for truncation: its data must end with a whole case
(and, in a bytecode-compressed file, with whole compression blocks), else the file
is refused, since it ends before its data do. A cut exactly between two cases of
such a file cannot be told from a shorter file.
"""

from __future__ import annotations

import struct
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from efficacy.errors import DataError
from efficacy.io._common import ReadWarning, blank_cells


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
    cut, open_count = truncation(path)
    if cut is not None:
        raise DataError(
            f"{path.name}: the file is truncated: {cut} (its header leaves the number of "
            f"cases open, and {len(frame)} complete cases precede the cut); nothing was read"
        )
    if open_count:
        warnings.warn(
            f"{path.name}: the file does not state its number of cases; {len(frame)} were "
            "read, and the data end with a whole case (a file cut exactly between two "
            "cases cannot be told from a shorter one)",
            ReadWarning,
            stacklevel=3,
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


def truncation(path: Path) -> tuple[str | None, bool]:
    """Where a ``.sav`` file with an open case count (``-1``) ends before its data do.

    Returns the place of the cut (None when the data end with a whole case, when
    the count is given, which pyreadstat checks, or for ``.zsav`` files, whose zlib
    blocks carry their own sizes) and whether the header leaves the count open.
    """
    with path.open("rb") as handle:
        head = handle.read(176)
        if len(head) < 176 or head[:4] not in (b"$FL2", b"$FL3"):
            return None, False
        order = "<" if struct.unpack("<i", head[64:68])[0] in (2, 3) else ">"
        compression, _, cases = struct.unpack(order + "iii", head[72:84])
        if cases >= 0:
            return None, False
        if head[:4] != b"$FL2" or compression not in (0, 1):
            return None, True
        raw = head + handle.read()
    start, segments = _dictionary_end(raw, order)
    if start is None or segments == 0:
        return None, True
    if compression == 0:
        size = 8 * segments
        data = len(raw) - start
        if data % size:
            return f"it ends in the middle of case {data // size + 1}", True
        return None, True
    return _bytecode_cut(raw, start, segments), True


def _dictionary_end(raw: bytes, order: str) -> tuple[int | None, int]:
    """The offset where the data begin and the number of 8-byte segments per case."""
    integer = struct.Struct(order + "i")

    def read(at: int) -> int:
        return int(integer.unpack_from(raw, at)[0])

    pos, segments = 176, 0
    try:
        while True:
            kind = read(pos)
            pos += 4
            if kind == 2:
                has_label, n_missing = read(pos + 4), read(pos + 8)
                pos += 28
                if has_label:
                    length = read(pos)
                    pos += 4 + (length + 3) // 4 * 4
                pos += 8 * abs(n_missing)
                segments += 1
            elif kind == 3:
                count = read(pos)
                pos += 4
                for _ in range(count):
                    length = raw[pos + 8]
                    pos += 8 + (length + 1 + 7) // 8 * 8
            elif kind == 4:
                pos += 4 + 4 * read(pos)
            elif kind == 6:
                pos += 4 + 80 * read(pos)
            elif kind == 7:
                size, count = read(pos + 4), read(pos + 8)
                pos += 12 + size * count
            elif kind == 999:
                return pos + 4, segments
            else:
                return None, segments
    except (struct.error, IndexError):
        return None, segments


def _bytecode_cut(raw: bytes, start: int, segments: int) -> str | None:
    """Where bytecode-compressed data stop short: in a block or in a case."""
    pos, values, end = start, 0, len(raw)
    while pos < end:
        if pos + 8 > end:
            return f"it ends inside a compression block, in case {values // segments + 1}"
        block = raw[pos : pos + 8]
        pos += 8
        stop = block.find(252)
        if stop >= 0:
            block = block[:stop]
        raw_values = block.count(253)
        values += len(block) - block.count(0)
        pos += 8 * raw_values
        if pos > end:
            return f"it ends inside case {(values - 1) // segments + 1}"
        if stop >= 0:
            break
    if values % segments:
        return f"it ends in the middle of case {values // segments + 1}"
    return None
