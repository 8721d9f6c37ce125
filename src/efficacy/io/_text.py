"""Delimited text files (CSV, TSV): decoding and the raw grid of cells.

The bytes are decoded with the encoding given, else as UTF-8 (with or without a byte
order mark; UTF-16 with a BOM, as Qualtrics writes TSV), else with the guess of
charset-normalizer when it is installed (Windows-1252 winning its ties), else as
Windows-1252. A guess is reported
with a warning and recorded, because a wrong one garbles names without failing.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from efficacy.errors import DataError
from efficacy.io._common import ReadWarning


def decode(raw: bytes, name: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode file bytes; returns the text and the encoding used.

    Examples
    --------
    >>> decode(codecs.BOM_UTF8 + "Zoë".encode(), "x.csv")
    ('Zoë', 'utf-8-sig')
    >>> decode("Zoë".encode("cp1252"), "x.csv", encoding="cp1252")
    ('Zoë', 'cp1252')
    """
    if encoding is not None:
        try:
            return raw.decode(encoding), encoding
        except LookupError:
            raise DataError(f"{name}: unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as exc:
            raise DataError(
                f"{name}: not {encoding} text ({exc.reason} at byte {exc.start}); "
                "pass the file's encoding with encoding="
            ) from None
    if raw.startswith(codecs.BOM_UTF8):
        try:
            return raw[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise DataError(
                f"{name}: starts with a UTF-8 byte order mark but is not UTF-8 "
                f"({exc.reason} at byte {exc.start + 3}); pass the encoding with encoding="
            ) from None
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise DataError(f"{name}: not UTF-16 text ({exc.reason})") from None
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        position = exc.start
    guess = _detect(raw)
    used = guess or "cp1252"
    try:
        text = raw.decode(used)
    except (UnicodeDecodeError, LookupError):
        used = "cp1252"
        try:
            text = raw.decode(used)
        except UnicodeDecodeError as exc:
            raise DataError(
                f"{name}: neither UTF-8 nor Windows-1252 text (byte {raw[exc.start]:#04x} "
                f"at {exc.start}); pass the file's encoding with encoding="
            ) from None
    warnings.warn(
        f"{name}: not UTF-8 (byte {raw[position]:#04x} at {position}); read as {used}"
        + (" (detected by charset-normalizer)" if guess else "")
        + "; pass encoding= if any text looks wrong",
        ReadWarning,
        stacklevel=5,
    )
    return text, used


def _detect(raw: bytes) -> str | None:
    """The charset-normalizer guess, or None when it is not installed or has none."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - optional dependency
        return None
    sample = raw[:1_000_000]
    results = from_bytes(sample)
    best = results.best()
    if best is None:
        return None
    # Short Western European files often fit several code pages equally well; the
    # detector then ranks a sibling (cp1250, cp1257) first. Windows-1252 wins a tie,
    # and is named whenever it reads the bytes exactly as the guess does.
    for match in results:
        if match.encoding == "cp1252" and (match.chaos, -match.coherence) <= (
            best.chaos,
            -best.coherence,
        ):
            return "cp1252"
    guess = str(best.encoding)
    try:
        if sample.decode("cp1252") == sample.decode(guess):
            return "cp1252"
    except (UnicodeDecodeError, LookupError):
        pass
    return guess


def read_text(path: Path, encoding: str | None) -> tuple[str, str]:
    """The decoded text of a file and the encoding used; errors name the file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror})") from None
    if not raw.strip():
        raise DataError(f"{path.name}: the file is empty")
    utf16 = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (
        encoding is not None and encoding.lower().replace("-", "").startswith("utf16")
    )
    if b"\x00" in raw[:4096] and not utf16:
        order = _utf16_without_bom(raw[:4096])
        if order is not None:
            raise DataError(
                f"{path.name}: looks like UTF-16 text without a byte order mark; "
                f"pass encoding={order!r}"
            )
        raise DataError(
            f"{path.name}: binary content (NUL bytes), not delimited text; "
            "is it a spreadsheet or an SPSS file with the wrong extension?"
        )
    return decode(raw, path.name, encoding)


