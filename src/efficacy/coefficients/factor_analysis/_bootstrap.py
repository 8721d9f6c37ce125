"""Bootstrap correlation matrices, a block of replicates at a time.

A row bootstrap replicate is a vector of row multiplicities ``w`` (how often each row
was drawn). Every replicate's pairwise correlation matrix (R's ``cor(x, use=
"pairwise")`` of the resampled rows) follows from weighted sums over rows, computed for
a block of replicates by matrix products, never by looping over rows. The rows may be
the distinct response patterns, weighted by how often each pattern was drawn
(``efficacy.coefficients.alpha_family._bootstrap.pattern_resamples``): the weighted sums,
and so the matrices, are the same.
For a correlation matrix without raw data, replicates are simulated from the normal
distribution with that correlation matrix, as psych's ``omega(n.iter=)`` does.

Examples
--------
>>> x = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 4.0], [4.0, 3.0]])
>>> w = np.ones((1, 4))
>>> round(float(weighted_correlations(x, w)[0, 0, 1]), 6)  # plain cor: 0.6
0.6
"""

from __future__ import annotations

import numpy as np

from efficacy.coefficients.alpha_family._bootstrap import progress_bar

_CHUNK_ELEMENTS = 8_000_000


def resample_weights(rng: np.random.Generator, n: int, n_boot: int) -> np.ndarray:
    """Row multiplicities ``(n_boot, n)`` of ``n_boot`` draws of ``n`` rows with replacement."""
    draws = rng.integers(0, n, size=(n_boot, n))
    flat = draws + (np.arange(n_boot) * n)[:, None]
    return np.bincount(flat.ravel(), minlength=n_boot * n).reshape(n_boot, n).astype(float)


def weighted_correlations(x: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Pairwise-deletion correlation matrices ``(B, k, k)`` of the weighted rows of ``x``.

    For each replicate and pair the rows where both items are present count with their
    weight; means and variances are those of the same rows (R's pairwise ``cor``).
    Pairs with fewer than two weighted rows or no variance give NaN. The weighted sums
    of every pair come from one matrix product ``weights @ features`` (features per row:
    products of the centred items and of their presence indicators), a block of pairs
    at a time.
    """
    n, k = x.shape
    present = ~np.isnan(x)
    centre = np.nanmean(x, axis=0)
    z = np.where(present, x - centre, 0.0)
    m = present.astype(float)
    ii, jj = np.triu_indices(k)
    b = weights.shape[0]
    complete = bool(present.all())
    n_features = 1 if complete else 6
    block = max(1, _CHUNK_ELEMENTS // max(1, n * n_features))
    cross = np.empty((b, ii.size))
    count = np.empty((b, ii.size))
    s_i = np.empty((b, ii.size))
    s_j = np.empty((b, ii.size))
    q_i = np.empty((b, ii.size))
    q_j = np.empty((b, ii.size))
    for start in range(0, ii.size, block):
        a, c = ii[start : start + block], jj[start : start + block]
        cols = slice(start, start + a.size)
        if complete:
            cross[:, cols] = weights @ (z[:, a] * z[:, c])
            continue
        feats = np.concatenate(
            [
                z[:, a] * z[:, c],
                m[:, a] * m[:, c],
                z[:, a] * m[:, c],
                z[:, c] * m[:, a],
                z[:, a] ** 2 * m[:, c],
                z[:, c] ** 2 * m[:, a],
            ],
            axis=1,
        )
        sums = weights @ feats
        w = a.size
        cross[:, cols], count[:, cols] = sums[:, :w], sums[:, w : 2 * w]
        s_i[:, cols], s_j[:, cols] = sums[:, 2 * w : 3 * w], sums[:, 3 * w : 4 * w]
        q_i[:, cols], q_j[:, cols] = sums[:, 4 * w : 5 * w], sums[:, 5 * w :]
    with np.errstate(invalid="ignore", divide="ignore"):
        if complete:
            total = weights.sum(axis=1)[:, None]
            s = weights @ z  # (B, k)
            cov = cross - s[:, ii] * s[:, jj] / total
            var = np.empty((b, k))
            diag = ii == jj
            var[:, ii[diag]] = cov[:, diag]
            cor = cov / np.sqrt(var[:, ii] * var[:, jj])
        else:
            cov = cross - s_i * s_j / count
            var_i = q_i - s_i**2 / count
            var_j = q_j - s_j**2 / count
            cor = cov / np.sqrt(var_i * var_j)
            cor = np.where(count >= 2, cor, np.nan)
    out = np.empty((b, k, k))
    out[:, ii, jj] = cor
    out[:, jj, ii] = cor
    idx = np.arange(k)
    out[:, idx, idx] = np.where(np.isfinite(out[:, idx, idx]), 1.0, np.nan)
    return out


def simulated_correlations(
    rng: np.random.Generator, r: np.ndarray, n_obs: int, n_boot: int
) -> np.ndarray:
    """Correlation matrices of ``n_boot`` normal samples of size ``n_obs`` with correlation ``r``.

    As psych: ``X = Z diag(sqrt(max(lambda, 0))) V'`` from the eigen decomposition of ``r``.
    """
    k = r.shape[0]
    values, vectors = np.linalg.eigh(r)
    root = vectors * np.sqrt(np.maximum(values, 0.0))
    out = np.empty((n_boot, k, k))
    chunk = max(1, _CHUNK_ELEMENTS // max(1, n_obs * k))
    bar = progress_bar(n_boot, "omega bootstrap")
    try:
        for start in range(0, n_boot, chunk):
            c = min(chunk, n_boot - start)
            sample = rng.standard_normal((c, n_obs, k)) @ root.T
            centred = sample - sample.mean(axis=1, keepdims=True)
            cov = centred.transpose(0, 2, 1) @ centred
            sd = np.sqrt(np.diagonal(cov, axis1=1, axis2=2))
            out[start : start + c] = cov / (sd[:, :, None] * sd[:, None, :])
            bar.update(c)
    finally:
        bar.close()
    idx = np.arange(k)
    out[:, idx, idx] = 1.0
    return out
