"""Marginal maximum likelihood for the graded model: Bock-Aitkin EM, then Newton.

The trait has a N(0, 1) prior on 61 equally spaced points from -6 to 6, weighted by
the normal density and normalised (mirt's defaults). EM runs until no parameter moves
by more than ``tol`` (1e-4, mirt's default). Because EM slows down near the optimum,
the same marginal likelihood is then maximised by Newton steps (analytic gradient,
the Hessian from Louis' identity), until the Newton step, an estimate of the
remaining distance to the optimum, is below ``1e-6`` in every parameter. Standard
errors come from that observed information matrix.

Examples
--------
>>> import numpy as np
>>> nodes, weights = quadrature()
>>> nodes.size, round(float(nodes[0]), 1), round(float(weights.sum()), 12)
(61, -6.0, 1.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from efficacy.item_response._data import one_hot
from efficacy.item_response._grm import category_probs, item_fisher, item_gradient, split

#: Largest Newton step (in any parameter) for which the estimate counts as converged.
STEP_TOLERANCE = 1e-6


def quadrature(n_points: int = 61, limit: float = 6.0) -> tuple[np.ndarray, np.ndarray]:
    """Equally spaced nodes on ``[-limit, limit]`` and normalised N(0, 1) weights."""
    nodes = np.linspace(-limit, limit, n_points)
    dens = np.exp(-0.5 * nodes**2)
    return nodes, dens / dens.sum()


def ordered(params: np.ndarray, n_cat: Sequence[int]) -> bool:
    """True when every item's intercepts strictly decrease and all values are finite."""
    if not np.all(np.isfinite(params)):
        return False
    return all(np.all(np.diff(d) < 0) for _, d in split(params, n_cat))


class MarginalLikelihood:
    """The marginal likelihood of coded responses, on distinct response patterns."""

    def __init__(
        self, categories: np.ndarray, n_cat: Sequence[int], nodes: np.ndarray, weights: np.ndarray
    ) -> None:
        patterns, counts = np.unique(categories, axis=0, return_counts=True)
        self.patterns = patterns
        self.n_cat = list(n_cat)
        self.offsets = np.concatenate([[0], np.cumsum(self.n_cat)[:-1]]).astype(np.int64)
        self.n_columns = int(np.sum(self.n_cat))
        self.design = one_hot(patterns, self.offsets, self.n_columns)
        self.freq = counts.astype(float)
        self.nodes = nodes
        self.log_weights = np.log(weights)
        self.n_evaluations = 0

    def log_table(self, params: np.ndarray) -> np.ndarray:
        """log P(category | node) for every category of every item, (columns, nodes)."""
        return np.vstack(
            [np.log(category_probs(a, d, self.nodes)) for a, d in split(params, self.n_cat)]
        )

    def posterior(self, params: np.ndarray) -> tuple[float, np.ndarray]:
        """Log-likelihood and each pattern's posterior weights over the nodes."""
        self.n_evaluations += 1
        joint = self.design @ self.log_table(params) + self.log_weights
        top = joint.max(axis=1, keepdims=True)
        post = np.exp(joint - top)
        total = post.sum(axis=1, keepdims=True)
        loglik = float(np.sum(self.freq * (np.log(total[:, 0]) + top[:, 0])))
        post /= total
        return loglik, post

    def estep(self, params: np.ndarray) -> tuple[float, np.ndarray]:
        """Log-likelihood and expected counts ``r[column, node]`` under ``params``."""
        loglik, post = self.posterior(params)
        return loglik, self.design.T @ (post * self.freq[:, None])

    def loglik(self, params: np.ndarray) -> float:
        """The marginal log-likelihood (-inf for disordered intercepts)."""
        if not ordered(params, self.n_cat):
            return -np.inf
        return self.estep(params)[0]

    def gradient(self, params: np.ndarray) -> tuple[float, np.ndarray]:
        """Log-likelihood and its gradient (Fisher's identity: expected complete-data score)."""
        loglik, counts = self.estep(params)
        parts = [
            item_gradient(a, d, self.nodes, counts[o : o + k])
            for (a, d), o, k in zip(
                split(params, self.n_cat), self.offsets, self.n_cat, strict=True
            )
        ]
        return loglik, np.concatenate(parts)

    def hessian(self, params: np.ndarray, grad: np.ndarray | None = None) -> np.ndarray:
        """Observed Hessian of the marginal log-likelihood (Louis' identity).

        ``grad`` is not needed; it is accepted so the finite-difference version
        :meth:`hessian_numeric` can stand in.
        """
        from efficacy.item_response._louis import observed_hessian

        return observed_hessian(self, params)

    def hessian_numeric(self, params: np.ndarray, grad: np.ndarray) -> np.ndarray:
        """Observed Hessian by forward differences of the analytic gradient.

        ``grad`` is the gradient at ``params``. Steps of 1e-5 (relative for
        parameters above 1) keep the truncation error near 1e-5 of the curvature.
        """
        size = params.size
        out = np.empty((size, size))
        for p in range(size):
            h = 1e-5 * max(1.0, abs(params[p]))
            up = params.copy()
            up[p] += h
            out[:, p] = (self.gradient(up)[1] - grad) / h
        return 0.5 * (out + out.T)


