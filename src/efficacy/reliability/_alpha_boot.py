"""Confidence intervals for coefficient alpha: Feldt, Duhachek, bootstrap, BCa.

The bootstrap never loops over resamples. A resample is a vector of row counts
(how often each row was drawn), so all resamples together are an ``n_boot x N``
count matrix ``W`` and every weighted sum the statistic needs is a matrix product
``W @ P`` with ``P`` holding per-row products of the centred items. Complete data
need only the item and row-sum variances (``tr C`` and ``1'C1``); pairwise deletion
needs the pairwise sums of every item pair. The work runs in blocks of resamples and
rows to bound memory.

The BCa acceleration comes from the jackknife, whose leave-one-out covariance
matrices are rank-one downdates of the full sums, computed for all rows at once.

Examples
--------
>>> import numpy as np
>>> lo, hi = feldt_ci(0.8, n_obs=100, n_items=5, level=0.95)
>>> round(lo, 4), round(hi, 4)
(0.7336, 0.8543)
"""

from __future__ import annotations

import numpy as np
from scipy import special, stats

#: Doubles held by one block of the count matrix or of the per-row products.
BLOCK_CELLS = 1 << 22


def feldt_ci(alpha: float, n_obs: int, n_items: int, level: float) -> tuple[float, float]:
    """Feldt's interval: ``1 - (1 - alpha) F^-1(p; N - 1, (N - 1)(k - 1))``."""
    tail = (1 - level) / 2
    df1, df2 = n_obs - 1, (n_obs - 1) * (n_items - 1)
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


