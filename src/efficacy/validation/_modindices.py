"""Modification indices (score tests) of fixed and omitted parameters, as lavaan's
``modindices``.

As lavaan 0.6-14 does, every fixed parameter of the model (a marker loading, a latent
mean or variance fixed for identification) is freed at its value, and every
cross-loading and residual covariance left out of the model is added as a free
parameter at 0. With ``g`` the gradient of lavaan's ``fmin`` and ``I`` the expected
information (per observation) of the extended model at the estimates,

``mi = N g_j^2 / V_jj``, ``V = I_ee - I_em I_mm^-1 I_me``, ``epc = -g_j / V_jj``,

``sepc_all`` the EPC standardized like the parameter (a residual covariance by the
residual standard deviations). A parameter whose ``V_jj`` is below ``eps^(1/3)`` cannot
be tested (freeing it leaves the model unidentified) and is left out, as lavaan
leaves it out. Equality constraints are not released (lavaan's ``lavTestScore`` does
that, ``modindices`` does not).

Under FIML the information is the expected information of the case-wise likelihood
(summed over missing-data patterns at the model-implied moments), which is what
``modindices`` uses although lavaan fits such a model with the observed information.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from efficacy.validation._fiml import evaluate_fiml
from efficacy.validation._ml import _evaluate, implied
from efficacy.validation._model import Model, Param
from efficacy.validation._warnings import ModelError

#: The columns of a modification-index table (``group`` after ``rhs`` with groups).
COLUMNS = ["lhs", "op", "rhs", "mi", "epc", "sepc_all"]


def score_tests(
    info: np.ndarray, grad: np.ndarray, n_model: int, n_obs: float
) -> tuple[np.ndarray, np.ndarray]:
    """``mi`` and ``epc`` of the parameters after the first ``n_model`` (NaN where
    ``V_jj < eps^(1/3)``).

    ``info`` is the expected information per observation of the extended model and
    ``grad`` the gradient of ``fmin`` (both in the extended parameters).
    """
    k = n_model
    i_mm, i_em = info[:k, :k], info[k:, :k]
    try:
        v = np.diag(info[k:, k:] - i_em @ np.linalg.solve(i_mm, i_em.T))
    except np.linalg.LinAlgError as exc:
        raise ModelError(
            "modification indices are not available: the information matrix of the "
            "model is singular"
        ) from exc
    v = np.where(v < np.finfo(float).eps ** (1 / 3), np.nan, v)
    g = grad[k:]
    return n_obs * g**2 / v, -g / v


def extend_params(
    params: Sequence[Param],
    items: Sequence[str],
    factors: Sequence[str],
    n_groups: int,
    n_free: int,
) -> tuple[list[Param], list[Param], list[Param]]:
    """The rows of a parameter table with its fixed parameters freed, and the omitted
    cross-loadings and residual covariances of every group to add at 0.

    Returns the table's rows (fixed ones given the free indices after ``n_free``), the
    freed rows and the added rows (in lavaan's order, numbered after the freed ones).
    """
    free = n_free
    rows: list[Param] = []
    freed: list[Param] = []
    for par in params:
        if not par.free:
            free += 1
            par = replace(par, free=free)
            freed.append(par)
        rows.append(par)
    added: list[Param] = []
    for g in range(n_groups):
        present = {(p.kind, p.row, p.col) for p in params if p.group == g}
        for j, name in enumerate(factors):
            for i, item in enumerate(items):
                if ("lambda", i, j) not in present:
                    free += 1
                    added.append(Param(name, "=~", item, g, free, 0.0, "lambda", i, j))
        for j in range(len(items)):
            for i in range(j + 1, len(items)):
                if ("theta", i, j) not in present and ("theta", j, i) not in present:
                    free += 1
                    added.append(Param(items[j], "~~", items[i], g, free, 0.0, "theta", i, j))
    return rows, freed, added


def _extended(model: Model) -> tuple[Model, list[Param]]:
    """The model with its fixed parameters freed and the omitted cross-loadings and
    residual covariances added; the freed and added rows (in lavaan's order)."""
    params, freed, added = extend_params(
        model.params, model.items, model.factors, model.n_groups, model.n_free
    )
    ext = Model(
        items=model.items,
        factors=model.factors,
        n_groups=model.n_groups,
        meanstructure=model.meanstructure,
        params=tuple(params + added),
    )
    return ext, freed + added


def _standardized(model: Model, theta: np.ndarray, est, par: Param, epc: float) -> float:
    """lavaan's ``sepc.all`` of one freed or added parameter."""
    mats = model.matrices(theta, par.group)
    psi, th = mats["psi"], mats["theta"]
    if par.kind == "lambda":
        sigma = implied(model, theta, par.group, est.data[par.group]).sigma
        return float(epc * np.sqrt(psi[par.col, par.col] / sigma[par.row, par.row]))
    if par.kind == "theta" and par.row != par.col:
        return float(epc / np.sqrt(th[par.row, par.row] * th[par.col, par.col]))
    if par.kind == "nu":
        sigma = implied(model, theta, par.group, est.data[par.group]).sigma
        return float(epc / np.sqrt(sigma[par.row, par.row]))
    if par.kind == "alpha":
        return float(epc / np.sqrt(psi[par.row, par.row]))
    if par.kind == "psi" and par.row != par.col:
        return float(epc / np.sqrt(psi[par.row, par.row] * psi[par.col, par.col]))
    # a variance: lavaan standardizes the current value instead of the EPC (cov.std)
    return float(np.sign(epc))


def modification_indices(est, group_labels) -> pd.DataFrame:
    """Every fixed or omitted parameter that can be tested, with mi, epc and sepc_all
    (an ML or MLR fit, complete data or FIML)."""
    model = est.model
    ext, extra = _extended(model)
    columns = COLUMNS[:3] + (["group"] if model.n_groups > 1 else []) + COLUMNS[3:]
    if not extra:
        return pd.DataFrame(columns=columns)
    start = np.array([p.value for p in extra])
    theta = np.concatenate([est.ml.theta, start])
    state = (evaluate_fiml if est.fiml else _evaluate)(ext, theta, est.data)
    if state is None:  # pragma: no cover - the fitted Sigma is positive definite
        raise ModelError("modification indices: the implied covariance matrix is singular")
    mi, epc = score_tests(state.info / 2.0, state.grad / 2.0, model.n_free, est.n_total)
    rows = []
    for par, m_i, e_i in zip(extra, mi, epc, strict=True):
        if np.isnan(m_i):
            continue
        row = {"lhs": par.lhs, "op": par.op, "rhs": par.rhs}
        if model.n_groups > 1:
            row["group"] = group_labels[par.group]
        row.update(mi=m_i, epc=e_i, sepc_all=_standardized(model, est.ml.theta, est, par, e_i))
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)


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
    present = {frozenset((p.row, p.col)) for p in om.params if p.kind == "theta"}
    for k, (i, j) in enumerate(zip(rows, cols, strict=True)):
        if frozenset((i, j)) in present:
            continue
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
    mi, epc = score_tests(info, grad, jac.shape[1], st.n)
    resid = 1.0 - np.diag(star)
    out = []
    for (lhs, op, rhs, kind, i, j), m_i, e_i in zip(names, mi, epc, strict=True):
        if np.isnan(m_i):
            continue
        scale = np.sqrt(psi[j, j]) if kind == "lambda" else 1 / np.sqrt(resid[i] * resid[j])
        out.append(
            {"lhs": lhs, "op": op, "rhs": rhs, "mi": m_i, "epc": e_i, "sepc_all": e_i * scale}
        )
    return pd.DataFrame(out, columns=COLUMNS)
