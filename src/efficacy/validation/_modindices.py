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
                    extra.append(Param(model.items[j], "~~", model.items[i], g, free, 0.0,
                                       "theta", i, j))
    ext = Model(items=model.items, factors=model.factors, n_groups=model.n_groups,
                meanstructure=model.meanstructure, params=tuple(params + extra))
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
