"""Exploratory factor analysis as R psych's fa(): minres and ml extraction,
rotation and fit statistics."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from efficacy.coefficients._moments import item_matrix, moments
from efficacy.coefficients.factor_analysis._extract import DEFAULT_STARTS, PSI_LOWER, Extraction
from efficacy.coefficients.factor_analysis._fit_stats import factor_stats
from efficacy.coefficients.factor_analysis._solution import ROTATIONS, solve
from efficacy.errors import DataError
from efficacy.results import Result, Summary
from efficacy.results import format_value as _f

FmMethod = Literal["minres", "ml"]


RotateMethod = Literal["oblimin", "varimax", "none"]


NanPolicy = Literal["pairwise", "listwise"]


NpObs = Literal["used", "pairwise"]


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
    criterion
        The value of the function the extraction minimised over the uniquenesses
        ``psi``: for minres ``1/2 ||R - Psi - LL'||^2`` (half the sum of squared
        residuals of the reduced matrix, which equals psych's sum of squared
        lower-triangle residuals at an interior optimum), for ML ``tr(M^-1 R) - log
        det(M^-1 R) - p`` (psych's ``FAfn``).
    n_starts, n_best
        Starts the extraction was run from, and how many of them reached the lowest
        objective (the reported solution). Fewer than ``n_starts`` means that some
        stopped at a worse local optimum or did not converge.
    gradient
        Largest absolute projected gradient of the objective at the reported
        solution (components pushing against a bound of ``psi`` excluded).
    converged, iterations
        Whether extraction and rotation met their stopping rules (the extraction's
        projected gradient below 1e-6, checked at the end); iterations summed over
        all starts.
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
    criterion: float = field(repr=False)
    n_starts: int = field(repr=False)
    n_best: int = field(repr=False)
    gradient: float = field(repr=False)

    def summary(self) -> Summary:
        """Method, rotation, fit, convergence and the counts; the loadings below."""
        n = "unknown (a correlation matrix)" if self.n_obs is None else str(self.n_obs)
        lower, upper = self.rmsea_ci
        rows = (
            ("method", f"{self.fm}, {self.nfactors} factor(s), rotation {self.rotate}"),
            ("respondents", n),
            ("chi-square", f"{_f(self.chi_square)} on {_f(self.dof)} df, p = {_f(self.p_value)}"),
            ("RMSEA", f"{_f(self.rmsea)}, 90% CI [{_f(lower)}, {_f(upper)}]"),
            ("TLI", _f(self.tli)),
            ("RMSR", _f(self.rms)),
            ("converged", str(bool(self.converged))),
            ("starts", f"{self.n_best} of {self.n_starts} reached the lowest objective"),
        )
        notes = [] if self.converged else ["The solution did not meet its convergence criterion."]
        note = starts_note(self.n_best, self.n_starts)
        if note:
            notes.append(note)
        return Summary("Factor analysis", rows, tuple(notes), self.loadings)

    def to_frame(self) -> pd.DataFrame:
        """Loadings with ``h2``, ``u2`` and ``com`` columns, as psych prints them."""
        out = self.loadings.copy()
        out["h2"] = self.communalities
        out["u2"] = self.uniquenesses
        out["com"] = self.complexity
        return out


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
class CorrelationInput:
    r: np.ndarray
    names: list[str]
    n_obs: int | None
    np_obs: np.ndarray | None
    x: np.ndarray | None  # raw data (float, NaN missing) when given


def as_array(items: Any) -> np.ndarray | None:
    kinds = (
        {dtype.kind for dtype in items.dtypes}
        if isinstance(items, pd.DataFrame)
        else {np.asarray(items).dtype.kind}
    )
    if kinds & set("bcmM"):  # booleans, complex, dates: item_matrix names the cells
        return None
    if isinstance(items, pd.DataFrame):
        try:
            return items.to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError):
            return None
    try:
        return np.asarray(items, dtype=float)
    except (TypeError, ValueError):
        return None


def check_variances(names: list[str], sd: np.ndarray) -> None:
    """Refuse items without variance (``sd`` their standard deviations), naming them."""
    flat = ~(sd > 0)
    if flat.any():
        bad = [names[j] for j in np.flatnonzero(flat)]
        raise DataError(f"items without variance cannot be correlated: {bad}")


def check_correlations(names: list[str], r: np.ndarray) -> None:
    """Refuse a correlation matrix ``r`` with an undefined entry, naming its first pair."""
    if not np.isfinite(r).all():
        i, j = np.argwhere(~np.isfinite(r))[0]
        raise DataError(
            f"the correlation of {names[i]!r} and {names[j]!r} is undefined: "
            "one of them has no variance on the rows they share"
        )


def correlation_input(
    items: Any, nan_policy: NanPolicy, n_obs: int | None, np_obs: NpObs = "used"
) -> CorrelationInput:
    """Correlation matrix of raw items (R's ``cor(use="pairwise")``) or a given matrix.

    ``np_obs`` chooses the counts of each pair kept with raw data: ``"used"`` the rows
    its correlation was computed on, ``"pairwise"`` the rows where both items are
    present (psych's ``np.obs``, whatever ``use``).
    """
    values = as_array(items)
    if values is not None and is_correlation_matrix(values):
        names = (
            [str(c) for c in items.columns]
            if isinstance(items, pd.DataFrame)
            else [f"item{j + 1}" for j in range(values.shape[0])]
        )
        if len(set(names)) != len(names):
            raise DataError("the correlation matrix has duplicate item names")
        return CorrelationInput((values + values.T) / 2.0, names, n_obs, None, None)
    im = item_matrix(items, min_items=3)
    check_variances(im.names, np.nanstd(im.values, axis=0, ddof=1))
    mom = moments(im.values, nan_policy=nan_policy)
    r = mom.cor
    check_correlations(im.names, r)
    counts = mom.n_pairs.astype(float)
    if np_obs == "pairwise":
        present = (~np.isnan(im.values)).astype(float)
        counts = present.T @ present
    return CorrelationInput(r, im.names, im.n_obs, counts, im.values)


def check_nfactors(nfactors: int, p: int) -> None:
    if not isinstance(nfactors, int | np.integer) or isinstance(nfactors, bool) or nfactors < 1:
        raise DataError(f"nfactors must be a positive integer, got {nfactors!r}")
    if nfactors >= p:
        raise DataError(f"{nfactors} factors need more than {nfactors} items, got {p}")


def check_fm(fm: str) -> None:
    if fm not in ("minres", "ml"):
        raise DataError(f"fm must be 'minres' or 'ml', got {fm!r}")


def check_starts(n_starts: Any, start: Any, names: list[str]) -> np.ndarray | None:
    """Validate ``n_starts`` and ``start``; the start as a float array in item order."""
    if not isinstance(n_starts, int | np.integer) or isinstance(n_starts, bool) or n_starts < 1:
        raise DataError(f"n_starts must be a positive integer, got {n_starts!r}")
    if start is None:
        return None
    if isinstance(start, pd.Series):
        unknown = [str(k) for k in start.index if str(k) not in names]
        lacking = [n for n in names if n not in {str(k) for k in start.index}]
        if unknown or lacking:
            raise DataError(
                f"start must give one uniqueness per item: unknown items {unknown}, "
                f"missing items {lacking}"
            )
        start = start.set_axis([str(k) for k in start.index]).reindex(names)
    try:
        values = np.asarray(start, dtype=float)
    except (TypeError, ValueError):
        raise DataError(f"start must be numbers (uniquenesses), got {start!r}") from None
    if values.shape != (len(names),):
        raise DataError(
            f"start must give one uniqueness per item ({len(names)}), got shape {values.shape}"
        )
    bad = ~((values >= PSI_LOWER) & (values <= 1.0))
    if bad.any():
        cells = {names[j]: float(values[j]) for j in np.flatnonzero(bad)}
        raise DataError(f"start uniquenesses must lie in [{PSI_LOWER}, 1]; got {cells}")
    return values


def starts_warning(ext: Extraction, index: int = 0) -> str | None:
    """The warning text when the lowest objective of problem ``index`` was reached by a
    single start while others stopped at worse optima (the best is not replicated).

    When two or more starts reach the lowest objective, the others stopping higher is
    a property of the objective, not a doubt about the solution: the result's summary
    says so, without a warning (as a best likelihood that is replicated needs none).
    """
    worse = int(ext.n_worse[index])
    if not worse or int(ext.n_best[index]) >= 2:
        return None
    return (
        f"the lowest objective ({float(ext.objective[index]):.6g}) was reached by only one "
        f"of {int(ext.n_starts[index])} starts; {worse} stopped at a worse local optimum "
        f"(up to {float(ext.worst_objective[index]):.6g}). The solution reported is the "
        "best found but not replicated: try more starts (n_starts=)"
    )


def starts_note(n_best: int, n_starts: int) -> str | None:
    """A summary note when some starts stopped above the lowest objective."""
    if n_best >= n_starts:
        return None
    return (
        f"{n_best} of {n_starts} starts reached the lowest objective; the others stopped "
        "at worse local optima. The lowest is reported."
    )


def fa(
    items_or_corr: pd.DataFrame | np.ndarray,
    nfactors: int = 1,
    *,
    fm: FmMethod = "minres",
    rotate: RotateMethod = "oblimin",
    n_obs: int | None = None,
    nan_policy: NanPolicy = "pairwise",
    n_starts: int = DEFAULT_STARTS,
    start: Any = None,
    np_obs: NpObs = "used",
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
    n_starts
        Number of starting points of the extraction (default 10). The objective can
        have several local minima; each start is descended to a minimum and the
        lowest is reported. The starts are, in order: ``start`` if given, psych's
        start ``1 - smc``, ``1 - h2`` of the first ``nfactors`` principal components,
        then uniform draws on ``[0.005, 1]`` from a fixed seed (results are
        reproducible). ``n_starts=1`` uses psych's start alone. A warning says when
        starts stopped at different optima.
    start
        Starting uniquenesses, one per item in ``[0.005, 1]`` (an array in item order
        or a Series indexed by item name), tried first.
    np_obs
        With raw data, the counts that weight the squared residuals in
        ``empirical_chi_square``, ``rms``, ``crms`` and ``fit_off`` (psych's
        ``np.obs``). ``"used"`` (default): the rows each correlation was computed on,
        so under ``nan_policy="listwise"`` the complete rows. ``"pairwise"``: the rows
        where both items are present, as psych does even with
        ``use="complete.obs"``. The two differ only with listwise deletion of
        incomplete rows.

    Returns
    -------
    FactorResult

    Raises
    ------
    DataError
        Too few items for ``nfactors``, items without variance, non-numeric data,
        invalid ``n_starts`` or ``start``.

    Examples
    --------
    >>> lam = np.array([0.8, 0.7, 0.6, 0.5])
    >>> r = np.outer(lam, lam); np.fill_diagonal(r, 1.0)
    >>> res = fa(r, n_obs=300)
    >>> res.loadings["MR1"].round(6).tolist(), round(res.rms, 10)
    ([0.8, 0.7, 0.6, 0.5], 0.0)
    """
    check_fm(fm)
    if rotate not in ROTATIONS:
        raise DataError(f"rotate must be one of {ROTATIONS}, got {rotate!r}")
    if np_obs not in ("used", "pairwise"):
        raise DataError(f"np_obs must be 'used' or 'pairwise', got {np_obs!r}")
    data = correlation_input(items_or_corr, nan_policy, n_obs, np_obs)
    p = len(data.names)
    check_nfactors(nfactors, p)
    start_psi = check_starts(n_starts, start, data.names)
    sol = solve(data.r[None], nfactors, fm, rotate, n_starts=n_starts, start=start_psi)
    message = starts_warning(sol.extraction)
    if message:
        warnings.warn(message, stacklevel=2)
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
    if (sol.extraction.psi[0] <= PSI_LOWER + 1e-9).any():
        heywood = [data.names[j] for j in np.flatnonzero(sol.extraction.psi[0] <= PSI_LOWER + 1e-9)]
        warnings.warn(
            f"Heywood case: the uniqueness of {heywood} is at its lower bound ({PSI_LOWER})",
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
        criterion=float(sol.extraction.objective[0]),
        n_starts=int(sol.extraction.n_starts[0]),
        n_best=int(sol.extraction.n_best[0]),
        gradient=float(sol.extraction.gradient[0]),
    )
