"""``cfa(..., estimator="WLSMV")``: from the data to a :class:`CFAResult`.

Items are ordinal: with an instrument, its items must be declared on a 4- to 7-point
range (they are then treated as ordinal without being listed); with a ``model`` dict,
every item must hold integer codes. The categories of each item are those observed
(lavaan's ordered factors), so items may show different numbers of categories (an item
where nobody chose "1" has one threshold fewer); each needs at least two.
Missing cells: complete rows (``missing="listwise"``) or pairwise
(``missing="pairwise"``, lavaan's option of that name).
"""

from __future__ import annotations

import warnings

import numpy as np

from efficacy.errors import DataError
from efficacy.validation._cfa_result import CFAResult, loadings_table
from efficacy.validation._data import check_rows, prepare, wlsmv_rows
from efficacy.validation._ordinal import ordinal_stats
from efficacy.validation._warnings import FitWarning, ModelError
from efficacy.validation._wlsmv import (
    fit_wlsmv,
    ordinal_model,
    wlsmv_fit_measures,
    wlsmv_parameters,
)


def _codes(x: np.ndarray, items: tuple[str, ...]) -> np.ndarray:
    """0-based category codes of each item's observed values; -1 where missing.

    Each item keeps its own observed categories (their number may differ by item).
    """
    seen = ~np.isnan(x)
    bad = [
        items[j]
        for j in range(x.shape[1])
        if not np.all(np.floor(x[seen[:, j], j]) == x[seen[:, j], j])
    ]
    if bad:
        raise DataError(f"WLSMV needs integer category codes; items {bad} have other values")
    codes = np.full(x.shape, -1, dtype=np.int64)
    single = {}
    for j in range(x.shape[1]):
        values = np.unique(x[seen[:, j], j])
        codes[seen[:, j], j] = np.searchsorted(values, x[seen[:, j], j])
        if len(values) < 2:
            single[items[j]] = [float(v) for v in values]
    if single:
        raise DataError(
            f"items {list(single)} show a single observed category {single}: an ordinal "
            "item needs at least two"
        )
    return codes


def cfa_wlsmv(
    data,
    instrument,
    model,
    *,
    std_lv: bool,
    max_iter: int,
    missing: str = "listwise",
    on_invalid: str = "raise",
    residual_covariances=(),
) -> CFAResult:
    if instrument is not None:
        import efficacy as ef

        inst = ef.load(instrument)
        points = round((inst.response.max - inst.response.min) / inst.response.step) + 1
        if not 4 <= points <= 7:
            raise ModelError(
                f"{inst.id} items are on a {points}-point range: WLSMV treats 4- to 7-point "
                "items as ordinal; use estimator='ML' or 'MLR'"
            )
    prepared = prepare(
        data, instrument, model, None, wlsmv_rows(missing), on_invalid, residual_covariances
    )
    x = prepared.groups[0].x
    codes = _codes(x, prepared.items)
    st = ordinal_stats(codes, list(prepared.items))
    om = ordinal_model(
        prepared.factors,
        [len(t) for t in st.thresholds],
        std_lv=std_lv,
        residual_covariances=prepared.residual_covariances,
    )
    check_rows(prepared, om.n_free)
    est = fit_wlsmv(om, st, max_iter=max_iter)
    params = wlsmv_parameters(est)
    problems = []
    if not est.converged:
        problems.append("the optimiser did not converge")
    for item, value in zip(om.base.items, 1.0 - np.diag(est.star), strict=True):
        if value < 0:
            problems.append(
                f"Heywood case: residual variance {item}~~{item} is negative ({value:.4g})"
            )
    for problem in problems:
        warnings.warn(f"CFA (WLSMV): {problem}", FitWarning, stacklevel=3)
    if prepared.instrument is not None:
        rev = set(prepared.reversed_items)
        params["reversed"] = [
            (row.op == "=~" and row.rhs in rev) or (row.op in ("~~", "|") and row.lhs in rev)
            for row in params.itertuples()
        ]
    return CFAResult(
        estimator="WLSMV",
        converged=est.converged,
        n_obs=st.n,
        n_dropped=prepared.n_dropped,
        groups=prepared.group_labels,
        factors={k: list(v) for k, v in prepared.factors.items()},
        fit_measures=wlsmv_fit_measures(est),
        parameters=params,
        loadings=loadings_table(params),
        problems=tuple(problems),
        instrument=prepared.instrument,
        std_lv=std_lv,
        missing=missing,
        _estimation=est,
    )
