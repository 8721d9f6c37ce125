"""Modification indices of a multi-group WLSMV fit, as lavaan 0.6-14's ``modindices``.

The model is the delta parameterization of :mod:`._wlsmv_groups`: in group ``g`` the
thresholds ``D_i (tau_ik - nu_i - (Lambda alpha)_i)`` and the correlations
``D_i D_j (Lambda Psi Lambda' + Theta)_ij`` of the latent responses. As for one group
(:mod:`._modindices`), every fixed parameter (marker loadings, factor variances,
intercepts, latent means and scales fixed for identification) is freed at its value
and every omitted cross-loading and residual covariance ``Theta_ij`` is added at 0.
With the Jacobians ``J_g`` of the extended model, the DWLS weights ``W_g`` and
``f_g = N_g / N``,

``I = sum_g f_g J_g' W_g J_g``, ``grad = -sum_g f_g (N_g - 1) / N_g J_g' W_g (s_g -
sigma_g)``, ``mi = N g_j^2 / V_jj`` and ``epc = -g_j / V_jj``

with ``V = I_ee - I_em I_mm^-1 I_me`` over the model's free parameters (equality
constraints are kept, not released). Parameters whose ``V_jj`` is below
``eps^(1/3)`` (freeing them leaves the model unidentified) are left out, as lavaan
leaves them out. The Jacobians are analytic.

The fit carries what the score tests need (the model, the groups' sample statistics
and the estimates) as its estimation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from efficacy.validation._model import Param
from efficacy.validation._modindices import COLUMNS, score_tests
from efficacy.validation._ordinal import OrdinalStats


@dataclass(frozen=True)
class GroupsState:
    """A multi-group WLSMV fit: its parameter table (``model``, as
    :func:`._wlsmv_groups.build_ordinal_groups` writes it), the groups' sample
    statistics and the estimates ``theta``."""

    model: object
    stats: tuple[OrdinalStats, ...]
    theta: np.ndarray


@dataclass(frozen=True)
class _Table:
    params: tuple[Param, ...]
    n_items: int
    n_factors: int
    n_thresholds: tuple[int, ...]


def _matrices(table: _Table, theta: np.ndarray, g: int):
    p, m = table.n_items, table.n_factors
    lam, psi, resid = np.zeros((p, m)), np.zeros((m, m)), np.zeros((p, p))
    tau = [np.zeros(k) for k in table.n_thresholds]
    nu, alpha, scale = np.zeros(p), np.zeros(m), np.ones(p)
    for par in table.params:
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


def group_matrices(model, theta: np.ndarray, g: int):
    """Loadings, factor covariances, thresholds ``tau`` and scales ``D`` of group ``g``
    of a multi-group WLSMV parameter table."""
    lam, psi, _, tau, _, _, scale = _matrices(param_table(model, model.params), theta, g)
    return lam, psi, tau, scale


def _implied(table: _Table, theta: np.ndarray, g: int, pairs) -> np.ndarray:
    lam, psi, resid, tau, nu, alpha, scale = _matrices(table, theta, g)
    mu = nu + lam @ alpha
    ths = [scale[i] * (tau[i] - mu[i]) for i in range(len(tau))]
    cov = lam @ psi @ lam.T + resid
    rows, cols = pairs
    return np.concatenate([*ths, scale[rows] * scale[cols] * cov[rows, cols]])


def _jacobian(table: _Table, theta: np.ndarray, g: int, pairs) -> np.ndarray:
    """Analytic derivatives of :func:`_implied` in the free parameters."""
    lam, psi, resid, tau, nu, alpha, scale = _matrices(table, theta, g)
    mu = nu + lam @ alpha
    cov = lam @ psi @ lam.T + resid
    lam_psi = lam @ psi
    rows, cols = pairs
    p = len(scale)
    start = np.concatenate([[0], np.cumsum(table.n_thresholds)])
    n_th = int(start[-1])
    where = np.full((p, p), -1)
    where[rows, cols] = where[cols, rows] = n_th + np.arange(len(rows))
    d_ab = scale[rows] * scale[cols]
    jac = np.zeros((n_th + len(rows), theta.size))
    for par in table.params:
        if par.group != g or not par.free:
            continue
        col = np.zeros(jac.shape[0])
        i, j = par.row, par.col
        ths = slice(start[i], start[i + 1])
        if par.kind == "tau":
            col[start[i] + j] = scale[i]
        elif par.kind == "nu":
            col[ths] = -scale[i]
        elif par.kind == "alpha":
            for k in range(p):
                col[start[k] : start[k + 1]] = -scale[k] * lam[k, i]
        elif par.kind == "lambda":
            col[ths] = -scale[i] * alpha[j]
            dcov = np.zeros((p, p))
            dcov[i, :] += lam_psi[:, j]
            dcov[:, i] += lam_psi[:, j]
            col[n_th:] = d_ab * dcov[rows, cols]
        elif par.kind == "psi":
            outer = np.outer(lam[:, i], lam[:, j])
            dcov = outer if i == j else outer + outer.T
            col[n_th:] = d_ab * dcov[rows, cols]
        elif par.kind == "theta":
            col[where[i, j]] = scale[i] * scale[j]
        else:  # a scale D_i
            col[ths] = tau[i] - mu[i]
            d_scale = np.where(rows == i, scale[cols], 0.0) + np.where(cols == i, scale[rows], 0.0)
            col[n_th:] = d_scale * cov[rows, cols]
        jac[:, par.free - 1] += col
    return jac


def dwls_derivatives(
    table: _Table, theta: np.ndarray, stats: Sequence[OrdinalStats]
) -> tuple[np.ndarray, np.ndarray]:
    """Gradient of lavaan's ``fmin`` and the expected information (per observation)."""
    n_total = sum(s.n for s in stats)
    grad = np.zeros(theta.size)
    info = np.zeros((theta.size, theta.size))
    for g, st in enumerate(stats):
        w = 1.0 / np.diag(st.gamma)
        jac = _jacobian(table, theta, g, st.pairs)
        resid = st.s - _implied(table, theta, g, st.pairs)
        f_g = st.n / n_total
        grad -= f_g * (st.n - 1) / st.n * (jac.T @ (w * resid))
        info += f_g * jac.T @ (w[:, None] * jac)
    return grad, info


