"""Delimited text files (CSV, TSV): encoding detection and a strict, lossless read."""

from __future__ import annotations

import codecs
import csv
import io as _io
from pathlib import Path
from typing import Any

import pandas as pd

from efficacy.errors import DataError


def decode(raw: bytes, name: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode file bytes: the given encoding, else UTF-8 (BOM or not), a detector, cp1252.

    Returns the text and the name of the encoding used.

    Examples
    --------
    >>> decode("é".encode("cp1252"), "x.csv")[1] in ("cp1252", "windows-1252")
    True
    >>> decode(codecs.BOM_UTF8 + b"a", "x.csv")
    ('a', 'utf-8-sig')
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
        return raw[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "utf-16"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    guess = _detect(raw)
    if guess is not None:
        try:
            return raw.decode(guess), guess
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{name}: neither UTF-8 nor Windows-1252 text (byte {raw[exc.start]:#04x} at "
            f"{exc.start}); pass the file's encoding with encoding="
        ) from None


def _detect(raw: bytes) -> str | None:
    """The charset-normalizer guess, or None when it is not installed or unsure."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - optional dependency
        return None
    best = from_bytes(raw[:1_000_000]).best()
    return None if best is None else str(best.encoding)


def read_delimited(
    path: Path, *, sep: str, encoding: str | None = None, **options: Any
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Read CSV or TSV text: every row kept, missing values only where a cell is empty.

    ``options`` go to :func:`pandas.read_csv`. Only empty cells are missing by default
    (``"NA"`` or ``"null"`` stay text), so nothing is coerced behind the user's back.
    """
    raw = path.read_bytes()
    text, used = decode(raw, path.name, encoding)
    if not text.strip():
        raise DataError(f"{path.name}: the file is empty")
    options.setdefault("keep_default_na", False)
    options.setdefault("na_values", [""])
    try:
        frame = pd.read_csv(_io.StringIO(text), sep=sep, **options)
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        raise DataError(f"{path.name}: cannot be read as {_kind(sep)}: {exc}") from None
    lines = _record_count(text, sep)
    meta = {"encoding": used, "delimiter": sep, "records": lines}
    return frame, meta


def _kind(sep: str) -> str:
    return "TSV" if sep == "\t" else "CSV" if sep == "," else f"text delimited by {sep!r}"


def _record_count(text: str, sep: str) -> int:
    """Number of non-blank records after the header, as the csv module counts them."""
    reader = csv.reader(_io.StringIO(text), delimiter=sep)
    return max(sum(1 for row in reader if any(cell.strip() for cell in row)) - 1, 0)
