"""Guttman's six lower bounds (λ1–λ6) and the Kuder–Richardson formulas 20 and 21.

:func:`guttman` computes Guttman's (1945) λ1 ... λ6 on the covariance matrix (the raw
scores) and on the correlation matrix (standardized items, as R psych's deprecated
``guttman()`` reports them). :func:`kr20` and :func:`kr21` are the classical
coefficients for binary items (0/1, any two values, or booleans).

Examples
--------
>>> import numpy as np
>>> import pandas as pd
>>> rng = np.random.default_rng(3)
>>> items = pd.DataFrame(rng.normal(size=(150, 1)) + rng.normal(size=(150, 6)))
>>> g = guttman(items)
>>> bool(g.lambda2 >= g.lambda3 >= g.lambda1)
True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from efficacy._dispatch import is_dask, on_dask
from efficacy.coefficients._binary import binary_items
from efficacy.coefficients._moments import NanPolicy, smc
from efficacy.coefficients.alpha_family._split_half import (
    apply_keys,
    checked_moments,
    make_splits,
    reverse_signs,
    split_coefficients,
)
from efficacy.errors import DataError, describe_cells
from efficacy.results import Result, Summary
from efficacy.results import format_value as _f

_LAMBDAS = ("lambda1", "lambda2", "lambda3", "lambda4", "lambda5", "lambda6")


def _lambdas(matrix: np.ndarray, splits: np.ndarray) -> dict[str, float]:
    """Guttman's λ1–λ6 of a covariance (or correlation) matrix; λ4 over ``splits``."""
    k = matrix.shape[0]
    total = matrix.sum()
    trace = np.trace(matrix)
    # off-diagonal squares summed directly: subtracting the diagonal from the full sum
    # loses every digit of tiny covariances next to large variances
    off_diagonal = matrix**2
    np.fill_diagonal(off_diagonal, 0.0)
    off_squares = off_diagonal.sum()
    column_off_squares = off_diagonal.sum(axis=0)
    lambda1 = 1.0 - trace / total
    return {
        "lambda1": lambda1,
        "lambda2": lambda1 + np.sqrt(off_squares * k / (k - 1)) / total,
        "lambda3": lambda1 * k / (k - 1),
        "lambda4": float(split_coefficients(matrix, splits).max()),
        "lambda5": lambda1 + 2.0 * np.sqrt(column_off_squares.max()) / total,
        "lambda6": (total - trace + smc(matrix, covar=True).sum()) / total,
    }


@dataclass(frozen=True, repr=False)
class GuttmanResult(Result):
    """Guttman's lower bounds λ1–λ6, raw (covariances) and standardized (correlations).

    Attributes
    ----------
    lambda1 ... lambda6
        On the covariance matrix C, with ``V = 1'C1``: λ1 = 1 − tr C/V;
        λ2 = λ1 + sqrt(k/(k−1)·Σ_{i≠j} c_ij²)/V; λ3 = k/(k−1)·λ1 (raw α);
        λ4 = the largest split-half coefficient ``4·C_AB/V`` (the Guttman split-half
        ``2(1 − (V_A + V_B)/V)``) over the splits scored; λ5 = λ1 +
        2·sqrt(max_j Σ_{i≠j} c_ij²)/V; λ6 = (V − tr C + Σ smc_j·c_jj)/V, the error
        variance of each item being its variance not explained by the other items.
    std_lambda1 ... std_lambda6
        The same on the correlation matrix (standardized α is ``std_lambda3``); these
        are what psych's ``guttman()`` reports.
    n_splits, exhaustive
        How many splits λ4 was maximised over, and whether they were all of them.
    """

    lambda1: float
    lambda2: float
    lambda3: float
    lambda4: float
    lambda5: float
    lambda6: float
    std_lambda1: float
    std_lambda2: float
    std_lambda3: float
    std_lambda4: float
    std_lambda5: float
    std_lambda6: float
    n_splits: int
    exhaustive: bool
    n_obs: int
    n_items: int

    def summary(self) -> Summary:
        """Guttman's six lambdas (raw and standardized) and the counts."""
        table = self.to_frame()
        how = "all splits" if self.exhaustive else "sampled splits"
        rows = (
            ("items", str(self.n_items)),
            ("respondents", str(self.n_obs)),
            ("splits for lambda 4", f"{self.n_splits} ({how})"),
        )
        return Summary("Guttman's lambdas", rows, (), table)

    def to_frame(self) -> pd.DataFrame:
        """λ1–λ6 as rows; columns ``raw`` (covariances) and ``standardized``."""
        return pd.DataFrame(
            {
                "raw": [getattr(self, name) for name in _LAMBDAS],
                "standardized": [getattr(self, "std_" + name) for name in _LAMBDAS],
            },
            index=pd.Index(list(_LAMBDAS), name="statistic"),
        )


