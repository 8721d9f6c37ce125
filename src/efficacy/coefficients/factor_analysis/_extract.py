"""Factor extraction from correlation matrices: minres (psych's) and maximum likelihood.

Both methods reduce the problem to the uniquenesses ``psi`` (R psych ``fa``): given
``psi``, the loadings are the top ``nf`` eigenpairs of a reduced matrix, so the fit
is a function of ``psi`` alone, minimised within ``0.005 <= psi <= 1`` (psych's bounds,
``upper = max(smc, 1)``) from psych's start ``1 - smc``.

minres
    psych's objective is the sum of the squared lower-triangle residuals
    ``S - LL'`` with ``diag(S) = 1 - psi`` and ``L`` from the top eigenpairs of
    ``S - diag(psi)``; its gradient (psych's ``FAgr.minres``) is ``diag(LL' + Psi - S)``.
    Both vanish at the same point: the unweighted least squares solution. We minimise
    ``F(psi) = 1/2 ||S - Psi - LL'||^2 = 1/2 sum of the squared discarded eigenvalues``,
    whose exact gradient is psych's, so the solution is psych's optimum.
ml
    ``F(psi) = sum over discarded eigenvalues theta of (theta - log theta - 1)``, theta
    the eigenvalues of ``Psi^-1/2 S Psi^-1/2`` (psych's ``FAfn``), gradient
    ``diag(LL' + Psi - S) / psi^2`` (psych's ``FAgr``).

psych minimises with R's L-BFGS-B (``factr = 1e7``), which stops when the objective
changes by less than about 2e-9 relative; its uniquenesses are typically within 1e-6
of the optimum. Here a projected Newton iteration with Jöreskog's approximation to the
Hessian (``(P o P)``, ``P`` the projector onto the discarded eigenvectors; divided by
``psi_i psi_j`` for ML) and a backtracking line search runs until the projected
gradient is below ``gtol`` (1e-10 by default) or the objective stops decreasing, so
the result is the optimum itself. Every function takes a stack of ``B`` matrices
and solves all problems at once (bootstrap replicates), each stopping on its own.

Examples
--------
>>> lam = np.array([0.8, 0.7, 0.6, 0.5])
>>> r = np.outer(lam, lam); np.fill_diagonal(r, 1.0)
>>> fit = extract(r[None], 1, "minres")
>>> np.round(np.abs(fit.loadings[0, :, 0]), 6).tolist()
[0.8, 0.7, 0.6, 0.5]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from efficacy.coefficients._moments import smc

PSI_LOWER = 0.005


@dataclass(frozen=True)
class Extraction:
    """Unrotated solution for a stack of problems."""

    loadings: np.ndarray  # (B, p, nf), signs as psych leaves them (column sums >= 0)
    psi: np.ndarray  # (B, p) uniquenesses at the optimum (psych's 1 - communalities)
    objective: np.ndarray  # (B,) value of F at the optimum
    iterations: np.ndarray  # (B,)
    converged: np.ndarray  # (B,) bool


def _minres_parts(s: np.ndarray, psi: np.ndarray, nf: int, need_hessian: bool):
    a = s.copy()
    idx = np.arange(s.shape[-1])
    a[:, idx, idx] -= psi
    values, vectors = np.linalg.eigh(a)  # ascending
    top_v = vectors[:, :, -nf:]
    top_l = values[:, -nf:]
    rest_l = values[:, :-nf]
    f = 0.5 * ((rest_l**2).sum(axis=1) + (np.minimum(top_l, 0.0) ** 2).sum(axis=1))
    load = top_v * np.sqrt(np.maximum(top_l, 0.0))[:, None, :]
    model_diag = (load**2).sum(axis=2)
    grad = model_diag + psi - np.diagonal(s, axis1=1, axis2=2)
    hess = None
    if need_hessian:
        rest_v = vectors[:, :, :-nf]
        proj = rest_v @ rest_v.transpose(0, 2, 1)
        hess = proj**2
    return f, grad, hess


def _ml_parts(s: np.ndarray, psi: np.ndarray, nf: int, need_hessian: bool):
    scale = 1.0 / np.sqrt(psi)
    sstar = s * scale[:, :, None] * scale[:, None, :]
    values, vectors = np.linalg.eigh(sstar)
    rest_l = values[:, :-nf]
    with np.errstate(divide="ignore", invalid="ignore"):
        f = (rest_l - np.log(rest_l) - 1.0).sum(axis=1)
    f = np.where(np.isfinite(f), f, np.inf)
    top_v = vectors[:, :, -nf:]
    top_l = values[:, -nf:]
    load = top_v * np.sqrt(np.maximum(top_l - 1.0, 0.0))[:, None, :]
    load = load / scale[:, :, None]
    model_diag = (load**2).sum(axis=2)
    grad = (model_diag + psi - np.diagonal(s, axis1=1, axis2=2)) / psi**2
    hess = None
    if need_hessian:
        rest_v = vectors[:, :, :-nf]
        proj = rest_v @ rest_v.transpose(0, 2, 1)
        hess = proj**2 / (psi[:, :, None] * psi[:, None, :])
    return f, grad, hess


def _loadings(s: np.ndarray, psi: np.ndarray, nf: int, fm: str) -> np.ndarray:
    idx = np.arange(s.shape[-1])
    if fm == "minres":
        a = s.copy()
        a[:, idx, idx] -= psi
        values, vectors = np.linalg.eigh(a)
        load = vectors[:, :, -nf:] * np.sqrt(np.maximum(values[:, -nf:], 0.0))[:, None, :]
    else:
        scale = 1.0 / np.sqrt(psi)
        sstar = s * scale[:, :, None] * scale[:, None, :]
        values, vectors = np.linalg.eigh(sstar)
        load = vectors[:, :, -nf:] * np.sqrt(np.maximum(values[:, -nf:] - 1.0, 0.0))[:, None, :]
        load = load / scale[:, :, None]
    load = load[:, :, ::-1]  # largest eigenvalue first, as R's eigen()
    sign = np.sign(load.sum(axis=1))
    sign[sign == 0] = 1.0
    load = load * sign[:, None, :]
    return np.where(load == 0.0, 1e-15, load)


def extract(
    s: np.ndarray,
    nf: int,
    fm: str = "minres",
    *,
    gtol: float = 1e-10,
    max_iter: int = 500,
) -> Extraction:
    """Fit ``nf`` factors to each correlation matrix of the stack ``s`` (B, p, p)."""
    if fm not in ("minres", "ml"):
        raise ValueError(f"fm must be 'minres' or 'ml', got {fm!r}")
    parts = _minres_parts if fm == "minres" else _ml_parts
    b, p, _ = s.shape
    start_smc = smc(s)
    upper = np.maximum(start_smc.max(axis=1), 1.0)[:, None] * np.ones((1, p))
    lower = np.full((b, p), PSI_LOWER)
    psi = np.clip(np.diagonal(s, axis1=1, axis2=2) - start_smc, lower, upper)
    f, grad, hess = parts(s, psi, nf, True)
    iterations = np.zeros(b, dtype=np.int64)
    converged = np.zeros(b, dtype=bool)
    active = np.arange(b)
    eye = np.eye(p)
    for _ in range(max_iter):
        if active.size == 0:
            break
        ps, pl, pu = psi[active], lower[active], upper[active]
        g, h, fa = grad[active], hess[active], f[active]
        at_bound = ((ps <= pl) & (g > 0)) | ((ps >= pu) & (g < 0))
        pg = np.where(at_bound, 0.0, g)
        done = np.abs(pg).max(axis=1) < gtol
        converged[active[done]] = True
        keep = ~done
        active, ps, pl, pu = active[keep], ps[keep], pl[keep], pu[keep]
        g, h, fa, at_bound, pg = g[keep], h[keep], fa[keep], at_bound[keep], pg[keep]
        if active.size == 0:
            break
        iterations[active] += 1
        free = ~at_bound
        both = free[:, :, None] & free[:, None, :]
        hm = np.where(both, h, 0.0) + eye * (~free)[:, None, :]
        # Guard against an ill-conditioned approximate Hessian.
        hm = (
            hm
            + eye * (1e-12 * np.abs(np.diagonal(hm, axis1=1, axis2=2)).max(axis=1))[:, None, None]
        )
        try:
            step = np.linalg.solve(hm, pg[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            step = pg.copy()
        descent = (step * pg).sum(axis=1) > 0
        step = np.where(descent[:, None], step, pg)
        t = np.ones(active.size)
        accepted = np.zeros(active.size, dtype=bool)
        new_psi = ps.copy()
        new_f = fa.copy()
        new_g = g.copy()
        new_h = h.copy()
        for _ls in range(40):
            todo = ~accepted
            if not todo.any():
                break
            trial = np.clip(ps[todo] - t[todo, None] * step[todo], pl[todo], pu[todo])
            ft, gt, ht = parts(s[active[todo]], trial, nf, True)
            decrease = (g[todo] * (ps[todo] - trial)).sum(axis=1)
            # Near the optimum the decrease of F falls below its rounding error: a
            # full step predicted to gain less than that is taken without the test.
            tiny = (t[todo] == 1.0) & (np.abs(decrease) <= 1e-9 * np.maximum(np.abs(fa[todo]), 1.0))
            ok = (ft <= fa[todo] - 1e-4 * np.maximum(decrease, 0.0)) | tiny
            idx = np.flatnonzero(todo)[ok]
            new_psi[idx], new_f[idx], new_g[idx], new_h[idx] = trial[ok], ft[ok], gt[ok], ht[ok]
            accepted[idx] = True
            t[todo] = np.where(ok, t[todo], t[todo] / 2.0)
        # No decrease along the step: the optimum is reached to rounding if the projected
        # gradient is small; otherwise the search is stuck and reported as not converged.
        stalled = ~accepted
        converged[active[stalled]] = np.abs(pg[stalled]).max(axis=1) < 1e-6
        psi[active], f[active], grad[active], hess[active] = new_psi, new_f, new_g, new_h
        active = active[~stalled]
    loads = _loadings(s, psi, nf, fm)
    return Extraction(loads, psi, f, iterations, converged)
