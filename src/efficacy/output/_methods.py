"""The methods paragraph of the report, with its numbers filled in, and its references."""

from __future__ import annotations

import platform
import re
from typing import Any

from efficacy._version import __version__
from efficacy.output._analysis import ALPHA_CI, Analysis
from efficacy.output._references import references
from efficacy.output.tables import format_number, format_p

#: How the alpha interval methods are named in the text.
CI_NAMES = {"feldt": "Feldt", "bootstrap": "bootstrap", "bca": "BCa bootstrap"}


def software_versions() -> dict[str, str]:
    """efficacy, Python, numpy, scipy and pandas versions, for the provenance.

    Examples
    --------
    >>> list(software_versions())
    ['efficacy', 'Python', 'numpy', 'scipy', 'pandas']
    """
    import numpy
    import pandas
    import scipy

    return {
        "efficacy": __version__,
        "Python": platform.python_version(),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "pandas": pandas.__version__,
    }


def _r(value: Any) -> str:
    return format_number(value, 2, bounded=True)


def _interval(lower: Any, upper: Any) -> str:
    return f"[{_r(lower)}, {_r(upper)}]"


def _scoring(a: Analysis) -> str:
    inst = a.instrument
    reversed_items = [item.id for item in inst.items if item.reversed]
    sentences = []
    for scale in inst.scales:
        rule = f"at least {scale.min_valid} of its {scale.n_items} items were answered"
        prorate = (
            " (missing items prorated from the mean of the answered ones)"
            if scale.method == "sum" and scale.prorate and scale.min_valid < scale.n_items
            else ""
        )
        n_scored = int(a.scored(scale.id).sum())
        sentences.append(
            f"The {scale.name} score is the {scale.method} of its {scale.n_items} items; "
            f"following the authors' rule, a score was computed when {rule}{prorate}, "
            f"which held for {n_scored:,} of the {len(a.scores):,} respondents."
        )
    if reversed_items:
        sentences.append(
            f"Items {', '.join(reversed_items)} were reverse keyed within the response range "
            f"({inst.response.min:g} + {inst.response.max:g} minus the response)."
        )
    invalid = len(a.info.get("invalid_cells", []))
    if invalid:
        sentences.append(
            f"Invalid response cells (n = {invalid}: codes outside the response scale or "
            "unreadable entries) were treated as missing."
        )
    return " ".join(sentences)


def _consistency(a: Analysis) -> str:
    level = f"{a.options.level:.0%}"
    parts = []
    for scale in a.instrument.scales:
        res = a.reliability[scale.id].alpha
        text = (
            f"α = {_r(res.alpha)}, {level} CI {_interval(*res.ci)} "
            f"({CI_NAMES.get(res.ci_method, res.ci_method)})"
        )
        omega = a.omegas.get(scale.id)
        if omega is not None:
            text += f", and ω_total = {_r(omega.omega_total)}"
            if omega.ci is not None and "omega_total" in omega.ci.index:
                row = omega.ci.loc["omega_total"]
                text += (
                    f", {level} CI {_interval(row['lower'], row['upper'])} (bootstrap, "
                    f"{a.options.n_boot} replicates, seed {a.options.seed})"
                )
            elif scale.id in a.omega_notes:
                text += f" ({a.omega_notes[scale.id]})"
        n = int(a.scored(scale.id).sum())
        single = len(a.instrument.scales) == 1
        parts.append(f"{text} (n = {n:,})" if single else f"{text} for {scale.name} (n = {n:,})")
    return (
        "Internal consistency, computed on the scored respondents, was "
        + "; ".join(parts)
        + ". Omega is McDonald's omega total from a one-factor model."
    )


def _norm_sentence(a: Analysis) -> str:
    comparison = a.comparison
    if comparison is None:
        return ""
    table = comparison.table
    kind = "reference data" if comparison.kind == "reference_data" else "published norms"
    if len(table) == 1:
        row = table.iloc[0]
        return (
            f" Compared with the norm table {comparison.norm} ({kind}; M = "
            f"{format_number(row['norm_mean'])}), the sample mean was M = "
            f"{format_number(row['mean'])} (SD = {format_number(row['sd'])}), t("
            f"{format_number(row['df'], 0)}) = {format_number(row['t'])}, p "
            f"{_p_text(row['p'])}, d = {format_number(row['d'])} ({row['d_sd']} SD)."
        )
    return (
        f" The sample was compared with the norm table {comparison.norm} ({kind}) within "
        f"{len(table)} groups (one-sample t tests and Cohen's d; Table of the comparison)."
    )


def _p_text(p: Any) -> str:
    text = format_p(p)
    return text if text.startswith("<") else f"= {text}"


_SURNAME = re.compile(r"([A-Z][\w'\-]+), (?:[A-Z]\.[ -]?)+")
_YEAR = re.compile(r"\((\d{4}[a-z]?)\)")


def in_text_citation(reference: str) -> str:
    """An APA in-text citation from a reference's authors and year.

    Examples
    --------
    >>> in_text_citation("Schwarzer, R., & Jerusalem, M. (1995). Generalized ...")
    'Schwarzer & Jerusalem, 1995'
    >>> in_text_citation("Scholz, U., Gutierrez-Dona, B., Sud, S., & Schwarzer, R. (2002). Is ...")
    'Scholz et al., 2002'
    """
    year = _YEAR.search(reference)
    head = reference[: year.start()] if year else reference
    names = _SURNAME.findall(head)
    if not names or year is None:
        return ""
    authors = (
        names[0]
        if len(names) == 1
        else f"{names[0]} & {names[1]}"
        if len(names) == 2
        else f"{names[0]} et al."
    )
    return f"{authors}, {year.group(1)}"


def methods_paragraph(a: Analysis) -> str:
    """A methods paragraph to paste, with the numbers of this analysis filled in."""
    inst = a.instrument
    response = inst.response
    low, high = response.labels.get(response.min), response.labels.get(response.max)
    anchors = f" ({low} to {high})" if low and high else ""
    citation = in_text_citation(inst.citations[0].text) if inst.citations else ""
    versions = software_versions()
    source = f"; {citation}" if citation else ""
    return (
        f"Self-efficacy was measured with the {inst.name} ({inst.abbreviation}{source}), "
        f"{inst.n_items} items answered on a scale from {response.min:g} to "
        f"{response.max:g}{anchors}. "
        + _scoring(a)
        + " "
        + _consistency(a)
        + _norm_sentence(a)
        + f" Analyses used efficacy {versions['efficacy']} (Python {versions['Python']}, "
        f"numpy {versions['numpy']}, scipy {versions['scipy']}, pandas {versions['pandas']}), "
        "whose reliability estimates follow the definitions of the R package psych 2.2.9 "
        "(Revelle, 2022)."
    )


def method_references(a: Analysis) -> list[str]:
    """References of the methods the report used."""
    keys = ["alpha", "psych", "describe"]
    if ALPHA_CI == "feldt":
        keys.append("feldt")
    if a.omegas:
        keys.append("omega")
        if a.bootstrapped:
            keys.append("bootstrap")
    if a.comparison is not None:
        keys.append("cohen_d")
    return references(keys)
