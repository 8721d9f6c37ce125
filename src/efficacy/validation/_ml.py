"""Normal-theory maximum likelihood for a (multi-group) factor model, as lavaan computes it.

The discrepancy is lavaan's (likelihood ``"normal"``, divisor N):

``F = sum_g (N_g / N) [log|Sigma_g| + tr(S_g Sigma_g^-1) - log|S_g| - p
+ (ybar_g - mu_g)' Sigma_g^-1 (ybar_g - mu_g)]``

so that lavaan's ``fmin`` is ``F / 2`` and the chi-square is ``N F``. It is minimised
by Fisher scoring with step halving; the expected information, the observed
information (the Hessian of ``fmin``) and the case-wise scores used by the robust
(MLR) corrections all come from the same analytic derivatives of the implied moments.

Examples
--------
>>> import numpy as np
>>> from efficacy.validation._model import build_model
>>> rng = np.random.default_rng(0)
>>> f = rng.normal(size=(500, 1))
>>> x = f @ np.array([[1.0, 0.8, 0.6]]) + rng.normal(scale=0.6, size=(500, 3))
>>> data = [GroupData.from_array(x)]
>>> est = fit_ml(build_model({"F": ["a", "b", "c"]}), data)
>>> est.converged, abs(est.chisq) < 1e-9
(True, True)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from efficacy.validation._casewise import CaseMoments, score_outer, vech_index
from efficacy.validation._model import Model


@dataclass(frozen=True)
class GroupData:
    """The complete rows of one group and their moments (covariance with divisor N).

    ``moments`` are the case-wise moments the robust corrections use; when not given
    they are computed from ``x`` (once, on first use). Data too large for memory give
    them (and an ``x`` with the number of rows and no columns) instead of the rows.
    """

    x: np.ndarray
    mean: np.ndarray
    cov: np.ndarray
    moments: CaseMoments | None = field(default=None, compare=False, repr=False)

    @cached_property
    def case_moments(self) -> CaseMoments:
        """:class:`CaseMoments` of the rows around :attr:`mean`."""
        if self.moments is not None:
            return self.moments
        return CaseMoments.from_rows(self.x, self.mean)

    @classmethod
    def from_array(cls, x: np.ndarray) -> GroupData:
        x = np.asarray(x, dtype=float)
        mean = x.mean(axis=0)
        centred = x - mean
        cov = centred.T @ centred / x.shape[0]
        return cls(x=x, mean=mean, cov=cov)

    @property
    def n(self) -> int:
        return self.x.shape[0]


@dataclass(frozen=True)
class Derivs:
    """Implied moments of one group and their derivatives in the free parameters."""

    sigma: np.ndarray
    mu: np.ndarray
    d_sigma: np.ndarray  # (K, p, p)
    d_mu: np.ndarray  # (K, p)


def implied(model: Model, theta: np.ndarray, group: int, data: GroupData) -> Derivs:
    """Sigma, mu and their derivatives for ``group`` (mu = sample mean without means)."""
    mats = model.matrices(theta, group)
    lam, psi, th = mats["lambda"], mats["psi"], mats["theta"]
    sigma = lam @ psi @ lam.T + th
    mu = mats["nu"] + lam @ mats["alpha"] if model.meanstructure else data.mean.copy()
    p = sigma.shape[0]
    k_free = model.n_free
    d_sigma = np.zeros((k_free, p, p))
    d_mu = np.zeros((k_free, p))
    lam_psi = lam @ psi
    for par in model.params:
        if par.group != group or not par.free:
            continue
        k = par.free - 1
        i, j = par.row, par.col
        if par.kind == "lambda":
            d_sigma[k, i, :] += lam_psi[:, j]
            d_sigma[k, :, i] += lam_psi[:, j]
            if model.meanstructure:
                d_mu[k, i] += mats["alpha"][j]
        elif par.kind == "psi":
            outer = np.outer(lam[:, i], lam[:, j])
            d_sigma[k] += outer if i == j else outer + outer.T
        elif par.kind == "theta":
            d_sigma[k, i, j] += 1.0
            if i != j:
                d_sigma[k, j, i] += 1.0
        elif par.kind == "nu":
            d_mu[k, i] += 1.0
        elif par.kind == "alpha":
            d_mu[k] += lam[:, i]
    return Derivs(sigma=sigma, mu=mu, d_sigma=d_sigma, d_mu=d_mu)


def _inv_logdet(sigma: np.ndarray) -> tuple[np.ndarray, float] | None:
    try:
        chol = np.linalg.cholesky(sigma)
    except np.linalg.LinAlgError:
        return None
    inv_chol = np.linalg.inv(chol)
    return inv_chol.T @ inv_chol, 2.0 * float(np.log(np.diag(chol)).sum())


@dataclass
class _State:
    f: float
    grad: np.ndarray
    info: np.ndarray
    derivs: list[Derivs]


def _evaluate(model: Model, theta: np.ndarray, data: Sequence[GroupData], info_too: bool = True):
    n_total = sum(d.n for d in data)
    f = 0.0
    k_free = model.n_free
    grad = np.zeros(k_free)
    info = np.zeros((k_free, k_free))
    derivs = []
    for g, gd in enumerate(data):
        dv = implied(model, theta, g, gd)
        inv = _inv_logdet(dv.sigma)
        if inv is None:
            return None
        sinv, logdet = inv
        w = gd.n / n_total
        diff = gd.mean - dv.mu
        _, logdet_s = np.linalg.slogdet(gd.cov)
        f += w * (logdet + np.sum(gd.cov * sinv) - logdet_s - len(diff) + diff @ sinv @ diff)
        derivs.append(dv)
        m = sinv - sinv @ (gd.cov + np.outer(diff, diff)) @ sinv
        grad += w * (np.einsum("kij,ij->k", dv.d_sigma, m) - 2.0 * dv.d_mu @ (sinv @ diff))
        if info_too:
            ws = np.einsum("ij,kjl->kil", sinv, dv.d_sigma)
            info += w * (np.einsum("kij,lji->kl", ws, ws) + 2.0 * dv.d_mu @ sinv @ dv.d_mu.T)
    return _State(f=f, grad=grad, info=info, derivs=derivs)


@dataclass(frozen=True)
class MLEstimate:
    """The ML solution: parameters, discrepancy, chi-square and the optimiser's record."""

    model: Model
    theta: np.ndarray
    fmin: float
    chisq: float
    df: int
    n_total: int
    converged: bool
    iterations: int
    max_abs_grad: float
    expected_info: np.ndarray  # of fmin, per observation
    message: str


