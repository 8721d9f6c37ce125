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
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from efficacy._read_common import ReadWarning
from efficacy.errors import DataError


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
        raise DataError(
            f"{path.name}: binary content (NUL bytes), not delimited text; "
            "is it a spreadsheet or an SPSS file with the wrong extension?"
        )
    return decode(raw, path.name, encoding)


def sniff_delimiter(text: str) -> str:
    """``,`` ``;`` or tab: whichever the header line holds most of (``,`` on ties).

    >>> sniff_delimiter("a;b;c\\n1;2;3")
    ';'
    """
    first = text.split("\n", 1)[0]
    counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: (counts[sep], sep == ","))
    return best if counts[best] else ","


def text_grid(text: str, sep: str, name: str) -> pd.DataFrame:
    """Every line of the file as text cells, header lines included (no type guessing).

    Blank lines are not records and are skipped, as in every CSV reader; a line of
    delimiters only is a record of empty cells and is kept.
    """
    try:
        grid = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=True,
            quoting=csv.QUOTE_MINIMAL,
            engine="c",
        )
    except pd.errors.EmptyDataError:
        raise DataError(f"{name}: the file is empty") from None
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        kind = "TSV" if sep == "\t" else "CSV" if sep == "," else f"text delimited by {sep!r}"
        detail = " ".join(str(exc).split())
        raise DataError(f"{name}: cannot be read as {kind}: {detail}") from None
    return grid


def text_meta(encoding: str, sep: str) -> dict[str, Any]:
    """The text-specific entries of the read report."""
    return {"encoding": encoding, "delimiter": sep}
