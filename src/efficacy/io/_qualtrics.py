"""Qualtrics exports: recognise the layout and read the extra header rows.

Two layouts are in circulation:

``current`` (exports since 2017)
    row 1 the export tags (``StartDate``, ..., ``Q1_1``), row 2 the question texts
    (``"How true is this of you? - I can always manage ..."``), row 3 the import
    ids as JSON (``{"ImportId":"QID1_1"}``).
``no_import_ids``
    the current layout with its third row (the import ids) removed, as happens
    when the file was edited by hand: recognised by the second-row texts of the
    built-in columns (``ResponseId`` over ``Response ID``, ``StartDate`` over
    ``Start Date``, ...), so that the question-text row is never read as a record.
    Without import ids, question columns are those that are not built-in columns.
``legacy``
    row 1 the export tags, with the built-in columns named ``V1``, ``V2``, ...;
    row 2 the built-in column names (``ResponseID``, ...) and the question texts.
    The ``V`` columns are renamed to their row-2 names (reported).

Question texts become variable labels. Question columns are those whose import id
starts with ``QID`` (current) or that are not built-in columns (legacy); ``_TEXT``
columns (typed answers) are always text. Exports in numeric values or in choice
text both work: scoring reads codes and labels alike.
"""

from __future__ import annotations

import json
import re
from typing import Any

from efficacy.io._common import header_names

#: Built-in columns of legacy exports that are not named V<n>.
_LEGACY_BUILT_IN = {"LocationLatitude", "LocationLongitude", "LocationAccuracy"}

_V_NAME = re.compile(r"^V\d+$")

#: Built-in columns of current exports, with the text of their second header row.
_BUILT_IN = {
    "StartDate": "Start Date",
    "EndDate": "End Date",
    "Status": "Response Type",
    "IPAddress": "IP Address",
    "Progress": "Progress",
    "Duration (in seconds)": "Duration (in seconds)",
    "Finished": "Finished",
    "RecordedDate": "Recorded Date",
    "ResponseId": "Response ID",
    "RecipientLastName": "Recipient Last Name",
    "RecipientFirstName": "Recipient First Name",
    "RecipientEmail": "Recipient Email",
    "ExternalReference": "External Data Reference",
    "LocationLatitude": "Location Latitude",
    "LocationLongitude": "Location Longitude",
    "DistributionChannel": "Distribution Channel",
    "UserLanguage": "User Language",
}

#: Built-in columns whose second-row text tells a current export without import ids.
_TELLING = ("StartDate", "EndDate", "RecordedDate", "ResponseId", "IPAddress")


def _import_id(cell: Any) -> str | None:
    """``'QID1_1'`` from ``'{"ImportId":"QID1_1"}'``; None for anything else."""
    if not isinstance(cell, str) or not cell.strip().startswith("{"):
        return None
    try:
        value = json.loads(cell)
    except ValueError:
        return None
    if isinstance(value, dict) and isinstance(value.get("ImportId"), str):
        return value["ImportId"]
    return None


def detect(rows: list[list[Any]]) -> str | None:
    """``"current"``, ``"legacy"`` or None (not a Qualtrics export), from the first rows.

    >>> detect([["ResponseId", "Q1"], ["Response ID", "Text"],
    ...         ['{"ImportId":"_recordId"}', '{"ImportId":"QID1"}'], ["R_1", "4"]])
    'current'
    """
    if len(rows) >= 3:
        third = [c for c in header_names(rows[2]) if c]
        if third:
            ids = sum(_import_id(cell) is not None for cell in third)
            if ids and ids * 2 >= len(third):
                return "current"
    if len(rows) >= 2:
        first = header_names(rows[0])
        second = header_names(rows[1])
        if first and first[0] == "V1" and any(c in ("ResponseID", "ResponseId") for c in second):
            return "legacy"
        pairs = zip(first, second + [""] * (len(first) - len(second)), strict=False)
        if any(name in _TELLING and text == _BUILT_IN[name] for name, text in pairs):
            return "no_import_ids"
    return None


def prepare(rows: list[list[Any]], layout: str) -> tuple[list[list[Any]], int, dict[str, Any]]:
    """The header rows with final names in the first, their number, and the report.

    The report holds ``variable_labels`` (question texts), ``import_ids``,
    ``renamed`` (legacy ``V`` names) and ``question_columns``.
    """
    names = header_names(rows[0])
    texts = header_names(rows[1]) + [""] * (len(names) - len(rows[1]))
    renamed: dict[str, str] = {}
    import_ids: dict[str, str] = {}
    if layout == "legacy":
        header_rows = 2
        for j, name in enumerate(names):
            if _V_NAME.match(name) and texts[j]:
                renamed[texts[j]] = name
                names[j] = texts[j]
        questions = [n for n in names if n and n not in renamed and n not in _LEGACY_BUILT_IN]
    elif layout == "no_import_ids":
        header_rows = 2
        questions = [n for n in names if n and n not in _BUILT_IN]
    else:
        header_rows = 3
        for j, cell in enumerate(rows[2][: len(names)]):
            found = _import_id(cell)
            if found is not None and names[j]:
                import_ids[names[j]] = found
        questions = [n for n in names if import_ids.get(n, "").startswith("QID")]
    labels = {
        name: text
        for name, text in zip(names, texts[: len(names)], strict=True)
        if name and text and name not in renamed
    }
    meta = {
        "layout": layout,
        "header_rows": header_rows,
        "variable_labels": labels,
        "import_ids": import_ids,
        "renamed": renamed,
        "question_columns": questions,
    }
    return [names, *rows[1:header_rows]], header_rows, meta


def is_text_column(name: str) -> bool:
    """Typed-answer columns (``Q5_4_TEXT``) stay text whatever they hold.

    >>> is_text_column("Q5_4_TEXT"), is_text_column("Q5_4")
    (True, False)
    """
    return name.endswith("_TEXT")
