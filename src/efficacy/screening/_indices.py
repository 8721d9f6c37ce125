"""The per-respondent careless-responding indices, on a float matrix (NaN = missing).

Every function takes an N x k matrix of item responses and returns arrays of length N,
vectorised over respondents (loops run over items, factors or row blocks only). The
definitions follow R careless 1.2.2 and psych 2.2.9 as written down in the project's
formulas page (section "Careless responding"); where this module departs (all-missing
rows), the docstring says so.

Examples
--------
>>> import numpy as np
>>> x = np.array([[1.0, 1.0, 1.0, 2.0], [1.0, np.nan, 1.0, 1.0]])
>>> longest, average = longstring(x)
>>> longest.tolist(), average.tolist()
([3.0, 2.0], [2.0, 1.3333333333333333])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from efficacy.screening._rowstats import row_blocks, row_pearson


def longstring(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Longest run and mean run length of identical answers, in item order.

    A missing cell ends a run and is a run of length 1 itself (R's ``rle`` never joins
    missing values), so the mean run length is ``k / number of runs``. A row with no
    answer at all gets NaN for both (R would report runs of missing values).
    """
    n, k = x.shape
    run = np.ones(n)
    longest = np.ones(n)
    runs = np.ones(n)
    for j in range(1, k):
        same = x[:, j] == x[:, j - 1]  # False when either cell is missing
        run = np.where(same, run + 1.0, 1.0)
        np.maximum(longest, run, out=longest)
        runs += ~same
    average = k / runs
    empty = np.isnan(x).all(axis=1)
    longest[empty] = np.nan
    average[empty] = np.nan
    return longest, average


def irv(x: np.ndarray) -> np.ndarray:
    """Standard deviation of each row's answers, n - 1 denominator; NaN below 2 answers.

    R: ``apply(x, 1, sd, na.rm = TRUE)``.
    """
    out = np.empty(x.shape[0])
    for rows in row_blocks(x.shape[0]):
        part = x[rows]
        present = ~np.isnan(part)
        count = present.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(present, part, 0.0).sum(axis=1) / count
            dev = np.where(present, part - mean[:, None], 0.0)
            out[rows] = np.sqrt(_rowdot(dev, dev) / (count - 1))
        out[rows][count < 2] = np.nan  # a basic slice is a view: this writes into out
    return out


def mahalanobis(x: np.ndarray, mean: np.ndarray, cov_inverse: np.ndarray) -> np.ndarray:
    """Mahalanobis D² of each row from the item means, missing cells counted as 0.

    psych's ``outlier``: centre each item on its mean over the answered cells, then
    ``D² = sum_j c_j (S^-1 c)_j`` with missing centred cells dropped from both sums,
    which equals the quadratic form with those cells set to 0. Rows with no answer get
    NaN (careless's ``mahad`` leaves them out).
    """
    out = np.empty(x.shape[0])
    for rows in row_blocks(x.shape[0]):
        part = x[rows]
        centred = np.where(np.isnan(part), 0.0, part - mean)
        out[rows] = _rowdot(centred @ cov_inverse, centred)
    out[np.isnan(x).all(axis=1)] = np.nan
    return out


