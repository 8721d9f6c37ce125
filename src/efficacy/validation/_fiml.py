"""Full-information ML with missing data (lavaan's ``missing = "ml"``), by missing pattern.

Rows are grouped by which items they answer. For a pattern with ``n_k`` rows, observed
items ``o``, pattern mean ``ybar_k`` and covariance ``C_k`` (divisor ``n_k``), the
contribution to ``-2 log L`` (without the ``2 pi`` terms) is

``n_k [log|Sigma_oo| + tr(Sigma_oo^-1 (C_k + (ybar_k - mu_o)(ybar_k - mu_o)'))]``.

lavaan's ``fmin`` is this sum over rows and groups, divided by 2N, less the same for the
saturated (h1) model, which is fitted here by the same Fisher scoring (its estimates
are the EM means and covariances). Standard errors use the observed information;
MLR adds the sandwich with case-wise scores and the Yuan-Bentler (Mplus) trace from
the saturated model's observed information and scores.

Examples
--------
>>> import numpy as np
>>> x = np.array([[1.0, 2.0], [2.0, np.nan], [np.nan, 1.0], [3.0, 3.5], [2.5, 2.0]])
>>> g = MissingGroup.from_array(x)
>>> [len(p.rows) for p in g.patterns], g.n_cells()
([3, 1, 1], 8)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from efficacy.validation._ml import MLEstimate, _State, fit_ml, implied, observed_info
from efficacy.validation._model import Model, Param


@dataclass(frozen=True)
class Pattern:
    """The rows sharing one missing-data pattern, with their moments."""

    observed: np.ndarray  # item positions answered
    rows: np.ndarray  # row positions in the group
    x: np.ndarray  # (n_k, p_o) observed values
    mean: np.ndarray
    cov: np.ndarray


@dataclass(frozen=True)
class MissingGroup:
    """One group's rows (NaN for missing) split into patterns, padded for batching.

    Pattern moments are stored padded to all items (zeros where unobserved), so every
    pattern's ``Sigma_oo^-1`` comes from one batched inversion of ``Sigma`` with the
    unobserved rows and columns replaced by the identity.
    """

    x: np.ndarray
    patterns: tuple[Pattern, ...]
    mean: np.ndarray  # observed-case means (starting values)
    cov: np.ndarray  # diagonal of observed-case variances (starting values)
    mask: np.ndarray  # (P, p) observed
    counts: np.ndarray  # (P,)
    pmeans: np.ndarray  # (P, p)
    pcovs: np.ndarray  # (P, p, p)
    row_pattern: np.ndarray  # (n,) pattern of each row (-1: nothing observed)

    @classmethod
    def from_array(cls, x: np.ndarray) -> MissingGroup:
        x = np.asarray(x, dtype=float)
        present = ~np.isnan(x)
        keys, inverse = np.unique(present, axis=0, return_inverse=True)
        inverse = np.asarray(inverse).ravel()
        order = np.argsort(-keys.sum(axis=1), kind="stable")
        patterns = []
        row_pattern = np.full(x.shape[0], -1)
        for k in order:
            rows = np.flatnonzero(inverse == k)
            obs = np.flatnonzero(keys[k])
            if obs.size == 0:
                continue
            row_pattern[rows] = len(patterns)
            xo = x[np.ix_(rows, obs)]
            mean = xo.mean(axis=0)
            centred = xo - mean
            patterns.append(Pattern(obs, rows, xo, mean, centred.T @ centred / len(rows)))
        p = x.shape[1]
        mask = np.zeros((len(patterns), p), dtype=bool)
        pmeans = np.zeros((len(patterns), p))
        pcovs = np.zeros((len(patterns), p, p))
        for k, pat in enumerate(patterns):
            mask[k, pat.observed] = True
            pmeans[k, pat.observed] = pat.mean
            pcovs[k][np.ix_(pat.observed, pat.observed)] = pat.cov
        counts = np.array([len(pat.rows) for pat in patterns], dtype=float)
        with np.errstate(invalid="ignore"):
            mean = np.nanmean(x, axis=0)
            var = np.nanvar(x, axis=0)
        return cls(
            x=x,
            patterns=tuple(patterns),
            mean=mean,
            cov=np.diag(var),
            mask=mask,
            counts=counts,
            pmeans=pmeans,
            pcovs=pcovs,
            row_pattern=row_pattern,
        )

    @property
    def n(self) -> int:
        return int(self.counts.sum())

    def n_cells(self) -> int:
        return int((self.counts * self.mask.sum(axis=1)).sum())

    def inverses(self, sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """Per pattern: ``Sigma_oo^-1`` padded with zeros, and ``log|Sigma_oo|``."""
        both = self.mask[:, :, None] & self.mask[:, None, :]
        eye = np.eye(sigma.shape[0])
        padded = np.where(both, sigma[None], eye[None])
        try:
            chol = np.linalg.cholesky(padded)
        except np.linalg.LinAlgError:
            return None
        logdet = 2.0 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
        inv = np.linalg.inv(padded)
        return np.where(both, inv, 0.0), logdet


def evaluate_fiml(
    model: Model, theta: np.ndarray, data: Sequence[MissingGroup], info_too: bool = True
):
    """``-2 log L / N`` (no 2 pi terms), its gradient and expected information."""
    n_total = sum(g.n for g in data)
    k_free = model.n_free
    f = 0.0
    grad = np.zeros(k_free)
    info = np.zeros((k_free, k_free))
    derivs = []
    for g, gd in enumerate(data):
        dv = implied(model, theta, g, gd)
        derivs.append(dv)
        inv = gd.inverses(dv.sigma)
        if inv is None:
            return None
        q, logdet = inv
        w = gd.counts / n_total
        d = np.where(gd.mask, gd.pmeans - dv.mu[None], 0.0)  # (P, p)
        qd = np.einsum("Pij,Pj->Pi", q, d)
        second = gd.pcovs + d[:, :, None] * d[:, None, :]
        f += float(w @ (logdet + np.einsum("Pij,Pji->P", q, second)))
        m = q - q @ second @ q
        grad += np.einsum("kij,ij->k", dv.d_sigma, np.tensordot(w, m, axes=1))
        grad -= 2.0 * dv.d_mu @ (w @ qd)
        if info_too:
            # sum_P w_P tr(Q_P dS_k Q_P dS_l) = vec(dS_k)' W vec(dS_l)
            p = d.shape[1]
            wq = np.einsum("P,Pij,Pkl->jkli", w, q, q, optimize=True).reshape(p * p, p * p)
            flat = dv.d_sigma.reshape(k_free, p * p)
            info += flat @ wq @ flat.T
            info += 2.0 * dv.d_mu @ np.tensordot(w, q, axes=1) @ dv.d_mu.T
    return _State(f=f, grad=grad, info=info, derivs=derivs)


def saturated_model(items: Sequence[str], n_groups: int) -> Model:
    """Every variance, covariance and mean free: the h1 model."""
    rows = []
    free = 0
    p = len(items)
    for g in range(n_groups):
        for j in range(p):
            for i in range(j, p):
                free += 1
                rows.append(Param(items[i], "~~", items[j], g, free, 0.0, "theta", i, j))
        for i in range(p):
            free += 1
            rows.append(Param(items[i], "~1", "", g, free, 0.0, "nu", i, 0))
    return Model(
        items=tuple(items), factors=(), n_groups=n_groups, meanstructure=True, params=tuple(rows)
    )


def casewise_scores_fiml(model: Model, theta: np.ndarray, g: int, gd: MissingGroup) -> np.ndarray:
    """Per-row derivatives of the log-likelihood (n x K), rows in the group's order."""
    dv = implied(model, theta, g, gd)
    q, _ = gd.inverses(dv.sigma)
    keep = gd.row_pattern >= 0
    scores = np.zeros((gd.x.shape[0], model.n_free))
    rows_q = q[gd.row_pattern[keep]]
    r = np.where(np.isnan(gd.x[keep]), 0.0, gd.x[keep] - dv.mu[None])
    z = np.einsum("nij,nj->ni", rows_q, r)
    quad = np.einsum("ni,kij,nj->nk", z, dv.d_sigma, z, optimize=True)
    trace = np.einsum("Pij,kji->Pk", q, dv.d_sigma, optimize=True)[gd.row_pattern[keep]]
    scores[keep] = 0.5 * (quad - trace) + z @ dv.d_mu.T
    return scores


