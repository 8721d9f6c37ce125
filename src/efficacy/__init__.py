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
import sys
import types
from typing import TYPE_CHECKING, Any

from efficacy._version import __version__

#: Public name -> module that defines it.
_EXPORTS: dict[str, str] = {
    # instruments
    "Instrument": "efficacy.instrument",
    "Item": "efficacy.instrument",
    "Scale": "efficacy.instrument",
    "ResponseScale": "efficacy.instrument",
    "NormTable": "efficacy.instrument",
    "NormGroup": "efficacy.instrument",
    "load": "efficacy.loader",
    "list_instruments": "efficacy.loader",
    "validate_file": "efficacy.loader",
    # errors
    "EfficacyError": "efficacy.errors",
    "InstrumentError": "efficacy.errors",
    "DataError": "efficacy.errors",
    "InvalidResponseError": "efficacy.errors",
    # scoring
    "score": "efficacy.scoring",
    "item_responses": "efficacy.scoring",
    # classical reliability
    "alpha": "efficacy.reliability.classical",
    "split_half": "efficacy.reliability.splithalf",
    "guttman": "efficacy.reliability.guttman",
    "kr20": "efficacy.reliability.guttman",
    "kr21": "efficacy.reliability.guttman",
    "sem": "efficacy.reliability.measurement_error",
    "score_interval": "efficacy.reliability.measurement_error",
    "compare_alphas": "efficacy.reliability.compare",
    "test_retest": "efficacy.reliability.retest",
    "reliability": "efficacy.reliability.scales",
    # model-based reliability
    "fa": "efficacy.reliability.factor",
    "omega": "efficacy.reliability.factor",
    "polychoric": "efficacy.reliability.polychoric",
    "tetrachoric": "efficacy.reliability.polychoric",
    "ordinal_alpha": "efficacy.reliability.polychoric",
    # norms and change
    "standardize": "efficacy.norms",
    "compare_to_norm": "efficacy.norms",
    "build_norms": "efficacy.norms",
    "reliable_change": "efficacy.change",
    "clinical_significance": "efficacy.change",
    # data in, results out
    "read": "efficacy.io",
    "write": "efficacy.io",
    "match_items_by_text": "efficacy.io",
    "to_redcap_dictionary": "efficacy.export",
    "to_bids_sidecar": "efficacy.export",
    "scores_to_bids": "efficacy.export",
    "report": "efficacy.report",
    "plot": "efficacy.plot",
    "tables": "efficacy.tables",
    "datasets": "efficacy.datasets",
}

#: Public names that are modules themselves (``ef.plot.score_distribution(...)``).
_MODULE_EXPORTS = frozenset({"plot", "tables", "datasets"})

__all__ = ["__version__", *_EXPORTS]


#: Public functions named like the module that holds them (``ef.reliability()`` and
#: ``efficacy/reliability/``, ``ef.report()`` and ``efficacy/report.py``).
_SHADOWED = frozenset({"reliability", "report"})


class _Package(types.ModuleType):
    """The package module: importing a subpackage must not replace a public function.

    Python's import system sets ``efficacy.reliability`` to the subpackage when one of
    its modules is first imported (likewise ``efficacy.report``); the public name is
    the function. Import the
    subpackage's modules with ``from efficacy.reliability import classical`` or
    ``from efficacy.reliability.classical import alpha``.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SHADOWED and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
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
    from efficacy import datasets, plot, tables
    from efficacy.change import clinical_significance, reliable_change
    from efficacy.errors import DataError, EfficacyError, InstrumentError, InvalidResponseError
    from efficacy.export import scores_to_bids, to_bids_sidecar, to_redcap_dictionary
    from efficacy.instrument import (
        Instrument,
        Item,
        NormGroup,
        NormTable,
        ResponseScale,
        Scale,
    )
    from efficacy.io import match_items_by_text, read, write
    from efficacy.loader import list_instruments, load, validate_file
    from efficacy.norms import build_norms, compare_to_norm, standardize
    from efficacy.reliability.classical import alpha
    from efficacy.reliability.compare import compare_alphas
    from efficacy.reliability.factor import fa, omega
    from efficacy.reliability.guttman import guttman, kr20, kr21
    from efficacy.reliability.measurement_error import score_interval, sem
    from efficacy.reliability.polychoric import ordinal_alpha, polychoric, tetrachoric
    from efficacy.reliability.retest import test_retest
    from efficacy.reliability.scales import reliability
    from efficacy.reliability.splithalf import split_half
    from efficacy.report import report
    from efficacy.scoring import item_responses, score
