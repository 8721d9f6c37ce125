"""Model-based reliability: factor analysis and McDonald's omega, as R psych computes them.

:func:`fa` fits a common factor model to a correlation matrix (minres, psych's default,
or maximum likelihood) and rotates it (quartimin "oblimin", varimax, or none), with
psych's fit statistics. :func:`omega` runs psych's ``omega()``: a Schmid–Leiman
transformation of an oblique solution, and the omega coefficients from it.

Reference and tolerances: R psych 2.2.9 with GPArotation 2022.10-2. psych stops its
L-BFGS-B search early (``factr = 1e7``); here the optimum is solved to a projected
gradient of 1e-10, so loadings agree with psych's to about 1e-6 and coefficients to
about 1e-7 (see :mod:`efficacy.reliability._fa_extract`). Rotations are ports of
``stats::varimax`` and ``GPArotation::GPFoblq`` with their stopping rules
(:mod:`efficacy.reliability._rotation`).

Two omega totals
    ``omega_total`` is psych's ``omega.tot = (Vt - sum u2) / Vt``, ``Vt = 1'R1`` the
    *observed* variance of the standardized total score. ``omega_total_model`` is
    McDonald's omega with the *model-implied* denominator, ``1'(F Phi F')1 / 1'(F Phi
    F' + Psi)1``; for one factor ``(sum l)^2 / ((sum l)^2 + sum(1 - l^2))`` (MBESS,
    semTools ``obs.var=FALSE``, JASP). They differ by how well the model reproduces the
    correlations.

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(7)
>>> f = rng.standard_normal((500, 1))
>>> items = pd.DataFrame(f @ [[0.7, 0.6, 0.5, 0.6]] + rng.standard_normal((500, 4)) * 0.7,
...                      columns=["a", "b", "c", "d"])
>>> res = omega(items)
>>> round(res.omega_total, 3), round(res.omega_total_model, 3)
(0.751, 0.751)
>>> fa(items).loadings.round(2)["MR1"].tolist()
[0.71, 0.66, 0.64, 0.62]
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.special import ndtri

from efficacy.errors import DataError
from efficacy.reliability._fa_boot import (
    resample_weights,
    simulated_correlations,
    weighted_correlations,
)
from efficacy.reliability._fa_schmid import SchmidLeiman, schmid
from efficacy.reliability._fa_solution import ROTATIONS, solve
from efficacy.reliability._fa_stats import factor_stats
from efficacy.reliability._poly_stack import pair_counts, polychoric_stack, smooth_stack
from efficacy.reliability.moments import item_matrix, moments
from efficacy.reliability.polychoric import polychoric
from efficacy.results import Result

__all__ = ["FactorResult", "OmegaResult", "fa", "omega"]

FmMethod = Literal["minres", "ml"]
RotateMethod = Literal["oblimin", "varimax", "none"]
NanPolicy = Literal["pairwise", "listwise"]
BootCi = Literal["fisher", "percentile"]

#: Coefficients that are bootstrapped, in this order.
BOOT_STATISTICS = ("omega_h", "omega_total", "omega_total_model", "omega_lim", "alpha", "g6")


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, repr=False)
class FactorResult(Result):
    """A factor solution (psych's ``fa``).

    Attributes
    ----------
    loadings
        Pattern loadings, items x factors (``MR1``... for minres, ``ML1``... for ML;
        columns keep psych's names and order: sorted by variance accounted for).
    uniquenesses, communalities
        ``1 - h2`` and ``h2`` per item.
    phi
        Factor correlations (oblique rotation) or ``None``.
    structure
        Structure matrix ``loadings @ phi`` (equals ``loadings`` if orthogonal).
    complexity
        Hofmann's complexity per item.
    variance
        psych's "Vaccounted": SS loadings, proportion of variance, cumulative, ...
    eigenvalues
        Eigenvalues of the correlation matrix.
    rms, crms
        Root mean square of the off-diagonal residuals (psych's ``rms``; ``crms``
        corrects for degrees of freedom).
    chi_square, p_value, dof, rmsea, rmsea_ci, tli, bic
        Likelihood-based fit (Bartlett-corrected chi-square of the model, its RMSEA
        with a 90 % interval, Tucker–Lewis index, BIC); NaN without ``n_obs``.
    objective, fit, fit_off, empirical_chi_square, null_chi_square, null_dof
        The rest of psych's ``factor.stats``.
    converged, iterations
        Whether extraction and rotation met their stopping rules.
    """

    loadings: pd.DataFrame
    uniquenesses: pd.Series
    communalities: pd.Series
    phi: pd.DataFrame | None
    structure: pd.DataFrame = field(repr=False)
    complexity: pd.Series = field(repr=False)
    variance: pd.DataFrame = field(repr=False)
    eigenvalues: pd.Series = field(repr=False)
    rms: float
    crms: float
    chi_square: float
    p_value: float
    dof: float
    rmsea: float
    rmsea_ci: tuple[float, float]
    tli: float
    bic: float
    objective: float = field(repr=False)
    fit: float = field(repr=False)
    fit_off: float = field(repr=False)
    empirical_chi_square: float = field(repr=False)
    null_chi_square: float = field(repr=False)
    null_dof: float = field(repr=False)
    n_obs: int | None
    nfactors: int
    fm: str
    rotate: str
    converged: bool
    iterations: int = field(repr=False)
    correlation: pd.DataFrame = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """Loadings with ``h2``, ``u2`` and ``com`` columns, as psych prints them."""
        out = self.loadings.copy()
        out["h2"] = self.communalities
        out["u2"] = self.uniquenesses
        out["com"] = self.complexity
        return out


@dataclass(frozen=True, repr=False)
class OmegaResult(Result):
    """Omega reliability coefficients (psych's ``omega``).

    Attributes
    ----------
    omega_h
        Omega hierarchical ``(sum g)^2 / Vt``: variance of the total score due to the
        general factor (for one factor: the same with the observed denominator).
    omega_total
        psych's omega total ``(Vt - sum u2) / Vt`` (observed denominator).
    omega_total_model
        McDonald's omega total with the model-implied denominator.
    omega_lim
        Omega limit (asymptotic omega_h): ``(sum g)^2 / (Vt - sum u2)``.
    alpha, g6
        Standardized alpha and Guttman's lambda 6 (smc) of the (flipped) correlation
        matrix, as psych's ``omega`` reports them.
    ecv
        Explained common variance of the general factor.
    loadings
        Schmid–Leiman table: ``g``, group factors ``F1*``..., ``h2``, ``u2``, ``p2``
        (``g^2 / h2``), ``com`` (complexity).
    omega_group
        Rows ``g``, ``F1*``...; columns ``total``, ``general``, ``group``.
    pattern, phi, gamma
        The oblique pattern, its factor correlations and the loadings of the group
        factors on the general factor.
    flipped
        Items whose sign was reversed (by ``reverse=`` or because their general
        loading was negative).
    ci
        With ``n_boot > 0``: per coefficient ``lower``, ``upper``, ``mean`` and ``sd``
        of the bootstrap replicates.
    replicates
        The bootstrap replicates (one row each), or ``None``.
    """

    omega_h: float
    omega_total: float
    omega_total_model: float
    omega_lim: float
    alpha: float
    g6: float
    ecv: float
    nfactors: int
    n_items: int
    n_obs: int | None
    fm: str
    poly: bool
    loadings: pd.DataFrame
    omega_group: pd.DataFrame
    pattern: pd.DataFrame = field(repr=False)
    phi: pd.DataFrame = field(repr=False)
    gamma: pd.Series = field(repr=False)
    flipped: tuple[str, ...] = ()
    ci: pd.DataFrame | None = None
    level: float = 0.95
    boot_ci: str = "fisher"
    n_boot: int = 0
    n_boot_failed: int = 0
    converged: bool = True
    replicates: pd.DataFrame | None = field(default=None, repr=False)
    correlation: pd.DataFrame | None = field(default=None, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """One row per coefficient: ``estimate`` (and ``lower``, ``upper`` if bootstrapped)."""
        names = [*BOOT_STATISTICS, "ecv"]
        out = pd.DataFrame(
            {"estimate": [float(getattr(self, name)) for name in names]},
            index=pd.Index(names, name="coefficient"),
        )
        if self.ci is not None:
            out["lower"] = self.ci["lower"].reindex(out.index)
            out["upper"] = self.ci["upper"].reindex(out.index)
        return out


# --------------------------------------------------------------------------- input


def is_correlation_matrix(values: np.ndarray) -> bool:
    """psych's ``isCorrelation``: square, symmetric, unit diagonal, entries in [-1, 1]."""
    if values.ndim != 2 or values.shape[0] != values.shape[1] or np.isnan(values).any():
        return False
    return bool(
        np.allclose(values, values.T, rtol=0.0, atol=1e-10)
        and np.allclose(np.diag(values), 1.0, rtol=0.0, atol=1e-10)
        and np.abs(values).max() <= 1.0 + 1e-10
    )


@dataclass(frozen=True)
class _Input:
    r: np.ndarray
    names: list[str]
    n_obs: int | None
    np_obs: np.ndarray | None
    x: np.ndarray | None  # raw data (float, NaN missing) when given


def _as_array(items: Any) -> np.ndarray | None:
    if isinstance(items, pd.DataFrame):
        try:
            return items.to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError):
            return None
    try:
        return np.asarray(items, dtype=float)
    except (TypeError, ValueError):
        return None


def _correlations(items: Any, nan_policy: NanPolicy, n_obs: int | None) -> _Input:
    """Correlation matrix of raw items (R's ``cor(use="pairwise")``) or a given matrix."""
    values = _as_array(items)
    if values is not None and is_correlation_matrix(values):
        names = (
            [str(c) for c in items.columns]
            if isinstance(items, pd.DataFrame)
            else [f"item{j + 1}" for j in range(values.shape[0])]
        )
        if len(set(names)) != len(names):
            raise DataError("the correlation matrix has duplicate item names")
        return _Input((values + values.T) / 2.0, names, n_obs, None, None)
    im = item_matrix(items, min_items=3)
    sd = np.nanstd(im.values, axis=0, ddof=1)
    flat = ~(sd > 0)
    if flat.any():
        bad = [im.names[j] for j in np.flatnonzero(flat)]
        raise DataError(f"items without variance cannot be correlated: {bad}")
    mom = moments(im.values, nan_policy=nan_policy)
    r = mom.cor
    if not np.isfinite(r).all():
        i, j = np.argwhere(~np.isfinite(r))[0]
        raise DataError(
            f"the correlation of {im.names[i]!r} and {im.names[j]!r} is undefined: "
            "one of them has no variance on the rows they share"
        )
    return _Input(r, im.names, im.n_obs, mom.n_pairs.astype(float), im.values)


def _check_nfactors(nfactors: int, p: int) -> None:
    if not isinstance(nfactors, int | np.integer) or isinstance(nfactors, bool) or nfactors < 1:
        raise DataError(f"nfactors must be a positive integer, got {nfactors!r}")
    if nfactors >= p:
        raise DataError(f"{nfactors} factors need more than {nfactors} items, got {p}")


def _check_fm(fm: str) -> None:
    if fm not in ("minres", "ml"):
        raise DataError(f"fm must be 'minres' or 'ml', got {fm!r}")


# --------------------------------------------------------------------------- fa


def fa(
    items_or_corr: pd.DataFrame | np.ndarray,
    nfactors: int = 1,
    *,
    fm: FmMethod = "minres",
    rotate: RotateMethod = "oblimin",
    n_obs: int | None = None,
    nan_policy: NanPolicy = "pairwise",
) -> FactorResult:
    """Exploratory factor analysis of items or of a correlation matrix (psych's ``fa``).

    Parameters
    ----------
    items_or_corr
        Item responses (rows are respondents; NaN is missing) or a correlation matrix
        (square, symmetric, unit diagonal).
    nfactors
        Number of factors.
    fm
        ``"minres"`` (psych's default: unweighted least squares on the off-diagonal
        residuals) or ``"ml"`` (maximum likelihood).
    rotate
        ``"oblimin"`` (quartimin, psych's default), ``"varimax"`` or ``"none"``.
    n_obs
        Sample size for a correlation matrix (enables chi-square, RMSEA, TLI, BIC);
        with raw data it is the number of rows, complete or not (psych's ``n.obs``).
    nan_policy
        ``"pairwise"`` (R's ``use="pairwise"``, psych's default) or ``"listwise"``.

    Returns
    -------
    FactorResult

    Raises
    ------
    DataError
        Too few items for ``nfactors``, items without variance, non-numeric data.

    Examples
    --------
    >>> lam = np.array([0.8, 0.7, 0.6, 0.5])
    >>> r = np.outer(lam, lam); np.fill_diagonal(r, 1.0)
    >>> res = fa(r, n_obs=300)
    >>> res.loadings["MR1"].round(6).tolist(), round(res.rms, 10)
    ([0.8, 0.7, 0.6, 0.5], 0.0)
    """
    _check_fm(fm)
    if rotate not in ROTATIONS:
        raise DataError(f"rotate must be one of {ROTATIONS}, got {rotate!r}")
    data = _correlations(items_or_corr, nan_policy, n_obs)
    p = len(data.names)
    _check_nfactors(nfactors, p)
    sol = solve(data.r[None], nfactors, fm, rotate)
    prefix = "MR" if fm == "minres" else "ML"
    columns = [f"{prefix}{i + 1}" for i in sol.order[0]]
    load = sol.loadings[0]
    phi = None if sol.phi is None else sol.phi[0]
    st = factor_stats(data.r, load, phi, n_obs=data.n_obs, np_obs=data.np_obs)
    converged = bool(sol.extraction.converged[0] and sol.rotation_converged[0])
    if not converged:
        warnings.warn(
            "the factor solution did not meet its convergence criterion; interpret with care",
            stacklevel=2,
        )
    if (sol.extraction.psi[0] <= 0.005 + 1e-9).any():
        heywood = [data.names[j] for j in np.flatnonzero(sol.extraction.psi[0] <= 0.005 + 1e-9)]
        warnings.warn(
            f"Heywood case: the uniqueness of {heywood} is at its lower bound (0.005)",
            stacklevel=2,
        )
    communality = sol.communality[0]
    names = data.names
    loadings = pd.DataFrame(load, index=names, columns=columns)
    phi_frame = None if phi is None else pd.DataFrame(phi, index=columns, columns=columns)
    structure = pd.DataFrame(load if phi is None else load @ phi, index=names, columns=columns)
    cross = load.T @ load
    vx = np.diag(cross if phi is None else phi @ cross)
    vtotal = float(p)
    rows = {"SS loadings": vx, "Proportion Var": vx / vtotal}
    if nfactors > 1:
        rows["Cumulative Var"] = np.cumsum(vx / vtotal)
        rows["Proportion Explained"] = vx / vx.sum()
        rows["Cumulative Proportion"] = np.cumsum(vx / vx.sum())
    variance = pd.DataFrame(rows, index=columns).T
    eig = np.linalg.eigvalsh(data.r)[::-1]
    return FactorResult(
        loadings=loadings,
        uniquenesses=pd.Series(1.0 - communality, index=names, name="u2"),
        communalities=pd.Series(communality, index=names, name="h2"),
        phi=phi_frame,
        structure=structure,
        complexity=pd.Series(st["complexity"], index=names, name="com"),
        variance=variance,
        eigenvalues=pd.Series(eig, index=range(1, p + 1), name="eigenvalue"),
        rms=st["rms"],
        crms=st["crms"],
        chi_square=st["chi_square"],
        p_value=st["p_value"],
        dof=st["dof"],
        rmsea=st["rmsea"],
        rmsea_ci=(st["rmsea_lower"], st["rmsea_upper"]),
        tli=st["tli"],
        bic=st["bic"],
        objective=st["objective"],
        fit=st["fit"],
        fit_off=st["fit_off"],
        empirical_chi_square=st["empirical_chi_square"],
        null_chi_square=st["null_chi_square"],
        null_dof=st["null_dof"],
        n_obs=data.n_obs,
        nfactors=nfactors,
        fm=fm,
        rotate=rotate if nfactors > 1 else "none",
        converged=converged,
        iterations=int(sol.extraction.iterations[0]),
        correlation=pd.DataFrame(data.r, index=names, columns=names),
    )


# --------------------------------------------------------------------------- omega


def _reverse_key(names: list[str], reverse: Iterable[str] | str) -> np.ndarray:
    wanted = [reverse] if isinstance(reverse, str) else list(reverse)
    unknown = [name for name in wanted if name not in names]
    if unknown:
        raise DataError(
            f"reverse names items that are not in the data: {unknown}; items are {names}"
        )
    return np.array([-1.0 if name in wanted else 1.0 for name in names])


def _sl_frames(sl: SchmidLeiman, names: list[str], nf: int) -> dict[str, Any]:
    groups = [f"F{j + 1}*" for j in range(nf)]
    table = pd.DataFrame(sl.groups[0], index=names, columns=groups)
    table.insert(0, "g", sl.g[0])
    table["h2"] = sl.h2[0]
    table["u2"] = sl.u2[0]
    table["p2"] = sl.p2[0]
    table["com"] = sl.com[0]
    factors = [f"F{j + 1}" for j in range(nf)]
    return {
        "loadings": table,
        "omega_group": pd.DataFrame(
            sl.group_table[0], index=["g", *groups], columns=["total", "general", "group"]
        ),
        "pattern": pd.DataFrame(sl.pattern[0], index=names, columns=factors),
        "phi": pd.DataFrame(sl.phi[0], index=factors, columns=factors),
        "gamma": pd.Series(sl.gamma[0], index=factors, name="g"),
    }


def _bootstrap_matrices(
    data: _Input,
    rng: np.random.Generator,
    n_boot: int,
    *,
    poly: bool,
    codes: tuple[np.ndarray, int] | None,
    nan_policy: NanPolicy,
    correct: float,
) -> np.ndarray:
    if data.x is None:
        if data.n_obs is None:
            raise DataError("bootstrapping omega from a correlation matrix needs n_obs")
        return simulated_correlations(rng, data.r, int(data.n_obs), n_boot)
    n = data.x.shape[0]
    weights = resample_weights(rng, n, n_boot)
    if poly and codes is not None:
        tables, margins = pair_counts(codes[0], codes[1], weights)
        fit = polychoric_stack(tables, margins, correct=correct)
        rho = np.where(fit["valid"][:, None, None], fit["rho"], np.nan)
        return smooth_stack(rho)[0]
    if nan_policy == "listwise":
        complete = ~np.isnan(data.x).any(axis=1)
        return weighted_correlations(data.x[complete], weights[:, complete])
    return weighted_correlations(data.x, weights)


def _intervals(reps: np.ndarray, level: float, method: BootCi) -> pd.DataFrame:
    lower_q = (1.0 - level) / 2.0
    rows = []
    for j, name in enumerate(BOOT_STATISTICS):
        v = reps[:, j]
        v = v[np.isfinite(v)]
        if v.size < 2:
            rows.append((np.nan, np.nan, np.nan, np.nan))
            continue
        if method == "percentile":
            lo, hi = np.quantile(v, [lower_q, 1.0 - lower_q])
        elif name == "omega_lim":  # psych leaves omega_lim on its own scale
            m, s = v.mean(), v.std(ddof=1)
            lo, hi = m + ndtri(lower_q) * s, m + ndtri(1.0 - lower_q) * s
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                z = np.arctanh(v)
            z = z[np.isfinite(z)]
            m, s = z.mean(), z.std(ddof=1)
            lo, hi = np.tanh(m + ndtri(lower_q) * s), np.tanh(m + ndtri(1.0 - lower_q) * s)
        rows.append((float(lo), float(hi), float(v.mean()), float(v.std(ddof=1))))
    return pd.DataFrame(
        rows,
        index=pd.Index(BOOT_STATISTICS, name="coefficient"),
        columns=["lower", "upper", "mean", "sd"],
    )


def omega(
    items: pd.DataFrame | np.ndarray,
    nfactors: int = 1,
    reverse: Iterable[str] | str = (),
    poly: bool = False,
    *,
    nan_policy: NanPolicy = "pairwise",
    fm: FmMethod = "minres",
    n_boot: int = 0,
    seed: int | np.random.Generator | None = None,
    level: float = 0.95,
    boot_ci: BootCi = "fisher",
    n_obs: int | None = None,
    correct: float = 0.5,
) -> OmegaResult:
    """McDonald's omega coefficients via a Schmid–Leiman solution (psych's ``omega``).

    Parameters
    ----------
    items
        Item responses (NaN is missing) or a correlation matrix.
    nfactors
        Number of group factors. **The default is 1** (a one-factor model, where omega
        total is the reliability of a unidimensional scale), where psych's default is
        3; pass ``nfactors=3`` to reproduce ``psych::omega(x)``. With 2 group factors
        the general loadings are not identified and psych's ``option="equal"`` is used
        (with a warning).
    reverse
        Names of reverse-keyed items: their rows and columns of the correlation
        matrix change sign (psych's ``key``), and the automatic flipping of items with
        negative general loadings is off. Without it, such items are flipped as psych
        does, with a warning naming them.
    poly
        Use the polychoric correlation matrix (:func:`~efficacy.reliability.
        polychoric.polychoric`) of the items, which must be integer codes.
    nan_policy
        ``"pairwise"`` (psych's ``cor(use="pairwise")``) or ``"listwise"``. With
        ``poly=True`` each pair's table always uses the rows where both are present.
    fm
        Factor extraction: ``"minres"`` (psych's default) or ``"ml"``.
    n_boot
        Bootstrap replicates (0: none). Rows are resampled with replacement (for a
        correlation matrix, samples of ``n_obs`` are simulated from it, as psych does);
        each replicate is analysed exactly as the data, all replicates at once.
    seed
        Seed or generator of the bootstrap.
    level
        Confidence level of the bootstrap intervals.
    boot_ci
        ``"fisher"`` (psych's: mean +- z sd of the Fisher-z transformed replicates,
        back-transformed; ``omega_lim`` untransformed) or ``"percentile"``.
    n_obs
        Sample size when ``items`` is a correlation matrix (needed for the bootstrap).
    correct
        Continuity correction passed to the polychoric estimation.

    Returns
    -------
    OmegaResult

    Raises
    ------
    DataError
        Too few items for ``nfactors``, unknown ``reverse`` names, items without
        variance, bootstrap of a correlation matrix without ``n_obs``.

    Examples
    --------
    >>> lam = np.array([0.8, 0.7, 0.6, 0.5])
    >>> r = np.outer(lam, lam); np.fill_diagonal(r, 1.0)
    >>> res = omega(r)
    >>> round(res.omega_total, 6), round(res.omega_total_model, 6)  # 2.6^2 / (2.6^2 + 2.26)
    (0.749446, 0.749446)
    """
    _check_fm(fm)
    if boot_ci not in ("fisher", "percentile"):
        raise DataError(f"boot_ci must be 'fisher' or 'percentile', got {boot_ci!r}")
    if not 0.0 < level < 1.0:
        raise DataError(f"level must be between 0 and 1, got {level!r}")
    if n_boot < 0:
        raise DataError(f"n_boot must be >= 0, got {n_boot}")
    codes = None
    if poly:
        values = _as_array(items)
        if values is not None and is_correlation_matrix(values):
            raise DataError("poly=True needs the item responses, not a correlation matrix")
        pc = polychoric(items, correct=correct)
        im = item_matrix(items)
        data = _Input(pc.rho.to_numpy(), im.names, im.n_obs, None, im.values)
        low = int(np.nanmin(im.values))
        n_cat = int(np.nanmax(im.values)) - low + 1
        codes = (np.where(np.isnan(im.values), -1, im.values - low).astype(np.int64), n_cat)
    else:
        data = _correlations(items, nan_policy, n_obs)
    names = data.names
    p = len(names)
    _check_nfactors(nfactors, p)
    if n_boot > 0 and data.x is None and data.n_obs is None:
        raise DataError("bootstrapping omega from a correlation matrix needs n_obs")
    wanted = [reverse] if isinstance(reverse, str) else list(reverse)
    key = _reverse_key(names, wanted)
    flip = not wanted
    r = data.r * key[:, None] * key[None, :]
    sl = schmid(r[None], nfactors, fm, flip=flip)
    if nfactors == 2:
        warnings.warn(
            "three group factors are needed to identify the general factor; with two, "
            "psych's option='equal' sets the two general loadings equal",
            stacklevel=2,
        )
    converged = bool(sl.converged[0])
    if not converged:
        warnings.warn(
            "the factor solution did not meet its convergence criterion; interpret with care",
            stacklevel=2,
        )
    auto = [names[j] for j in np.flatnonzero(sl.key[0] < 0)]
    if auto:
        warnings.warn(
            f"items {auto} load negatively on the general factor and were reversed "
            "(psych's flip); pass reverse= to key them explicitly",
            stacklevel=2,
        )
    flipped = tuple(wanted) if wanted else tuple(auto)
    frames = _sl_frames(sl, names, nfactors)

    ci = reps_frame = None
    n_failed = 0
    if n_boot > 0:
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        mats = _bootstrap_matrices(
            data, rng, n_boot, poly=poly, codes=codes, nan_policy=nan_policy, correct=correct
        )
        mats = mats * key[None, :, None] * key[None, None, :]
        ok = np.isfinite(mats).all(axis=(1, 2))
        reps = np.full((n_boot, len(BOOT_STATISTICS)), np.nan)
        if ok.any():
            bsl = schmid(mats[ok], nfactors, fm, flip=flip)
            reps[ok] = np.column_stack([getattr(bsl, name) for name in BOOT_STATISTICS])
        n_failed = int((~np.isfinite(reps).all(axis=1)).sum())
        if n_failed:
            warnings.warn(
                f"{n_failed} of {n_boot} bootstrap replicates could not be analysed "
                "and were left out",
                stacklevel=2,
            )
        reps_frame = pd.DataFrame(reps, columns=list(BOOT_STATISTICS))
        ci = _intervals(reps, level, boot_ci)

    return OmegaResult(
        omega_h=float(sl.omega_h[0]),
        omega_total=float(sl.omega_total[0]),
        omega_total_model=float(sl.omega_total_model[0]),
        omega_lim=float(sl.omega_lim[0]),
        alpha=float(sl.alpha[0]),
        g6=float(sl.g6[0]),
        ecv=float(sl.ecv[0]),
        nfactors=nfactors,
        n_items=p,
        n_obs=data.n_obs,
        fm=fm,
        poly=poly,
        flipped=flipped,
        ci=ci,
        level=level,
        boot_ci=boot_ci,
        n_boot=n_boot,
        n_boot_failed=n_failed,
        converged=converged,
        replicates=reps_frame,
        correlation=pd.DataFrame(r, index=names, columns=names),
        **frames,
    )