def guttman(
    items: pd.DataFrame | np.ndarray,
    reverse: Iterable[str] | str = (),
    *,
    nan_policy: NanPolicy = "pairwise",
    max_splits: int = 15000,
    seed: int | np.random.Generator | None = None,
) -> GuttmanResult:
    """Guttman's six lower bounds to reliability, raw and standardized.

    Parameters
    ----------
    items
        Respondents × items (DataFrame or 2-D array); NaN marks a missing answer.
    reverse
        Names of reverse-keyed items (signs of their rows and columns flipped).
    nan_policy
        ``"pairwise"`` or ``"listwise"``. The raw λs use ``cov(x, use=...)``; the
        standardized ones use ``cor(x, use=...)`` exactly as psych's ``guttman()``
        does (under pairwise deletion this differs slightly from ``cov2cor`` of the
        covariances, which :func:`~efficacy.coefficients.alpha_family._split_half.split_half` uses).
    max_splits, seed
        λ4 is maximised over every split when there are at most ``max_splits``,
        otherwise over that many random splits (as in
        :func:`~efficacy.coefficients.alpha_family._split_half.split_half`): then it is a lower
        estimate of the true maximum.

    Returns
    -------
    GuttmanResult

    Notes
    -----
    Guttman, L. (1945). A basis for analyzing test-retest reliability.
    *Psychometrika*, 10, 255–282. psych's ``guttman()`` (deprecated in favour of
    ``splitHalf``) reports only the correlation-matrix versions; they match
    ``std_lambda1`` ... ``std_lambda6`` here (its λ4 is ``splitHalf``'s maximum, with
    psych's own split sampling above its limit). Always λ3 ≤ λ2, and λ1 ≤ λ3 when
    λ1 ≥ 0 (Guttman's ordering λ1 ≤ λ3 ≤ λ2).

    Odd numbers of items: psych 2.2.9's ``splitHalf`` walks only
    ``round(choose(k, k %/% 2))/2`` splits, which for an odd ``k`` leaves out some
    distinct splits; λ4 here is the maximum over every distinct split, so it can be
    higher than psych's (by up to about 0.03 on public data sets). For an even ``k``
    the two agree.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(5)
    >>> x = rng.normal(size=(80, 1)) + np.arange(1, 5) * rng.normal(size=(80, 4))
    >>> g = guttman(x)
    >>> bool(g.lambda2 >= g.lambda3), g.n_splits
    (True, 3)
    """
    if is_dask(items):
        return on_dask("guttman", **locals())
    names, cov, cor, n_obs = checked_moments(items, nan_policy, min_items=2)
    return guttman_from_moments(names, cov, cor, n_obs, reverse, max_splits=max_splits, seed=seed)


