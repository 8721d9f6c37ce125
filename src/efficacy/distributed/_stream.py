"""``efficacy score`` of a CSV/TSV file too large to hold: scored in chunks of rows.

The file is read :data:`~efficacy.io._large.CHUNK_ROWS` records at a time
(:func:`~efficacy.io._large.csv_chunks`, cells as text, rows labelled 0..n-1 over the
whole file as :func:`efficacy.read` labels them), each chunk is scored by
:func:`efficacy.score` and appended to the output, so memory is bounded by a chunk
whatever the file's size. The output file appears only when every chunk has been
written (it replaces the output in one step).

Invalid cells: with ``on_invalid="raise"`` the first chunk holding any stops the
command, with the in-memory error naming those cells (rows counted over the whole
file) and no output written; with ``"missing"`` one warning at the end counts them
per column, as in memory.
"""

from __future__ import annotations

import sys
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from efficacy.errors import DataError, require_columns
from efficacy.io._large import CHUNK_ROWS, csv_chunks
from efficacy.scoring import InvalidResponseWarning, score

#: Data files larger than this (bytes) are scored in chunks by ``efficacy score``.
STREAM_BYTES = 256 * 2**20

_TEXT = (".csv", ".tsv", ".tab")


def streams(data: str, output: str | None, *, threshold: int | None = None) -> bool:
    """Whether ``efficacy score`` reads ``data`` in chunks.

    It does for a plain CSV/TSV file above ``threshold`` bytes (default
    :data:`STREAM_BYTES`) written to standard output or to a CSV/TSV file. Qualtrics
    exports (with their header rows) and other outputs are read whole.
    """
    path = Path(data).expanduser()
    if path.suffix.lower() not in _TEXT or not path.is_file():
        return False
    if output is not None and Path(output).suffix.lower() not in _TEXT:
        return False
    if path.stat().st_size <= (STREAM_BYTES if threshold is None else threshold):
        return False
    with open(path, "rb") as handle:
        head = handle.read(4096)
    return b"ImportId" not in head and b"Response ID" not in head


def score_in_chunks(
    data: str,
    instrument: str,
    output: str | None,
    *,
    replaced: Callable[[str], Any],
    columns: Any = None,
    coding: str | None = None,
    method: str | None = None,
    on_invalid: str = "raise",
    keep: Sequence[str] = (),
    encoding: str | None = None,
    chunk_rows: int | None = None,
) -> int:
    """Score ``data`` chunk by chunk into ``output`` (standard output when None).

    ``replaced(output)`` is a context manager giving a temporary path that replaces
    ``output`` when the block succeeds. ``chunk_rows`` defaults to
    :data:`~efficacy.io._large.CHUNK_ROWS`. Returns the number of rows written.
    """
    sep = "\t" if output is not None and Path(output).suffix.lower() in (".tsv", ".tab") else ","
    invalid: Counter[str] = Counter()
    rows = 0

    def write_all(handle: Any, index: bool) -> None:
        nonlocal rows
        size = CHUNK_ROWS if chunk_rows is None else chunk_rows
        chunks = csv_chunks(data, encoding=encoding, chunk_rows=size)
        for number, chunk in enumerate(chunks):
            if number == 0 and keep:
                require_columns(chunk, list(keep), what="data (--keep)")
            with warnings.catch_warnings(record=True) as seen:
                warnings.simplefilter("always", InvalidResponseWarning)
                scores = score(
                    chunk,
                    instrument,
                    columns,
                    coding=coding,
                    method=method,
                    on_invalid=on_invalid,  # type: ignore[arg-type]
                )
            for message in seen:
                if not issubclass(message.category, InvalidResponseWarning):
                    warnings.warn(message.message, stacklevel=2)
            cells = scores.attrs["efficacy"]["invalid_cells"]
            invalid.update(cells["column"].astype(str).tolist())
            if keep:
                clash = [c for c in keep if c in scores.columns]
                if clash:
                    raise DataError(f"--keep {clash} would repeat score columns of the same name")
                scores = chunk[list(keep)].join(scores)
            scores.to_csv(handle, sep=sep, header=number == 0, index=index, na_rep="")
            rows += len(scores)

    if output is None:
        write_all(sys.stdout, index=True)
    else:
        with (
            replaced(output) as temporary,
            open(temporary, "w", encoding="utf-8", newline="") as out,
        ):
            write_all(out, index=False)
    if invalid:
        summary = ", ".join(f"{column!r}: {n}" for column, n in invalid.items())
        warnings.warn(
            f"{sum(invalid.values())} invalid response cells scored as missing ({summary})",
            InvalidResponseWarning,
            stacklevel=2,
        )
    return rows
