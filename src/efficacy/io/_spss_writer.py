"""Writing SPSS ``.sav`` files with variable and value labels, through pyreadstat."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from efficacy.errors import DataError

_NAME = re.compile(r"^[A-Za-z@#$][A-Za-z0-9_.@#$]*$")
_RESERVED = {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}
#: SPSS limits, in bytes.
MAX_NAME_BYTES = 64
MAX_VALUE_LABEL_BYTES = 120


def spss_name_problem(name: Any) -> str | None:
    """Why ``name`` cannot be an SPSS variable name (None when it can).

    >>> spss_name_problem("gse_1"), spss_name_problem("1st"), spss_name_problem("to")
    (None, 'must start with a letter', 'is a reserved word')
    """
    if not isinstance(name, str):
        return f"is a {type(name).__name__}, not text"
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        return f"is longer than {MAX_NAME_BYTES} bytes"
    if not name or (not name[0].isalpha() and name[0] not in "@#$"):
        return "must start with a letter"
    if not _NAME.match(name):
        return "may hold only letters, digits and _ . @ # $"
    if name.endswith("."):
        return "must not end with a period"
    if name.upper() in _RESERVED:
        return "is a reserved word"
    return None


def write_spss(
    frame: pd.DataFrame,
    path: Path,
    *,
    index: bool,
    variable_labels: Mapping[Any, str],
    value_labels: Mapping[Any, Mapping[Any, str]],
) -> Path:
    """Write ``frame`` (and its index when ``index``) to ``.sav`` (``.zsav`` compressed)."""
    try:
        import pyreadstat
    except ImportError:  # pragma: no cover - optional dependency
        raise DataError(
            "writing SPSS files needs pyreadstat (pip install 'efficacy[io]')"
        ) from None
    out = frame.reset_index(names=frame.index.name or "row") if index else frame.copy()
    problems = [f"{c!r} {p}" for c in out.columns if (p := spss_name_problem(c)) is not None]
    lowered = [str(c).lower() for c in out.columns]
    clashes = sorted({c for c in out.columns if lowered.count(str(c).lower()) > 1}, key=str)
    if clashes:
        problems.append(f"{clashes} differ only in case (SPSS names ignore case)")
    if problems:
        raise DataError(
            f"{path.name}: columns cannot be SPSS variables: "
            + "; ".join(problems[:5])
            + "; rename them first"
        )
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_bool_dtype(values.dtype):
            raise DataError(
                f"{path.name}: column {column!r} is true/false; SPSS has no such type, "
                "convert it to 0/1 or text first"
            )
        if pd.api.types.is_object_dtype(values.dtype):
            kind = pd.api.types.infer_dtype(values, skipna=True)
            if kind not in ("string", "empty"):
                raise DataError(
                    f"{path.name}: column {column!r} holds {kind} values; an SPSS variable is "
                    "either numeric or text, convert it first"
                )
    labels = {str(c): str(v) for c, v in variable_labels.items() if c in out.columns}
    values_out: dict[str, dict[Any, str]] = {}
    for column, mapping in value_labels.items():
        if column not in out.columns or not mapping:
            continue
        numeric = pd.api.types.is_numeric_dtype(out[column].dtype)
        converted: dict[Any, str] = {}
        for code, text in mapping.items():
            if numeric:
                try:
                    converted[float(code)] = str(text)
                except (TypeError, ValueError):
                    raise DataError(
                        f"{path.name}: value label code {code!r} of numeric column "
                        f"{column!r} is not a number"
                    ) from None
            else:
                converted[str(code)] = str(text)
            if len(str(text).encode("utf-8")) > MAX_VALUE_LABEL_BYTES:
                raise DataError(
                    f"{path.name}: value label {text!r} of {column!r} is longer than "
                    f"SPSS's {MAX_VALUE_LABEL_BYTES} bytes"
                )
        values_out[str(column)] = converted
    try:
        pyreadstat.write_sav(
            out,
            str(path),
            column_labels=labels or None,
            variable_value_labels=values_out or None,
            compress=path.suffix.lower() == ".zsav",
        )
    except Exception as exc:  # pyreadstat raises its own, untyped errors
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise DataError(f"{path.name}: cannot be written as SPSS ({detail})") from None
    return path
