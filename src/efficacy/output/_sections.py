"""The sections of the HTML report, each built from the analysis computed once.

Each section function takes the :class:`~efficacy.output._analysis.Analysis` and the
report's :class:`Exhibits` (tables and figures, numbered in the order they are made)
and returns its part of the template's context: :func:`overview`, :func:`scores`,
:func:`reliability`, :func:`norm_comparison`, :func:`methods` and :func:`provenance`.
"""

from __future__ import annotations

import base64
import io
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

import efficacy.output.plot as plot
from efficacy.instrument import Instrument
from efficacy.output._analysis import Analysis
from efficacy.output._methods import method_references, methods_paragraph, software_versions
from efficacy.output._steps import Steps
from efficacy.output.tables import (
    ApaTable,
    descriptives_table,
    item_descriptives_table,
    item_table,
    norm_comparison_table,
    reliability_table,
)
from efficacy.scoring import InvalidResponseWarning

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

#: Resolution of the embedded figures.
DPI = 110

KIND_TEXT = {"published": "published norms", "reference_data": "reference data"}


@dataclass(frozen=True)
class FigureBlock:
    """One numbered figure: PNG (always, for Word) and SVG (on request)."""

    number: int
    caption: str
    alt: str
    png: bytes
    svg: str | None = None

    @property
    def src(self) -> str:
        """A data URI for the HTML report (SVG when made, else PNG)."""
        if self.svg is not None:
            data = base64.b64encode(self.svg.encode("utf-8")).decode("ascii")
            return f"data:image/svg+xml;base64,{data}"
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass
class Exhibits:
    """The report's tables and figures, numbered in the order they are made."""

    figure_format: str = "png"
    tables: list[ApaTable] = field(default_factory=list)
    figures: list[FigureBlock] = field(default_factory=list)

    def next_table(self) -> int:
        """The number the next table gets."""
        return len(self.tables) + 1

    def table(self, table: ApaTable) -> str:
        """Keep a table (made with :meth:`next_table`) and return its HTML."""
        self.tables.append(table)
        return table.to_html()

    def figure(self, fig: Figure, alt: str, caption: str) -> FigureBlock:
        """Number a figure, render it (PNG, and SVG on request) and keep it."""
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
        svg = None
        if self.figure_format == "svg":
            text = io.StringIO()
            fig.savefig(text, format="svg", metadata={"Date": None, "Creator": None})
            svg = text.getvalue()
        block = FigureBlock(len(self.figures) + 1, caption, alt, buffer.getvalue(), svg)
        self.figures.append(block)
        return block


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
    if a.group_note:
        notices.append(a.group_note)
    return {
        "instrument": inst,
        "n_rows": len(a.scores),
        "n_invalid": n_invalid,
        "scale_summaries": [
            {"name": scale.id, "n_scored": int(a.scored(scale.id).sum())} for scale in inst.scales
        ],
        "notices": notices,
        "missing_rules": " ".join(f"{s.name}: {s.missing_rule}" for s in inst.scales),
    }


def scores(a: Analysis, exhibits: Exhibits, steps: Steps) -> dict[str, Any]:
    """Score descriptives, one distribution figure per scale, the item-response figure
    and the item descriptives."""
    inst, norm = a.instrument, a.options.norm
    metric = ", ".join(f"{s.name}: {s.method} of {s.n_items} items" for s in inst.scales)
    descriptives = exhibits.table(
        descriptives_table(
            a.scores,
            title="Scale score descriptives",
            number=exhibits.next_table(),
            note=f"Scale metric ({metric}); respondents without a score are not counted.",
        )
    )
    figures = []
    for scale in inst.scales:
        scale_norm = norm if norm and inst.norm(norm).scale == scale.id else None
        fig = plot.score_distribution(a.scores, inst, norm=scale_norm, scale=scale.id)
        caption = f"Distribution of the {scale.name} scores" + (
            f" with the normal curve of the norm table {scale_norm}" if scale_norm else ""
        )
        figures.append(exhibits.figure(fig, f"Histogram of {scale.id} scores", caption + "."))
    steps.step("score figures")
    scored = a.scored_any()
    items_figure = exhibits.figure(
        plot.item_responses(a.raw_items.loc[scored], inst),
        "Stacked bars of the responses to each item",
        f"Share of each response per item among the {int(scored.sum()):,} scored respondents, "
        "as answered (before reverse keying); lower responses left of zero, higher ones "
        "right of it.",
    )
    low, high = inst.response.min, inst.response.max
    item_descriptives = exhibits.table(
        item_descriptives_table(
            a.raw_items, low, high, title="Item descriptives", number=exhibits.next_table()
        )
    )
    steps.step("item figure")
    return {
        "descriptives": descriptives,
        "distribution_figures": figures,
        "items_figure": items_figure,
        "item_descriptives": item_descriptives,
    }


