"""Norm guard: is comparing scores across a norm table's groups backed by invariance?

A norm table whose groups are nations or language versions (its ``group_by`` or the
keys of its rows) compares means across those groups, which assumes scalar
invariance across them. :func:`norm_invariance_problems` reads the instrument's
``validity:`` records and returns one message per grouping for which scalar invariance
is recorded as failed, or was never tested; :func:`warn_norm_invariance` issues them as
:class:`NormInvarianceWarning` (for ``standardize`` and ``compare_to_norm`` to call).

Examples
--------
>>> import efficacy as ef
>>> gse = ef.load("gse")
>>> norm_invariance_problems(gse, gse.norm("world2006_country"))[0][:60]
"norm table 'world2006_country' compares groups by 'country',"
>>> norm_invariance_problems(gse, gse.norm("world2006_sex"))
[]
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

from efficacy.instrument import Instrument, NormTable

#: Groupings whose comparison needs scalar invariance, with the names records may use.
CROSS_CULTURAL: dict[str, frozenset[str]] = {
    "nation": frozenset({"nation", "nations", "country", "countries"}),
    "language": frozenset({"language", "languages", "language_version", "language version"}),
}


class NormInvarianceWarning(UserWarning):
    """A norm comparison spans groups without recorded scalar invariance across them."""


def _kind(name: str) -> str | None:
    key = str(name).strip().casefold()
    for kind, names in CROSS_CULTURAL.items():
        if key in names:
            return kind
    return None


def norm_invariance_problems(
    instrument: Instrument, table: NormTable, spans: Iterable[str] = ()
) -> list[str]:
    """Messages for each cross-cultural grouping of ``table`` lacking scalar invariance.

    ``spans`` names groupings a table covers without listing them (for example a
    whole-sample table pooled over nations: ``spans=["nation"]``).
    """
    groupings = list(
        dict.fromkeys([*table.group_by, *(k for row in table.groups for k in row.where), *spans])
    )
    problems = []
    for grouping in groupings:
        kind = _kind(grouping)
        if kind is None:
            continue
        records = []
        if instrument.validity is not None:
            records = [
                r
                for r in instrument.validity.invariance
                if _kind(r.across) == kind and r.level in ("scalar", "strict")
            ]
        failed = [r for r in records if r.level == "scalar" and not r.holds]
        held = [r for r in records if r.holds]
        if failed:
            rec = failed[0]
            delta = f", delta CFI {rec.delta_cfi:+.3f}" if rec.delta_cfi is not None else ""
            problems.append(
                f"norm table {table.id!r} compares groups by {grouping!r}, but scalar "
                f"invariance across {rec.across} failed ({rec.source}{delta}): differences "
                "between these groups' norms may reflect the measure, not the trait"
            )
        elif not held:
            problems.append(
                f"norm table {table.id!r} compares groups by {grouping!r}, but scalar "
                f"invariance across {kind}s was never tested (no validity record in "
                f"{instrument.id}): the groups' norms may not be comparable"
            )
    return problems


def warn_norm_invariance(
    instrument: Instrument, table: NormTable, spans: Iterable[str] = (), stacklevel: int = 3
) -> list[str]:
    """Issue :func:`norm_invariance_problems` as warnings; return the messages."""
    problems = norm_invariance_problems(instrument, table, spans)
    for message in problems:
        warnings.warn(message, NormInvarianceWarning, stacklevel=stacklevel)
    return problems
