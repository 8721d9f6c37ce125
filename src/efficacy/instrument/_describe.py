"""Fact sheets of instruments, as Markdown (the catalogue pages) and as plain text.

Both renderings hold the same facts: identity and what the instrument measures, the
exact item wording and keying, the response scale (labels, aliases found in real
data, missing codes, alternative codings), every scale with its scoring, possible
range and missing-data rule, the sources and terms of use with their provenance
marks, the published reliability and the norm tables. Numbers are shown as stored,
never rounded.

Examples
--------
>>> import efficacy as ef
>>> from efficacy.instrument._describe import instrument_markdown, instrument_text
>>> instrument_markdown(ef.load("gse")).splitlines()[0]
'# General Self-Efficacy Scale (GSE)'
>>> print(instrument_text(ef.load("gse")).splitlines()[0])
General Self-Efficacy Scale (GSE)
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence

from efficacy.instrument._model import PROVENANCE_MEANING, Instrument, Scale, Source
from efficacy.instrument._norm_yaml import NormTable

#: How a missing value is shown in tables.
NOT_STATED = "n/a"

#: What the kinds of norm table mean.
NORM_KIND_MEANING: dict[str, str] = {
    "published": "published norms",
    "reference_data": (
        "reference data computed from the authors' item-level data set, not published norms"
    ),
}

#: Width of the plain-text rendering.
TEXT_WIDTH = 88

Row = Sequence[str]


# -------------------------------------------------------------------- formatting


def format_number(value: float | int | None) -> str:
    """A number as stored: integers without a decimal point, others in shortest form.

    Examples
    --------
    >>> format_number(40.0), format_number(0.94), format_number(None), format_number(10**20)
    ('40', '0.94', 'n/a', '100000000000000000000')
    """
    if value is None:
        return NOT_STATED
    if isinstance(value, int):  # exact, however large
        return str(value)
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def _range(low: float, high: float) -> str:
    return f"{format_number(low)}-{format_number(high)}"


def _source(source: Source) -> str:
    return str(source)


def _items_of(inst: Instrument, scale: Scale) -> str:
    if scale.items == inst.item_ids:
        return f"all {scale.n_items} items"
    numbers = [str(inst.item(item_id).number) for item_id in scale.items]
    return ", ".join(numbers)


def _provenance_used(inst: Instrument) -> list[str]:
    sources = [inst.license.source, inst.response.source]
    sources += [scale.source for scale in inst.scales]
    sources += [entry.source for entry in inst.reliability]
    sources += [table.source for table in inst.norms]
    return [mark for mark in PROVENANCE_MEANING if any(s.provenance == mark for s in sources)]


# --------------------------------------------------------------- the facts, as rows


def _identity_rows(inst: Instrument) -> list[Row]:
    return [
        ("id", inst.id),
        ("version", inst.version),
        ("language", inst.language),
        ("construct", inst.construct),
        ("domain", inst.domain),
        ("generality", inst.generality),
        ("population", inst.population),
        ("validated", "yes" if inst.validated else "no"),
        ("higher scores mean", "more of the construct" if inst.higher_is_better else "less"),
    ]


def _item_rows(inst: Instrument) -> list[Row]:
    return [(str(item.number), item.id, item.keyed, item.text) for item in inst.items]


def _label_rows(inst: Instrument) -> list[Row]:
    response = inst.response
    rows = []
    for code in sorted(response.labels):
        aliases = ", ".join(response.aliases.get(code, ()))
        rows.append((format_number(code), response.labels[code], aliases))
    for code in sorted(set(response.aliases) - set(response.labels)):
        rows.append((format_number(code), "", ", ".join(response.aliases[code])))
    return rows


def _coding_rows(inst: Instrument) -> list[Row]:
    rows = []
    for coding in inst.response.codings:
        mapping = ", ".join(
            f"{format_number(k)}->{format_number(v)}" for k, v in coding.recode.items()
        )
        rows.append((coding.id, mapping, coding.description))
    return rows


def _scale_rows(inst: Instrument) -> list[Row]:
    rows = []
    for scale in inst.scales:
        low, high = inst.score_range(scale.id)
        rows.append(
            (
                scale.id,
                scale.name,
                _items_of(inst, scale),
                scale.method,
                _range(low, high),
                str(scale.min_valid),
                "yes" if scale.prorate else "no",
            )
        )
    return rows


def _reliability_rows(inst: Instrument) -> list[Row]:
    rows = []
    for entry in inst.reliability:
        if entry.value is not None:
            value = format_number(entry.value)
        else:
            assert entry.range is not None
            value = _range(*entry.range)
        rows.append(
            (
                entry.scale,
                entry.statistic,
                value,
                format_number(entry.n),
                entry.sample or NOT_STATED,
                _source(entry.source),
            )
        )
    return rows


def _structure_rows(inst: Instrument) -> list[Row]:
    if inst.validity is None:
        return []
    rows = []
    for entry in inst.validity.structure:
        fit = ", ".join(f"{k} {format_number(v)}" for k, v in entry.fit.items()) or NOT_STATED
        rows.append(
            (
                entry.model,
                entry.estimator,
                format_number(entry.n),
                fit,
                entry.sample or NOT_STATED,
                _source(entry.source),
            )
        )
    return rows


def _invariance_rows(inst: Instrument) -> list[Row]:
    if inst.validity is None:
        return []
    rows = []
    for entry in inst.validity.invariance:
        deltas = [
            f"{name} {value:+.3f}"
            for name, value in (
                ("delta CFI", entry.delta_cfi),
                ("delta RMSEA", entry.delta_rmsea),
                ("delta SRMR", entry.delta_srmr),
            )
            if value is not None
        ]
        rows.append(
            (
                entry.across + (f" ({', '.join(entry.groups)})" if entry.groups else ""),
                entry.level,
                "holds" if entry.holds else "fails",
                format_number(entry.n),
                ", ".join(deltas) or NOT_STATED,
                _source(entry.source),
            )
        )
    return rows


_STRUCTURE_HEADERS = ["model", "estimator", "n", "fit", "sample", "source"]
_INVARIANCE_HEADERS = ["across", "level", "result", "n", "change in fit", "source"]


def _norm_headers(table: NormTable) -> list[str]:
    headers = ["group", "n", "mean", "SD"]
    if any(group.alpha is not None for group in table.groups):
        headers.append("alpha")
    if any(group.percentiles for group in table.groups):
        headers.append("percentile ranks (score: %)")
    return headers


def _norm_rows(table: NormTable) -> list[Row]:
    headers = _norm_headers(table)
    rows = []
    for group in table.groups:
        row = [group.label, format_number(group.n), format_number(group.mean)]
        row.append(format_number(group.sd))
        if "alpha" in headers:
            row.append(format_number(group.alpha))
        if len(headers) > len(row):
            percentiles = group.percentiles or {}
            row.append(
                ", ".join(f"{format_number(k)}: {format_number(v)}" for k, v in percentiles.items())
                or NOT_STATED
            )
        rows.append(row)
    return rows


def _has_gaps(rows: Iterable[Row]) -> bool:
    return any(cell == NOT_STATED for row in rows for cell in row)


def _norm_facts(table: NormTable) -> list[Row]:
    facts = [
        ("kind", f"{table.kind} ({NORM_KIND_MEANING[table.kind]})"),
        ("scale", f"{table.scale} ({table.metric} score)"),
        ("population", table.population),
    ]
    if table.group_by:
        facts.append(("grouped by", ", ".join(table.group_by)))
    if table.spans:
        facts.append(("pools", ", ".join(f"{g}s" for g in table.spans)))
    facts.append(("source", _source(table.source)))
    if table.note:
        facts.append(("note", table.note))
    return facts


# ------------------------------------------------------------------------ Markdown


def _md_cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|") or " "


def _md_table(headers: Sequence[str], rows: Iterable[Row]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_md_cell(cell) for cell in row) + " |" for row in rows]
    return lines


def _md_facts(rows: Iterable[Row]) -> list[str]:
    return [f"- **{key}**: {_md_cell(value)}" for key, value in rows]


def instrument_markdown(inst: Instrument) -> str:
    """The full fact sheet of an instrument, as Markdown.

    Parameters
    ----------
    inst
        A loaded instrument (see :func:`efficacy.load`).

    Returns
    -------
    str
        Markdown: identity, instructions, items table, response scale, scales with
        scoring, range and missing rule, published reliability, norm tables, notes,
        sources and terms of use with the provenance marks explained.

    Examples
    --------
    >>> import efficacy as ef
    >>> page = instrument_markdown(ef.load("rses"))
    >>> "| 2 | rses2 | - | At times, I think I am no good at all. |" in page
    True
    >>> "| rses | Self-esteem | all 10 items | sum | 0-30 | 10 | no |" in page
    True
    """
    out = [f"# {inst.name} ({inst.abbreviation})", ""]
    if not inst.validated:
        out += ["> **Not a validated instrument.** " + _md_cell(inst.description or ""), ""]
    elif inst.description:
        out += [_md_cell(inst.description), ""]
    out += _md_facts(_identity_rows(inst))
    out.append("")

    if inst.instructions:
        out += ["## Instructions", "", "> " + _md_cell(inst.instructions), ""]

    out += ["## Items", ""]
    out += _md_table(["#", "id", "keyed", "text"], _item_rows(inst))
    out += ["", "Keyed `+`: positively keyed; `-`: reverse keyed (min + max - x).", ""]

    response = inst.response
    out += ["## Response scale", ""]
    out.append(
        f"Codes {_range(response.min, response.max)} in steps of {format_number(response.step)}"
        f"; source: {_source(response.source)}."
    )
    out.append("")
    out += _md_table(["code", "label", "aliases found in data"], _label_rows(inst))
    out.append("")
    if response.missing_codes:
        codes = ", ".join(format_number(c) for c in response.missing_codes)
        out += [f"Codes meaning missing: {codes}.", ""]
    if response.codings:
        out += ["Alternative codings (`score(..., coding=ID)`):", ""]
        out += _md_table(["coding", "recode", "description"], _coding_rows(inst))
        out.append("")

    out += ["## Scales", ""]
    out += _md_table(
        ["scale", "name", "items", "method", "range", "min valid", "prorated"],
        _scale_rows(inst),
    )
    out.append("")
    for scale in inst.scales:
        out.append(
            f"- **{scale.id}**: {_md_cell(scale.missing_rule)} Source: {_source(scale.source)}."
        )
    out.append("")

    out += ["## Published reliability", ""]
    if inst.reliability:
        rows = _reliability_rows(inst)
        out += _md_table(["scale", "statistic", "value", "n", "sample", "source"], rows)
        out.append("")
        if _has_gaps(rows):
            out += [f"{NOT_STATED}: not stated by the source.", ""]
    else:
        out += ["None recorded.", ""]

    if _structure_rows(inst) or _invariance_rows(inst):
        out += ["## Factor structure and invariance", ""]
        for headers, rows in (
            (_STRUCTURE_HEADERS, _structure_rows(inst)),
            (_INVARIANCE_HEADERS, _invariance_rows(inst)),
        ):
            if rows:
                out += _md_table(headers, rows)
                out.append("")

    out += ["## Norms", ""]
    if not inst.norms:
        out += ["None shipped.", ""]
    for table in inst.norms:
        out += [f"### {table.id}", ""]
        out += _md_facts(_norm_facts(table))
        out.append("")
        out += _md_table(_norm_headers(table), _norm_rows(table))
        out.append("")
    if _has_gaps(row for table in inst.norms for row in _norm_rows(table)):
        out += [f"{NOT_STATED}: not stated by the source.", ""]

    if inst.notes:
        out += ["## Notes", ""]
        out += [f"- {_md_cell(note)}" for note in inst.notes]
        out.append("")

    out += ["## Sources and terms of use", ""]
    license_ = inst.license
    commercial = {True: "allowed", False: "not granted", None: "not stated"}
    out.append(f"**Terms of use**: {_md_cell(license_.summary)}")
    out.append("")
    out.append(
        f"Commercial use: {commercial[license_.commercial_use]}. "
        f"Source: {_source(license_.source)}."
    )
    out += ["", "**Citations**", ""]
    for citation in inst.citations:
        out.append(f"- `{citation.key}`: {_md_cell(str(citation))}")
    out += ["", "**Provenance marks** after a citation key:", ""]
    out += [f"- [{mark}] {PROVENANCE_MEANING[mark]}" for mark in _provenance_used(inst)]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------- plain text


def _wrap(text: str, indent: str = "", width: int = TEXT_WIDTH) -> list[str]:
    return textwrap.wrap(
        " ".join(str(text).split()),
        width=width,
        initial_indent=indent,
        subsequent_indent=indent,
        break_on_hyphens=False,
    ) or [indent.rstrip()]


def _heading(title: str, underline: str = "-") -> list[str]:
    return ["", title, underline * len(title)]


def _text_facts(rows: Iterable[Row], indent: str = "") -> list[str]:
    rows = list(rows)
    key_width = max(len(key) for key, _ in rows) + 2
    lines: list[str] = []
    for key, value in rows:
        wrapped = _wrap(value, " " * (len(indent) + key_width))
        first = f"{indent}{key + ':':<{key_width}}" + wrapped[0].lstrip()
        lines += [first, *wrapped[1:]]
    return lines


def _text_table(headers: Sequence[str], rows: Sequence[Row], indent: str = "  ") -> list[str]:
    """Columns aligned; the last column wraps to the text width."""
    widths = [len(h) for h in headers]
    for row in rows:
        for j, cell in enumerate(row[:-1]):
            widths[j] = max(widths[j], len(cell))
    row_format = indent + "".join(f"{{:<{w + 2}}}" for w in widths[:-1])
    last_width = max(TEXT_WIDTH - len(row_format.format(*[""] * (len(headers) - 1))), 30)
    lines = [(row_format.format(*headers[:-1]) + headers[-1]).rstrip()]
    for row in rows:
        wrapped = textwrap.wrap(" ".join(row[-1].split()), last_width) or [""]
        prefix = row_format.format(*row[:-1])
        lines.append((prefix + wrapped[0]).rstrip())
        lines += [" " * len(prefix) + line for line in wrapped[1:]]
    return lines


def instrument_text(inst: Instrument) -> str:
    """The full fact sheet of an instrument, as plain text for a terminal.

    The same facts as :func:`instrument_markdown`; ``efficacy show ID`` prints it.

    Parameters
    ----------
    inst
        A loaded instrument (see :func:`efficacy.load`).

    Returns
    -------
    str
        Plain text wrapped to 88 columns.

    Examples
    --------
    >>> import efficacy as ef
    >>> text = instrument_text(ef.load("semcd6"))
    >>> print("\\n".join(text.splitlines()[:2]))
    Self-Efficacy for Managing Chronic Disease 6-item Scale (SEMCD6)
    ================================================================
    >>> "score:        mean of the items, range 1-10" in text
    True
    """
    title = f"{inst.name} ({inst.abbreviation})"
    out = [title, "=" * len(title)]
    if not inst.validated:
        out += ["NOT A VALIDATED INSTRUMENT."]
    if inst.description:
        out += _wrap(inst.description)
    out.append("")
    out += _text_facts(_identity_rows(inst))

    if inst.instructions:
        out += _heading("Instructions")
        out += _wrap(inst.instructions, "  ")

    out += _heading("Items")
    out += _text_table(["#", "id", "keyed", "text"], _item_rows(inst))
    out += ["  keyed +: positively keyed; -: reverse keyed (min + max - x)"]

    response = inst.response
    out += _heading("Response scale")
    out += _wrap(
        f"Codes {_range(response.min, response.max)} in steps of "
        f"{format_number(response.step)}; source: {_source(response.source)}.",
        "  ",
    )
    out += _text_table(["code", "label", "aliases found in data"], _label_rows(inst))
    if response.missing_codes:
        codes = ", ".join(format_number(c) for c in response.missing_codes)
        out += [f"  Codes meaning missing: {codes}."]
    if response.codings:
        out += ["  Alternative codings (score(..., coding=ID)):"]
        for coding_id, mapping, description in _coding_rows(inst):
            out += _wrap(f"{coding_id}: {mapping}", "    ")
            out += _wrap(description, "      ")

    out += _heading("Scales")
    for scale, (scale_id, name, items, method, score_range, min_valid, prorated) in zip(
        inst.scales, _scale_rows(inst), strict=True
    ):
        out += ["", f"  {scale_id}: {name}"]
        facts = [
            ("items", items),
            ("score", f"{method} of the items, range {score_range}"),
            ("min valid", f"{min_valid} of {scale.n_items} items; prorated: {prorated}"),
            ("missing rule", scale.missing_rule),
            ("source", _source(scale.source)),
        ]
        out += _text_facts(facts, "    ")

    out += _heading("Published reliability")
    if inst.reliability:
        for scale_id, statistic, value, n, sample, source in _reliability_rows(inst):
            size = "n not stated" if n == NOT_STATED else f"n = {n}"
            out += ["", f"  {scale_id}: {statistic} {value} ({size})"]
            out += _text_facts([("sample", sample), ("source", source)], "    ")
    else:
        out += ["  None recorded."]

    if _structure_rows(inst) or _invariance_rows(inst):
        out += _heading("Factor structure and invariance")
        for model, estimator, n, fit, sample, source in _structure_rows(inst):
            out += ["", f"  {model} ({estimator}, n = {n})"]
            out += _text_facts([("fit", fit), ("sample", sample), ("source", source)], "    ")
        for across, level, result, n, change, source in _invariance_rows(inst):
            out += ["", f"  {level} invariance across {across}: {result} (n = {n})"]
            out += _text_facts([("change in fit", change), ("source", source)], "    ")

    out += _heading("Norms")
    if not inst.norms:
        out += ["  None shipped."]
    for table in inst.norms:
        out += ["", f"  {table.id}"]
        out += _text_facts(_norm_facts(table), "    ")
        out += _text_table(_norm_headers(table), _norm_rows(table), indent="    ")
    if _has_gaps(row for table in inst.norms for row in _norm_rows(table)):
        out += ["", f"  {NOT_STATED}: not stated by the source."]

    if inst.notes:
        out += _heading("Notes")
        for note in inst.notes:
            wrapped = _wrap(note, "    ")
            out += ["  - " + wrapped[0].lstrip(), *wrapped[1:]]

    out += _heading("Sources and terms of use")
    license_ = inst.license
    commercial = {True: "allowed", False: "not granted", None: "not stated"}
    out += _wrap(f"Terms of use: {license_.summary}", "  ")
    out += _wrap(
        f"Commercial use: {commercial[license_.commercial_use]}. "
        f"Source: {_source(license_.source)}.",
        "  ",
    )
    out += ["", "  Citations:"]
    for citation in inst.citations:
        wrapped = _wrap(f"{citation.key}: {citation}", "      ")
        out += ["    " + wrapped[0].lstrip(), *wrapped[1:]]
    out += ["", "  Provenance marks after a citation key:"]
    out += [f"    [{mark}] {PROVENANCE_MEANING[mark]}" for mark in _provenance_used(inst)]
    return "\n".join(out) + "\n"
