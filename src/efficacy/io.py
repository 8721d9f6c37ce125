"""Reading researchers' data files and writing results.

:func:`read` turns a data file into a DataFrame ready for :func:`efficacy.score`;
:func:`write` saves scores. What was read and how is recorded in
``DataFrame.attrs["efficacy_source"]``.

Examples
--------
>>> import tempfile, pathlib
>>> import efficacy as ef
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "data.csv").write_text("id,gse1\\n1,4\\n2,3\\n", encoding="utf-8")
>>> frame = ef.read(folder / "data.csv")
>>> frame["gse1"].tolist(), frame.attrs["efficacy_source"]["encoding"]
([4, 3], 'utf-8')
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from efficacy.errors import DataError

_FORMATS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".txt": "tsv"}


def read(
    path: str | Path, *, format: str | None = None, encoding: str | None = None, **options: Any
) -> pd.DataFrame:
    """Read a data file into a DataFrame."""
    from efficacy._read_text import read_delimited

    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    kind = format or _FORMATS.get(path.suffix.lower())
    if kind not in ("csv", "tsv"):
        raise DataError(f"{path.name}: unknown format {kind or path.suffix!r}")
    frame, meta = read_delimited(path, sep="," if kind == "csv" else "\t", encoding=encoding)
    frame.attrs["efficacy_source"] = {"path": str(path), "format": kind, **meta}
    return frame
