"""Schmid–Leiman transformation and the omega coefficients, as psych's ``omegah``.

For a stack of correlation matrices ``m`` (B, p, p) and ``nf`` group factors:

1. ``fa(m, nf, rotate="varimax")``: orthogonal loadings ``O`` (signed and sorted).
2. Oblique step: quartimin (GPArotation ``oblimin``) of ``O`` gives the pattern ``F``
   and factor correlations ``Phi`` (no re-signing or sorting, as in psych).
3. Loadings ``gamma`` of the group factors on the general factor: a one-factor
   ``fa(Phi)`` for ``nf > 2``; ``(sqrt|phi12|, sign(phi12) sqrt|phi12|)`` for
   ``nf = 2`` (psych's ``option="equal"``); ``1`` for ``nf = 1``.
4. ``g = F gamma``; group loadings ``s = sign(F) sqrt(max(0, F^2 (1 - gamma^2)))``;
   ``h2 = rowSums(O^2)``, ``u2 = 1 - h2``, ``p2 = g^2 / h2``, ``com = (sum l^2)^2 /
   sum l^4`` over the general and group loadings.
5. Flip: items with ``g < 0`` are reversed (their rows and columns of ``m`` and their
   loadings change sign), unless the caller keyed the items.
6. With ``Vt = 1'm1`` (observed, after flipping): ``omega_h = (sum g)^2 / Vt``,
   ``omega_total = (Vt - sum u2) / Vt``, ``omega_lim = (sum g)^2 / (Vt - sum u2)``,
   ``alpha = (Vt - tr m) / Vt * p / (p - 1)``, ``g6 = (Vt + sum smc(m) - tr m) / Vt``,
   ``ecv = sum g^2 / sum(g^2 + s^2)``; ``omega_total_model = c / (c + sum u2)`` with
   ``c = 1'(F Phi F')1`` the model-implied common variance (McDonald's omega). Group
   omegas: each item joins the group factor with its largest ``|s|``; for group ``G``
   with ``V_G = 1'm_GG 1``: total ``((sum_G s)^2 + (sum_G g)^2) / V_G``, general
   ``(sum_G g)^2 / V_G``, group ``(sum_G s)^2 / V_G``; the ``g`` row holds
   ``omega_total``, ``omega_h`` and ``sum over groups (sum_G s)^2 / Vt``.

Examples
--------
>>> lam = np.array([0.8, 0.7, 0.6, 0.5])
>>> r = np.outer(lam, lam); np.fill_diagonal(r, 1.0)
>>> sl = schmid(r[None], 1, "minres")  # exact one-factor model: all three agree
>>> [round(float(v[0]), 6) for v in (sl.omega_h, sl.omega_total, sl.omega_total_model)]
[0.749446, 0.749446, 0.749446]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from efficacy.coefficients._moments import smc
from efficacy.coefficients.factor_analysis._extract import DEFAULT_STARTS, Extraction
from efficacy.coefficients.factor_analysis._rotation import oblimin
from efficacy.coefficients.factor_analysis._solution import solve


@dataclass(frozen=True)
class SchmidLeiman:
    """Batched Schmid–Leiman solution and coefficients (leading axis = replicate)."""

    g: np.ndarray  # (B, p) general loadings (after flipping)
    groups: np.ndarray  # (B, p, nf) group loadings (after flipping)
    h2: np.ndarray
    u2: np.ndarray
    p2: np.ndarray
    com: np.ndarray
    key: np.ndarray  # (B, p) +1 / -1: items flipped
    orthogonal: np.ndarray  # (B, p, nf) varimax loadings (before flipping)
    pattern: np.ndarray  # (B, p, nf) oblique pattern (before flipping)
    phi: np.ndarray  # (B, nf, nf)
    gamma: np.ndarray  # (B, nf) loadings of the group factors on g
    omega_h: np.ndarray
    omega_total: np.ndarray
    omega_total_model: np.ndarray
    omega_lim: np.ndarray
    alpha: np.ndarray
    g6: np.ndarray
    ecv: np.ndarray
    group_table: np.ndarray  # (B, nf + 1, 3): total, general, group
    converged: np.ndarray  # (B,) extraction and rotations all converged
    extraction: Extraction  # the extraction of the orthogonal solution


def _gamma(phi: np.ndarray, nf: int, fm: str, n_starts: int) -> tuple[np.ndarray, np.ndarray]:
    b = phi.shape[0]
    if nf == 1:
        return np.ones((b, 1)), np.ones(b, dtype=bool)
    if nf == 2:
        r12 = phi[:, 0, 1]
        root = np.sqrt(np.abs(r12))
        return np.column_stack([root, np.sign(r12) * root]), np.ones(b, dtype=bool)
    sol = solve(phi, 1, fm, "none", n_starts=n_starts)
    return sol.loadings[:, :, 0], sol.extraction.converged


def schmid(
    m: np.ndarray,
    nf: int,
    fm: str = "minres",
    *,
    flip: bool = True,
    n_starts: int = DEFAULT_STARTS,
    start: np.ndarray | None = None,
) -> SchmidLeiman:
    """Schmid–Leiman solution and omega coefficients for each matrix of ``m``.

    ``n_starts`` and ``start`` are those of the extraction (:func:`~._extract.extract`);
    the extraction itself is returned as ``extraction``.
    """
    b, p, _ = m.shape
    orth_sol = solve(m, nf, fm, "varimax", n_starts=n_starts, start=start)
    orth = orth_sol.loadings
    converged = orth_sol.extraction.converged & orth_sol.rotation_converged
    if nf == 1:
        pattern = orth
        phi = np.ones((b, 1, 1))
    else:
        rot = oblimin(orth)
        pattern, phi = rot.loadings, rot.phi
        converged = converged & rot.converged
    gamma, gamma_ok = _gamma(phi, nf, fm, n_starts)
    converged = converged & gamma_ok

    g = (pattern @ gamma[:, :, None])[:, :, 0]
    h2 = (orth**2).sum(axis=2)
    diag_m = np.diagonal(m, axis1=1, axis2=2)
    u2 = diag_m - h2
    uniq = diag_m[:, :, None] - pattern**2
    prime = pattern * gamma[:, None, :]
    uniq2 = diag_m[:, :, None] - uniq - prime**2
    uniq2 = np.where(uniq2 < 0, 0.0, uniq2)
    groups = np.sign(pattern) * np.sqrt(uniq2)
    p2 = g**2 / h2

    key = np.where(g < 0, -1.0, 1.0) if flip else np.ones((b, p))
    m = m * key[:, :, None] * key[:, None, :]
    g = g * key
    groups = groups * key[:, :, None]

    loads = np.concatenate([g[:, :, None], groups], axis=2)
    com = (loads**2).sum(axis=2) ** 2 / (loads**4).sum(axis=2)
    vt = m.sum(axis=(1, 2))
    trace = np.trace(m, axis1=1, axis2=2)
    gsq = g.sum(axis=1) ** 2
    uniq_sum = u2.sum(axis=1)
    omega_total = (vt - uniq_sum) / vt
    omega_lim = gsq / (vt - uniq_sum)
    alpha = (vt - trace) / vt * (p / (p - 1))
    g6 = (vt + smc(m).sum(axis=1) - trace) / vt
    ev = (loads**2).sum(axis=1)
    ecv = ev[:, 0] / ev.sum(axis=1)
    common = ((orth * key[:, :, None]).sum(axis=1) ** 2).sum(axis=1)
    omega_total_model = common / (common + uniq_sum)

    # Group omegas: each item joins the group factor with its largest |loading|.
    member = np.argmax(np.abs(groups), axis=2)  # (B, p)
    onehot = (member[:, :, None] == np.arange(nf)[None, None, :]).astype(float)
    v_group = np.einsum("bpf,bpq,bqf->bf", onehot, m, onehot)
    s_group = np.einsum("bpf,bpf->bf", onehot, groups)
    g_group = np.einsum("bpf,bp->bf", onehot, g)
    has = onehot.sum(axis=1) > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        grp = np.where(has, s_group**2 / v_group, np.nan)
        gen = np.where(has, g_group**2 / v_group, np.nan)
        tot = np.where(has, (s_group**2 + g_group**2) / v_group, np.nan)
    s_sq_total = np.where(has, s_group**2, 0.0).sum(axis=1)
    table = np.empty((b, nf + 1, 3))
    table[:, 0] = np.column_stack([omega_total, gsq / vt, s_sq_total / vt])
    table[:, 1:, 0], table[:, 1:, 1], table[:, 1:, 2] = tot, gen, grp

    return SchmidLeiman(
        g=g,
        groups=groups,
        h2=h2,
        u2=u2,
        p2=p2,
        com=com,
        key=key,
        orthogonal=orth,
        pattern=pattern,
        phi=phi,
        gamma=gamma,
        omega_h=gsq / vt,
        omega_total=omega_total,
        omega_total_model=omega_total_model,
        omega_lim=omega_lim,
        alpha=alpha,
        g6=g6,
        ecv=ecv,
        group_table=table,
        converged=converged,
        extraction=orth_sol.extraction,
    )
