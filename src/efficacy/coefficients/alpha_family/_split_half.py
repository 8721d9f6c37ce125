"""Split-half reliability: every split of the items into two halves, at once.

:func:`split_half` follows R psych's ``splitHalf()``: for each split of the k items
into a half A of ``k // 2`` items and a half B of the rest, the split-half coefficient
is Flanagan's (Guttman's) ``r_AB = 4·R_AB / 1'R1``, with ``R`` the correlation matrix
and ``R_AB`` the sum of its between-half block. The largest is Guttman's λ4, the
smallest Revelle's β. All splits are scored in one matrix product: with ``S`` the
(splits × k) 0/1 membership matrix of half A, ``R_AB = rowsum((S R) ∘ (1 − S))``.

When there are at most ``max_splits`` distinct splits, every one is scored once.
psych 2.2.9 walks ``round(choose(k, k %/% 2))/2`` splits: for an even k that is
exactly every distinct split (those with the first item in half A, in the same
lexicographic order as here), for an odd k it skips some. Here every distinct split
is enumerated for odd k too, so results equal psych's for even k. Above
``max_splits``, that many distinct splits are drawn at random (seeded), without
replacement, where psych draws with replacement.

Examples
--------
>>> import numpy as np
>>> import pandas as pd
>>> rng = np.random.default_rng(1)
>>> trait = rng.normal(size=(200, 1))
>>> items = pd.DataFrame(trait + rng.normal(size=(200, 6)), columns=list("abcdef"))
>>> res = split_half(items)
>>> res.n_splits, res.exhaustive
(10, True)
>>> bool(res.max >= res.mean >= res.min)
True
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from efficacy._dispatch import is_dask, on_dask
from efficacy.coefficients._moments import NanPolicy, cov2cor, item_matrix, moments, smc
from efficacy.errors import DataError
from efficacy.results import Result, Summary
from efficacy.results import format_value as _f

#: Above this many combinations, random splits are drawn by random permutations
#: (duplicates then being vanishingly unlikely) rather than by unranking int64 ranks.
_MAX_RANK = 2**62


# --------------------------------------------------------------------------- helpers
def reverse_signs(names: list[str], reverse: Iterable[str] | str) -> np.ndarray:
    """Return a ±1 vector: −1 for the items named in ``reverse``.

    Raises
    ------
    DataError
        When ``reverse`` names items that are not in ``names``.

    Examples
    --------
    >>> reverse_signs(["a", "b", "c"], ["b"]).tolist()
    [1.0, -1.0, 1.0]
    """
    wanted = [reverse] if isinstance(reverse, str) else [str(r) for r in reverse]
    unknown = [r for r in wanted if r not in names]
    if unknown:
        raise DataError(
            f"reverse names items that are not in the data: {unknown}; items are {names}"
        )
    signs = np.ones(len(names))
    signs[[names.index(r) for r in wanted]] = -1.0
    return signs


def flip(matrix: np.ndarray, signs: np.ndarray) -> np.ndarray:
    """``D M D`` with ``D = diag(signs)``: reverse keying on a covariance/correlation matrix."""
    return matrix * signs[:, None] * signs[None, :]


def checked_moments(
    items: pd.DataFrame | np.ndarray, nan_policy: NanPolicy, min_items: int = 2
) -> tuple[list[str], np.ndarray, np.ndarray, int]:
    """Validate items; return names, covariance, pairwise correlation and N.

    Raises
    ------
    DataError
        Zero-variance items (named) or correlations that cannot be computed.
    """
    im = item_matrix(items, min_items=min_items)
    m = moments(im.values, nan_policy=nan_policy)
    check_moments(im.names, m.cov, m.cor)
    return im.names, m.cov, m.cor, im.n_obs


def check_moments(names: list[str], cov: np.ndarray, cor: np.ndarray) -> None:
    """Raise :class:`DataError` for zero-variance items or undefined correlations."""
    variances = np.diag(cov)
    flat = [names[j] for j in np.flatnonzero(~(variances > 0))]
    if flat:
        raise DataError(f"items with zero variance cannot enter a reliability estimate: {flat}")
    if not np.isfinite(cor).all():
        i, j = np.argwhere(~np.isfinite(cor))[0]
        raise DataError(
            f"the correlation of items {names[i]!r} and {names[j]!r} is undefined "
            "(one of them is constant on the rows they share)"
        )


def first_pc_signs(r: np.ndarray) -> np.ndarray:
    """Signs of the first principal component's loadings, oriented to a positive sum."""
    _, vectors = np.linalg.eigh(r)
    v = vectors[:, -1]
    if v.sum() < 0:
        v = -v
    return np.where(v < 0, -1.0, 1.0)


