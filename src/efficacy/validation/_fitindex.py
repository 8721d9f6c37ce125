"""Fit indices with lavaan 0.6-14's definitions (``fitMeasures``), '.' in names -> '_'.

Every index is a plain function of test statistics, so the same code serves the
standard, scaled and robust versions:

- ``cfi``/``tli`` (and ``nnfi``, ``rfi``, ``nfi``, ``pnfi``, ``ifi``, ``rni``) against
  the independence (baseline) model; the robust CFI/TLI of Brosseau-Liard & Savalei
  (2014) subtract ``c * df`` with the model's and the baseline's scaling factors.
- ``rmsea`` with N (not N - 1) under normal-theory ML, multiplied by ``sqrt(G)`` for G
  groups; its interval from the non-central chi-square; the robust RMSEA of
  Brosseau-Liard, Savalei & Li (2012).

Examples
--------
>>> round(cfi(85.3055, 24, 918.8516, 36), 4), round(tli(85.3055, 24, 918.8516, 36), 4)
(0.9306, 0.8958)
>>> round(rmsea(85.3055, 24, 301), 4)
0.0921
>>> [round(v, 4) for v in rmsea_ci(85.3055, 24, 301)]
[0.0714, 0.1137]
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, special


def _nan(*values: float) -> bool:
    return any(v is None or not np.isfinite(v) for v in values)


def cfi(x2, df, x2_null, df_null, c_hat=1.0, c_hat_null=1.0) -> float:
    """Comparative fit index (robust when both scaling factors differ from 1)."""
    if _nan(x2, df, x2_null, df_null, c_hat, c_hat_null):
        return math.nan
    if df > 0 and c_hat != 1 and c_hat_null != 1:
        t1 = max(x2 - c_hat * df, 0.0)
        t2 = max(x2 - c_hat * df, x2_null - c_hat_null * df_null, 0.0)
    else:
        t1 = max(x2 - df, 0.0)
        t2 = max(x2 - df, x2_null - df_null, 0.0)
    if math.isclose(t1, 0.0, abs_tol=1.5e-8) and math.isclose(t2, 0.0, abs_tol=1.5e-8):
        return 1.0
    return 1.0 - t1 / t2


def rni(x2, df, x2_null, df_null, c_hat=1.0, c_hat_null=1.0) -> float:
    """Relative noncentrality index (CFI without the truncation at 0 and 1)."""
    if _nan(x2, df, x2_null, df_null, c_hat, c_hat_null):
        return math.nan
    if df > 0 and c_hat != 1 and c_hat_null != 1:
        t1, t2 = x2 - c_hat * df, x2_null - c_hat_null * df_null
    else:
        t1, t2 = x2 - df, x2_null - df_null
    if math.isclose(t2, 0.0, abs_tol=1.5e-8):
        return math.nan
    return 1.0 - t1 / t2


def tli(x2, df, x2_null, df_null, c_hat=1.0, c_hat_null=1.0) -> float:
    """Tucker-Lewis index (= NNFI)."""
    if _nan(x2, df, x2_null, df_null, c_hat, c_hat_null):
        return math.nan
    if df > 0 and c_hat != 1 and c_hat_null != 1:
        t1 = (x2 - c_hat * df) * df_null
        t2 = (x2_null - c_hat_null * df_null) * df
    else:
        t1 = (x2 - df) * df_null
        t2 = (x2_null - df_null) * df
    if df > 0 and abs(t2) > 0:
        return 1.0 - t1 / t2
    return 1.0


def rfi(x2, df, x2_null, df_null) -> float:
    """Bollen's relative fit index."""
    if _nan(x2, df, x2_null, df_null):
        return math.nan
    if df > df_null:
        return math.nan
    if df > 0 and df_null > 0:
        t1 = x2_null / df_null - x2 / df
        t2 = x2_null / df_null
        return 1.0 if t1 < 0 or t2 < 0 else t1 / t2
    return 1.0


def nfi(x2, df, x2_null, df_null) -> float:
    """Bentler-Bonett normed fit index."""
    if _nan(x2, df, x2_null, df_null):
        return math.nan
    if df > df_null or math.isclose(x2_null, 0.0, abs_tol=1.5e-8):
        return math.nan
    return (x2_null - x2) / x2_null if df > 0 else 1.0


def pnfi(x2, df, x2_null, df_null) -> float:
    """Parsimony normed fit index."""
    if _nan(x2, df, x2_null, df_null):
        return math.nan
    if df_null > 0 and x2_null > 0:
        return (df / df_null) * (x2_null - x2) / x2_null
    return math.nan


def ifi(x2, df, x2_null, df_null) -> float:
    """Bollen's incremental fit index."""
    if _nan(x2, df, x2_null, df_null):
        return math.nan
    t1, t2 = x2_null - x2, x2_null - df
    if t2 < 0:
        return 1.0
    if math.isclose(t2, 0.0, abs_tol=1.5e-8):
        return math.nan
    return t1 / t2


