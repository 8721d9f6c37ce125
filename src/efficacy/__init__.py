"""efficacy: validated self-efficacy questionnaires, scored, checked for reliability and
compared with their published norms.

The public API is re-exported here and loaded lazily: ``import efficacy`` stays fast
and each submodule (with its heavier dependencies) is imported on first use.

Examples
--------
>>> import efficacy as ef
>>> ef.load("gse").n_items
10
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from efficacy._version import __version__

#: Public name -> the topic package that exports it.
_EXPORTS: dict[str, str] = {
    # instruments
    "Instrument": "efficacy.instrument",
    "Item": "efficacy.instrument",
    "Scale": "efficacy.instrument",
    "ResponseScale": "efficacy.instrument",
    "NormTable": "efficacy.instrument",
    "NormGroup": "efficacy.instrument",
    "load": "efficacy.instrument",
    "list_instruments": "efficacy.instrument",
    "validate_file": "efficacy.instrument",
    # errors
    "EfficacyError": "efficacy.errors",
    "InstrumentError": "efficacy.errors",
    "DataError": "efficacy.errors",
    "InvalidResponseError": "efficacy.errors",
    # scoring
    "score": "efficacy.scoring",
    "item_responses": "efficacy.scoring",
    # classical reliability
    "alpha": "efficacy.coefficients",
    "split_half": "efficacy.coefficients",
    "guttman": "efficacy.coefficients",
    "kr20": "efficacy.coefficients",
    "kr21": "efficacy.coefficients",
    "sem": "efficacy.coefficients",
    "score_interval": "efficacy.coefficients",
    "compare_alphas": "efficacy.coefficients",
    "test_retest": "efficacy.coefficients",
    "reliability": "efficacy.coefficients",
    # model-based reliability
    "fa": "efficacy.coefficients",
    "omega": "efficacy.coefficients",
    "polychoric": "efficacy.coefficients",
    "tetrachoric": "efficacy.coefficients",
    "ordinal_alpha": "efficacy.coefficients",
    # validation: confirmatory factor analysis and measurement invariance
    "cfa": "efficacy.validation",
    "invariance": "efficacy.validation",
    # item response theory
    "irt": "efficacy.item_response",
    # screening
    "screen": "efficacy.screening",
    # norms and change
    "standardize": "efficacy.norms",
    "compare_to_norm": "efficacy.norms",
    "build_norms": "efficacy.norms",
    "reliable_change": "efficacy.norms",
    "clinical_significance": "efficacy.norms",
    # data in, results out
    "read": "efficacy.io",
    "write": "efficacy.io",
    "match_items_by_text": "efficacy.io",
    "to_redcap_dictionary": "efficacy.io",
    "to_bids_sidecar": "efficacy.io",
    "scores_to_bids": "efficacy.io",
    "report": "efficacy.output",
    # public names that are modules themselves (``ef.plot.score_distribution(...)``)
    "plot": "efficacy.output.plot",
    "tables": "efficacy.output.tables",
    "datasets": "efficacy.datasets",
}

#: Public names that are modules themselves.
_MODULE_EXPORTS = frozenset({"plot", "tables", "datasets"})

#: The topic packages, reachable as attributes (``ef.norms.standardize``) without an import.
_TOPICS = frozenset(
    {
        "instrument",
        "io",
        "coefficients",
        "norms",
        "output",
        "screening",
        "item_response",
        "validation",
    }
)

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name in _TOPICS:
        return importlib.import_module(f"efficacy.{name}")
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'efficacy' has no attribute {name!r}")
    module = importlib.import_module(module_name)
    value = module if name in _MODULE_EXPORTS else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors only
    from efficacy import datasets
    from efficacy.coefficients import (
        alpha,
        compare_alphas,
        fa,
        guttman,
        kr20,
        kr21,
        omega,
        ordinal_alpha,
        polychoric,
        reliability,
        score_interval,
        sem,
        split_half,
        test_retest,
        tetrachoric,
    )
    from efficacy.errors import DataError, EfficacyError, InstrumentError, InvalidResponseError
    from efficacy.instrument import (
        Instrument,
        Item,
        NormGroup,
        NormTable,
        ResponseScale,
        Scale,
        list_instruments,
        load,
        validate_file,
    )
    from efficacy.io import (
        match_items_by_text,
        read,
        scores_to_bids,
        to_bids_sidecar,
        to_redcap_dictionary,
        write,
    )
    from efficacy.item_response import irt
    from efficacy.norms import (
        build_norms,
        clinical_significance,
        compare_to_norm,
        reliable_change,
        standardize,
    )
    from efficacy.output import plot, report, tables
    from efficacy.scoring import item_responses, score
    from efficacy.screening import screen
    from efficacy.validation import cfa, invariance
