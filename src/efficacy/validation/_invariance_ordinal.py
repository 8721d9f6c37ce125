"""The ordinal invariance ladder (WLSMV): configural, thresholds, metric, scalar.

Identification after Wu & Estabrook (2016), as :mod:`._wlsmv_groups` describes. Levels
are compared by lavaan's scaled-shifted difference test (Satorra 2000, ``lavTestLRT``'s
default for WLSMV) and by the change in the scaled CFI and RMSEA and in SRMR, judged
by Chen's (2007) cut-offs (thresholds are held to the cut-offs for intercepts).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from efficacy.errors import DataError
from efficacy.validation._cfa_result import CFAResult, loadings_table
from efficacy.validation._data import Prepared, model_items
from efficacy.validation._invariance_result import REFERENCE_ROW, InvarianceResult, judge
from efficacy.validation._ordinal import ordinal_stats
from efficacy.validation._warnings import FitWarning, ModelError
from efficacy.validation._wlsmv_groups import (
    ORDINAL_LEVELS,
    build_ordinal_groups,
    fit_groups,
    groups_fit_measures,
    groups_parameters,
    scaled_shifted_difference,
)

_MEASURES = (
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
    "rmsea_ci_lower_scaled",
    "rmsea_ci_upper_scaled",
    "cfi_robust",
    "tli_robust",
    "rmsea_robust",
)


def _group_codes(prepared: Prepared, group: str) -> list[np.ndarray]:
    """0-based category codes per group (-1: missing); every category seen in every
    group. Items may show different numbers of categories."""
    xs = [g.x for g in prepared.groups]
    items = prepared.items
    codes = [np.full(x.shape, -1, dtype=np.int64) for x in xs]
    for j, item in enumerate(items):
        values = [np.unique(x[~np.isnan(x[:, j]), j]) for x in xs]
        if any(not np.all(np.floor(v) == v) for v in values):
            raise DataError(f"WLSMV needs integer category codes; item {item!r} has others")
        union = np.unique(np.concatenate(values))
        for g, v in enumerate(values):
            missing = np.setdiff1d(union, v)
            if missing.size:
                raise DataError(
                    f"ordinal item {item!r}: categories {missing.tolist()} are observed in "
                    f"other groups but not in {group}={prepared.group_labels[g]!r}; the "
                    "thresholds cannot be compared across groups"
                )
        for g, x in enumerate(xs):
            seen = ~np.isnan(x[:, j])
            codes[g][seen, j] = np.searchsorted(union, x[seen, j])
    return codes


def _result(est, prepared: Prepared, labels, missing: str) -> CFAResult:
    params = groups_parameters(est, labels)
    se = params["se"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(params["free"] & (se > 0), params["est"] / se, np.nan)
    params["z"] = z
    params["pvalue"] = np.where(np.isfinite(z), 2 * stats.norm.sf(np.abs(z)), np.nan)
    # standardized loadings: lambda sqrt(psi) times the item's scale (unit y* variance);
    # factor correlations; residual covariances as the correlation of the residuals
    # (residual variance 1/D^2 minus the common part); other rows NaN
    std = np.full(len(params), np.nan)
    value = {
        (row.lhs, row.op, row.rhs, row.group): row.est
        for row in params[["lhs", "op", "rhs", "group", "est"]].itertuples()
    }
    loadings: dict[tuple[str, Any], list[tuple[str, float]]] = {}
    for (lhs, op, rhs, group), est_value in value.items():
        if op == "=~":
            loadings.setdefault((rhs, group), []).append((lhs, est_value))

    def factor_cov(f: str, h: str, group: Any) -> float:
        return value.get((f, "~~", h, group), value.get((h, "~~", f, group), 0.0))

    def residual_variance(item: str, group: Any) -> float:
        common = sum(
            lf * lh * factor_cov(f, h, group)
            for f, lf in loadings.get((item, group), [])
            for h, lh in loadings.get((item, group), [])
        )
        return 1.0 / value[(item, "~*~", item, group)] ** 2 - common

    for k, row in enumerate(params[["lhs", "op", "rhs", "group", "est"]].itertuples()):
        if row.op == "~~" and row.lhs in prepared.factors:
            var_l = value[(row.lhs, "~~", row.lhs, row.group)]
            var_r = value[(row.rhs, "~~", row.rhs, row.group)]
            std[k] = row.est / math.sqrt(var_l * var_r)
        elif row.op == "~~" and row.lhs != row.rhs:
            both = residual_variance(row.lhs, row.group) * residual_variance(row.rhs, row.group)
            std[k] = row.est / math.sqrt(both) if both > 0 else np.nan
        elif row.op == "=~":
            psi = value[(row.lhs, "~~", row.lhs, row.group)]
            scale = value[(row.rhs, "~*~", row.rhs, row.group)]
            std[k] = row.est * math.sqrt(psi) * scale
    params["std_all"] = std
    problems = [] if est.converged else ["the optimiser did not converge"]
    return CFAResult(
        estimator="WLSMV",
        converged=est.converged,
        n_obs=sum(s.n for s in est.stats),
        n_dropped=prepared.n_dropped,
        groups=prepared.group_labels,
        factors={k: list(v) for k, v in prepared.factors.items()},
        fit_measures=groups_fit_measures(est),
        parameters=params,
        loadings=loadings_table(params),
        problems=tuple(problems),
        instrument=prepared.instrument,
        std_lv=not any(p.kind == "lambda" and not p.free for p in est.model.params),
        missing=missing,
        _estimation=est,
    )


def partial_names(
    free: Sequence[str], factors: Mapping[str, Sequence[str]], n_thresholds: Sequence[int]
) -> tuple[str, ...]:
    """lavaan names of the parameters freed across groups on the ordinal ladder.

    An item id stands for all its thresholds (``"x3"`` means ``"x3|t1"``, ``"x3|t2"``,
    ...); lavaan names of a threshold (``"x3|t1"``), an intercept (``"x3~1"``) or a
    loading (``"F=~x3"``) are taken as they are.
    """
    items = list(model_items(factors))
    known: dict[str, list[str]] = {}
    for item, count in zip(items, n_thresholds, strict=True):
        thresholds = [f"{item}|t{k + 1}" for k in range(count)]
        known[item] = thresholds
        for name in [*thresholds, f"{item}~1"]:
            known[name] = [name]
    for factor, members in factors.items():
        for item in members:
            known[f"{factor}=~{item}"] = [f"{factor}=~{item}"]
    out: list[str] = []
    unknown = []
    for name in free:
        key = name.replace(" ", "")
        if key in known:
            out += [n for n in known[key] if n not in out]
        else:
            unknown.append(name)
    if unknown:
        raise ModelError(
            f"cannot free {unknown} on the ordinal ladder: give items of the model {items} "
            "or lavaan names of a threshold ('x3|t1'), an intercept ('x3~1') or a loading "
            "('F=~x3')"
        )
    return tuple(out)


def ordinal_ladder(
    prepared: Prepared,
    group: str,
    levels: Sequence[str],
    missing: str = "listwise",
    free: Sequence[str] = (),
):
    """Fit the ordinal ladder and compare consecutive levels.

    ``free``: parameters exempt from the equality constraints (:func:`partial_names`).
    """
    import warnings

    unknown = [lvl for lvl in levels if lvl not in ORDINAL_LEVELS]
    if unknown:
        raise ModelError(f"unknown ordinal invariance levels {unknown}; use {list(ORDINAL_LEVELS)}")
    codes = _group_codes(prepared, group)
    st = [ordinal_stats(c, list(prepared.items)) for c in codes]
    n_thresholds = [len(t) for t in st[0].thresholds]
    names = partial_names(free, prepared.factors, n_thresholds)
    labels = list(prepared.group_labels)
    fits: dict[str, CFAResult] = {}
    ests = {}
    rows = []
    for k, level in enumerate(levels):
        model = build_ordinal_groups(
            prepared.factors,
            n_thresholds,
            len(st),
            ORDINAL_LEVELS[level],
            names,
            residual_covariances=prepared.residual_covariances,
        )
        est = fit_groups(model, st)
        ests[level] = est
        fit = _result(est, prepared, labels, missing)
        for problem in fit.problems:
            warnings.warn(f"invariance ({level}): {problem}", FitWarning, stacklevel=3)
        fits[level] = fit
        fm = fit.fit_measures
        row: dict[str, Any] = {key: fm.get(key, math.nan) for key in _MEASURES}
        row["converged"] = fit.converged
        if k == 0:
            row.update(REFERENCE_ROW)
        else:
            prev_level = levels[k - 1]
            prev = fits[prev_level]
            test = scaled_shifted_difference(ests[prev_level], est)
            pm = prev.fit_measures
            row.update(
                chisq_diff=test["chisq_diff"],
                df_diff=test["df_diff"],
                p_diff=test["p_diff"],
                delta_cfi=fm["cfi_scaled"] - pm["cfi_scaled"],
                delta_rmsea=fm["rmsea_scaled"] - pm["rmsea_scaled"],
                delta_srmr=fm["srmr"] - pm["srmr"],
            )
            judge(level, prev, fit, row, "scaled")
        rows.append(row)
    table = pd.DataFrame(rows, index=pd.Index(list(levels), name="level"))
    return InvarianceResult(
        estimator="WLSMV",
        group=group,
        groups=prepared.group_labels,
        levels=tuple(levels),
        fits=fits,
        table=table,
        free=names,
        _prepared=prepared,
        _std_lv=True,
        _refit=lambda free: ordinal_ladder(prepared, group, levels, missing, free),
    )


def ordinal_groups_cfa(
    prepared: Prepared, group: str, std_lv: bool, missing: str = "listwise"
) -> CFAResult:
    """``cfa(group=..., estimator="WLSMV")``: the configural multi-group ordinal model
    (lavaan's default identification with markers, or unit variances with ``std_lv``)."""
    import warnings

    codes = _group_codes(prepared, group)
    st = [ordinal_stats(c, list(prepared.items)) for c in codes]
    model = build_ordinal_groups(
        prepared.factors,
        [len(t) for t in st[0].thresholds],
        len(st),
        (),
        std_lv=std_lv,
        residual_covariances=prepared.residual_covariances,
    )
    est = fit_groups(model, st)
    fit = _result(est, prepared, list(prepared.group_labels), missing)
    for problem in fit.problems:
        warnings.warn(f"CFA (WLSMV): {problem}", FitWarning, stacklevel=3)
    return fit
