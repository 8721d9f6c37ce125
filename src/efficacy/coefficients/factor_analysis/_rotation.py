"""Factor rotations: varimax (R's ``stats::varimax``) and oblimin/quartimin (GPArotation).

Both work on a stack of loading matrices ``(B, p, m)`` and advance every problem in
lock-step, each stopping by its own rule, so bootstrap replicates rotate together.

varimax
    Kaiser's SVD algorithm as in ``stats::varimax`` (what psych's ``fa(rotate=
    "varimax")`` calls): rows normalised to unit length (``normalize=TRUE``), then
    ``B = L'(Z^3 - Z diag(1'Z^2) / p)``, ``T = U V'`` from the SVD of ``B``. Stopping
    rule (R's): stop when the sum of the singular values ``d`` no longer grows by a
    relative ``eps`` (``d < d_previous * (1 + eps)``, ``eps = 1e-5``), or after 1000
    iterations.
oblimin
    Gradient projection for oblique rotations (Jennrich 2002) as in GPArotation's
    ``GPFoblq`` (2022.10-2, the version psych 2.2.9 is paired with on Debian):
    quartimin criterion ``f = sum(L^2 * (L^2 N)) / 4`` with ``N`` ones off the diagonal
    (``gam = 0``), no row normalisation, identity start, step ``alpha`` doubled at each
    iteration then halved (at most 11 tries) until ``f`` falls by more than
    ``0.5 * s^2 * alpha``. Stopping rule: the Frobenius norm ``s`` of the projected
    gradient ``G - T diag(1'(T * G))`` below ``eps = 1e-5``, or ``maxit = 1000``
    iterations. (GPArotation 2026.8 changed its defaults to ``maxit = 2000`` and a
    Barzilai–Borwein step; rotated solutions then differ in the last digits.)

Examples
--------
>>> a = np.array([[0.8, 0.3], [0.7, 0.35], [0.3, 0.7], [0.35, 0.75]])
>>> rot = oblimin(a[None])
>>> bool(rot.converged[0]), np.round(np.diagonal(rot.phi[0]), 6).tolist()
(True, [1.0, 1.0])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Rotation:
    """A rotated stack: loadings (pattern), factor correlations, rotation matrices."""

    loadings: np.ndarray  # (B, p, m)
    phi: np.ndarray | None  # (B, m, m) for oblique rotations
    rotation: np.ndarray  # (B, m, m): T for GPFoblq, the orthogonal matrix for varimax
    iterations: np.ndarray  # (B,)
    converged: np.ndarray  # (B,)


def varimax(loadings: np.ndarray, *, normalize: bool = True, eps: float = 1e-5) -> Rotation:
    """Varimax rotation of each ``(p, m)`` matrix of the stack, as ``stats::varimax``."""
    x = np.array(loadings, dtype=float)
    b, p, m = x.shape
    sc = np.sqrt((x**2).sum(axis=2)) if normalize else np.ones((b, p))
    x = x / sc[:, :, None]
    tt = np.broadcast_to(np.eye(m), (b, m, m)).copy()
    d = np.zeros(b)
    iterations = np.zeros(b, dtype=np.int64)
    converged = np.zeros(b, dtype=bool)
    active = np.arange(b)
    for _ in range(1000):
        if active.size == 0:
            break
        xa = x[active]
        z = xa @ tt[active]
        colsq = (z**2).sum(axis=1)  # (n, m)
        target = z**3 - z * colsq[:, None, :] / p
        bmat = xa.transpose(0, 2, 1) @ target
        u, s, vt = np.linalg.svd(bmat)
        tt[active] = u @ vt
        dpast = d[active]
        d[active] = s.sum(axis=1)
        iterations[active] += 1
        stop = d[active] < dpast * (1.0 + eps)
        converged[active[stop]] = True
        active = active[~stop]
    z = x @ tt
    z = z * sc[:, :, None]
    return Rotation(z, None, tt, iterations, converged)


def _quartimin(lam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    sq = lam**2
    off = sq.sum(axis=2, keepdims=True) - sq  # L^2 %*% (!diag(m))
    return lam * off, (sq * off).sum(axis=(1, 2)) / 4.0


def oblimin(loadings: np.ndarray, *, eps: float = 1e-5, maxit: int = 1000) -> Rotation:
    """Quartimin (oblimin, ``gam = 0``) of each ``(p, m)`` matrix, as GPArotation's GPFoblq."""
    a = np.array(loadings, dtype=float)
    b, _p, m = a.shape
    tmat = np.broadcast_to(np.eye(m), (b, m, m)).copy()
    al = np.ones(b)
    lam = a @ np.linalg.inv(tmat).transpose(0, 2, 1)
    gq, f = _quartimin(lam)
    g = -(lam.transpose(0, 2, 1) @ gq @ np.linalg.inv(tmat)).transpose(0, 2, 1)
    iterations = np.zeros(b, dtype=np.int64)
    converged = np.zeros(b, dtype=bool)
    active = np.arange(b)
    for _ in range(maxit + 1):
        if active.size == 0:
            break
        ta, ga = tmat[active], g[active]
        gp = ga - ta * (ta * ga).sum(axis=1)[:, None, :]
        s = np.sqrt((gp**2).sum(axis=(1, 2)))
        stop = s < eps
        converged[active[stop]] = True
        keep = ~stop
        active, ta, gp, s = active[keep], ta[keep], gp[keep], s[keep]
        if active.size == 0:
            break
        iterations[active] += 1
        al[active] *= 2.0
        aa, fa = a[active], f[active]
        alpha = al[active].copy()
        new_t = ta.copy()
        new_lam = lam[active].copy()
        new_gq = gq[active].copy()
        new_f = fa.copy()
        pending = np.ones(active.size, dtype=bool)
        for _try in range(11):
            idx = np.flatnonzero(pending)
            if idx.size == 0:
                break
            xm = ta[idx] - alpha[idx, None, None] * gp[idx]
            v = 1.0 / np.sqrt((xm**2).sum(axis=1))
            tt = xm * v[:, None, :]
            lt = aa[idx] @ np.linalg.inv(tt).transpose(0, 2, 1)
            gqt, ft = _quartimin(lt)
            new_t[idx], new_lam[idx], new_gq[idx], new_f[idx] = tt, lt, gqt, ft
            improved = (fa[idx] - ft) > 0.5 * s[idx] ** 2 * alpha[idx]
            pending[idx[improved]] = False
            alpha[idx[~improved]] /= 2.0
        al[active] = alpha
        tmat[active], lam[active], gq[active], f[active] = new_t, new_lam, new_gq, new_f
        g[active] = -(new_lam.transpose(0, 2, 1) @ new_gq @ np.linalg.inv(new_t)).transpose(0, 2, 1)
    phi = tmat.transpose(0, 2, 1) @ tmat
    return Rotation(lam, phi, tmat, iterations, converged)
