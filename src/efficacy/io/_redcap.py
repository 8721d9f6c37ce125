"""REDCap: a raw data export read together with the project's data dictionary.

The dictionary (the CSV REDCap offers under "Data Dictionary", or the API's
metadata export) gives each field's label, type and choices. Field labels become
variable labels, with HTML markup removed; the choices of radio, dropdown and
checkbox fields (``"1, Not at all | 2, Hardly true"``) become value labels, as do
the implicit choices of yes/no, true/false and form-status fields. Checkbox fields
are exported one column per choice (``field___1``), 0 unchecked and 1 checked.
"""

from __future__ import annotations

import html
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from efficacy.errors import DataError
from efficacy.io._codes import match_values
from efficacy.io._common import LISTED_VALUES, ReadWarning

#: Dictionary headers as REDCap writes them, and as its API names them.
FIELD_NAME = ("Variable / Field Name", "field_name")
FORM_NAME = ("Form Name", "form_name")
FIELD_TYPE = ("Field Type", "field_type")
FIELD_LABEL = ("Field Label", "field_label")
CHOICES = ("Choices, Calculations, OR Slider Labels", "select_choices_or_calculations")

_CHOICE_TYPES = {"radio", "dropdown", "checkbox"}
_IMPLICIT = {
    "yesno": {1: "Yes", 0: "No"},
    "truefalse": {1: "True", 0: "False"},
}
_FORM_STATUS = {0: "Incomplete", 1: "Unverified", 2: "Complete"}
_SYSTEM = re.compile(
    r"^(redcap_(event_name|repeat_instrument|repeat_instance|data_access_group|"
    r"survey_identifier)|.+_timestamp|.+_complete)$"
)
_TAG = re.compile(r"<[^>]+>")


