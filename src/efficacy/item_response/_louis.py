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
>>> from efficacy.item_response._estimate import MarginalLikelihood, quadrature
>>> cats = np.array([[0, 1], [1, 1], [0, 0], [1, 0], [1, 1]])
>>> lik = MarginalLikelihood(cats, [2, 2], *quadrature())
>>> observed_hessian(lik, np.array([1.0, 0.2, 1.0, -0.1])).shape
(4, 4)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from efficacy.item_response._grm import item_gradient, item_scores, split

if TYPE_CHECKING:  # pragma: no cover
    from efficacy.item_response._estimate import MarginalLikelihood

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
    """Hessian of the marginal log-likelihood at ``params``.

    The ``s s'`` term is assembled from the expected joint counts of category pairs at
    each node, ``N_q[c, c'] = sum_i f_i w_iq [pattern i has c and c']``, so it costs
    matrix products over categories, not a score vector per pattern and node.
    """
    _, post = lik.posterior(params)
    nodes = lik.nodes
    n_nodes = nodes.size
    items = split(params, lik.n_cat)
    sizes = lik.n_cat  # parameters per item: a and K - 1 intercepts (K of them)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(int)
    n_par = int(np.sum(sizes))
    n_col = lik.n_columns
    freq = lik.freq
    counts = lik.design.T @ (post * freq[:, None])
    hess = np.zeros((n_par, n_par))
    scores = []  # per item [category, parameter, node]
    full = np.zeros((n_col, n_par, n_nodes))  # category rows x all parameters
    for (a, d), o, k, s in zip(items, lik.offsets, lik.n_cat, starts, strict=True):
        hess[s : s + k, s : s + k] = _item_hessian(a, d, nodes, counts[o : o + k])
        table = item_scores(a, d, nodes)
        scores.append(table)
        full[o : o + k, s : s + k, :] = table
    pairs = np.zeros((n_col, n_col * n_nodes))
    chunk = max(1, _CHUNK_CELLS // (n_col * n_nodes))
    for begin in range(0, lik.patterns.shape[0], chunk):
        rows = slice(begin, begin + chunk)
        design = lik.design[rows]
        weighted = post[rows] * freq[rows, None]
        spread = (design[:, :, None] * weighted[:, None, :]).reshape(design.shape[0], -1)
        pairs += design.T @ spread
        mean = np.zeros((design.shape[0], n_par))  # each pattern's posterior mean score
        for j, (table, s, k) in enumerate(zip(scores, starts, sizes, strict=True)):
            by_category = (post[rows] @ table.transpose(2, 0, 1).reshape(n_nodes, -1)).reshape(
                design.shape[0], k, k
            )
            answer = lik.patterns[rows, j]
            seen = answer >= 0
            mean[seen, s : s + k] = by_category[np.flatnonzero(seen), answer[seen]]
        hess -= (mean * freq[rows, None]).T @ mean
    pairs = pairs.reshape(n_col, n_col, n_nodes)
    for q in range(n_nodes):
        hess += full[:, :, q].T @ pairs[:, :, q] @ full[:, :, q]
    return 0.5 * (hess + hess.T)
