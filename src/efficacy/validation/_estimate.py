"""One ML or MLR estimation: estimates, standard errors, test statistics, honest state.

``estimate()`` runs :func:`fit_ml` on a parameter table and adds what lavaan 0.6-14
reports for that estimator:

- ML: standard errors from the expected information; the chi-square ``N F``.
- MLR: Huber-White (sandwich) standard errors with the observed information as bread
  and the case-wise scores at the model-implied moments as meat; the Yuan-Bentler
  scaled chi-square in lavaan's Mplus variant (``tr(U Gamma)`` from the unrestricted
  information and scores, less the model part), which is what ``estimator = "MLR"``
  reports.

Under FIML (:mod:`._fiml`) ML uses the observed information, as lavaan does with
``missing = "ml"``. The independence (baseline) model is fitted the same way for CFI
and TLI; the tables are built by :mod:`._tables`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from efficacy.validation._fiml import (
    H1,
    MissingGroup,
    fiml_vcov,
    fit_fiml,
    fit_h1,
    robust_fiml,
)
from efficacy.validation._ml import (
    GroupData,
    MLEstimate,
    fit_ml,
    h1_trace,
    implied,
    observed_info,
    score_meat,
)
from efficacy.validation._model import Model, build_model
from efficacy.validation._warnings import FitWarning, ModelError


@dataclass(frozen=True)
class Estimation:
    """Everything one fitted model provides; the public result classes wrap it."""

    model: Model
    ml: MLEstimate
    estimator: str
    vcov: np.ndarray
    scaling: float  # Yuan-Bentler c (nan for ML)
    trace_ugamma: float
    scaling_h1: float
    scaling_h0: float
    baseline: Estimation | None
    data: tuple
    group_labels: tuple
    problems: tuple[str, ...]
    h1: H1 | None = None  # the saturated fit under FIML
    logl: float = math.nan  # under FIML

    @property
    def fiml(self) -> bool:
        return self.h1 is not None

    @property
    def n_total(self) -> int:
        return self.ml.n_total

    @property
    def df(self) -> int:
        return self.ml.df

    @property
    def chisq(self) -> float:
        return self.ml.chisq

    @property
    def chisq_scaled(self) -> float:
        return self.ml.chisq / self.scaling if self.estimator == "MLR" else math.nan


def _robust(
    model: Model,
    theta: np.ndarray,
    data: Sequence[GroupData],
    df: int,
    h1_cache: dict | None = None,
):
    """MLR: sandwich covariance and the Yuan-Bentler (Mplus) trace.

    ``h1_cache`` keeps the unrestricted-model traces, which depend on the data only (the
    baseline model reuses the model's).
    """
    n_total = sum(d.n for d in data)
    hess = observed_info(model, theta, data)
    e_inv = np.linalg.inv(hess)
    b0 = np.zeros_like(hess)
    trace_h1 = trace_h0 = 0.0
    ndat = 0
    for g, gd in enumerate(data):
        w = gd.n / n_total
        b0_g = score_meat(implied(model, theta, g, gd), gd, model.meanstructure)
        b0 += w * b0_g
        key = (g, model.meanstructure)
        if h1_cache is not None and key in h1_cache:
            h1, size = h1_cache[key]
        else:
            h1, size = h1_trace(gd, model.meanstructure)
            if h1_cache is not None:
                h1_cache[key] = (h1, size)
        trace_h1 += h1
        ndat += size
        trace_h0 += w * float(np.sum(b0_g * e_inv.T))
    vcov = e_inv @ b0 @ e_inv / n_total
    trace = trace_h1 - trace_h0
    # lavaan divides by the number of free rows, equality-constrained copies included
    n_rows = sum(1 for par in model.params if par.free)
    return vcov, trace, trace_h1 / ndat, trace_h0 / max(n_rows, 1)


def _check_state(model: Model, ml: MLEstimate, vcov_ok: bool) -> list[str]:
    problems = []
    if not ml.converged:
        problems.append(f"the optimiser did not converge ({ml.message})")
    for g in range(model.n_groups):
        mats = model.matrices(ml.theta, g)
        where = f" in group {g + 1}" if model.n_groups > 1 else ""
        for i, item in enumerate(model.items):
            if mats["theta"][i, i] < 0:
                problems.append(
                    f"Heywood case: residual variance {item}~~{item}{where} is negative "
                    f"({mats['theta'][i, i]:.4g})"
                )
        for j, name in enumerate(model.factors):
            if mats["psi"][j, j] < 0:
                problems.append(
                    f"factor variance {name}~~{name}{where} is negative ({mats['psi'][j, j]:.4g})"
                )
        if model.factors and np.all(np.diag(mats["psi"]) > 0):
            eig = np.linalg.eigvalsh(mats["psi"])
            if eig[0] <= 0:
                problems.append(
                    f"the latent covariance matrix{where} of {list(model.factors)} is not "
                    f"positive definite (smallest eigenvalue {eig[0]:.4g}): some factor "
                    "correlation is beyond +-1"
                )
    if not vcov_ok:
        problems.append("the information matrix could not be inverted: no standard errors")
    return problems


def _free_names(model: Model) -> list[str]:
    names: dict[int, str] = {}
    for par in model.params:
        if par.free and par.free not in names:
            group = f" (group {par.group + 1})" if model.n_groups > 1 else ""
            names[par.free] = f"{par.lhs}{par.op}{par.rhs}{group}"
    return [names[k] for k in sorted(names)]


def check_identified(model: Model, ml: MLEstimate) -> None:
    """Raise :class:`ModelError` naming the parameters of a singular information matrix."""
    info = ml.expected_info
    if info.size == 0:
        return
    # scale-free: the information in correlation form (parameters in their own units)
    scale = np.sqrt(np.clip(np.diag(info), 1e-300, None))
    eig, vec = np.linalg.eigh(info / np.outer(scale, scale))
    if eig[0] > 1e-9:
        return
    null = np.abs(vec[:, 0])
    names = _free_names(model)
    involved = [names[k] for k in np.argsort(-null) if null[k] > 0.1][:6]
    raise ModelError(
        "the model is not identified: the information matrix is singular "
        f"(smallest eigenvalue {eig[0]:.3g}); parameters involved: {involved}"
    )


def estimate(
    model: Model,
    data: Sequence[GroupData],
    estimator: str,
    *,
    group_labels: Sequence = (),
    baseline: bool = True,
    start: np.ndarray | None = None,
    h1_fit: H1 | None = None,
    max_iter: int = 500,
    h1_cache: dict | None = None,
) -> Estimation:
    """Fit ``model`` to ``data`` with ``estimator`` ("ML" or "MLR").

    ``data`` are :class:`GroupData` (complete rows) or :class:`MissingGroup` (FIML).
    """
    data = tuple(data)
    fiml = isinstance(data[0], MissingGroup)
    logl = math.nan
    if fiml:
        h1_fit = h1_fit or fit_h1(model.items, data)
        ml, logl = fit_fiml(model, data, h1_fit, max_iter=max_iter)
    else:
        ml = fit_ml(model, data, start=start, max_iter=max_iter)
    if baseline:  # the independence model is always identified
        check_identified(model, ml)
    n_total = ml.n_total
    scaling = trace = h1 = h0 = math.nan
    vcov_ok = True
    try:
        if fiml and estimator == "MLR":
            vcov, trace, h1, h0 = robust_fiml(model, ml.theta, data, h1_fit)
            scaling = trace / ml.df if ml.df > 0 else math.nan
        elif fiml:
            vcov = fiml_vcov(model, ml.theta, data)
        elif estimator == "MLR":
            h1_cache = {} if h1_cache is None else h1_cache
            vcov, trace, h1, h0 = _robust(model, ml.theta, data, ml.df, h1_cache)
            scaling = trace / ml.df if ml.df > 0 else math.nan
            if scaling < 0:
                scaling = math.nan
        else:
            vcov = np.linalg.inv(ml.expected_info) / n_total
    except np.linalg.LinAlgError:
        vcov = np.full((model.n_free, model.n_free), np.nan)
        vcov_ok = False
    base = None
    if baseline:
        base_model = build_model(
            {},
            n_groups=model.n_groups,
            meanstructure=model.meanstructure,
            independence=True,
            items=model.items,
        )
        base = estimate(
            base_model, data, estimator, baseline=False, h1_fit=h1_fit, h1_cache=h1_cache
        )
    problems = _check_state(model, ml, vcov_ok)
    return Estimation(
        model=model,
        ml=ml,
        estimator=estimator,
        vcov=vcov,
        scaling=scaling,
        trace_ugamma=trace,
        scaling_h1=h1,
        scaling_h0=h0,
        baseline=base,
        data=data,
        group_labels=tuple(group_labels) or tuple(range(1, model.n_groups + 1)),
        problems=tuple(problems),
        h1=h1_fit if fiml else None,
        logl=logl,
    )


def warn_problems(est: Estimation, what: str = "CFA") -> None:
    """Emit one :class:`FitWarning` per problem of the fit."""
    for problem in est.problems:
        warnings.warn(f"{what}: {problem}", FitWarning, stacklevel=3)