def _utf16_without_bom(start: bytes) -> str | None:
    """``"utf-16-le"`` or ``"utf-16-be"`` when text looks like UTF-16 without a BOM.

    Text in a Latin script written as UTF-16 has a NUL byte in every other position:
    the odd positions (little-endian) or the even ones (big-endian).

    >>> _utf16_without_bom("id,q1\\n1,4\\n".encode("utf-16-le"))
    'utf-16-le'
    >>> _utf16_without_bom(b"PK\\x03\\x04\\x00\\x00binary") is None
    True
    """
    size = len(start) - len(start) % 2
    if size < 4:
        return None
    data = np.frombuffer(start[:size], dtype=np.uint8)
    even, odd = data[0::2], data[1::2]
    for zeros, text, order in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if (zeros == 0).mean() >= 0.9 and (text != 0).mean() >= 0.9:
            try:
                start[:size].decode(order)
            except UnicodeDecodeError:
                return None
            return order
    return None


def line_breaks(text: str) -> tuple[str, str | None]:
    """The text with line breaks the parsers read, and what was found when it differs.

    A file whose lines end in a carriage return only (classic Mac OS, Excel's
    "CSV (Macintosh)") has each carriage return read as a line break, including any inside
    a quoted cell.

    >>> line_breaks("a,b\\r1,2\\r")
    ('a,b\\n1,2\\n', 'CR')
    >>> line_breaks("a,b\\r\\n1,2\\r\\n")
    ('a,b\\r\\n1,2\\r\\n', None)
    """
    if "\r" in text and "\n" not in text:
        return text.replace("\r", "\n"), "CR"
    return text, None


def check_delimiter(delimiter: Any) -> str:
    """A ``delimiter=`` argument: one character that is not a quote or a line break.

    >>> check_delimiter("|")
    '|'
    """
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in ('"', "\n", "\r"):
        raise DataError(
            f"delimiter must be one character other than a quote or a line break, got {delimiter!r}"
        )
    return delimiter


def sniff_delimiter(text: str) -> str:
    """``,`` ``;`` or tab: whichever the header line holds most of (``,`` on ties).

    >>> sniff_delimiter("a;b;c\\n1;2;3")
    ';'
    """
    first = _header_line(text)
    counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: (counts[sep], sep == ","))
    return best if counts[best] else ","


def _header_line(text: str) -> str:
    """The first line that is not blank."""
    for line in text.split("\n", 20):
        if line.strip():
            return line
    return ""


#: Characters that stand in as the delimiter of a one-column file.
_NO_DELIMITER = ("\x1f", "\x1e", "\x1d", "\x1c", "\x07")


def one_column(text: str) -> str | None:
    """A delimiter that splits nothing, when the header line holds none of ``, ; tab``.

    Such a file has one column: each line is one cell (quotes still work as in any
    CSV file), so a line ``a,b`` is the text ``a,b``, not two cells of which one is
    lost. Returns None for a file with several columns.

    >>> one_column("q1\\n4\\n") is not None, one_column("id,q1\\n1,4\\n")
    (True, None)
    """
    first = _header_line(text)
    if any(sep in first for sep in (",", ";", "\t")):
        return None
    for sep in _NO_DELIMITER:
        if sep not in text:
            return sep
    return None  # pragma: no cover - every control character present


def head_rows(text: str, sep: str, name: str, count: int = 3) -> list[list[str]]:
    """The first ``count`` records as text cells (header candidates); blank lines skipped.

    Only the start of the text is parsed, in growing pieces, so a large file is not
    read twice.
    """
    size = 65_536
    while True:
        piece = text[:size]
        complete = len(piece) == len(text)
        rows: list[list[str]] = []
        try:
            for row in csv.reader(io.StringIO(piece), delimiter=sep):
                if row:
                    rows.append(row)
                if len(rows) > count:
                    break
        except csv.Error as exc:
            if complete:
                raise _parse_error(exc, sep, name) from None
            rows = []
        if complete or len(rows) > count:
            break
        size *= 4
    rows = rows[:count]
    if not rows:
        raise DataError(f"{name}: the file is empty")
    width = len(rows[0])
    return [row[:width] + [""] * (width - len(row)) for row in rows]