def plain(text: Any) -> str:
    """Label text without HTML markup, entities resolved, whitespace collapsed.

    >>> plain("<b>How  true</b> is this &amp; that?")
    'How true is this & that?'
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    return " ".join(html.unescape(_TAG.sub(" ", str(text))).split())


def _code(text: str) -> Any:
    """A choice code as a number when it reads as one, else as text."""
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() else number


def parse_choices(text: Any) -> dict[Any, str]:
    """Choices ``"1, Not at all | 2, Hardly true"`` as ``{1: 'Not at all', ...}``.

    Only the first comma separates code and label, so labels may hold commas.

    >>> parse_choices("1, Not at all | 2, Hardly, if ever | 3,Often")
    {1: 'Not at all', 2: 'Hardly, if ever', 3: 'Often'}
    """
    choices: dict[Any, str] = {}
    for part in plain(text).split("|"):
        if not part.strip():
            continue
        code, _, label = part.partition(",")
        choices[_code(code.strip())] = label.strip()
    return choices


def _column(dictionary: pd.DataFrame, names: tuple[str, ...], required: bool = True) -> Any:
    for name in names:
        if name in dictionary.columns:
            return name
    if required:
        raise DataError(
            f"the data dictionary lacks the column {names[0]!r}; "
            f"it has {list(dictionary.columns)[:8]}"
        )
    return None


def load_dictionary(source: Any, reader: Any) -> tuple[pd.DataFrame, str]:
    """The dictionary as text cells, from a path (read with ``reader``) or a DataFrame."""
    if isinstance(source, pd.DataFrame):
        return source.astype(object).where(source.notna(), ""), "<DataFrame>"
    path = Path(source)
    frame = reader(path)
    return frame, path.name


def dictionary_meta(dictionary: pd.DataFrame, name: str) -> dict[str, Any]:
    """Field names, types, forms, labels and value labels of every data column."""
    field = _column(dictionary, FIELD_NAME)
    kind = _column(dictionary, FIELD_TYPE)
    label = _column(dictionary, FIELD_LABEL)
    choices = _column(dictionary, CHOICES)
    form = _column(dictionary, FORM_NAME, required=False)
    if dictionary.empty:
        raise DataError(f"{name}: the data dictionary has no fields")
    fields = dictionary[field].astype("string").str.strip()
    if fields.isna().any() or fields.eq("").any():
        rows = list(np.flatnonzero(fields.isna() | fields.eq("")) + 2)
        raise DataError(f"{name}: fields without a name on lines {rows[:LISTED_VALUES]}")
    variable_labels: dict[str, str] = {}
    value_labels: dict[str, dict[Any, str]] = {}
    field_types: dict[str, str] = {}
    columns_of: dict[str, list[str]] = {}
    forms: list[str] = []
    for i in range(len(dictionary)):
        name_i = str(fields.iloc[i])
        type_i = str(dictionary[kind].iloc[i]).strip().lower()
        label_i = plain(dictionary[label].iloc[i])
        field_types[name_i] = type_i
        if form is not None:
            form_i = str(dictionary[form].iloc[i]).strip()
            if form_i and form_i not in forms:
                forms.append(form_i)
        if type_i == "descriptive":
            columns_of[name_i] = []
            continue
        if type_i == "checkbox":
            columns_of[name_i] = []
            for code, text in parse_choices(dictionary[choices].iloc[i]).items():
                column = f"{name_i}___{str(code).lower().replace('-', '_')}"
                columns_of[name_i].append(column)
                variable_labels[column] = f"{label_i} (choice={text})"
                value_labels[column] = {0: "Unchecked", 1: "Checked"}
            continue
        columns_of[name_i] = [name_i]
        variable_labels[name_i] = label_i
        if type_i in _CHOICE_TYPES:
            value_labels[name_i] = parse_choices(dictionary[choices].iloc[i])
        elif type_i in _IMPLICIT:
            value_labels[name_i] = dict(_IMPLICIT[type_i])
    for form_i in forms:
        variable_labels.setdefault(f"{form_i}_complete", "Complete?")
        value_labels.setdefault(f"{form_i}_complete", dict(_FORM_STATUS))
    return {
        "record_id": str(fields.iloc[0]),
        "field_types": field_types,
        "columns_of": columns_of,
        "variable_labels": variable_labels,
        "value_labels": value_labels,
    }


def check_data(frame: pd.DataFrame, info: dict[str, Any], name: str) -> dict[str, Any]:
    """Compare the export with its dictionary; warn about values outside the choices."""
    expected = [c for columns in info["columns_of"].values() for c in columns]
    present = set(frame.columns)
    if not present & set(expected):
        raise DataError(
            f"{name}: none of its columns is a field of the data dictionary "
            f"(columns {list(frame.columns)[:LISTED_VALUES]}, fields "
            f"{expected[:LISTED_VALUES]}); export the raw data with field names, not labels"
        )
    not_in_dictionary = [
        c
        for c in frame.columns
        if c not in set(expected) and c not in info["value_labels"] and not _SYSTEM.match(str(c))
    ]
    not_in_data = [c for c in expected if c not in present]
    outside: dict[str, list[Any]] = {}
    for column, labels in info["value_labels"].items():
        if column not in present or not labels:
            continue
        values = frame[column]
        unknown = values.notna().to_numpy() & ~match_values(values, list(labels))
        if unknown.any():
            outside[column] = list(
                pd.unique(values[unknown].to_numpy(dtype=object))[:LISTED_VALUES]
            )
    if outside:
        listed = "; ".join(f"{c!r}: {v}" for c, v in list(outside.items())[:LISTED_VALUES])
        warnings.warn(
            f"{name}: values that are not among the field's choices (declare missing "
            f"codes with missing=): {listed}",
            ReadWarning,
            stacklevel=4,
        )
    return {
        "not_in_dictionary": not_in_dictionary,
        "not_in_data": not_in_data,
        "values_outside_choices": outside,
    }


def data_columns(frame: pd.DataFrame, info: dict[str, Any]) -> list[Any]:
    """Columns ``"*"`` stands for: every field but the record id and REDCap's own."""
    return [c for c in frame.columns if c != info["record_id"] and not _SYSTEM.match(str(c))]
