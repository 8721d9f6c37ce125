"""Sample statistics of ordinal items for WLSMV: thresholds, polychorics and their Gamma.

Thresholds are the normal quantiles of each item's cumulative category proportions,
item by item (items may show different numbers of categories: each has its own);
polychoric correlations maximise each pair's likelihood with the two items' thresholds
held fixed (two-step), by a root search of the pair's score in the correlation. Their
asymptotic covariance (``Gamma``, lavaan's ``NACOV``) follows Muthen (1984) as lavaan
0.6-14 computes it: with the case-wise scores of the univariate (threshold) and
bivariate (correlation) log-likelihoods ``SC`` and the blocks

- ``A11``: per item, the cross-product of its threshold scores;
- ``A21``: cross-products of each pair's correlation scores with the derivatives of the
  same bivariate log-likelihood in the two items' thresholds;
- ``A22``: the diagonal of the cross-product of the correlation scores;

``Gamma = N B^-1 (SC' SC) B^-T`` with ``B^-1 = [[A11^-1, 0], [-A22^-1 A21 A11^-1,
A22^-1]]``. Rows with the same categories share their scores, so everything is computed
per cell of the two-way tables (no loop over respondents).

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> z = rng.multivariate_normal([0, 0, 0], [[1, .5, .4], [.5, 1, .3], [.4, .3, 1]], 400)
>>> stats = ordinal_stats(np.digitize(z, [-1, 0, 1]))
>>> stats.s.shape, stats.gamma.shape
((12,), (12, 12))
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import ndtr, ndtri

from efficacy.coefficients.ordinal._bivariate_normal import bvn_cdf, bvn_cdf_grid
from efficacy.errors import DataError


@dataclass(frozen=True)
class OrdinalStats:
    """One group's WLS statistics: ``s`` = thresholds (item by item), then correlations."""

    n: int
    thresholds: tuple[np.ndarray, ...]
    rho: np.ndarray
    s: np.ndarray
    gamma: np.ndarray
    n_categories: tuple[int, ...]

    @property
    def n_thresholds(self) -> int:
        return sum(len(t) for t in self.thresholds)

    @property
    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Item pairs (i > j) in lavaan's order: column by column below the diagonal."""
        p = self.rho.shape[0]
        cols, rows = np.triu_indices(p, 1)
        return rows, cols


def _bvn_cdf(x: np.ndarray, y: np.ndarray, rho: float) -> np.ndarray:
    """Bivariate standard normal CDF (the package's Genz algorithm), infinite limits."""
    return bvn_cdf(x, y, np.asarray(rho, dtype=float))


def _bvn_pdf(x: np.ndarray, y: np.ndarray, rho: float) -> np.ndarray:
    x, y = np.broadcast_arrays(x, y)
    out = np.zeros(x.shape)
    ok = np.isfinite(x) & np.isfinite(y)
    r2 = 1.0 - rho * rho
    q = (x[ok] ** 2 - 2 * rho * x[ok] * y[ok] + y[ok] ** 2) / r2
    out[ok] = np.exp(-0.5 * q) / (2 * np.pi * np.sqrt(r2))
    return out


def _phi(x: np.ndarray) -> np.ndarray:
    return np.where(
        np.isfinite(x), np.exp(-0.5 * np.where(np.isfinite(x), x, 0) ** 2) / np.sqrt(2 * np.pi), 0.0
    )


def _cell_probabilities(ti: np.ndarray, tj: np.ndarray, r: float):
    """Cell probabilities of a pair's table and their derivatives in the correlation."""
    upper_i, lower_i = ti[1:, None], ti[:-1, None]
    upper_j, lower_j = tj[None, 1:], tj[None, :-1]
    lik = (
        _bvn_cdf(upper_i, upper_j, r)
        - _bvn_cdf(lower_i, upper_j, r)
        - _bvn_cdf(upper_i, lower_j, r)
        + _bvn_cdf(lower_i, lower_j, r)
    )
    dens = (
        _bvn_pdf(upper_i, upper_j, r)
        - _bvn_pdf(lower_i, upper_j, r)
        - _bvn_pdf(upper_i, lower_j, r)
        + _bvn_pdf(lower_i, lower_j, r)
    )
    return np.maximum(lik, 1e-300), dens


