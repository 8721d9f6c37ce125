"""Per-row statistics over masked cells, vectorised over respondents.

:func:`row_pearson` is the within-person correlation that even-odd consistency,
psychometric synonyms and the person-total correlation share: for every row, Pearson's r
between ``a`` and ``b`` over the cells where ``valid`` is true.

Examples
--------
>>> import numpy as np
>>> a = np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])
>>> b = np.array([[2.0, 4.0, 7.0], [1.0, 2.0, 3.0]])
>>> row_pearson(a, b, np.ones_like(a, dtype=bool), min_count=2).round(4).tolist()
[0.9934, nan]
"""

from __future__ import annotations

import numpy as np

#: Rows handled at once where a function builds n x m temporaries.
BLOCK_ROWS = 65_536


def row_blocks(n_rows: int, block: int = BLOCK_ROWS) -> list[slice]:
    """Consecutive slices of at most ``block`` rows covering ``n_rows``."""
    return [slice(start, min(start + block, n_rows)) for start in range(0, n_rows, block)]


def row_constant(values: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """True where a row's valid cells all hold the same value (or there are none).

    Exact comparison of the largest and smallest valid value, so no rounding error can
    make a constant row look variable.
    """
    high = np.where(valid, values, -np.inf).max(axis=1)
    low = np.where(valid, values, np.inf).min(axis=1)
    return ~(high > low)


def row_pearson(a: np.ndarray, b: np.ndarray, valid: np.ndarray, min_count: int) -> np.ndarray:
    """Pearson's r of ``a`` and ``b`` within each row, over the cells marked ``valid``.

    NaN where fewer than ``min_count`` cells are valid or where ``a`` or ``b`` is
    constant over them (R's ``cor`` gives NA there too).
    """
    count = valid.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_a = np.where(valid, a, 0.0).sum(axis=1) / count
        mean_b = np.where(valid, b, 0.0).sum(axis=1) / count
        da = np.where(valid, a - mean_a[:, None], 0.0)
        db = np.where(valid, b - mean_b[:, None], 0.0)
        ssa = np.einsum("ij,ij->i", da, da)
        ssb = np.einsum("ij,ij->i", db, db)
        r = np.einsum("ij,ij->i", da, db) / np.sqrt(ssa * ssb)
    undefined = count < min_count
    # A constant row leaves only rounding error in its sum of squares (of the order of
    # count * (eps * mean)²); the exact test runs only on rows with so small a sum.
    for values, ss, mean in ((a, ssa, mean_a), (b, ssb, mean_b)):
        suspect = np.flatnonzero(~undefined & (ss <= 1e-12 * count * (mean * mean + 1e-300)))
        if suspect.size:
            undefined[suspect] |= row_constant(values[suspect], valid[suspect])
    r[undefined] = np.nan
    return np.clip(r, -1.0, 1.0)
