"""``irt()``: fit the graded response model to an item frame or an instrument's scales.

Examples
--------
>>> import numpy as np
>>> import pandas as pd
>>> rng = np.random.default_rng(2)
>>> trait = rng.normal(size=500)
>>> items = pd.DataFrame({f"q{j}": (trait + rng.logistic(size=500) > 0) * 1 for j in range(4)})
>>> model = irt(items, model="2PL")
>>> model.model, model.n_params, model.converged
('2PL', 8, True)
"""

from __future__ import annotations

import warnings
from typing import Any, Literal

import numpy as np
import pandas as pd

from efficacy.errors import DataError
from efficacy.item_response._data import code_responses, numeric_items
from efficacy.item_response._estimate import estimate
from efficacy.item_response._model import GradedModel
from efficacy.item_response._params import GradedParameters


class IrtConvergenceWarning(UserWarning):
    """The estimation did not reach the maximum of the likelihood."""


def irt(
    data: pd.DataFrame,
    instrument: Any = None,
    *,
    scale: str | None = None,
    model: Literal["graded", "2PL"] = "graded",
    columns: Any = None,
    coding: str | None = None,
    min: float | None = None,
    max: float | None = None,
    tol: float = 1e-4,
    max_iter: int = 2000,
) -> GradedModel | dict[str, GradedModel]:
    """Fit a unidimensional graded response model by marginal maximum likelihood.

    Parameters
    ----------
    data
        Responses, one row per person. Without ``instrument``: one numeric column per
        item. With it: raw data as :func:`efficacy.score` takes them.
    instrument
        A bundled id, a path or an Instrument: items are coded and reverse-keyed by its
        rules and every code of its response scale is a declared category.
    scale
        Which scale of the instrument (default: all; one model per scale).
    model
        ``"graded"`` or ``"2PL"`` (every item must then have two categories; the 2PL is
        the graded model with two categories).
    columns, coding
        As in :func:`efficacy.score`.
    min, max
        Declared lowest and highest code for an item frame (whole-number steps). By
        default each item's categories are the codes seen in its column.
    tol, max_iter
        EM stops when no parameter moves more than ``tol`` (mirt's 1e-4); Newton steps
        then take the estimate to the optimum (see :mod:`efficacy.item_response`).

    Returns
    -------
    GradedModel, or dict of scale id -> GradedModel
        A dict when an instrument with several scales is fitted without ``scale=``.

    Warns
    -----
    UnobservedCategoryWarning
        A declared category no one chose: left out of that item's model.
    IrtConvergenceWarning
        The estimate is not at a maximum (``model.converged`` is False).
    """
    if model not in ("graded", "2PL"):
        raise DataError(f"model must be 'graded' or '2PL', got {model!r}")
    if instrument is None:
        if (min is None) != (max is None):
            raise DataError("give both min= and max=, or neither")
        codes = None if min is None else np.arange(float(min), float(max) + 0.5)
        return _fit(data, codes, model, tol, max_iter, None, None)
    import efficacy as ef

    inst = ef.load(instrument)
    frame = ef.item_responses(data, inst, columns, coding=coding)
    codes = inst.response.codes
    wanted = inst.scale_ids if scale is None else (scale,)
    models = {}
    for scale_id in wanted:
        try:
            chosen = inst.scale(scale_id)
        except KeyError as exc:
            raise DataError(str(exc.args[0])) from None
        models[scale_id] = _fit(
            frame[list(chosen.items)], codes, model, tol, max_iter, inst, scale_id
        )
    return models[wanted[0]] if len(models) == 1 else models


def _fit(
    data: pd.DataFrame,
    codes: np.ndarray | None,
    model: str,
    tol: float,
    max_iter: int,
    instrument: Any,
    scale: str | None,
) -> GradedModel:
    numeric_items(data)
    coded = code_responses(data, None if codes is None else list(codes), what="data")
    n_cat = [c.size for c in coded.codes]
    if model == "2PL" and any(k != 2 for k in n_cat):
        wrong = [n for n, k in zip(coded.names, n_cat, strict=True) if k != 2]
        raise DataError(f"model='2PL' needs binary items; these have more categories: {wrong}")
    answered = (coded.categories >= 0).any(axis=1)
    if not answered.any():
        raise DataError("data: no row has an answer")
    fit = estimate(coded.categories[answered], n_cat, tol=tol, max_iter=max_iter)
    pars = GradedParameters(
        coded.names,
        np.array([fit.params[o] for o in _offsets(n_cat)]),
        tuple(fit.params[o + 1 : o + k] for o, k in zip(_offsets(n_cat), n_cat, strict=True)),
        coded.codes,
    )
    if not fit.converged:
        warnings.warn(
            f"the graded model did not converge: {fit.message}", IrtConvergenceWarning, stacklevel=3
        )
    n_obs = int(answered.sum())
    n_params = int(fit.params.size)
    return GradedModel(
        model="2PL" if all(k == 2 for k in n_cat) else "graded",
        log_likelihood=fit.loglik,
        aic=-2 * fit.loglik + 2 * n_params,
        bic=-2 * fit.loglik + np.log(n_obs) * n_params,
        n_obs=n_obs,
        n_items=len(n_cat),
        n_params=n_params,
        converged=fit.converged,
        n_iter=fit.n_iter,
        n_newton=fit.n_newton,
        max_gradient=float(np.max(np.abs(fit.gradient))),
        max_step=float(np.max(np.abs(fit.newton_step))),
        message=fit.message,
        items=_item_table(pars, fit.covariance, coded.categories),
        parameters=pars,
        covariance=fit.covariance,
        n_empty=int((~answered).sum()),
        scale=scale,
        instrument=instrument,
        categories=coded.categories[answered],
    )


def _offsets(n_cat: list[int]) -> list[int]:
    return [int(v) for v in np.concatenate([[0], np.cumsum(n_cat)[:-1]])]


def _item_table(pars: GradedParameters, cov: np.ndarray, categories: np.ndarray) -> pd.DataFrame:
    width = max(pars.n_cat) - 1
    rows = []
    for j, (a, d) in enumerate(zip(pars.a, pars.d, strict=True)):
        o = _offsets(pars.n_cat)[j]
        m = d.size
        block = cov[o : o + m + 1, o : o + m + 1]
        b = -d / a
        row: dict[str, float] = {"a": a}
        row.update({f"d{k + 1}": d[k] if k < m else np.nan for k in range(width)})
        row.update({f"b{k + 1}": b[k] if k < m else np.nan for k in range(width)})
        row["se_a"] = np.sqrt(block[0, 0])
        for k in range(width):
            row[f"se_d{k + 1}"] = np.sqrt(block[k + 1, k + 1]) if k < m else np.nan
        for k in range(width):
            if k < m:
                grad = np.zeros(m + 1)
                grad[0] = d[k] / a**2
                grad[k + 1] = -1.0 / a
                row[f"se_b{k + 1}"] = np.sqrt(grad @ block @ grad)
            else:
                row[f"se_b{k + 1}"] = np.nan
        row["n_categories"] = m + 1
        row["n"] = int(np.sum(categories[:, j] >= 0))
        rows.append(row)
    frame = pd.DataFrame(rows, index=pd.Index(pars.names, name="item"))
    frame.attrs["parameterization"] = "slope-intercept a, d; traditional b = -d / a"
    return frame
