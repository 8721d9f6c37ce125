"""The instrument model and its loading: what a validated questionnaire is, read from YAML.

The model (:class:`Instrument` and the dataclasses it holds) is plain data; the loader
reads an instrument file safely, validates it against the JSON Schema and for meaning,
and builds the model. Norm tables read and write their instrument-file form.

Examples
--------
>>> from efficacy.instrument import load
>>> load("gse").scale_ids
('gse',)
"""

from __future__ import annotations

from efficacy.instrument._describe import instrument_markdown, instrument_text
from efficacy.instrument._loader import (
    MAX_FILE_BYTES,
    bundled_ids,
    check_text,
    from_text,
    instruments_dir,
    list_instruments,
    load,
    validate_file,
)
from efficacy.instrument._model import (
    PROVENANCE_MEANING,
    Check,
    Citation,
    Coding,
    Instrument,
    InvarianceEvidence,
    IrtCalibration,
    IrtItemParameters,
    Item,
    License,
    NormGroup,
    NormTableRecord,
    PublishedReliability,
    ResponseScale,
    Scale,
    ScreeningSpec,
    Source,
    StructureEvidence,
    Validity,
    normalise_label,
)
from efficacy.instrument._norm_yaml import NormTable, from_yaml, to_yaml
from efficacy.instrument._schema import MAX_CODES, schema
from efficacy.instrument._yaml import MAX_DEPTH

__all__ = [
    "MAX_CODES",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "PROVENANCE_MEANING",
    "Check",
    "Citation",
    "Coding",
    "Instrument",
    "InvarianceEvidence",
    "IrtCalibration",
    "IrtItemParameters",
    "Item",
    "License",
    "NormGroup",
    "NormTable",
    "NormTableRecord",
    "PublishedReliability",
    "ResponseScale",
    "Scale",
    "ScreeningSpec",
    "Source",
    "StructureEvidence",
    "Validity",
    "bundled_ids",
    "check_text",
    "from_text",
    "from_yaml",
    "instrument_markdown",
    "instrument_text",
    "instruments_dir",
    "list_instruments",
    "load",
    "normalise_label",
    "schema",
    "to_yaml",
    "validate_file",
]
