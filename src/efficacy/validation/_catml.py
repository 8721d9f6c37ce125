"""Robust CFI, TLI and RMSEA of a WLSMV fit (Savalei 2021), as lavaan 0.6-14 computes them.

The normal-theory ML discrepancy of the polychoric matrix ``R`` is evaluated at the
WLSMV estimates, without refitting (lavaan's ``catML`` object with
``optim.method = "none"``): with ``Sigma`` the implied correlation matrix,
``XX3 = sum_g N_g [log|Sigma_g| + tr(R_g Sigma_g^-1) - log|R_g| - p]``. Its scaling
factor is ``c = tr(M' V M Gamma) / df`` over the correlations, with ``V`` the
normal-theory information of the correlations (``f_g``-weighted), ``Gamma`` their
asymptotic covariance (``/ f_g``) and ``M = I - Delta E^-1 Delta' W`` (``E`` the DWLS
information, ``W`` its weights). The baseline uses ``-N log|R|`` and
``c_0 = tr(Gamma) / df_0``. The robust CFI and TLI subtract ``c df``; the robust RMSEA
is ``sqrt(max(XX3 / N / df - c / N, 0))`` (N less the number of groups), its interval
from ``XX3 / c``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

import efficacy.validation._fitindex as fx


def _cor_information(sigma: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    sinv = np.linalg.inv(sigma)
    a = sinv[rows[:, None], rows[None, :]] * sinv[cols[:, None], cols[None, :]]
    a += sinv[rows[:, None], cols[None, :]] * sinv[cols[:, None], rows[None, :]]
    return a


def robust_measures(
    stats: Sequence,
    implied_cor: Sequence[np.ndarray],
    jacobians: Sequence[np.ndarray],
    weights: Sequence[np.ndarray],
    e_inv: np.ndarray,
    df: int,
) -> dict[str, float]:
    """``cfi_robust``, ``tli_robust``, ``rmsea_robust`` and its interval (and p-values)."""
    nobs = np.array([s.n for s in stats], dtype=float)
    n_total = nobs.sum()
    fg = nobs / n_total
    groups = len(stats)
    xx3 = xx3_null = 0.0
    blocks_v, blocks_g, blocks_w, blocks_d = [], [], [], []
    for g, st in enumerate(stats):
        rows, cols = st.pairs
        p = st.rho.shape[0]
        sigma = implied_cor[g]
        logdet_r = np.linalg.slogdet(st.rho)[1]
        f = np.linalg.slogdet(sigma)[1] + np.trace(st.rho @ np.linalg.inv(sigma)) - logdet_r - p
        xx3 += st.n * f
        xx3_null += -st.n * logdet_r
        n_th = st.n_thresholds
        blocks_v.append(fg[g] * _cor_information(sigma, rows, cols))
        blocks_g.append(st.gamma[n_th:, n_th:] / fg[g])
        blocks_w.append(fg[g] * weights[g][n_th:])
        blocks_d.append(jacobians[g][n_th:])
    size = sum(b.shape[0] for b in blocks_v)
    v_all = np.zeros((size, size))
    g_all = np.zeros((size, size))
    start = 0
    for v, gam in zip(blocks_v, blocks_g, strict=True):
        k = v.shape[0]
        v_all[start : start + k, start : start + k] = v
        g_all[start : start + k, start : start + k] = gam
        start += k
    w_all = np.concatenate(blocks_w)
    d_all = np.vstack(blocks_d)
    m = np.eye(size) - d_all @ e_inv @ d_all.T * w_all[None, :]
    ks = float(np.trace(m.T @ v_all @ m @ g_all))
    c_hat = ks / df
    df_null = size
    c_null = float(np.trace(g_all)) / df_null
    n = n_total - groups
    return fx.robust_indices(xx3, df, xx3_null, df_null, c_hat, c_null, n, groups)


__all__ = ["robust_measures"]
