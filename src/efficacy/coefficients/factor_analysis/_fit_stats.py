"""Fit statistics of a factor solution, as psych's ``factor.stats`` (``fa.stats``).

With ``R`` the correlation matrix, ``F`` the pattern, ``Phi`` the factor correlations
(identity if orthogonal), ``p`` items, ``nf`` factors and ``N`` observations:

- residuals ``R - F Phi F'``; ``rms = sqrt(sum of squared off-diagonal residuals /
  (p (p - 1)))`` and ``crms`` the same over ``2 dof``. With raw data the squared
  residuals are weighted by the pairwise counts and divided by their harmonic mean
  (psych's ``np.obs``); ``empirical_chi_square`` is that weighted sum (or ``N`` times
  the plain one);
- ``dof = p (p - 1) / 2 - p nf + nf (nf - 1) / 2``;
- the likelihood objective ``tr(M^-1 R) - log det(M^-1 R) - p``, with ``M`` the model
  matrix given ``R``'s diagonal, both smoothed (psych's ``cor.smooth``);
- ``chi_square = objective * (N - 1 - (2p + 5) / 6 - 2 nf / 3)`` (Bartlett's
  correction), floored at 0; ``p_value`` from ``chi2(dof)``;
- ``rmsea = sqrt(max(chi_square / (dof N) - 1 / (N - 1), 0))`` with a 90 % interval
  from the non-central chi-square (psych's ``alpha = .1``), solved exactly here where
  psych uses ``uniroot``'s default tolerance;
- Tucker–Lewis index ``(M0 - Mm) / (M0 - 1 / nm)`` with ``M0 = 2 F0 / (p (p - 1))``,
  ``F0 = tr(R) - log det(R) - p``, ``Mm = objective / dof`` and ``nm`` the Bartlett
  multiplier; ``bic = chi_square - dof log N``.

Examples
--------
>>> r = np.array([[1.0, 0.45, 0.35], [0.45, 1.0, 0.30], [0.35, 0.30, 1.0]])
>>> f = np.array([[0.7], [0.6], [0.5]])
>>> st = factor_stats(r, f, None, n_obs=200)
>>> round(st["rms"], 9), st["dof"]  # one residual of 0.03: sqrt(2 * 0.03^2 / 6)
(0.017320508, 0.0)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import optimize, special

from efficacy.coefficients.ordinal._polychoric import cor_smooth


def _ncp_root(statistic: float, dof: float, target: float, upper: float) -> float:
    def gap(ncp: float) -> float:
        value = special.chndtr(statistic, dof, ncp) if ncp > 0 else special.chdtr(dof, statistic)
        return float(value) - target

    if gap(0.0) * gap(upper) > 0:
        return float("nan")
    return float(optimize.brentq(gap, 0.0, upper, xtol=1e-12, rtol=1e-14))


def rmsea_interval(
    statistic: float, dof: float, n_obs: float, level: float = 0.90
) -> tuple[float, float]:
    """psych's RMSEA confidence bounds (lower, upper) for a chi-square statistic."""
    tail = (1.0 - level) / 2.0
    top = max(n_obs, statistic) + 2.0 * n_obs
    p = special.chdtr(dof, statistic)
    upper = 0.0
    if p > tail:
        root = _ncp_root(statistic, dof, tail, top)
        upper = float(np.sqrt(root / (n_obs - 1.0) / dof)) if np.isfinite(root) else float("nan")
    lower = 0.0
    if p > 1.0 - tail:
        root = _ncp_root(statistic, dof, 1.0 - tail, top)
        lower = float(np.sqrt(root / (n_obs - 1.0) / dof)) if np.isfinite(root) else float("nan")
    return lower, upper


def factor_stats(
    r: np.ndarray,
    f: np.ndarray,
    phi: np.ndarray | None,
    *,
    n_obs: float | None = None,
    np_obs: np.ndarray | None = None,
    smooth: bool = True,
) -> dict[str, Any]:
    """Fit statistics of the pattern ``f`` (p x nf) with factor correlations ``phi``."""
    p, nf = f.shape
    model = f @ f.T if phi is None else f @ phi @ f.T
    residual = r - model
    r2 = float((r * r).sum())
    rstar2 = float((residual * residual).sum())
    dof = p * (p - 1) / 2 - p * nf + nf * (nf - 1) / 2
    off = residual.copy()
    np.fill_diagonal(off, 0.0)
    out: dict[str, Any] = {"dof": dof}
    nan = float("nan")
    if np_obs is None:
        rstar_off = float((off**2).sum())
        r2_off = r2 - float(np.trace(r))
        n_h = float(n_obs) if n_obs is not None else nan
        out["empirical_chi_square"] = rstar_off * n_h
        out["rms"] = float(np.sqrt(rstar_off / (p * (p - 1))))
        out["crms"] = float(np.sqrt(rstar_off / (2 * dof))) if dof > 0 else nan
    else:
        weights = np.asarray(np_obs, dtype=float)
        rstar_off = float((off**2 * weights).sum())
        rr = r * r * weights
        r2_off = float(rr.sum() - np.trace(rr))
        n_h = float(weights.size / (1.0 / weights).sum())
        out["empirical_chi_square"] = rstar_off
        out["rms"] = float(np.sqrt(rstar_off / (n_h * p * (p - 1))))
        out["crms"] = float(np.sqrt(rstar_off / (2 * n_h * dof))) if dof > 0 else nan
    out["fit"] = 1.0 - rstar2 / r2
    out["fit_off"] = 1.0 - rstar_off / r2_off
    out["complexity"] = (f**2).sum(axis=1) ** 2 / (f**4).sum(axis=1)

    model_full = model.copy()
    np.fill_diagonal(model_full, np.diag(r))
    model_full, _ = cor_smooth(model_full)
    rs = cor_smooth(r)[0] if smooth else r
    ratio = np.linalg.solve(model_full, rs)
    sign, logdet = np.linalg.slogdet(ratio)
    objective = float(np.trace(ratio) - logdet) - p if sign > 0 else float("inf")
    out["objective"] = objective
    sign0, logdet0 = np.linalg.slogdet(rs)
    f0 = float(np.trace(rs) - logdet0) - p if sign0 > 0 else float("inf")
    keys = ("chi_square", "p_value", "rmsea", "rmsea_lower", "rmsea_upper", "tli", "bic")
    out.update(dict.fromkeys(keys, nan))
    out["null_chi_square"] = nan
    out["null_dof"] = p * (p - 1) / 2
    if n_obs is None or not np.isfinite(objective):
        return out
    n = float(n_obs)
    multiplier = (n - 1) - (2 * p + 5) / 6 - (2 * nf) / 3
    chisq = objective * multiplier
    statistic = max(chisq, 0.0)
    out["chi_square"] = statistic
    out["p_value"] = float(special.chdtrc(dof, statistic)) if dof > 0 else nan
    out["null_chi_square"] = f0 * ((n - 1) - (2 * p + 5) / 6)
    m0 = f0 * 2 / (p * (p - 1))
    mm = objective / dof if dof != 0 else nan
    out["tli"] = (m0 - mm) / (m0 - 1 / multiplier)
    if dof > 0:
        out["rmsea"] = float(np.sqrt(max(chisq / (dof * n) - 1 / (n - 1), 0.0)))
        lower, upper = rmsea_interval(statistic, dof, n)
        out["rmsea_lower"] = lower if not lower > out["rmsea"] else nan
        out["rmsea_upper"] = upper if not upper < out["rmsea"] else nan
        out["bic"] = chisq - dof * np.log(n)
    return out