def guttman_from_moments(
    names: list[str],
    cov: np.ndarray,
    cor: np.ndarray,
    n_obs: int,
    reverse: Iterable[str] | str = (),
    *,
    max_splits: int = 15000,
    seed: int | np.random.Generator | None = None,
    stacklevel: int = 3,
) -> GuttmanResult:
    """The :class:`GuttmanResult` of checked covariance and correlation matrices.

    :func:`guttman` and its dask form both end here; ``stacklevel`` as in
    :func:`~efficacy.coefficients.alpha_family._split_half.split_half_from_moments`.
    """
    _, cov, cor = apply_keys(names, cov, cor, reverse, False, "guttman", stacklevel + 1)
    splits, exhaustive = make_splits(len(names), max_splits, seed)
    raw = _lambdas(cov, splits)
    std = _lambdas(cor, splits)
    return GuttmanResult(
        **{name: float(raw[name]) for name in _LAMBDAS},
        **{"std_" + name: float(std[name]) for name in _LAMBDAS},
        n_splits=len(splits),
        exhaustive=exhaustive,
        n_obs=n_obs,
        n_items=len(names),
    )


# --------------------------------------------------------------------------- KR-20/21
BinaryNanPolicy = Literal["raise", "listwise"]


def _listwise_counts(n_items: int, n_obs: int, n_dropped: int) -> tuple[tuple[str, str], ...]:
    """The summary rows of items, respondents and incomplete rows dropped listwise.

    Parameters
    ----------
    n_items, n_obs, n_dropped
        Items, rows used and incomplete rows dropped.

    Returns
    -------
    tuple of (str, str)
        ``(label, value)`` rows for :class:`~efficacy.results.Summary`.
    """
    return (
        ("items", str(n_items)),
        ("respondents", str(n_obs)),
        ("dropped", f"{n_dropped} incomplete rows (listwise)"),
    )


@dataclass(frozen=True, repr=False)
class KR20Result(Result):
    """Kuder–Richardson formula 20.

    Attributes
    ----------
    kr20
        ``k/(k−1)·(1 − Σ p_j q_j / σ²_X)``.
    p
        Proportion of 1s per item (item difficulty), indexed by item name.
    var_total
        σ²_X, the variance of the sum score with the N denominator (the one that
        goes with ``p q``).
    n_obs, n_items, n_dropped
        Rows used, items, and incomplete rows dropped (``nan_policy="listwise"``).
    positive
        Per item, the value that was counted as 1 (before ``reverse``).
    """

    kr20: float
    p: pd.Series = field(compare=False)
    var_total: float
    n_obs: int
    n_items: int
    n_dropped: int
    positive: pd.Series | None = field(default=None, repr=False)

    def summary(self) -> Summary:
        """KR-20, the counts and what was dropped."""
        rows = (
            ("KR-20", _f(self.kr20)),
            *_listwise_counts(self.n_items, self.n_obs, self.n_dropped),
        )
        return Summary("Kuder-Richardson 20", rows)

    def to_frame(self) -> pd.DataFrame:
        """Item difficulties ``p`` and ``q``, with the coefficient in ``attrs``."""
        frame = pd.DataFrame({"p": self.p, "q": 1.0 - self.p})
        frame.attrs["kr20"] = self.kr20
        return frame


@dataclass(frozen=True, repr=False)
class KR21Result(Result):
    """Kuder–Richardson formula 21.

    Attributes
    ----------
    kr21
        ``k/(k−1)·(1 − M(k − M)/(k·σ²_X))``.
    mean, var_total
        M, the mean sum score, and σ²_X, its variance with the N denominator.
    n_obs, n_items, n_dropped
        Rows used, items, and incomplete rows dropped (``nan_policy="listwise"``).
    positive
        Per item, the value that was counted as 1 (before ``reverse``).
    """

    kr21: float
    mean: float
    var_total: float
    n_obs: int
    n_items: int
    n_dropped: int
    positive: pd.Series | None = field(default=None, repr=False)

    def summary(self) -> Summary:
        """KR-21, the counts and what was dropped."""
        rows = (
            ("KR-21", _f(self.kr21)),
            *_listwise_counts(self.n_items, self.n_obs, self.n_dropped),
        )
        notes = ("KR-21 assumes items of equal difficulty; it is at most KR-20.",)
        return Summary("Kuder-Richardson 21", rows, notes)

    def to_frame(self) -> pd.DataFrame:
        """One row: kr21, mean, var_total, n_obs, n_items, n_dropped."""
        return pd.DataFrame(
            {
                "kr21": [self.kr21],
                "mean": [self.mean],
                "var_total": [self.var_total],
                "n_obs": [self.n_obs],
                "n_items": [self.n_items],
                "n_dropped": [self.n_dropped],
            }
        )


