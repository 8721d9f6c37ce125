"""Confidence intervals for coefficient alpha: Feldt, Duhachek, bootstrap, BCa.

The bootstrap works on sufficient statistics. A resample is a vector of row counts
(how often each row was drawn); rows with the same response pattern (the same values
and the same blanks) contribute the same products, so only the counts of the distinct
patterns matter: a block of resamples is a ``block x D`` count matrix ``W`` over the
``D`` distinct patterns, and every weighted sum the statistic needs is a matrix
product ``W @ P`` with ``P`` holding per-pattern products of the centred items. The
pattern counts of a resample are the row counts summed within each pattern, so they
follow exactly the multinomial distribution of resampling rows. Complete data need
only the item and row-sum variances (``tr C`` and ``1'C1``); pairwise deletion needs
the pairwise sums of every item pair. The work runs in blocks of resamples (and of
patterns when ``P`` is large), so memory does not grow with the number of resamples;
a progress bar counts the resamples on a terminal.

The BCa acceleration comes from the jackknife, whose leave-one-out covariance
matrices are rank-one downdates of the full sums; rows of one pattern share their
leave-one-out alpha, so it is computed once per pattern and weighted by the counts.
Both work from the patterns and each row's pattern alone, which is how a dask
DataFrame is bootstrapped (:mod:`efficacy.distributed._patterns`).

Examples
--------
>>> import numpy as np
>>> lo, hi = feldt_ci(0.8, n_obs=100, n_items=5, level=0.95)
>>> round(lo, 4), round(hi, 4)
(0.7306, 0.8559)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np
from scipy import special, stats

#: Doubles held by one block of the count matrix or of the per-row products.
BLOCK_CELLS = 1 << 22

#: Per-pattern products up to this many doubles are computed once and kept; larger
#: ones are recomputed a block of patterns at a time for each block of resamples.
CACHE_CELLS = 1 << 25


class _NoBar:
    """Stands in for a progress bar when tqdm is not installed."""

    def update(self, n: int = 1) -> None:
        """Nothing to show."""

    def close(self) -> None:
        """Nothing to remove."""


#: The progress choice of the caller of a bootstrap that has no ``progress`` option
#: (:func:`bootstrap_progress`); None: a bar on a terminal only.
_PROGRESS: ContextVar[bool | None] = ContextVar("bootstrap_progress", default=None)


@contextmanager
def bootstrap_progress(progress: bool | None) -> Iterator[None]:
    """Within the block, bootstraps show their bar as ``progress`` says.

    For callers with a progress option of their own (the report) that run
    bootstraps whose functions have none (``ef.omega``): ``False`` keeps them quiet,
    ``True`` shows their bars, ``None`` leaves it to the terminal.

    Examples
    --------
    >>> with bootstrap_progress(False):
    ...     bar = progress_bar(10, "bootstrap")
    >>> getattr(bar, "disable", True)
    True
    """
    token = _PROGRESS.set(progress)
    try:
        yield
    finally:
        _PROGRESS.reset(token)


def progress_bar(total: int, desc: str, progress: bool | None = None):
    """A tqdm bar over ``total`` bootstrap replicates, or a stand-in that shows nothing.

    ``progress=None`` follows :func:`bootstrap_progress` and otherwise shows the bar
    only when standard error is a terminal (tqdm's ``disable=None``); ``True`` or
    ``False`` force it on or off. Without tqdm installed (it comes with the
    ``report`` extra) there is no bar.

    Examples
    --------
    >>> bar = progress_bar(10, "bootstrap", progress=False)
    >>> bar.update(10); bar.close()
    """
    try:
        from tqdm import tqdm
    except ImportError:
        return _NoBar()
    if progress is None:
        progress = _PROGRESS.get()
    disable = None if progress is None else not progress
    return tqdm(total=total, desc=desc, unit="replicate", disable=disable, leave=False)


def row_patterns(z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct rows of ``z`` (a blank, NaN, is a value of its own).

    Returns ``first`` (the first row of each distinct pattern), ``inverse`` (the
    pattern of every row: ``z[first][inverse]`` is ``z``, blanks included) and
    ``counts`` (rows per pattern).

    Examples
    --------
    >>> z = np.array([[1.0, np.nan], [0.0, 2.0], [1.0, np.nan]])
    >>> first, inverse, counts = row_patterns(z)
    >>> first.tolist(), inverse.tolist(), counts.tolist()
    ([1, 0], [1, 0, 1], [1, 2])
    """
    n, k = z.shape
    codes = np.empty((n, k), dtype=np.int64)
    sizes = []
    for j in range(k):
        column = z[:, j]
        present = ~np.isnan(column)
        values = np.unique(column[present])
        codes[:, j] = np.where(present, np.searchsorted(values, column), values.size)
        sizes.append(values.size + 1)
    if float(np.prod(np.asarray(sizes, dtype=float))) < 2.0**62:
        radix = np.cumprod([1, *sizes[:-1]]).astype(np.int64)
        key = codes @ radix
        _, first, inverse, counts = np.unique(
            key, return_index=True, return_inverse=True, return_counts=True
        )
    else:
        _, first, inverse, counts = np.unique(
            codes, axis=0, return_index=True, return_inverse=True, return_counts=True
        )
    return first, inverse.reshape(-1), counts


def r_qf(p: float, df1: float, df2: float) -> float:
    """R's ``qf(p, df1, df2)``, including its shortcut for large degrees of freedom.

    R replaces the F quantile by ``qchisq(p, df1) / df1`` when ``df1 <= df2`` and
    ``df2 > 4e5``, and by ``df2 / qchisq(1 - p, df2)`` when ``df1 > 4e5`` (R's
    ``qf.c``); otherwise it computes the exact quantile.

    Examples
    --------
    >>> df1, df2 = 3999, 3999 * 134  # 4,000 respondents, 135 items: df2 > 4e5
    >>> round(r_qf(0.975, df1, df2), 6), round(float(special.fdtri(df1, df2, 0.975)), 6)
    (1.044303, 1.044478)
    """
    if df1 <= df2 and df2 > 4e5:
        return float(special.chdtri(df1, 1.0 - p)) / df1
    if df1 > 4e5:
        return df2 / float(special.chdtri(df2, p))
    return float(special.fdtri(df1, df2, p))


def feldt_ci(
    alpha: float, n_obs: int, n_items: int, level: float, *, r_quantile: bool = False
) -> tuple[float, float]:
    """Feldt's interval: ``1 - (1 - alpha) F^-1(p; N - 1, (N - 1)(k - 1))``.

    The F quantile is exact by default. ``r_quantile=True`` uses R's ``qf()``
    (:func:`r_qf`) as psych's ``alpha.ci`` does: it differs from the exact quantile
    (in the fifth decimal) once ``(N - 1)(k - 1) > 4e5``.
    """
    tail = (1 - level) / 2
    df1, df2 = n_obs - 1, (n_obs - 1) * (n_items - 1)
    if r_quantile:
        lower = 1 - (1 - alpha) * r_qf(1 - tail, df1, df2)
        upper = 1 - (1 - alpha) * r_qf(tail, df1, df2)
    else:
        lower = 1 - (1 - alpha) * special.fdtri(df1, df2, 1 - tail)
        upper = 1 - (1 - alpha) * special.fdtri(df1, df2, tail)
    return float(lower), float(upper)


def normal_ci(alpha: float, ase: float, level: float) -> tuple[float, float]:
    """Duhachek-Iacobucci interval ``alpha -/+ z * ase`` with ``z = Phi^-1((1 + level)/2)``."""
    z = special.ndtri(0.5 + level / 2)
    return float(alpha - z * ase), float(alpha + z * ase)


def _alpha_from_vars(item_var_sum: np.ndarray, total_var: np.ndarray, k: int) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return (1 - item_var_sum / total_var) * (k / (k - 1))


def _weighted_var(s0: np.ndarray, s1: np.ndarray, s2: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return (s2 - s1**2 / s0) / (s0 - 1)


class _Blocked:
    """``weights @ products(0, n_rows)``, with the products kept or made in blocks.

    Products of at most :data:`CACHE_CELLS` doubles are computed once and kept
    transposed (one contiguous row per product), the layout in which the BLAS
    product with a short block of resamples runs fastest; larger ones are recomputed
    in row blocks of :data:`BLOCK_CELLS` doubles at every call, so memory stays
    bounded whatever the number of rows and of resamples.
    """

    def __init__(self, n_rows: int, width: int, products) -> None:
        self.n_rows, self.width, self.products = n_rows, width, products
        self.kept = None
        if n_rows * width <= CACHE_CELLS:
            self.kept = np.ascontiguousarray(products(0, n_rows).T)

    def __call__(self, weights: np.ndarray) -> np.ndarray:
        if self.kept is not None:
            return (self.kept @ weights.T).T
        step = max(1, BLOCK_CELLS // max(self.width, 1))
        out = np.zeros((weights.shape[0], self.width))
        for start in range(0, self.n_rows, step):
            stop = min(self.n_rows, start + step)
            block = np.ascontiguousarray(self.products(start, stop).T)
            out += (block @ weights[:, start:stop].T).T
        return out


def _selector(index: np.ndarray) -> np.ndarray | slice:
    """``index`` as a slice when it is a run of consecutive positions (no copy)."""
    if index.size and index[-1] - index[0] == index.size - 1:
        return slice(int(index[0]), int(index[-1]) + 1)
    return index


class _Design:
    """Per-row products whose weighted sums give raw alpha.

    Complete data need ``[z, z**2, s, s**2]`` (``s`` the row sum). Pairwise deletion
    needs, for every item pair, the count, the cross-product and each item's sum on
    the shared rows, in the layout ``[nn, zz, zim, zjm (one column per pair), m, z,
    z**2 (one per item)]``. Complete rows contribute to every pair alike, so they
    need only ``[1, z, z**2, zi * zj]``; the full products are formed for the
    incomplete rows alone.
    """

    def __init__(self, z: np.ndarray, pairwise: bool) -> None:
        # z: centred, reverse-keyed items; NaN where missing (only if pairwise).
        self.k = k = z.shape[1]
        self.n_rows = z.shape[0]
        self.pairwise = pairwise
        if not pairwise:
            self.z = z
            self.plain = _Blocked(self.n_rows, 2 * k + 2, self._plain)
            return
        self.rows, self.cols = np.triu_indices(k, 1)
        present = ~np.isnan(z)
        complete = present.all(axis=1)
        self.full = np.flatnonzero(complete)
        self.part = np.flatnonzero(~complete)
        self.z_full = z[self.full]
        self.m_part = present[self.part].astype(float)
        self.z_part = np.where(present[self.part], z[self.part], 0.0)
        p = self.rows.size
        self.incomplete = _Blocked(self.part.size, 4 * p + 3 * k, self._incomplete_rows)
        self.complete = _Blocked(self.full.size, 1 + 2 * k + p, self._complete_rows)

    def _plain(self, start: int, stop: int) -> np.ndarray:
        z = self.z[start:stop]
        s = z.sum(axis=1)
        return np.column_stack([z, z**2, s, s**2])

    def _complete_rows(self, start: int, stop: int) -> np.ndarray:
        z = self.z_full[start:stop]
        ones = np.ones((z.shape[0], 1))
        return np.concatenate([ones, z, z**2, z[:, self.rows] * z[:, self.cols]], axis=1)

    def _incomplete_rows(self, start: int, stop: int) -> np.ndarray:
        z, m = self.z_part[start:stop], self.m_part[start:stop]
        i, j = self.rows, self.cols
        zi, zj, mi, mj = z[:, i], z[:, j], m[:, i], m[:, j]
        return np.concatenate([mi * mj, zi * zj, zi * mj, zj * mi, m, z, z**2], axis=1)

    def sums(self, weights: np.ndarray) -> np.ndarray:
        """Weighted sums, one row per row of ``weights`` (resamples x data rows)."""
        k = self.k
        if not self.pairwise:
            return self.plain(weights)
        p = self.rows.size
        out = self.incomplete(weights[:, _selector(self.part)])
        full = self.complete(weights[:, _selector(self.full)])
        count, z1, z2 = full[:, :1], full[:, 1 : k + 1], full[:, k + 1 : 2 * k + 1]
        out[:, :p] += count
        out[:, p : 2 * p] += full[:, 2 * k + 1 :]
        out[:, 2 * p : 3 * p] += z1[:, self.rows]
        out[:, 3 * p : 4 * p] += z1[:, self.cols]
        out[:, 4 * p : 4 * p + k] += count
        out[:, 4 * p + k : 4 * p + 2 * k] += z1
        out[:, 4 * p + 2 * k :] += z2
        return out

    def alpha(self, sums: np.ndarray, n: float) -> np.ndarray:
        """Raw alpha from :meth:`sums` (one row per resample of ``n`` rows)."""
        k = self.k
        if not self.pairwise:
            z1, z2 = sums[:, :k], sums[:, k : 2 * k]
            item_var = _weighted_var(n, z1, z2).sum(axis=1)
            total_var = _weighted_var(n, sums[:, 2 * k], sums[:, 2 * k + 1])
            return _alpha_from_vars(item_var, total_var, k)
        p = self.rows.size
        nn, zz, zim, zjm = (sums[:, a * p : (a + 1) * p] for a in range(4))
        m1 = sums[:, 4 * p : 4 * p + k]
        z1 = sums[:, 4 * p + k : 4 * p + 2 * k]
        z2 = sums[:, 4 * p + 2 * k :]
        with np.errstate(invalid="ignore", divide="ignore"):
            cov = (zz - zim * zjm / nn) / (nn - 1)
            bad_pair = (nn < 2).any(axis=1)
        item_var = _weighted_var(m1, z1, z2)
        tr = item_var.sum(axis=1)
        total = tr + 2 * cov.sum(axis=1)
        out = _alpha_from_vars(tr, total, k)
        out[bad_pair] = np.nan
        return out


def bootstrap_alphas(
    z: np.ndarray,
    pairwise: bool,
    n_boot: int,
    rng: np.random.Generator,
    progress: bool | None = None,
) -> np.ndarray:
    """Raw alpha of ``n_boot`` row resamples (with replacement) of ``z``.

    ``z`` holds centred, reverse-keyed items: NaN where missing for pairwise
    deletion, complete rows only for complete data or listwise deletion. The rows are
    reduced to their distinct patterns (:func:`row_patterns`) and
    :func:`pattern_bootstrap_alphas` draws the resamples.
    """
    first, inverse, _ = row_patterns(z)
    return pattern_bootstrap_alphas(z[first], inverse, pairwise, n_boot, rng, progress)


def pattern_bootstrap_alphas(
    patterns: np.ndarray,
    inverse: np.ndarray,
    pairwise: bool,
    n_boot: int,
    rng: np.random.Generator,
    progress: bool | None = None,
) -> np.ndarray:
    """Raw alpha of ``n_boot`` row resamples of the rows ``patterns[inverse]``.

    ``patterns`` holds the distinct rows (centred, reverse-keyed; NaN where missing
    for pairwise deletion) and ``inverse`` the pattern of each of the ``N`` rows.
    Resample ``b`` draws the rows ``rng.integers(0, N, size=(n_boot, N))[b]`` (one
    resample after the other, so the draws do not depend on the blocking). Its rows
    are counted per pattern, and the alpha is computed from the pattern counts: the
    same value as from the rows themselves, up to rounding. Memory: ``N`` draws, a
    ``block x D`` count matrix of at most :data:`BLOCK_CELLS` doubles (``D``
    distinct patterns) and the per-pattern products (see :class:`_Blocked`), none of
    them growing with ``n_boot``. ``progress`` is passed to :func:`progress_bar`.
    """
    n_rows, n_patterns = inverse.size, patterns.shape[0]
    # complete patterns first: the design then takes both parts as slices
    order = np.argsort(np.isnan(patterns).any(axis=1), kind="stable")
    rank = np.empty(n_patterns, dtype=inverse.dtype)
    rank[order] = np.arange(n_patterns)
    design = _Design(patterns[order], pairwise)
    block = max(1, BLOCK_CELLS // n_patterns)
    out = np.empty(n_boot)
    blocks = pattern_resamples(
        rng, rank[inverse], n_patterns, n_boot, block, "alpha bootstrap", progress
    )
    for start, weights in blocks:
        out[start : start + weights.shape[0]] = design.alpha(design.sums(weights), float(n_rows))
    return out


def pattern_resamples(
    rng: np.random.Generator,
    inverse: np.ndarray,
    n_patterns: int,
    n_boot: int,
    block: int,
    desc: str,
    progress: bool | None = None,
) -> Iterator[tuple[int, np.ndarray]]:
    """Pattern counts of ``n_boot`` row resamples, ``block`` resamples at a time.

    ``inverse`` gives the pattern of each of the ``N`` rows (:func:`row_patterns`).
    Resample ``b`` draws the rows ``rng.integers(0, N, size=(n_boot, N))[b]`` and
    counts them per pattern. Yields ``(start, weights)``: the counts of resamples
    ``start, start + 1, ...`` as the rows of ``weights`` (at most ``block`` x
    ``n_patterns``; the array is reused by the next block). A progress bar
    (:func:`progress_bar`, titled ``desc``) counts the resamples.
    """
    n_rows = inverse.size
    block = max(1, min(n_boot, block))
    weights = np.empty((block, n_patterns))
    # int32 draws are the same numbers as integers(0, N, size=(n_boot, N)), drawn faster
    small = n_rows < 2**31 and n_patterns < 2**31
    dtype = np.int32 if small else np.int64
    inverse = inverse.astype(dtype, copy=False)
    bar = progress_bar(n_boot, desc, progress)
    try:
        for start in range(0, n_boot, block):
            size = min(n_boot, start + block) - start
            for b in range(size):
                rows = rng.integers(0, n_rows, size=n_rows, dtype=dtype)
                weights[b] = np.bincount(inverse[rows], minlength=n_patterns)
            yield start, weights[:size]
            bar.update(size)
    finally:
        bar.close()


def pattern_alphas(z: np.ndarray, pairwise: bool, row_weights: np.ndarray) -> np.ndarray:
    """Raw alpha of the given row counts (one resample per row), via pattern counts.

    The row counts are summed within each distinct pattern of ``z`` and the alpha is
    computed from the patterns, as :func:`bootstrap_alphas` does.
    """
    first, inverse, counts = row_patterns(z)
    weights = np.zeros((row_weights.shape[0], counts.size))
    for b, row in enumerate(row_weights):
        weights[b] = np.bincount(inverse, weights=row, minlength=counts.size)
    design = _Design(z[first], pairwise)
    return design.alpha(design.sums(weights), float(z.shape[0]))


def row_alphas(z: np.ndarray, pairwise: bool, row_weights: np.ndarray) -> np.ndarray:
    """Raw alpha of the given row counts computed row by row (no patterns)."""
    design = _Design(z, pairwise)
    return design.alpha(design.sums(row_weights), float(z.shape[0]))


def _jackknife_complete(z: np.ndarray, w: np.ndarray) -> np.ndarray:
    k = z.shape[1]
    s = z.sum(axis=1)
    z1, z2 = w @ z, w @ z**2
    s1, s2 = w @ s, w @ s**2
    m = w.sum() - 1.0
    item_var = _weighted_var(m, z1 - z, z2 - z**2).sum(axis=1)
    total_var = _weighted_var(m, s1 - s, s2 - s**2)
    return _alpha_from_vars(item_var, total_var, k)


def _jackknife_pairwise(z: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Leave-one-out raw alpha under pairwise deletion, one row of each pattern left out.

    Leaving out a row downdates every pairwise sum by that row's contribution. For
    complete rows the downdated counts are the same for all of them, so the sum and
    the trace of the covariance matrix are quadratic and linear forms in the row,
    evaluated for all complete patterns with a few matrix products; incomplete
    patterns are downdated explicitly, a block of them at a time.
    """
    n, k = z.shape
    present = ~np.isnan(z)
    m = present.astype(float)
    z0 = np.where(present, z, 0.0)
    nn = m.T @ (m * w[:, None])
    zz = z0.T @ (z0 * w[:, None])
    zm = z0.T @ (m * w[:, None])  # [i, j]: sum of z_i where j is present
    out = np.empty(n)
    complete = present.all(axis=1)

    zc = z0[complete]
    with np.errstate(invalid="ignore", divide="ignore"):
        a = 1.0 / (nn - 2)  # 1 / (n_ij - 1 - 1)
        b = 1.0 / ((nn - 1) * (nn - 2))
    u = (b * zm).sum(axis=0)
    total = (
        (a * zz).sum()
        - np.einsum("ni,ij,nj->n", zc, a, zc)
        - (b * zm * zm.T).sum()
        + 2 * zc @ u
        - np.einsum("ni,ij,nj->n", zc, b, zc)
    )
    da, db, dzz, dzm = np.diag(a), np.diag(b), np.diag(zz), np.diag(zm)
    tr = (da * (dzz - zc**2) - db * (dzm - zc) ** 2).sum(axis=1)
    alpha = _alpha_from_vars(tr, total, k)
    if (nn < 3).any():
        alpha[:] = np.nan
    out[complete] = alpha

    rows = np.flatnonzero(~complete)
    step = max(1, BLOCK_CELLS // (4 * k * k))
    for start in range(0, rows.size, step):
        idx = rows[start : start + step]
        zb, mb = z0[idx], m[idx]
        nb = nn - mb[:, :, None] * mb[:, None, :]
        zmb = zm - zb[:, :, None] * mb[:, None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            cov = (zz - zb[:, :, None] * zb[:, None, :] - zmb * zmb.transpose(0, 2, 1) / nb) / (
                nb - 1
            )
        # the diagonal of the pairwise covariance matrix holds the item variances
        alpha = _alpha_from_vars(np.trace(cov, axis1=1, axis2=2), cov.sum(axis=(1, 2)), k)
        alpha[(nb < 2).any(axis=(1, 2))] = np.nan
        out[idx] = alpha
    return out


def pattern_jackknife_alphas(
    patterns: np.ndarray, counts: np.ndarray, pairwise: bool
) -> np.ndarray:
    """Raw alpha with one row of each pattern left out (closed-form downdates).

    ``patterns`` holds the distinct rows (as for :func:`pattern_bootstrap_alphas`)
    and ``counts`` how many rows have each; every row of a pattern has the same
    leave-one-out alpha, so the jackknife of the ``N`` rows is the result indexed by
    the rows' patterns.
    """
    w = np.asarray(counts, dtype=float)
    return _jackknife_pairwise(patterns, w) if pairwise else _jackknife_complete(patterns, w)


def jackknife_alphas(z: np.ndarray, pairwise: bool) -> np.ndarray:
    """Raw alpha with each row left out in turn (:func:`pattern_jackknife_alphas`)."""
    first, inverse, counts = row_patterns(z)
    return pattern_jackknife_alphas(z[first], counts, pairwise)[inverse]


def percentile_ci(boot: np.ndarray, level: float) -> tuple[float, float]:
    """Percentile interval (R's type-7 quantiles) over the finite resamples."""
    tail = (1 - level) / 2
    finite = boot[np.isfinite(boot)]
    if finite.size == 0:
        return float("nan"), float("nan")
    lo, hi = np.quantile(finite, [tail, 1 - tail])
    return float(lo), float(hi)


def bca_ci(
    boot: np.ndarray,
    estimate: float,
    jackknife: np.ndarray,
    level: float,
    weights: np.ndarray | None = None,
) -> tuple[float, float]:
    """Bias-corrected and accelerated interval (Efron 1987).

    ``z0 = Phi^-1(share of resamples below the estimate)``; the acceleration is
    ``sum d^3 / (6 (sum d^2)^1.5)`` with ``d`` the jackknife deviations from their
    mean. ``weights`` counts how often each jackknife value occurs (one value per
    pattern, :func:`pattern_jackknife_alphas`); None: once each.
    """
    finite = boot[np.isfinite(boot)]
    kept = np.isfinite(jackknife)
    jack = jackknife[kept]
    w = np.ones(jack.size) if weights is None else np.asarray(weights, dtype=float)[kept]
    if finite.size == 0 or jack.size == 0:
        return float("nan"), float("nan")
    z0 = special.ndtri(np.mean(finite < estimate))
    d = (w @ jack) / w.sum() - jack
    denom = 6.0 * (w @ d**2) ** 1.5
    accel = (w @ d**3) / denom if denom > 0 else 0.0
    tail = (1 - level) / 2
    zq = special.ndtri(np.array([tail, 1 - tail]))
    with np.errstate(invalid="ignore", divide="ignore"):
        adjusted = stats.norm.cdf(z0 + (z0 + zq) / (1 - accel * (z0 + zq)))
    if not np.isfinite(adjusted).all():
        return float("nan"), float("nan")
    lo, hi = np.quantile(finite, adjusted)
    return float(lo), float(hi)
