"""Excel workbooks (``.xlsx``, ``.xlsm``) through openpyxl: the raw grid of one sheet.

Cells keep the types Excel stored (numbers, text, dates); formulas give the value
Excel last computed and saved (a workbook whose formulas were written by a program
and never recalculated in Excel holds none: such cells read as empty). The rows go
through the same steps as delimited text (:func:`efficacy.io._common.build_frame`).
"""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

from efficacy.errors import DataError
from efficacy.io._common import ReadWarning


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
        rows = list(book[chosen].iter_rows(values_only=True))
    finally:
        book.close()
    if not rows:
        raise DataError(f"{path.name}: sheet {chosen!r} is empty")
    width = max(len(row) for row in rows)
    grid = pd.DataFrame(
        [list(row) + [None] * (width - len(row)) for row in rows], dtype=object
    ).reset_index(drop=True)
    return grid, {"sheet": chosen, "sheets": names}
