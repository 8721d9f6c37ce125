"""The observed information of the graded model's marginal likelihood, by Louis' identity.

For a response pattern ``i`` with posterior weights ``w_iq`` over the nodes and
complete-data score ``s_iq`` (the derivative of ``log P(pattern | theta_q)``),

``d2 log L_i = sum_q w_iq (h_iq + s_iq s_iq') - sbar_i sbar_i'``, ``sbar_i = sum_q w_iq s_iq``,

where ``h_iq`` is the complete-data Hessian. Summed over patterns, the ``h`` part is
block diagonal (one block per item, from the expected counts); the other two come from
the per-pattern scores. No finite differences of the likelihood are needed.

Examples
--------
>>> import numpy as np
>>> from efficacy.irt._estimate import MarginalLikelihood, quadrature
>>> cats = np.array([[0, 1], [1, 1], [0, 0], [1, 0], [1, 1]])
>>> lik = MarginalLikelihood(cats, [2, 2], *quadrature())
>>> observed_hessian(lik, np.array([1.0, 0.2, 1.0, -0.1])).shape
(4, 4)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from efficacy.irt._grm import item_gradient, item_scores

if TYPE_CHECKING:  # pragma: no cover
    from efficacy.irt._estimate import MarginalLikelihood

_CHUNK_CELLS = 2_000_000  # patterns x nodes x parameters held at once


def _item_hessian(a: float, d: np.ndarray, nodes: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Hessian of ``sum counts log P`` for one item, by central differences of its gradient."""
    par = np.concatenate([[a], d])
    out = np.empty((par.size, par.size))
    for p in range(par.size):
        h = 1e-6 * max(1.0, abs(par[p]))
        up, down = par.copy(), par.copy()
        up[p] += h
        down[p] -= h
        out[:, p] = (
            item_gradient(up[0], up[1:], nodes, counts)
            - item_gradient(down[0], down[1:], nodes, counts)
        ) / (2 * h)
    return 0.5 * (out + out.T)


def observed_hessian(lik: MarginalLikelihood, params: np.ndarray) -> np.ndarray:
    """Hessian of the marginal log-likelihood at ``params``."""
    from efficacy.irt._estimate import split

    _, post = lik.posterior(params)
    nodes = lik.nodes
    items = split(params, lik.n_cat)
    sizes = lik.n_cat  # parameters per item: a and K - 1 intercepts
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(int)
    n_par = int(np.sum(sizes))
    counts = lik.design.T @ (post * lik.freq[:, None])
    hess = np.zeros((n_par, n_par))
    tables = []
    for (a, d), o, k, s in zip(items, lik.offsets, lik.n_cat, starts, strict=True):
        hess[s : s + k, s : s + k] = _item_hessian(a, d, nodes, counts[o : o + k])
        scores = item_scores(a, d, nodes)  # [category, parameter, node]
        # node-major, with a zero row for "not answered"
        tables.append(np.concatenate([scores.transpose(0, 2, 1), np.zeros((1, nodes.size, k))]))
    n_patterns = lik.patterns.shape[0]
    chunk = max(1, _CHUNK_CELLS // (nodes.size * n_par))
    for begin in range(0, n_patterns, chunk):
        rows = slice(begin, begin + chunk)
        pats = lik.patterns[rows]
        weights = post[rows]
        freq = lik.freq[rows]
        # nodes where a pattern's posterior weight is below 1e-15 add nothing measurable
        ii, qq = np.nonzero(weights > 1e-15)
        score = np.empty((ii.size, n_par))
        for j, (s, k) in enumerate(zip(starts, sizes, strict=True)):
            answer = np.where(pats[ii, j] < 0, k, pats[ii, j])
            score[:, s : s + k] = tables[j][answer, qq]
        w = weights[ii, qq]
        scaled = score * np.sqrt(w * freq[ii])[:, None]
        hess += scaled.T @ scaled
        firsts = np.flatnonzero(np.r_[True, ii[1:] != ii[:-1]])
        mean = np.add.reduceat(score * w[:, None], firsts, axis=0)
        hess -= (mean * freq[ii[firsts], None]).T @ mean
    return 0.5 * (hess + hess.T)
