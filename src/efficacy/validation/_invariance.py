"""Measurement invariance across groups: the configural-metric-scalar-strict ladder.

Each level adds lavaan's ``group.equal`` constraints to the previous one (metric:
loadings; scalar: and intercepts, latent means then free in all groups but the first;
strict: and residual variances). Every level is compared with the one before by

- the chi-square difference test: plain for ML, Satorra-Bentler (2001) scaled for MLR
  (lavaan's ``lavTestLRT`` default), and
- the change in CFI, RMSEA and SRMR (robust CFI and RMSEA under MLR), judged by the
  criteria of Chen (2007): delta CFI >= -0.010 together with delta RMSEA <= 0.015, and
  delta SRMR <= 0.030 for metric, <= 0.010 for scalar and strict invariance.

No verdict is given for a level whose fit, or the fit it is compared with, did not
converge or shows a Heywood case or a non-positive-definite latent covariance matrix.

Examples
--------
>>> from efficacy.validation import chen_criteria
>>> chen_criteria("metric")
'delta CFI >= -0.010 and delta RMSEA <= 0.015 and delta SRMR <= 0.030 (Chen 2007)'
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from scipy import stats

from efficacy.instrument import Instrument
from efficacy.validation._cfa import CFAResult, _estimator, result_from
from efficacy.validation._data import Prepared, check_rows, prepare, wlsmv_rows
from efficacy.validation._estimate import estimate
from efficacy.validation._invariance_result import (
    REFERENCE_ROW,
    InvarianceResult,
    judge,
)
from efficacy.validation._model import build_model
from efficacy.validation._warnings import FitWarning, ModelError

#: The continuous ladder: level -> lavaan ``group.equal``.
LEVELS: dict[str, tuple[str, ...]] = {
    "configural": (),
    "metric": ("loadings",),
    "scalar": ("loadings", "intercepts"),
    "strict": ("loadings", "intercepts", "residuals"),
}

_TABLE_MEASURES = (
    "npar",
    "chisq",
    "df",
    "pvalue",
    "chisq_scaled",
    "chisq_scaling_factor",
    "pvalue_scaled",
    "cfi",
    "tli",
    "rmsea",
    "rmsea_ci_lower",
    "rmsea_ci_upper",
    "srmr",
    "cfi_scaled",
    "tli_scaled",
    "rmsea_scaled",
    "cfi_robust",
    "tli_robust",
    "rmsea_robust",
    "rmsea_ci_lower_robust",
    "rmsea_ci_upper_robust",
    "aic",
    "bic",
)


def scaled_difference(
    chisq0: float, df0: int, c0: float, chisq1: float, df1: int, c1: float
) -> tuple[float, float]:
    """Satorra-Bentler (2001) scaled difference of nested models (0: the restricted one).

    Returns the statistic and the difference scaling factor (NaN when negative, as in
    lavaan, with a warning).

    >>> [round(v, 4) for v in scaled_difference(100.0, 30, 1.2, 80.0, 24, 1.1)]
    [12.5, 1.6]
    """
    m = df0 - df1
    if df1 == 0:
        c1 = 1.0
    if m == 0:
        return chisq0 - chisq1, math.nan
    cd = (df0 * c0 - df1 * c1) / m
    if cd < 0:
        warnings.warn(
            "the Satorra-Bentler difference scaling factor is negative; no scaled test",
            FitWarning,
            stacklevel=2,
        )
        return math.nan, math.nan
    return (chisq0 - chisq1) / cd, cd


def _verdict(level: str, prev: CFAResult, cur: CFAResult, row: dict, robust: bool) -> None:
    """:func:`judge` with the robust CFI and RMSEA (MLR) or the plain ones (ML)."""
    judge(level, prev, cur, row, "robust" if robust else "")


def _ladder(
    prepared: Prepared,
    estimator: str,
    levels: Sequence[str],
    free: tuple[str, ...],
    group: str,
    std_lv: bool,
) -> InvarianceResult:
    fits: dict[str, CFAResult] = {}
    rows = []
    robust = estimator == "MLR"
    h1_cache: dict = {}  # the unrestricted-model traces are the same at every level
    for k, level in enumerate(levels):
        spec = build_model(
            prepared.factors,
            n_groups=len(prepared.groups),
            meanstructure=True,
            std_lv=std_lv,
            group_equal=LEVELS[level],
            group_partial=free,
            residual_covariances=prepared.residual_covariances,
        )
        check_rows(prepared, spec.n_free)
        est = estimate(
            spec, prepared.groups, estimator, group_labels=prepared.group_labels, h1_cache=h1_cache
        )
        fit = result_from(est, prepared, std_lv=std_lv, what=f"invariance ({level})")
        fits[level] = fit
        fm = fit.fit_measures
        row: dict[str, Any] = {key: fm[key] for key in _TABLE_MEASURES if key in fm.index}
        row["converged"] = fit.converged
        if k == 0:
            row.update(REFERENCE_ROW)
        else:
            prev = fits[levels[k - 1]]
            pm = prev.fit_measures
            df_diff = int(fm["df"] - pm["df"])
            if robust:
                t, _ = scaled_difference(
                    fm["chisq"],
                    int(fm["df"]),
                    fm["chisq_scaling_factor"],
                    pm["chisq"],
                    int(pm["df"]),
                    pm["chisq_scaling_factor"],
                )
            else:
                t = fm["chisq"] - pm["chisq"]
            cfi, rmsea = ("cfi_robust", "rmsea_robust") if robust else ("cfi", "rmsea")
            row.update(
                chisq_diff=t,
                df_diff=df_diff,
                p_diff=float(stats.chi2.sf(t, df_diff)) if df_diff > 0 else math.nan,
                delta_cfi=fm[cfi] - pm[cfi],
                delta_rmsea=fm[rmsea] - pm[rmsea],
                delta_srmr=fm["srmr"] - pm["srmr"],
            )
            _verdict(level, prev, fit, row, robust)
        rows.append(row)
    table = pd.DataFrame(rows, index=pd.Index(list(levels), name="level"))
    return InvarianceResult(
        estimator=estimator,
        group=group,
        groups=prepared.group_labels,
        levels=tuple(levels),
        fits=fits,
        table=table,
        free=free,
        _prepared=prepared,
        _std_lv=std_lv,
        _refit=lambda free: _ladder(prepared, estimator, levels, free, group, std_lv),
    )


def invariance(
    data: pd.DataFrame,
    instrument: str | Instrument | None = None,
    *,
    group: str,
    model: Mapping[str, Sequence[str]] | None = None,
    estimator: str = "ML",
    levels: Sequence[str] | None = None,
    std_lv: bool = False,
    missing: str = "listwise",
    on_invalid: str = "raise",
    residual_covariances: Sequence[tuple[str, str]] = (),
) -> InvarianceResult:
    """Test measurement invariance of the factor structure across ``group``.

    Parameters
    ----------
    data, instrument, model, std_lv, missing, on_invalid, residual_covariances
        As for :func:`cfa` (cross-loadings are loadings, held equal from ``metric`` on;
        residual covariances stay free in every group at every level, as lavaan's
        ``group.equal = "residuals"`` leaves them).
    group
        Column holding the group labels; the first label met is the reference group.
    estimator
        ``"ML"`` (plain chi-square difference), ``"MLR"`` (Satorra-Bentler 2001
        scaled difference; the verdict uses the robust CFI and RMSEA) or ``"WLSMV"``
        (ordinal items; Wu & Estabrook 2016 identification with unit factor variances;
        lavaan's scaled-shifted difference test; the verdict uses the scaled CFI and
        RMSEA; ``missing`` ``"listwise"`` or ``"pairwise"``).
    levels
        Which levels to fit, in order: ``configural``, ``metric``, ``scalar``, ``strict``
        (default for ML and MLR) or ``configural``, ``thresholds``, ``metric``,
        ``scalar`` (WLSMV).

    Returns
    -------
    InvarianceResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from efficacy.validation import invariance
    >>> rng = np.random.default_rng(7)
    >>> f = rng.normal(size=600)
    >>> items = pd.DataFrame(
    ...     {f"q{j}": 0.8 * f + rng.normal(scale=0.6, size=600) for j in range(1, 5)}
    ... )
    >>> items["sex"] = np.where(np.arange(600) % 2, "f", "m")
    >>> inv = invariance(items, model={"F": ["q1", "q2", "q3", "q4"]}, group="sex")
    >>> inv.table["verdict"].tolist()
    ['reference', 'holds', 'holds', 'holds']
    >>> int(inv.table.loc["scalar", "df_diff"])
    3
    """
    estimator = _estimator(estimator)
    if estimator == "WLSMV":
        from efficacy.validation._invariance_ordinal import ordinal_ladder

        prepared = prepare(
            data,
            instrument,
            model,
            group,
            wlsmv_rows(missing),
            on_invalid,
            residual_covariances,
        )
        if len(prepared.groups) < 2:
            raise ModelError(
                f"group column {group!r} has one group {list(prepared.group_labels)}: "
                "invariance needs at least two"
            )
        order = levels or ("configural", "thresholds", "metric", "scalar")
        return ordinal_ladder(prepared, group, tuple(order), missing)
    levels = tuple(levels or ("configural", "metric", "scalar", "strict"))
    unknown = [lvl for lvl in levels if lvl not in LEVELS]
    if unknown:
        raise ModelError(f"unknown invariance levels {unknown}; use {list(LEVELS)}")
    prepared = prepare(data, instrument, model, group, missing, on_invalid, residual_covariances)
    if len(prepared.groups) < 2:
        raise ModelError(
            f"group column {group!r} has one group {list(prepared.group_labels)}: "
            "invariance needs at least two"
        )
    return _ladder(prepared, estimator, tuple(levels), (), group, std_lv)
