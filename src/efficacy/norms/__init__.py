"""Norms and change: standard scores, a sample against a norm, local norm tables, reliable
change and clinical significance.

Examples
--------
>>> import efficacy as ef
>>> ef.norms.standardize is ef.standardize
True
"""

from __future__ import annotations

from efficacy.instrument._norm_yaml import from_yaml, to_yaml
from efficacy.norms._build import build_norms, norm_table_to_yaml
from efficacy.norms._clinical import ClinicalSignificance, clinical_significance, cutoff_value
from efficacy.norms._compare import NormComparison, compare_to_norm
from efficacy.norms._reliable_change import ReliableChange, reliable_change
from efficacy.norms._standardize import STANDARD_COLUMNS, standardize

__all__ = [
    "STANDARD_COLUMNS",
    "ClinicalSignificance",
    "NormComparison",
    "ReliableChange",
    "build_norms",
    "clinical_significance",
    "compare_to_norm",
    "cutoff_value",
    "from_yaml",
    "norm_table_to_yaml",
    "reliable_change",
    "standardize",
    "to_yaml",
]
