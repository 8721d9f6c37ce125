"""Excel workbooks (``.xlsx``, ``.xlsm``) through openpyxl: the raw grid of one sheet.

Cells keep the types Excel stored (numbers, text, dates, and true/false cells as
booleans, which scoring refuses as responses); formulas give the value Excel last
computed and saved (a workbook whose formulas were written by a program and never
recalculated in Excel holds none: such cells read as empty, with a warning naming
them). Every row and column with a cell is read, whatever the sheet's
``<dimension>`` tag claims. The rows go through the same steps as delimited text
(:func:`efficacy.io._common.build_frame`).
"""

from __future__ import annotations

import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

from efficacy.errors import DataError
from efficacy.io._common import LISTED_VALUES, ReadWarning


def excel_grid(path: Path, sheet: str | int | None) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Every row of one sheet as a grid, and the sheet read and the workbook's sheets."""
    try:
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException
    except ImportError:  # pragma: no cover - optional dependency
        raise DataError(
            f"{path.name}: reading Excel files needs openpyxl (pip install 'efficacy[io]')"
        ) from None
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise DataError(f"{path.name}: not a readable .xlsx workbook ({detail})") from None
    try:
        names = list(book.sheetnames)
        if sheet is None:
            chosen = names[0]
            if len(names) > 1:
                warnings.warn(
                    f"{path.name} has {len(names)} sheets {names}; read the first, "
                    f"{chosen!r} (choose another with sheet=)",
                    ReadWarning,
                    stacklevel=4,
                )
        elif isinstance(sheet, int) and not isinstance(sheet, bool):
            if not 0 <= sheet < len(names):
                raise DataError(
                    f"{path.name}: no sheet number {sheet}; it has {len(names)} sheets {names}"
                )
            chosen = names[sheet]
        elif sheet in names:
            chosen = str(sheet)
        else:
            raise DataError(f"{path.name}: no sheet {sheet!r}; its sheets are {names}")
        rows = _all_rows(book[chosen])
        uncached = _uncached_formulas(book[chosen], rows, path) if rows else []
    finally:
        book.close()
    if not rows:
        raise DataError(f"{path.name}: sheet {chosen!r} is empty")
    if uncached:
        warnings.warn(
            f"{path.name}: {len(uncached)} formula cells hold no saved value and were read "
            f"as empty: {uncached[:LISTED_VALUES]}; open and save the workbook in Excel "
            "(which computes them), or enter the values",
            ReadWarning,
            stacklevel=4,
        )
    width = max(len(row) for row in rows)
    grid = pd.DataFrame(
        [list(row) + [None] * (width - len(row)) for row in rows], dtype=object
    ).reset_index(drop=True)
    return grid, {"sheet": chosen, "sheets": names}


def _all_rows(sheet: Any) -> list[tuple[Any, ...]]:
    """Every row of a read-only sheet, whatever its ``<dimension>`` tag claims.

    Read-only openpyxl stops at the rows and columns the tag names, and programs
    write wrong tags (``A1`` for a full sheet): the tag is ignored and the sheet's
    cells are read to their end.
    """
    sheet.reset_dimensions()
    return list(sheet.iter_rows(min_row=1, min_col=1, values_only=True))


_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


def _uncached_formulas(sheet: Any, rows: list[tuple[Any, ...]], path: Path) -> list[str]:
    """Cells (``"B3"``) holding a formula without a saved value (read as empty).

    Only a sheet whose XML holds formulas is read a second time, for the formulas.
    """
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    with sheet._get_source() as source:
        found, tail = False, b""
        while chunk := source.read(1 << 20):
            if _FORMULA.search(tail + chunk):
                found = True
                break
            tail = chunk[-64:]
    if not found:
        return []
    book = load_workbook(path, read_only=True, data_only=False)
    try:
        formulas = book[sheet.title]
        formulas.reset_dimensions()
        cells = []
        for i, row in enumerate(formulas.iter_rows(min_row=1, min_col=1, values_only=True)):
            values = rows[i] if i < len(rows) else ()
            for j, cell in enumerate(row):
                value = values[j] if j < len(values) else None
                if value is None and isinstance(cell, str) and cell.startswith("="):
                    cells.append(f"{get_column_letter(j + 1)}{i + 1}")
    finally:
        book.close()
    return cells
