"""Where each row of a data frame read by :func:`efficacy.read` stands in its file.

Messages of the ``efficacy`` command name rows as the researcher sees them in the
file: the line of a text file, the row of a spreadsheet, the case of an SPSS file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

#: How messages name rows labelled by :func:`file_rows`, by file format.
ROW_WORDS = {"csv": "lines", "tsv": "lines", "qualtrics": "lines", "redcap": "lines"}


def file_rows(data: Any, path: Path) -> tuple[Any, str] | None:
    r"""Each data row's number in the file, and what the numbers are, or None if unknown.

    Text files (CSV, TSV, Qualtrics, REDCap): the 1-based line on which the row starts,
    counting the header lines and blank lines (quoted cells may span lines). Excel:
    the sheet's row number. SPSS: the 1-based case number. None when the rows cannot
    be matched to the file (e.g. a frame not read with a 0..n-1 index).

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from efficacy.io._files import read
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "d.csv").write_text("a,b\n1,2\n\n3,4\n")
    >>> lines, word = file_rows(read(folder / "d.csv"), folder / "d.csv")
    >>> list(lines), word
    ([2, 4], 'lines')
    """
    source = data.attrs.get("efficacy_source", {})
    kind, n = source.get("format"), len(data)
    if not isinstance(data.index, pd.RangeIndex) or not data.index.equals(pd.RangeIndex(n)):
        return None
    header = int((source.get("qualtrics") or {}).get("header_rows", 1))
    if kind == "spss":
        return pd.RangeIndex(1, n + 1), "cases"
    if kind == "excel":
        return pd.RangeIndex(header + 1, header + n + 1), "sheet rows"
    if kind not in ROW_WORDS or source.get("sheet") is not None:
        return None
    starts = _record_lines(path, source.get("encoding"), source.get("delimiter"))
    if starts is None or len(starts) < header + n:
        return None
    return pd.Index(starts[header : header + n]), ROW_WORDS[kind]


def _record_lines(path: Path, encoding: str | None, delimiter: str | None) -> list[int] | None:
    """The line on which each non-blank record of a delimited text file starts."""
    import csv

    try:
        with open(path, encoding=encoding or "utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter or "\x00")
            starts, last = [], 0
            for record in reader:
                if record:
                    starts.append(last + 1)
                last = reader.line_num
    except (OSError, LookupError, UnicodeError, csv.Error):
        return None
    return starts
