"""A complete factor solution for a stack of correlation matrices, as psych's ``fa``.

:func:`solve` chains extraction (:mod:`._extract`), rotation (:mod:`._rotation`)
and psych's bookkeeping after rotation: columns re-signed so that each sums to a
non-negative value (``Phi`` re-signed with them) and sorted by the variance each factor
accounts for (``diag(L'L)``, or ``diag(Phi L'L)`` for oblique rotations), largest
first. Communalities are those of the unrotated solution (rotation leaves them
unchanged up to rounding).

Examples
--------
>>> lam = np.array([[0.7, 0.0], [0.6, 0.1], [0.7, 0.0], [0.0, 0.6], [0.1, 0.7], [0.0, 0.8]])
>>> r = lam @ lam.T; np.fill_diagonal(r, 1.0)
>>> sol = solve(r[None], 2, "minres", "varimax")
>>> np.round(sol.communality[0], 4).tolist()
[0.49, 0.37, 0.49, 0.36, 0.5, 0.64]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from efficacy.coefficients.factor_analysis._extract import DEFAULT_STARTS, Extraction, extract
from efficacy.coefficients.factor_analysis._rotation import oblimin, varimax

ROTATIONS = ("oblimin", "varimax", "none")


@dataclass(frozen=True)
class Solution:
    """Rotated, signed and sorted solutions for a stack of problems."""

    loadings: np.ndarray  # (B, p, nf)
    phi: np.ndarray | None  # (B, nf, nf) for oblimin
    unrotated: np.ndarray  # (B, p, nf)
    communality: np.ndarray  # (B, p)
    extraction: Extraction
    rotation_converged: np.ndarray  # (B,)
    rotation_iterations: np.ndarray  # (B,)
    order: np.ndarray  # (B, nf): original (extraction) index of each sorted column


def solve(
    r: np.ndarray,
    nf: int,
    fm: str = "minres",
    rotate: str = "oblimin",
    *,
    n_starts: int = DEFAULT_STARTS,
    start: np.ndarray | None = None,
) -> Solution:
    """Extract ``nf`` factors from each matrix of ``r`` (B, p, p) and rotate them.

    ``n_starts`` and ``start`` are passed to :func:`~._extract.extract`.
    """
    if rotate not in ROTATIONS:
        raise ValueError(f"rotate must be one of {ROTATIONS}, got {rotate!r}")
    ext = extract(r, nf, fm, n_starts=n_starts, start=start)
    load = ext.loadings
    b = load.shape[0]
    phi = None
    conv = np.ones(b, dtype=bool)
    iters = np.zeros(b, dtype=np.int64)
    if nf > 1 and rotate != "none":
        rot = varimax(load) if rotate == "varimax" else oblimin(load)
        rotated, phi = rot.loadings, rot.phi
        conv, iters = rot.converged, rot.iterations
    else:
        rotated = load
    sign = np.sign(rotated.sum(axis=1))
    sign[sign == 0] = 1.0
    rotated = rotated * sign[:, None, :]
    if phi is not None:
        phi = phi * sign[:, :, None] * sign[:, None, :]
    order = np.broadcast_to(np.arange(nf), (b, nf)).copy()
    if nf > 1:
        cross = rotated.transpose(0, 2, 1) @ rotated
        explained = np.diagonal(cross if phi is None else phi @ cross, axis1=1, axis2=2)
        order = np.argsort(-explained, axis=1, kind="stable")
        rotated = np.take_along_axis(rotated, order[:, None, :], axis=2)
        if phi is not None:
            phi = np.take_along_axis(phi, order[:, :, None], axis=1)
            phi = np.take_along_axis(phi, order[:, None, :], axis=2)
    communality = (load**2).sum(axis=2)
    return Solution(rotated, phi, load, communality, ext, conv, iters, order)