def n_moments(model: Model) -> int:
    """Number of sample moments: p(p+1)/2 (+ p means) per group."""
    p = len(model.items)
    return model.n_groups * (p * (p + 1) // 2 + (p if model.meanstructure else 0))


def fit_ml(
    model: Model,
    data: Sequence[GroupData],
    *,
    start: np.ndarray | None = None,
    max_iter: int = 500,
    tol: float = 1e-10,
    evaluator: Callable | None = None,
) -> MLEstimate:
    """Minimise the ML discrepancy by Fisher scoring with step halving.

    ``evaluator(model, theta, data)`` returns the discrepancy, its gradient and its
    expected information (default: complete-data ML; :mod:`._fiml` passes its own).
    """
    evaluate = evaluator or _evaluate
    theta = (
        model.start([d.cov for d in data], [d.mean for d in data])
        if start is None
        else np.array(start, dtype=float)
    )
    state = evaluate(model, theta, data)
    if state is None:
        raise FloatingPointError("the starting values give a covariance matrix that is not PD")
    message = "maximum number of iterations reached"
    iterations = 0
    converged = False
    for iterations in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        try:
            step = np.linalg.solve(state.info, state.grad)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(state.info, state.grad, rcond=None)[0]
        scale = 1.0
        new = None
        for _ in range(40):
            candidate = theta - scale * step
            trial = evaluate(model, candidate, data)
            if trial is not None and trial.f <= state.f + 1e-14 * max(1.0, abs(state.f)):
                new = (candidate, trial)
                break
            scale /= 2.0
        if new is None:
            message = "no step decreased the discrepancy"
            break
        change = state.f - new[1].f
        theta, state = new
        if np.max(np.abs(state.grad)) < tol or (change < 1e-15 and scale == 1.0):
            converged = True
            message = "converged"
            break
    max_grad = float(np.max(np.abs(state.grad / 2.0))) if state.grad.size else 0.0
    if converged and max_grad > 1e-4:
        converged = False
        message = f"stopped with a gradient of {max_grad:.2g}"
    n_total = sum(d.n for d in data)
    return MLEstimate(
        model=model,
        theta=theta,
        fmin=float(state.f) / 2.0,
        chisq=float(n_total * state.f),
        df=n_moments(model) - model.n_free,
        n_total=n_total,
        converged=converged,
        iterations=iterations,
        max_abs_grad=max_grad,
        expected_info=state.info / 2.0,
        message=message,
    )


def gradient_fmin(
    model: Model, theta: np.ndarray, data: Sequence, evaluator: Callable | None = None
) -> np.ndarray:
    """Analytic gradient of lavaan's ``fmin`` (= F / 2)."""
    state = (evaluator or _evaluate)(model, theta, data, info_too=False)
    if state is None:
        raise FloatingPointError("implied covariance matrix is not positive definite")
    return state.grad / 2.0


def observed_info(
    model: Model, theta: np.ndarray, data: Sequence, evaluator: Callable | None = None
) -> np.ndarray:
    """Hessian of ``fmin`` by central differences (4 points) of the analytic gradient.

    Step ``1e-5 max(1, |theta_j|)``; the 4-point rule keeps the truncation error
    negligible also for parameters on small scales.
    """
    k = theta.size
    hess = np.zeros((k, k))
    for j in range(k):
        h = 1e-5 * max(1.0, abs(theta[j]))
        steps = []
        for mult in (2, 1, -1, -2):
            moved = theta.copy()
            moved[j] += mult * h
            steps.append(gradient_fmin(model, moved, data, evaluator))
        hess[:, j] = (-steps[0] + 8 * steps[1] - 8 * steps[2] + steps[3]) / (12 * h)
    return (hess + hess.T) / 2.0


def score_meat(derivs: Derivs, gd: GroupData, meanstructure: bool) -> np.ndarray:
    """Mean outer product of the per-row log-likelihood derivatives (K x K).

    The score of a row in parameter ``k`` is ``0.5 (e' P_k e - tr(S^-1 dSigma_k))
    + e' S^-1 dmu_k`` with ``e = x - mu`` and ``P_k = S^-1 dSigma_k S^-1`` (``S`` the
    implied covariance; ``mu`` the implied mean, or the sample mean without a mean
    structure): affine in ``e`` and ``vech(e e')``, so :func:`score_outer` gives its
    mean outer product from the group's case-wise moments.
    """
    inv = _inv_logdet(derivs.sigma)
    if inv is None:
        raise FloatingPointError("implied covariance matrix is not positive definite")
    sinv = inv[0]
    p = sinv.shape[0]
    rows, cols = vech_index(p)
    weight = np.where(rows == cols, 1.0, 2.0)
    quad = (
        np.einsum("ij,kjl,lm->kim", sinv, derivs.d_sigma, sinv, optimize=True)[:, rows, cols]
        * weight
    )
    trace = np.einsum("ij,kji->k", sinv, derivs.d_sigma)
    moments = gd.case_moments
    if meanstructure:
        a_e = derivs.d_mu @ sinv
        shift = moments.mean - derivs.mu
    else:
        a_e = np.zeros((trace.size, p))
        shift = None
    return score_outer(moments, a_e, 0.5 * quad, -0.5 * trace, shift)


def h1_trace(gd: GroupData, meanstructure: bool) -> tuple[float, int]:
    """``tr(A1^-1 B1)`` of the unrestricted model at the sample moments, and its size.

    ``A1`` is the (per-row) information of the saturated normal model and ``B1`` the
    mean outer product of its case-wise scores, both at the sample mean and covariance
    (the scores ``S^-1 e`` and ``vech(S^-1 e e' S^-1 - S^-1)``, diagonal halved, come
    from the case-wise moments through :func:`score_outer`).
    """
    p = gd.cov.shape[0]
    sinv = np.linalg.inv(gd.cov)
    rows, cols = vech_index(p)
    diag = rows == cols
    half = np.where(diag, 0.5, 1.0)
    # (S^-1 e e' S^-1)[r, c] in terms of vech(e e')[a, b]
    coef = sinv[rows[:, None], rows[None, :]] * sinv[cols[:, None], cols[None, :]]
    coef += sinv[rows[:, None], cols[None, :]] * sinv[cols[:, None], rows[None, :]]
    coef *= half[None, :]
    a_sig = half[:, None] * coef
    b_sig = -half * sinv[rows, cols]
    # information of vech(Sigma): 0.5 tr(S^-1 E_a S^-1 E_b), E the symmetric unit matrices
    a = sinv[rows[:, None], rows[None, :]] * sinv[cols[:, None], cols[None, :]]
    a += sinv[rows[:, None], cols[None, :]] * sinv[cols[:, None], rows[None, :]]
    a[diag, :] *= 0.5
    a[:, diag] *= 0.5
    q = rows.size
    if meanstructure:
        a_e = np.vstack([sinv, np.zeros((q, p))])
        a_w = np.vstack([np.zeros((p, q)), a_sig])
        b = np.concatenate([np.zeros(p), b_sig])
        info = np.zeros((p + q, p + q))
        info[:p, :p] = sinv
        info[p:, p:] = a
    else:
        a_e = np.zeros((q, p))
        a_w = a_sig
        b = b_sig
        info = a
    b1 = score_outer(gd.case_moments, a_e, a_w, b)
    return float(np.trace(np.linalg.solve(info, b1))), info.shape[0]
