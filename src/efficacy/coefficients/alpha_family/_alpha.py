"""Classical reliability: coefficient alpha and its companions, as R psych reports them.

:func:`alpha` reproduces ``psych::alpha()`` (every closed-form statistic: the total
row, alpha if an item is dropped, the item statistics, response frequencies, the
Feldt interval, ``Unidim``, ``Fit`` and ``var.r``) to about 1e-12, reading the data
once. Statistics follow psych 2.2.9 by default (correlations as ``cov2cor`` of the
pairwise covariances); ``psych_version="2.5"`` uses pairwise ``cor()`` as later
releases do.

Examples
--------
>>> import numpy as np
>>> import pandas as pd
>>> rng = np.random.default_rng(1)
>>> trait = rng.normal(size=200)
>>> items = pd.DataFrame(
...     {f"q{j}": np.clip(np.rint(3 + trait + rng.normal(size=200)), 1, 5) for j in range(4)}
... )
>>> res = alpha(items)
>>> round(res.alpha, 3), res.n_items, res.ci_method
(0.732, 4, 'feldt')
>>> res.items[["r_drop", "alpha_if_deleted"]].round(3).loc["q0"].tolist()
[0.491, 0.69]
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

import efficacy.coefficients.alpha_family._bootstrap as boot_ci
from efficacy.coefficients._moments import cov2cor, item_matrix
from efficacy.coefficients.alpha_family._core import (
    alpha_drop_stats,
    alpha_stats,
    item_total_stats,
)
from efficacy.coefficients.alpha_family._frequencies import (
    frequencies_from_counts,
    response_frequencies,
)
from efficacy.coefficients.alpha_family._from_moments import AlphaMoments, alpha_moments
from efficacy.errors import (
    DataError,
    describe_cells,
    require_flat_columns,
    require_unique_columns,
)
from efficacy.results import Result

CiMethod = Literal["feldt", "duhachek", "bootstrap", "bca"]
_CI_METHODS = ("feldt", "duhachek", "bootstrap", "bca")
_PSYCH_VERSIONS = ("2.2.9", "2.5")
_ITEM_COLUMNS = (
    "n",
    "raw_r",
    "std_r",
    "r_cor",
    "r_drop",
    "mean",
    "sd",
    "alpha_if_deleted",
    "std_alpha_if_deleted",
    "g6_if_deleted",
    "average_r_if_deleted",
    "signal_noise_if_deleted",
    "ase_if_deleted",
    "var_r_if_deleted",
    "median_r_if_deleted",
)


#: Largest working memory :func:`alpha` allocates, in bytes (2 GiB: about 440 items).
MAX_WORKSPACE_BYTES = 2**31


def workspace_bytes(n_obs: int, n_items: int) -> int:
    """Bytes :func:`alpha` allocates at its peak for ``n_obs`` rows and ``n_items`` items.

    The statistics with each item dropped hold three ``k x (k - 1) x (k - 1)`` float
    arrays (the correlation matrices without each item, and their decomposition);
    the rest is a few copies of the ``N x k`` data and ``k x k`` matrices.

    Examples
    --------
    >>> workspace_bytes(300, 10)
    121840
    """
    k = int(n_items)
    return 8 * (3 * k * (k - 1) ** 2 + 4 * int(n_obs) * k + 8 * k * k)


def _check_size(n_obs: int, n_items: int) -> None:
    needed = workspace_bytes(n_obs, n_items)
    if needed > MAX_WORKSPACE_BYTES:
        largest = 3
        while workspace_bytes(n_obs, largest + 1) <= MAX_WORKSPACE_BYTES:
            largest += 1
        raise DataError(
            f"alpha of {n_items} items would allocate about {_size(needed)} (psych's "
            f"item-dropped statistics hold 3 arrays of {n_items} x {n_items - 1} x "
            f"{n_items - 1} floats); the limit is {_size(MAX_WORKSPACE_BYTES)}, about "
            f"{largest} items with {n_obs} rows. Analyse the scales one at a time"
        )


def _size(n_bytes: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if n_bytes < 1000 or unit == "TB":
            return f"{n_bytes:.0f} {unit}" if unit == "bytes" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1000
    raise AssertionError  # pragma: no cover


def _quiet() -> np.errstate:
    return np.errstate(divide="ignore", invalid="ignore", over="ignore")


class NegativeItemWarning(UserWarning):
    """Some items correlate negatively with the rest of the scale: likely mis-keyed."""


@dataclass(frozen=True, repr=False)
class AlphaResult(Result):
    """Coefficient alpha with psych's full item analysis.

    Attributes
    ----------
    alpha, std_alpha
        Raw alpha (from covariances) and standardized alpha (from correlations).
    g6
        Guttman's lambda 6 from squared multiple correlations, standardized
        (psych's ``G6(smc)``).
    average_r, median_r, var_r
        Mean, median and variance of the inter-item correlations.
    signal_noise
        ``k * average_r / (1 - average_r)``.
    ase
        Duhachek-Iacobucci asymptotic standard error (Hattori correction), over all
        ``n_obs`` rows.
    mean, sd
        Mean and SD of the total score: each row's mean over its answered items.
    n_obs, n_items
        Rows (incomplete ones included) and items.
    unidim, fit
        psych's ``Unidim`` and ``Fit`` (GF1 and GF1.off of a one-factor model with
        equal correlations).
    ci, ci_method, level
        Confidence interval for ``alpha``, how it was made and its level.
    items
        One row per item: ``n``, ``raw_r`` (item-total), ``std_r``, ``r_cor``
        (overlap-corrected), ``r_drop`` (item-rest), ``mean``, ``sd`` and the scale's
        statistics with the item dropped (``*_if_deleted``).
    response_freq
        Share of each response value per item and ``miss`` (None where psych reports
        none).
    boot
        Bootstrap alphas for ``ci="bootstrap"`` or ``"bca"``, else None.
    reverse
        Names of the reverse-keyed items.
    nan_policy, psych_version
        The missing-data rule and the psych release whose definitions were followed.
    """

    alpha: float
    std_alpha: float
    g6: float
    average_r: float
    median_r: float
    signal_noise: float
    ase: float
    mean: float
    sd: float
    n_obs: int
    n_items: int
    var_r: float
    unidim: float
    fit: float
    ci: tuple[float, float]
    ci_method: str
    level: float
    items: pd.DataFrame
    response_freq: pd.DataFrame | None
    boot: np.ndarray | None
    reverse: tuple[str, ...] = ()
    nan_policy: str = "pairwise"
    psych_version: str = "2.2.9"

    def to_frame(self) -> pd.DataFrame:
        """The total row (psych's ``$total``) with the interval, as a one-row DataFrame."""
        row = {
            "alpha": self.alpha,
            "std_alpha": self.std_alpha,
            "g6": self.g6,
            "average_r": self.average_r,
            "signal_noise": self.signal_noise,
            "ase": self.ase,
            "mean": self.mean,
            "sd": self.sd,
            "median_r": self.median_r,
            "ci_lower": self.ci[0],
            "ci_upper": self.ci[1],
            "n_obs": self.n_obs,
            "n_items": self.n_items,
        }
        return pd.DataFrame([row], index=pd.Index(["total"]))

    def _repr_fields(self) -> list[tuple[str, Any]]:
        return [(name, value) for name, value in super()._repr_fields() if name != "boot"]


def _read_items(items: pd.DataFrame | np.ndarray) -> tuple[np.ndarray, list[str], pd.Index]:
    """Float matrix (a view where possible, never written to), item names, row labels."""
    if isinstance(items, pd.DataFrame):
        require_flat_columns(items, "items")
        require_unique_columns(items, "items")
        plain = all(isinstance(d, np.dtype) and d.kind in "fiu" for d in items.dtypes)
        if plain and items.shape[0] >= 2 and items.shape[1] >= 2:
            values = items.to_numpy(dtype=float, copy=False)
            return values, [str(c) for c in items.columns], items.index
    else:
        array = np.asarray(items)
        if array.ndim == 2 and array.dtype.kind in "fiu" and min(array.shape) >= 2:
            names = [f"item{j + 1}" for j in range(array.shape[1])]
            return array.astype(float, copy=False), names, pd.RangeIndex(array.shape[0])
    checked = item_matrix(items)
    return checked.values, checked.names, checked.index


def _reverse_positions(
    reverse: Sequence[Any] | str | int, columns: Sequence[Any], names: list[str]
) -> list[int]:
    wanted = [reverse] if isinstance(reverse, str | int | np.integer) else list(reverse)
    positions: list[int] = []
    unknown = []
    for key in wanted:
        if key in list(columns):
            positions.append(list(columns).index(key))
        elif isinstance(key, str) and key in names:
            positions.append(names.index(key))
        elif isinstance(key, int | np.integer) and not isinstance(key, bool):
            if not -len(names) <= key < len(names):
                unknown.append(key)
            else:
                positions.append(int(key) % len(names))
        else:
            unknown.append(key)
    if unknown:
        raise DataError(f"reverse names unknown items {unknown!r}; the items are {names!r}")
    if len(set(positions)) != len(positions):
        twice = sorted({names[p] for p in positions if positions.count(p) > 1})
        raise DataError(f"reverse lists items more than once: {twice!r}")
    return positions


def _check_range(
    x: np.ndarray,
    names: list[str],
    index: pd.Index,
    col_min: np.ndarray,
    col_max: np.ndarray,
    low: float,
    high: float,
) -> None:
    bad_cols = np.flatnonzero((col_min < low) | (col_max > high))
    if bad_cols.size:
        parts = []
        for j in bad_cols:
            column = pd.Series(x[:, j], index=index)
            parts.append(describe_cells(names[j], (column < low) | (column > high), column))
        raise DataError(
            f"responses outside the declared range {low:g}..{high:g}: " + "; ".join(parts)
        )


def _check_finite(x: np.ndarray, names: list[str], index: pd.Index) -> None:
    parts = []
    for j in range(x.shape[1]):
        infinite = np.isinf(x[:, j])
        if infinite.any():
            column = pd.Series(x[:, j], index=index)
            parts.append(describe_cells(names[j], pd.Series(infinite, index=index), column))
    if parts:
        raise DataError("items must be finite; " + "; ".join(parts))


def _check_variance(
    names: list[str], mom: AlphaMoments, col_min: np.ndarray, col_max: np.ndarray, listwise: bool
) -> None:
    for j in range(len(names)):
        if mom.item_n[j] < 2:
            raise DataError(
                f"item {names[j]!r} has {mom.item_n[j]} answered rows; alpha needs at least 2"
            )
        if col_min[j] == col_max[j]:
            raise DataError(
                f"item {names[j]!r} has zero variance: all {mom.item_n[j]} answered rows "
                f"are {col_min[j]:g}; a constant item carries no information, drop it"
            )
    if listwise and not mom.complete and mom.n_pairs[0, 0] < 2:
        raise DataError(
            f"listwise deletion leaves {mom.n_pairs[0, 0]} complete rows of {mom.n_obs}; "
            "alpha needs at least 2 (use nan_policy='pairwise')"
        )
    if (mom.n_pairs < 2).any():
        i, j = np.argwhere(mom.n_pairs < 2)[0]
        raise DataError(
            f"items {names[i]!r} and {names[j]!r} share {mom.n_pairs[i, j]} rows; "
            "their covariance needs at least 2"
        )
    bad = np.flatnonzero(~(np.diag(mom.cov) > 0))
    if bad.size:
        raise DataError(
            f"item {names[bad[0]]!r} does not vary over the {mom.n_pairs[bad[0], bad[0]]} "
            "complete rows used for listwise deletion"
        )


def _warn_negative(names: list[str], r_drop: np.ndarray, reverse: list[int]) -> None:
    negative = np.flatnonzero(r_drop < 0)
    if negative.size == 0:
        return
    listed = [names[j] for j in negative]
    values = ", ".join(f"{r_drop[j]:.3f}" for j in negative)
    suggestion = sorted({*(names[j] for j in reverse), *listed}, key=names.index)
    warnings.warn(
        NegativeItemWarning(
            f"items {listed!r} correlate negatively with the rest of the scale "
            f"(r_drop {values}): probably mis-keyed; consider reverse={suggestion!r}"
        ),
        stacklevel=3,
    )


def _interval(
    method: str,
    estimate: float,
    ase: float,
    mom: AlphaMoments,
    z: np.ndarray | None,
    pairwise: bool,
    level: float,
    n_boot: int,
    seed: int | np.random.Generator | None,
) -> tuple[tuple[float, float], np.ndarray | None]:
    k = mom.cov.shape[0]
    if method == "feldt":
        return boot_ci.feldt_ci(estimate, mom.n_obs, k, level), None
    if method == "duhachek":
        return boot_ci.normal_ci(estimate, ase, level), None
    assert z is not None
    rng = np.random.default_rng(seed)
    alphas = boot_ci.bootstrap_alphas(z, pairwise, n_boot, rng)
    if method == "bootstrap":
        return boot_ci.percentile_ci(alphas, level), alphas
    jack = boot_ci.jackknife_alphas(z, pairwise)
    return boot_ci.bca_ci(alphas, estimate, jack, level), alphas


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def _check_options(
    nan_policy: Any,
    ci: Any,
    psych_version: Any,
    level: Any,
    n_boot: Any,
    low: Any,
    high: Any,
) -> None:
    """Raise :class:`DataError` (also a ``ValueError``) naming a bad option of :func:`alpha`."""
    if not isinstance(nan_policy, str) or nan_policy not in ("pairwise", "listwise"):
        raise DataError(f"nan_policy must be 'pairwise' or 'listwise', got {nan_policy!r}")
    if not isinstance(ci, str) or ci not in _CI_METHODS:
        raise DataError(f"ci must be one of {_CI_METHODS}, got {ci!r}")
    if not isinstance(psych_version, str) or psych_version not in _PSYCH_VERSIONS:
        raise DataError(f"psych_version must be one of {_PSYCH_VERSIONS}, got {psych_version!r}")
    if not _is_real(level) or not 0 < level < 1:
        raise DataError(f"level must be between 0 and 1, got {level!r}")
    if ci in ("bootstrap", "bca") and (
        not _is_real(n_boot) or not np.isfinite(n_boot) or int(n_boot) != n_boot or n_boot < 2
    ):
        raise DataError(f"n_boot must be an integer of at least 2, got {n_boot!r}")
    if (low is None) != (high is None):
        raise DataError("give both min and max (the declared response range) or neither")
    if low is not None:
        if not (_is_real(low) and _is_real(high) and np.isfinite(low) and np.isfinite(high)):
            raise DataError(f"min and max must be finite numbers, got min={low!r}, max={high!r}")
        if not low < high:
            raise DataError(f"min must be below max, got min={low!r}, max={high!r}")


def alpha(
    items: pd.DataFrame | np.ndarray,
    reverse: Sequence[Any] | str | int = (),
    *,
    min: float | None = None,
    max: float | None = None,
    nan_policy: Literal["pairwise", "listwise"] = "pairwise",
    ci: CiMethod = "feldt",
    level: float = 0.95,
    n_boot: int = 1000,
    seed: int | np.random.Generator | None = None,
    psych_version: str = "2.2.9",
    warn_negative: bool = True,
) -> AlphaResult:
    """Cronbach's alpha with the item analysis of R psych's ``alpha()``.

    Parameters
    ----------
    items
        DataFrame (columns are items) or 2-D array (items named ``item1``...), one
        row per respondent, NaN for a missing answer. Never modified.
    reverse
        Reverse-keyed items: column names, or integer positions. A reversed item
        becomes ``min + max - x`` with the declared ``min`` and ``max``. Without
        them the observed range over *all* items is used, ``max(x) + min(x) - x``,
        exactly as psych does (psych warns that items of different ranges are then
        off by a constant; declare the range to avoid that).
    min, max
        The response scale's declared range. Responses outside it raise
        :class:`~efficacy.errors.DataError`.
    nan_policy
        ``"pairwise"`` (psych's default ``use="pairwise"``): each covariance on the
        rows both items share. ``"listwise"`` (``use="complete.obs"``): covariances
        and item-total correlations on complete rows only; as in psych, item means,
        SDs, counts, the total score and N still use every row.
    ci
        ``"feldt"`` (F distribution, N counting incomplete rows, psych's
        ``$feldt``), ``"duhachek"`` (``alpha -/+ z * ase``; psych prints it with
        z = 1.96, which ``level=0.9500042`` reproduces), ``"bootstrap"``
        (percentile) or ``"bca"`` (bias-corrected and accelerated, jackknife
        acceleration).
    level
        Confidence level of ``ci``.
    n_boot, seed
        Bootstrap resamples and the seed (or Generator) that makes them repeatable.
        Rows are resampled; pairwise deletion is kept inside each resample, listwise
        deletion resamples the complete rows.
    psych_version
        ``"2.2.9"`` (default): correlations are ``cov2cor`` of the pairwise
        covariances, as in psych 2.2.9. ``"2.5"``: pairwise ``cor()``, as in psych
        2.5. The two differ only when cells are missing.
    warn_negative
        Warn (:class:`NegativeItemWarning`) when an item correlates negatively with
        the rest of the scale.

    Returns
    -------
    AlphaResult

    Raises
    ------
    DataError
        Bad options (also a ``ValueError``); more items than fit in
        :data:`MAX_WORKSPACE_BYTES` of working memory (the message says how much
        would be allocated); cells that are not numbers or infinite, booleans,
        complex numbers, dates, MultiIndex columns, fewer than 2 items or rows,
        responses outside ``min``..``max``, an item with zero variance (psych drops
        it with a warning; here it is an error naming the item and its constant
        value), or items that share fewer than 2 rows.

    Notes
    -----
    psych computes ``response.freq`` on the codes before reversal, counts only
    items whose range is at most 10, and reports nothing when the distinct codes
    (a missing value counting as one) exceed 10; so does this function.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({
    ...     "a": [1, 2, 3, 4, 5, 2],
    ...     "b": [2, 2, 3, 5, 4, 1],
    ...     "c": [5, 4, 2, 2, 1, 4],
    ... })
    >>> res = alpha(data, reverse=["c"], min=1, max=5)
    >>> round(res.alpha, 4), res.reverse
    (0.9471, ('c',))
    >>> res.to_frame()[["alpha", "std_alpha", "ci_lower", "ci_upper"]].round(3)
           alpha  std_alpha  ci_lower  ci_upper
    total  0.947      0.947     0.776     0.992
    """
    _check_options(nan_policy, ci, psych_version, level, n_boot, min, max)

    columns = list(items.columns) if isinstance(items, pd.DataFrame) else []
    if isinstance(items, pd.DataFrame | np.ndarray) and items.ndim == 2:
        _check_size(*items.shape)  # before any copy of the data
    x, names, index = _read_items(items)
    n_obs, k = x.shape
    _check_size(n_obs, k)
    flipped = _reverse_positions(reverse, columns, names)
    sign = np.ones(k)
    sign[flipped] = -1.0

    if min is not None:
        reflect_value = float(min) + float(max)  # type: ignore[arg-type]
    elif flipped:
        # psych: max(x) + min(x) over all items; a non-finite value is reported below
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            reflect_value = float(np.nanmax(x) + np.nanmin(x))
    else:
        reflect_value = 0.0
    reflect = np.full(k, reflect_value)

    # Non-finite input is reported below; degenerate matrices give inf/NaN as in psych.
    with _quiet():
        mom = alpha_moments(x, sign, reflect, nan_policy, pair_cor=psych_version == "2.5")
    if mom.codes is not None:
        col_min, col_max = mom.codes.column_range()
    else:
        col_min, col_max = np.fmin.reduce(x, axis=0), np.fmax.reduce(x, axis=0)
        if np.isinf(col_min).any() or np.isinf(col_max).any():
            _check_finite(x, names, index)
    if min is not None:
        _check_range(x, names, index, col_min, col_max, float(min), float(max))  # type: ignore[arg-type]
    _check_variance(names, mom, col_min, col_max, nan_policy == "listwise")

    c = mom.cov
    r = mom.pair_cor if mom.pair_cor is not None else cov2cor(c)
    with _quiet():
        total = alpha_stats(c, r)
        drop = alpha_drop_stats(c, r)
        item = item_total_stats(c, r)
    ase = float(np.sqrt(total["q"] / n_obs)) if total["q"] >= 0 else float("nan")
    with np.errstate(invalid="ignore"):
        drop_ase = np.sqrt(drop["q"] / n_obs) if n_obs > k else np.full(k, np.nan)

    table = pd.DataFrame(
        {
            "n": mom.item_n,
            "raw_r": mom.raw_r,
            "std_r": item["std_r"],
            "r_cor": item["r_cor"],
            "r_drop": item["r_drop"],
            "mean": mom.item_mean,
            "sd": mom.item_sd,
            "alpha_if_deleted": drop["raw"],
            "std_alpha_if_deleted": drop["std"],
            "g6_if_deleted": drop["g6"],
            "average_r_if_deleted": drop["av_r"],
            "signal_noise_if_deleted": drop["sn"],
            "ase_if_deleted": drop_ase,
            "var_r_if_deleted": drop["var_r"],
            "median_r_if_deleted": drop["med_r"],
        },
        index=pd.Index(names, name="item"),
        columns=list(_ITEM_COLUMNS),
    )
    if warn_negative:
        _warn_negative(names, item["r_drop"], flipped)

    pairwise = nan_policy == "pairwise" and not mom.complete
    z = None
    if ci in ("bootstrap", "bca"):
        raw_mean = np.where(sign < 0, reflect - mom.item_mean, mom.item_mean)
        z = (x - raw_mean) * sign
        if not pairwise and not mom.complete:
            z = z[~np.isnan(z).any(axis=1)]
    interval, boots = _interval(ci, total["raw"], ase, mom, z, pairwise, level, int(n_boot), seed)

    return AlphaResult(
        alpha=total["raw"],
        std_alpha=total["std"],
        g6=total["g6"],
        average_r=total["av_r"],
        median_r=total["med_r"],
        signal_noise=total["sn"],
        ase=ase,
        mean=mom.total_mean,
        sd=mom.total_sd,
        n_obs=n_obs,
        n_items=k,
        var_r=total["var_r"],
        unidim=total["unidim"],
        fit=total["fit"],
        ci=interval,
        ci_method=ci,
        level=level,
        items=table,
        response_freq=(
            frequencies_from_counts(mom.codes.counts, mom.codes.base, names, n_obs)
            if mom.codes is not None
            else response_frequencies(x, names)
        ),
        boot=boots,
        reverse=tuple(names[j] for j in flipped),
        nan_policy=nan_policy,
        psych_version=psych_version,
    )
