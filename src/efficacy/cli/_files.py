"""Files of the command line: reading the data, checking and writing outputs without
ever overwriting an input."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any


def check_not_an_input(output: str, inputs: Sequence[str | None], what: str) -> None:
    """Refuse an output path that is (or links to) one of the inputs."""
    from efficacy.errors import DataError

    target = Path(output).expanduser()
    if not target.exists():
        return
    for source in inputs:
        if source is None:
            continue
        path = Path(source).expanduser()
        try:
            same = path.exists() and os.path.samefile(target, path)
        except OSError:
            same = False
        if same:
            raise DataError(
                f"{what} {output} is the input file {source}; writing it would destroy the "
                "input. Choose another output file"
            )


@contextlib.contextmanager
def replaced_atomically(output: str) -> Iterator[Path]:
    """A temporary path for ``output``, moved onto it when the block succeeds.

    The temporary file has the output's own name, in a new hidden folder next to it
    (so the writers choose the same format and name the same file in messages); on
    success it replaces the output in one step, on failure it is removed. A symbolic
    link at ``output`` is followed: the file it points to is replaced. A new file gets
    the usual permissions (``0o666`` less the umask); a replaced file keeps its own.
    """
    from efficacy.errors import DataError

    final = Path(os.path.realpath(Path(output).expanduser()))
    if not final.parent.is_dir():
        raise DataError(f"cannot write {output}: the folder {final.parent} does not exist")
    if final.is_dir():
        raise DataError(f"cannot write {output}: it is a folder")
    folder = Path(tempfile.mkdtemp(dir=final.parent, prefix=".efficacy-"))
    temporary = folder / final.name
    try:
        yield temporary
        if final.exists():
            mode = final.stat().st_mode & 0o7777
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(temporary, mode)
        os.replace(temporary, final)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def instrument_path(instrument: str) -> str | None:
    """The instrument argument when it names an existing file (else a bundled id)."""
    return instrument if Path(instrument).expanduser().is_file() else None


def read_data(path: str, encoding: str | None = None, missing: Any = None) -> Any:
    """Read a data file (``-``: CSV on standard input), its rows labelled as in the file.

    Each row's label becomes the file's own number for it (see
    :func:`efficacy.io._lines.file_rows`), so that messages name the lines a researcher
    sees in an editor; the caller puts the plain index back before writing
    (:func:`plain_index`).
    """
    from efficacy.io._files import read

    if path != "-":
        return label_rows(read(path, encoding=encoding, missing=missing), Path(path))
    folder = Path(tempfile.mkdtemp(prefix="efficacy-stdin-"))
    try:
        copy = folder / "stdin.csv"
        copy.write_bytes(sys.stdin.buffer.read())
        return label_rows(read(copy, encoding=encoding, missing=missing), copy)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def label_rows(data: Any, path: Path) -> Any:
    from efficacy.io._lines import file_rows

    found = file_rows(data, path)
    if found is not None:
        data.attrs["efficacy_cli_rows"] = {"index": data.index, "word": found[1]}
        data.index = found[0]
    return data


def plain_index(frame: Any, data: Any) -> Any:
    """``frame`` (on ``data``'s file-numbered rows) back on the data's own index."""
    rows = data.attrs.get("efficacy_cli_rows")
    if rows is not None:
        frame = frame.copy()
        frame.index = rows["index"]
    return frame


def rows_in_file(message: str, data: Any) -> str:
    """A message naming data rows, said in the file's own numbers."""
    rows = None if data is None else data.attrs.get("efficacy_cli_rows")
    if rows is None:
        return message
    return re.sub(r"\brows \[", f"{rows['word']} [", message)


def check_output(output: str | None, inputs: Sequence[str | None], what: str) -> None:
    """Refuse a bad output path before any work: an input, a folder, a missing folder."""
    from efficacy.errors import DataError

    if output is None:
        return
    check_not_an_input(output, inputs, what)
    final = Path(os.path.realpath(Path(output).expanduser()))
    if final.is_dir():
        raise DataError(f"cannot write {what} {output}: it is a folder")
    if not final.parent.is_dir():
        raise DataError(f"cannot write {what} {output}: the folder {final.parent} does not exist")
    if not os.access(final.parent, os.W_OK):
        raise DataError(f"cannot write {what} {output}: the folder {final.parent} is not writable")


def write_table(frame: Any, output: str | None, decimals: int | None = None) -> None:
    if decimals is not None:
        floats = frame.select_dtypes("floating").columns
        frame = frame.assign(**{str(c): frame[c].round(decimals) for c in floats})
    if output is None:
        print(frame.to_csv(), end="")
        return
    from efficacy.io._files import write

    with replaced_atomically(output) as temporary:
        write(frame, temporary)
    print(f"wrote {len(frame)} rows to {output}", file=sys.stderr)


def keep_columns(data: Any, scores: Any, keep: Sequence[str]) -> Any:
    """``scores`` with the data columns ``keep`` in front; unknown or clashing names refused."""
    from efficacy.errors import DataError, require_columns

    if not keep:
        return scores
    require_columns(data, list(keep), what="data (--keep)")
    twice = sorted({column for column in keep if list(keep).count(column) > 1})
    if twice:
        raise DataError(f"--keep names columns more than once: {twice}")
    clash = [column for column in keep if column in scores.columns]
    if clash:
        raise DataError(
            f"--keep {clash} would repeat score columns of the same name; "
            "rename those data columns first"
        )
    kept = data[list(keep)].copy()
    for column in keep:  # whole numbers stored as floats (SPSS) stay integers
        values = kept[column]
        if values.dtype.kind == "f":
            finite = values.dropna()
            if len(finite) and (finite == finite.round()).all() and (finite.abs() < 2**53).all():
                kept[column] = values.astype("Int64")
    out = kept.join(scores)
    out.attrs = {**data.attrs, **scores.attrs}  # variable labels of the kept columns
    return out
