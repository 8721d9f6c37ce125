"""Tables of a fitted ML or MLR model: lavaan's parameter table and ``fitMeasures``.

:func:`parameter_table` gives ``parameterEstimates(fit, standardized = TRUE)``;
:func:`fit_measures` every index of ``fitMeasures`` this package computes (the
baseline model, CFI/TLI family, log-likelihood and information criteria, RMSEA with
its interval and tests, the SRMR family, and for MLR and FIML the scaled and robust
versions).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

import efficacy.validation._fitindex as fx
from efficacy.validation._estimate import Estimation
from efficacy.validation._fiml import fiml_corrected
from efficacy.validation._ml import GroupData, implied


def parameter_table(est: Estimation) -> pd.DataFrame:
    """lavaan's ``parameterEstimates(fit, standardized = TRUE)`` columns, one row each."""
    model, theta = est.model, est.ml.theta
    se_all = np.sqrt(np.clip(np.diag(est.vcov), 0, None)) if est.vcov.size else np.array([])
    mats = [model.matrices(theta, g) for g in range(model.n_groups)]
    sigmas = [m["lambda"] @ m["psi"] @ m["lambda"].T + m["theta"] for m in mats]
    rows = []
    for par in model.params:
        m, sigma = mats[par.group], sigmas[par.group]
        est_value = theta[par.free - 1] if par.free else par.value
        se = float(se_all[par.free - 1]) if par.free else 0.0
        z = est_value / se if par.free and se > 0 else math.nan
        pvalue = 2 * stats.norm.sf(abs(z)) if np.isfinite(z) else math.nan
        psi_d = np.sqrt(np.abs(np.diag(m["psi"]))) if model.factors else np.array([])
        sd_ov = np.sqrt(np.diag(sigma))
        i, j = par.row, par.col
        if par.kind == "lambda":
            std_lv = est_value * psi_d[j]
            std_all = std_lv / sd_ov[i]
        elif par.kind == "psi":
            std_lv = std_all = est_value / (psi_d[i] * psi_d[j])
        elif par.kind == "theta":
            std_lv = est_value
            if i == j:
                std_all = est_value / (sd_ov[i] * sd_ov[j])
            else:  # a residual covariance: lavaan's residual correlation
                th = m["theta"]
                std_all = est_value / np.sqrt(th[i, i] * th[j, j])
        elif par.kind == "nu":
            std_lv = est_value
            std_all = est_value / sd_ov[i]
        else:
            std_lv = std_all = est_value / psi_d[i]
        rows.append(
            {
                "lhs": par.lhs,
                "op": par.op,
                "rhs": par.rhs,
                "group": est.group_labels[par.group],
                "free": par.free > 0,
                "est": est_value,
                "se": se,
                "z": z,
                "pvalue": pvalue,
                "std_lv": std_lv,
                "std_all": std_all,
            }
        )
    table = pd.DataFrame(rows)
    if model.n_groups == 1:
        table = table.drop(columns="group")
    return table


