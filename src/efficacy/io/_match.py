"""Match an instrument's items to data columns by their wording.

Exports rarely name columns by item id, but they carry the question text: as the
variable label (SPSS, REDCap), the second header row (Qualtrics) or the column name
itself. Texts are compared after normalisation: HTML markup and entities removed,
Unicode compatibility forms folded (curly quotes, non-breaking spaces), case folded,
every run of punctuation and whitespace made one space. A label also matches when
the item text is what follows a separator (Qualtrics matrix questions are labelled
``"<question> - <statement>"``, in legacy exports ``"<question>.-<statement>"``) or
when it only adds a leading number (``"3. It is easy for me ..."``). Nothing
fuzzier: a near miss is reported, not guessed.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Mapping
from typing import Any

import pandas as pd

from efficacy.errors import DataError
from efficacy.instrument._model import Instrument
from efficacy.io._common import ReadWarning
from efficacy.io._redcap import plain

_SEPARATOR = re.compile(r"\s+[-\u2013\u2014]\s+|(?<=[.?!:])[-\u2013\u2014]\s*")
_NUMBERING = re.compile(r"^\s*\(?[A-Za-z]{0,3}\d+[a-z]?[.):]\s+")
_NOT_WORD = re.compile(r"[\W_]+")


def normalise_text(text: Any) -> str:
    """The form question texts are compared in.

    >>> normalise_text("  I’m <b>certain</b>&nbsp;I can: understand!")
    'i m certain i can understand'
    """
    folded = unicodedata.normalize("NFKC", plain(text)).casefold()
    return " ".join(_NOT_WORD.sub(" ", folded).split())


def _candidates(text: Any) -> set[str]:
    """Normalised forms a label may match an item by: whole, after separators, unnumbered."""
    raw = plain(text)
    if not raw:
        return set()
    forms = {raw}
    parts = _SEPARATOR.split(raw)
    forms.update(" - ".join(parts[i:]) for i in range(1, len(parts)))
    forms.update(_NUMBERING.sub("", form) for form in list(forms))
    return {normalise_text(form) for form in forms} - {""}


def labels_of(frame_or_labels: Any) -> dict[Any, list[Any]]:
    """Column -> texts to match: its variable label and its own name."""
    if isinstance(frame_or_labels, pd.DataFrame):
        source = frame_or_labels.attrs.get("efficacy_source", {})
        labels = source.get("variable_labels", {}) if isinstance(source, Mapping) else {}
        return {column: [labels.get(column), column] for column in frame_or_labels.columns}
    if isinstance(frame_or_labels, pd.Series):
        return {column: [label] for column, label in frame_or_labels.items()}
    if isinstance(frame_or_labels, Mapping):
        return {column: [label] for column, label in frame_or_labels.items()}
    raise DataError(
        "match_items_by_text needs a DataFrame (labels from ef.read) or a dict "
        f"column -> label, got {type(frame_or_labels).__name__}"
    )


def match_items(
    frame_or_labels: Any, instrument: Instrument, *, strict: bool = True
) -> dict[str, Any]:
    """Item id -> column carrying the item's text (see ``efficacy.io.match_items_by_text``)."""
    texts = labels_of(frame_or_labels)
    index: dict[str, list[Any]] = {}
    for column, labels in texts.items():
        forms: set[str] = set()
        for label in labels:
            if label is not None:
                forms |= _candidates(label)
        for form in forms:
            index.setdefault(form, []).append(column)
    found: dict[str, list[Any]] = {}
    for item in instrument.items:
        columns = index.get(normalise_text(item.text), [])
        found[item.id] = list(dict.fromkeys(columns))
    mapping = {item: columns[0] for item, columns in found.items() if len(columns) == 1}
    unmatched = [item for item, columns in found.items() if not columns]
    ambiguous = {item: columns for item, columns in found.items() if len(columns) > 1}
    if not unmatched and not ambiguous:
        return mapping
    lines = [f"items of {instrument.id} not matched to one column by their text:"]
    for item in unmatched:
        lines.append(f"  {item}: no column labelled {instrument.item(item).text!r}")
    for item, columns in ambiguous.items():
        lines.append(f"  {item}: several columns carry its text: {columns}")
    if strict:
        lines.append("Pass strict=False for the items that did match, or give columns= by hand.")
        raise DataError("\n".join(lines))
    warnings.warn("\n".join(lines), ReadWarning, stacklevel=3)
    return mapping
