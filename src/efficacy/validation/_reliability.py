"""Reliability of each factor from a fitted CFA.

Per factor (and group), with loadings ``lambda``, factor variance ``psi``, residual
variances ``theta`` and the items' observed covariance matrix ``S`` (the EM estimate
under FIML):

- ``omega``: ``(sum lambda)^2 psi / sum(S)``, semTools' ``compRelSEM()`` default
  (``obs.var = TRUE``, congeneric).
- ``ave``: average variance extracted, ``sum(lambda^2) psi / tr(S)`` (semTools'
  ``AVE()``).
- ``coefficient_h``: Hancock and Mueller's maximal reliability,
  ``A / (1 + A)`` with ``A = sum(l^2 / (1 - l^2))`` over the standardized loadings
  ``l``; for one factor it equals semTools' ``maximalRelia()``.
- ``composite_reliability``: Fornell and Larcker's
  ``(sum l)^2 / ((sum l)^2 + sum(1 - l^2))`` from the standardized solution.

A factor's items are those loading on it, a cross-loaded item included; omega takes
only this factor's loadings in the numerator and the observed total in the
denominator, so residual covariances and other factors count as error, as in
``compRelSEM``. ``ave`` is NaN for a factor with a cross-loaded item (as semTools'
``AVE``); ``coefficient_h`` and ``composite_reliability`` assume each item measures one
factor with uncorrelated residuals, so they are NaN for a factor with a cross-loaded
item or a residual covariance between two of its items.

Examples
--------
>>> round(coefficient_h([0.7, 0.7, 0.7]), 4)
0.7424
>>> round(composite_reliability([0.7, 0.7, 0.7]), 4)
0.7424
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def coefficient_h(std_loadings: Sequence[float]) -> float:
    """Hancock-Mueller coefficient H from standardized loadings."""
    l2 = np.asarray(std_loadings, dtype=float) ** 2
    a = float(np.sum(l2 / (1.0 - l2)))
    return a / (1.0 + a)


def composite_reliability(std_loadings: Sequence[float]) -> float:
    """Fornell-Larcker composite reliability from standardized loadings."""
    lam = np.asarray(std_loadings, dtype=float)
    num = lam.sum() ** 2
    return float(num / (num + np.sum(1.0 - lam**2)))


def simple_structure(params, group: int, idx: Sequence[int]) -> tuple[bool, bool]:
    """Whether the items ``idx`` of one factor load on it alone, and whether no residual
    covariance joins two of them (the assumptions of AVE, coefficient H and CR)."""
    counts: dict[int, int] = {}
    pairs = []
    for p in params:
        if p.group != group:
            continue
        if p.kind == "lambda":
            counts[p.row] = counts.get(p.row, 0) + 1
        elif p.kind == "theta" and p.row != p.col:
            pairs.append((p.row, p.col))
    own = all(counts.get(i, 0) <= 1 for i in idx)
    inside = set(idx)
    uncorrelated = not any(a in inside and b in inside for a, b in pairs)
    return own, uncorrelated


def _guarded(row: dict, own: bool, uncorrelated: bool) -> dict:
    if not own:
        row["ave"] = float("nan")
    if not (own and uncorrelated):
        row["coefficient_h"] = row["composite_reliability"] = float("nan")
    return row


def reliability_table(est, group_labels) -> pd.DataFrame:
    """One row per factor (and group): omega, AVE, coefficient H, composite reliability."""
    model = est.model
    rows = []
    for g in range(model.n_groups):
        mats = model.matrices(est.ml.theta, g)
        lam_all, psi, theta = mats["lambda"], mats["psi"], mats["theta"]
        sigma = lam_all @ psi @ lam_all.T + theta
        s = est.h1.covs[g] if est.fiml else est.data[g].cov
        for j, name in enumerate(model.factors):
            idx = [
                p.row for p in model.params if p.kind == "lambda" and p.col == j and p.group == g
            ]
            lam = lam_all[idx, j]
            sub = s[np.ix_(idx, idx)]
            std = lam * np.sqrt(psi[j, j]) / np.sqrt(np.diag(sigma)[idx])
            row = {
                "factor": name,
                "n_items": len(idx),
                "omega": float(lam.sum() ** 2 * psi[j, j] / sub.sum()),
                "ave": float(np.sum(lam**2) * psi[j, j] / np.trace(sub)),
                "coefficient_h": coefficient_h(std),
                "composite_reliability": composite_reliability(std),
            }
            _guarded(row, *simple_structure(model.params, g, idx))
            if model.n_groups > 1:
                row = {"group": group_labels[g], **row}
            rows.append(row)
    return pd.DataFrame(rows)


def _response_scale_covariance(idx, corr: np.ndarray, taus) -> float:
    """Sum over item pairs of the covariances of the observed category scores implied by
    latent correlations ``corr`` and thresholds (Green & Yang 2009)."""
    from scipy.special import ndtr

    from efficacy.validation._ordinal import _bvn_cdf

    total = 0.0
    for i in idx:
        for j in idx:
            ti, tj = taus[i], taus[j]
            if i == j and corr[i, j] >= 1.0:
                joint = ndtr(np.minimum(ti[:, None], tj[None, :]))
            else:
                joint = _bvn_cdf(ti[:, None], tj[None, :], corr[i, j])
            total += float((joint - np.outer(ndtr(ti), ndtr(tj))).sum())
    return total


def ordinal_reliability_table(est) -> pd.DataFrame:
    """Per factor of a one-group WLSMV fit: ``omega`` on the latent-response scale and
    ``omega_ordinal`` (Green & Yang 2009, on the response scale), both with the sample
    polychoric matrix as the total (semTools ``compRelSEM``, ``ord.scale`` FALSE and
    TRUE); ``ave``, ``coefficient_h`` and ``composite_reliability`` from the
    standardized loadings."""
    from efficacy.validation._wlsmv import _unpack

    om = est.model
    lam_all, psi, taus = _unpack(om, est.theta)
    rho = est.stats.rho
    rows = []
    for j, name in enumerate(om.base.factors):
        idx = [p.row for p in om.params if p.kind == "lambda" and p.col == j]
        lam = lam_all[idx, j]
        common = np.zeros_like(rho)
        common[np.ix_(idx, idx)] = np.outer(lam, lam) * psi[j, j]
        std = lam * np.sqrt(psi[j, j])
        rows.append(
            {
                "factor": name,
                "n_items": len(idx),
                "omega": float(lam.sum() ** 2 * psi[j, j] / rho[np.ix_(idx, idx)].sum()),
                "omega_ordinal": _response_scale_covariance(idx, common, taus)
                / _response_scale_covariance(idx, rho, taus),
                "ave": float(np.mean(std**2)),
                "coefficient_h": coefficient_h(std),
                "composite_reliability": composite_reliability(std),
            }
        )
        _guarded(rows[-1], *simple_structure(om.params, 0, idx))
    return pd.DataFrame(rows)


def groups_reliability_table(state, group_labels) -> pd.DataFrame:
    """Per group and factor of a multi-group WLSMV fit, as semTools' ``compRelSEM``.

    In group ``g`` with loadings ``lambda``, factor variance ``psi`` and scales ``D``
    (delta parameterization), the total is the sample polychoric matrix rescaled to the
    model's latent-response units, ``D^-1 R D^-1``: ``omega`` is
    ``(sum lambda)^2 psi / sum(D^-1 R D^-1)``; ``omega_ordinal`` (Green & Yang) takes
    the common part ``D lambda lambda' D psi`` against ``R`` with the thresholds
    ``D tau`` (semTools uses the threshold parameters ``tau`` themselves, without the
    intercepts and latent means of the group); ``ave`` is ``sum(lambda^2) psi`` over the
    trace of that total (semTools' ``AVE``; the mean squared standardized loading when
    the scales are 1); ``coefficient_h`` and ``composite_reliability`` come from the
    standardized loadings ``D lambda sqrt(psi)``.
    """
    from efficacy.validation._modindices_groups import group_matrices

    model = state.model
    rows = []
    for g, st in enumerate(state.stats):
        lam_all, psi, tau, scale = group_matrices(model, state.theta, g)
        total = st.rho / np.outer(scale, scale)
        taus = [t * d for t, d in zip(tau, scale, strict=True)]
        for j, name in enumerate(model.factors):
            idx = [
                p.row for p in model.params if p.kind == "lambda" and p.col == j and p.group == g
            ]
            lam = lam_all[idx, j]
            common = np.zeros_like(st.rho)
            common[np.ix_(idx, idx)] = np.outer(lam * scale[idx], lam * scale[idx]) * psi[j, j]
            std = lam * scale[idx] * np.sqrt(psi[j, j])
            rows.append(
                {
                    "group": group_labels[g],
                    "factor": name,
                    "n_items": len(idx),
                    "omega": float(lam.sum() ** 2 * psi[j, j] / total[np.ix_(idx, idx)].sum()),
                    "omega_ordinal": _response_scale_covariance(idx, common, taus)
                    / _response_scale_covariance(idx, st.rho, taus),
                    "ave": float(np.sum(lam**2) * psi[j, j] / np.trace(total[np.ix_(idx, idx)])),
                    "coefficient_h": coefficient_h(std),
                    "composite_reliability": composite_reliability(std),
                }
            )
            _guarded(rows[-1], *simple_structure(model.params, g, idx))
    return pd.DataFrame(rows)
