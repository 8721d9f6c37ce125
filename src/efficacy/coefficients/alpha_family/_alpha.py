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

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

import efficacy.coefficients.alpha_family._bootstrap as boot_ci
from efficacy._dispatch import is_dask, on_dask
from efficacy.coefficients._moments import cov2cor
from efficacy.coefficients.alpha_family._alpha_checks import (
    check_finite,
    check_options,
    check_range,
    check_size,
    check_variance,
    read_items,
    reverse_positions,
)
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
from efficacy.results import Result, Summary
from efficacy.results import format_value as _f

CiMethod = Literal["feldt", "feldt_psych", "duhachek", "bootstrap", "bca"]
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
    ordinal_alpha
        With ``ordinal=True``: ordinal alpha, the standardized alpha of the polychoric
        correlation matrix (after reverse keying); else None.
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
    ordinal_alpha: float | None = None

    def summary(self) -> Summary:
        """Alpha with its interval and method, the counts, and the item analysis."""
        lower, upper = self.ci
        rows = [
            (
                "alpha",
                f"{_f(self.alpha)}, {_f(self.level * 100)}% CI [{_f(lower)}, {_f(upper)}] "
                f"({self.ci_method})",
            ),
            ("standardized alpha", _f(self.std_alpha)),
            ("G6 (smc)", _f(self.g6)),
            ("average r", _f(self.average_r)),
            ("items", str(self.n_items)),
            ("respondents", f"{self.n_obs} (missing data: {self.nan_policy})"),
        ]
        if self.ordinal_alpha is not None:
            rows.append(("ordinal alpha", _f(self.ordinal_alpha)))
        notes = [f"Definitions as in R psych {self.psych_version}; the table is the item analysis."]
        if self.boot is not None:
            notes.append(f"Bootstrap interval from {len(self.boot)} replicates.")
        if self.reverse:
            notes.append(f"Reverse-keyed items: {', '.join(map(str, self.reverse))}.")
        return Summary("Cronbach's alpha", tuple(rows), tuple(notes), self.items)

    def to_frame(self) -> pd.DataFrame:
        """The total row (psych's ``$total``) with the interval, as a one-row DataFrame
        (and ``ordinal_alpha`` when it was computed)."""
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
        if self.ordinal_alpha is not None:
            row["ordinal_alpha"] = self.ordinal_alpha
        return pd.DataFrame([row], index=pd.Index(["total"]))

    def _repr_fields(self) -> list[tuple[str, Any]]:
        return [(name, value) for name, value in super()._repr_fields() if name != "boot"]


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
    rows: tuple[np.ndarray, np.ndarray] | None,
    pairwise: bool,
    level: float,
    n_boot: int,
    seed: int | np.random.Generator | None,
) -> tuple[tuple[float, float], np.ndarray | None]:
    k = mom.cov.shape[0]
    if method in ("feldt", "feldt_psych"):
        r_quantile = method == "feldt_psych"
        return boot_ci.feldt_ci(estimate, mom.n_obs, k, level, r_quantile=r_quantile), None
    if method == "duhachek":
        return boot_ci.normal_ci(estimate, ase, level), None
    assert rows is not None
    patterns, inverse = rows
    rng = np.random.default_rng(seed)
    alphas = boot_ci.pattern_bootstrap_alphas(patterns, inverse, pairwise, n_boot, rng)
    if method == "bootstrap":
        return boot_ci.percentile_ci(alphas, level), alphas
    counts = np.bincount(inverse, minlength=patterns.shape[0])
    jack = boot_ci.pattern_jackknife_alphas(patterns, counts, pairwise)
    return boot_ci.bca_ci(alphas, estimate, jack, level, weights=counts), alphas