def apply_keys(
    names: list[str],
    cov: np.ndarray,
    cor: np.ndarray,
    reverse: Iterable[str] | str,
    check_keys: bool,
    fn: str,
    stacklevel: int = 3,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reverse the named items, then (``check_keys``) the first-PC-negative ones.

    Warns when, after reversal, some items still load negatively on the first
    principal component (likely mis-keyed); ``stacklevel`` as for ``warnings.warn``.
    """
    signs = reverse_signs(names, reverse)
    cov, cor = flip(cov, signs), flip(cor, signs)
    pc = first_pc_signs(cov2cor(cov))
    negative = [names[j] for j in np.flatnonzero(pc < 0)]
    if negative and check_keys:
        warnings.warn(
            f"{fn}: items {negative} load negatively on the first principal component "
            "and were reversed (check_keys=True)",
            stacklevel=stacklevel,
        )
        signs = signs * pc
        cov, cor = flip(cov, pc), flip(cor, pc)
    elif negative:
        warnings.warn(
            f"{fn}: items {negative} load negatively on the first principal component; "
            "they may be mis-keyed (pass reverse= or check_keys=True)",
            stacklevel=stacklevel,
        )
    return signs, cov, cor


# --------------------------------------------------------------------------- splits
def n_distinct_splits(k: int) -> int:
    """Number of distinct splits of k items into halves of sizes ``k // 2`` and ``k - k // 2``.

    Examples
    --------
    >>> n_distinct_splits(16), n_distinct_splits(5), n_distinct_splits(25)
    (6435, 10, 5200300)
    """
    m = k // 2
    return math.comb(k, m) // 2 if k % 2 == 0 else math.comb(k, m)


def _all_splits(k: int) -> np.ndarray:
    """Membership matrix of half A for every distinct split, psych's order for even k.

    Combinations come in lexicographic order: the lexicographic rank r of a combination
    of m out of n is ``C(n, m) − 1 −`` the colex rank of its mirror image (c → n − 1 − c).
    """
    m = k // 2
    first = 1 if k % 2 == 0 else 0  # even k: the first item always in half A
    n, size = k - first, m - first
    count = math.comb(n, size)
    members = _unrank(count - 1 - np.arange(count), n, size)[:, ::-1]
    if first:
        return np.column_stack([np.ones(count), members])
    return np.ascontiguousarray(members)


def _unrank(ranks: np.ndarray, n: int, m: int) -> np.ndarray:
    """Membership matrix (len(ranks) x n) of the m-combinations with these ranks in the
    combinatorial number system (rank = sum of C(c_i, i) over chosen c_m > ... > c_1)."""
    table = np.array([[math.comb(c, i) for i in range(m + 1)] for c in range(n)], dtype=np.int64)
    members = np.zeros((n, len(ranks)))
    remaining = ranks.astype(np.int64)
    need = np.full(len(ranks), m)
    for c in range(n - 1, -1, -1):  # loop over items, vectorised over splits
        threshold = table[c][need]
        take = (remaining >= threshold) & (need > 0)
        members[c] = take
        remaining = remaining - threshold * take
        need = need - take
    return members.T


def _random_splits(k: int, n_splits: int, rng: np.random.Generator) -> np.ndarray:
    """``n_splits`` distinct random splits (membership of half A)."""
    m = k // 2
    total = n_distinct_splits(k)
    if total > _MAX_RANK:
        s = np.zeros((n_splits, k))
        members = rng.random((n_splits, k)).argsort(axis=1)[:, :m]
        np.put_along_axis(s, members, 1.0, axis=1)
        return s
    ranks = rng.choice(total, size=n_splits, replace=False)
    if k % 2 == 0:  # the first item in half A, m - 1 of the other k - 1 items
        return np.column_stack([np.ones(n_splits), _unrank(ranks, k - 1, m - 1)])
    return _unrank(ranks, k, m)


def split_coefficients(matrix: np.ndarray, splits: np.ndarray) -> np.ndarray:
    """``4·M_AB / 1'M1`` for every row of the membership matrix ``splits``.

    Examples
    --------
    >>> r = np.full((4, 4), 0.5) + 0.5 * np.eye(4)
    >>> split_coefficients(r, np.array([[1.0, 1, 0, 0]])).round(4).tolist()
    [0.8]
    """
    product = splits @ matrix
    between = splits @ matrix.sum(axis=1) - (product * splits).sum(axis=1)  # s'M1 - s'Ms
    return 4.0 * between / matrix.sum()


def make_splits(
    k: int, max_splits: int, seed: int | np.random.Generator | None
) -> tuple[np.ndarray, bool]:
    """Membership matrix of half A for all splits (if few enough) or random ones."""
    if max_splits < 1:
        raise DataError(f"max_splits must be at least 1, got {max_splits}")
    total = n_distinct_splits(k)
    if total <= max_splits:
        return _all_splits(k), True
    return _random_splits(k, max_splits, np.random.default_rng(seed)), False


# --------------------------------------------------------------------------- result
@dataclass(frozen=True, repr=False)
class SplitHalfResult(Result):
    """Split-half coefficients over all (or many random) splits, and the odd-even split.

    Attributes
    ----------
    max, min, mean, median
        Largest (Guttman's λ4), smallest (Revelle's β), mean and median of the
        split-half coefficients ``4·R_AB/1'R1``.
    alpha, lambda2, lambda6
        Standardized α, Guttman's λ2 and λ6 (with SMCs), all from the correlation matrix
        as in psych's ``splitHalf``.
    average_r, median_r
        Mean and median inter-item correlation.
    n_splits, exhaustive
        How many splits were scored; ``True`` when they are every distinct split.
    best_split, worst_split
        Item names in half A of the splits giving ``max`` and ``min``.
    ci
        2.5%, 50% and 97.5% quantiles of the split coefficients (R type 7).
    odd_even_r, spearman_brown, flanagan_rulon
        Odd-even split (items 1, 3, 5, ... against 2, 4, 6, ... in column order): the
        correlation of the two half sums, its Spearman–Brown step-up ``2r/(1+r)``, and
        the Flanagan–Rulon (Guttman) coefficient ``2·(1 − (var_odd + var_even)/var_total)``
        on the raw half sums. They come from the covariance matrix: for complete data
        exactly the statistics of the half sums, under pairwise deletion their
        pairwise-covariance estimates.
    values
        Every split coefficient, in enumeration order.
    """

    max: float
    min: float
    mean: float
    median: float
    alpha: float
    lambda2: float
    lambda6: float
    average_r: float
    median_r: float
    n_splits: int
    exhaustive: bool
    best_split: tuple[str, ...]
    worst_split: tuple[str, ...]
    ci: tuple[float, float, float]
    odd_even_r: float
    spearman_brown: float
    flanagan_rulon: float
    n_obs: int
    n_items: int
    values: np.ndarray = field(compare=False)

    def summary(self) -> Summary:
        """The split-half coefficients, how many splits were made, and the counts."""
        how = "all splits" if self.exhaustive else "sampled splits"
        rows = (
            ("maximum (lambda 4)", _f(self.max)),
            ("minimum (beta)", _f(self.min)),
            ("mean", _f(self.mean)),
            ("alpha", _f(self.alpha)),
            ("odd-even Spearman-Brown", _f(self.spearman_brown)),
            ("splits", f"{self.n_splits} ({how})"),
            ("items", str(self.n_items)),
            ("respondents", str(self.n_obs)),
        )
        notes = ("The interval is the 2.5%, 50% and 97.5% quantiles of the split values.",)
        return Summary("Split-half reliability", rows, notes)

    def to_frame(self) -> pd.DataFrame:
        """One row per statistic (``value``), the CI quantiles as their own rows."""
        rows = {
            "max": self.max,
            "min": self.min,
            "mean": self.mean,
            "median": self.median,
            "alpha": self.alpha,
            "lambda2": self.lambda2,
            "lambda6": self.lambda6,
            "average_r": self.average_r,
            "median_r": self.median_r,
            "ci_2.5%": self.ci[0],
            "ci_50%": self.ci[1],
            "ci_97.5%": self.ci[2],
            "odd_even_r": self.odd_even_r,
            "spearman_brown": self.spearman_brown,
            "flanagan_rulon": self.flanagan_rulon,
            "n_splits": float(self.n_splits),
        }
        return pd.DataFrame({"value": rows}).rename_axis("statistic")


def _standard_coefficients(r: np.ndarray) -> dict[str, float]:
    """psych ``splitHalf``'s alpha, λ2, λ6, average and median r from a correlation matrix."""
    k = r.shape[0]
    total = r.sum()
    off = total - np.trace(r)
    sumsq_off = (r**2).sum() - (np.diag(r) ** 2).sum()
    lower = r[np.tril_indices(k, -1)]
    return {
        "alpha": off / total * k / (k - 1),
        "lambda2": (off + np.sqrt(sumsq_off * k / (k - 1))) / total,
        "lambda6": (off + smc(r).sum()) / total,
        "average_r": float(lower.mean()),
        "median_r": float(np.median(lower)),
    }


def split_half(
    items: pd.DataFrame | np.ndarray,
    reverse: Iterable[str] | str = (),
    *,
    nan_policy: NanPolicy = "pairwise",
    max_splits: int = 15000,
    seed: int | np.random.Generator | None = None,
    check_keys: bool = False,
) -> SplitHalfResult:
    """Split-half reliability over all splits of the items (R psych ``splitHalf``).

    Parameters
    ----------
    items
        Respondents × items (DataFrame or 2-D array); NaN marks a missing answer.
    reverse
        Names of reverse-keyed items. Split-half coefficients depend only on the
        covariances, so reversal flips the signs of the item's row and column of the
        covariance and correlation matrices (whatever the response range).
    nan_policy
        ``"pairwise"`` (psych's default) or ``"listwise"``. The correlation matrix is
        ``cov2cor`` of the covariance matrix, as in psych.
    max_splits
        Score every distinct split when there are at most this many (psych 2.5 uses
        15000, psych 2.2.9 10000); otherwise score this many distinct random splits.
    seed
        Seed or Generator for the random splits: pass one for reproducible results.
    check_keys
        Reverse items that load negatively on the first principal component (psych's
        ``check.keys=TRUE``, its default), with a warning. Without it, such items
        only trigger a warning.

    Returns
    -------
    SplitHalfResult

    Raises
    ------
    DataError
        Non-numeric cells, unknown ``reverse`` names, zero-variance items, fewer than
        2 items.

    Notes
    -----
    A split A|B of k items puts ``k // 2`` items in A. Its coefficient
    ``4·R_AB/1'R1`` equals ``2·(1 − (V_A + V_B)/V)`` on standardized items, Flanagan's
    and Guttman's split-half formula. For an even k all ``choose(k, k/2)/2`` splits
    (the first item in half A) are scored, in psych's order; for an odd k all
    ``choose(k, k // 2)`` splits, where psych 2.2.9 scores only half of them.

    Examples
    --------
    >>> import numpy as np
    >>> r = np.random.default_rng(0)
    >>> x = r.normal(size=(100, 1)) + r.normal(size=(100, 4))
    >>> res = split_half(x)
    >>> res.n_splits, res.best_split in {("item1", "item2"), ("item1", "item3"),
    ...                                 ("item1", "item4")}
    (3, True)
    """
    if is_dask(items):
        return on_dask("split_half", **locals())
    names, cov, _, n_obs = checked_moments(items, nan_policy)
    return split_half_from_moments(
        names, cov, n_obs, reverse, max_splits=max_splits, seed=seed, check_keys=check_keys
    )


def split_half_from_moments(
    names: list[str],
    cov: np.ndarray,
    n_obs: int,
    reverse: Iterable[str] | str = (),
    *,
    max_splits: int = 15000,
    seed: int | np.random.Generator | None = None,
    check_keys: bool = False,
    stacklevel: int = 3,
) -> SplitHalfResult:
    """The :class:`SplitHalfResult` of a checked covariance matrix (:func:`check_moments`).

    :func:`split_half` and its dask form both end here; ``stacklevel`` (as for
    a ``warnings.warn`` called in this function) points the keying
    warnings at the user's call.
    """
    k = len(names)
    _, cov, _ = apply_keys(
        names, cov, cov2cor(cov), reverse, check_keys, "split_half", stacklevel + 1
    )
    r = cov2cor(cov)

    splits, exhaustive = make_splits(k, max_splits, seed)
    values = split_coefficients(r, splits)
    best, worst = int(np.argmax(values)), int(np.argmin(values))

    odd = np.zeros(k)
    odd[0::2] = 1.0
    even = 1.0 - odd
    var_odd, var_even = odd @ cov @ odd, even @ cov @ even
    cov_oe = odd @ cov @ even
    r_oe = cov_oe / np.sqrt(var_odd * var_even)

    quantiles = np.quantile(values, [0.025, 0.5, 0.975])
    std = _standard_coefficients(r)
    return SplitHalfResult(
        max=float(values[best]),
        min=float(values[worst]),
        mean=float(values.mean()),
        median=float(quantiles[1]),
        alpha=float(std["alpha"]),
        lambda2=float(std["lambda2"]),
        lambda6=float(std["lambda6"]),
        average_r=std["average_r"],
        median_r=std["median_r"],
        n_splits=len(values),
        exhaustive=exhaustive,
        best_split=tuple(names[j] for j in np.flatnonzero(splits[best])),
        worst_split=tuple(names[j] for j in np.flatnonzero(splits[worst])),
        ci=(float(quantiles[0]), float(quantiles[1]), float(quantiles[2])),
        odd_even_r=float(r_oe),
        spearman_brown=float(2 * r_oe / (1 + r_oe)),
        flanagan_rulon=float(2 * (1 - (var_odd + var_even) / cov.sum())),
        n_obs=n_obs,
        n_items=k,
        values=values,
    )