@dataclass(frozen=True)
class H1:
    """The saturated model's fit: its -2 log L / N per group and EM moments."""

    f: float
    logl: float
    means: tuple[np.ndarray, ...]
    covs: tuple[np.ndarray, ...]
    estimate: MLEstimate
    model: Model
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def observed_info(self, data: Sequence[MissingGroup]) -> np.ndarray:
        """The saturated model's observed information (computed once)."""
        if "info" not in self._cache:
            self._cache["info"] = observed_info(
                self.model, self.estimate.theta, data, evaluate_fiml
            )
        return self._cache["info"]

    def score_products(self, g: int, gd: MissingGroup) -> np.ndarray:
        """Mean outer product of group ``g``'s case-wise saturated scores (cached)."""
        key = ("scores", g)
        if key not in self._cache:
            own = [p.free - 1 for p in self.model.params if p.group == g]
            scores = casewise_scores_fiml(self.model, self.estimate.theta, g, gd)[:, own]
            self._cache[key] = scores.T @ scores / gd.n
        return self._cache[key]


def _logl(data: Sequence[MissingGroup], f_over_n: float) -> float:
    n_total = sum(g.n for g in data)
    cells = sum(g.n_cells() for g in data)
    return -0.5 * (f_over_n * n_total + cells * math.log(2 * math.pi))


