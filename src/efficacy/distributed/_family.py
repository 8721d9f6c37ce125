"""Split-half reliability and Guttman's lambdas of a dask DataFrame.

Both are functions of the covariance and correlation matrices (every split, the
random ones included, is scored from them): the matrices come from one pass of
per-partition sums (:func:`~efficacy.distributed._pairwise.dask_moments`), with the
in-memory missing-data rules, and the in-memory code makes the result
(:func:`~efficacy.coefficients.alpha_family._split_half.split_half_from_moments`,
:func:`~efficacy.coefficients.alpha_family._guttman.guttman_from_moments`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from efficacy.coefficients._moments import Moments
from efficacy.coefficients.alpha_family._guttman import GuttmanResult, guttman_from_moments
from efficacy.coefficients.alpha_family._split_half import (
    SplitHalfResult,
    check_moments,
    split_half_from_moments,
)
from efficacy.distributed._pairwise import dask_moments
from efficacy.errors import DataError

#: ``stacklevel`` of the keying warnings: from the shared code up to the user's call
#: (this module's function, ``efficacy._dispatch.on_dask``, the public function, the user).
_TO_USER = 5


def _checked_moments(items: Any, nan_policy: str) -> tuple[list[str], Moments]:
    """The item names and the moments of ``items`` (one pass), checked as in memory."""
    found = dask_moments(items, nan_policy)
    mom = found.moments
    check_moments(found.names, mom.cov, mom.cor)
    return found.names, mom


def split_half(
    items: Any,
    reverse: Iterable[str] | str = (),
    *,
    nan_policy: str = "pairwise",
    max_splits: int = 15000,
    seed: int | np.random.Generator | None = None,
    check_keys: bool = False,
) -> SplitHalfResult:
    """:func:`efficacy.split_half` of a dask DataFrame of item responses.

    The same result as in memory (to rounding, about 1e-12), from one pass over the
    partitions; seeded random splits are the same splits.
    """
    names, mom = _checked_moments(items, nan_policy)
    return split_half_from_moments(
        names,
        mom.cov,
        mom.n_obs,
        reverse,
        max_splits=max_splits,
        seed=seed,
        check_keys=check_keys,
        stacklevel=_TO_USER,
    )


def guttman(
    items: Any,
    reverse: Iterable[str] | str = (),
    *,
    nan_policy: str = "pairwise",
    max_splits: int = 15000,
    seed: int | np.random.Generator | None = None,
) -> GuttmanResult:
    """:func:`efficacy.guttman` of a dask DataFrame of item responses (lambda 1-6, raw and
    standardized), the same as in memory to rounding."""
    names, mom = _checked_moments(items, nan_policy)
    return guttman_from_moments(
        names,
        mom.cov,
        mom.cor,
        mom.n_obs,
        reverse,
        max_splits=max_splits,
        seed=seed,
        stacklevel=_TO_USER,
    )


def tetrachoric(items: Any, **options: Any) -> Any:
    """Refused on a dask DataFrame: its 2 x 2 tables come from the binary coding of
    each item, which is chosen over the rows in memory."""
    raise DataError(
        "tetrachoric of a dask DataFrame is not available (the binary coding of each "
        "item is chosen over the rows in memory); use the data in memory (pandas), or "
        "polychoric, which accepts a dask DataFrame, on items coded 0/1"
    )
