"""WLSMV for ordinal items, one group: DWLS on thresholds and polychorics (lavaan 0.6-14).

Delta parameterization: the latent responses have unit variances, so the model implies
the thresholds themselves (free parameters) and the correlations
``(Lambda Psi Lambda')_ij``; residual variances ``1 - (Lambda Psi Lambda')_ii`` are not
free. With the sample statistics ``s`` and their ``Gamma`` from
:mod:`efficacy.validation._ordinal` and ``W = diag(Gamma)^-1``:

- estimates minimise ``F = (s - sigma)' W (s - sigma)`` (Gauss-Newton with step
  halving); ``chisq = (N - 1) F`` and ``fmin = chisq / 2N`` as in lavaan;
- robust standard errors ``E^-1 Delta' W Gamma W Delta E^-1 / (N - 1)``,
  ``E = Delta' W Delta``;
- the mean- and variance-adjusted (scaled-shifted) statistic ``a chisq + b`` with
  ``U = W - W Delta E^-1 Delta' W``, ``a = sqrt(df / tr((U Gamma)^2))``,
  ``b = df - a tr(U Gamma)``; lavaan reports ``1 / a`` as the scaling factor;
- the baseline model frees only the thresholds (correlations 0).

The robust CFI, TLI and RMSEA (Savalei 2021) come from :mod:`._catml`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

import efficacy.validation._fitindex as fx
from efficacy.validation._catml import robust_measures
from efficacy.validation._model import Model, Param, build_model
from efficacy.validation._ordinal import OrdinalStats
from efficacy.validation._warnings import ModelError


@dataclass(frozen=True)
class OrdinalModel:
    """Loadings and factor (co)variances from a :class:`Model`, plus thresholds."""

    base: Model
    params: tuple[Param, ...]  # free numbering over loadings, psi and thresholds
    n_free: int
    n_thresholds: tuple[int, ...]


def ordinal_model(factors, n_thresholds, *, std_lv=False, residual_covariances=()) -> OrdinalModel:
    """The one-group ordinal model: loadings (cross-loadings included), residual
    covariances of the latent responses, factor (co)variances and thresholds; the
    residual variances are not parameters (delta parameterization)."""
    base = build_model(factors, std_lv=std_lv, residual_covariances=residual_covariances)
    rows = [p for p in base.params if p.kind != "theta" or p.row != p.col]
    renum: dict[int, int] = {}
    out = []
    for par in rows:
        if par.free:
            renum.setdefault(par.free, len(renum) + 1)
            par = Param(
                par.lhs,
                par.op,
                par.rhs,
                par.group,
                renum[par.free],
                par.value,
                par.kind,
                par.row,
                par.col,
            )
        out.append(par)
    free = len(renum)
    for i, item in enumerate(base.items):
        for k in range(n_thresholds[i]):
            free += 1
            out.append(Param(item, "|", f"t{k + 1}", 0, free, 0.0, "tau", i, k))
    core = Model(
        items=base.items,
        factors=base.factors,
        n_groups=1,
        meanstructure=False,
        params=tuple(p for p in out if p.kind != "tau"),
        std_lv=std_lv,
    )
    return OrdinalModel(core, tuple(out), free, tuple(n_thresholds))


def residual_covariance_matrix(om: OrdinalModel, theta: np.ndarray) -> np.ndarray:
    """The residual covariances of the latent responses (zero diagonal)."""
    p = len(om.base.items)
    out = np.zeros((p, p))
    for par in om.params:
        if par.kind == "theta":
            value = theta[par.free - 1] if par.free else par.value
            out[par.row, par.col] = out[par.col, par.row] = value
    return out


def _unpack(om: OrdinalModel, theta: np.ndarray):
    p, m = len(om.base.items), len(om.base.factors)
    lam, psi = np.zeros((p, m)), np.zeros((m, m))
    taus = [np.zeros(k) for k in om.n_thresholds]
    for par in om.params:
        value = theta[par.free - 1] if par.free else par.value
        if par.kind == "lambda":
            lam[par.row, par.col] = value
        elif par.kind == "psi":
            psi[par.row, par.col] = psi[par.col, par.row] = value
        elif par.kind == "tau":
            taus[par.row][par.col] = value
    return lam, psi, taus


def implied_and_jacobian(om: OrdinalModel, theta: np.ndarray, st: OrdinalStats):
    lam, psi, taus = _unpack(om, theta)
    rows, cols = st.pairs
    star = lam @ psi @ lam.T + residual_covariance_matrix(om, theta)
    sigma = np.concatenate([*taus, star[rows, cols]])
    n_th = st.n_thresholds
    jac = np.zeros((len(sigma), om.n_free))
    offsets = np.concatenate([[0], np.cumsum(om.n_thresholds)])
    lam_psi = lam @ psi
    for par in om.params:
        if not par.free:
            continue
        k = par.free - 1
        if par.kind == "tau":
            jac[offsets[par.row] + par.col, k] += 1.0
            continue
        d = np.zeros_like(star)
        i, j = par.row, par.col
        if par.kind == "lambda":
            d[i, :] += lam_psi[:, j]
            d[:, i] += lam_psi[:, j]
        elif par.kind == "theta":
            d[i, j] = d[j, i] = 1.0
        else:
            outer = np.outer(lam[:, i], lam[:, j])
            d += outer if i == j else outer + outer.T
        jac[n_th:, k] += d[rows, cols]
    return sigma, jac, star


@dataclass(frozen=True)
class WLSMVEstimate:
    model: OrdinalModel
    stats: OrdinalStats
    theta: np.ndarray
    f: float
    vcov: np.ndarray
    converged: bool
    iterations: int
    test: dict
    baseline: dict
    star: np.ndarray
    jacobian: np.ndarray
    e_inv: np.ndarray


def _scaled_shifted(w: np.ndarray, jac: np.ndarray, gamma: np.ndarray, df: int, x2: float):
    wj = w[:, None] * jac
    e_inv = np.linalg.inv(jac.T @ wj)
    u = np.diag(w) - wj @ e_inv @ wj.T
    ug = u @ gamma
    tr1 = float(np.trace(ug))
    tr2 = float(np.sum(ug * ug.T))
    a = math.sqrt(df / tr2)
    b = df - a * tr1
    return {"chisq": x2, "df": df, "stat": a * x2 + b, "scaling": 1 / a, "shift": b, "trace": tr1}


def check_dwls_identified(info: np.ndarray, params, n_stats: int, groups: int = 1) -> None:
    """Raise :class:`ModelError` for a model with more free parameters than sample
    statistics, or whose DWLS information ``J' W J`` is singular at the start values
    (naming the parameters involved, as the ML check does)."""
    names: dict[int, str] = {}
    for par in params:
        if par.free and par.free not in names:
            where = f" (group {par.group + 1})" if groups > 1 else ""
            names[par.free] = f"{par.lhs}{par.op}{par.rhs}{where}"
    if len(names) > n_stats:
        raise ModelError(
            f"the model is not identified: {len(names)} free parameters for {n_stats} "
            "sample statistics (thresholds and polychoric correlations)"
        )
    scale = np.sqrt(np.clip(np.diag(info), 1e-300, None))
    eig, vec = np.linalg.eigh(info / np.outer(scale, scale))
    if eig[0] > 1e-9:
        return
    order = [names[k] for k in sorted(names)]
    null = np.abs(vec[:, 0])
    involved = [order[k] for k in np.argsort(-null) if null[k] > 0.1][:6]
    raise ModelError(
        "the model is not identified: the information matrix is singular "
        f"(smallest eigenvalue {eig[0]:.3g}); parameters involved: {involved}"
    )


def fit_wlsmv(om: OrdinalModel, st: OrdinalStats, *, max_iter: int = 500) -> WLSMVEstimate:
    w = 1.0 / np.diag(st.gamma)
    # starts: thresholds observed, loadings/psi from the polychoric matrix
    start_core = om.base.start([st.rho], [np.zeros(len(om.base.items))])
    theta = np.zeros(om.n_free)
    core_free = [p for p in om.params if p.free and p.kind != "tau"]
    for par in core_free:
        theta[par.free - 1] = start_core[par.free - 1]
    offsets = np.concatenate([[0], np.cumsum(om.n_thresholds)])
    for par in om.params:
        if par.kind == "tau":
            theta[par.free - 1] = st.s[offsets[par.row] + par.col]

    def objective(th):
        sigma, jac, _ = implied_and_jacobian(om, th, st)
        r = st.s - sigma
        return float(r @ (w * r)), r, jac

    f, r, jac = objective(theta)
    check_dwls_identified(jac.T @ (w[:, None] * jac), om.params, len(st.s))
    converged = False
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        wj = w[:, None] * jac
        grad = wj.T @ r
        step = np.linalg.solve(jac.T @ wj, grad)
        scale = 1.0
        for _ in range(40):
            cand = theta + scale * step
            f_new, r_new, jac_new = objective(cand)
            if f_new <= f + 1e-15 * max(1.0, f):
                break
            scale /= 2
        else:
            break
        change = f - f_new
        theta, f, r, jac = cand, f_new, r_new, jac_new
        if np.max(np.abs((w[:, None] * jac).T @ r)) < 1e-12 or (change < 1e-16 and scale == 1):
            converged = True
            break
    grad = (w[:, None] * jac).T @ r
    if np.max(np.abs(grad)) > 1e-6:
        converged = False
    wj = w[:, None] * jac
    e_inv = np.linalg.inv(jac.T @ wj)
    # lavaan scales the DWLS information by (N - 1) / N, as the discrepancy
    vcov = e_inv @ (wj.T @ st.gamma @ wj) @ e_inv / (st.n - 1)
    df = len(st.s) - om.n_free
    # lavaan: fmin = (N - 1) / N * F / 2 for DWLS, so chisq = (N - 1) F
    test = _scaled_shifted(w, jac, st.gamma, df, (st.n - 1) * f)
    # baseline: thresholds free, correlations zero
    n_th = st.n_thresholds
    base_jac = np.zeros((len(st.s), n_th))
    base_jac[:n_th, :n_th] = np.eye(n_th)
    base_x2 = (st.n - 1) * float(np.sum(w[n_th:] * st.s[n_th:] ** 2))
    baseline = _scaled_shifted(w, base_jac, st.gamma, len(st.s) - n_th, base_x2)
    _, jac, star = implied_and_jacobian(om, theta, st)
    return WLSMVEstimate(
        om,
        st,
        theta,
        f,
        vcov,
        converged,
        iterations,
        test,
        baseline,
        star,
        jac,
        np.linalg.inv(jac.T @ (w[:, None] * jac)),
    )


def scaled_test_measures(
    test: Mapping[str, float], baseline: Mapping[str, float]
) -> dict[str, float]:
    """The chi-square tests of a WLSMV fit and its baseline, with CFI and TLI.

    Parameters
    ----------
    test, baseline : Mapping[str, float]
        The scaled-shifted test of the model and of the baseline (independence) model:
        ``chisq``, ``df``, ``stat`` (the scaled-shifted statistic) and ``scaling``.

    Returns
    -------
    dict[str, float]
        lavaan's ``chisq`` ... ``baseline_chisq_scaling_factor`` (plain and scaled), then
        ``cfi``, ``tli``, ``cfi_scaled`` and ``tli_scaled``, in lavaan's order.
    """
    x2, df, x2s = test["chisq"], test["df"], test["stat"]
    x2n, dfn, x2ns = baseline["chisq"], baseline["df"], baseline["stat"]
    out: dict[str, float] = {}
    for prefix, t in (("", test), ("baseline_", baseline)):
        out.update(
            {
                f"{prefix}chisq": t["chisq"],
                f"{prefix}df": t["df"],
                f"{prefix}pvalue": float(stats.chi2.sf(t["chisq"], t["df"])),
                f"{prefix}chisq_scaled": t["stat"],
                f"{prefix}df_scaled": t["df"],
                f"{prefix}pvalue_scaled": float(stats.chi2.sf(t["stat"], t["df"])),
                f"{prefix}chisq_scaling_factor": t["scaling"],
            }
        )
    out.update(
        cfi=fx.cfi(x2, df, x2n, dfn),
        tli=fx.tli(x2, df, x2n, dfn),
        cfi_scaled=fx.cfi(x2s, df, x2ns, dfn),
        tli_scaled=fx.tli(x2s, df, x2ns, dfn),
    )
    return out


def wlsmv_fit_measures(est: WLSMVEstimate) -> pd.Series:
    """lavaan's ``fitMeasures`` for WLSMV, the robust (Savalei 2021) versions included."""
    t, b = est.test, est.baseline
    x2, df, x2s = t["chisq"], t["df"], t["stat"]
    x2n, dfn, x2ns = b["chisq"], b["df"], b["stat"]
    n = est.stats.n - 1  # lavaan: N - (number of groups) for estimators other than ML
    out = {
        "npar": est.model.n_free,
        "fmin": x2 / (2 * est.stats.n),
        **scaled_test_measures(t, b),
        **fx.incremental_indices(x2, df, x2n, dfn),
        **fx.incremental_indices(x2s, df, x2ns, dfn, "_scaled"),
    }
    lo, up = fx.rmsea_ci(x2, df, n)
    lo_s, up_s = fx.rmsea_ci(x2s, df, n)
    out.update(
        rmsea=fx.rmsea(x2, df, n),
        rmsea_ci_lower=lo,
        rmsea_ci_upper=up,
        rmsea_ci_level=0.9,
        rmsea_pvalue=fx.rmsea_pvalue(x2, df, n, h0=0.05),
        rmsea_close_h0=0.05,
        rmsea_notclose_pvalue=fx.rmsea_pvalue(x2, df, n, h0=0.08, close=False),
        rmsea_notclose_h0=0.08,
        rmsea_scaled=fx.rmsea(x2s, df, n),
        rmsea_ci_lower_scaled=lo_s,
        rmsea_ci_upper_scaled=up_s,
        rmsea_pvalue_scaled=fx.rmsea_pvalue(x2s, df, n, h0=0.05),
        rmsea_notclose_pvalue_scaled=fx.rmsea_pvalue(x2s, df, n, h0=0.08, close=False),
    )
    cor = est.star.copy()
    np.fill_diagonal(cor, 1.0)
    out.update(
        robust_measures(
            [est.stats], [cor], [est.jacobian], [1.0 / np.diag(est.stats.gamma)], est.e_inv, df
        )
    )
    rows, cols = est.stats.pairs
    resid = est.stats.rho[rows, cols] - est.star[rows, cols]
    p = est.stats.rho.shape[0]
    out["srmr"] = math.sqrt(float(np.sum(resid**2)) / (p * (p + 1) / 2))
    out["srmr_bentler_nomean"] = out["srmr"]
    out["crmr_nomean"] = math.sqrt(float(np.sum(resid**2)) / (p * (p - 1) / 2))
    return pd.Series(out, dtype=float, name="fit_measures")