def _kind(sep: str) -> str:
    return "TSV" if sep == "\t" else "CSV" if sep == "," else f"text delimited by {sep!r}"


def _parse_error(exc: Exception, sep: str, name: str) -> DataError:
    detail = " ".join(str(exc).split())
    return DataError(f"{name}: cannot be read as {_kind(sep)}: {detail}")


def _surplus(name: str, sep: str, line: int, cells: Any, width: int) -> DataError:
    """A record with more cells than the header names: refused, wherever it is."""
    return DataError(
        f"{name}: cannot be read as {_kind(sep)}: line {line} has {cells} cells, but the "
        f"header names {width} columns; no cell is dropped (quote cells that hold {sep!r})"
    )


def _leading_zeros_anywhere(text: str, sep: str) -> bool:
    """Whether some field may be a number written with leading zeros (``007``, ``"-012"``).

    A vectorised scan for a ``0`` followed by a digit at the start of a field
    (after the delimiter, a line break, a quote or a space, or a sign there).
    Over-matching only costs a second, exact read of the numeric columns.

    >>> _leading_zeros_anywhere("id,x\\n007,1\\n", ",")
    True
    >>> _leading_zeros_anywhere("day,x\\n2024-03-01,0.5\\n", ",")
    False
    """
    data = np.frombuffer(text.encode("utf-8", errors="replace"), dtype=np.uint8)
    if data.size < 2:
        return False
    starts = np.zeros(256, dtype=bool)
    starts[[ord(sep), ord("\n"), ord("\r"), ord('"'), ord(" ")]] = True
    zero = np.flatnonzero(data[:-1] == ord("0"))
    zero = zero[(data[zero + 1] >= ord("0")) & (data[zero + 1] <= ord("9"))]
    if not zero.size:
        return False
    if zero[0] == 0:
        return True
    before = data[zero - 1]
    if starts[before].any():
        return True
    signed = zero[((before == ord("-")) | (before == ord("+"))) & (zero >= 2)]
    return bool(starts[data[signed - 2]].any())


def body_start(text: str, sep: str, records: int) -> tuple[int, int]:
    """Where the data begin: the offset after ``records`` header records, and its line.

    Header records are counted as :func:`head_rows` counts them (blank lines are
    not records; a quoted cell may span lines), so that a blank line before or
    between the header rows never turns a header row into a record.

    >>> body_start("\\nid,q1\\n1,4\\n", ",", 1)
    (7, 3)
    """
    if records <= 0:
        return 0, 1
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    found = 0
    for row in reader:
        if row:
            found += 1
            if found == records:
                break
    offset = 0
    for _ in range(reader.line_num):
        offset = text.find("\n", offset)
        if offset < 0:
            return len(text), reader.line_num + 1
        offset += 1
    return offset, reader.line_num + 1


