"""The validity section of a report: fit table, standardized loadings, reliability.

:func:`validity_tables` turns a :class:`CFAResult` into the three tables a report shows,
with the fit indices the estimator calls for (robust under MLR, scaled under WLSMV)
and the problems of the fit, so a report never shows a fit without its caveats.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from efficacy.validation import cfa
>>> rng = np.random.default_rng(2)
>>> f = rng.normal(size=300)
>>> items = pd.DataFrame({f"q{j}": f + rng.normal(size=300) for j in range(4)})
>>> tables = validity_tables(cfa(items, model={"F": list(items.columns)}))
>>> list(tables), list(tables["fit"].index)[:3]
(['fit', 'loadings', 'reliability', 'problems'], ['chisq', 'df', 'pvalue'])
"""

from __future__ import annotations

import pandas as pd

from efficacy.validation._cfa_result import CFAResult
from efficacy.validation._warnings import ModelError

_FIT = {
    "ML": (
        "chisq",
        "df",
        "pvalue",
        "cfi",
        "tli",
        "rmsea",
        "rmsea_ci_lower",
        "rmsea_ci_upper",
        "srmr",
    ),
    "MLR": (
        "chisq",
        "df",
        "pvalue",
        "chisq_scaled",
        "pvalue_scaled",
        "cfi_robust",
        "tli_robust",
        "rmsea_robust",
        "rmsea_ci_lower_robust",
        "rmsea_ci_upper_robust",
        "srmr",
    ),
    "WLSMV": (
        "chisq",
        "df",
        "chisq_scaled",
        "pvalue_scaled",
        "cfi_scaled",
        "tli_scaled",
        "rmsea_scaled",
        "cfi_robust",
        "tli_robust",
        "rmsea_robust",
        "srmr",
    ),
}


def validity_tables(fit: CFAResult) -> dict[str, pd.DataFrame]:
    """``fit`` (index: measure), ``loadings`` (standardized), ``reliability`` and
    ``problems`` (one row per problem; empty when the fit is clean)."""
    measures = [m for m in _FIT[fit.estimator] if m in fit.fit_measures.index]
    table = fit.fit_measures[measures].to_frame("value")
    keep = [
        c
        for c in ("factor", "item", "group", "std_all", "se", "reversed")
        if c in fit.loadings.columns
    ]
    try:
        reliability = fit.reliability
    except ModelError as exc:  # not available for this fit: say so in the report
        reliability = pd.DataFrame({"note": [str(exc)]})
    problems = pd.DataFrame({"problem": list(fit.problems)})
    return {
        "fit": table,
        "loadings": fit.loadings[keep].copy(),
        "reliability": reliability,
        "problems": problems,
    }