def reliability(a: Analysis, exhibits: Exhibits, steps: Steps) -> dict[str, Any]:
    """The internal-consistency table and, per scale, item-rest figure, item table and
    inter-item correlation heat map."""
    inst = a.instrument
    names = {scale.id: scale.name for scale in inst.scales}
    note = (
        "Computed on the respondents scored on each scale. α with its Feldt interval; ω "
        "total from a one-factor model (McDonald)"
        + (
            f", with a bootstrap interval ({a.bootstrap_text()})."
            if a.bootstrapped
            else (f"; {a.bootstrap_text()}." if a.bootstrap_text() else ".")
        )
    )
    table = exhibits.table(
        reliability_table(
            a.reliability,
            a.omegas,
            names=names,
            title="Internal consistency",
            number=exhibits.next_table(),
            note=note,
        )
    )
    blocks = []
    for scale in inst.scales:
        res_alpha = a.reliability.scales[scale.id].alpha
        figure = exhibits.figure(
            plot.item_rest(res_alpha, title=f"{scale.name}: item-rest correlations"),
            f"Item-rest correlations of {scale.id}",
            "Correlation of each item with the sum of the other items of the "
            "scale; the dashed line marks .30.",
        )
        items = exhibits.table(
            item_table(
                res_alpha,
                instrument=inst,
                title=f"Item statistics: {scale.name}",
                number=exhibits.next_table(),
            )
        )
        scored = a.items.loc[a.scored(scale.id), list(scale.items)]
        heatmap = exhibits.figure(
            plot.correlation_heatmap(scored, title=f"{scale.name}: inter-item correlations"),
            f"Heat map of the inter-item correlations of {scale.id}",
            "Pearson correlations between the items (after reverse keying, pairwise "
            "complete) among the scored respondents.",
        )
        blocks.append({"name": scale.name, "figure": figure, "table": items, "heatmap": heatmap})
        steps.step(f"items {scale.id}")
    return {"reliability_table": table, "item_blocks": blocks}


def norm_comparison(a: Analysis, exhibits: Exhibits) -> dict[str, Any]:
    """The comparison with the chosen norm table (table and figure), or the list of
    available tables."""
    inst, norm = a.instrument, a.options.norm
    comparison_html = None
    comparison_figure = None
    if a.comparison is not None:
        comparison_html = exhibits.table(
            norm_comparison_table(
                a.comparison,
                title=f"Comparison with the norm table {a.comparison.norm}",
                number=exhibits.next_table(),
            )
        )
        comparison_figure = exhibits.figure(
            plot.norm_comparison(a.comparison),
            f"Sample mean against the norm table {a.comparison.norm}",
            f"Sample mean with its {a.options.level:.0%} confidence interval and the norm "
            f"mean (±1 SD where the table gives one), norm table {a.comparison.norm}.",
        )
    return {
        "comparison": comparison_html,
        "comparison_figure": comparison_figure,
        "norm": _norm_info(inst, norm) if norm is not None else None,
        "available_norms": ", ".join(
            f"{t.id} ({KIND_TEXT.get(t.kind, t.kind)})" for t in inst.norms
        ),
    }


def methods(a: Analysis) -> dict[str, Any]:
    """The methods paragraph to paste, and the references of the methods."""
    return {"methods": methods_paragraph(a), "method_references": method_references(a)}


def provenance(a: Analysis, exhibits: Exhibits) -> dict[str, Any]:
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
        invalid_html = exhibits.table(
            ApaTable(
                frame=shown.set_index("Column"),
                title="Invalid cells scored as missing",
                number=exhibits.next_table(),
                symbols=False,
                bounded=(),
                p_columns=(),
                align={"Row": "l", "Value": "l"},
            )
        )
    return {
        "provenance": _provenance_rows(info, inst, a),
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


def _provenance_rows(info: dict[str, Any], inst: Instrument, a: Analysis) -> list[tuple[str, str]]:
    columns = info.get("columns") or {}
    mapped = ", ".join(f"{item} ← {column}" for item, column in columns.items() if item != column)
    methods_used = info.get("methods") or {}
    versions = software_versions()
    boot = f"omega: {a.bootstrap_text()}" if a.options.n_boot else "none (analytic intervals only)"
    return [
        ("Instrument", f"{info.get('instrument', inst.id)} ({inst.name})"),
        ("Instrument version", str(info.get("instrument_version", inst.version))),
        ("Instrument file SHA-256", str(info.get("instrument_sha256") or "not from a file")),
        ("Software", ", ".join(f"{name} {version}" for name, version in versions.items())),
        ("Scoring", ", ".join(f"{scale}: {method}" for scale, method in methods_used.items())),
        ("Coding", str(info.get("coding") or "the instrument's own codes")),
        ("Columns", mapped or "named by item id"),
        ("Invalid cells", str(len(info.get("invalid_cells", [])))),
        ("Bootstrap", boot),
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
