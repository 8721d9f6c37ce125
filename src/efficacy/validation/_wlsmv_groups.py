"""WLSMV across groups: the ordinal invariance ladder of Wu & Estabrook (2016).

Delta parameterization with factors identified by unit variances (as semTools'
``measEq.syntax(ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016")`` writes it). In group
``g`` the model implies, for item ``i`` with scale ``D_i``, intercept ``nu_i`` and
latent means ``alpha``,

- thresholds ``D_i (tau_ik - nu_i - (Lambda alpha)_i)``,
- correlations ``D_i D_j (Lambda Psi Lambda')_ij``.

The levels and what each frees in the groups after the first:

======================  ===============================  ==============================
level                   equal across groups              free beyond the first group
======================  ===============================  ==============================
configural              nothing                          (scales 1, intercepts 0)
thresholds              thresholds                       scales, intercepts
metric                  thresholds, loadings             scales, intercepts, variances
scalar                  thresholds, loadings, intercepts scales, variances, means
======================  ===============================  ==============================

Items may show different numbers of categories. Scales and intercepts are free only as
far as the thresholds held equal identify them: a binary item (one threshold) gets a
free intercept at the thresholds and metric levels and a free scale at the scalar
level, and an item whose thresholds are all freed (partial invariance) keeps scale 1
and intercept 0 in every group, as in the configural model.

Estimation as for one group (:mod:`._wlsmv`): DWLS weighted by ``N_g - 1``; robust
standard errors ``E^-1 B E^-1 / (N - G)`` with ``E = sum f_g Delta_g' W_g Delta_g`` and
``B = sum f_g Delta_g' W_g Gamma_g W_g Delta_g``; the scaled-shifted statistic from
``U Gamma`` over the stacked groups (``f_g W_g`` and ``Gamma_g / f_g`` blocks). The
Jacobian of the implied statistics is taken by central differences (step 1e-6).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

import efficacy.validation._fitindex as fx
from efficacy.validation._catml import robust_measures
from efficacy.validation._model import Param, ParamTable
from efficacy.validation._ordinal import OrdinalStats
from efficacy.validation._wlsmv import check_dwls_identified, scaled_test_measures

#: The ordinal ladder: level -> what is held equal across groups.
ORDINAL_LEVELS: dict[str, tuple[str, ...]] = {
    "configural": (),
    "thresholds": ("thresholds",),
    "metric": ("thresholds", "loadings"),
    "scalar": ("thresholds", "loadings", "intercepts"),
}


@dataclass(frozen=True)
class OrdinalGroupsModel:
    items: tuple[str, ...]
    factors: tuple[str, ...]
    n_groups: int
    params: tuple[Param, ...]
    n_free: int
    n_thresholds: tuple[int, ...]


def _identified(
    item: str, n_thresholds: int, equal: set[str], partial: Sequence[str]
) -> tuple[bool, bool]:
    """Whether the item's intercept and scale are free beyond the first group.

    Each threshold held equal across groups identifies one of them (semTools'
    ``Wu.Estabrook.2016`` rules): two or more equal thresholds free the scale and, unless
    the intercepts are held equal, the intercept; a single one frees the intercept, or the
    scale when the intercept is held equal (binary items, or all thresholds but one
    freed); none (configural, or every threshold freed) fixes both at 0 and 1.
    """
    held = "thresholds" in equal
    n_equal = sum(held and f"{item}|t{k + 1}" not in partial for k in range(n_thresholds))
    nu_equal = "intercepts" in equal and f"{item}~1" not in partial
    if n_equal >= 2:
        return not nu_equal, True
    if n_equal == 1:
        return not nu_equal, nu_equal
    return False, False


def build_ordinal_groups(
    factors: Mapping[str, Sequence[str]],
    n_thresholds: Sequence[int],
    n_groups: int,
    equal: Sequence[str],
    partial: Sequence[str] = (),
    std_lv: bool = True,
    residual_covariances: Sequence[tuple[str, str]] = (),
) -> OrdinalGroupsModel:
    """The parameter table of one level of the ladder (see the module table).

    ``partial`` names the parameters exempt from the equality constraints, as lavaan
    writes them (``"x3|t1"``, ``"x3~1"``, ``"F=~x3"``); the items' intercepts and scales
    follow from the thresholds still held equal (:func:`_identified`).

    ``std_lv=False`` (configural level only) fixes each factor's first loading to 1 and
    frees the factor variances in every group, lavaan's default for ``cfa(group = ...,
    ordered = ...)``; the fit is the same. An item under several factors loads on each;
    ``residual_covariances`` are pairs of latent responses whose residuals covary, free
    in every group at every level.
    """
    if not std_lv and equal:
        raise ValueError("marker identification is available for the configural level")
    names = tuple(factors)
    items = tuple(dict.fromkeys(i for f in names for i in factors[f]))
    pos = {item: k for k, item in enumerate(items)}
    equal = set(equal)
    table = ParamTable(partial)

    def add(lhs, op, rhs, g, kind, row, col, *, fixed=None, eq=False):
        table.add(lhs, op, rhs, g, kind, row, col, fixed=fixed, eq_key="equal" if eq else None)

    for g in range(n_groups):
        later = g > 0
        for j, name in enumerate(names):
            for k, item in enumerate(factors[name]):
                add(
                    name,
                    "=~",
                    item,
                    g,
                    "lambda",
                    pos[item],
                    j,
                    eq="loadings" in equal,
                    fixed=1.0 if (k == 0 and not std_lv) else None,
                )
        for a, b in residual_covariances:
            add(a, "~~", b, g, "theta", pos[b], pos[a])
        for i, item in enumerate(items):
            for k in range(n_thresholds[i]):
                add(item, "|", f"t{k + 1}", g, "tau", i, k, eq="thresholds" in equal)
        for j, name in enumerate(names):
            free_var = (later and "loadings" in equal) or not std_lv
            add(name, "~~", name, g, "psi", j, j, fixed=None if free_var else 1.0)
        for j in range(len(names)):
            for k in range(j + 1, len(names)):
                add(names[j], "~~", names[k], g, "psi", j, k)
        free_nu, free_scale = zip(
            *(_identified(item, n_thresholds[i], equal, partial) for i, item in enumerate(items)),
            strict=True,
        )
        for i, item in enumerate(items):
            add(item, "~1", "", g, "nu", i, 0, fixed=None if later and free_nu[i] else 0.0)
        for j, name in enumerate(names):
            free_mean = later and "intercepts" in equal
            add(name, "~1", "", g, "alpha", j, 0, fixed=None if free_mean else 0.0)
        for i, item in enumerate(items):
            free = later and free_scale[i]
            add(item, "~*~", item, g, "delta", i, i, fixed=None if free else 1.0)
    return OrdinalGroupsModel(
        items, names, n_groups, tuple(table.rows), table.n_free, tuple(n_thresholds)
    )


def table_matrices(
    params: Sequence[Param],
    n_items: int,
    n_factors: int,
    n_thresholds: Sequence[int],
    theta: np.ndarray,
    g: int,
):
    """The matrices of group ``g`` of a multi-group WLSMV parameter table at ``theta``.

    Returns loadings, factor covariances, residual covariances of the latent responses
    (``"theta"`` rows: the model's ``residual_covariances`` and, in the modification
    indices' extended table, the ones tested), thresholds, item intercepts, latent means
    and scales ``D``.
    """
    p, m = n_items, n_factors
    lam, psi, resid = np.zeros((p, m)), np.zeros((m, m)), np.zeros((p, p))
    tau = [np.zeros(k) for k in n_thresholds]
    nu, alpha, scale = np.zeros(p), np.zeros(m), np.ones(p)
    for par in params:
        if par.group != g:
            continue
        v = theta[par.free - 1] if par.free else par.value
        if par.kind == "lambda":
            lam[par.row, par.col] = v
        elif par.kind == "psi":
            psi[par.row, par.col] = psi[par.col, par.row] = v
        elif par.kind == "theta":
            resid[par.row, par.col] = resid[par.col, par.row] = v
        elif par.kind == "tau":
            tau[par.row][par.col] = v
        elif par.kind == "nu":
            nu[par.row] = v
        elif par.kind == "alpha":
            alpha[par.row] = v
        elif par.kind == "delta":
            scale[par.row] = v
        else:  # pragma: no cover - the tables hold only the kinds above
            raise ValueError(f"unknown parameter kind {par.kind!r}")
    return lam, psi, resid, tau, nu, alpha, scale


def _matrices(model: OrdinalGroupsModel, theta: np.ndarray, g: int):
    p, m = len(model.items), len(model.factors)
    lam, psi, _, tau, nu, alpha, scale = table_matrices(
        model.params, p, m, model.n_thresholds, theta, g
    )
    return lam, psi, tau, nu, alpha, scale


def residual_covariances(model: OrdinalGroupsModel, theta: np.ndarray, g: int) -> np.ndarray:
    """The residual covariances of the latent responses in group ``g`` (zero diagonal)."""
    p = len(model.items)
    out = np.zeros((p, p))
    for par in model.params:
        if par.group == g and par.kind == "theta":
            v = theta[par.free - 1] if par.free else par.value
            out[par.row, par.col] = out[par.col, par.row] = v
    return out


def implied(model: OrdinalGroupsModel, theta: np.ndarray, g: int, pairs) -> np.ndarray:
    lam, psi, tau, nu, alpha, scale = _matrices(model, theta, g)
    mu = nu + lam @ alpha
    ths = [scale[i] * (tau[i] - mu[i]) for i in range(len(tau))]
    common = lam @ psi @ lam.T + residual_covariances(model, theta, g)
    rows, cols = pairs
    return np.concatenate([*ths, scale[rows] * scale[cols] * common[rows, cols]])


def _jacobian(model, theta, g, pairs) -> np.ndarray:
    k = theta.size
    base = implied(model, theta, g, pairs)
    jac = np.zeros((base.size, k))
    used = {p.free - 1 for p in model.params if p.free and p.group == g}
    for j in used:
        h = 1e-6 * max(1.0, abs(theta[j]))
        up, down = theta.copy(), theta.copy()
        up[j] += h
        down[j] -= h
        jac[:, j] = (implied(model, up, g, pairs) - implied(model, down, g, pairs)) / (2 * h)
    return jac


@dataclass(frozen=True)
class GroupsEstimate:
    model: OrdinalGroupsModel
    stats: tuple[OrdinalStats, ...]
    theta: np.ndarray
    f_groups: np.ndarray
    vcov: np.ndarray
    converged: bool
    test: dict
    baseline: dict
    residuals: tuple[np.ndarray, ...]
    jacobians: tuple[np.ndarray, ...]
    weights: tuple[np.ndarray, ...]
    e_inv: np.ndarray


def _start(model: OrdinalGroupsModel, st: Sequence[OrdinalStats]) -> np.ndarray:
    theta = np.zeros(model.n_free)
    count = np.zeros(model.n_free)
    for par in model.params:
        if not par.free:
            continue
        s = st[par.group]
        if par.kind == "tau":
            value = s.thresholds[par.row][par.col]
        elif par.kind == "lambda":
            value = 0.7 if par.free else 1.0
        elif par.kind == "psi":
            value = 1.0 if par.row == par.col else 0.0
        elif par.kind == "delta":
            value = 1.0
        else:
            value = 0.0
        theta[par.free - 1] += value
        count[par.free - 1] += 1
    return theta / np.maximum(count, 1)


def _scaled_shifted(ws, jacs, gammas, fg, e_inv, df, x2):
    parts = []
    for w, jac, gam, f in zip(ws, jacs, gammas, fg, strict=True):
        parts.append((f * w, jac, gam / f))
    v_all = np.concatenate([p[0] for p in parts])
    j_all = np.vstack([p[1] for p in parts])
    sizes = [len(p[0]) for p in parts]
    g_all = np.zeros((sum(sizes), sum(sizes)))
    start = 0
    for (_, _, gam), size in zip(parts, sizes, strict=True):
        g_all[start : start + size, start : start + size] = gam
        start += size
    vgv = v_all[:, None] * g_all * v_all[None, :]
    ug = g_all * v_all[None, :] - j_all @ e_inv @ j_all.T @ vgv
    tr1 = float(np.trace(ug))
    tr2 = float(np.sum(ug * ug.T))
    a = math.sqrt(df / tr2)
    b = df - a * tr1
    return {"chisq": x2, "df": df, "stat": a * x2 + b, "scaling": 1 / a, "shift": b}


def fit_groups(model: OrdinalGroupsModel, st: Sequence[OrdinalStats], max_iter: int = 200):
    """DWLS across groups, standard errors, scaled-shifted test and baseline."""
    pairs = st[0].pairs
    ws = [1.0 / np.diag(s.gamma) for s in st]
    nobs = np.array([s.n for s in st], dtype=float)
    n_total = nobs.sum()
    fg = nobs / n_total
    theta = _start(model, st)

    def evaluate(th):
        total, grad, hess, res, jacs = 0.0, np.zeros(th.size), np.zeros((th.size, th.size)), [], []
        for g, s in enumerate(st):
            r = s.s - implied(model, th, g, pairs)
            jac = _jacobian(model, th, g, pairs)
            wj = ws[g][:, None] * jac
            total += (s.n - 1) * float(r @ (ws[g] * r))
            grad += (s.n - 1) * (wj.T @ r)
            hess += (s.n - 1) * (jac.T @ wj)
            res.append(r)
            jacs.append(jac)
        return total, grad, hess, res, jacs

    f, grad, hess, res, jacs = evaluate(theta)
    check_dwls_identified(hess, model.params, sum(len(s.s) for s in st), len(st))
    converged = False
    for _ in range(max_iter):
        step = np.linalg.solve(hess, grad)
        scale = 1.0
        for _ in range(40):
            cand = theta + scale * step
            f_new = sum(
                (s.n - 1) * float(np.sum(ws[g] * (s.s - implied(model, cand, g, pairs)) ** 2))
                for g, s in enumerate(st)
            )
            if f_new <= f + 1e-12 * max(1.0, f):
                break
            scale /= 2
        else:
            break
        change = f - f_new
        theta = cand
        f, grad, hess, res, jacs = evaluate(theta)
        if np.max(np.abs(grad)) / n_total < 1e-10 or (change < 1e-12 and scale == 1):
            converged = True
            break
    if np.max(np.abs(grad)) / n_total > 1e-6:
        converged = False
    e = sum(fg[g] * jacs[g].T @ (ws[g][:, None] * jacs[g]) for g in range(len(st)))
    b = sum(
        fg[g] * (ws[g][:, None] * jacs[g]).T @ st[g].gamma @ (ws[g][:, None] * jacs[g])
        for g in range(len(st))
    )
    e_inv = np.linalg.inv(e)
    vcov = e_inv @ b @ e_inv / (n_total - len(st))
    f_groups = np.array([float(r @ (ws[g] * r)) for g, r in enumerate(res)])
    x2 = float(np.sum((nobs - 1) * f_groups))
    df = len(st) * len(st[0].s) - model.n_free
    test = _scaled_shifted(ws, jacs, [s.gamma for s in st], fg, e_inv, df, x2)
    # baseline: thresholds free in every group, correlations zero
    n_th = st[0].n_thresholds
    base_jacs = []
    k_total = n_th * len(st)
    for g in range(len(st)):
        jac = np.zeros((len(st[g].s), k_total))
        jac[:n_th, g * n_th : (g + 1) * n_th] = np.eye(n_th)
        base_jacs.append(jac)
    e0 = sum(fg[g] * base_jacs[g].T @ (ws[g][:, None] * base_jacs[g]) for g in range(len(st)))
    x2_null = float(
        sum((s.n - 1) * np.sum(ws[g][n_th:] * s.s[n_th:] ** 2) for g, s in enumerate(st))
    )
    baseline = _scaled_shifted(
        ws,
        base_jacs,
        [s.gamma for s in st],
        fg,
        np.linalg.inv(e0),
        len(st) * len(st[0].s) - k_total,
        x2_null,
    )
    return GroupsEstimate(
        model,
        tuple(st),
        theta,
        f_groups,
        vcov,
        converged,
        test,
        baseline,
        tuple(res),
        tuple(jacs),
        tuple(ws),
        e_inv,
    )


def scaled_shifted_difference(free: GroupsEstimate, restricted: GroupsEstimate) -> dict:
    """lavaan's ``lavTestLRT`` for WLSMV: Satorra (2000), scaled and shifted.

    ``A`` spans the restrictions: the orthogonal complement of
    ``pinv(Delta_free) Delta_restricted`` (each model's Jacobian at its own estimates);
    with ``P`` the expected information of the less restricted model and
    ``Q = P^-1 A' (A P^-1 A')^+ A P^-1``, ``U = V Delta Q Delta' V``; then
    ``a = sqrt(m / tr((U Gamma)^2))``, ``b = m - a tr(U Gamma)`` and the statistic
    ``a (T_restricted - T_free) + b`` on ``m`` degrees of freedom.
    """
    t1, t0 = free.test, restricted.test
    m = t0["df"] - t1["df"]
    if m <= 0:
        return {"chisq_diff": t0["chisq"] - t1["chisq"], "df_diff": m, "p_diff": math.nan}
    d1 = np.vstack(free.jacobians)
    d0 = np.vstack(restricted.jacobians)
    h = np.linalg.pinv(d1) @ d0
    q_full, r = np.linalg.qr(h, mode="complete")
    rank = int(np.sum(np.abs(np.diag(r)) > 1e-10 * max(1.0, np.abs(r).max())))
    a_mat = q_full[:, rank:].T
    p_inv = free.e_inv
    apa = a_mat @ p_inv @ a_mat.T
    q = p_inv @ a_mat.T @ np.linalg.pinv(apa) @ a_mat @ p_inv
    nobs = np.array([s.n for s in free.stats], dtype=float)
    fg = nobs / nobs.sum()
    v_all = np.concatenate(free.weights)
    sizes = [len(w) for w in free.weights]
    g_all = np.zeros((sum(sizes), sum(sizes)))
    start = 0
    for f, st, size in zip(fg, free.stats, sizes, strict=True):
        g_all[start : start + size, start : start + size] = f * st.gamma
        start += size
    u = v_all[:, None] * (d1 @ q @ d1.T) * v_all[None, :]
    ug = u @ g_all
    tr1 = float(np.trace(ug))
    tr2 = float(np.sum(ug * ug.T))
    a = math.sqrt(m / tr2)
    b = m - a * tr1
    stat = (t0["chisq"] - t1["chisq"]) * a + b
    return {"chisq_diff": stat, "df_diff": m, "p_diff": float(stats.chi2.sf(stat, m))}


def groups_fit_measures(est: GroupsEstimate) -> pd.Series:
    """lavaan's ``fitMeasures`` for a multi-group WLSMV fit (robust: Savalei 2021)."""
    t, b = est.test, est.baseline
    x2, df, x2s = t["chisq"], t["df"], t["stat"]
    groups = len(est.stats)
    n_total = sum(s.n for s in est.stats)
    n = n_total - groups
    out = {
        "npar": len({p.free for p in est.model.params if p.free}),
        "fmin": float(
            sum(
                s.n / n_total * 0.5 * (s.n - 1) / s.n * f
                for s, f in zip(est.stats, est.f_groups, strict=True)
            )
        ),
        **scaled_test_measures(t, b),
        "rmsea": fx.rmsea(x2, df, n, groups),
        "rmsea_scaled": fx.rmsea(x2s, df, n, groups),
    }
    lo, up = fx.rmsea_ci(x2, df, n, groups)
    lo_s, up_s = fx.rmsea_ci(x2s, df, n, groups)
    out.update(
        rmsea_ci_lower=lo, rmsea_ci_upper=up, rmsea_ci_lower_scaled=lo_s, rmsea_ci_upper_scaled=up_s
    )
    p = est.stats[0].rho.shape[0]
    n_th = est.stats[0].n_thresholds
    srmr = 0.0
    for s, r in zip(est.stats, est.residuals, strict=True):
        srmr += s.n / n_total * math.sqrt(float(np.sum(r[n_th:] ** 2)) / (p * (p + 1) / 2))
    out["srmr"] = srmr
    cors = []
    for s, r in zip(est.stats, est.residuals, strict=True):
        rows, cols = s.pairs
        cor = np.eye(p)
        cor[rows, cols] = cor[cols, rows] = s.s[n_th:] - r[n_th:]
        cors.append(cor)
    robust = robust_measures(est.stats, cors, est.jacobians, est.weights, est.e_inv, df)
    if any(p.kind == "delta" and p.free for p in est.model.params):
        # lavaan 0.6-14 cannot build its catML model once thresholds are held equal (free
        # scales): it reports NA, and so do we
        robust = dict.fromkeys(robust, math.nan)
    out.update(robust)
    return pd.Series(out, dtype=float, name="fit_measures")


def groups_parameters(est: GroupsEstimate, labels: Sequence) -> pd.DataFrame:
    se = np.sqrt(np.clip(np.diag(est.vcov), 0, None))
    rows = []
    for par in est.model.params:
        value = est.theta[par.free - 1] if par.free else par.value
        rows.append(
            {
                "lhs": par.lhs,
                "op": par.op,
                "rhs": par.rhs,
                "group": labels[par.group],
                "free": par.free > 0,
                "est": value,
                "se": float(se[par.free - 1]) if par.free else 0.0,
            }
        )
    return pd.DataFrame(rows)