def _binary_matrix(
    items: pd.DataFrame | np.ndarray,
    reverse: Iterable[str] | str,
    nan_policy: BinaryNanPolicy,
    fn: str,
    positive: Any = None,
) -> tuple[np.ndarray, list[str], int, dict[str, float]]:
    """Validate binary items (naming offending cells), code them 0/1, reverse (1 − x),
    handle missing rows; also the value counted as 1 per item."""
    binary = binary_items(
        items,
        positive=positive,
        message=f"{fn} needs items scored 0/1 or with two values each "
        "(positive= says which counts as 1)",
    )
    im = binary.raw
    frame = pd.DataFrame(im.values, index=im.index, columns=im.names)
    x = binary.values
    if nan_policy not in ("raise", "listwise"):
        raise DataError(f"nan_policy must be 'raise' or 'listwise', got {nan_policy!r}")
    missing = np.isnan(x)
    n_dropped = 0
    if missing.any():
        if nan_policy == "raise":
            parts = [
                describe_cells(name, pd.Series(missing[:, j], index=im.index), frame[name])
                for j, name in enumerate(im.names)
                if missing[:, j].any()
            ]
            raise DataError(
                f"{fn} needs complete rows; missing answers in "
                + "; ".join(parts)
                + " (pass nan_policy='listwise' to drop those rows)"
            )
        keep = ~missing.any(axis=1)
        n_dropped = int((~keep).sum())
        x = x[keep]
    if x.shape[0] < 2:
        raise DataError(f"{fn} needs at least 2 complete rows, got {x.shape[0]}")
    signs = reverse_signs(im.names, reverse)
    x = np.where(signs < 0, 1.0 - x, x)
    return x, im.names, n_dropped, binary.positive


def _total_variance(var: float, fn: str) -> float:
    if not var > 0:
        raise DataError(f"{fn}: the sum score has zero variance; the coefficient is undefined")
    return var


def kr20(
    items: pd.DataFrame | np.ndarray,
    reverse: Iterable[str] | str = (),
    *,
    nan_policy: BinaryNanPolicy = "raise",
    positive: Any = None,
) -> KR20Result:
    """Kuder–Richardson formula 20 for binary items.

    ``KR-20 = k/(k−1)·(1 − Σ p_j q_j / σ²_X)``, with ``p_j`` the proportion of 1s on
    item j, ``q_j = 1 − p_j`` and σ²_X the variance of the sum score.

    ``p q`` is the variance of a 0/1 item with the N denominator, so σ²_X takes the N
    denominator too. (Equivalently both take N − 1: ``p q·N/(N−1)`` over the usual
    sample variance.) With matching denominators KR-20 equals Cronbach's α on the
    same 0/1 data exactly; mixing ``p q`` with an N − 1 total variance would not.

    Parameters
    ----------
    items
        Respondents × items, each item with two values: 0/1, any other two numbers
        (1/2, ...) or booleans; NaN for missing.
    reverse
        Names of reverse-keyed items, recoded ``1 − x`` after coding 0/1.
    nan_policy
        ``"raise"`` (default): missing answers are an error naming them.
        ``"listwise"``: incomplete rows are dropped and counted in ``n_dropped``.
    positive
        The value that counts as 1 (the others count as 0): one value for every item,
        or a mapping item -> value. Default: 1 for 0/1 items, otherwise the higher of
        each item's two values (``True`` for booleans). ``result.positive`` records it.

    Raises
    ------
    DataError
        An item with more than two values (naming column, rows and values), missing
        answers under ``"raise"``, a constant sum score.

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.DataFrame({"q1": [1, 1, 0, 1, 0], "q2": [1, 0, 0, 1, 0], "q3": [1, 1, 1, 0, 0]})
    >>> round(kr20(x).kr20, 6)  # 3/2 * (1 - (.24 + .24 + .24) / 1.04)
    0.461538
    """
    if is_dask(items):
        return on_dask("kr20", **locals())
    x, names, n_dropped, ones = _binary_matrix(items, reverse, nan_policy, "kr20", positive)
    total = x.sum(axis=1)
    return kr20_from_moments(
        names, x.mean(axis=0), float(total.var()), int(x.shape[0]), n_dropped, ones
    )


