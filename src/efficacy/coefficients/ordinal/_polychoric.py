"""Polychoric and tetrachoric correlations, and ordinal alpha.

Ordered item responses (a 1-6 agreement scale) are read as coarse cuts of normal latent
variables. :func:`polychoric` estimates the latent correlation of every pair of items
the way R psych's ``polychoric()`` (2.2.9) does by default, in two steps:

1. Thresholds from the marginals: for each item, ``qnorm`` of the cumulative
   proportions of its categories over all its non-missing responses (psych's
   "global" thresholds).
2. For each pair, the correlation maximising the likelihood of the pair's two-way
   table (rows where both items are present) with the thresholds held fixed. Cells
   whose model probability is zero are skipped, as in psych's ``polyF``.

All pairs are estimated at once: every two-way table comes from one product of
one-hot matrices, the bivariate normal probabilities from a vectorised Genz
algorithm (:mod:`efficacy.coefficients.ordinal._bivariate_normal`), and the maximisation from one
lock-step Brent search (:mod:`efficacy.coefficients.ordinal._brent`) that reproduces R's
``optimize()`` step for step, with R's default tolerance ``eps^0.25`` (about 1.2e-4
on rho; pass a smaller ``tol`` for a tighter maximum).

Zero cells and ``correct``: psych 2.2.9 applies the continuity correction (empty cells
of a table set to ``correct / n``) only when thresholds are estimated per pair
(``global_thresholds=False``; psych also switches to that when items have different
numbers of observed categories, and so does :func:`polychoric`, with a warning). With
global thresholds an empty cell contributes nothing to the likelihood and ``correct``
has no effect. :func:`tetrachoric` always adds ``correct`` to empty cells of the 2 x 2
count table (psych's ``tetrachoric``). A matrix that is not positive definite is
smoothed as psych's ``cor.smooth`` does (eigenvalues below 1e-12 raised, rescaled,
back to a correlation matrix), with a warning.

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(1)
>>> z = rng.multivariate_normal([0, 0, 0], [[1, .5, .4], [.5, 1, .3], [.4, .3, 1]], 500)
>>> items = pd.DataFrame(np.digitize(z, [-1, 0, 1]) + 1, columns=["a", "b", "c"])
>>> res = polychoric(items)
>>> res.rho.round(2)
      a     b     c
a  1.00  0.44  0.44
b  0.44  1.00  0.29
c  0.44  0.29  1.00
>>> list(res.thresholds.columns)
['1|2', '2|3', '3|4']
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import ndtri

from efficacy._dispatch import is_dask, on_dask
from efficacy.coefficients._binary import binary_items
from efficacy.coefficients._moments import ItemMatrix, item_matrix
from efficacy.coefficients.ordinal._brent import R_OPTIMIZE_TOL
from efficacy.coefficients.ordinal._fit import fit_tables
from efficacy.coefficients.ordinal._stack import pair_counts, polychoric_stack
from efficacy.errors import DataError, describe_cells
from efficacy.results import Result, Summary


@dataclass(frozen=True, repr=False)
class PolychoricResult(Result):
    """Latent correlations of ordinal items.

    Attributes
    ----------
    rho
        The correlation matrix (items x items).
    thresholds
        Items x category boundaries (``"1|2"`` is the cut between codes 1 and 2);
        ``-inf``/``inf`` mark boundaries outside an item's observed categories.
    n_obs
        Number of rows, complete or not.
    method
        ``"polychoric"`` or ``"tetrachoric"``.
    global_thresholds
        Whether every pair used the items' marginal thresholds.
    n_corrected
        Number of pairs whose table had empty cells replaced by ``correct``.
    smoothed
        Whether the matrix was not positive definite and was smoothed.
    n_pairs
        Respondents with both items present, per pair.
    """

    rho: pd.DataFrame
    thresholds: pd.DataFrame
    n_obs: int
    method: str
    global_thresholds: bool
    n_corrected: int
    smoothed: bool
    n_pairs: pd.DataFrame = field(repr=False)

    def summary(self) -> Summary:
        """Method, counts and corrections; the correlation matrix below."""
        rows = (
            ("method", self.method),
            ("respondents", f"{self.n_obs} (pairwise complete per pair)"),
            ("thresholds", "global" if self.global_thresholds else "per pair"),
            ("corrected cells", str(self.n_corrected)),
            ("smoothed", str(bool(self.smoothed))),
        )
        notes = ()
        if self.smoothed:
            notes = ("The matrix was not positive definite and was smoothed.",)
        return Summary("Polychoric correlations", rows, notes, self.rho)

    def to_frame(self) -> pd.DataFrame:
        """The correlation matrix."""
        return self.rho.copy()


# --------------------------------------------------------------------------- input


def _integer_codes(im: ItemMatrix) -> np.ndarray:
    x = im.values
    bad = ~np.isnan(x) & (np.floor(x) != x)
    if bad.any():
        j = int(np.argwhere(bad.any(axis=0))[0, 0])
        mask = pd.Series(bad[:, j], index=im.index)
        raise DataError(
            "polychoric correlations need integer category codes; "
            + describe_cells(im.names[j], mask, pd.Series(x[:, j], index=im.index))
        )
    return x


def _require_variation(im: ItemMatrix, x: np.ndarray) -> None:
    present = ~np.isnan(x)
    lo = np.where(present, x, np.inf).min(axis=0)
    hi = np.where(present, x, -np.inf).max(axis=0)
    require_variation(im.names, lo, hi)


def require_variation(names: list[str], lo: np.ndarray, hi: np.ndarray) -> None:
    """Raise :class:`DataError` naming the items with fewer than two observed codes.

    ``lo`` and ``hi`` are each item's smallest and largest code (``inf`` and ``-inf``
    for an item with no data).
    """
    flat = ~(hi > lo)
    if flat.any():
        described = [
            f"{names[j]!r} (only {lo[j]:g})" if np.isfinite(lo[j]) else f"{names[j]!r} (no data)"
            for j in np.flatnonzero(flat)
        ]
        raise DataError(
            "every item needs at least two observed categories; "
            f"{len(described)} item(s) have one: " + ", ".join(described)
        )


def _require_overlap(names: list[str], n_pairs: np.ndarray, minimum: int) -> None:
    low = n_pairs < minimum
    np.fill_diagonal(low, False)
    if low.any():
        i, j = np.argwhere(low)[0]
        raise DataError(
            f"items {names[i]!r} and {names[j]!r} are both present in only "
            f"{n_pairs[i, j]} rows; a latent correlation needs at least {minimum}"
        )


# --------------------------------------------------------------------------- smoothing


def cor_smooth(r: np.ndarray, eig_tol: float = 1e-12) -> tuple[np.ndarray, bool]:
    """psych's ``cor.smooth``: make a correlation matrix positive definite.

    Returns the (possibly) smoothed matrix and whether smoothing was needed. Smoothing
    happens when the smallest eigenvalue is below machine epsilon: eigenvalues below
    ``eig_tol`` become ``100 * eig_tol``, all are rescaled to sum to the dimension, and
    the reconstruction is rescaled to a unit diagonal.

    Examples
    --------
    >>> r = np.array([[1, .9, .9], [.9, 1, .1], [.9, .1, 1]])
    >>> s, smoothed = cor_smooth(r)
    >>> smoothed, bool(np.linalg.eigvalsh(s).min() > 0)
    (True, True)
    """
    values, vectors = np.linalg.eigh(r)
    if values.min() >= np.finfo(float).eps:
        return r, False
    values = np.where(values < eig_tol, 100.0 * eig_tol, values)
    values = values * r.shape[0] / values.sum()
    rebuilt = (vectors * values) @ vectors.T
    scale = 1.0 / np.sqrt(np.diag(rebuilt))
    out = rebuilt * scale[:, None] * scale[None, :]
    out = (out + out.T) / 2.0
    np.fill_diagonal(out, 1.0)
    return out, True


def _finish(
    rho: np.ndarray, smooth: bool, what: str, stacklevel: int = 3
) -> tuple[np.ndarray, bool]:
    rho = (rho + rho.T) / 2.0
    np.fill_diagonal(rho, 1.0)
    if not smooth:
        return rho, False
    out, smoothed = cor_smooth(rho)
    if smoothed:
        warnings.warn(
            f"the {what} matrix was not positive definite and was smoothed (psych's cor.smooth)",
            stacklevel=stacklevel,
        )
    return out, smoothed


# --------------------------------------------------------------------------- polychoric


def _threshold_labels(low: int, n_cat: int) -> list[str]:
    return [f"{low + c}|{low + c + 1}" for c in range(n_cat - 1)]


def polychoric(
    items: pd.DataFrame | np.ndarray,
    *,
    correct: float = 0.5,
    global_thresholds: bool = True,
    smooth: bool = True,
    max_categories: int = 8,
    tol: float = R_OPTIMIZE_TOL,
) -> PolychoricResult:
    """Polychoric correlation matrix of ordinal items (R psych ``polychoric``).

    Parameters
    ----------
    items
        DataFrame (columns are items) or 2-D array of integer category codes; NaN is
        missing (each pair uses the rows where both items are present).
    correct
        Continuity correction for empty cells, used when thresholds are estimated per
        pair (see the module notes: psych 2.2.9 ignores it with global thresholds).
        ``0`` disables it.
    global_thresholds
        ``True`` (psych's default): every pair uses the items' marginal thresholds.
        ``False``: thresholds from each pair's own (corrected) table.
    smooth
        Smooth a non-positive-definite result (psych's default).
    max_categories
        Refuse items spanning more categories than this (psych's ``max.cat``).
    tol
        Tolerance of the Brent search per pair (R's ``optimize`` default).

    Returns
    -------
    PolychoricResult
        ``.rho`` and ``.thresholds`` (DataFrames), with the bookkeeping of the fit.

    Raises
    ------
    DataError
        Non-integer codes, an item with a single observed category (named), too many
        categories, or a pair of items with no respondent in common.
    """
    if is_dask(items):
        return on_dask("polychoric", **locals())
    im = item_matrix(items)
    x = _integer_codes(im)
    _require_variation(im, x)
    low = int(np.nanmin(x))
    n_cat = int(np.nanmax(x)) - low + 1
    if n_cat > max_categories:
        raise DataError(
            f"items span {n_cat} categories (codes {low} to {low + n_cat - 1}); "
            f"polychoric correlations allow at most max_categories={max_categories}"
        )
    codes = np.where(np.isnan(x), -1, x - low).astype(np.int64)
    tables, margins = pair_counts(codes, n_cat)
    return polychoric_from_tables(
        im.names,
        tables,
        margins,
        low,
        im.n_obs,
        correct=correct,
        global_thresholds=global_thresholds,
        smooth=smooth,
        tol=tol,
    )


def polychoric_from_tables(
    names: list[str],
    tables: np.ndarray,
    margins: np.ndarray,
    low: int,
    n_obs: int,
    *,
    correct: float = 0.5,
    global_thresholds: bool = True,
    smooth: bool = True,
    tol: float = R_OPTIMIZE_TOL,
    stacklevel: int = 3,
) -> PolychoricResult:
    """:class:`PolychoricResult` from the pair tables and margins of :func:`pair_counts`.

    ``low`` is the code of the first category. :func:`polychoric` and its dask form
    (tables summed over partitions) both end here; ``stacklevel`` (as for
    a ``warnings.warn`` called in this function) points the warnings at the
    user's call.
    """
    k = len(names)
    n_cat = tables.shape[-1]
    ii, jj = np.triu_indices(k, 1)
    n_pairs = np.diag(margins[0].sum(axis=1))
    n_pairs[ii, jj] = n_pairs[jj, ii] = tables[0].sum(axis=(1, 2))
    _require_overlap(names, n_pairs, 1)
    fit = polychoric_stack(
        tables, margins, global_thresholds=global_thresholds, correct=correct, tol=tol
    )
    if global_thresholds and not fit["global"][0]:
        warnings.warn(
            "the items do not all reach the same highest category; thresholds are "
            "estimated per pair (psych sets global=FALSE in this case)",
            stacklevel=stacklevel,
        )
    if fit["degenerate"][0].any():
        p = int(np.flatnonzero(fit["degenerate"][0])[0])
        raise DataError(
            f"items {names[ii[p]]!r} and {names[jj[p]]!r}: among the rows where both "
            "are present one of them has a single category, so their correlation is not "
            "identified with per-pair thresholds"
        )
    n_corrected = int(fit["n_corrected"][0])
    if n_corrected:
        warnings.warn(
            f"{n_corrected} pair table(s) had empty cells set to correct={correct} "
            "(continuity correction); examine the data",
            stacklevel=stacklevel,
        )
    rho, smoothed = _finish(fit["rho"][0], smooth, "polychoric", stacklevel + 1)
    return PolychoricResult(
        rho=pd.DataFrame(rho, index=names, columns=names),
        thresholds=pd.DataFrame(fit["tau"][0], index=names, columns=_threshold_labels(low, n_cat)),
        n_obs=n_obs,
        method="polychoric",
        global_thresholds=bool(fit["global"][0]),
        n_corrected=n_corrected,
        smoothed=smoothed,
        n_pairs=pd.DataFrame(n_pairs.astype(np.int64), index=names, columns=names),
    )


def polychoric_table(
    table: np.ndarray | pd.DataFrame, *, correct: float = 0.5, tol: float = R_OPTIMIZE_TOL
) -> tuple[float, np.ndarray, np.ndarray]:
    """Polychoric correlation of one contingency table (psych's ``polytab``).

    Empty cells are set to ``correct / n`` first; thresholds come from the corrected
    row and column margins.

    Returns
    -------
    tuple
        ``(rho, row_thresholds, column_thresholds)``.

    Examples
    --------
    >>> rho, rows, cols = polychoric_table(np.array([[40, 10], [10, 40]]))
    >>> round(rho, 3), rows.tolist(), cols.tolist()
    (0.809, [0.0], [0.0])
    """
    tab = np.asarray(table, dtype=float)
    if tab.ndim != 2 or min(tab.shape) < 2:
        raise DataError(
            f"a contingency table must be 2-D with at least 2 x 2 cells, got {tab.shape}"
        )
    if (tab < 0).any() or not np.isfinite(tab).all():
        raise DataError("a contingency table holds non-negative finite counts")
    tot = tab.sum()
    if tot <= 0:
        raise DataError("the contingency table is empty")
    tab = tab / tot
    if correct > 0:
        tab = np.where(tab == 0, correct / tot, tab)
    with np.errstate(invalid="ignore"):
        rows = ndtri(np.cumsum(tab.sum(axis=1)[:-1]))
        cols = ndtri(np.cumsum(tab.sum(axis=0)[:-1]))
    rho = fit_tables(tab[None], rows[None], cols[None], tol=tol)
    return float(rho[0]), rows, cols


# --------------------------------------------------------------------------- tetrachoric


def tetrachoric(
    items: pd.DataFrame | np.ndarray,
    *,
    correct: float = 0.5,
    smooth: bool = True,
    tol: float = R_OPTIMIZE_TOL,
) -> PolychoricResult:
    """Tetrachoric correlation matrix of binary items (R psych ``tetrachoric``).

    Each item's two values (any two numbers, or booleans; the lower one is "0") give its
    threshold ``-qnorm(mean)`` over its non-missing responses. For each pair the 2 x 2 count table
    of the rows where both are present has empty cells set to ``correct`` (counts), and
    the correlation maximises its likelihood with the thresholds fixed.

    Raises
    ------
    DataError
        An item with more than two values, or a single one (named), or a pair with
        fewer than 3 respondents in common.

    Examples
    --------
    >>> import pandas as pd
    >>> a = [0] * 40 + [1] * 60
    >>> b = [0] * 30 + [1] * 10 + [0] * 10 + [1] * 50
    >>> round(float(tetrachoric(pd.DataFrame({"a": a, "b": b})).rho.loc["a", "b"]), 6)
    0.796339
    """
    if is_dask(items):
        return on_dask("tetrachoric", **locals())
    binary = binary_items(
        items, message="tetrachoric correlations need binary items (two values per item)"
    )
    im = binary.raw
    x = im.values
    _require_variation(im, x)
    present = ~np.isnan(x)
    shifted = binary.values
    codes = np.where(present, shifted, -1).astype(np.int64)
    k = im.n_items
    tables, margins = pair_counts(codes, 2)
    ii, jj = np.triu_indices(k, 1)
    tabs = tables[0]
    n_pairs = np.diag(margins[0].sum(axis=1))
    n_pairs[ii, jj] = n_pairs[jj, ii] = tabs.sum(axis=(1, 2))
    _require_overlap(im.names, n_pairs, 3)
    tau = -ndtri(np.nanmean(np.where(present, shifted, np.nan), axis=0))

    n_corrected = 0
    if correct > 0:
        empty = (tabs == 0) & (tabs.sum(axis=(1, 2)) > 1)[:, None, None]
        n_corrected = int(empty.any(axis=(1, 2)).sum())
        tabs = np.where(empty, correct, tabs)
    if n_corrected:
        warnings.warn(
            f"{n_corrected} pair table(s) had empty cells set to correct={correct} "
            "(continuity correction); examine the data",
            stacklevel=2,
        )
    r = fit_tables(tabs, tau[ii][:, None], tau[jj][:, None], tol=tol)
    rho = np.eye(k)
    rho[ii, jj] = r
    rho[jj, ii] = r
    rho, smoothed = _finish(rho, smooth, "tetrachoric")
    return PolychoricResult(
        rho=pd.DataFrame(rho, index=im.names, columns=im.names),
        thresholds=pd.DataFrame(tau[:, None], index=im.names, columns=["0|1"]),
        n_obs=im.n_obs,
        method="tetrachoric",
        global_thresholds=True,
        n_corrected=n_corrected,
        smoothed=smoothed,
        n_pairs=pd.DataFrame(n_pairs.astype(np.int64), index=im.names, columns=im.names),
    )


# --------------------------------------------------------------------------- ordinal alpha


def ordinal_alpha(
    items: pd.DataFrame | np.ndarray | PolychoricResult,
    *,
    reverse: Iterable[str] = (),
    correct: float = 0.5,
) -> float:
    """Ordinal alpha: standardized alpha of the polychoric correlation matrix.

    ``k / (k - 1) * (1 - k / 1'R1)`` with ``R`` the polychoric matrix (Zumbo, Gadermann
    and Zeisser, 2007), the same formula as psych's ``std.alpha``.

    Parameters
    ----------
    items
        Item responses, or a :class:`PolychoricResult` already computed.
    reverse
        Names of reverse-keyed items: their rows and columns of ``R`` change sign.
    correct
        Passed to :func:`polychoric`.

    Examples
    --------
    >>> r = pd.DataFrame(np.full((4, 4), 0.5) + np.eye(4) * 0.5)
    >>> res = PolychoricResult(r, pd.DataFrame(), 100, "polychoric", True, 0, False, r)
    >>> round(ordinal_alpha(res), 6)  # 4/3 * (1 - 4/10)
    0.8
    """
    if is_dask(items):
        return on_dask("ordinal_alpha", **locals())
    res = items if isinstance(items, PolychoricResult) else polychoric(items, correct=correct)
    r = res.rho.to_numpy(dtype=float).copy()
    names = [str(c) for c in res.rho.columns]
    flip = list(reverse)
    unknown = [name for name in flip if name not in names]
    if unknown:
        raise DataError(
            f"reverse names items that are not in the data: {unknown}; items are {names}"
        )
    sign = np.array([-1.0 if name in flip else 1.0 for name in names])
    r = r * sign[:, None] * sign[None, :]
    k = r.shape[0]
    return float(k / (k - 1) * (1.0 - k / r.sum()))
