"""Data in and out: the readers (one module per format), the writers and the exporters.

Examples
--------
>>> from efficacy.io import FORMATS
>>> FORMATS
('csv', 'tsv', 'excel', 'spss', 'qualtrics', 'redcap', 'parquet')
"""

from __future__ import annotations

from efficacy.io._common import ReadWarning
from efficacy.io._export import scores_to_bids, to_bids_sidecar, to_redcap_dictionary
from efficacy.io._files import FORMATS, match_items_by_text, read, write

__all__ = [
    "FORMATS",
    "ReadWarning",
    "match_items_by_text",
    "read",
    "scores_to_bids",
    "to_bids_sidecar",
    "to_redcap_dictionary",
    "write",
]