def _mstep_item(
    a: float, d: np.ndarray, nodes: np.ndarray, counts: np.ndarray
) -> tuple[float, np.ndarray]:
    """Maximise one item's expected complete-data log-likelihood by Fisher scoring."""
    current = np.concatenate([[a], d])
    totals = counts.sum(axis=0)

    def value(par: np.ndarray) -> float:
        if not (np.all(np.isfinite(par)) and np.all(np.diff(par[1:]) < 0)):
            return -np.inf
        return float(np.sum(counts * np.log(category_probs(par[0], par[1:], nodes))))

    best = value(current)
    for _ in range(25):
        grad = item_gradient(current[0], current[1:], nodes, counts)
        info = item_fisher(current[0], current[1:], nodes, totals)
        try:
            step = np.linalg.solve(info, grad)
        except np.linalg.LinAlgError:
            break
        scale = 1.0
        while scale > 1e-6:
            trial = current + scale * step
            got = value(trial)
            if got >= best:
                break
            scale *= 0.5
        else:
            break
        current, best = trial, got
        if np.max(np.abs(scale * step)) < 1e-10:
            break
    return float(current[0]), current[1:]


@dataclass(frozen=True)
class Estimate:
    """What the estimation found and how it got there."""

    params: np.ndarray
    covariance: np.ndarray
    loglik: float
    gradient: np.ndarray
    newton_step: np.ndarray
    n_iter: int
    n_newton: int
    em_converged: bool
    converged: bool
    message: str


def start_values(categories: np.ndarray, n_cat: Sequence[int]) -> np.ndarray:
    """Slopes from item-rest correlations, intercepts from cumulative proportions."""
    from scipy.stats import norm

    data = np.where(categories >= 0, categories, np.nan).astype(float)
    total = np.nansum(data, axis=1)
    parts = []
    for j, k in enumerate(n_cat):
        col = data[:, j]
        ok = ~np.isnan(col)
        rest = total[ok] - col[ok]
        r = 0.5
        if np.std(rest) > 0 and np.std(col[ok]) > 0:
            r = float(np.corrcoef(col[ok], rest)[0, 1])
        r = float(np.clip(r, -0.9, 0.9))
        if abs(r) < 0.05:
            r = 0.05
        a = 1.7 * r / np.sqrt(1 - r * r)
        share = np.array([np.mean(col[ok] >= c) for c in range(1, k)])
        share = np.clip(share, 1e-3, 1 - 1e-3)
        d = norm.ppf(share) * np.sqrt(1.7**2 + a * a)
        d = np.minimum.accumulate(d - 1e-3 * np.arange(d.size))
        parts.append(np.concatenate([[a], d]))
    return np.concatenate(parts)


