"""Modification indices (score tests) of parameters fixed at zero, as lavaan's ``modindices``.

Every cross-loading and residual covariance left out of the model is added as a free
parameter at 0. With ``g`` the gradient of lavaan's ``fmin`` and ``I`` the expected
information (per observation) of the extended model at the estimates,

``mi = N g_j^2 / V_jj``, ``V = I_ee - I_em I_mm^-1 I_me``, ``epc = -g_j / V_jj``,

``sepc_all`` the EPC standardized like the parameter (a residual covariance by the
residual standard deviations).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from efficacy.validation._ml import _evaluate, implied
from efficacy.validation._model import Model, Param
from efficacy.validation._warnings import ModelError


def _extended(model: Model) -> tuple[Model, list[Param]]:
    params = list(model.params)
    free = model.n_free
    extra: list[Param] = []
    for g in range(model.n_groups):
        present = {(p.kind, p.row, p.col) for p in model.params if p.group == g}
        for j, name in enumerate(model.factors):
            for i, item in enumerate(model.items):
                if ("lambda", i, j) not in present:
                    free += 1
                    extra.append(Param(name, "=~", item, g, free, 0.0, "lambda", i, j))
        for j in range(len(model.items)):
            for i in range(j + 1, len(model.items)):
                if ("theta", i, j) not in present and ("theta", j, i) not in present:
                    free += 1
                    extra.append(
                        Param(model.items[j], "~~", model.items[i], g, free, 0.0, "theta", i, j)
                    )
    ext = Model(
        items=model.items,
        factors=model.factors,
        n_groups=model.n_groups,
        meanstructure=model.meanstructure,
        params=tuple(params + extra),
    )
    return ext, extra


def modification_indices(est, group_labels) -> pd.DataFrame:
    """Every omitted cross-loading and residual covariance with mi, epc and sepc_all."""
    if est.fiml:
        raise ModelError("modification indices are available for complete data only")
    model = est.model
    ext, extra = _extended(model)
    if not extra:
        return pd.DataFrame(columns=["lhs", "op", "rhs", "mi", "epc", "sepc_all"])
    theta = np.concatenate([est.ml.theta, np.zeros(len(extra))])
    state = _evaluate(ext, theta, est.data)
    grad = state.grad / 2.0
    info = state.info / 2.0
    k = model.n_free
    i_mm, i_em = info[:k, :k], info[k:, :k]
    v = np.diag(info[k:, k:] - i_em @ np.linalg.solve(i_mm, i_em.T))
    v = np.where(v < np.finfo(float).eps ** (1 / 3), np.nan, v)
    g_e = grad[k:]
    mi = est.n_total * g_e**2 / v
    epc = -g_e / v
    rows = []
    for par, m_i, e_i in zip(extra, mi, epc, strict=True):
        mats = model.matrices(est.ml.theta, par.group)
        sigma = implied(model, est.ml.theta, par.group, est.data[par.group]).sigma
        if par.kind == "lambda":
            sepc = e_i * np.sqrt(mats["psi"][par.col, par.col]) / np.sqrt(sigma[par.row, par.row])
        else:
            th = mats["theta"]
            sepc = e_i / np.sqrt(th[par.row, par.row] * th[par.col, par.col])
        row = {"lhs": par.lhs, "op": par.op, "rhs": par.rhs}
        if model.n_groups > 1:
            row["group"] = group_labels[par.group]
        row.update(mi=m_i, epc=e_i, sepc_all=sepc)
        rows.append(row)
    return pd.DataFrame(rows)


def ordinal_modification_indices(est) -> pd.DataFrame:
    """Modification indices of a one-group WLSMV fit, as lavaan's ``modindices``.

    Cross-loadings and residual correlations of the latent responses are added at 0;
    with the DWLS information ``E = Delta' W Delta`` of the extended model and the
    gradient of lavaan's ``fmin`` (``-(N - 1) / N Delta' W (s - sigma)``),
    ``mi = N g^2 / V`` and ``epc = -g / V`` as for ML.
    """
    from efficacy.validation._wlsmv import _unpack, implied_and_jacobian

    om, st = est.model, est.stats
    lam, psi, _ = _unpack(om, est.theta)
    sigma, jac, star = implied_and_jacobian(om, est.theta, st)
    rows, cols = st.pairs
    n_th = st.n_thresholds
    items, factors = om.base.items, om.base.factors
    lam_psi = lam @ psi
    names, columns = [], []
    for j, factor in enumerate(factors):
        for i, item in enumerate(items):
            if not any(p.kind == "lambda" and p.row == i and p.col == j for p in om.params):
                d = np.zeros((len(items), len(items)))
                d[i, :] += lam_psi[:, j]
                d[:, i] += lam_psi[:, j]
                names.append((factor, "=~", item, "lambda", i, j))
                columns.append(d[rows, cols])
    for k, (i, j) in enumerate(zip(rows, cols, strict=True)):
        unit = np.zeros(len(rows))
        unit[k] = 1.0
        names.append((items[j], "~~", items[i], "theta", i, j))
        columns.append(unit)
    extra = np.zeros((len(st.s), len(names)))
    extra[n_th:] = np.array(columns).T
    full = np.hstack([jac, extra])
    w = 1.0 / np.diag(st.gamma)
    info = full.T @ (w[:, None] * full)
    grad = -(st.n - 1) / st.n * (full.T @ (w * (st.s - sigma)))
    k = jac.shape[1]
    v = np.diag(info[k:, k:] - info[k:, :k] @ np.linalg.solve(info[:k, :k], info[:k, k:]))
    v = np.where(v < np.finfo(float).eps ** (1 / 3), np.nan, v)
    g = grad[k:]
    mi = st.n * g**2 / v
    epc = -g / v
    resid = 1.0 - np.diag(star)
    out = []
    for (lhs, op, rhs, kind, i, j), m_i, e_i in zip(names, mi, epc, strict=True):
        scale = np.sqrt(psi[j, j]) if kind == "lambda" else 1 / np.sqrt(resid[i] * resid[j])
        out.append(
            {"lhs": lhs, "op": op, "rhs": rhs, "mi": m_i, "epc": e_i, "sepc_all": e_i * scale}
        )
    return pd.DataFrame(out)