def param_table(model, params: Sequence[Param]) -> _Table:
    """``params`` with the item, factor and threshold counts of ``model``."""
    return _Table(tuple(params), len(model.items), len(model.factors), model.n_thresholds)


def _extended(model) -> tuple[_Table, list[Param]]:
    free = max((p.free for p in model.params), default=0)
    params: list[Param] = []
    freed: list[Param] = []
    for par in model.params:
        if not par.free:
            free += 1
            par = replace(par, free=free)
            freed.append(par)
        params.append(par)
    added: list[Param] = []
    items, factors = model.items, model.factors
    for g in range(model.n_groups):
        present = {(p.kind, p.row, p.col) for p in model.params if p.group == g}
        for j, name in enumerate(factors):
            for i, item in enumerate(items):
                if ("lambda", i, j) not in present:
                    free += 1
                    added.append(Param(name, "=~", item, g, free, 0.0, "lambda", i, j))
        for a in range(len(items)):
            for b in range(a + 1, len(items)):
                if ("theta", b, a) in present or ("theta", a, b) in present:
                    continue
                free += 1
                added.append(Param(items[a], "~~", items[b], g, free, 0.0, "theta", b, a))
    return param_table(model, params + added), freed + added


def _standardized(model, theta: np.ndarray, par: Param, epc: float) -> float:
    """lavaan's ``sepc.all``: the latent responses have standard deviations ``1 / D``."""
    lam, psi, _, _, _, _, scale = _matrices(param_table(model, model.params), theta, par.group)
    if par.kind == "lambda":
        return float(epc * np.sqrt(psi[par.col, par.col]) * scale[par.row])
    if par.kind == "theta":
        common = np.diag(lam @ psi @ lam.T)
        resid = 1.0 / scale**2 - common
        return float(epc / np.sqrt(resid[par.row] * resid[par.col]))
    if par.kind == "nu":
        return float(epc * scale[par.row])
    if par.kind == "alpha":
        return float(epc / np.sqrt(psi[par.row, par.row]))
    if par.kind == "psi" and par.row != par.col:
        return float(epc / np.sqrt(psi[par.row, par.row] * psi[par.col, par.col]))
    # a variance or a scale: lavaan standardizes the current value (cov.std), not the EPC
    return float(np.sign(epc))


def groups_modification_indices(state, group_labels: Sequence) -> pd.DataFrame:
    """Every fixed or omitted parameter of a multi-group WLSMV fit that can be tested."""
    model = state.model
    table, extra = _extended(model)
    n_model = max((p.free for p in model.params), default=0)
    theta = np.concatenate([state.theta, [p.value for p in extra]])
    grad, info = dwls_derivatives(table, theta, state.stats)
    mi, epc = score_tests(info, grad, n_model, sum(s.n for s in state.stats))
    rows = []
    for par, m_i, e_i in zip(extra, mi, epc, strict=True):
        if np.isnan(m_i):
            continue
        rows.append(
            {
                "lhs": par.lhs,
                "op": par.op,
                "rhs": par.rhs,
                "group": group_labels[par.group],
                "mi": m_i,
                "epc": e_i,
                "sepc_all": _standardized(model, state.theta, par, e_i),
            }
        )
    return pd.DataFrame(rows, columns=[*COLUMNS[:3], "group", *COLUMNS[3:]])