def estimate(
    categories: np.ndarray,
    n_cat: Sequence[int],
    *,
    tol: float = 1e-4,
    max_iter: int = 2000,
    n_points: int = 61,
) -> Estimate:
    """Fit the graded model to coded responses (see the module documentation)."""
    from threadpoolctl import threadpool_limits

    nodes, weights = quadrature(n_points)
    with threadpool_limits(1, user_api="blas"):  # small products: threads only cost time
        return _estimate(categories, n_cat, nodes, weights, tol, max_iter)


def _estimate(
    categories: np.ndarray,
    n_cat: Sequence[int],
    nodes: np.ndarray,
    weights: np.ndarray,
    tol: float,
    max_iter: int,
) -> Estimate:
    lik = MarginalLikelihood(categories, n_cat, nodes, weights)
    params = start_values(categories, n_cat)
    em_converged = False
    n_iter = 0
    for n_iter in range(1, max_iter + 1):  # noqa: B007
        _, counts = lik.estep(params)
        new = np.concatenate(
            [
                np.concatenate([[item[0]], item[1]])
                for item in (
                    _mstep_item(a, d, nodes, counts[o : o + k])
                    for (a, d), o, k in zip(split(params, n_cat), lik.offsets, n_cat, strict=True)
                )
            ]
        )
        change = float(np.max(np.abs(new - params)))
        params = new
        if change < tol:
            em_converged = True
            break
    return _polish(lik, params, n_iter, em_converged)


def _newton_step(hess: np.ndarray, grad: np.ndarray) -> np.ndarray | None:
    if not np.all(np.isfinite(hess)):
        return None
    if np.max(np.linalg.eigvalsh(hess)) >= 0:
        return None
    return np.linalg.solve(-hess, grad)


def _polish(
    lik: MarginalLikelihood, params: np.ndarray, n_iter: int, em_converged: bool
) -> Estimate:
    loglik, grad = lik.gradient(params)
    hess = lik.hessian(params, grad)
    n_newton = 0
    step = _newton_step(hess, grad)
    message = "converged"
    if step is None:
        message = "the observed information is not positive definite at the EM solution"
    else:
        for _ in range(20):
            if np.max(np.abs(step)) < 1e-3 * STEP_TOLERANCE:
                break
            scale = 1.0
            while scale > 1e-4:
                trial = params + scale * step
                got = lik.loglik(trial)
                if got >= loglik - 1e-12 * abs(loglik):  # no loss beyond rounding
                    break
                scale *= 0.5
            else:
                break
            params, n_newton = trial, n_newton + 1
            loglik, grad = lik.gradient(params)
            step = np.linalg.solve(-hess, grad)
        loglik, grad = lik.gradient(params)
        hess = lik.hessian(params, grad)
        step = _newton_step(hess, grad)
        if step is None:
            message = "the observed information is not positive definite at the estimate"
    if step is None:
        cov = np.full(hess.shape, np.nan)
        step = np.full(params.shape, np.nan)
        converged = False
    else:
        cov = np.linalg.inv(-hess)
        converged = bool(np.max(np.abs(step)) < STEP_TOLERANCE)
        if not converged:
            message = (
                f"the Newton step at the estimate is {np.max(np.abs(step)):.3g} "
                f"(tolerance {STEP_TOLERANCE:g})"
            )
    if not em_converged:
        message = f"EM stopped after {n_iter} iterations without reaching its tolerance; " + message
    return Estimate(
        params=params,
        covariance=cov,
        loglik=loglik,
        gradient=grad,
        newton_step=step,
        n_iter=n_iter,
        n_newton=n_newton,
        em_converged=em_converged,
        converged=converged,
        message=message,
    )
