"""The data-quality section of the report: careless-responding screen, its rules, and
what excluding the flagged respondents changes.

The screen runs on the responses as coded for the report (item ids, invalid cells
missing), with the default cut-offs of :func:`efficacy.screen`; flagged respondents stay
in every other section, and this section shows what alpha and the mean score would be
without them.
"""

from __future__ import annotations

import warnings
from typing import Any

from efficacy.output._analysis import Analysis
from efficacy.output.tables import ApaTable
from efficacy.screening import data_quality


def quality(a: Analysis, exhibits: Any) -> dict[str, Any]:
    """Context for the template's data-quality section (None when not asked for)."""
    if not a.options.screen:
        return {"quality": None}
    options = a.options.screen if isinstance(a.options.screen, dict) else {}
    with warnings.catch_warnings(record=True) as caught:
        # the section lists every warning: the screen's own (dq.warnings) and any other
        warnings.simplefilter("always")
        dq = data_quality(a.raw_items, a.instrument, on_invalid="missing", **options)
    shown = list(dict.fromkeys([*dq.warnings, *(str(w.message).splitlines()[0] for w in caught)]))
    rules = dq.rules.copy()
    rules.index.name = "Index"
    counts = dq.counts.loc[:, [c for c in ("n_computed", "n_flagged") if c in dq.counts]]
    table = rules.join(counts, how="left")
    rules_html = exhibits.table(
        ApaTable(
            frame=table,
            title="Careless-responding screen: rules and respondents flagged",
            number=exhibits.next_table(),
            note="Each rule with its cut-off and source; a respondent is flagged when any "
            "rule fires. Indices without a default cut-off are computed, not flagged.",
            symbols=False,
            bounded=(),
            p_columns=(),
        )
    )
    effect = dq.effect.copy()
    effect.index.name = "Scale"
    effect_html = exhibits.table(
        ApaTable(
            frame=effect,
            title="Alpha and mean score with and without the flagged respondents",
            number=exhibits.next_table(),
            note="'all': every scored respondent; 'kept': without the flagged ones. The "
            "other sections of this report keep every respondent.",
            symbols=False,
            bounded=("alpha_all", "alpha_kept", "alpha_change"),
            p_columns=(),
        )
    )
    return {
        "quality": {
            "n_obs": dq.n_obs,
            "n_flagged": dq.n_flagged,
            "share": dq.n_flagged / max(dq.n_obs, 1),
            "rules": rules_html,
            "effect": effect_html,
            "warnings": shown,
        }
    }