class _Design:
    """Per-row products whose weighted sums give raw alpha, for one data layout."""

    def __init__(self, z: np.ndarray, pairwise: bool) -> None:
        # z: centred, reverse-keyed items; NaN where missing (only if pairwise).
        self.z = z
        self.k = z.shape[1]
        self.pairwise = pairwise
        if pairwise:
            self.rows, self.cols = np.triu_indices(self.k, 1)
            self.m = (~np.isnan(z)).astype(float)
            self.z0 = np.where(self.m > 0, z, 0.0)

    @property
    def width(self) -> int:
        k = self.k
        return 4 * (k * (k - 1) // 2) + 3 * k if self.pairwise else 2 * k + 2

    def products(self, start: int, stop: int) -> np.ndarray:
        if not self.pairwise:
            z = self.z[start:stop]
            s = z.sum(axis=1)
            return np.column_stack([z, z**2, s, s**2])
        z, m = self.z0[start:stop], self.m[start:stop]
        i, j = self.rows, self.cols
        zi, zj, mi, mj = z[:, i], z[:, j], m[:, i], m[:, j]
        return np.concatenate([mi * mj, zi * zj, zi * mj, zj * mi, m, z, z**2], axis=1)

    def alpha(self, sums: np.ndarray, n: np.ndarray | float) -> np.ndarray:
        """Raw alpha from weighted sums of :meth:`products` (one row per resample)."""
        k = self.k
        if not self.pairwise:
            z1, z2 = sums[:, :k], sums[:, k : 2 * k]
            item_var = _weighted_var(np.asarray(n)[..., None], z1, z2).sum(axis=1)
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


def _sum_blocks(design: _Design, weights: np.ndarray) -> np.ndarray:
    """``weights @ P`` over row blocks, without holding all of P."""
    n_rows = design.z.shape[0]
    step = max(1, BLOCK_CELLS // max(design.width, 1))
    out = np.zeros((weights.shape[0], design.width))
    for start in range(0, n_rows, step):
        stop = min(n_rows, start + step)
        out += weights[:, start:stop] @ design.products(start, stop)
    return out


def bootstrap_alphas(
    z: np.ndarray, pairwise: bool, n_boot: int, rng: np.random.Generator
) -> np.ndarray:
    """Raw alpha of ``n_boot`` row resamples (with replacement) of ``z``.

    ``z`` holds centred, reverse-keyed items: NaN where missing for pairwise
    deletion, complete rows only for complete data or listwise deletion.
    """
    n_rows, _ = z.shape
    design = _Design(z, pairwise)
    single = n_rows <= BLOCK_CELLS // max(design.width, 1)
    products = design.products(0, n_rows) if single else None
    block = max(1, BLOCK_CELLS // n_rows)
    out = np.empty(n_boot)
    for start in range(0, n_boot, block):
        stop = min(n_boot, start + block)
        draws = rng.integers(0, n_rows, size=(stop - start, n_rows))
        draws += n_rows * np.arange(stop - start)[:, None]
        weights = np.bincount(draws.ravel(), minlength=(stop - start) * n_rows)
        weights = weights.reshape(stop - start, n_rows).astype(float)
        sums = weights @ products if products is not None else _sum_blocks(design, weights)
        out[start:stop] = design.alpha(sums, float(n_rows))
    return out


def _jackknife_complete(z: np.ndarray) -> np.ndarray:
    n, k = z.shape
    s = z.sum(axis=1)
    z1, z2 = z.sum(axis=0), (z**2).sum(axis=0)
    s1, s2 = s.sum(), (s**2).sum()
    m = n - 1.0
    item_var = _weighted_var(m, z1 - z, z2 - z**2).sum(axis=1)
    total_var = _weighted_var(m, s1 - s, s2 - s**2)
    return _alpha_from_vars(item_var, total_var, k)


def _jackknife_pairwise(z: np.ndarray) -> np.ndarray:
    n, k = z.shape
    m = (~np.isnan(z)).astype(float)
    z0 = np.where(m > 0, z, 0.0)
    nn = m.T @ m
    zz = z0.T @ z0
    zm = z0.T @ m  # [i, j]: sum of z_i where j is present
    out = np.empty(n)
    step = max(1, BLOCK_CELLS // (4 * k * k))
    for start in range(0, n, step):
        zb, mb = z0[start : start + step], m[start : start + step]
        nb = nn - mb[:, :, None] * mb[:, None, :]
        zmb = zm - zb[:, :, None] * mb[:, None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            cov = (zz - zb[:, :, None] * zb[:, None, :] - zmb * zmb.transpose(0, 2, 1) / nb) / (
                nb - 1
            )
        # the diagonal of the pairwise covariance matrix holds the item variances
        tr = np.trace(cov, axis1=1, axis2=2)
        total = cov.sum(axis=(1, 2))
        alpha = _alpha_from_vars(tr, total, k)
        alpha[(nb < 2).any(axis=(1, 2))] = np.nan
        out[start : start + step] = alpha
    return out


def jackknife_alphas(z: np.ndarray, pairwise: bool) -> np.ndarray:
    """Raw alpha with each row left out in turn (closed-form downdates)."""
    return _jackknife_pairwise(z) if pairwise else _jackknife_complete(z)


def percentile_ci(boot: np.ndarray, level: float) -> tuple[float, float]:
    """Percentile interval (R's type-7 quantiles) over the finite resamples."""
    tail = (1 - level) / 2
    finite = boot[np.isfinite(boot)]
    if finite.size == 0:
        return float("nan"), float("nan")
    lo, hi = np.quantile(finite, [tail, 1 - tail])
    return float(lo), float(hi)


def bca_ci(
    boot: np.ndarray, estimate: float, jackknife: np.ndarray, level: float
) -> tuple[float, float]:
    """Bias-corrected and accelerated interval (Efron 1987).

    ``z0 = Phi^-1(share of resamples below the estimate)``; the acceleration is
    ``sum d^3 / (6 (sum d^2)^1.5)`` with ``d`` the jackknife deviations from their mean.
    """
    finite = boot[np.isfinite(boot)]
    jack = jackknife[np.isfinite(jackknife)]
    if finite.size == 0 or jack.size == 0:
        return float("nan"), float("nan")
    z0 = special.ndtri(np.mean(finite < estimate))
    d = jack.mean() - jack
    denom = 6.0 * (d**2).sum() ** 1.5
    accel = (d**3).sum() / denom if denom > 0 else 0.0
    tail = (1 - level) / 2
    zq = special.ndtri(np.array([tail, 1 - tail]))
    with np.errstate(invalid="ignore", divide="ignore"):
        adjusted = stats.norm.cdf(z0 + (z0 + zq) / (1 - accel * (z0 + zq)))
    if not np.isfinite(adjusted).all():
        return float("nan"), float("nan")
    lo, hi = np.quantile(finite, adjusted)
    return float(lo), float(hi)
