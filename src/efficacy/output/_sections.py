"""The sections of the HTML report, each computed once from data coded once.

:func:`analyse` codes the responses once and computes every result the report shows
(scores, item responses as answered and reverse-keyed, alpha, omega, the norm
comparison). Each section function then turns that analysis into the template's
context: :func:`overview`, :func:`scores`, :func:`reliability`,
:func:`norm_comparison` and :func:`provenance`. Tables are numbered in the order the
sections are built (:class:`Numbering`).
"""

from __future__ import annotations

import base64
import io
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from efficacy._version import __version__
from efficacy.coefficients._scales import MIN_ITEMS_OMEGA, reliability_of_items
from efficacy.coefficients.factor_analysis import omega as omega_of
from efficacy.instrument import Instrument
from efficacy.norms import compare_to_norm
from efficacy.output._steps import Steps
from efficacy.output.tables import (
    ApaTable,
    descriptives_table,
    item_table,
    norm_comparison_table,
    reliability_table,
)
from efficacy.scoring import (
    Columns,
    InvalidResponseWarning,
    OnInvalid,
    code_responses,
    items_frame,
    scores_frame,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

#: Resolution of the embedded figures.
DPI = 110

KIND_TEXT = {"published": "published norms", "reference_data": "reference data"}


@dataclass(frozen=True)
class Options:
    """What the caller of :func:`efficacy.report` chose."""

    columns: Columns = None
    coding: str | None = None
    on_invalid: OnInvalid = "raise"
    norm: str | None = None
    group: Any = None
    level: float = 0.95
    n_boot: int = 0
    seed: int = 0


@dataclass(frozen=True)
class Analysis:
    """Every result the report shows, computed once."""

    instrument: Instrument
    options: Options
    scores: pd.DataFrame
    raw_items: pd.DataFrame
    items: pd.DataFrame
    reliability: Any
    omegas: dict[str, Any]
    comparison: Any

    @property
    def info(self) -> dict[str, Any]:
        """The scores' provenance (``attrs["efficacy"]``)."""
        return self.scores.attrs.get("efficacy", {})


@dataclass
class Numbering:
    """Table numbers in the order the tables are made."""

    last: int = field(default=0)

    def next(self) -> int:
        """The next table's number."""
        self.last += 1
        return self.last


def analyse(data: pd.DataFrame, inst: Instrument, options: Options, steps: Steps) -> Analysis:
    """Code the responses once and compute the report's results from them."""
    coded, mapping = code_responses(
        data, inst, options.columns, coding=options.coding, on_invalid=options.on_invalid
    )
    scores_ = scores_frame(coded, mapping, inst, data.index, coding=options.coding)
    raw_items = items_frame(coded, inst, data.index, reverse=False)
    items = items_frame(coded, inst, data.index, reverse=True)
    steps.step("scored")
    rel = reliability_of_items(items, inst, level=options.level, omega=False)
    steps.step("alpha")
    omegas: dict[str, Any] = {}
    for scale in inst.scales:
        if scale.n_items >= MIN_ITEMS_OMEGA:
            omegas[scale.id] = omega_of(
                items.loc[:, list(scale.items)],
                nfactors=1,
                n_boot=options.n_boot,
                seed=options.seed,
                level=options.level,
            )
        steps.step(f"omega {scale.id}")
    comparison = None
    if options.norm is not None:
        comparison = compare_to_norm(
            scores_,
            inst,
            options.norm,
            group=options.group,
            group_data=data if options.group is not None else None,
            level=options.level,
        )
    steps.step("norms")
    return Analysis(inst, options, scores_, raw_items, items, rel, omegas, comparison)


# ------------------------------------------------------------------ figures


def _png(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(fig: Figure, alt: str, caption: str) -> dict[str, str]:
    return {"png": _png(fig), "alt": alt, "caption": caption}


# ------------------------------------------------------------------ sections


def overview(a: Analysis) -> dict[str, Any]:
    """The head of the report: counts, notices and the missing-data rules."""
    inst, info = a.instrument, a.info
    n_invalid = len(info.get("invalid_cells", []))
    notices = []
    if n_invalid:
        notices.append(
            f"{n_invalid} invalid response cells were scored as missing; "
            "they are listed under Scoring provenance."
        )
    return {
        "instrument": inst,
        "n_rows": len(a.scores),
        "n_invalid": n_invalid,
        "scale_summaries": [
            {"name": scale.id, "n_scored": int(a.scores[scale.id].notna().sum())}
            for scale in inst.scales
        ],
        "notices": notices,
        "missing_rules": " ".join(f"{s.name}: {s.missing_rule}" for s in inst.scales),
    }


def scores(a: Analysis, numbers: Numbering, steps: Steps) -> dict[str, Any]:
    """Score descriptives, one distribution figure per scale, the item-response figure."""
    import efficacy.output.plot as plot

    inst, norm = a.instrument, a.options.norm
    descriptives = descriptives_table(
        a.scores, title="Scale score descriptives", number=numbers.next()
    )
    figures = []
    for scale in inst.scales:
        scale_norm = norm if norm and inst.norm(norm).scale == scale.id else None
        fig = plot.score_distribution(a.scores, inst, norm=scale_norm, scale=scale.id)
        caption = f"Distribution of the {scale.name} scores" + (
            f" with the normal curve of the norm table {scale_norm}" if scale_norm else ""
        )
        figures.append(_figure(fig, f"Histogram of {scale.id} scores", caption + "."))
    steps.step("score figures")
    items_figure = _figure(
        plot.item_responses(a.raw_items, inst),
        "Stacked bars of the responses to each item",
        "Share of each response per item, as answered (before reverse keying); "
        "lower responses left of zero, higher ones right of it.",
    )
    steps.step("item figure")
    return {
        "descriptives": descriptives.to_html(),
        "distribution_figures": figures,
        "items_figure": items_figure,
    }


def reliability(a: Analysis, numbers: Numbering, steps: Steps) -> dict[str, Any]:
    """The internal-consistency table and, per scale, item-rest figure and item table."""
    import efficacy.output.plot as plot

    inst = a.instrument
    names = {scale.id: scale.name for scale in inst.scales}
    table = reliability_table(
        a.reliability, a.omegas, names=names, title="Internal consistency", number=numbers.next()
    )
    blocks = []
    for scale in inst.scales:
        res_alpha = a.reliability.scales[scale.id].alpha
        figure = _figure(
            plot.item_rest(res_alpha, title=f"{scale.name}: item-rest correlations"),
            f"Item-rest correlations of {scale.id}",
            "Correlation of each item with the sum of the other items of the "
            "scale; the dashed line marks .30.",
        )
        items = item_table(
            res_alpha,
            instrument=inst,
            title=f"Item statistics: {scale.name}",
            number=numbers.next(),
        )
        blocks.append({"name": scale.name, "figure": figure, "table": items.to_html()})
        steps.step(f"items {scale.id}")
    return {"reliability_table": table.to_html(), "item_blocks": blocks}


def norm_comparison(a: Analysis, numbers: Numbering) -> dict[str, Any]:
    """The comparison with the chosen norm table, or the list of available tables."""
    inst, norm = a.instrument, a.options.norm
    comparison_html = None
    if a.comparison is not None:
        comparison_html = norm_comparison_table(
            a.comparison,
            title=f"Comparison with the norm table {a.comparison.norm}",
            number=numbers.next(),
        ).to_html()
    return {
        "comparison": comparison_html,
        "norm": _norm_info(inst, norm) if norm is not None else None,
        "available_norms": ", ".join(
            f"{t.id} ({KIND_TEXT.get(t.kind, t.kind)})" for t in inst.norms
        ),
    }


def provenance(a: Analysis, numbers: Numbering) -> dict[str, Any]:
    """How the scores were made, the invalid cells, the sources and terms of use."""
    inst, info = a.instrument, a.info
    invalid = info.get("invalid_cells")
    invalid_html = None
    if isinstance(invalid, pd.DataFrame) and len(invalid):
        shown = pd.DataFrame(
            {
                "Column": invalid["column"].map(str).to_numpy(),
                "Row": invalid["row"].map(str).to_numpy(),
                "Value": invalid["value"].map(_cell_text).to_numpy(),
                "Problem": invalid["problem"].to_numpy(),
            }
        )
        invalid_html = ApaTable(
            frame=shown.set_index("Column"),
            title="Invalid cells scored as missing",
            number=numbers.next(),
            symbols=False,
            bounded=(),
            p_columns=(),
            align={"Row": "l", "Value": "l"},
        ).to_html()
    return {
        "provenance": _provenance_rows(info, inst),
        "invalid_table": invalid_html,
        "citations": [str(c) for c in inst.citations],
        "license": inst.license.summary.strip(),
    }


def warning_messages(caught: list[warnings.WarningMessage]) -> list[str]:
    """The first line of every distinct warning raised on the way (invalid cells aside:
    the report lists those cell by cell)."""
    return sorted(
        {
            str(w.message).splitlines()[0]
            for w in caught
            if not issubclass(w.category, InvalidResponseWarning)
        }
    )


# ------------------------------------------------------------------ helpers


def _provenance_rows(info: dict[str, Any], inst: Instrument) -> list[tuple[str, str]]:
    columns = info.get("columns") or {}
    mapped = ", ".join(f"{item} ← {column}" for item, column in columns.items() if item != column)
    methods = info.get("methods") or {}
    return [
        ("Instrument", f"{info.get('instrument', inst.id)} ({inst.name})"),
        ("Instrument version", str(info.get("instrument_version", inst.version))),
        ("Instrument file SHA-256", str(info.get("instrument_sha256") or "not from a file")),
        ("efficacy version", str(info.get("package_version", __version__))),
        ("Scoring", ", ".join(f"{scale}: {method}" for scale, method in methods.items())),
        ("Coding", str(info.get("coding") or "the instrument's own codes")),
        ("Columns", mapped or "named by item id"),
        ("Invalid cells", str(len(info.get("invalid_cells", [])))),
    ]


def _cell_text(value: Any) -> str:
    """A cell's original value as written in the data: numbers plain, text quoted."""
    if isinstance(value, str):
        return repr(value)
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return repr(value)


def _norm_info(inst: Instrument, norm: Any) -> dict[str, Any]:
    table = norm if not isinstance(norm, str) else inst.norm(norm)
    return {
        "id": table.id,
        "kind": table.kind,
        "kind_text": KIND_TEXT.get(table.kind, table.kind),
        "population": table.population.strip(),
        "source": str(table.source),
        "note": table.note,
        "table": table,
    }
