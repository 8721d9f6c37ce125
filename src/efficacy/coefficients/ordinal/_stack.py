"""Polychoric matrices for a stack of weightings of the same data (bootstrap replicates).

``pair_counts`` builds every two-way table of every replicate: with one-hot codes
``O`` (rows x items*categories) the tables of weights ``w`` are ``O' diag(w) O``; for
many replicates the products run through a sparse incidence matrix, a chunk of
replicates at a time. ``polychoric_stack`` then applies psych's rules (global or
per-pair thresholds, continuity correction) replicate by replicate, all vectorised,
and fits every pair of every replicate in one Brent search.

Examples
--------
>>> codes = np.array([[0, 0], [1, 1], [1, 0], [0, 1], [1, 1], [0, 0]])
>>> tables, margins = pair_counts(codes, 2)
>>> tables[0, 0].tolist(), margins[0].tolist()
([[2.0, 1.0], [1.0, 2.0]], [[3.0, 3.0], [3.0, 3.0]])
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from efficacy.coefficients.ordinal._brent import R_OPTIMIZE_TOL
from efficacy.coefficients.ordinal._fit import fit_tables, marginal_thresholds

_CHUNK_CELLS = 4_000_000  # dense cells per chunk of replicates


def pair_counts(
    codes: np.ndarray, n_cat: int, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two-way tables ``(S, P, K, K)`` of the pairs ``i < j`` and margins ``(S, k, K)``.

    ``codes`` are 0-based categories, -1 for missing. ``weights`` is ``(S, N)`` (row
    multiplicities of each replicate) or ``None`` for the data themselves (``S = 1``).
    """
    n, k = codes.shape
    ii, jj = np.triu_indices(k, 1)
    n_pairs = ii.size
    present = codes >= 0
    if weights is None:
        # Integer counting (bincount) a block of rows at a time.
        size = n_pairs * n_cat * n_cat
        counts = np.zeros(size, dtype=np.int64)
        offset = np.arange(n_pairs) * n_cat * n_cat
        step = max(1, _CHUNK_CELLS // max(1, n_pairs))
        for start in range(0, n, step):
            block = codes[start : start + step]
            cell = block[:, ii] * n_cat + block[:, jj] + offset
            both = (block[:, ii] >= 0) & (block[:, jj] >= 0)
            counts += np.bincount(cell[both], minlength=size)
        margin_cell = codes + np.arange(k) * n_cat
        margins = np.bincount(margin_cell[present], minlength=k * n_cat)
        return (
            counts.reshape(1, n_pairs, n_cat, n_cat).astype(float),
            margins.reshape(1, k, n_cat).astype(float),
        )
    weights = np.asarray(weights, dtype=float)
    s = weights.shape[0]
    # Incidence of each row in the cells of each pair table (both items present).
    both = present[:, ii] & present[:, jj]  # (N, P)
    r_idx, p_idx = np.nonzero(both)
    cell = p_idx * n_cat * n_cat + codes[r_idx, ii[p_idx]] * n_cat + codes[r_idx, jj[p_idx]]
    incidence = sparse.csr_matrix(
        (np.ones(r_idx.size), (r_idx, cell)), shape=(n, n_pairs * n_cat * n_cat)
    )
    r_m, c_m = np.nonzero(present)
    margin_inc = sparse.csr_matrix(
        (np.ones(r_m.size), (r_m, c_m * n_cat + codes[r_m, c_m])), shape=(n, k * n_cat)
    )
    chunk = max(1, _CHUNK_CELLS // max(1, n_pairs * n_cat * n_cat))
    tables = np.empty((s, n_pairs * n_cat * n_cat))
    for start in range(0, s, chunk):
        block = weights[start : start + chunk]
        tables[start : start + chunk] = (incidence.T @ block.T).T
    margins = (margin_inc.T @ weights.T).T
    return tables.reshape(s, n_pairs, n_cat, n_cat), margins.reshape(s, k, n_cat)


def correct_reduced(
    tabs: np.ndarray, tot: np.ndarray, correct: float
) -> tuple[np.ndarray, np.ndarray]:
    """psych's per-pair step: ignore empty rows and columns, fill other empty cells.

    ``tabs`` are proportions ``(n, K, K)``; returns the corrected tables and which of
    them had a cell filled.
    """
    rows_used = tabs.sum(axis=2) > 0
    cols_used = tabs.sum(axis=1) > 0
    inside = rows_used[:, :, None] & cols_used[:, None, :]
    empty = inside & (tabs == 0)
    if correct <= 0:
        return tabs, np.zeros(tabs.shape[0], dtype=bool)
    tabs = np.where(empty, (correct / tot)[:, None, None], tabs)
    return tabs, empty.any(axis=(1, 2))


def polychoric_stack(
    tables: np.ndarray,
    margins: np.ndarray,
    *,
    global_thresholds: bool = True,
    correct: float = 0.5,
    tol: float = R_OPTIMIZE_TOL,
) -> dict[str, np.ndarray]:
    """psych's polychoric estimates for each replicate of the stack.

    Returns a dict with ``rho`` ``(S, k, k)`` (not smoothed), ``tau`` ``(S, k, K-1)``,
    ``global`` ``(S,)``, ``n_corrected`` ``(S,)``, ``degenerate`` ``(S, P)`` (pairs
    whose per-pair table has fewer than two used rows or columns) and ``valid``
    ``(S,)`` (every item has two observed categories and every pair data).
    """
    s, n_pairs, n_cat, _ = tables.shape
    k = margins.shape[1]
    ii, jj = np.triu_indices(k, 1)
    n_item = margins.sum(axis=2)
    valid = ((margins > 0).sum(axis=2) >= 2).all(axis=1)
    tot = tables.sum(axis=(2, 3))
    valid &= (tot > 0).all(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        prop = margins / n_item[:, :, None]
        tau = marginal_thresholds(prop.reshape(s * k, n_cat)).reshape(s, k, n_cat - 1)
        tabs = tables / tot[:, :, None, None]
    top = n_cat - 1 - np.argmax((margins > 0)[:, :, ::-1], axis=2)
    same_top = top.min(axis=1) == top.max(axis=1)
    use_global = same_top & global_thresholds

    flat = tabs.reshape(s * n_pairs, n_cat, n_cat)
    corrected, fixed = correct_reduced(flat, tot.reshape(-1), correct)
    with np.errstate(invalid="ignore", divide="ignore"):
        pair_rows = marginal_thresholds(corrected.sum(axis=2))
        pair_cols = marginal_thresholds(corrected.sum(axis=1))
    degenerate = ((corrected.sum(axis=2) > 0).sum(axis=1) < 2) | (
        (corrected.sum(axis=1) > 0).sum(axis=1) < 2
    )
    glob = np.repeat(use_global, n_pairs)
    fit_tabs = np.where(glob[:, None, None], flat, corrected)
    row_tau = np.where(glob[:, None], tau[:, ii].reshape(-1, n_cat - 1), pair_rows)
    col_tau = np.where(glob[:, None], tau[:, jj].reshape(-1, n_cat - 1), pair_cols)
    degenerate = degenerate & ~glob
    fit_ok = np.repeat(valid, n_pairs) & ~degenerate
    rho_flat = np.full(s * n_pairs, np.nan)
    if fit_ok.any():
        rho_flat[fit_ok] = fit_tables(fit_tabs[fit_ok], row_tau[fit_ok], col_tau[fit_ok], tol=tol)
    rho = np.broadcast_to(np.eye(k), (s, k, k)).copy()
    rho[:, ii, jj] = rho_flat.reshape(s, n_pairs)
    rho[:, jj, ii] = rho_flat.reshape(s, n_pairs)
    n_corrected = np.where(use_global, 0, (fixed & ~glob).reshape(s, n_pairs).sum(axis=1))
    return {
        "rho": rho,
        "tau": tau,
        "global": use_global,
        "n_corrected": n_corrected,
        "degenerate": degenerate.reshape(s, n_pairs),
        "valid": valid & ~degenerate.reshape(s, n_pairs).any(axis=1),
    }


def smooth_stack(r: np.ndarray, eig_tol: float = 1e-12) -> tuple[np.ndarray, np.ndarray]:
    """psych's ``cor.smooth`` applied to each matrix of ``(S, k, k)``; NaN matrices pass."""
    out = r.copy()
    finite = np.isfinite(r).all(axis=(1, 2))
    smoothed = np.zeros(r.shape[0], dtype=bool)
    if not finite.any():
        return out, smoothed
    values, vectors = np.linalg.eigh(r[finite])
    need = values.min(axis=1) < np.finfo(float).eps
    if need.any():
        v = np.where(values[need] < eig_tol, 100.0 * eig_tol, values[need])
        v = v * r.shape[1] / v.sum(axis=1, keepdims=True)
        rebuilt = (vectors[need] * v[:, None, :]) @ vectors[need].transpose(0, 2, 1)
        scale = 1.0 / np.sqrt(np.diagonal(rebuilt, axis1=1, axis2=2))
        rebuilt = rebuilt * scale[:, :, None] * scale[:, None, :]
        rebuilt = (rebuilt + rebuilt.transpose(0, 2, 1)) / 2.0
        idx = np.arange(r.shape[1])
        rebuilt[:, idx, idx] = 1.0
        where = np.flatnonzero(finite)[need]
        out[where] = rebuilt
        smoothed[where] = True
    return out, smoothed