def _resampled_rows(
    patterns: tuple[np.ndarray, np.ndarray],
    mom: AlphaMoments,
    sign: np.ndarray,
    reflect: np.ndarray,
    pairwise: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """The rows a bootstrap resamples, as centred, reverse-keyed patterns and row ids.

    ``patterns`` holds the distinct raw rows and the pattern of every row. Without
    pairwise deletion only the complete rows are resampled: the incomplete patterns
    and their rows are left out and the rest renumbered.
    """
    raw, inverse = patterns
    raw_mean = np.where(sign < 0, reflect - mom.item_mean, mom.item_mean)
    z = (raw - raw_mean) * sign
    if pairwise or mom.complete:
        return z, inverse
    keep = ~np.isnan(z).any(axis=1)
    renumber = np.cumsum(keep, dtype=inverse.dtype) - 1
    rows = inverse[keep[inverse]]
    return z[keep], renumber[rows]


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
    ordinal: bool = False,
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
        ``$feldt``, with the exact F quantile), ``"feldt_psych"`` (the same with R's
        ``qf()``, which psych uses: above ``(N - 1)(k - 1) = 4e5`` R approximates the
        quantile by ``qchisq(p, N - 1)/(N - 1)``, moving the bounds by about 5e-5),
        ``"duhachek"`` (``alpha -/+ z * ase``; psych prints it with
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
    ordinal
        Also compute ordinal alpha (Zumbo, Gadermann and Zeisser, 2007): the
        standardized alpha of the polychoric correlations
        (:func:`~efficacy.coefficients.ordinal.ordinal_alpha`, pairwise-complete
        tables), with the ``reverse`` items' correlations sign-flipped. The items must
        be integer codes. Stored in ``ordinal_alpha``; everything else is unchanged.

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
    if is_dask(items):
        return on_dask("alpha", **locals())
    check_options(nan_policy, ci, psych_version, level, n_boot, min, max)

    columns = list(items.columns) if isinstance(items, pd.DataFrame) else []
    if isinstance(items, pd.DataFrame | np.ndarray) and items.ndim == 2:
        check_size(*items.shape)  # before any copy of the data
    x, names, index = read_items(items)
    n_obs, k = x.shape
    check_size(n_obs, k)
    flipped = reverse_positions(reverse, columns, names)
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
            check_finite(x, names, index)
    if min is not None:
        check_range(x, names, index, col_min, col_max, float(min), float(max))  # type: ignore[arg-type]
    check_variance(names, mom, col_min, col_max, nan_policy == "listwise")

    freq = None if mom.codes is not None else response_frequencies(x, names)
    return alpha_from_moments(
        mom,
        names,
        flipped,
        ci=ci,
        level=level,
        nan_policy=nan_policy,
        psych_version=psych_version,
        warn_negative=warn_negative,
        n_boot=n_boot,
        seed=seed,
        ordinal=ordinal,
        raw=(x, index, sign, reflect),
        response_freq=freq,
    )


def alpha_from_moments(
    mom: AlphaMoments,
    names: list[str],
    flipped: list[int],
    *,
    ci: str,
    level: float,
    nan_policy: str,
    psych_version: str,
    warn_negative: bool,
    n_boot: int = 1000,
    seed: int | np.random.Generator | None = None,
    ordinal: bool = False,
    raw: tuple[np.ndarray, pd.Index, np.ndarray, np.ndarray] | None = None,
    response_freq: pd.DataFrame | None = None,
    patterns: tuple[np.ndarray, np.ndarray] | None = None,
    keying: tuple[np.ndarray, np.ndarray] | None = None,
) -> AlphaResult:
    """The :class:`AlphaResult` from the checked moments of the items.

    ``raw`` (the matrix, its row labels, the keying signs and reflections) is needed
    only by the bootstrap intervals and ordinal alpha; ``response_freq`` is used when
    the moments hold no code counts. The bootstrap intervals read the rows only
    through ``patterns`` (the distinct raw rows in :func:`row_patterns` order and the
    pattern of every row) and ``keying`` (the signs and reflections); both are taken
    from ``raw`` when not given. :func:`alpha` and its dask form
    (:mod:`efficacy.distributed`) both end here.
    """
    n_obs, k = mom.n_obs, len(names)
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
    rows = None
    if ci in ("bootstrap", "bca"):
        if patterns is None:
            assert raw is not None
            first, inverse, _ = boot_ci.row_patterns(raw[0])
            patterns = (raw[0][first], inverse)
        if keying is None:
            assert raw is not None
            keying = (raw[2], raw[3])
        rows = _resampled_rows(patterns, mom, *keying, pairwise)
    interval, boots = _interval(
        ci, total["raw"], ase, mom, rows, pairwise, level, int(n_boot), seed
    )
    ordinal_value = None
    if ordinal:
        assert raw is not None
        x, index = raw[0], raw[1]
        from efficacy.coefficients.ordinal import ordinal_alpha

        frame = pd.DataFrame(x, index=index, columns=names)
        ordinal_value = ordinal_alpha(frame, reverse=[names[j] for j in flipped])

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
            else response_freq
        ),
        boot=boots,
        reverse=tuple(names[j] for j in flipped),
        nan_policy=nan_policy,
        psych_version=psych_version,
        ordinal_alpha=ordinal_value,
    )