def _grid_pdf(a: np.ndarray, b: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Bivariate normal density on each pair's grid: ``(P, R)``, ``(P, C)``, ``(P,)``."""
    x, y = a[:, :, None], b[:, None, :]
    ok = np.isfinite(x) & np.isfinite(y)
    xx, yy = np.where(ok, x, 0.0), np.where(ok, y, 0.0)
    r2 = (1.0 - r * r)[:, None, None]
    q = (xx**2 - 2 * r[:, None, None] * xx * yy + yy**2) / r2
    return np.where(ok, np.exp(-0.5 * q) / (2 * np.pi * np.sqrt(r2)), 0.0)


def _cells(grid: np.ndarray) -> np.ndarray:
    return grid[:, 1:, 1:] - grid[:, :-1, 1:] - grid[:, 1:, :-1] + grid[:, :-1, :-1]


def _pair_scores(tables, ti, tj, r) -> np.ndarray:
    """Each pair's score in its correlation (derivative of the log-likelihood)."""
    lik = _cells(bvn_cdf_grid(ti, tj, r))
    dens = _cells(_grid_pdf(ti, tj, r))
    return np.sum(np.where(tables > 0, tables * dens / np.maximum(lik, 1e-300), 0.0), axis=(1, 2))


def _polychorics(tables: np.ndarray, ti: np.ndarray, tj: np.ndarray) -> np.ndarray:
    """Two-step polychoric correlations of stacked tables, thresholds held fixed.

    ``tables`` (P, K, K) and the padded thresholds ``ti``, ``tj`` (P, K + 1), an item
    with fewer categories padded with ``+inf`` (empty categories). The score falls from
    positive to negative through the maximum: bisection on it, to the last digits.
    """
    edge = 0.999
    lo = np.full(len(tables), -edge)
    hi = np.full(len(tables), edge)
    bracketed = (_pair_scores(tables, ti, tj, lo) > 0) & (_pair_scores(tables, ti, tj, hi) < 0)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        up = _pair_scores(tables, ti, tj, mid) > 0
        lo = np.where(up, mid, lo)
        hi = np.where(up, hi, mid)
        if np.all(hi - lo <= 4 * np.finfo(float).eps):
            break
    rho = 0.5 * (lo + hi)
    for k in np.flatnonzero(~bracketed):
        # a table whose likelihood peaks beyond +-0.999: maximise it directly

        def minus_loglik(r: float, k: int = k) -> float:
            lik = _cells(bvn_cdf_grid(ti[k : k + 1], tj[k : k + 1], np.array([r])))
            return -float(
                np.sum(np.where(tables[k] > 0, tables[k] * np.log(np.maximum(lik, 1e-300)), 0.0))
            )

        edge = 1.0 - 1e-10
        found = minimize_scalar(
            minus_loglik, bounds=(-edge, edge), method="bounded", options={"xatol": 1e-12}
        )
        rho[k] = found.x
    return rho


def _two_by_two(
    tables: np.ndarray, ti: np.ndarray, tj: np.ndarray, n_i: np.ndarray, n_j: np.ndarray
) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """lavaan 0.6-14's rules for the 2 x 2 tables of two binary items.

    lavaan (``lav_bvord_cor_twostep_fit`` with ``zero.add = c(0.5, 0)`` and
    ``zero.keep.margins = TRUE``) treats a 2 x 2 table before estimating its
    correlation; tables of more categories are used as they are:

    - one empty cell: 0.5 is added to that cell and to the other cell of its diagonal,
      and taken from the two cells of the other diagonal (the margins are kept);
    - two empty cells: the correlation is 1 if the first cell is not empty, else -1
      (lavaan's value; :func:`ordinal_stats` refuses such a pair, naming it);
    - then, if ``f11 f22 == f12 f21``, the correlation is 0, and if both thresholds are
      exactly 0, it is ``-cos(2 pi f11 / n)``.

    Returns the tables to estimate from, the correlations fixed by these rules (NaN
    where the estimate is needed) and the pairs with two empty cells.
    """
    tables = tables.copy()
    fixed = np.full(len(tables), np.nan)
    two_empty: list[int] = []
    for k in np.flatnonzero((n_i == 2) & (n_j == 2)):
        cell = tables[k, :2, :2]
        empty = cell == 0
        if empty.sum() == 2:
            fixed[k] = 1.0 if cell[0, 0] > 0 else -1.0
            two_empty.append(int(k))
            continue
        if empty.sum() == 1:
            sign = 1.0 if empty[0, 0] or empty[1, 1] else -1.0
            cell += sign * 0.5 * np.array([[1.0, -1.0], [-1.0, 1.0]])
        if cell[0, 0] * cell[1, 1] == cell[0, 1] * cell[1, 0]:
            fixed[k] = 0.0
        elif ti[k, 1] == 0.0 and tj[k, 1] == 0.0:
            fixed[k] = -np.cos(2.0 * np.pi * cell[0, 0] / cell.sum())
    return tables, fixed, two_empty


def ordinal_stats(codes: np.ndarray, names: list[str] | None = None) -> OrdinalStats:
    """Thresholds, polychoric correlations and Gamma of category codes.

    ``codes`` holds 0-based category indices (n x p), -1 for a missing cell, with every
    category of an item observed; items may have different numbers of categories.
    Missing cells are handled pairwise, as lavaan's ``missing = "pairwise"``: thresholds
    from each item's answers, correlations from the rows answering both items, and a
    row's score is zero where it has no answer.
    """
    codes = np.asarray(codes, dtype=np.int64)
    n, p = codes.shape
    present = codes >= 0  # -1: missing (pairwise: each statistic uses the rows it can)
    n_cat = tuple(int(codes[:, i].max()) + 1 for i in range(p))
    names = list(names) if names is not None else [f"v{i}" for i in range(p)]
    single = [names[i] for i in range(p) if n_cat[i] < 2]
    if single:
        raise DataError(f"items {single} show a single observed category: no thresholds")
    gaps = {
        names[i]: sorted(set(range(n_cat[i])) - set(np.unique(codes[present[:, i], i])))
        for i in range(p)
    }
    gaps = {item: unseen for item, unseen in gaps.items() if unseen}
    if gaps:
        raise DataError(f"category codes not observed (codes must be 0, 1, ... in turn): {gaps}")
    thresholds = []
    for i in range(p):
        counts = np.bincount(codes[present[:, i], i], minlength=n_cat[i])
        thresholds.append(ndtri(np.cumsum(counts)[:-1] / counts.sum()))
    padded = [np.concatenate([[-np.inf], t, [np.inf]]) for t in thresholds]
    most = max(n_cat)
    wide = np.full((p, most + 1), np.inf)
    for i in range(p):
        wide[i, : n_cat[i] + 1] = padded[i]
    low, high = np.tril_indices(p, -1)
    tables = np.zeros((len(low), most, most))
    for k, (i, j) in enumerate(zip(low, high, strict=True)):
        both = present[:, i] & present[:, j]
        if not both.any():
            raise DataError(f"items {names[j]!r} and {names[i]!r} have no rows in common")
        np.add.at(tables[k], (codes[both, i], codes[both, j]), 1.0)
    n_cat_arr = np.asarray(n_cat)
    adjusted, fixed, two_empty = _two_by_two(
        tables, wide[low], wide[high], n_cat_arr[low], n_cat_arr[high]
    )
    if two_empty:
        pairs = [(names[high[k]], names[low[k]]) for k in two_empty]
        raise DataError(
            f"binary items {pairs}: their 2 x 2 table has two empty cells, so the items "
            "are perfectly associated (a polychoric correlation of +-1, which lavaan sets "
            "with a warning and then fits a singular matrix); leave one item of each pair "
            "out"
        )
    estimate = np.isnan(fixed)
    values = fixed.copy()
    if estimate.any():
        values[estimate] = _polychorics(
            adjusted[estimate], wide[low][estimate], wide[high][estimate]
        )
    rho = np.eye(p)
    rho[low, high] = rho[high, low] = values
    # univariate threshold scores: per item, per category
    offsets = np.concatenate([[0], np.cumsum([c - 1 for c in n_cat])])
    n_th = int(offsets[-1])
    sc_th = np.zeros((n, n_th))
    a11 = np.zeros((n_th, n_th))
    for i in range(p):
        t = padded[i]
        prob = ndtr(t[1:]) - ndtr(t[:-1])  # per category
        cell = np.zeros((n_cat[i], n_cat[i] - 1))
        for c in range(n_cat[i]):
            if c < n_cat[i] - 1:
                cell[c, c] += _phi(t[c + 1]) / prob[c]
            if c > 0:
                cell[c, c - 1] -= _phi(t[c]) / prob[c]
        block = slice(offsets[i], offsets[i + 1])
        sc_th[:, block] = np.where(present[:, [i]], cell[np.maximum(codes[:, i], 0)], 0.0)
        a11[block, block] = sc_th[:, block].T @ sc_th[:, block]
    rows, cols = np.triu_indices(p, 1)
    rows, cols = cols, rows  # i > j, column by column
    order = np.lexsort((rows, cols))
    rows, cols = rows[order], cols[order]
    pstar = len(rows)
    sc_cor = np.zeros((n, pstar))
    a21 = np.zeros((pstar, n_th))
    for k, (i, j) in enumerate(zip(rows, cols, strict=True)):
        r = rho[i, j]
        ti, tj = padded[i], padded[j]
        upper_i, lower_i = ti[1:, None], ti[:-1, None]
        upper_j, lower_j = tj[None, 1:], tj[None, :-1]
        lik, dens = _cell_probabilities(ti, tj, r)
        d_rho = dens / lik
        sd = np.sqrt(1.0 - r * r)

        def cond(x, a, b, r=r, sd=sd):
            # P(a < Y < b | X = x) for the latent pair, x finite where phi(x) > 0
            xx = np.where(np.isfinite(x), x, 0.0)
            return ndtr((b - r * xx) / sd) - ndtr((a - r * xx) / sd)

        # derivative of each cell's log-likelihood in item i's thresholds
        z_up_i = _phi(upper_i) * cond(upper_i, lower_j, upper_j)
        z_lo_i = _phi(lower_i) * cond(lower_i, lower_j, upper_j)
        z_up_j = _phi(upper_j) * cond(upper_j, lower_i, upper_i)
        z_lo_j = _phi(lower_j) * cond(lower_j, lower_i, upper_i)
        both = present[:, i] & present[:, j]
        ci, cj = codes[both, i], codes[both, j]
        sc_cor[both, k] = d_rho[ci, cj]
        counts = np.zeros((n_cat[i], n_cat[j]))
        np.add.at(counts, (ci, cj), 1.0)
        weight = counts * d_rho / lik  # sum over rows of score * (dx_th / lik numerators)
        for a in range(n_cat[i] - 1):
            # threshold a of item i is the upper bound of category a, lower of a + 1
            a21[k, offsets[i] + a] = (weight[a] * z_up_i[a]).sum() - (
                weight[a + 1] * z_lo_i[a + 1]
            ).sum()
        for b in range(n_cat[j] - 1):
            a21[k, offsets[j] + b] = (weight[:, b] * z_up_j[:, b]).sum() - (
                weight[:, b + 1] * z_lo_j[:, b + 1]
            ).sum()
    sc = np.hstack([sc_th, sc_cor])
    inner = sc.T @ sc
    a22_diag = (sc_cor**2).sum(axis=0)
    a11_inv = np.linalg.inv(a11)
    a22_inv = np.diag(1.0 / a22_diag)
    b_inv = np.zeros((n_th + pstar, n_th + pstar))
    b_inv[:n_th, :n_th] = a11_inv
    b_inv[n_th:, :n_th] = -a22_inv @ a21 @ a11_inv
    b_inv[n_th:, n_th:] = a22_inv
    gamma = n * (b_inv @ inner @ b_inv.T)
    s = np.concatenate([*thresholds, rho[rows, cols]])
    return OrdinalStats(
        n=n, thresholds=tuple(thresholds), rho=rho, s=s, gamma=gamma, n_categories=n_cat
    )
