"""The validity section of the report: a confirmatory factor analysis of the
instrument's declared structure, its standardized loadings and the reliability from
the fit.

Items on a 4- to 7-point response scale are ordinal and are fitted by WLSMV; other
ranges by MLR. Above :data:`LARGE_N` respondents the robust estimators' case-wise
statistics would take more memory than the rest of the report together, so the model is
fitted by ML from the covariance matrix and the section says so. The fit's problems
(non-convergence, Heywood cases, ...) are always shown beside it.
"""

from __future__ import annotations

import warnings
from typing import Any

from efficacy.errors import EfficacyError
from efficacy.output._analysis import Analysis
from efficacy.output.tables import ApaTable
from efficacy.validation import cfa, validity_tables

#: Respondents above which the report's CFA uses ML instead of WLSMV or MLR.
LARGE_N = 100_000


def estimator_for(a: Analysis) -> tuple[str, str]:
    """The estimator for the report's CFA, and why."""
    response = a.instrument.response
    points = len(response.codes)
    if len(a.raw_items) > LARGE_N:
        return "ML", (
            f"ML from the covariance matrix: with more than {LARGE_N:,} respondents the "
            "robust corrections need case-wise statistics too large for a report"
        )
    if 4 <= points <= 7:
        return "WLSMV", f"WLSMV: the items are ordinal ({points}-point response scale)"
    return "MLR", f"MLR: robust maximum likelihood for a {points}-point response scale"


def validity(a: Analysis, exhibits: Any) -> dict[str, Any]:
    """Context for the template's validity section (None when not asked for)."""
    if not a.options.validity:
        return {"validity": None}
    estimator, why = estimator_for(a)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = cfa(a.raw_items, a.instrument, estimator=estimator)
        except EfficacyError as exc:  # a model that cannot be fitted is reported, not hidden
            return {"validity": {"error": str(exc), "why": why, "estimator": estimator}}
    tables = validity_tables(fit)
    fit_html = exhibits.table(
        ApaTable(
            frame=tables["fit"],
            title=f"Confirmatory factor analysis ({estimator}): fit",
            number=exhibits.next_table(),
            note=f"Estimator {why}. Listwise deletion of incomplete respondents.",
            symbols=False,
            digits=3,
        )
    )
    loadings_html = exhibits.table(
        ApaTable(
            frame=tables["loadings"].set_index("item"),
            title="Standardized loadings",
            number=exhibits.next_table(),
            symbols=False,
            digits=3,
            bounded=("std_all",),
        )
    )
    reliability_html = exhibits.table(
        ApaTable(
            frame=tables["reliability"].set_index("factor"),
            title="Reliability from the factor model",
            number=exhibits.next_table(),
            symbols=False,
            digits=3,
        )
    )
    problems = tables["problems"]
    messages = sorted({str(w.message).splitlines()[0] for w in caught})
    return {
        "validity": {
            "estimator": estimator,
            "why": why,
            "fit": fit_html,
            "loadings": loadings_html,
            "reliability": reliability_html,
            "problems": [str(p) for p in problems.iloc[:, 0]] if len(problems) else [],
            "warnings": messages,
            "converged": fit.converged,
        }
    }
