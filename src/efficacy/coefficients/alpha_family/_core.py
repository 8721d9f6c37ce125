"""R psych's ``alpha.1()`` on a covariance and a correlation matrix, for the whole
scale and, in closed form, for every scale with one item dropped.

Everything here is O(k^3) on k x k matrices: the data were read once before
(``_alpha_moments``). Formulas follow psych 2.2.9 literally, quirks included: the
Duhachek-Iacobucci standard error with the Hattori correction, the ``Rd <- R -
diag(R)`` denominator of the off-diagonal fit, and squared multiple correlations from
psych's SVD pseudo-inverse (``Pinv``, tolerance ``sqrt(eps) * d[1]``) clipped to
[0, 1].

Examples
--------
>>> import numpy as np
>>> c = np.array([[1.0, 0.5, 0.5], [0.5, 1.0, 0.5], [0.5, 0.5, 1.0]])
>>> stats = alpha_stats(c, c)
>>> round(float(stats["raw"]), 6), round(float(stats["av_r"]), 6)
(0.75, 0.5)
>>> drop = alpha_drop_stats(c, c)
>>> drop["raw"].round(6).tolist()
[0.666667, 0.666667, 0.666667]
"""

from __future__ import annotations

import numpy as np

from efficacy.coefficients._moments import smc


def _q(n: np.ndarray | int, tr: np.ndarray, total: np.ndarray, tr_cc: np.ndarray, sum_cc):
    """Duhachek-Iacobucci Q with the Hattori correction (psych >= 2016)."""
    n = np.asarray(n, dtype=float)
    return (2 * n**2 / ((n - 1) ** 2 * total**3)) * (total * (tr_cc + tr**2) - 2 * (tr * sum_cc))


