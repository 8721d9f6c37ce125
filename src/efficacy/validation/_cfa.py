"""Confirmatory factor analysis of an instrument's declared structure: :func:`cfa`.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from efficacy.validation import cfa
>>> rng = np.random.default_rng(3)
>>> f = rng.normal(size=(400, 2)) @ np.array([[1.0, 0.4], [0.0, 0.9]])
>>> load = np.array([[0.8, 0.7, 0.6, 0, 0, 0], [0, 0, 0, 0.9, 0.6, 0.7]]).T
>>> x = f @ load.T + rng.normal(scale=0.6, size=(400, 6))
>>> items = pd.DataFrame(x, columns=["a1", "a2", "a3", "b1", "b2", "b3"])
>>> fit = cfa(items, model={"A": ["a1", "a2", "a3"], "B": ["b1", "b2", "b3"]})
>>> fit.converged, int(fit.fit_measures["df"])
(True, 8)
>>> fit.loadings[["factor", "item"]].head(2).values.tolist()
[['A', 'a1'], ['A', 'a2']]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import pandas as pd

from efficacy._dispatch import is_dask, on_dask
from efficacy.instrument import Instrument
from efficacy.validation._cfa_result import CFAResult, loadings_table
from efficacy.validation._data import check_rows, prepare, wlsmv_rows
from efficacy.validation._estimate import Estimation, estimate, warn_problems
from efficacy.validation._model import build_model
from efficacy.validation._tables import fit_measures, parameter_table
from efficacy.validation._warnings import ModelError

Estimator = Literal["ML", "MLR", "WLSMV"]


def _estimator(value: str) -> Estimator:
    upper = str(value).upper()
    if upper not in ("ML", "MLR", "WLSMV"):
        raise ModelError(f"unknown estimator {value!r}; use 'ML', 'MLR' or 'WLSMV'")
    return upper  # type: ignore[return-value]


def result_from(est: Estimation, prepared, *, std_lv: bool, what: str = "CFA") -> CFAResult:
    """Wrap an estimation as a :class:`CFAResult` (warnings issued here)."""
    warn_problems(est, what)
    params = parameter_table(est)
    reversed_items = set(prepared.reversed_items)
    if prepared.instrument is not None:
        params["reversed"] = [
            (row.op in ("=~",) and row.rhs in reversed_items)
            or (row.op in ("~~", "~1") and row.lhs in reversed_items)
            for row in params.itertuples()
        ]
    return CFAResult(
        estimator=est.estimator,
        converged=est.ml.converged,
        n_obs=est.n_total,
        n_dropped=prepared.n_dropped,
        groups=prepared.group_labels,
        factors={k: list(v) for k, v in prepared.factors.items()},
        fit_measures=fit_measures(est),
        parameters=params,
        loadings=loadings_table(params),
        problems=est.problems,
        instrument=prepared.instrument,
        std_lv=std_lv,
        missing="fiml" if est.fiml else "listwise",
        _estimation=est,
    )


def cfa(
    data: pd.DataFrame,
    instrument: str | Instrument | None = None,
    *,
    model: Mapping[str, Sequence[str]] | None = None,
    estimator: str = "ML",
    std_lv: bool = False,
    group: str | None = None,
    group_equal: Sequence[str] = (),
    group_partial: Sequence[str] = (),
    meanstructure: bool | None = None,
    missing: str = "listwise",
    max_iter: int = 500,
    on_invalid: str = "raise",
    residual_covariances: Sequence[tuple[str, str]] = (),
) -> CFAResult:
    """Fit a confirmatory factor model as lavaan 0.6-14's ``cfa()`` does.

    Parameters
    ----------
    data
        Item responses (one column per item); for an instrument, raw responses as
        :func:`efficacy.item_responses` reads them (labels coded, reverse-keyed items
        reversed).
    instrument
        Bundled id or :class:`~efficacy.Instrument`: its subscales are the factors
        (a total made of the other scales is left out; a one-scale instrument is one
        factor).
    model
        ``{factor: [items]}`` instead of (or to override) the instrument's structure.
        An item listed under several factors loads on each (a cross-loading); the first
        item of each factor is its marker (loading fixed to 1).
    estimator
        ``"ML"`` (expected-information standard errors), ``"MLR"`` (sandwich
        standard errors, Yuan-Bentler scaled chi-square, scaled and robust CFI, TLI
        and RMSEA) or ``"WLSMV"`` (ordinal items: thresholds and polychoric
        correlations, DWLS, robust standard errors, scaled-shifted chi-square, scaled
        and robust fit indices; with ``group`` the configural model).
    std_lv
        Identify factors by unit variances instead of fixing the first loading to 1.
    group
        Column with group labels for a multi-group model (intercepts and means are
        then modelled).
    group_equal, group_partial
        lavaan's ``group.equal`` (``"loadings"``, ``"intercepts"``, ``"residuals"``)
        and ``group.partial`` (e.g. ``["x3~1"]``).
    meanstructure
        Model intercepts (default: only with groups, as lavaan).
    missing
        ``"listwise"`` (lavaan's default; rows dropped are reported as ``n_dropped``)
        or ``"fiml"`` (ML and MLR: full-information ML by missing-data pattern, with
        intercepts; rows with no answered item are dropped) or ``"pairwise"`` (WLSMV:
        thresholds and polychorics from the available answers, as lavaan).

    max_iter
        Most Fisher-scoring iterations; a fit that needs more is reported as not
        converged (with a :class:`FitWarning`).
    on_invalid
        With an instrument, cells that are not valid responses: ``"raise"`` (default,
        an error naming column, rows and values) or ``"missing"`` (treated as missing
        and reported once, as :func:`efficacy.item_responses` does).
    residual_covariances
        Item pairs whose residuals covary, ``[("x1", "x2"), ...]`` (lavaan's
        ``x1 ~~ x2``); with an instrument, its item ids. Free in every group.

    Returns
    -------
    CFAResult

    Raises
    ------
    ModelError
        A factor with fewer than 2 items (a 2-item factor only warns), an item listed
        twice under one factor, a residual covariance of an unknown item, of an item
        with itself or listed twice, an unidentified model (naming the parameters
        involved).
    DataError
        Fewer rows than parameters, an item without variance in a group.

    Warns
    -----
    FitWarning
        Non-convergence, a negative variance (Heywood case) or a latent covariance
        matrix that is not positive definite, naming the parameter.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from efficacy.validation import cfa
    >>> rng = np.random.default_rng(0)
    >>> trait = rng.normal(size=300)
    >>> raw = pd.DataFrame(
    ...     {f"gse{i}": np.clip(np.rint(2.5 + 0.8 * trait + rng.normal(size=300)), 1, 4)
    ...      for i in range(1, 11)}
    ... )
    >>> fit = cfa(raw, "gse", estimator="MLR")
    >>> list(fit.factors), int(fit.fit_measures["df"])
    (['gse'], 35)
    >>> bool(0 < fit.fit_measures["cfi_robust"] <= 1)
    True
    """
    if is_dask(data):
        return on_dask("cfa", **locals())  # type: ignore[no-any-return]
    estimator = _estimator(estimator)
    if estimator == "WLSMV":
        from efficacy.validation._wlsmv_api import cfa_wlsmv

        if group_equal:
            raise ModelError(
                "cfa() fits the configural WLSMV model across groups; for constraints use "
                "invariance(..., estimator='WLSMV')"
            )
        rows = wlsmv_rows(missing)
        if group is not None:
            from efficacy.validation._invariance_ordinal import ordinal_groups_cfa

            prepared = prepare(
                data, instrument, model, group, rows, on_invalid, residual_covariances
            )
            return ordinal_groups_cfa(prepared, group, std_lv, missing)
        return cfa_wlsmv(
            data,
            instrument,
            model,
            std_lv=std_lv,
            max_iter=max_iter,
            missing=missing,
            on_invalid=on_invalid,
            residual_covariances=residual_covariances,
        )
    prepared = prepare(data, instrument, model, group, missing, on_invalid, residual_covariances)
    n_groups = len(prepared.groups)
    if meanstructure is None or missing == "fiml":
        meanstructure = n_groups > 1 or missing == "fiml" or bool(meanstructure)
    return fit_prepared(
        prepared, estimator, meanstructure, std_lv, group_equal, group_partial, max_iter
    )


def fit_prepared(
    prepared: Any,
    estimator: str,
    meanstructure: bool,
    std_lv: bool,
    group_equal: Sequence[str],
    group_partial: Sequence[str],
    max_iter: int,
) -> CFAResult:
    """Build the model of prepared data, check there are enough rows, estimate, wrap."""
    spec = build_model(
        prepared.factors,
        n_groups=len(prepared.groups),
        meanstructure=meanstructure,
        std_lv=std_lv,
        group_equal=group_equal,
        group_partial=group_partial,
        residual_covariances=prepared.residual_covariances,
    )
    check_rows(prepared, spec.n_free)
    est = estimate(
        spec, prepared.groups, estimator, group_labels=prepared.group_labels, max_iter=max_iter
    )
    return result_from(est, prepared, std_lv=std_lv)
