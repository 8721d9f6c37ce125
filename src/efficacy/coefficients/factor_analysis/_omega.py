"""Model-based reliability: factor analysis and McDonald's omega, as R psych computes them.

:func:`fa` fits a common factor model to a correlation matrix (minres, psych's default,
or maximum likelihood) and rotates it (quartimin "oblimin", varimax, or none), with
psych's fit statistics. :func:`omega` runs psych's ``omega()``: a Schmid–Leiman
transformation of an oblique solution, and the omega coefficients from it.

Reference and tolerances: R psych 2.2.9 with GPArotation 2022.10-2. psych stops its
L-BFGS-B search early (``factr = 1e7``) from a single start; here the extraction is
solved to a projected gradient of 1e-10 from several starts and the lowest objective
is kept. Where psych reaches the same optimum, loadings agree with psych's within 2e-3
and omega coefficients within 1e-3 (most fits much closer); where psych stops at a
worse local optimum, efficacy reports the better one (see
:mod:`efficacy.coefficients.factor_analysis._extract`). Rotations are ports of
``stats::varimax`` and ``GPArotation::GPFoblq`` with their stopping rules
(:mod:`efficacy.coefficients.factor_analysis._rotation`).

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
>>> from efficacy.coefficients.factor_analysis import fa
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

from efficacy._dispatch import is_dask, on_dask
from efficacy.coefficients._moments import item_matrix
from efficacy.coefficients.alpha_family._bootstrap import (
    BLOCK_CELLS,
    pattern_resamples,
    row_patterns,
)
from efficacy.coefficients.factor_analysis._bootstrap import (
    simulated_correlations,
    weighted_correlations,
)
from efficacy.coefficients.factor_analysis._extract import DEFAULT_STARTS
from efficacy.coefficients.factor_analysis._fa import (
    CorrelationInput,
    FmMethod,
    NanPolicy,
    as_array,
    check_fm,
    check_nfactors,
    check_starts,
    correlation_input,
    is_correlation_matrix,
    starts_note,
    starts_warning,
)
from efficacy.coefficients.factor_analysis._schmid import SchmidLeiman, schmid
from efficacy.coefficients.ordinal._polychoric import polychoric
from efficacy.coefficients.ordinal._stack import pair_counts, polychoric_stack, smooth_stack
from efficacy.errors import DataError
from efficacy.results import Result, Summary
from efficacy.results import format_value as _f

BootCi = Literal["fisher", "percentile"]

#: Coefficients that are bootstrapped, in this order.
BOOT_STATISTICS = ("omega_h", "omega_total", "omega_total_model", "omega_lim", "alpha", "g6")


# --------------------------------------------------------------------------- results


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
    criterion, n_starts, n_best
        The extraction of the orthogonal solution: the value of the function it
        minimised, the number of starts and how many reached that lowest value (see
        :class:`~efficacy.coefficients.factor_analysis.FactorResult`).
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
    criterion: float = field(default=float("nan"), repr=False)
    n_starts: int = field(default=1, repr=False)
    n_best: int = field(default=1, repr=False)

    def summary(self) -> Summary:
        """Omega total and hierarchical, the model, the counts and any bootstrap intervals."""
        n = "unknown (a correlation matrix)" if self.n_obs is None else str(self.n_obs)
        rows = (
            ("omega total", f"{_f(self.omega_total)} (psych, observed variance)"),
            ("omega total (model)", f"{_f(self.omega_total_model)} (McDonald, model-implied)"),
            ("omega hierarchical", _f(self.omega_h)),
            ("alpha", _f(self.alpha)),
            (
                "model",
                f"{self.nfactors} factor(s), {self.fm}"
                + (", polychoric" if self.poly else ", Pearson"),
            ),
            ("items", str(self.n_items)),
            ("respondents", n),
        )
        notes = []
        if not self.converged:
            notes.append("The factor solution did not meet its convergence criterion.")
        if self.flipped:
            notes.append(f"Items reversed: {', '.join(map(str, self.flipped))}.")
        starts = starts_note(self.n_best, self.n_starts)
        if starts:
            notes.append(starts)
        if self.n_boot:
            notes.append(
                f"Intervals: {_f(self.level * 100)}% from {self.n_boot} bootstrap replicates "
                f"({self.boot_ci}), {self.n_boot_failed} left out."
            )
        return Summary("McDonald's omega", rows, tuple(notes), self.ci)

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


# --------------------------------------------------------------------------- fa


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
    data: CorrelationInput,
    rng: np.random.Generator,
    n_boot: int,
    *,
    poly: bool,
    codes: tuple[int, int] | None,
    nan_policy: NanPolicy,
    correct: float,
    patterns: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """The correlation matrices of ``n_boot`` row resamples.

    The rows are those of ``data.x``, or given by ``patterns``: the distinct rows (in
    :func:`row_patterns` order) and the pattern of every row, which is all the
    resampling reads.
    """
    if patterns is not None:
        xp, inverse = patterns
    elif data.x is None:
        if data.n_obs is None:
            raise DataError("bootstrapping omega from a correlation matrix needs n_obs")
        return simulated_correlations(rng, data.r, int(data.n_obs), n_boot)
    else:
        first, inverse, _ = row_patterns(data.x)
        xp = data.x[first]
    n_patterns = xp.shape[0]
    out = np.empty((n_boot, xp.shape[1], xp.shape[1]))
    block = BLOCK_CELLS // n_patterns
    blocks = pattern_resamples(rng, inverse, n_patterns, n_boot, block, "omega bootstrap")
    complete = ~np.isnan(xp).any(axis=1)
    for begin, weights in blocks:
        stop = begin + weights.shape[0]
        if poly and codes is not None:
            pattern_codes = np.where(np.isnan(xp), -1, xp - codes[0]).astype(np.int64)
            tables, margins = pair_counts(pattern_codes, codes[1], weights)
            fit = polychoric_stack(tables, margins, correct=correct)
            rho = np.where(fit["valid"][:, None, None], fit["rho"], np.nan)
            out[begin:stop] = smooth_stack(rho)[0]
        elif nan_policy == "listwise":
            out[begin:stop] = weighted_correlations(xp[complete], weights[:, complete])
        else:
            out[begin:stop] = weighted_correlations(xp, weights)
    return out


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


def check_omega_options(fm: str, boot_ci: str, level: float, n_boot: int) -> None:
    """Check the options :func:`omega` and its dask form share, before any data pass.

    Raises
    ------
    DataError
        An unknown ``fm`` or ``boot_ci``, ``level`` outside (0, 1), negative ``n_boot``.
    """
    check_fm(fm)
    if boot_ci not in ("fisher", "percentile"):
        raise DataError(f"boot_ci must be 'fisher' or 'percentile', got {boot_ci!r}")
    if not 0.0 < level < 1.0:
        raise DataError(f"level must be between 0 and 1, got {level!r}")
    if n_boot < 0:
        raise DataError(f"n_boot must be >= 0, got {n_boot}")


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
    n_starts: int = DEFAULT_STARTS,
    start: Any = None,
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
        Use the polychoric correlation matrix (:func:`~efficacy.
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
    n_starts, start
        Starts of the factor extraction, as in
        :func:`~efficacy.coefficients.factor_analysis.fa` (default 10: psych's start,
        the principal components' and 8 seeded random ones; the lowest objective is
        kept, with a warning when starts stopped at different optima). Bootstrap
        replicates start from the full-sample solution's uniquenesses and from psych's
        start (psych's start alone with ``n_starts=1``).

    Returns
    -------
    OmegaResult

    Raises
    ------
    DataError
        Too few items for ``nfactors``, unknown ``reverse`` names, items without
        variance, bootstrap of a correlation matrix without ``n_obs``, invalid
        ``n_starts`` or ``start``.

    Examples
    --------
    >>> lam = np.array([0.8, 0.7, 0.6, 0.5])
    >>> r = np.outer(lam, lam); np.fill_diagonal(r, 1.0)
    >>> res = omega(r)
    >>> round(res.omega_total, 6), round(res.omega_total_model, 6)  # 2.6^2 / (2.6^2 + 2.26)
    (0.749446, 0.749446)
    """
    if is_dask(items):
        return on_dask("omega", **locals())
    check_omega_options(fm, boot_ci, level, n_boot)
    codes = None
    if poly:
        values = as_array(items)
        if values is not None and is_correlation_matrix(values):
            raise DataError("poly=True needs the item responses, not a correlation matrix")
        pc = polychoric(items, correct=correct)
        im = item_matrix(items)
        data = CorrelationInput(pc.rho.to_numpy(), im.names, im.n_obs, None, im.values)
        low = int(np.nanmin(im.values))
        codes = (low, int(np.nanmax(im.values)) - low + 1)
    else:
        data = correlation_input(items, nan_policy, n_obs)
    return omega_from_input(
        data,
        nfactors,
        reverse,
        poly,
        nan_policy=nan_policy,
        fm=fm,
        n_boot=n_boot,
        seed=seed,
        level=level,
        boot_ci=boot_ci,
        correct=correct,
        n_starts=n_starts,
        start=start,
        codes=codes,
    )