def fit_h1(items: Sequence[str], data: Sequence[MissingGroup]) -> H1:
    model = saturated_model(items, len(data))
    est = fit_ml(model, data, evaluator=evaluate_fiml)
    means, covs = [], []
    for g in range(len(data)):
        mats = model.matrices(est.theta, g)
        means.append(mats["nu"])
        covs.append(mats["theta"])
    f = est.fmin * 2.0
    return H1(f, _logl(data, f), tuple(means), tuple(covs), est, model)


def fit_fiml(
    model: Model, data: Sequence[MissingGroup], h1: H1, max_iter: int = 500
) -> tuple[MLEstimate, float]:
    """The model's FIML estimate with lavaan's fmin and chi-square; and its log L."""
    est = fit_ml(model, data, evaluator=evaluate_fiml, max_iter=max_iter)
    f = est.fmin * 2.0
    n_total = sum(g.n for g in data)
    chisq = max(n_total * (f - h1.f), 0.0)
    p = len(model.items)
    df = model.n_groups * (p * (p + 1) // 2 + p) - model.n_free
    est = replace(est, fmin=(f - h1.f) / 2.0, chisq=chisq, df=df)
    return est, _logl(data, f)


def robust_fiml(model: Model, theta: np.ndarray, data: Sequence[MissingGroup], h1: H1):
    """MLR under FIML: sandwich covariance, the Yuan-Bentler (Mplus) trace, h1 and h0 parts."""
    n_total = sum(g.n for g in data)
    e_inv = np.linalg.inv(observed_info(model, theta, data, evaluate_fiml))
    b0 = np.zeros_like(e_inv)
    trace_h0 = 0.0
    for g, gd in enumerate(data):
        scores = casewise_scores_fiml(model, theta, g, gd)
        b0_g = scores.T @ scores / gd.n
        b0 += gd.n / n_total * b0_g
        trace_h0 += gd.n / n_total * float(np.sum(b0_g * e_inv.T))
    vcov = e_inv @ b0 @ e_inv / n_total
    # h1: per group, the saturated model's observed information and mean score products
    trace_h1 = 0.0
    ndat = 0
    a1_all = h1.observed_info(data)
    for g, gd in enumerate(data):
        own = [p.free - 1 for p in h1.model.params if p.group == g]
        a1 = a1_all[np.ix_(own, own)]
        a1 *= n_total / gd.n
        b1 = h1.score_products(g, gd)
        trace_h1 += float(np.trace(np.linalg.solve(a1, b1)))
        ndat += len(own)
    n_rows = sum(1 for par in model.params if par.free)
    return vcov, trace_h1 - trace_h0, trace_h1 / ndat, trace_h0 / max(n_rows, 1)


def fiml_vcov(model: Model, theta: np.ndarray, data: Sequence[MissingGroup]) -> np.ndarray:
    """ML under FIML: the inverse observed information."""
    n_total = sum(g.n for g in data)
    return np.linalg.inv(observed_info(model, theta, data, evaluate_fiml)) / n_total


def _sat_jacobian(
    model: Model, theta: np.ndarray, g: int, gd: MissingGroup, sat: Model
) -> np.ndarray:
    """Derivatives of the group's implied moments in the saturated model's parameters."""
    dv = implied(model, theta, g, gd)
    rows = [p for p in sat.params if p.group == g]
    jac = np.zeros((len(rows), model.n_free))
    for r, par in enumerate(rows):
        if par.kind == "theta":
            jac[r] = dv.d_sigma[:, par.row, par.col]
        else:
            jac[r] = dv.d_mu[:, par.row]
    return jac


def _complete_h1_info(sigma: np.ndarray, sat: Model, g: int) -> np.ndarray:
    """Complete-data information of the saturated model (per row) at ``sigma``."""
    sinv = np.linalg.inv(sigma)
    rows = [p for p in sat.params if p.group == g]
    info = np.zeros((len(rows), len(rows)))
    for a, pa in enumerate(rows):
        for b, pb in enumerate(rows):
            if pa.kind == "nu" and pb.kind == "nu":
                info[a, b] = sinv[pa.row, pb.row]
            elif pa.kind == "theta" and pb.kind == "theta":
                i, j, k, m = pa.row, pa.col, pb.row, pb.col
                value = sinv[i, k] * sinv[j, m] + sinv[i, m] * sinv[j, k]
                if i == j:
                    value *= 0.5
                if k == m:
                    value *= 0.5
                info[a, b] = value
    return info


def fiml_corrected(
    model: Model, theta: np.ndarray, data: Sequence[MissingGroup], h1: H1, version: str
) -> tuple[float, float]:
    """lavaan's FIML-corrected statistic (``lav_fit_fiml_corrected``).

    ``XX3`` is the complete-data ML chi-square of the model at its FIML estimates with
    the EM moments as the sample moments; the returned trace ``k`` gives its scaling
    factor ``k / df`` (version "V3" for MLR, "V6" for ML). With ``Wm`` the saturated
    model's observed information under missing data, ``Jm`` the mean product of its
    case-wise scores, ``Wc`` the complete-data information at the EM moments and
    ``Delta`` the model's Jacobian, ``U = Wm - Wm Delta E^-1 Delta' Wm`` (``E = Delta' Wm
    Delta``); V3: ``tr(U Wm^-1 Wc Wm^-1 U Wm^-1 Jm Wm^-1)``, V6: ``tr(Wc Wm^-1 U
    Wm^-1)`` (every block weighted by the group's share as lavaan does).
    """
    n_total = sum(g.n for g in data)
    fg = np.array([g.n / n_total for g in data])
    sat = h1.model
    a_all = h1.observed_info(data)
    xx3 = 0.0
    blocks_wm, blocks_wmi, blocks_wc, blocks_gam, jacs = [], [], [], [], []
    for g, gd in enumerate(data):
        own = [p.free - 1 for p in sat.params if p.group == g]
        wm = a_all[np.ix_(own, own)] * n_total / gd.n
        wmi = np.linalg.inv(wm)
        jm = h1.score_products(g, gd)
        dv = implied(model, theta, g, gd)
        s_t, m_t = h1.covs[g], h1.means[g]
        p = s_t.shape[0]
        sinv = np.linalg.inv(dv.sigma)
        d = m_t - dv.mu
        xx3 += gd.n * (
            np.linalg.slogdet(dv.sigma)[1]
            + np.sum(s_t * sinv)
            - np.linalg.slogdet(s_t)[1]
            - p
            + d @ sinv @ d
        )
        blocks_wm.append(fg[g] * wm)
        blocks_wmi.append(wmi / fg[g])
        blocks_wc.append(fg[g] * _complete_h1_info(s_t, sat, g))
        blocks_gam.append(wmi @ jm @ wmi / fg[g])
        jacs.append(_sat_jacobian(model, theta, g, gd, sat))
    wm_all, wmi_all, wc_all, gam_all = (
        _bdiag(b) for b in (blocks_wm, blocks_wmi, blocks_wc, blocks_gam)
    )
    delta = _bstack(jacs, [len(b) for b in blocks_wm], model.n_free)
    e_inv = np.linalg.inv(delta.T @ wm_all @ delta)
    u = wm_all - wm_all @ delta @ e_inv @ delta.T @ wm_all
    if version == "V3":
        k = float(np.trace(u @ wmi_all @ wc_all @ wmi_all @ u @ gam_all))
    else:
        k = float(np.trace(wc_all @ wmi_all @ u @ wmi_all))
    return xx3, k


def _bstack(jacs: Sequence[np.ndarray], sizes: Sequence[int], k: int) -> np.ndarray:
    out = np.zeros((sum(sizes), k))
    start = 0
    for jac, size in zip(jacs, sizes, strict=True):
        out[start : start + size] = jac
        start += size
    return out


def _bdiag(blocks: Sequence[np.ndarray]) -> np.ndarray:
    size = sum(b.shape[0] for b in blocks)
    out = np.zeros((size, size))
    start = 0
    for b in blocks:
        k = b.shape[0]
        out[start : start + k, start : start + k] = b
        start += k
    return out
