"""Large files: Parquet, lazy reads into dask, and CSV read in chunks of rows.

* :func:`read_parquet` reads a Parquet file (pyarrow, the ``parquet`` extra) into a
  DataFrame, column types as stored: nothing is guessed or converted.
* :func:`read_lazy` (``ef.read(..., lazy=True)``) opens a directory of Parquet files,
  one Parquet file, or a glob of CSV/TSV files as a dask DataFrame (the ``dask``
  extra), one partition per Parquet row group or per CSV file. Parquet rows are
  labelled 0..n-1 over all files in name order (the row counts come from the files'
  footers, without reading data); CSV rows are labelled ``"<file name>:<record>"``
  (0-based record number in that file), so that every label is unique and names
  where the row is.
* :func:`csv_chunks` reads a CSV/TSV file in chunks of rows with a global 0..n-1
  index: memory is bounded by the chunk, whatever the file's size.

CSV cells are read as text (blank cells missing): the scoring code judges every cell
itself (numbers spelled as text are numbers; anything else is reported), so nothing
is converted on the way.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "data.csv"
>>> _ = path.write_text("id,gse1\\n007,4\\n008,\\n009,3\\n")
>>> [chunk.index.tolist() for chunk in csv_chunks(path, chunk_rows=2)]
[[0, 1], [2]]
>>> next(csv_chunks(path, chunk_rows=2))["id"].tolist()
['007', '008']
"""

from __future__ import annotations

import glob
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from efficacy.errors import DataError

#: Records read at once by :func:`csv_chunks` (about 20 MB of text cells for 20 columns).
CHUNK_ROWS = 100_000

_TEXT = (".csv", ".tsv", ".tab")


def _pyarrow() -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise DataError("reading Parquet needs pyarrow: pip install 'efficacy[parquet]'") from None
    return pq


def read_parquet(path: Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A Parquet file as a DataFrame on a fresh RangeIndex, and what was read."""
    pq = _pyarrow()
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises its own error types
        raise DataError(f"{path.name}: cannot be read as Parquet ({exc})") from None
    frame = table.to_pandas(ignore_metadata=True)
    frame.index = pd.RangeIndex(len(frame))
    return frame, {"row_groups": int(pq.ParquetFile(path).num_row_groups)}


def _delimiter(path: Path, encoding: str, delimiter: str | None) -> str:
    from efficacy.io._text import check_delimiter, sniff_delimiter

    if delimiter is not None:
        return check_delimiter(delimiter)
    if path.suffix.lower() in (".tsv", ".tab"):
        return "\t"
    try:
        with open(path, encoding=encoding, newline="") as handle:
            header = handle.readline()
    except (OSError, UnicodeDecodeError, LookupError) as exc:
        raise DataError(f"{path.name}: cannot be read ({exc})") from None
    if not header.strip():
        raise DataError(f"{path.name}: the file is empty")
    return sniff_delimiter(header)


def _text_reader(path: Path, encoding: str | None, delimiter: str | None, **options: Any) -> Any:
    used = encoding or "utf-8-sig"
    sep = _delimiter(path, used, delimiter)
    return pd.read_csv(
        path,
        sep=sep,
        dtype=str,
        keep_default_na=False,
        na_values=[""],
        encoding=used,
        **options,
    )


def csv_chunks(
    path: str | Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> Iterator[pd.DataFrame]:
    """The records of a CSV/TSV file, ``chunk_rows`` at a time, indexed 0..n-1 overall.

    Raises
    ------
    DataError
        A file that cannot be read (naming it and the reason, e.g. a line with too
        many fields), or ``chunk_rows`` below 1.
    """
    path = Path(path)
    if chunk_rows < 1:
        raise DataError(f"chunk_rows must be at least 1, got {chunk_rows}")
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    offset = 0
    try:
        with _text_reader(path, encoding, delimiter, chunksize=chunk_rows) as reader:
            for chunk in reader:
                chunk.index = pd.RangeIndex(offset, offset + len(chunk))
                offset += len(chunk)
                yield chunk
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise DataError(f"{path.name}: cannot be read ({exc})") from None


def _csv_part(path: str, encoding: str | None, delimiter: str | None) -> pd.DataFrame:
    name = Path(path).name
    try:
        frame = _text_reader(Path(path), encoding, delimiter)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise DataError(f"{name}: cannot be read ({exc})") from None
    frame.index = pd.Index([f"{name}:{i}" for i in range(len(frame))])
    return frame


def _parquet_part(piece: tuple[str, int, int]) -> pd.DataFrame:
    path, group, start = piece
    frame = _pyarrow().ParquetFile(path).read_row_group(group).to_pandas(ignore_metadata=True)
    frame.index = pd.RangeIndex(start, start + len(frame))
    return frame


def read_lazy(
    path: str | Path,
    *,
    format: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    **options: Any,
) -> Any:
    """A directory of Parquet files, a Parquet file or a glob of CSV/TSV files, lazily.

    Returns a dask DataFrame (see the module docstring for its partitions and row
    labels). The options of the in-memory readers that change cells (``missing``,
    ``recode``, ``labels``, ...) are refused: declare missing codes in the
    instrument, or apply them with ``map_partitions``.
    """
    given = sorted(name for name, value in options.items() if value not in (None, "codes"))
    if given:
        raise DataError(f"lazy=True reads cells as they are; it does not take {given}")
    try:
        import dask.dataframe as dd
    except ImportError:
        raise DataError("lazy=True needs dask: pip install 'efficacy[dask]'") from None
    text = str(path)
    target = Path(text)
    if target.is_dir():
        files = sorted(str(p) for p in target.glob("*.parquet"))
        if not files:
            raise DataError(f"{text}: the folder holds no .parquet files")
    else:
        files = sorted(glob.glob(text)) if any(c in text for c in "*?[") else [text]
        if not files or not all(Path(f).is_file() for f in files):
            raise DataError(f"{text}: no such file")
    kinds = {format or Path(f).suffix.lower() for f in files}
    if kinds <= {".parquet", "parquet"}:
        pq = _pyarrow()
        pieces, start = [], 0
        for name in files:
            meta = pq.ParquetFile(name).metadata
            for group in range(meta.num_row_groups):
                pieces.append((name, group, start))
                start += meta.row_group(group).num_rows
        if not pieces:
            raise DataError(f"{text}: the Parquet files hold no rows")
        schema = pq.ParquetFile(files[0]).schema_arrow
        meta = schema.empty_table().to_pandas(ignore_metadata=True)
        meta.index = pd.RangeIndex(0)
        return dd.from_map(_parquet_part, pieces, meta=meta, enforce_metadata=False)
    if kinds <= {*_TEXT, "csv", "tsv"}:
        meta = _text_reader(Path(files[0]), encoding, delimiter, nrows=0)
        meta.index = pd.Index([], dtype=object)
        return dd.from_map(
            _csv_part,
            files,
            encoding=encoding,
            delimiter=delimiter,
            meta=meta,
            enforce_metadata=False,
        )
    raise DataError(f"{text}: lazy=True reads Parquet files or CSV/TSV files, not {sorted(kinds)}")
