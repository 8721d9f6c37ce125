"""The answer patterns of a dask DataFrame, for a bootstrap that resamples rows.

The in-memory bootstrap draws row positions and counts the draws per distinct
answer pattern (:func:`~efficacy.coefficients.alpha_family._bootstrap.row_patterns`,
:func:`~efficacy.coefficients.alpha_family._bootstrap.pattern_resamples`), so it
reads the rows only through the distinct patterns and the pattern of every row. Each
partition finds its own patterns; the driver orders the union as ``row_patterns``
orders the rows of the whole frame and maps every row to its global pattern. The
driver then holds the distinct patterns and one 4-byte integer per row (not the
rows), and the same seed draws the same resamples as in memory.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from efficacy.coefficients.alpha_family._bootstrap import row_patterns
from efficacy.distributed._cells import read_numeric


def _local(part: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The partition's distinct rows and the pattern (among those) of each of its rows."""
    x, _ = read_numeric(part)  # bad cells were reported by the pass before this one
    if len(x) == 0:
        return np.empty((0, x.shape[1])), np.empty(0, dtype=np.int64)
    first, inverse, _ = row_patterns(x)
    return x[first], inverse.astype(np.int32 if first.size < 2**31 else np.int64)


def dask_patterns(items: Any) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of the frame, in :func:`row_patterns` order, and the pattern of
    every row (``int32`` when fewer than 2**31 patterns), in the frame's row order."""
    import dask

    task = dask.delayed(_local, pure=True)
    done = dask.compute(*[task(p) for p in items.to_delayed()])
    union = np.vstack([patterns for patterns, _ in done])
    first, to_global, _ = row_patterns(union)
    n_rows = sum(rows.size for _, rows in done)
    inverse = np.empty(n_rows, dtype=np.int32 if first.size < 2**31 else np.int64)
    seen = start = 0
    for patterns, rows in done:
        inverse[start : start + rows.size] = to_global[seen + rows]
        seen += patterns.shape[0]
        start += rows.size
    return union[first], inverse