def _residual_summaries(est: Estimation) -> dict[str, float]:
    model = est.model
    n_total = est.n_total
    out = dict.fromkeys(
        (
            "rmr",
            "rmr_nomean",
            "srmr",
            "srmr_bentler",
            "srmr_bentler_nomean",
            "crmr",
            "crmr_nomean",
            "srmr_mplus",
            "srmr_mplus_nomean",
        ),
        0.0,
    )
    for g, gd in enumerate(est.data):
        dv = implied(model, est.ml.theta, g, gd)
        w = gd.n / n_total
        if est.fiml:
            gd = GroupData(x=gd.x, mean=est.h1.means[g], cov=est.h1.covs[g])
        s, sigma, p = gd.cov, dv.sigma, gd.cov.shape[0]
        rows, cols = np.tril_indices(p)
        off = rows != cols
        sd = np.sqrt(np.diag(s))
        raw = (s - sigma)[rows, cols]
        bentler = ((s - sigma) / np.outer(sd, sd))[rows, cols]
        sig_sd = np.sqrt(np.diag(sigma))
        cor_res = (s / np.outer(sd, sd) - sigma / np.outer(sig_sd, sig_sd))[rows, cols][off]
        mean_raw = gd.mean - dv.mu
        mean_std = mean_raw / sd
        mean_cor = gd.mean / sd - dv.mu / sig_sd
        pstar, pcor = len(raw), int(off.sum())
        nomean = {
            "rmr": math.sqrt(np.sum(raw**2) / pstar),
            "srmr_bentler": math.sqrt(np.sum(bentler**2) / pstar),
            "crmr": math.sqrt(np.sum(cor_res**2) / pcor) if pcor else 0.0,
        }
        var_part = np.sum(((np.diag(s) - np.diag(sigma)) / np.diag(s)) ** 2)
        mplus_nomean = math.sqrt((np.sum(cor_res**2) + var_part) / pstar)
        if model.meanstructure:
            total = {
                "rmr": math.sqrt((np.sum(raw**2) + np.sum(mean_raw**2)) / (pstar + p)),
                "srmr_bentler": math.sqrt((np.sum(bentler**2) + np.sum(mean_std**2)) / (pstar + p)),
                "crmr": math.sqrt((np.sum(cor_res**2) + np.sum(mean_std**2)) / (pcor + p)),
            }
            mplus = math.sqrt((np.sum(cor_res**2) + np.sum(mean_cor**2) + var_part) / (pstar + p))
        else:
            total, mplus = nomean, mplus_nomean
        for key in ("rmr", "srmr_bentler", "crmr"):
            out[key] += w * total[key]
            out[f"{key}_nomean"] += w * nomean[key]
        out["srmr_mplus"] += w * mplus
        out["srmr_mplus_nomean"] += w * mplus_nomean
    out["srmr"] = out["srmr_bentler"]
    return out


def _fiml_robust(est: Estimation) -> dict[str, float]:
    """Robust CFI, TLI and RMSEA under FIML: lavaan's FIML-corrected versions."""
    version = "V3" if est.estimator == "MLR" else "V6"
    base = est.baseline
    xx3, k = fiml_corrected(est.model, est.ml.theta, est.data, est.h1, version)
    xx3n, kn = fiml_corrected(base.model, base.ml.theta, est.data, est.h1, version)
    df, dfn = est.df, base.df
    c, cn = k / df, kn / dfn
    n, groups = est.n_total, est.model.n_groups
    return fx.robust_indices(xx3, df, xx3n, dfn, c, cn, n, groups)


