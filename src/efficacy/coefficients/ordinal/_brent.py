"""Brent's one-dimensional minimiser run on many independent problems at once.

:func:`brent_min` is Brent's (1973) golden-section-with-parabolic-interpolation search,
step for step the one behind R's ``optimize()`` (``Brent_fmin`` in R's
``src/library/stats/src/optimize.c``): same start (the golden point of the interval),
same tolerances (``eps * |x| + tol / 3`` with ``eps = sqrt(DBL_EPSILON)``), same
stopping rule and same updates. Each problem advances in lock-step with the others and
stops on its own; the objective is called once per step with the trial points of the
problems still running, so one call evaluates every pair of a polychoric matrix.

Examples
--------
>>> centres = np.array([0.3, -0.5, 0.9])
>>> x = brent_min(lambda t, idx: (t - centres[idx]) ** 2, np.full(3, -1.0), np.ones(3))
>>> np.round(x, 4).tolist()
[0.3, -0.5, 0.9]
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: R's default tolerance of ``optimize()``: ``.Machine$double.eps^0.25``.
R_OPTIMIZE_TOL = float(np.finfo(float).eps ** 0.25)

_GOLD = (3.0 - np.sqrt(5.0)) * 0.5
_SQRT_EPS = float(np.sqrt(np.finfo(float).eps))

Objective = Callable[[np.ndarray, np.ndarray], np.ndarray]


def brent_min(
    f: Objective,
    lower: np.ndarray,
    upper: np.ndarray,
    tol: float = R_OPTIMIZE_TOL,
    max_iter: int = 500,
) -> np.ndarray:
    """Minimise ``n`` scalar functions on their intervals, all at once.

    Parameters
    ----------
    f
        ``f(x, idx)`` returns the objective of problems ``idx`` (integer indices) at
        points ``x`` (same length).
    lower, upper
        Interval ends, one per problem.
    tol
        R's ``tol`` argument; the default is R's default.
    max_iter
        Safety cap on the number of steps (Brent's search needs far fewer).

    Returns
    -------
    numpy.ndarray
        The minimisers, as R's ``optimize(...)$minimum`` would return them.
    """
    a = np.asarray(lower, dtype=float).copy()
    b = np.asarray(upper, dtype=float).copy()
    n = a.shape[0]
    v = a + _GOLD * (b - a)
    w = v.copy()
    x = v.copy()
    d = np.zeros(n)
    e = np.zeros(n)
    fx = np.asarray(f(x, np.arange(n)), dtype=float).copy()
    fv = fx.copy()
    fw = fx.copy()
    tol3 = tol / 3.0
    active = np.arange(n)
    for _ in range(max_iter):
        xa, aa, ba = x[active], a[active], b[active]
        xm = (aa + ba) * 0.5
        tol1 = _SQRT_EPS * np.abs(xa) + tol3
        t2 = tol1 * 2.0
        done = np.abs(xa - xm) <= t2 - (ba - aa) * 0.5
        if done.all():
            break
        keep = ~done
        active = active[keep]
        xa, aa, ba, xm, tol1, t2 = xa[keep], aa[keep], ba[keep], xm[keep], tol1[keep], t2[keep]
        ea, da = e[active], d[active]
        wa, va = w[active], v[active]
        fxa, fwa, fva = fx[active], fw[active], fv[active]

        # Fit a parabola through x, w and v where the last-but-one step was not tiny.
        fit = np.abs(ea) > tol1
        r = np.where(fit, (xa - wa) * (fxa - fva), 0.0)
        q = np.where(fit, (xa - va) * (fxa - fwa), 0.0)
        p = np.where(fit, (xa - va) * q - (xa - wa) * r, 0.0)
        q = np.where(fit, (q - r) * 2.0, 0.0)
        p = np.where(fit & (q > 0.0), -p, p)
        q = np.abs(q)
        r = np.where(fit, ea, 0.0)
        ea = np.where(fit, da, ea)

        golden = (np.abs(p) >= np.abs(q * 0.5 * r)) | (p <= q * (aa - xa)) | (p >= q * (ba - xa))
        e_gold = np.where(xa < xm, ba - xa, aa - xa)
        with np.errstate(divide="ignore", invalid="ignore"):
            d_par = p / q
        u_par = xa + d_par
        near_end = (u_par - aa < t2) | (ba - u_par < t2)
        d_par = np.where(near_end, np.where(xa >= xm, -tol1, tol1), d_par)
        ea = np.where(golden, e_gold, ea)
        da = np.where(golden, _GOLD * e_gold, d_par)

        # Never evaluate closer than tol1 to x.
        u = np.where(np.abs(da) >= tol1, xa + da, np.where(da > 0.0, xa + tol1, xa - tol1))
        fu = np.asarray(f(u, active), dtype=float)

        better = fu <= fxa
        # fu <= fx: the bracket shrinks towards u, and u becomes the best point.
        a_new = np.where(better, np.where(u < xa, aa, xa), np.where(u < xa, u, aa))
        b_new = np.where(better, np.where(u < xa, xa, ba), np.where(u < xa, ba, u))
        to_w = ~better & ((fu <= fwa) | (wa == xa))
        to_v = ~better & ~to_w & ((fu <= fva) | (va == xa) | (va == wa))
        v_new = np.where(better, wa, np.where(to_w, wa, np.where(to_v, u, va)))
        fv_new = np.where(better, fwa, np.where(to_w, fwa, np.where(to_v, fu, fva)))
        w_new = np.where(better, xa, np.where(to_w, u, wa))
        fw_new = np.where(better, fxa, np.where(to_w, fu, fwa))
        x_new = np.where(better, u, xa)
        fx_new = np.where(better, fu, fxa)

        a[active], b[active] = a_new, b_new
        v[active], fv[active] = v_new, fv_new
        w[active], fw[active] = w_new, fw_new
        x[active], fx[active] = x_new, fx_new
        d[active], e[active] = da, ea
    return x
