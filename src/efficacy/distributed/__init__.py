"""dask support: the statistics on a ``dask.dataframe.DataFrame``, for data beyond memory.

:func:`efficacy.score`, :func:`efficacy.item_responses`, :func:`efficacy.alpha`,
:func:`efficacy.split_half`, :func:`efficacy.guttman`, :func:`efficacy.kr20`,
:func:`efficacy.kr21`, :func:`efficacy.omega`, :func:`efficacy.polychoric`,
:func:`efficacy.ordinal_alpha`, :func:`efficacy.build_norms`,
:func:`efficacy.standardize`, :func:`efficacy.screen` and :func:`efficacy.cfa`
(ML or MLR, listwise) accept a dask DataFrame
and hand it to the functions here (this package is imported only then; it needs the
``dask`` extra). Row-wise results (scores, item frames, standard scores, a screen's
indices, flags and reasons in a :class:`LazyScreenResult`) are dask frames, computed
lazily partition by partition. Statistics are computed from per-partition sufficient
statistics (sums, cross-products, counts, response
frequencies) combined once, with the package's own moment code, so they equal the
in-memory results. Invalid response cells are found in one pass that brings back
only those cells, and are reported exactly as in memory, with the frame's own
(global) row labels and 0-based positions over the whole frame.
"""

from __future__ import annotations

from efficacy.distributed._alpha import alpha
from efficacy.distributed._cfa import cfa
from efficacy.distributed._family import guttman, split_half, tetrachoric
from efficacy.distributed._kr import kr20, kr21
from efficacy.distributed._lazy_screen import LazyScreenResult, score
from efficacy.distributed._norms import build_norms, standardize
from efficacy.distributed._omega import omega
from efficacy.distributed._polychoric import ordinal_alpha, polychoric
from efficacy.distributed._scoring import invalid_cells, item_responses
from efficacy.distributed._screen import screen

__all__ = [
    "LazyScreenResult",
    "alpha",
    "build_norms",
    "cfa",
    "guttman",
    "invalid_cells",
    "item_responses",
    "kr20",
    "kr21",
    "omega",
    "ordinal_alpha",
    "polychoric",
    "score",
    "screen",
    "split_half",
    "standardize",
    "tetrachoric",
]