def _var_median(values: np.ndarray, include: np.ndarray | None = None):
    """R's ``var`` (n - 1) and ``median`` of each row of ``values`` over ``include``."""
    if include is None:
        include = np.ones(values.shape, dtype=bool)
    count = include.sum(axis=-1)
    masked = np.where(include, values, np.nan)
    mean = np.nansum(masked, axis=-1) / np.maximum(count, 1)
    dev = np.where(include, values - mean[..., None], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.where(count > 1, (dev**2).sum(axis=-1) / (count - 1), np.nan)
    if values.shape[-1] == 0 or not include.any():
        median = np.full(count.shape, np.nan)
    else:
        median = np.nanmedian(masked, axis=-1)
    return var, median


def alpha_stats(c: np.ndarray, r: np.ndarray) -> dict[str, float]:
    """psych's ``alpha.1(C, R)`` for the whole scale.

    Returns a dict with ``raw``, ``std``, ``g6``, ``av_r``, ``sn``, ``q``, ``unidim``
    (GF1), ``fit`` (GF1.off, with psych's ``Rd`` denominator), ``var_r``, ``med_r``.
    """
    n = c.shape[0]
    total = c.sum()
    tr = np.trace(c)
    sum_r = r.sum()
    raw = (1 - tr / total) * (n / (n - 1))
    std = (1 - n / sum_r) * (n / (n - 1))
    g6 = 1 - (n - smc(r).sum()) / sum_r
    av_r = (sum_r - n) / (n * (n - 1))
    lower = r[np.tril_indices(n, -1)]
    var_r, med_r = _var_median(lower)
    res = r - av_r
    unidim = 1 - (res**2).sum() / (r**2).sum()
    rd = r - np.diag(r)[:, None]  # R's `R - diag(R)` recycles the diagonal by column
    np.fill_diagonal(res, 0.0)
    fit = 1 - (res**2).sum() / (rd**2).sum()
    sn = n * av_r / (1 - av_r)
    cc_col = c.sum(axis=0)
    q = _q(n, tr, total, (c * c).sum(), cc_col @ cc_col)
    return {
        "raw": float(raw),
        "std": float(std),
        "g6": float(g6),
        "av_r": float(av_r),
        "sn": float(sn),
        "q": float(q),
        "unidim": float(unidim),
        "fit": float(fit),
        "var_r": float(var_r),
        "med_r": float(med_r),
    }


def alpha_drop_stats(c: np.ndarray, r: np.ndarray) -> dict[str, np.ndarray]:
    """``alpha.1(C[-i, -i], R[-i, -i])`` for every item i, in closed form.

    For two items psych's special case applies: the raw "alpha" is ``C12 / C22``
    (``C12 / C11`` for the second row), the standardized ones are ``R12``, G6 is
    ``smc(R)[1]``, S/N ``R12 / (1 - R12)``, var.r 0 and Q missing.
    Returns arrays keyed like :func:`alpha_stats` (without ``unidim`` and ``fit``).
    """
    k = c.shape[0]
    if k == 2:
        r12 = r[0, 1]
        s1 = smc(r)[0]
        const = np.full(2, np.nan)
        return {
            "raw": np.array([c[0, 1] / c[1, 1], c[0, 1] / c[0, 0]]),
            "std": np.full(2, r12),
            "g6": np.full(2, s1),
            "av_r": np.full(2, r12),
            "sn": np.full(2, r12 / (1 - r12)),
            "q": const,
            "var_r": np.zeros(2),
            "med_r": np.full(2, r12),
        }
    n = k - 1
    dc = np.diag(c)
    col = c.sum(axis=0)
    tr = np.trace(c) - dc
    total = c.sum() - 2 * col + dc
    tr_cc = (c * c).sum() - 2 * (c * c).sum(axis=0) + dc**2
    # 1' C_{-i} C_{-i} 1 = sum over a != i of (col_a - C_ai)^2
    sub = col[None, :] - c  # [i, a] = col_a - C_ia
    sum_cc = (sub**2).sum(axis=1) - (col - dc) ** 2
    raw = (1 - tr / total) * (n / (n - 1))

    r_col = r.sum(axis=0)
    sum_r = r.sum() - 2 * r_col + np.diag(r)
    std = (1 - n / sum_r) * (n / (n - 1))
    keep = ~np.eye(k, dtype=bool)
    subs = np.stack([r[np.ix_(keep[i], keep[i])] for i in range(k)])
    g6 = 1 - (n - smc(subs).sum(axis=1)) / sum_r
    av_r = (sum_r - n) / (n * (n - 1))
    sn = n * av_r / (1 - av_r)

    rows, cols = np.tril_indices(k, -1)
    lower = r[rows, cols]
    include = (rows[None, :] != np.arange(k)[:, None]) & (cols[None, :] != np.arange(k)[:, None])
    var_r, med_r = _var_median(np.broadcast_to(lower, include.shape), include)
    return {
        "raw": raw,
        "std": std,
        "g6": g6,
        "av_r": av_r,
        "sn": sn,
        "q": _q(n, tr, total, tr_cc, sum_cc),
        "var_r": var_r,
        "med_r": med_r,
    }


def item_total_stats(c: np.ndarray, r: np.ndarray) -> dict[str, np.ndarray]:
    """psych's ``std.r``, ``r.cor`` (Cureton's overlap correction) and ``r.drop``."""
    sum_r = r.sum()
    std_r = r.sum(axis=0) / np.sqrt(sum_r)
    rc = r.copy()
    np.fill_diagonal(rc, smc(r))
    with np.errstate(invalid="ignore"):  # a negative total (mis-keyed items) gives NaN, as in R
        r_cor = rc.sum(axis=0) / np.sqrt(rc.sum())
    dc = np.diag(c)
    col = c.sum(axis=0)
    rest = c.sum() - 2 * col + dc
    with np.errstate(invalid="ignore", divide="ignore"):
        r_drop = (col - dc) / np.sqrt(dc * rest)
    return {"std_r": std_r, "r_cor": r_cor, "r_drop": r_drop}
