"""Significance tests for the difference between coefficient alphas (Feldt's tests).

:func:`compare_alphas` tests whether two or more alphas are equal, for independent
samples or for several tests taken by the same people, with the methods the R
package cocron implements (Diedenhofen & Musch, 2016):

- two independent alphas: Feldt (1969), ``W = (1 − α2)/(1 − α1) ~ F(n1 − 1, n2 − 1)``;
- two alphas from one sample: Feldt (1980), ``t = (α1 − α2)·sqrt(n − 2) /
  sqrt(4(1 − α1)(1 − α2)(1 − r²)) ~ t(n − 2)``, r the correlation of the total scores;
- m independent alphas: Hakstian & Whalen (1976), in the form of Feldt, Woodruff &
  Salih (1987), a χ²(m − 1) test on the cube-root transform ``(1 − α)^(−1/3)``;
- m alphas from one sample: Woodruff & Feldt (1986), the same χ² with the
  covariances of the transformed alphas taken into account.

References
----------
Charter, R. A., & Feldt, L. S. (1996). Testing the equality of two alpha
coefficients. *Perceptual and Motor Skills*, 82, 763–768.

Diedenhofen, B., & Musch, J. (2016). cocron: A web interface and R package for the
statistical comparison of Cronbach's alpha coefficients. *International Journal of
Internet Science*, 11(1), 51–60.

Feldt, L. S. (1969). A test of the hypothesis that Cronbach's alpha or Kuder-Richardson
coefficient twenty is the same for two tests. *Psychometrika*, 34, 363–373.

Feldt, L. S. (1980). A test of the hypothesis that Cronbach's alpha reliability
coefficient is the same for two tests administered to the same sample.
*Psychometrika*, 45, 99–105.

Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for
coefficient alpha. *Applied Psychological Measurement*, 11(1), 93–103.

Hakstian, A. R., & Whalen, T. E. (1976). A k-sample significance test for independent
alpha coefficients. *Psychometrika*, 41, 219–231.

Woodruff, D. J., & Feldt, L. S. (1986). Tests for equality of several alpha
coefficients when their sample estimates are dependent. *Psychometrika*, 51, 393–413.

Examples
--------
>>> res = compare_alphas([0.78, 0.71], n=[41, 151])  # Charter & Feldt (1996)
>>> round(res.statistic, 3), res.df
(1.318, (40.0, 150.0))
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from efficacy.errors import DataError
from efficacy.results import Result, Summary
from efficacy.results import format_value as _f

Alternative = Literal["two-sided", "greater", "less"]
Method = Literal["auto", "feldt", "chi-square"]


@dataclass(frozen=True, repr=False)
class CompareAlphasResult(Result):
    """Result of a test of equal coefficient alphas.

    Attributes
    ----------
    statistic
        W (F distribution), t, or χ², as named by ``distribution``.
    df
        Degrees of freedom: ``(df1, df2)`` for F, ``(df,)`` for t and χ².
    p_value
        p-value under ``alternative`` (the χ² tests are always upper-tailed).
    distribution
        ``"F"``, ``"t"`` or ``"chi2"``.
    method
        The test and its source.
    alternative
        ``"two-sided"``, ``"greater"`` (α1 > α2) or ``"less"``.
    alphas, n, n_items
        The inputs (``n_items`` empty when the test did not need them).
    dependent
        Whether the alphas come from one sample.
    """

    statistic: float
    df: tuple[float, ...]
    p_value: float
    distribution: str
    method: str
    alternative: str
    alphas: tuple[float, ...]
    n: tuple[float, ...]
    n_items: tuple[float, ...]
    dependent: bool

    def summary(self) -> Summary:
        """The test, its statistic and p value, and the alphas with their n."""
        df = ", ".join(_f(d) for d in self.df)
        rows = (
            (
                "method",
                f"{self.method} ({'dependent' if self.dependent else 'independent'} samples)",
            ),
            ("statistic", f"{_f(self.statistic)} ({self.distribution}, df {df})"),
            ("p", f"{_f(self.p_value)} ({self.alternative})"),
            ("alphas", ", ".join(_f(a) for a in self.alphas)),
            ("n", ", ".join(_f(n) for n in self.n)),
            ("items", ", ".join(_f(k) for k in self.n_items)),
        )
        return Summary("Comparison of alphas", rows)

    def to_frame(self) -> pd.DataFrame:
        """One row: method, distribution, statistic, df, p_value, alternative."""
        return pd.DataFrame(
            {
                "method": [self.method],
                "distribution": [self.distribution],
                "statistic": [self.statistic],
                "df": [self.df],
                "p_value": [self.p_value],
                "alternative": [self.alternative],
            }
        )


def _vector(values: float | Sequence[float], m: int, what: str) -> np.ndarray:
    array = np.atleast_1d(np.asarray(values, dtype=float))
    if array.ndim != 1 or len(array) not in (1, m):
        raise DataError(f"{what} must be one number or one per alpha ({m}), got {values!r}")
    if not np.isfinite(array).all():
        raise DataError(f"{what} must be finite, got {values!r}")
    return np.broadcast_to(array, (m,)).astype(float)


def _p_value(dist: stats.rv_continuous, statistic: float, alternative: str) -> float:
    upper = float(dist.sf(statistic))
    lower = float(dist.cdf(statistic))
    if alternative == "greater":
        return upper
    if alternative == "less":
        return lower
    return min(1.0, 2.0 * min(upper, lower))


def _correlations(r: float | np.ndarray | Sequence[Sequence[float]], m: int) -> np.ndarray:
    """The m × m matrix of total-score correlations from a scalar (m = 2) or a matrix.

    The upper triangle is read; a lower triangle is allowed to be NaN (cocron's
    layout) or the mirror of the upper one.
    """
    array = np.asarray(r, dtype=float)
    if array.ndim == 0:
        if m != 2:
            raise DataError(f"r must be a {m} x {m} matrix for {m} dependent alphas")
        array = np.array([[1.0, float(array)], [float(array), 1.0]])
    if array.shape != (m, m):
        raise DataError(
            f"r must be a {m} x {m} matrix of total-score correlations, got {array.shape}"
        )
    upper = np.triu_indices(m, 1)
    values = array[upper]
    if not (np.isfinite(values) & (np.abs(values) <= 1)).all():
        raise DataError(f"correlations in r must lie in [-1, 1], got {values.tolist()}")
    lower = array.T[upper]
    clash = ~np.isnan(lower) & ~np.isclose(lower, values, rtol=0, atol=1e-12)
    if clash.any():
        i, j = upper[0][clash][0], upper[1][clash][0]
        raise DataError(
            f"r is not symmetric: r[{i}, {j}] = {array[i, j]}, r[{j}, {i}] = {array[j, i]}"
        )
    full = np.eye(m)
    full[upper] = values
    full.T[upper] = values
    return full


def compare_alphas(
    alphas: Sequence[float],
    n: float | Sequence[float],
    n_items: float | Sequence[float] | None = None,
    r: float | np.ndarray | Sequence[Sequence[float]] | None = None,
    dependent: bool = False,
    *,
    alternative: Alternative = "two-sided",
    method: Method = "auto",
) -> CompareAlphasResult:
    """Test whether coefficient alphas are equal (Feldt's tests, as in cocron).

    Parameters
    ----------
    alphas
        Two or more alphas, each in [0, 1).
    n
        Sample size of each alpha (one number for all). For dependent alphas the
        one sample's size; unequal sizes are averaged with a warning, as cocron does.
    n_items
        Number of items of each test (one number for all); needed by the χ² tests.
    r
        Dependent alphas only: the correlation between the two total scores (a
        number), or for m alphas the m × m matrix of total-score correlations.
    dependent
        ``True`` when the alphas come from the same people (tests taken by one sample).
    alternative
        Two alphas with Feldt's tests: ``"two-sided"``, ``"greater"`` (H1: α1 > α2)
        or ``"less"``. The χ² tests are omnibus (upper tail) and accept only
        ``"two-sided"``.
    method
        ``"auto"``: Feldt's F or t test for two alphas, the χ² test for more.
        ``"feldt"`` or ``"chi-square"`` to choose (the χ² test works for two alphas too).

    Returns
    -------
    CompareAlphasResult

    Notes
    -----
    Feldt (1969), independent samples: ``W = (1 − α2)/(1 − α1)`` follows approximately
    ``F(n1 − 1, n2 − 1)`` when the alphas are equal; W > 1 means α1 > α2.

    Feldt (1980), one sample: ``t = (α1 − α2)·sqrt(n − 2) / sqrt(4(1 − α1)(1 − α2)(1 − r²))``
    with ``n − 2`` degrees of freedom.

    χ² tests (Feldt, Woodruff & Salih, 1987): with ``u_i = (1 − α_i)^(−1/3)``, ``ū``
    their mean and ``ñ_i = (J_i − 1)·n_i/(J_i + 1)`` (J_i items),
    ``var(u_i) = 2/(9(ñ_i − 1)(1 − α_i)^(2/3))``. Independent samples (Hakstian &
    Whalen, 1976): ``χ² = Σ(u_i − ū)²/mean(var)``. One sample (Woodruff & Feldt, 1986):
    ñ uses the mean n and the harmonic mean of the J_i, ``cov(u_i, u_j) =
    2 r_ij²/(9(ñ − 1)(1 − α_i)^(1/3)(1 − α_j)^(1/3))`` and
    ``χ² = Σ(u_i − ū)²/(mean(var) − mean(cov))``. Both have m − 1 degrees of freedom.

    Raises
    ------
    DataError
        Alphas outside [0, 1), sizes ≤ 2, missing ``n_items`` or ``r``, bad ``r``.

    Examples
    --------
    Two alphas from one sample of 27 whose total scores correlate .74 (Charter &
    Feldt, 1996):

    >>> res = compare_alphas([0.82, 0.89], n=27, r=0.74, dependent=True)
    >>> round(abs(res.statistic), 3), res.df, res.distribution
    (1.849, (25.0,), 't')
    """
    a = np.asarray(alphas, dtype=float)
    if a.ndim != 1 or len(a) < 2:
        raise DataError(f"alphas must be two or more numbers, got {alphas!r}")
    m = len(a)
    bad = ~((a >= 0) & (a < 1))
    if bad.any():
        raise DataError(
            f"alphas must lie in [0, 1); got {a[bad].tolist()} at positions "
            f"{np.flatnonzero(bad).tolist()}"
        )
    sizes = _vector(n, m, "n")
    if (sizes <= 2).any():
        raise DataError(f"each n must exceed 2, got {sizes.tolist()}")
    if alternative not in ("two-sided", "greater", "less"):
        raise DataError(
            f"alternative must be 'two-sided', 'greater' or 'less', got {alternative!r}"
        )
    if method not in ("auto", "feldt", "chi-square"):
        raise DataError(f"method must be 'auto', 'feldt' or 'chi-square', got {method!r}")
    if method == "auto":
        method = "feldt" if m == 2 else "chi-square"
    if method == "feldt" and m != 2:
        raise DataError(
            f"Feldt's F and t tests compare two alphas, got {m}; use method='chi-square'"
        )
    if method == "chi-square" and alternative != "two-sided":
        raise DataError("the chi-square tests are omnibus: use alternative='two-sided'")

    correlations = None
    if dependent:
        if r is None:
            raise DataError("dependent alphas need r, the correlation(s) between the total scores")
        correlations = _correlations(r, m)
        if not np.all(sizes == sizes[0]):
            warnings.warn(
                f"dependent alphas come from one sample, but n differs ({sizes.tolist()}); "
                "using the mean n",
                stacklevel=2,
            )
    items: tuple[float, ...] = ()
    if method == "chi-square":
        if n_items is None:
            raise DataError("the chi-square tests need n_items, the number of items of each test")
        j = _vector(n_items, m, "n_items")
        if (j < 2).any():
            raise DataError(f"each test needs at least 2 items, got {j.tolist()}")
        items = tuple(j.tolist())
        statistic, df, name = _chi_square(a, sizes, j, correlations)
        p_value = float(stats.chi2.sf(statistic, df))
        return CompareAlphasResult(
            statistic=statistic,
            df=(float(df),),
            p_value=p_value,
            distribution="chi2",
            method=name,
            alternative="two-sided",
            alphas=tuple(a.tolist()),
            n=tuple(sizes.tolist()),
            n_items=items,
            dependent=dependent,
        )

    if correlations is None:
        statistic = float((1.0 - a[1]) / (1.0 - a[0]))
        dfs = (float(sizes[0] - 1), float(sizes[1] - 1))
        p_value = _p_value(stats.f(*dfs), statistic, alternative)
        distribution, name = "F", "Feldt (1969) test of two independent alphas"
    else:
        size = float(sizes.mean())
        rho = correlations[0, 1]
        statistic = float(
            (a[0] - a[1]) * np.sqrt(size - 2) / np.sqrt(4 * (1 - a[0]) * (1 - a[1]) * (1 - rho**2))
        )
        dfs = (size - 2,)
        p_value = _p_value(stats.t(dfs[0]), statistic, alternative)
        distribution, name = "t", "Feldt (1980) test of two dependent alphas"
    return CompareAlphasResult(
        statistic=statistic,
        df=dfs,
        p_value=p_value,
        distribution=distribution,
        method=name,
        alternative=alternative,
        alphas=tuple(a.tolist()),
        n=tuple(sizes.tolist()),
        n_items=items,
        dependent=dependent,
    )


def _chi_square(
    a: np.ndarray, n: np.ndarray, j: np.ndarray, r: np.ndarray | None
) -> tuple[float, int, str]:
    """The Hakstian–Whalen (independent) or Woodruff–Feldt (dependent) χ² statistic."""
    m = len(a)
    u = (1.0 - a) ** (-1.0 / 3.0)
    spread = float(((u - u.mean()) ** 2).sum())
    if r is None:
        n_tilde = (j - 1.0) * n / (j + 1.0)
        variance = 2.0 / (9.0 * (n_tilde - 1.0) * (1.0 - a) ** (2.0 / 3.0))
        return (
            spread / float(variance.mean()),
            m - 1,
            ("Hakstian & Whalen (1976) chi-square test of independent alphas"),
        )
    n_mean = float(n.mean())
    j_harmonic = 1.0 / float((1.0 / j).mean())
    n_tilde = (j_harmonic - 1.0) * n_mean / (j_harmonic + 1.0)
    variance = 2.0 / (9.0 * (n_tilde - 1.0) * (1.0 - a) ** (2.0 / 3.0))
    cube = (1.0 - a) ** (1.0 / 3.0)
    covariance = 2.0 * r**2 / (9.0 * (n_tilde - 1.0) * np.outer(cube, cube))
    mean_covariance = float(covariance[np.triu_indices(m, 1)].mean())
    return (
        spread / (float(variance.mean()) - mean_covariance),
        m - 1,
        ("Woodruff & Feldt (1986) chi-square test of dependent alphas"),
    )
