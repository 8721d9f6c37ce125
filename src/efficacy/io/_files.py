"""Reading researchers' data files and writing results.

:func:`read` turns a data file into a DataFrame ready for :func:`efficacy.score`: CSV and
TSV (any common encoding), Excel ``.xlsx``, SPSS ``.sav``, Parquet, Qualtrics exports and REDCap
exports with their data dictionary (large data: ``lazy=True``, :mod:`efficacy.io._large`).
:func:`write` saves scores as CSV, TSV, Excel or SPSS ``.sav`` with variable and value labels.
:func:`match_items_by_text` finds an instrument's items among the columns by their wording.

Every reader keeps every record, coerces nothing silently and says what it did in ``attrs``:

``path``, ``format``, ``rows``, ``columns``
    the file, the format read, and the size of the frame.
``encoding``, ``delimiter``, ``line_endings`` (text), ``sheet``, ``sheets`` (Excel)
    how the file was read (``delimiter`` None: one column; ``line_endings`` ``"CR"``
    when lines end in a carriage return only); a guessed encoding is warned about.
``variable_labels``, ``value_labels``
    column -> label and column -> {code: label}, from the file (SPSS), the question
    texts (Qualtrics) or the data dictionary (REDCap).
``missing_codes``, ``missing_counts``
    column -> codes taken as missing (the file's own and ``missing=``), and how many
    cells per column were made missing.
``recoded``, ``recode_unmatched``
    cells recoded per column (``recode=``) and text values no rule matched.
``empty_rows``, ``trailing_empty_rows``, ``dropped_columns``, ``unnamed_columns``,
``duplicate_columns``, ``mixed_columns``, ``kept_as_text``
    the table's shape as found: all-missing rows kept (0-based), empty rows at the
    end not counted as records, unnamed empty columns at the right edge dropped
    (1-based positions), columns mixing numbers and text (with the text values) and
    numeric-looking columns kept as text (leading zeros, long identifiers).
``qualtrics``, ``redcap``, ``spss``
    what is particular to the format (layout, import ids, question columns;
    fields missing from the data or the dictionary, values outside a field's
    choices; the file label and SPSS formats).

Examples
--------
>>> import tempfile, pathlib
>>> import efficacy as ef
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "data.csv").write_text("id,gse1,gse2\\n007,4,3\\n008,3,9\\n")
>>> frame = ef.read(folder / "data.csv", missing=[9])
>>> frame
    id  gse1  gse2
0  007     4   3.0
1  008     3   NaN
>>> frame.attrs["efficacy_source"]["missing_counts"], frame.attrs["efficacy_source"]["kept_as_text"]
({'gse2': 1}, {'id': 'leading zeros'})
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from efficacy.errors import DataError
from efficacy.io._common import ReadWarning
from efficacy.io._large import read_lazy, read_parquet

#: File extension -> format read.
READ_FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".sav": "spss",
    ".zsav": "spss",
    ".parquet": "parquet",
}

#: Formats :func:`read` accepts in ``format=``.
FORMATS = ("csv", "tsv", "excel", "spss", "qualtrics", "redcap", "parquet")

Labels = Literal["codes", "labels"]


def read(
    path: str | Path,
    *,
    format: str | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
    missing: Sequence[Any] | Mapping[Any, Sequence[Any]] | None = None,
    labels: Labels = "codes",
    recode: Mapping[Any, Mapping[Any, Any]] | None = None,
    dictionary: str | Path | pd.DataFrame | None = None,
    delimiter: str | None = None,
    lazy: bool = False,
) -> pd.DataFrame:
    """Read a data file into a DataFrame, ready for :func:`efficacy.score`.

    Parameters
    ----------
    path
        The file. Its extension chooses the reader: ``.csv``, ``.tsv``/``.tab``,
        ``.xlsx``/``.xlsm``, ``.sav``/``.zsav``, ``.parquet`` (pyarrow, the ``parquet``
        extra). Qualtrics exports (CSV, TSV or Excel) are recognised by their header rows.
    format
        Force a reader: ``"csv"``, ``"tsv"``, ``"excel"``, ``"spss"``,
        ``"qualtrics"`` or ``"redcap"`` (REDCap needs ``dictionary=``).
    encoding
        Text encoding of CSV/TSV (default: UTF-8 with or without BOM, UTF-16 with
        BOM, else detected by charset-normalizer, else Windows-1252, with a warning),
        or of an old SPSS file without one.
    sheet
        Excel sheet name or 0-based number (default the first, with a warning when
        there are several).
    missing
        Codes that mean "no answer": a list for every response column (``"*"``),
        or a dict ``{column or "*": [codes]}``. Numbers match numbers and numerals;
        text matches text as written (trimmed). Added to an SPSS file's own
        user-missing definitions. Each such cell becomes missing and is counted in
        ``attrs["efficacy_source"]["missing_counts"]``.
    labels
        ``"codes"`` (default) keeps the codes; ``"labels"`` replaces them by their
        value labels (SPSS, REDCap), codes without a label by their numeral.
    recode
        ``{column or "*": {value: code}}``: values that must become other codes,
        applied after ``missing``, all at once. For Qualtrics exports whose recode
        values do not run 1..k (``{"*": {23: 1, 24: 2, 25: 3, 26: 4}}``) or whose
        choice texts differ from the instrument's labels (``{"*": {"Totally true":
        4}}``). ``None`` as a code makes the value missing.
    dictionary
        REDCap data dictionary: a CSV path or a DataFrame.
    delimiter
        CSV delimiter, one character (default: ``,``, ``;`` or tab, whichever the
        header line uses most; a header line with none of them makes a one-column
        file, each line one cell).
    lazy
        A dask DataFrame of a Parquet file or folder or a glob of CSV/TSV files (``dask`` extra;
        partitions and row labels: :func:`efficacy.io._large.read_lazy`).

    Returns
    -------
    DataFrame
        One row per record, in file order, on a fresh RangeIndex; what was read and done is in
        ``attrs["efficacy_source"]`` (see the module documentation).

    Raises
    ------
    DataError
        A file that cannot be read, with its name and the reason; options that do not apply to
        the format or name columns the file lacks.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import efficacy as ef
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "qualtrics.csv"
    >>> _ = path.write_text(
    ...     "ResponseId,Q1_1,Q1_2\\n"
    ...     "Response ID,How true? - I can always manage,How true? - If someone opposes me\\n"
    ...     '{"ImportId":"_recordId"},{"ImportId":"QID1_1"},{"ImportId":"QID1_2"}\\n'
    ...     "R_1,4,-99\\n")
    >>> frame = ef.read(path, missing=[-99])
    >>> frame
      ResponseId  Q1_1  Q1_2
    0        R_1     4   NaN
    >>> frame.attrs["efficacy_source"]["variable_labels"]["Q1_1"]
    'How true? - I can always manage'
    """
    if lazy:
        return read_lazy(path, **{k: v for k, v in locals().items() if k not in ("path", "lazy")})
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: no such file")
    if path.is_dir():
        raise DataError(f"{path}: is a folder, not a data file")
    kind = _format_of(path, format)
    if labels not in ("codes", "labels"):
        raise DataError(f"labels must be 'codes' or 'labels', got {labels!r}")
    if dictionary is not None and kind != "redcap":
        raise DataError(f"dictionary= is for REDCap exports (format='redcap'), not {kind}")
    if kind == "redcap" and dictionary is None:
        raise DataError(f"{path.name}: a REDCap export needs its data dictionary (dictionary=)")
    workbook = path.suffix.lower() in (".xlsx", ".xlsm")
    if sheet is not None and not (kind == "excel" or (kind == "qualtrics" and workbook)):
        raise DataError(f"sheet= is for Excel workbooks, not {kind} files")
    if (delimiter is not None and kind in ("spss", "parquet")) or (encoding and kind == "parquet"):
        raise DataError(f"delimiter= and encoding= are for text files, not {kind} files")
    if delimiter is not None:
        from efficacy.io._text import check_delimiter

        delimiter = check_delimiter(delimiter)

    meta: dict[str, Any] = {"path": str(path), "format": kind}
    star: list[Any] | None = None
    if kind == "spss":
        from efficacy.io._spss import read_spss

        frame, found = read_spss(path, encoding=encoding)
    elif kind == "parquet":
        frame, found = read_parquet(path)
    else:
        frame, found, star = _read_table(path, kind, encoding, sheet, delimiter, dictionary)
    meta.update(found)
    if star is None:
        star = list(frame.columns)
    frame = _apply_options(frame, meta, star, missing, recode, labels, path.name)
    meta["rows"], meta["columns"] = int(frame.shape[0]), int(frame.shape[1])
    frame.attrs["efficacy_source"] = meta
    return frame


def _format_of(path: Path, format: str | None) -> str:
    if format is not None:
        if format not in FORMATS:
            raise DataError(f"unknown format {format!r}; formats are {list(FORMATS)}")
        return format
    suffix = path.suffix.lower()
    if suffix in READ_FORMATS:
        return READ_FORMATS[suffix]
    if suffix == ".xls":
        raise DataError(f"{path.name}: old-style .xls workbooks are not read; save it as .xlsx")
    raise DataError(
        f"{path.name}: unknown file type {suffix or '(no extension)'!r}; readable: "
        f"{sorted(READ_FORMATS)}, or pass format= one of {list(FORMATS)}"
    )


def _read_table(
    path: Path,
    kind: str,
    encoding: str | None,
    sheet: str | int | None,
    delimiter: str | None,
    dictionary: Any,
) -> tuple[pd.DataFrame, dict[str, Any], list[Any] | None]:
    """CSV, TSV, Excel, Qualtrics and REDCap: grid, header rows, types, format extras."""
    import efficacy.io._qualtrics as qualtrics
    from efficacy.io._common import build_frame, header_names

    meta: dict[str, Any] = {}
    suffix = path.suffix.lower()
    is_excel = kind == "excel" or (kind == "qualtrics" and suffix in (".xlsx", ".xlsm"))
    if is_excel:
        from efficacy.io._excel import excel_grid

        grid, found = excel_grid(path, sheet)
        meta.update(found)
        head = [list(grid.iloc[i]) for i in range(min(3, len(grid)))]
    else:
        from efficacy.io._text import (
            body_frame,
            head_rows,
            line_breaks,
            one_column,
            read_text,
            sniff_delimiter,
        )

        text, used = read_text(path, encoding)
        text, endings = line_breaks(text)
        if endings is not None:
            meta["line_endings"] = endings
        shown = delimiter
        if delimiter is None:
            tab = kind == "tsv" or (kind != "csv" and suffix in (".tsv", ".tab"))
            single = None if tab else one_column(text)
            delimiter = "\t" if tab else single or sniff_delimiter(text)
            shown = None if single else delimiter
            if single and any(sep in text for sep in (",", ";", "\t")):
                warnings.warn(
                    f"{path.name}: the header line names one column, so each line is one "
                    "cell, although some lines hold ',' ';' or tabs; pass delimiter= to "
                    "split them",
                    ReadWarning,
                    stacklevel=4,
                )
        meta.update(encoding=used, delimiter=shown)
        head = head_rows(text, delimiter, path.name)
    if not head:
        raise DataError(f"{path.name}: the file is empty")

    layout = qualtrics.detect(head) if kind != "redcap" else None
    if kind == "qualtrics" and layout is None:
        raise DataError(
            f"{path.name}: not a Qualtrics export: expected the import ids "
            '({"ImportId": ...}) in row 3, "Response ID" under ResponseId in row 2, '
            "or the legacy V1, V2, ... / ResponseID rows"
        )
    star: list[Any] | None = None
    header_rows, keep_text, extra = 1, None, None
    if layout is not None:
        head, header_rows, extra = qualtrics.prepare(head, layout)
        keep_text = qualtrics.is_text_column
    header = head[:header_rows]
    if is_excel:
        body = grid.iloc[header_rows:]
    else:
        names = header_names(header[0])
        body = body_frame(
            text,
            delimiter,
            path.name,
            skip=header_rows,
            width=len(names),
            names=names,
            text_columns=[j for j, n in enumerate(names) if keep_text and keep_text(n)],
        )
    frame, found = build_frame(header, body, name=path.name, keep_text=keep_text)
    meta.update(found)
    if extra is not None:
        meta["format"] = "qualtrics"
        meta["variable_labels"] = extra.pop("variable_labels")
        meta["qualtrics"] = extra
        star = [c for c in extra["question_columns"] if not qualtrics.is_text_column(c)]
    if kind == "redcap":
        from efficacy.io._redcap import data_columns, dictionary_meta, load_dictionary

        table, source = load_dictionary(dictionary, _dictionary_reader)
        info = dictionary_meta(table, source)
        meta["variable_labels"] = {
            c: label for c, label in info["variable_labels"].items() if c in frame.columns
        }
        meta["value_labels"] = {
            c: labels for c, labels in info["value_labels"].items() if c in frame.columns
        }
        meta["redcap"] = {
            "dictionary": str(dictionary) if not isinstance(dictionary, pd.DataFrame) else source,
            "record_id": info["record_id"],
            "field_types": info["field_types"],
            "_info": info,
        }
        star = data_columns(frame, info)
    return frame, meta, star


def _dictionary_reader(path: Path) -> pd.DataFrame:
    """A REDCap data dictionary as text cells (nothing converted)."""
    import io

    from efficacy.io._text import read_text, sniff_delimiter

    if not path.is_file():
        raise DataError(f"{path}: no such data dictionary")
    text, _ = read_text(path, None)
    try:  # a surplus cell in the first row is an error, never a shifted index
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            table = pd.read_csv(
                io.StringIO(text),
                sep=sniff_delimiter(text),
                dtype=str,
                keep_default_na=False,
                index_col=False,
            )
    except pd.errors.ParserWarning:
        raise DataError(
            f"{path.name}: not a readable data dictionary (its first row holds more cells "
            "than the header names)"
        ) from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataError(f"{path.name}: not a readable data dictionary ({exc})") from None
    table.columns = [str(c).strip() for c in table.columns]
    return table


def _apply_options(
    frame: pd.DataFrame,
    meta: dict[str, Any],
    star: list[Any],
    missing: Any,
    recode: Any,
    labels: str,
    name: str,
) -> pd.DataFrame:
    from efficacy.io._codes import apply_labels, apply_missing, apply_recode, per_column

    columns = list(frame.columns)
    codes = per_column(missing, columns, star, "missing", name)
    frame, counts = apply_missing(frame, codes)
    definitions = dict(meta.get("missing_codes", {}))
    for column, values in codes.items():
        values = [values] if isinstance(values, str | int | float) else list(values)
        definitions[column] = [*definitions.get(column, []), *values]
    merged = dict(meta.get("missing_counts", {}))
    for column, count in counts.items():
        merged[column] = merged.get(column, 0) + count
    meta["missing_codes"], meta["missing_counts"] = definitions, merged

    redcap = meta.get("redcap")
    if redcap is not None:
        from efficacy.io._redcap import check_data

        redcap.update(check_data(frame, redcap.pop("_info"), name))

    rules = per_column(recode, columns, star, "recode", name)
    frame, recoded, unmatched = apply_recode(frame, rules, name)
    meta["recoded"], meta["recode_unmatched"] = recoded, unmatched

    if meta.get("format") == "qualtrics":
        _warn_seen_unanswered(frame, star, name)

    if labels == "labels":
        value_labels = meta.get("value_labels") or {}
        if not value_labels:
            raise DataError(f"{name}: labels='labels' needs value labels; the file has none")
        frame, unlabelled = apply_labels(frame, value_labels)
        meta["unlabelled_values"] = unlabelled
    meta["labels"] = labels
    meta.setdefault("variable_labels", {})
    meta.setdefault("value_labels", {})
    return frame


def _warn_seen_unanswered(frame: pd.DataFrame, questions: list[Any], name: str) -> None:
    """Qualtrics writes -99 for "seen but unanswered" when asked to: say so."""
    from efficacy.io._codes import match_values

    found = [c for c in questions if c in frame.columns and match_values(frame[c], [-99]).any()]
    if found:
        warnings.warn(
            f"{name}: question columns hold -99, Qualtrics' code for 'seen but unanswered': "
            f"{found[:5]}; pass missing=[-99] to read it as missing",
            ReadWarning,
            stacklevel=4,
        )


def match_items_by_text(
    frame_or_labels: pd.DataFrame | Mapping[Any, str] | pd.Series,
    instrument: Any,
    *,
    strict: bool = True,
) -> dict[str, Any]:
    """Find each item's column by its wording; the result goes to ``score(columns=)``.

    Parameters
    ----------
    frame_or_labels
        A DataFrame from :func:`read` (its variable labels, i.e. question texts, and
        its column names are searched), or a dict/Series column -> label.
    instrument
        A bundled id, a path or an Instrument.
    strict
        True (default): raise unless every item matches exactly one column.
        False: warn and return the items that did.

    Returns
    -------
    dict
        Item id -> column.

    Raises
    ------
    DataError
        Listing the items no column carries and the items several columns carry.

    Notes
    -----
    Texts match after normalisation (markup, case, punctuation and whitespace
    ignored); a label may also be ``"<question> - <item text>"`` (Qualtrics matrix
    questions) or start with a number (``"3. ..."``). See
    :mod:`efficacy.io._match`.

    Examples
    --------
    >>> import efficacy as ef
    >>> from efficacy.io._files import match_items_by_text
    >>> gse = ef.load("gse")
    >>> labels = {f"Q1_{i}": f"How true? - {item.text.upper()}" for i, item in
    ...           enumerate(gse.items, start=1)}
    >>> match_items_by_text(labels, gse)["gse3"]
    'Q1_3'
    """
    from efficacy.instrument._loader import load
    from efficacy.io._match import match_items

    return match_items(frame_or_labels, load(instrument), strict=strict)


def write(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    format: str | None = None,
    variable_labels: Mapping[Any, str] | None = None,
    value_labels: Mapping[Any, Mapping[Any, str]] | None = None,
    index: bool | None = None,
    encoding: str = "utf-8",
    na_rep: str = "",
    sheet: str = "data",
    escape_formulas: bool = False,
) -> Path:
    """Write a frame (scores, coded items) as CSV, TSV, Excel or SPSS ``.sav``.

    Parameters
    ----------
    frame
        What to write. It is not changed.
    path
        The file; its extension chooses the format (``.csv``, ``.tsv``, ``.xlsx``,
        ``.sav``, ``.zsav``) unless ``format=`` (``"csv"``, ``"tsv"``, ``"excel"``,
        ``"spss"``) is given. Missing folders are not created.
    variable_labels, value_labels
        Column -> label and column -> {code: label}. Written into ``.sav`` files
        and into a ``variables`` sheet of Excel workbooks; CSV and TSV cannot hold
        them (a warning says so when given). By default they come from the frame:
        labels a reader found (``attrs["efficacy_source"]``) and, for scores from
        :func:`efficacy.score`, a label per score column naming the scale and
        method. Given ones take precedence, column by column.
    index
        Write the index as a first column. Default: only when it is not the plain
        0..n-1 range (scores keep the data's index, e.g. participant ids).
    encoding, na_rep
        CSV/TSV text encoding (``"utf-8-sig"`` for Excel on Windows) and the text of
        a missing value (BIDS wants ``"n/a"``).
    sheet
        Excel sheet name.
    escape_formulas
        For CSV/TSV files meant to be opened in a spreadsheet: text cells (and
        column names) starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
        return, which a spreadsheet would evaluate as a formula, are written with a
        leading ``'`` (plain numbers such as ``-3`` are left alone). Off by
        default, because the ``'`` then becomes part of the text when the file is
        read back by a program. Excel workbooks need no option: text is always
        written as text, never as a formula.

    Returns
    -------
    Path
        The file written.

    Notes
    -----
    CSV, TSV and ``.sav`` keep every number exactly. Excel workbooks written through
    openpyxl keep 16 significant digits (a relative difference below 1e-15); write
    CSV or ``.sav`` when exact values matter.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import efficacy as ef
    >>> data = pd.DataFrame({f"gse{i}": [4, 3, 1] for i in range(1, 11)})
    >>> scores = ef.score(data, "gse")
    >>> path = ef.write(scores, pathlib.Path(tempfile.mkdtemp()) / "scores.sav")
    >>> back = ef.read(path)
    >>> back["gse"].tolist(), back.attrs["efficacy_source"]["variable_labels"]["gse"]
    ([40.0, 30.0, 10.0], 'General self-efficacy (sum)')
    """
    from efficacy.io._table_writer import default_labels, write_delimited, write_excel

    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"write needs a DataFrame, got {type(frame).__name__}")
    path = Path(path)
    kind = format or {
        ".csv": "csv",
        ".tsv": "tsv",
        ".tab": "tsv",
        ".xlsx": "excel",
        ".sav": "spss",
        ".zsav": "spss",
    }.get(path.suffix.lower())
    if kind not in ("csv", "tsv", "excel", "spss"):
        raise DataError(
            f"{path.name}: cannot choose a format from {path.suffix or '(no extension)'!r}; "
            "write .csv, .tsv, .xlsx or .sav, or pass format="
        )
    if not path.parent.is_dir():
        raise DataError(f"{path}: the folder {path.parent} does not exist")
    if index is None:
        index = not (
            isinstance(frame.index, pd.RangeIndex)
            and frame.index.start == 0
            and frame.index.step == 1
            and frame.index.name is None
        )
    if kind in ("csv", "tsv"):
        if variable_labels or value_labels:
            warnings.warn(
                f"{path.name}: {kind.upper()} files cannot hold variable or value labels; "
                "they were not written (write .sav or .xlsx to keep them)",
                ReadWarning,
                stacklevel=2,
            )
        return write_delimited(
            frame,
            path,
            sep="," if kind == "csv" else "\t",
            index=index,
            encoding=encoding,
            na_rep=na_rep,
            escape_formulas=escape_formulas,
        )
    found_variables, found_values = default_labels(frame)
    variables = {**found_variables, **dict(variable_labels or {})}
    values = {**found_values, **{k: dict(v) for k, v in (value_labels or {}).items()}}
    if kind == "excel":
        return write_excel(
            frame, path, index=index, sheet=sheet, variable_labels=variables, value_labels=values
        )
    from efficacy.io._spss_writer import write_spss

    return write_spss(frame, path, index=index, variable_labels=variables, value_labels=values)