def incremental_indices(x2, df, x2_null, df_null, suffix: str = "") -> dict[str, float]:
    """NNFI, RFI, NFI, PNFI, IFI and RNI against the baseline, in lavaan's order.

    Parameters
    ----------
    x2, df : float
        The model's test statistic (plain or scaled) and degrees of freedom.
    x2_null, df_null : float
        The same for the baseline (independence) model.
    suffix : str
        Appended to each name: ``""`` for the plain indices, ``"_scaled"`` for the
        scaled ones.

    Returns
    -------
    dict[str, float]
        ``nnfi``, ``rfi``, ``nfi``, ``pnfi``, ``ifi`` and ``rni`` (with ``suffix``).
    """
    return {
        f"nnfi{suffix}": tli(x2, df, x2_null, df_null),
        f"rfi{suffix}": rfi(x2, df, x2_null, df_null),
        f"nfi{suffix}": nfi(x2, df, x2_null, df_null),
        f"pnfi{suffix}": pnfi(x2, df, x2_null, df_null),
        f"ifi{suffix}": ifi(x2, df, x2_null, df_null),
        f"rni{suffix}": rni(x2, df, x2_null, df_null),
    }


def rmsea(x2, df, n, groups=1, c_hat=1.0) -> float:
    """Root mean square error of approximation (robust with ``c_hat``)."""
    if _nan(x2, df, n, c_hat):
        return math.nan
    if df <= 0:
        return 0.0
    return math.sqrt(max((x2 / n) / df - c_hat / n, 0.0)) * math.sqrt(groups)


def _pchisq(x2: float, df: float, ncp: float) -> float:
    x2 = max(x2, 0.0)
    if ncp <= 0:
        return float(special.chdtr(df, x2))
    return float(special.chndtr(x2, df, ncp))


def rmsea_ci(x2, df, n, groups=1, c_hat=1.0, level=0.90) -> tuple[float, float]:
    """The ``level`` interval of the RMSEA from the non-central chi-square."""
    if _nan(x2, df, n):
        return math.nan, math.nan
    upper_p = 1 - (1 - level) / 2
    lower_p = (1 - level) / 2

    def lower_fn(lam: float) -> float:
        return _pchisq(x2, df, lam) - upper_p

    def upper_fn(lam: float) -> float:
        return _pchisq(x2, df, lam) - lower_p

    if df < 1 or lower_fn(0.0) < 0:
        lower = 0.0
    else:
        lam = optimize.brentq(lower_fn, 0.0, x2, xtol=1e-12, rtol=1e-14)
        lower = math.sqrt(c_hat * lam / (n * df)) * math.sqrt(groups)
    n_rmsea = max(n, x2 * 4)
    if df < 1 or upper_fn(n_rmsea) > 0 or upper_fn(0.0) < 0:
        upper = 0.0
    else:
        lam = optimize.brentq(upper_fn, 0.0, n_rmsea, xtol=1e-12, rtol=1e-14)
        upper = math.sqrt(c_hat * lam / (n * df)) * math.sqrt(groups)
    return lower, upper


def rmsea_pvalue(x2, df, n, groups=1, c_hat=1.0, h0=0.05, close=True) -> float:
    """P-value of the test of close (RMSEA <= h0) or not-close (RMSEA >= h0) fit."""
    if _nan(x2, df, n, c_hat) or df <= 0:
        return math.nan
    ncp = (n * df / c_hat * h0**2) / groups
    p = _pchisq(x2, df, ncp)
    return 1.0 - p if close else p


def robust_indices(x2, df, x2_null, df_null, c_hat, c_hat_null, n, groups=1) -> dict[str, float]:
    """The robust CFI, TLI, RNI and RMSEA (with interval and p-values) of one fit.

    Parameters
    ----------
    x2, df : float
        The model's (corrected) test statistic and degrees of freedom.
    x2_null, df_null : float
        The same for the baseline (independence) model.
    c_hat, c_hat_null : float
        The scaling factors of the model and of the baseline.
    n : float
        The sample size the RMSEA uses.
    groups : int
        The number of groups.

    Returns
    -------
    dict[str, float]
        ``cfi_robust``, ``tli_robust``, ``nnfi_robust``, ``rni_robust``,
        ``rmsea_robust``, its interval and its close and not-close p-values.
    """
    lo, up = rmsea_ci(x2 / c_hat, df, n, groups, c_hat=c_hat)
    return {
        "cfi_robust": cfi(x2, df, x2_null, df_null, c_hat, c_hat_null),
        "tli_robust": tli(x2, df, x2_null, df_null, c_hat, c_hat_null),
        "nnfi_robust": tli(x2, df, x2_null, df_null, c_hat, c_hat_null),
        "rni_robust": rni(x2, df, x2_null, df_null, c_hat, c_hat_null),
        "rmsea_robust": rmsea(x2, df, n, groups, c_hat=c_hat),
        "rmsea_ci_lower_robust": lo,
        "rmsea_ci_upper_robust": up,
        "rmsea_pvalue_robust": rmsea_pvalue(x2 / c_hat, df, n, groups, c_hat=c_hat, h0=0.05),
        "rmsea_notclose_pvalue_robust": rmsea_pvalue(
            x2 / c_hat, df, n, groups, c_hat=c_hat, h0=0.08, close=False
        ),
    }