def fit_measures(est: Estimation) -> pd.Series:
    """lavaan's ``fitMeasures`` (names with '_' for '.') for an ML or MLR fit."""
    base = est.baseline
    n = est.n_total
    groups = est.model.n_groups
    x2, df = est.chisq, est.df
    npar = est.model.n_free
    x2n, dfn = base.chisq, base.df
    scaled = est.estimator == "MLR"
    out: dict[str, float] = {
        "npar": npar,
        "fmin": est.ml.fmin,
        "chisq": x2,
        "df": df,
        "pvalue": float(stats.chi2.sf(x2, df)) if df > 0 else math.nan,
    }
    if scaled:
        c, cn = est.scaling, base.scaling
        x2s, x2ns = x2 / c, x2n / cn
        out.update(
            chisq_scaled=x2s,
            df_scaled=df,
            pvalue_scaled=float(stats.chi2.sf(x2s, df)) if df > 0 else math.nan,
            chisq_scaling_factor=c,
        )
    out.update(baseline_chisq=x2n, baseline_df=dfn, baseline_pvalue=float(stats.chi2.sf(x2n, dfn)))
    if scaled:
        out.update(
            baseline_chisq_scaled=x2ns,
            baseline_df_scaled=dfn,
            baseline_pvalue_scaled=float(stats.chi2.sf(x2ns, dfn)),
            baseline_chisq_scaling_factor=cn,
        )
    out["cfi"] = fx.cfi(x2, df, x2n, dfn)
    out["tli"] = fx.tli(x2, df, x2n, dfn)
    if scaled:
        out["cfi_scaled"] = fx.cfi(x2s, df, x2ns, dfn)
        out["tli_scaled"] = fx.tli(x2s, df, x2ns, dfn)
        out["cfi_robust"] = fx.cfi(x2, df, x2n, dfn, c, cn)
        out["tli_robust"] = fx.tli(x2, df, x2n, dfn, c, cn)
    out.update(fx.incremental_indices(x2, df, x2n, dfn))
    if scaled:
        out.update(fx.incremental_indices(x2s, df, x2ns, dfn, "_scaled"))
        out.update(
            nnfi_robust=fx.tli(x2, df, x2n, dfn, c, cn),
            rni_robust=fx.rni(x2, df, x2n, dfn, c, cn),
        )
    if est.fiml:
        unrestricted, logl = est.h1.logl, est.logl
    else:
        unrestricted = 0.0
        for gd in est.data:
            p = gd.cov.shape[0]
            logdet = np.linalg.slogdet(gd.cov)[1]
            unrestricted += -gd.n / 2 * (p * math.log(2 * math.pi) + logdet + p)
        logl = unrestricted - x2 / 2
    out.update(
        logl=logl,
        unrestricted_logl=unrestricted,
        aic=-2 * logl + 2 * npar,
        bic=-2 * logl + npar * math.log(n),
        ntotal=n,
        bic2=-2 * logl + npar * math.log((n + 2) / 24),
    )
    if scaled:
        out["scaling_factor_h1"] = est.scaling_h1
        out["scaling_factor_h0"] = est.scaling_h0
    lower, upper = fx.rmsea_ci(x2, df, n, groups)
    out.update(
        rmsea=fx.rmsea(x2, df, n, groups),
        rmsea_ci_lower=lower,
        rmsea_ci_upper=upper,
        rmsea_ci_level=0.90,
        rmsea_pvalue=fx.rmsea_pvalue(x2, df, n, groups, h0=0.05),
        rmsea_close_h0=0.05,
        rmsea_notclose_pvalue=fx.rmsea_pvalue(x2, df, n, groups, h0=0.08, close=False),
        rmsea_notclose_h0=0.08,
    )
    if scaled:
        df2 = est.trace_ugamma
        lo_s, up_s = fx.rmsea_ci(x2, df2, n, groups)
        lo_r, up_r = fx.rmsea_ci(x2s, df, n, groups, c_hat=c)
        out.update(
            rmsea_scaled=fx.rmsea(x2, df2, n, groups),
            rmsea_ci_lower_scaled=lo_s,
            rmsea_ci_upper_scaled=up_s,
            rmsea_pvalue_scaled=fx.rmsea_pvalue(x2, df2, n, groups, h0=0.05),
            rmsea_notclose_pvalue_scaled=fx.rmsea_pvalue(x2, df2, n, groups, h0=0.08, close=False),
            rmsea_robust=fx.rmsea(x2, df, n, groups, c_hat=c),
            rmsea_ci_lower_robust=lo_r,
            rmsea_ci_upper_robust=up_r,
            rmsea_pvalue_robust=fx.rmsea_pvalue(x2s, df, n, groups, c_hat=c, h0=0.05),
            rmsea_notclose_pvalue_robust=fx.rmsea_pvalue(
                x2s, df, n, groups, c_hat=c, h0=0.08, close=False
            ),
        )
    out.update(_residual_summaries(est))
    out["mfi"] = math.exp(-0.5 * (x2 - df) / n)
    out["ecvi"] = x2 / n + 2 * npar / n
    if est.fiml:
        out.update(_fiml_robust(est))
    return pd.Series(out, dtype=float, name="fit_measures")