_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def body_frame(
    text: str,
    sep: str,
    name: str,
    *,
    skip: int,
    width: int,
    text_columns: Sequence[int] = (),
    names: Sequence[str] = (),
) -> pd.DataFrame:
    """The records below ``skip`` header records, typed by pandas' C parser.

    Only empty cells are missing (``"NA"`` and ``"null"`` stay text, as do ``TRUE``
    and ``FALSE``); blank lines are not records, except in a one-column file, where
    a blank line is a record whose one cell is empty. A record with more cells than
    the header names is an error naming its line, wherever it is. Columns that must
    keep their exact text are read as text: ``text_columns``, true/false columns,
    and every numeric column when the file holds numbers written with leading zeros
    or integers too large for a float, so that the type rules of
    :mod:`efficacy.io._common` can see them. A quoted cell holding line breaks
    followed by what look like whole records (a stray opening quote swallows the
    records after it) is legal CSV and read as written, with a warning.
    """
    start, first_line = body_start(text, sep, skip)
    text = text[start:]
    options: dict[str, Any] = {
        "sep": sep,
        "header": None,
        "names": list(range(width)),
        "index_col": False,
        "keep_default_na": False,
        "na_values": [""],
        "skip_blank_lines": width != 1,
        "low_memory": False,
        "engine": "c",
    }
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            body = pd.read_csv(io.StringIO(text), **options)
    except pd.errors.EmptyDataError:
        return pd.DataFrame({j: pd.Series(dtype=object) for j in range(width)})
    except pd.errors.ParserWarning:
        raise _surplus_error(text, sep, name, width, first_line) from None
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        found = _FIELDS.search(str(exc))
        if found is not None:
            line = int(found.group(2)) + first_line - 1
            raise _surplus(name, sep, line, found.group(3), width) from None
        raise _parse_error(exc, sep, name) from None
    _warn_swallowed_records(body, sep, name, width, names)
    dtypes = list(body.dtypes)
    numeric = [j for j, dtype in enumerate(dtypes) if pd.api.types.is_numeric_dtype(dtype)]
    # TRUE/FALSE stay the text they are; exact text where the type rules need it
    suspects = {
        j
        for j, dtype in enumerate(dtypes)
        if pd.api.types.is_bool_dtype(dtype)
        or (
            pd.api.types.is_object_dtype(dtype)
            and pd.api.types.infer_dtype(body[j], skipna=True) == "boolean"
        )
    }
    suspects |= set(text_columns) & set(numeric)
    if numeric and _leading_zeros_anywhere(text, sep):
        suspects |= set(numeric)
    floats = [j for j in numeric if dtypes[j].kind == "f"]
    if floats:
        values = np.abs(body[floats].to_numpy(dtype=float, na_value=np.nan))
        large = np.where(np.isfinite(values), values, 0.0) >= 2.0**53
        suspects |= {floats[k] for k in np.flatnonzero(large.any(axis=0))}
    if suspects:
        chosen = sorted(suspects)
        exact = pd.read_csv(io.StringIO(text), **{**options, "usecols": chosen, "dtype": str})
        for j in chosen:
            body[j] = exact[j].astype(object)
    return body


def _surplus_error(text: str, sep: str, name: str, width: int, first_line: int) -> DataError:
    """The error for a first record with more cells than the header names."""
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    for row in reader:
        if len(row) > width:
            line = first_line + reader.line_num - 1
            return _surplus(name, sep, line, len(row), width)
    return DataError(f"{name}: a record has more cells than the header names ({width})")


def _warn_swallowed_records(
    body: pd.DataFrame, sep: str, name: str, width: int, names: Sequence[str]
) -> None:
    """Warn about quoted cells whose later lines look like whole records."""
    if width < 2 or body.empty:
        return
    found: list[tuple[int, Any]] = []
    for j in range(width):
        column = body[j]
        if not pd.api.types.is_object_dtype(column.dtype) and not pd.api.types.is_string_dtype(
            column.dtype
        ):
            continue
        text = column.astype("string")
        multi = text.str.contains("\n", regex=False).fillna(False).to_numpy(dtype=bool)
        for i in np.flatnonzero(multi):
            lines = str(text.iloc[i]).split("\n")[1:]
            if any(line.count(sep) >= width - 1 for line in lines):
                found.append((int(i), j))
    if found:
        where = ", ".join(
            f"row {i} column {names[j] if j < len(names) and names[j] else j + 1!r}"
            for i, j in found[:5]
        )
        warnings.warn(
            f"{name}: {len(found)} quoted cells hold line breaks followed by what look like "
            f"whole records ({where}); a stray opening quote may have joined records into "
            "one cell. Check the quotes in the file",
            ReadWarning,
            stacklevel=5,
        )
