"""The flagging rules: one explicit, changeable cut-off per index, each with its source.

A cut-off of ``None`` computes the index without flagging anyone. Indices without a
published cut-off are not flagged by default.

Examples
--------
>>> rules = resolve_cutoffs({"longstring": 8}, n_items=10, seconds_per_item=None)
>>> rules["longstring"].cutoff, rules["mahalanobis"].cutoff, rules["irv"].cutoff
(8, 0.99, None)
>>> print(rules["mahalanobis"].describe(n_items=10))
mahalanobis > 23.21 (chi-square .99 quantile, df = 10 items)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from efficacy.errors import DataError


@dataclass(frozen=True)
class Rule:
    """One flagging rule: the index, how it is compared, the cut-off and its source."""

    key: str
    index: str
    op: str
    cutoff: float | None
    source: str

    def describe(self, n_items: int) -> str:
        """The rule in words, e.g. ``longstring >= 10``."""
        if self.cutoff is None:
            return f"{self.index}: not flagged (no cut-off given)"
        if self.key == "mahalanobis":
            from scipy import stats

            critical = float(stats.chi2.ppf(self.cutoff, n_items))
            level = f"{self.cutoff:g}".lstrip("0")
            return (
                f"mahalanobis > {critical:.4g} (chi-square {level} quantile, df = {n_items} items)"
            )
        if self.key == "seconds_per_item":
            return f"seconds_per_item < {self.cutoff:g}"
        return f"{self.index} {self.op} {self.cutoff:g}"


#: key -> (index column, comparison, default cut-off, source). ``"k"``: the item count.
RULES: dict[str, tuple[str, str, Any, str]] = {
    "longstring": (
        "longstring",
        ">=",
        "k",
        "efficacy convention: the same answer to every item screened (no published cut-off "
        "applies to all scales)",
    ),
    "irv": (
        "irv",
        "<=",
        None,
        "no published cut-off (Dunn et al., 2018 compare the extremes of the distribution)",
    ),
    "mahalanobis": (
        "mahalanobis",
        ">",
        0.99,
        "careless::mahad confidence = .99: D² above the chi-square quantile, df = items "
        "(Meade & Craig, 2012)",
    ),
    "even_odd": (
        "even_odd",
        ">",
        -0.30,
        "Johnson (2005): even-odd consistency below .30 (careless sign: -r_sb > -.30)",
    ),
    "psychsyn": ("psychsyn", "<", None, "no published cut-off (Meade & Craig, 2012)"),
    "psychant": ("psychant", ">", None, "no published cut-off (Meade & Craig, 2012)"),
    "person_total": (
        "person_total_r",
        "<",
        None,
        "Curran (2016) reads a negative value as suspect; not flagged by default, as on "
        "scales whose item means hardly differ the correlation is mostly noise",
    ),
    "n_missing": ("n_missing", ">", None, "no default: missing answers are the scales' rule"),
    "checks": (
        "failed_checks",
        ">=",
        1,
        "declared attention or infrequency checks: one failed check (a missing answer fails)",
    ),
    "seconds_per_item": (
        "seconds_per_item",
        "<",
        2.0,
        "Huang et al. (2012): fewer than 2 seconds per item; an instrument may declare its own",
    ),
}


def resolve_cutoffs(
    cutoffs: Mapping[str, float | None] | None, n_items: int, seconds_per_item: float | None
) -> dict[str, Rule]:
    """Every rule with the caller's cut-offs laid over the defaults."""
    given = dict(cutoffs or {})
    unknown = [key for key in given if key not in RULES]
    if unknown:
        raise DataError(f"unknown cut-offs {unknown}; known ones are {list(RULES)}")
    rules: dict[str, Rule] = {}
    for key, (index, op, default, source) in RULES.items():
        if default == "k":
            default = n_items
        rule = Rule(key, index, op, default, source)
        if key == "seconds_per_item" and seconds_per_item is not None:
            rule = replace(rule, cutoff=seconds_per_item, source="declared by the instrument")
        if key in given:
            value = given[key]
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float)
            ):
                raise DataError(f"cut-off {key!r} must be a number or None, got {value!r}")
            if key == "mahalanobis" and value is not None and not 0 < value < 1:
                raise DataError(f"cut-off 'mahalanobis' is a confidence in (0, 1), got {value!r}")
            rule = replace(rule, cutoff=value, source="given by the caller")
        rules[key] = rule
    return rules
