"""McDonald's omega of a dask DataFrame: the factor analysis of its correlation matrix.

The correlation matrix (R's ``cor(use=...)``) and the pair counts come from one pass
of per-partition sums (:func:`~efficacy.distributed._pairwise.dask_moments`); with
``poly=True`` the polychoric matrix comes from the pair tables summed over the
partitions (:mod:`efficacy.distributed._polychoric`). From there the in-memory code
fits the model (:func:`~efficacy.coefficients.factor_analysis._omega.omega_from_input`),
so the result is the in-memory one (the matrix to rounding, the fit to its convergence
tolerance), with the same warnings.

The bootstrap (``n_boot > 0``) resamples rows: one more pass gathers the answer
patterns (:mod:`efficacy.distributed._patterns`), and the in-memory bootstrap draws
the same resamples from them for the same seed. The driver then holds the distinct
patterns and 4 bytes per row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from efficacy.coefficients.factor_analysis._extract import DEFAULT_STARTS
from efficacy.coefficients.factor_analysis._fa import (
    CorrelationInput,
    check_correlations,
    check_variances,
)
from efficacy.coefficients.factor_analysis._omega import (
    OmegaResult,
    check_omega_options,
    omega_from_input,
)
from efficacy.distributed._pairwise import dask_moments
from efficacy.distributed._patterns import dask_patterns
from efficacy.distributed._polychoric import dask_polychoric

#: ``stacklevel`` of the warnings from :func:`omega_from_input`: this module's function,
#: ``efficacy._dispatch.on_dask``, the public function, the user's call.
_TO_USER = 5


def _correlations(items: Any, nan_policy: str, poly: bool, correct: float) -> CorrelationInput:
    """The correlation input of the in-memory ``omega``, checked as it checks it."""
    if poly:
        pc = dask_polychoric(items, correct=correct, stacklevel=_TO_USER + 1)
        names = [str(c) for c in pc.rho.columns]
        return CorrelationInput(pc.rho.to_numpy(), names, pc.n_obs, None, None)
    found = dask_moments(items, nan_policy, min_items=3)
    names, mom = found.names, found.moments
    check_variances(names, found.present_sd)
    r = mom.cor
    check_correlations(names, r)
    return CorrelationInput(r, names, mom.n_obs, mom.n_pairs.astype(float), None)


def omega(
    items: Any,
    nfactors: int = 1,
    reverse: Iterable[str] | str = (),
    poly: bool = False,
    *,
    nan_policy: str = "pairwise",
    fm: str = "minres",
    n_boot: int = 0,
    seed: int | np.random.Generator | None = None,
    level: float = 0.95,
    boot_ci: str = "fisher",
    n_obs: int | None = None,
    correct: float = 0.5,
    n_starts: int = DEFAULT_STARTS,
    start: Any = None,
) -> OmegaResult:
    """:func:`efficacy.omega` of a dask DataFrame of item responses.

    The same result as in memory: the correlation matrix to rounding (the polychoric
    one exactly), the fit to its convergence tolerance, the bootstrap from the same
    resamples (see the module docstring). ``n_obs`` is ignored, as in memory for item
    responses.
    """
    check_omega_options(fm, boot_ci, level, n_boot)
    data = _correlations(items, nan_policy, poly, correct)
    patterns = codes = None
    if n_boot > 0:
        patterns = dask_patterns(items)
        if poly:
            low = int(np.nanmin(patterns[0]))
            codes = (low, int(np.nanmax(patterns[0])) - low + 1)
    return omega_from_input(
        data,
        nfactors,
        reverse,
        poly,
        nan_policy=nan_policy,  # type: ignore[arg-type]
        fm=fm,  # type: ignore[arg-type]
        n_boot=n_boot,
        seed=seed,
        level=level,
        boot_ci=boot_ci,  # type: ignore[arg-type]
        correct=correct,
        n_starts=n_starts,
        start=start,
        codes=codes,
        patterns=patterns,
        stacklevel=_TO_USER,
    )
