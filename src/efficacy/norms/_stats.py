"""The arithmetic behind norms: standard scores, percentile lookup, effect sizes.

Standard scores follow the usual definitions (e.g. Urbina, 2014, ch. 3):

- z = (x − M)/SD and T = 50 + 10·z;
- stanine (mean 5, SD 2, 1-9): ``floor(2z + 5.5)`` clipped to 1..9, i.e. bands
  half an SD wide with 5 covering −0.25 ≤ z < 0.25;
- sten (mean 5.5, SD 2, 1-10): ``floor(2z + 6)`` clipped to 1..10, i.e. bands half an
  SD wide with 6 covering 0 ≤ z < 0.5.

Effect sizes of a sample against a norm: Cohen's d standardised by the sample SD with
an exact confidence interval by inverting the noncentral t distribution (Steiger &
Fouladi, 1997; Cumming & Finch, 2001), or by the norm SD (Glass's Δ with the norm
group as the reference) with the large-sample standard error of Hedges & Olkin (1985,
p. 79). Hedges' g multiplies d by the exact small-sample correction
``J(df) = Γ(df/2) / (sqrt(df/2)·Γ((df−1)/2))`` (Hedges, 1981).

References
----------
Cumming, G., & Finch, S. (2001). A primer on the understanding, use, and calculation of
confidence intervals that are based on central and noncentral distributions.
*Educational and Psychological Measurement*, 61(4), 532–574.

Hedges, L. V. (1981). Distribution theory for Glass's estimator of effect size and
related estimators. *Journal of Educational Statistics*, 6(2), 107–128.

Hedges, L. V., & Olkin, I. (1985). *Statistical methods for meta-analysis*. Academic Press.

Steiger, J. H., & Fouladi, R. T. (1997). Noncentrality interval estimation and the
evaluation of statistical models. In L. L. Harlow, S. A. Mulaik, & J. H. Steiger (Eds.),
*What if there were no significance tests?* (pp. 221–257). Erlbaum.

Urbina, S. (2014). *Essentials of psychological testing* (2nd ed.). Wiley.

Examples
--------
>>> import numpy as np
>>> stanine(np.array([-3.0, -0.25, 0.0, 0.24, 2.0])).tolist()
[1, 5, 5, 5, 9]
>>> sten(np.array([-0.01, 0.0, 0.49, 3.0])).tolist()
[5, 6, 6, 10]
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from scipy import optimize, special, stats

#: Labels of ``percentile_method``.
TABLE = "table"
TABLE_INTERPOLATED = "table_interpolated"
NORMAL = "normal"
OUTSIDE_TABLE = "outside_table"

NCT_METHOD = "noncentral t (Steiger & Fouladi, 1997; Cumming & Finch, 2001)"
GLASS_METHOD = "normal approximation, SE of Glass's delta (Hedges & Olkin, 1985, p. 79)"
KNOWN_SD_METHOD = "normal approximation, norm mean and SD taken as population values (SE 1/sqrt(n))"


def stanine(z: np.ndarray) -> np.ndarray:
    """Stanines 1-9 from z (NaN stays NaN, as a float array)."""
    return _band(z, 5.5, 1, 9)


def sten(z: np.ndarray) -> np.ndarray:
    """Stens 1-10 from z (NaN stays NaN, as a float array)."""
    return _band(z, 6.0, 1, 10)


def _band(z: np.ndarray, shift: float, low: int, high: int) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    out = np.clip(np.floor(2.0 * z + shift), low, high)
    if np.isnan(out).any():
        return out
    return out.astype(np.int64)


#: ``percentile_method`` labels; :func:`table_percentile` returns codes into these.
METHOD_LABELS = (TABLE, TABLE_INTERPOLATED, NORMAL, OUTSIDE_TABLE)


def table_percentile(x: np.ndarray, table: Mapping[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Percentile ranks looked up in a score -> rank table, linear between entries.

    Returns the ranks and a code per score into :data:`METHOD_LABELS`: ``table`` for
    a listed score, ``table_interpolated`` between listed scores, ``outside_table``
    (rank NaN) below the lowest or above the highest listed score, where a table
    says nothing; -1 for a missing score.

    >>> value, code = table_percentile(np.array([20.0, 25.0, 50.0]), {20: 10.0, 30: 50.0})
    >>> value.tolist(), [METHOD_LABELS[c] for c in code]
    ([10.0, 30.0, nan], ['table', 'table_interpolated', 'outside_table'])
    """
    keys = np.array(sorted(table), dtype=float)
    ranks = np.array([table[k] for k in sorted(table)], dtype=float)
    x = np.asarray(x, dtype=float)
    inside = (x >= keys[0]) & (x <= keys[-1])
    value = np.where(inside, np.interp(x, keys, ranks), np.nan)
    listed = np.isin(x, keys)
    code = np.where(listed, 0, np.where(inside, 1, 3)).astype(np.int8)
    code[np.isnan(x)] = -1
    return value, code


def normal_percentile(z: np.ndarray) -> np.ndarray:
    """Percentile rank under the normal curve: 100·Φ(z)."""
    return 100.0 * stats.norm.cdf(z)


def welch_df(sd1: float, n1: float, sd2: float, n2: float) -> float:
    """Welch-Satterthwaite degrees of freedom from two groups' SDs and sizes."""
    v1, v2 = sd1**2 / n1, sd2**2 / n2
    return (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))


def hedges_j(df: float) -> float:
    """Exact small-sample bias correction of d (Hedges, 1981); 1 for infinite df.

    >>> round(hedges_j(9), 6)  # the approximation 1 - 3/(4*9 - 1) gives 0.914286
    0.913875
    """
    if not math.isfinite(df):
        return 1.0
    half = df / 2.0
    return float(np.exp(special.gammaln(half) - special.gammaln(half - 0.5)) / math.sqrt(half))


def nct_ci(t: float, df: float, level: float) -> tuple[float, float]:
    """Confidence limits for the noncentrality parameter given an observed t.

    The lower limit is the ncp under which ``t`` is the ``(1 + level)/2`` quantile,
    the upper the one under which it is the ``(1 − level)/2`` quantile.

    >>> low, high = nct_ci(2.0, 20, 0.95)
    >>> round(float(stats.nct.cdf(2.0, 20, low)), 6), round(float(stats.nct.cdf(2.0, 20, high)), 6)
    (0.975, 0.025)
    """
    if not (math.isfinite(t) and df > 0):
        return math.nan, math.nan

    def solve(p: float) -> float:
        def f(ncp: float) -> float:
            return float(stats.nct.cdf(t, df, ncp)) - p

        width = 2.0 + abs(t)
        low, high = t - width, t + width
        while f(low) < 0:
            low -= width
        while f(high) > 0:
            high += width
        return float(optimize.brentq(f, low, high, xtol=1e-12, rtol=1e-12))

    return solve((1.0 + level) / 2.0), solve((1.0 - level) / 2.0)