def wlsmv_parameters(est: WLSMVEstimate) -> pd.DataFrame:
    """Loadings, thresholds, (residual) variances and covariances, lavaan's columns."""
    om = est.model
    _, psi, _ = _unpack(om, est.theta)
    se_all = np.sqrt(np.clip(np.diag(est.vcov), 0, None))
    sd_lv = np.sqrt(np.abs(np.diag(psi)))
    resid = 1.0 - np.diag(est.star)
    rows = []
    for par in om.params:
        value = est.theta[par.free - 1] if par.free else par.value
        se = float(se_all[par.free - 1]) if par.free else 0.0
        z = value / se if par.free and se > 0 else math.nan
        if par.kind == "lambda":
            std = value * sd_lv[par.col]
        elif par.kind == "psi":
            std = value / (sd_lv[par.row] * sd_lv[par.col])
        else:
            std = value
        std_all = std
        if par.kind == "theta":  # a residual covariance: lavaan's residual correlation
            std_all = value / np.sqrt(abs(resid[par.row] * resid[par.col]))
        rows.append(
            {
                "lhs": par.lhs,
                "op": par.op,
                "rhs": par.rhs,
                "free": par.free > 0,
                "est": value,
                "se": se,
                "z": z,
                "pvalue": 2 * stats.norm.sf(abs(z)) if np.isfinite(z) else math.nan,
                "std_lv": std,
                "std_all": std_all,
            }
        )
    for i, item in enumerate(om.base.items):
        value = 1.0 - est.star[i, i]
        rows.append(
            {
                "lhs": item,
                "op": "~~",
                "rhs": item,
                "free": False,
                "est": value,
                "se": 0.0,
                "z": math.nan,
                "pvalue": math.nan,
                "std_lv": value,
                "std_all": value,
            }
        )
    order = {"=~": 0, "|": 1, "~~": 2}
    table = pd.DataFrame(rows)
    return table.sort_values("op", key=lambda c: c.map(order), kind="stable").reset_index(drop=True)
