"""Norm guard: is comparing scores across a norm table's groups backed by invariance?

A norm table whose groups are nations or language versions (its ``group_by`` or the
keys of its rows) compares means across those groups, which assumes scalar
invariance across them; so does a table that pools respondents from several nations
into one norm (its file's ``spans:``, e.g. ``spans: [nation]``).
:func:`norm_invariance_problems` reads the instrument's ``validity:`` records and
returns one message per grouping for which scalar invariance is recorded as failed, or
was never tested; :func:`warn_norm_invariance` issues them as
:class:`NormInvarianceWarning` (for ``standardize`` and ``compare_to_norm`` to call).

Examples
--------
>>> import efficacy as ef
>>> gse = ef.load("gse")
>>> norm_invariance_problems(gse, gse.norm("world2006_country"))[0][:60]
"norm table 'world2006_country' compares groups by 'country',"
>>> norm_invariance_problems(gse, gse.norm("world2006_sex"))[0][:62]
"norm table 'world2006_sex' pools respondents across nations, b"
>>> from dataclasses import replace
>>> norm_invariance_problems(gse, replace(gse.norm("world2006_sex"), spans=()))
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

    The groupings are the table's ``group_by``, the keys of its rows, the groupings its
    file declares it pools (``spans:``, for example a whole-sample table drawn from many
    nations) and ``spans`` given here.
    """
    compared = list(
        dict.fromkeys([*table.group_by, *(k for row in table.groups for k in row.where)])
    )
    kinds = {_kind(g) for g in compared}
    # a pooled grouping of a kind the table already compares adds nothing to say
    pooled = [g for g in dict.fromkeys([*table.spans, *spans]) if _kind(g) not in kinds]
    problems = []
    for grouping in [*compared, *pooled]:
        kind = _kind(grouping)
        if kind is None:
            continue
        if grouping in compared:
            what = f"compares groups by {grouping!r}"
            risk = "differences between these groups' norms may reflect the measure, not the trait"
        else:
            what = f"pools respondents across {kind}s"
            risk = "the pooled norm mixes scores that may not be on one scale"
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
            groups = f" ({', '.join(rec.groups)})" if rec.groups else ""
            problems.append(
                f"norm table {table.id!r} {what}, but scalar invariance across "
                f"{rec.across}{groups} failed ({rec.source.ref}, [{rec.source.provenance}]"
                f"{delta}): {risk}"
            )
        elif not held:
            problems.append(
                f"norm table {table.id!r} {what}, but scalar invariance across {kind}s "
                f"was never tested (no validity record in {instrument.id}): {risk}"
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
