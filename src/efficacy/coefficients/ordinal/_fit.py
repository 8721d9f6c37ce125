"""Two-step polychoric estimation for many contingency tables at once.

Every table is ``K x K`` (``K`` categories; empty categories are allowed) and comes with
its row and column thresholds (``K - 1`` each, possibly infinite). The correlation of
each table maximises the multinomial log-likelihood with the thresholds held fixed,
psych's two-step default: minimise ``-sum(tab * log P(rho))`` where ``P`` holds the
bivariate normal probabilities of the cells, dropping cells with ``P <= 0`` as psych's
``polyF`` does. All tables share one vectorised Brent search over ``(-1, 1)``.

Examples
--------
>>> tab = np.array([[[40.0, 10.0], [10.0, 40.0]]])
>>> tau = np.zeros((1, 1))
>>> round(float(fit_tables(tab, tau, tau)[0]), 3)  # cos(pi * 0.2)
0.809
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr, ndtri

from efficacy.coefficients.ordinal._bivariate_normal import bvn_cdf_grid
from efficacy.coefficients.ordinal._brent import R_OPTIMIZE_TOL, brent_min


def cell_probabilities(rho: np.ndarray, row_tau: np.ndarray, col_tau: np.ndarray) -> np.ndarray:
    """Bivariate normal cell probabilities, shape ``(n, K_row, K_col)``.

    ``row_tau`` is ``(n, K_row - 1)`` and ``col_tau`` is ``(n, K_col - 1)``.
    """
    n, n_r = row_tau.shape
    n_c = col_tau.shape[1]
    cdf = np.zeros((n, n_r + 2, n_c + 2))
    cdf[:, 1:-1, 1:-1] = bvn_cdf_grid(row_tau, col_tau, rho)
    cdf[:, -1, 1:-1] = ndtr(col_tau)
    cdf[:, 1:-1, -1] = ndtr(row_tau)
    cdf[:, -1, -1] = 1.0
    return cdf[:, 1:, 1:] - cdf[:, :-1, 1:] - cdf[:, 1:, :-1] + cdf[:, :-1, :-1]


def negative_loglik(
    rho: np.ndarray, tabs: np.ndarray, row_tau: np.ndarray, col_tau: np.ndarray
) -> np.ndarray:
    """psych's ``polyF``: ``-sum(tab * log P)`` over the cells with ``P > 0``."""
    p = cell_probabilities(rho, row_tau, col_tau)
    positive = p > 0.0
    logp = np.log(np.where(positive, p, 1.0))
    return -(np.where(positive, tabs * logp, 0.0)).sum(axis=(1, 2))


def fit_tables(
    tabs: np.ndarray,
    row_tau: np.ndarray,
    col_tau: np.ndarray,
    tol: float = R_OPTIMIZE_TOL,
) -> np.ndarray:
    """Maximum-likelihood correlation of each table with its thresholds fixed.

    Parameters
    ----------
    tabs
        ``(n, K_row, K_col)`` cell weights (counts or proportions).
    row_tau, col_tau
        ``(n, K_row - 1)`` and ``(n, K_col - 1)`` thresholds.
    tol
        Tolerance of the Brent search (R's ``optimize`` default).
    """

    def objective(x: np.ndarray, idx: np.ndarray) -> np.ndarray:
        return negative_loglik(x, tabs[idx], row_tau[idx], col_tau[idx])

    n = tabs.shape[0]
    return brent_min(objective, np.full(n, -1.0), np.full(n, 1.0), tol=tol)


def marginal_thresholds(margins: np.ndarray) -> np.ndarray:
    """``qnorm`` of cumulative proportions, psych style: ``(n, K)`` -> ``(n, K - 1)``.

    Boundaries below every observed category are ``-inf``; boundaries above every
    observed category are ``+inf`` (the cumulative proportion has reached the total).
    """
    cum = np.cumsum(margins, axis=1)[:, :-1]
    observed = margins > 0
    # Index of the last observed category; boundaries at or after it lie above the data.
    last = margins.shape[1] - 1 - np.argmax(observed[:, ::-1], axis=1)
    above = np.arange(margins.shape[1] - 1)[None, :] >= last[:, None]
    with np.errstate(invalid="ignore"):
        tau = ndtri(cum)
    return np.where(above, np.inf, tau)
