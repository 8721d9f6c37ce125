"""Writing delimited text and Excel workbooks, and the labels a frame carries."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from efficacy.errors import DataError, EfficacyError


def default_labels(frame: pd.DataFrame) -> tuple[dict[Any, str], dict[Any, dict[Any, str]]]:
    """Variable and value labels the frame carries in its attrs.

    From a reader (``attrs["efficacy_source"]``): the labels found in the file, for
    the columns still present (value labels only where their codes still fit the
    column's type). From :func:`efficacy.score` (``attrs["efficacy"]``): the scale's
    name and method for each score column, and what each ``_n_valid`` column counts.

    Examples
    --------
    >>> import efficacy as ef
    >>> scores = ef.score(pd.DataFrame({f"gse{i}": [4] for i in range(1, 11)}), "gse")
    >>> default_labels(scores)[0]
    {'gse': 'General self-efficacy (sum)', 'gse_n_valid': 'General self-efficacy: items answered'}
    """
    variables: dict[Any, str] = {}
    values: dict[Any, dict[Any, str]] = {}
    source = frame.attrs.get("efficacy_source")
    if isinstance(source, Mapping):
        for column, label in (source.get("variable_labels") or {}).items():
            if column in frame.columns and label:
                variables[column] = str(label)
        for column, labels in (source.get("value_labels") or {}).items():
            if column in frame.columns and labels and _labels_fit(frame[column], labels):
                values[column] = dict(labels)
    provenance = frame.attrs.get("efficacy")
    if isinstance(provenance, Mapping) and "methods" in provenance:
        names = _scale_names(provenance.get("instrument"))
        for scale, method in (provenance.get("methods") or {}).items():
            name = names.get(scale, scale)
            if scale in frame.columns:
                variables[scale] = f"{name} ({method})"
            if f"{scale}_n_valid" in frame.columns:
                variables[f"{scale}_n_valid"] = f"{name}: items answered"
    return variables, values


def _labels_fit(column: pd.Series, labels: Mapping[Any, str]) -> bool:
    numeric = pd.api.types.is_numeric_dtype(column.dtype)
    numeric_keys = all(isinstance(k, int | float) and not isinstance(k, bool) for k in labels)
    return numeric == numeric_keys


def _scale_names(instrument_id: Any) -> dict[str, str]:
    if not instrument_id:
        return {}
    from efficacy.instrument._loader import load

    try:
        instrument = load(str(instrument_id))
    except EfficacyError:
        return {}
    return {scale.id: scale.name for scale in instrument.scales}


#: First characters that make a spreadsheet evaluate a text cell of a CSV file.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: Any) -> Any:
    """Text a spreadsheet would evaluate, with ``'`` in front; anything else unchanged.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a
    formula to Excel, LibreOffice and Google Sheets opening a CSV file, unless it is
    a plain number (``-3``, ``+4.5``), which is left as it is.

    >>> [escape_formula(v) for v in ["=1+1", "@SUM(A1)", "-3", "-", "ok", 4]]
    ["'=1+1", "'@SUM(A1)", '-3', "'-", 'ok', 4]
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value if value.strip() == value and "_" not in value else "'" + value


def _escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with formula-like text escaped, in cells, column names and the index."""
    out = frame.copy()
    for j in range(out.shape[1]):
        column = out.iloc[:, j]
        if not pd.api.types.is_numeric_dtype(column.dtype):
            out.isetitem(j, column.map(escape_formula, na_action="ignore"))
    out.columns = out.columns.map(escape_formula)
    out.index = out.index.map(escape_formula)
    return out


def _text_holding(frame: pd.DataFrame, char: str) -> tuple[Any, list[Any]] | None:
    """The first column (or the names, or the index) with text holding ``char``, and rows."""
    parts: list[tuple[Any, pd.Series]] = [
        ("(column names)", pd.Series(list(frame.columns), dtype=object)),
        ("(index)", pd.Series(list(frame.index), index=frame.index, dtype=object)),
    ]
    parts += [
        (frame.columns[j], frame.iloc[:, j])
        for j in range(frame.shape[1])
        if not pd.api.types.is_numeric_dtype(frame.iloc[:, j].dtype)
    ]
    for column, values in parts:
        hits = values.map(lambda v: isinstance(v, str) and char in v).to_numpy(dtype=bool)
        if hits.any():
            return column, list(values.index[hits])
    return None


def write_delimited(
    frame: pd.DataFrame,
    path: Path,
    *,
    sep: str,
    index: bool,
    encoding: str,
    na_rep: str,
    escape_formulas: bool = False,
) -> Path:
    """CSV or TSV, numbers written in full (never rounded).

    Lines end in ``\\n``, or in ``\\r\\n`` when some text holds a carriage return
    (so that such cells are quoted and read back whole). Text holding a NUL
    character is refused.

    With ``escape_formulas``, text a spreadsheet would evaluate gets a leading ``'``
    (:func:`escape_formula`).
    """
    if escape_formulas:
        frame = _escape_frame(frame)
    nul = _text_holding(frame, "\x00")
    if nul:
        column, rows = nul
        raise DataError(
            f"{path.name}: column {column!r}, rows {rows[:5]}: text holds NUL characters, "
            "which no CSV reader reads back; remove them"
        )
    # a carriage return in a cell is quoted only when it is part of the line ending
    lineterminator = "\r\n" if _text_holding(frame, "\r") else "\n"
    try:
        frame.to_csv(
            path,
            sep=sep,
            index=index,
            encoding=encoding,
            na_rep=na_rep,
            lineterminator=lineterminator,
        )
    except (OSError, UnicodeEncodeError, LookupError) as exc:
        raise DataError(f"{path.name}: cannot be written ({exc})") from None
    return path


def write_excel(
    frame: pd.DataFrame,
    path: Path,
    *,
    index: bool,
    sheet: str,
    variable_labels: Mapping[Any, str],
    value_labels: Mapping[Any, Mapping[Any, str]],
) -> Path:
    """An ``.xlsx`` workbook: the data sheet, and a ``variables`` sheet for labels.

    Text is written as text, never as a formula (:func:`_text_as_text`).
    """
    _check_excel_numbers(frame, path)
    described = [c for c in frame.columns if c in variable_labels or c in value_labels]
    if described and sheet == "variables":
        raise DataError("sheet='variables' is taken by the labels sheet; choose another name")
    try:
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            frame.to_excel(writer, sheet_name=sheet, index=index)
            if described:
                table = pd.DataFrame(
                    {
                        "variable": [str(c) for c in described],
                        "label": [variable_labels.get(c, "") for c in described],
                        "values": [
                            " | ".join(
                                f"{_code_text(k)} = {v}" for k, v in value_labels.get(c, {}).items()
                            )
                            for c in described
                        ],
                    }
                )
                table.to_excel(writer, sheet_name="variables", index=False)
            for written in writer.sheets.values():
                _text_as_text(written)
    except (OSError, ValueError) as exc:
        raise DataError(f"{path.name}: cannot be written ({exc})") from None
    return path


def _check_excel_numbers(frame: pd.DataFrame, path: Path) -> None:
    """Refuse numbers that 16 significant digits turn into infinity (near the float maximum).

    openpyxl writes 16 significant digits: elsewhere a relative change below 1e-15,
    but the largest floats round up past the maximum and would read back as inf.
    """
    for j in range(frame.shape[1]):
        column = frame.iloc[:, j]
        if column.dtype.kind != "f":
            continue
        values = column.to_numpy(dtype=float)
        near = np.flatnonzero(np.isfinite(values) & (np.abs(values) > 1.79e308))
        rows = [column.index[i] for i in near if np.isinf(float(f"{values[i]:.16g}"))]
        if rows:
            raise DataError(
                f"{path.name}: column {frame.columns[j]!r}, rows {rows[:5]}: numbers this "
                "close to the largest float become infinite in a workbook (16 significant "
                "digits); write .csv or .sav"
            )


def _text_as_text(sheet: Any) -> None:
    """Store every text cell as text: openpyxl makes text starting with ``=`` a formula.

    Nothing a frame holds is a formula, so a respondent's ``=HYPERLINK(...)`` stays
    the text it was (a text cell is never evaluated, whatever its first character).
    """
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def _code_text(code: Any) -> str:
    return (
        f"{code:g}" if isinstance(code, int | float) and not isinstance(code, bool) else str(code)
    )