def even_odd(x: np.ndarray, factors: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Even-odd consistency, careless 1.2.x sign (higher = more careless), and its pairs.

    For each factor (column positions in the declared item order) the mean of the items
    at even positions (2nd, 4th, ...) and of those at odd positions (1st, 3rd, ...),
    missing cells dropped. Across factors, r = Pearson's r of the even with the odd
    means over the factors where both exist; ``r_sb = 2r / (1 + r)``, set to -1 below
    -1; the index is ``-r_sb``. NaN where fewer than 2 factors have both means or either
    set of means is constant. Returns the index and the number of usable factors.
    """
    n, k = x.shape
    # indicator matrices: item j is in the odd (even) half of factor f
    odd_of = np.zeros((k, len(factors)))
    even_of = np.zeros((k, len(factors)))
    for f, positions in enumerate(factors):
        odd_of[list(positions)[0::2], f] = 1.0
        even_of[list(positions)[1::2], f] = 1.0
    r = np.empty(n)
    usable = np.empty(n, dtype=np.int64)
    for rows in row_blocks(n):
        part = x[rows]
        present = ~np.isnan(part)
        z = np.where(present, part, 0.0)
        mask = present.astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            odd = (z @ odd_of) / (mask @ odd_of)  # NaN where a half has no answer
            even = (z @ even_of) / (mask @ even_of)
        valid = ~np.isnan(even) & ~np.isnan(odd)
        usable[rows] = valid.sum(axis=1)
        r[rows] = row_pearson(even, odd, valid, min_count=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        r_sb = 2.0 * r / (1.0 + r)
    r_sb = np.where(r_sb < -1.0, -1.0, r_sb)  # below -1 for r < -1/3 (-inf at r = -1): R sets -1
    return -r_sb, usable


def _rowdot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise dot products of two n x k arrays."""
    return np.einsum("ij,ij->i", a, b)


def _typical_value(x: np.ndarray) -> float:
    """A value near the answers' centre, to shift by before summing squares.

    Any constant leaves the correlations unchanged; one near the data keeps the sums of
    squares well conditioned. The mean of the first block of answers is cheap and close.
    """
    first = x[row_blocks(x.shape[0])[0]]
    answered = first[~np.isnan(first)]
    return float(answered.mean()) if answered.size else 0.0


def pair_correlation(
    x: np.ndarray, pairs: np.ndarray, min_pairs: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """Within-person r across item pairs (psychometric synonyms or antonyms).

    ``pairs`` is an m x 2 array of column positions. Per row, the pairs whose two
    answers both exist are kept; with at least ``min_pairs`` (careless: more than 2) the
    value is Pearson's r of the first members' with the second members' answers, else
    NaN (also when either list is constant). Returns the values and the number of
    usable pairs per row.

    The sums over pairs are bilinear forms ``u' P w`` with ``P[i, j]`` the number of
    pairs (i, j), so the work is a few n x k by k x k products whatever the number of
    pairs; answers are shifted by their overall mean first (r does not change) to keep
    the sums of squares well conditioned.
    """
    n, k = x.shape
    out = np.full(n, np.nan)
    usable = np.zeros(n, dtype=np.int64)
    if len(pairs) == 0:
        return out, usable
    counts = np.zeros((k, k))
    np.add.at(counts, (pairs[:, 0], pairs[:, 1]), 1.0)
    shift = _typical_value(x)
    for rows in row_blocks(n):
        part = x[rows]
        present = ~np.isnan(part)
        mask = present.astype(float)
        z = np.where(present, part - shift, 0.0)
        zz = z * z
        z_p, m_p, zz_p = z @ counts, mask @ counts, zz @ counts
        m = _rowdot(m_p, mask)
        sum_a = _rowdot(z_p, mask)
        sum_b = _rowdot(m_p, z)
        with np.errstate(invalid="ignore", divide="ignore"):
            ss_a = _rowdot(zz_p, mask) - sum_a * sum_a / m
            ss_b = _rowdot(m_p, zz) - sum_b * sum_b / m
            r = (_rowdot(z_p, z) - sum_a * sum_b / m) / np.sqrt(ss_a * ss_b)
        count = np.rint(m).astype(np.int64)
        undefined = count < min_pairs
        # constant lists leave only rounding error in their sums of squares: the exact
        # test (on the answers themselves) runs on the rows where a sum is that small
        scale = zz.sum(axis=1) + 1e-300
        suspect = np.flatnonzero(~undefined & ((ss_a <= 1e-9 * scale) | (ss_b <= 1e-9 * scale)))
        if suspect.size:
            sub = part[suspect]
            first, second = sub[:, pairs[:, 0]], sub[:, pairs[:, 1]]
            valid = ~np.isnan(first) & ~np.isnan(second)
            r[suspect] = row_pearson(first, second, valid, min_count=min_pairs)
        r[undefined] = np.nan
        out[rows] = np.clip(r, -1.0, 1.0)
        usable[rows] = count
    return out, usable


def person_total(x: np.ndarray, item_means: np.ndarray, min_answers: int = 3) -> np.ndarray:
    """Pearson's r of each row's answers with the sample's item means (Curran, 2016).

    Over the answered items; NaN with fewer than ``min_answers`` answers, a constant
    row, or item means that are constant over the answered items. Computed from sums
    (a matrix-vector product per sum), with the exact constant test on the few rows
    whose sums of squares are at rounding level.
    """
    out = np.empty(x.shape[0])
    shift = _typical_value(x)
    means = item_means - float(np.mean(item_means))
    for rows in row_blocks(x.shape[0]):
        part = x[rows]
        present = ~np.isnan(part)
        mask = present.astype(float)
        z = np.where(present, part - shift, 0.0)
        m = mask.sum(axis=1)
        sum_a, sum_b = z.sum(axis=1), mask @ means
        scale_a = np.einsum("ij,ij->i", z, z)
        scale_b = mask @ (means * means)
        with np.errstate(invalid="ignore", divide="ignore"):
            ss_a = scale_a - sum_a * sum_a / m
            ss_b = scale_b - sum_b * sum_b / m
            r = (z @ means - sum_a * sum_b / m) / np.sqrt(ss_a * ss_b)
        undefined = m < min_answers
        suspect = np.flatnonzero(~undefined & ((ss_a <= 1e-9 * scale_a) | (ss_b <= 1e-9 * scale_b)))
        if suspect.size:
            sub = part[suspect]
            r[suspect] = row_pearson(
                sub, np.broadcast_to(item_means, sub.shape), present[suspect], min_answers
            )
        r[undefined] = np.nan
        out[rows] = np.clip(r, -1.0, 1.0)
    return out