def omega_from_input(
    data: CorrelationInput,
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
    correct: float = 0.5,
    n_starts: int = DEFAULT_STARTS,
    start: Any = None,
    codes: tuple[int, int] | None = None,
    patterns: tuple[np.ndarray, np.ndarray] | None = None,
    stacklevel: int = 3,
) -> OmegaResult:
    """:func:`omega` of a checked correlation input (options already checked).

    ``codes`` (polychoric input) is the first category's code and the number of
    categories; ``patterns`` (distinct rows and the pattern of every row) stand for
    ``data.x`` in the bootstrap. :func:`omega` and its dask form (a correlation matrix
    from per-partition sums, the row patterns gathered for the bootstrap) both end
    here; ``stacklevel`` (as for a ``warnings.warn`` called in this function) points
    the warnings at the user's call.
    """
    names = data.names
    p = len(names)
    check_nfactors(nfactors, p)
    if n_boot > 0 and data.x is None and data.n_obs is None:
        raise DataError("bootstrapping omega from a correlation matrix needs n_obs")
    wanted = [reverse] if isinstance(reverse, str) else list(reverse)
    key = _reverse_key(names, wanted)
    flip = not wanted
    r = data.r * key[:, None] * key[None, :]
    start_psi = check_starts(n_starts, start, names)
    sl = schmid(r[None], nfactors, fm, flip=flip, n_starts=n_starts, start=start_psi)
    message = starts_warning(sl.extraction)
    if message:
        warnings.warn(message, stacklevel=stacklevel)
    if nfactors == 2:
        warnings.warn(
            "three group factors are needed to identify the general factor; with two, "
            "psych's option='equal' sets the two general loadings equal",
            stacklevel=stacklevel,
        )
    converged = bool(sl.converged[0])
    if not converged:
        warnings.warn(
            "the factor solution did not meet its convergence criterion; interpret with care",
            stacklevel=stacklevel,
        )
    auto = [names[j] for j in np.flatnonzero(sl.key[0] < 0)]
    if auto:
        warnings.warn(
            f"items {auto} load negatively on the general factor and were reversed "
            "(psych's flip); pass reverse= to key them explicitly",
            stacklevel=stacklevel,
        )
    flipped = tuple(wanted) if wanted else tuple(auto)
    frames = _sl_frames(sl, names, nfactors)

    ci = reps_frame = None
    n_failed = 0
    if n_boot > 0:
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        mats = _bootstrap_matrices(
            data,
            rng,
            n_boot,
            poly=poly,
            codes=codes,
            nan_policy=nan_policy,
            correct=correct,
            patterns=patterns,
        )
        mats = mats * key[None, :, None] * key[None, None, :]
        ok = np.isfinite(mats).all(axis=(1, 2))
        reps = np.full((n_boot, len(BOOT_STATISTICS)), np.nan)
        if ok.any():
            # Replicates start from the full-sample optimum and from psych's start.
            boot_start = sl.extraction.psi[0] if n_starts > 1 else None
            bsl = schmid(
                mats[ok], nfactors, fm, flip=flip, n_starts=min(n_starts, 2), start=boot_start
            )
            reps[ok] = np.column_stack([getattr(bsl, name) for name in BOOT_STATISTICS])
        n_failed = int((~np.isfinite(reps).all(axis=1)).sum())
        if n_failed:
            warnings.warn(
                f"{n_failed} of {n_boot} bootstrap replicates could not be analysed "
                "and were left out",
                stacklevel=stacklevel,
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
        criterion=float(sl.extraction.objective[0]),
        n_starts=int(sl.extraction.n_starts[0]),
        n_best=int(sl.extraction.n_best[0]),
        **frames,
    )