def kr20_from_moments(
    names: list[str],
    p: np.ndarray,
    var_total: float,
    n_obs: int,
    n_dropped: int,
    ones: dict[str, float],
) -> KR20Result:
    """:class:`KR20Result` from the items' proportions of 1s and the sum score's variance.

    ``var_total`` has the N denominator; ``ones`` is the value counted as 1 per item.
    :func:`kr20` and its dask form both end here.
    """
    k = len(names)
    var_total = _total_variance(var_total, "kr20")
    value = k / (k - 1) * (1.0 - float((p * (1.0 - p)).sum()) / var_total)
    return KR20Result(
        kr20=value,
        p=pd.Series(p, index=pd.Index(names, name="item"), name="p"),
        var_total=var_total,
        n_obs=n_obs,
        n_items=k,
        n_dropped=n_dropped,
        positive=pd.Series(ones, index=pd.Index(names, name="item"), name="positive"),
    )


def kr21(
    items: pd.DataFrame | np.ndarray,
    reverse: Iterable[str] | str = (),
    *,
    nan_policy: BinaryNanPolicy = "raise",
    positive: Any = None,
) -> KR21Result:
    """Kuder–Richardson formula 21 for binary items.

    ``KR-21 = k/(k−1)·(1 − M(k − M)/(k·σ²_X))``, with M the mean sum score and σ²_X
    its variance (N denominator, as in :func:`kr20`). It assumes equally difficult
    items: ``M(k − M)/k = k·p̄·q̄ ≥ Σ p_j q_j``, so KR-21 ≤ KR-20 on the same data,
    with equality when every item has the same p.

    Parameters
    ----------
    items, reverse, nan_policy, positive
        As for :func:`kr20`.

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.DataFrame({"q1": [1, 1, 0, 1, 0], "q2": [1, 0, 0, 1, 0], "q3": [1, 1, 1, 0, 0]})
    >>> round(kr21(x).kr21, 6)  # M = 1.6: 3/2 * (1 - 1.6 * 1.4 / (3 * 1.04))
    0.423077
    """
    if is_dask(items):
        return on_dask("kr21", **locals())
    x, names, n_dropped, ones = _binary_matrix(items, reverse, nan_policy, "kr21", positive)
    total = x.sum(axis=1)
    return kr21_from_moments(
        names, float(total.mean()), float(total.var()), int(x.shape[0]), n_dropped, ones
    )


def kr21_from_moments(
    names: list[str],
    mean: float,
    var_total: float,
    n_obs: int,
    n_dropped: int,
    ones: dict[str, float],
) -> KR21Result:
    """:class:`KR21Result` from the sum score's mean and variance (N denominator).

    :func:`kr21` and its dask form both end here.
    """
    k = len(names)
    var_total = _total_variance(var_total, "kr21")
    value = k / (k - 1) * (1.0 - mean * (k - mean) / (k * var_total))
    return KR21Result(
        kr21=value,
        mean=mean,
        var_total=var_total,
        n_obs=n_obs,
        n_items=k,
        n_dropped=n_dropped,
        positive=pd.Series(ones, index=pd.Index(names, name="item"), name="positive"),
    )
