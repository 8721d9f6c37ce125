"""The graded response model's item functions on a grid of trait values.

An item with ``K`` ordered categories has a slope ``a`` and intercepts
``d_1 > ... > d_{K-1}`` (slope-intercept form, as mirt): the chance of answering in
category ``k`` or above is ``P*_k = 1 / (1 + exp(-(a theta + d_k)))``, and the chance
of category ``k`` is ``P*_k - P*_{k+1}`` (``P*_0 = 1``, ``P*_K = 0``). The
traditional thresholds are ``b_k = -d_k / a``. Two categories give the 2PL.

Examples
--------
>>> import numpy as np
>>> probs = category_probs(1.0, np.array([1.0, -1.0]), np.array([0.0]))
>>> np.round(probs[:, 0], 4).tolist()
[0.2689, 0.4621, 0.2689]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _expit(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def category_probs(a: float, d: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Category probabilities of one item, shape ``(K, len(theta))``.

    Differences of two cumulative probabilities near 1 are taken as differences of
    their complements, so no precision is lost in the upper tail.
    """
    z = a * theta[None, :] + np.asarray(d, dtype=float)[:, None]
    ones = np.full((1, theta.size), np.inf)
    zz = np.vstack([ones, z, -ones])  # P*_0 = 1, P*_K = 0
    upper, lower = zz[:-1], zz[1:]
    high = _expit(upper) - _expit(lower)
    low = _expit(-lower) - _expit(-upper)
    probs = np.where(upper > 0, low, high)
    return np.maximum(probs, 1e-300)


def _star_derivatives(a: float, d: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """``P*_k (1 - P*_k)`` for k = 0..K with zero rows for the fixed ends."""
    z = a * theta[None, :] + d[:, None]
    s = _expit(z)
    inner = s * (1.0 - s)
    zero = np.zeros((1, theta.size))
    return np.vstack([zero, inner, zero])


def item_gradient(a: float, d: np.ndarray, theta: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Gradient of ``sum_q sum_k counts[k, q] log P_k(theta_q)`` in ``(a, d_1..d_{K-1})``."""
    probs = category_probs(a, d, theta)
    ratio = counts / probs
    sp = _star_derivatives(a, d, theta)
    grad_a = np.sum(theta * np.sum(ratio * (sp[:-1] - sp[1:]), axis=0))
    grad_d = np.sum(sp[1:-1] * (ratio[1:] - ratio[:-1]), axis=1)
    return np.concatenate([[grad_a], grad_d])


def _jacobian(a: float, d: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """``dP_k / d(a, d_1..)`` as ``[category, parameter, node]``."""
    sp = _star_derivatives(a, d, theta)
    n_cat = d.size + 1
    jac = np.zeros((n_cat, n_cat, theta.size))
    jac[:, 0, :] = theta * (sp[:-1] - sp[1:])
    for m in range(1, n_cat):
        jac[m, m, :] = sp[m]
        jac[m - 1, m, :] = -sp[m]
    return jac


def item_scores(a: float, d: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """``d log P_k / d(a, d_1..)`` as ``[category, parameter, node]``."""
    return _jacobian(a, d, theta) / category_probs(a, d, theta)[:, None, :]


def item_fisher(a: float, d: np.ndarray, theta: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Expected information of one item's parameters given ``totals[q]`` answers at node q."""
    probs = category_probs(a, d, theta)
    jac = _jacobian(a, d, theta)
    weighted = jac * (totals / probs)[:, None, :]
    return np.einsum("kpq,krq->pr", weighted, jac)


def item_information(a: float, d: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Fisher information of one item about theta at each value of ``theta``."""
    probs = category_probs(a, d, theta)
    sp = _star_derivatives(a, d, theta)
    deriv = a * (sp[:-1] - sp[1:])
    return np.sum(deriv**2 / probs, axis=0)


def theta_derivatives(
    a: float, d: np.ndarray, theta: np.ndarray, category: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """log P, d log P / d theta and d2 log P / d theta2 of the given category per person.

    ``theta`` and ``category`` have one entry per person (``category`` 0-based).
    """
    z = a * theta[:, None] + d[None, :]
    s = _expit(z)
    n = theta.size
    one = np.ones((n, 1))
    zero = np.zeros((n, 1))
    star = np.hstack([one, s, zero])
    first = np.hstack([zero, s * (1 - s), zero])
    second = np.hstack([zero, s * (1 - s) * (1 - 2 * s), zero])
    rows = np.arange(n)
    upper, lower = category, category + 1
    zz = np.hstack([np.full((n, 1), np.inf), z, np.full((n, 1), -np.inf)])
    zu, zl = zz[rows, upper], zz[rows, lower]
    prob = np.where(zu > 0, _expit(-zl) - _expit(-zu), star[rows, upper] - star[rows, lower])
    prob = np.maximum(prob, 1e-300)
    d1 = a * (first[rows, upper] - first[rows, lower])
    d2 = a * a * (second[rows, upper] - second[rows, lower])
    grad = d1 / prob
    return np.log(prob), grad, d2 / prob - grad**2


def split(params: np.ndarray, n_cat: Sequence[int]) -> list[tuple[float, np.ndarray]]:
    """Flat ``[a_1, d_11, ..., a_2, ...]`` -> ``[(a_j, d_j), ...]``."""
    out = []
    start = 0
    for k in n_cat:
        out.append((float(params[start]), params[start + 1 : start + k]))
        start += k
    return out
