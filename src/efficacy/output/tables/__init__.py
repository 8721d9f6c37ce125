"""APA-style tables in Markdown, HTML and LaTeX: the only place numbers are rounded.

Results keep full precision; a table rounds for display only, following the APA
Publication Manual (7th ed.). See :func:`apa_table` for the rules.

Examples
--------
>>> from efficacy.output.tables import format_number
>>> format_number(0.8724, bounded=True)
'.87'
"""

from __future__ import annotations

from efficacy.output.tables._apa_table import ApaTable, apa_table
from efficacy.output.tables._builders import (
    descriptives_table,
    item_table,
    norm_comparison_table,
    reliability_table,
)
from efficacy.output.tables._format import FORMATS, format_number, format_p, strip_zero
from efficacy.output.tables._item_descriptives import item_descriptives, item_descriptives_table

__all__ = [
    "FORMATS",
    "ApaTable",
    "apa_table",
    "descriptives_table",
    "format_number",
    "format_p",
    "item_descriptives",
    "item_descriptives_table",
    "item_table",
    "norm_comparison_table",
    "reliability_table",
    "strip_zero",
]
