"""Instruments and scores in other systems' formats: REDCap and BIDS.

- :func:`to_redcap_dictionary`: a REDCap data dictionary (the 18-column CSV REDCap's
  Data Dictionary page uploads) that builds the questionnaire as a form: one radio
  field per item, the response labels as choices, the items as one matrix.
- :func:`to_bids_sidecar`: the JSON sidecar of a BIDS phenotype file of item
  responses (``phenotype/<tool>.json``): ``MeasurementToolMetadata`` and, per item
  column, its ``Description`` (the item text) and ``Levels`` (code -> label).
- :func:`scores_to_bids`: scores as a BIDS phenotype table (``participant_id``
  first) and its sidecar, score columns marked ``"Derivative": true``.

Examples
--------
>>> import efficacy as ef
>>> from efficacy.io._export import to_redcap_dictionary
>>> table = to_redcap_dictionary(ef.load("gse"))
>>> table.iloc[1, [0, 3, 5]].tolist()
['gse1', 'radio', '1, Not at all true | 2, Hardly true | 3, Moderately true | 4, Exactly true']
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from efficacy.errors import DataError
from efficacy.instrument._loader import load
from efficacy.instrument._model import Instrument
from efficacy.io._codes import map_distinct

#: The data dictionary's columns, in REDCap's order and spelling.
REDCAP_COLUMNS: tuple[str, ...] = (
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)

_REDCAP_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
#: REDCap's hard limit on field names (26 characters or fewer are recommended).
REDCAP_MAX_NAME = 100
_BIDS_LABEL = re.compile(r"^[A-Za-z0-9]+$")


def _code_text(code: float) -> str:
    return f"{code:g}"


def _levels(instrument: Instrument) -> dict[float, str]:
    """Every response code with its label (the numeral when the code has none)."""
    labels = instrument.response.labels
    return {float(c): labels.get(float(c), _code_text(c)) for c in instrument.response.codes}


def _redcap_name(name: str, what: str) -> str:
    if not _REDCAP_NAME.match(name) or len(name) > REDCAP_MAX_NAME:
        raise DataError(
            f"{what} {name!r} cannot be a REDCap name: lowercase letters, digits and "
            f"underscores, starting with a letter, at most {REDCAP_MAX_NAME} characters"
        )
    return name


def to_redcap_dictionary(
    instrument: str | Instrument,
    *,
    form: str | None = None,
    prefix: str = "",
    record_id: str | None = "record_id",
    matrix: bool = True,
) -> pd.DataFrame:
    """A REDCap data dictionary that builds the instrument as a form.

    Parameters
    ----------
    instrument
        A bundled id, a path or an Instrument.
    form
        The form (instrument) name in REDCap; default the instrument id.
    prefix
        Put before every item id to make the field names (``"t1_"`` -> ``t1_gse1``).
    record_id
        Name of the record id field put first (a REDCap project's first field is its
        record id); None leaves it out, to add the form to an existing project.
    matrix
        Group the items as one matrix (they share their choices), named after the form.

    Returns
    -------
    DataFrame
        REDCap's 18 columns (:data:`REDCAP_COLUMNS`), one row per field, every cell
        text. Save it with ``table.to_csv("dictionary.csv", index=False)`` and upload
        it on REDCap's Data Dictionary page.

    Notes
    -----
    Items are required-free ``radio`` fields labelled with their exact wording; the
    instructions are the section header of the first item; reverse-keyed items say
    so in the field annotation (REDCap stores the answer as given: reverse keying
    is applied when scoring). The instrument's missing codes are not offered as
    choices.

    Examples
    --------
    >>> table = to_redcap_dictionary("gse", record_id=None, prefix="t1_")
    >>> table["Variable / Field Name"].tolist()[:3], table.shape
    (['t1_gse1', 't1_gse2', 't1_gse3'], (10, 18))
    """
    inst = load(instrument)
    form = _redcap_name(form or inst.id, "form name")
    codes = inst.response.codes
    if not np.allclose(codes, np.round(codes)):
        raise DataError(
            f"{inst.id}: response codes {list(codes)} are not whole numbers; "
            "REDCap choice codes must be"
        )
    choices = " | ".join(f"{_code_text(c)}, {label}" for c, label in _levels(inst).items())
    flip = inst.response.min + inst.response.max
    rows: list[dict[str, str]] = []
    if record_id is not None:
        rows.append(
            {
                "Variable / Field Name": _redcap_name(record_id, "record id field"),
                "Form Name": form,
                "Field Type": "text",
                "Field Label": "Record ID",
            }
        )
    for i, item in enumerate(inst.items):
        rows.append(
            {
                "Variable / Field Name": _redcap_name(prefix + item.id, "field name"),
                "Form Name": form,
                "Section Header": (inst.instructions or "") if i == 0 else "",
                "Field Type": "radio",
                "Field Label": item.text,
                "Choices, Calculations, OR Slider Labels": choices,
                "Matrix Group Name": form if matrix else "",
                "Field Annotation": (
                    f"Reverse keyed: scored as {_code_text(flip)} minus the answer"
                    if item.reversed
                    else ""
                ),
            }
        )
    table = pd.DataFrame(rows, columns=list(REDCAP_COLUMNS))
    return table.astype(object).where(table.notna(), "")


def _item_columns(instrument: Instrument, columns: str | Mapping[str, str] | None) -> list[str]:
    if columns is None:
        return list(instrument.item_ids)
    if isinstance(columns, str):
        if not re.search(r"\{(n|id)(:[^}]*)?\}", columns):
            raise DataError(f"column template {columns!r} needs '{{n}}' or '{{id}}'")
        return [columns.format(n=item.number, id=item.id) for item in instrument.items]
    absent = [item for item in instrument.item_ids if item not in columns]
    if absent:
        raise DataError(f"columns gives no column for items {absent} of {instrument.id}")
    return [str(columns[item]) for item in instrument.item_ids]


def _tool_metadata(instrument: Instrument, term_url: str | None) -> dict[str, str]:
    description = f"{instrument.name} ({instrument.abbreviation}), version {instrument.version}"
    description += f", language {instrument.language}"
    if instrument.citations:
        description += f". {' '.join(str(instrument.citations[0]).split())}"
    metadata = {"Description": description}
    if term_url:
        metadata["TermURL"] = term_url
    return metadata


def to_bids_sidecar(
    instrument: str | Instrument,
    *,
    columns: str | Mapping[str, str] | None = None,
    term_url: str | None = None,
) -> dict[str, Any]:
    """The BIDS phenotype sidecar (JSON) describing a table of item responses.

    Parameters
    ----------
    instrument
        A bundled id, a path or an Instrument.
    columns
        How the item columns are named in the table: None (item ids), a template
        such as ``"gse_{n}"`` or ``"gse_{n:02d}"``, or a dict item id -> column.
    term_url
        A URL of the instrument in a controlled vocabulary (e.g. its Cognitive Atlas
        page), written as ``MeasurementToolMetadata.TermURL``.

    Returns
    -------
    dict
        ``MeasurementToolMetadata`` (``Description``: name, abbreviation, version,
        language and the primary citation; ``TermURL`` when given), then one entry
        per item column: ``LongName`` (instrument and item number), ``Description``
        (the exact wording, and the keying of reverse-keyed items) and ``Levels``
        (every response code -> its label). ``json.dump`` it beside the TSV.

    Examples
    --------
    >>> sidecar = to_bids_sidecar("gse")
    >>> sidecar["gse1"]["Levels"]
    {'1': 'Not at all true', '2': 'Hardly true', '3': 'Moderately true', '4': 'Exactly true'}
    """
    inst = load(instrument)
    names = _item_columns(inst, columns)
    levels = {_code_text(c): label for c, label in _levels(inst).items()}
    flip = _code_text(inst.response.min + inst.response.max)
    sidecar: dict[str, Any] = {"MeasurementToolMetadata": _tool_metadata(inst, term_url)}
    for item, name in zip(inst.items, names, strict=True):
        description = item.text
        if item.reversed:
            description += f" (reverse keyed: scored as {flip} minus the answer)"
        sidecar[name] = {
            "LongName": f"{inst.abbreviation} item {item.number}",
            "Description": description,
            "Levels": dict(levels),
        }
    return sidecar


def _label_text(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _participant_labels(
    scores: pd.DataFrame, participant_id: str | Sequence[Any] | None
) -> pd.Series:
    if participant_id is None:
        raw = pd.Series(scores.index, index=scores.index)
        source = "the index"
    elif isinstance(participant_id, str):
        if participant_id not in scores.columns:
            raise DataError(
                f"participant_id {participant_id!r} is not a column of scores; "
                f"its columns are {list(scores.columns)[:8]}"
            )
        raw = scores[participant_id]
        source = f"column {participant_id!r}"
    else:
        values = list(participant_id)
        if len(values) != len(scores):
            raise DataError(
                f"participant_id has {len(values)} labels for {len(scores)} rows of scores"
            )
        raw = pd.Series(values, index=scores.index)
        source = "participant_id"
    if raw.isna().any():
        rows = list(scores.index[raw.isna().to_numpy()])[:5]
        raise DataError(f"participant ids from {source} are missing in rows {rows}")
    text = pd.Series(map_distinct(raw, _label_text), index=raw.index, dtype="str")
    labels = text.str.removeprefix("sub-")
    bad = ~labels.str.match(_BIDS_LABEL).astype(bool)
    if bad.any():
        values = list(pd.unique(text[bad]))[:5]
        raise DataError(
            f"participant ids from {source} are not BIDS labels (letters and digits only, "
            f"optionally after 'sub-'): {values}"
        )
    duplicated = labels[labels.duplicated()]
    if len(duplicated):
        raise DataError(
            f"participant ids from {source} repeat: {list(pd.unique(duplicated))[:5]}; "
            "a phenotype table has one row per participant"
        )
    return "sub-" + labels


def scores_to_bids(
    scores: pd.DataFrame,
    instrument: str | Instrument,
    participant_id: str | Sequence[Any] | None = None,
    *,
    term_url: str | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Scores as a BIDS phenotype table and its JSON sidecar.

    Parameters
    ----------
    scores
        The output of :func:`efficacy.score` (its score and ``_n_valid`` columns
        are taken; other columns are left out).
    instrument
        The instrument that produced them.
    participant_id
        Where the participants' labels are: a column of ``scores``, a sequence of
        labels in row order, or None for the index. Labels are letters and digits,
        with or without the ``sub-`` prefix (added when absent).
    term_url
        See :func:`to_bids_sidecar`.

    Returns
    -------
    table, sidecar
        ``table``: ``participant_id`` then the score and ``_n_valid`` columns,
        missing scores as NaN: write it with
        ``ef.write(table, "phenotype/gse.tsv", na_rep="n/a")``. ``sidecar``:
        ``MeasurementToolMetadata``, ``participant_id`` and per column
        ``Description`` (scale, method, items, missing-data rule) with
        ``"Derivative": true``.

    Examples
    --------
    >>> import efficacy as ef
    >>> data = pd.DataFrame({f"gse{i}": [4, 3] for i in range(1, 11)}, index=["p01", "p02"])
    >>> table, sidecar = scores_to_bids(ef.score(data, "gse"), "gse")
    >>> table
      participant_id   gse  gse_n_valid
    0        sub-p01  40.0           10
    1        sub-p02  30.0           10
    >>> sidecar["gse"]["Derivative"]
    True
    """
    if not isinstance(scores, pd.DataFrame):
        raise DataError(f"scores must be a DataFrame, got {type(scores).__name__}")
    inst = load(instrument)
    provenance = scores.attrs.get("efficacy") or {}
    scored_with = provenance.get("instrument")
    if scored_with is not None and scored_with != inst.id:
        raise DataError(f"these scores come from {scored_with!r}, not {inst.id!r}")
    methods = provenance.get("methods") or {}
    scales = [scale for scale in inst.scales if scale.id in scores.columns]
    if not scales:
        raise DataError(
            f"scores has no score column of {inst.id} (expected one of "
            f"{list(inst.scale_ids)}); pass the output of ef.score"
        )
    ids = _participant_labels(scores, participant_id)
    table = pd.DataFrame({"participant_id": ids.to_numpy()})
    sidecar: dict[str, Any] = {
        "MeasurementToolMetadata": _tool_metadata(inst, term_url),
        "participant_id": {"Description": "Participant label (sub-<label>)"},
    }
    for scale in scales:
        method = methods.get(scale.id, scale.method)
        table[scale.id] = scores[scale.id].to_numpy()
        low, high = inst.score_range(scale.id, method)
        rule = " ".join(scale.missing_rule.split())
        sidecar[scale.id] = {
            "LongName": scale.name,
            "Description": (
                f"{scale.name}: {method} of the {scale.n_items} items "
                f"{', '.join(scale.items)} (range {low:g}-{high:g}), reverse-keyed items "
                f"flipped; missing data: {rule}"
            ),
            "Derivative": True,
        }
        counted = f"{scale.id}_n_valid"
        if counted in scores.columns:
            table[counted] = scores[counted].to_numpy()
            sidecar[counted] = {
                "Description": f"Number of the {scale.n_items} items of {scale.name} answered",
                "Derivative": True,
            }
    return table, sidecar
