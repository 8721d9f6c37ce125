"""One self-contained HTML report: scores, item responses, reliability, norms, provenance.

:func:`report` runs the whole flow on raw responses with one missing-data policy
(the instrument's rules, as :func:`efficacy.score` applies them) and writes one HTML
file with everything embedded (figures as base64 PNG, no external files or scripts):

1. score descriptives and the score distribution against the norm curve;
2. item response distributions (diverging stacked bars);
3. alpha (with its interval) and omega (with a bootstrap interval) per scale, the
   item-rest correlations and the item table;
4. the comparison of the sample with a norm table;
5. the scoring provenance: instrument id, version and file hash, package version,
   column mapping and every invalid cell scored as missing.

Tables follow APA style (:mod:`efficacy.tables`); numbers are rounded for display only.
The same input gives the same file: bootstrap intervals use a fixed ``seed`` and the
report carries no time stamp.

Examples
--------
>>> import efficacy as ef
>>> from efficacy import datasets
>>> rep = report(datasets.load_prepost(), "gse", columns="pre_gse{n}", n_boot=0)
>>> rep.html.startswith("<!DOCTYPE html>")
True
"""

from __future__ import annotations

import base64
import dataclasses
import html as html_lib
import io
import warnings
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from efficacy._version import __version__
from efficacy.errors import DataError
from efficacy.instrument import Instrument
from efficacy.loader import load
from efficacy.results import Result
from efficacy.scoring import Columns, OnInvalid

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

#: Resolution of the embedded figures.
DPI = 110
#: Bootstrap replicates for the omega interval (0: no interval).
N_BOOT = 200

_KIND_TEXT = {"published": "published norms", "reference_data": "reference data"}


@dataclass(frozen=True, repr=False)
class Report(Result):
    """A finished report: its HTML text and the results it shows.

    Attributes
    ----------
    html
        The whole self-contained HTML document.
    title, instrument
        The report's title and the instrument id.
    scores
        The scores (with their provenance in ``attrs["efficacy"]``).
    reliability
        The per-scale reliability (:func:`efficacy.reliability`) with omega.
    comparison
        The norm comparison, or None when no norm was chosen.
    path
        Where the report was saved, if it was.
    """

    html: str
    title: str
    instrument: str
    scores: pd.DataFrame
    reliability: Any
    omega: dict[str, Any] = field(default_factory=dict)
    comparison: Any = None
    path: Path | None = None

    def to_frame(self) -> pd.DataFrame:
        """The scores (a copy)."""
        return self.scores.copy()

    def save(self, path: str | Path) -> Path:
        """Write the HTML file (UTF-8) and return its path."""
        target = Path(path).expanduser()
        if target.parent and not target.parent.exists():
            raise DataError(f"cannot write the report to {target}: no folder {target.parent}")
        target.write_text(self.html, encoding="utf-8")
        return target

    def _repr_fields(self) -> list[tuple[str, Any]]:
        return [
            ("title", self.title),
            ("instrument", self.instrument),
            ("n", len(self.scores)),
            ("path", None if self.path is None else str(self.path)),
            ("html", f"<{len(self.html):,} characters>"),
        ]

    def _repr_html_(self) -> str:
        source = html_lib.escape(self.html, quote=True)
        return (
            f'<iframe srcdoc="{source}" style="width:100%;height:640px;border:1px solid #ddd" '
            f'title="{html_lib.escape(self.title)}"></iframe>'
        )


# ------------------------------------------------------------------ helpers


def _png(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(fig: Figure, alt: str, caption: str) -> dict[str, str]:
    return {"png": _png(fig), "alt": alt, "caption": caption}


class _Steps:
    """A progress bar over the report's steps (tqdm), or nothing."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc="efficacy report", unit="step", leave=False)

    def step(self, text: str) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(text, refresh=False)
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _template() -> Any:
    try:
        import jinja2
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("reports need jinja2: pip install 'efficacy[report]'") from exc
    text = (resources.files("efficacy") / "templates" / "report.html.j2").read_text("utf-8")
    env = jinja2.Environment(autoescape=True, keep_trailing_newline=True)
    return env.from_string(text)


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


def _missing_rules(inst: Instrument) -> str:
    rules = [f"{scale.name}: {scale.missing_rule}" for scale in inst.scales]
    return " ".join(rules)


def _norm_info(inst: Instrument, norm: Any) -> dict[str, Any]:
    table = norm if not isinstance(norm, str) else inst.norm(norm)
    return {
        "id": table.id,
        "kind": table.kind,
        "kind_text": _KIND_TEXT.get(table.kind, table.kind),
        "population": table.population.strip(),
        "source": str(table.source),
        "note": table.note,
        "table": table,
    }


# ------------------------------------------------------------------ report


def report(
    data: pd.DataFrame,
    instrument: str | Instrument,
    *,
    norm: str | None = None,
    columns: Columns = None,
    group: Any = None,
    path: str | Path | None = None,
    title: str | None = None,
    progress: bool = False,
    on_invalid: OnInvalid = "raise",
    coding: str | None = None,
    level: float = 0.95,
    n_boot: int = N_BOOT,
    seed: int = 0,
) -> Report:
    """Score, analyse and report questionnaire data in one self-contained HTML file.

    Parameters
    ----------
    data
        Raw responses, one row per respondent (codes or labels), with any covariates.
    instrument
        A bundled id (``"gse"``), a path to an instrument file, or an Instrument.
    norm
        Id of one of the instrument's norm tables to compare the sample with
        (default: no comparison; the report lists the available tables).
    columns
        As in :func:`efficacy.score`: None, a dict item id -> column, or a template.
    group
        Covariate column(s) of ``data`` matching the norm table's groups (e.g.
        ``"sex"`` for a table grouped by sex), as in :func:`efficacy.compare_to_norm`.
    path
        Also write the report there (an ``.html`` file).
    title
        The report's title (default: the instrument's name).
    progress
        Show a progress bar (tqdm) on standard error.
    on_invalid, coding
        As in :func:`efficacy.score`: with ``on_invalid="missing"`` invalid cells are
        scored as missing and listed in the report.
    level
        Confidence level of every interval.
    n_boot, seed
        Bootstrap replicates and seed of the omega interval (``n_boot=0``: none).

    Returns
    -------
    Report
        ``.html`` (the document), ``.save(path)``, and the results it shows.

    Raises
    ------
    DataError, InvalidResponseError
        As :func:`efficacy.score` (invalid cells raise unless ``on_invalid="missing"``),
        or an unknown norm table.

    Examples
    --------
    >>> import efficacy as ef
    >>> from efficacy import datasets
    >>> rep = report(datasets.load_prepost(), "gse", columns="post_gse{n}",
    ...              norm="world2006", n_boot=0)
    >>> "Comparison with norms" in rep.html and "world2006" in rep.html
    True
    """
    from efficacy import plot
    from efficacy.norms import compare_to_norm
    from efficacy.reliability.factor import omega as omega_of
    from efficacy.reliability.scales import MIN_ITEMS_OMEGA
    from efficacy.reliability.scales import reliability as reliability_of
    from efficacy.scoring import item_responses, score
    from efficacy.tables import (
        ApaTable,
        descriptives_table,
        item_table,
        norm_comparison_table,
        reliability_table,
    )

    inst = load(instrument)
    if norm is not None:
        try:
            inst.norm(norm)
        except KeyError as exc:
            raise DataError(str(exc.args[0])) from None
    if n_boot < 0:
        raise DataError(f"n_boot must be >= 0, got {n_boot}")
    steps = _Steps(total=5 + 2 * len(inst.scales), enabled=progress)
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            scores = score(data, inst, columns, coding=coding, on_invalid=on_invalid)
            steps.step("scored")
            items = item_responses(
                data, inst, columns, coding=coding, on_invalid="missing", reverse=True
            )
            raw_items = item_responses(
                data, inst, columns, coding=coding, on_invalid="missing", reverse=False
            )
            rel = reliability_of(
                data,
                inst,
                columns,
                coding=coding,
                on_invalid="missing",
                level=level,
                omega=False,
            )
            steps.step("alpha")
            omegas: dict[str, Any] = {}
            for scale in inst.scales:
                if scale.n_items >= MIN_ITEMS_OMEGA:
                    omegas[scale.id] = omega_of(
                        items.loc[:, list(scale.items)],
                        nfactors=1,
                        n_boot=n_boot,
                        seed=seed,
                        level=level,
                    )
                steps.step(f"omega {scale.id}")
            comparison = None
            if norm is not None:
                comparison = compare_to_norm(
                    scores,
                    inst,
                    norm,
                    group=group,
                    group_data=data if group is not None else None,
                    level=level,
                )
            steps.step("norms")

            names = {scale.id: scale.name for scale in inst.scales}
            distribution_figures = []
            for scale in inst.scales:
                scale_norm = norm if norm and inst.norm(norm).scale == scale.id else None
                fig = plot.score_distribution(scores, inst, norm=scale_norm, scale=scale.id)
                caption = f"Distribution of the {scale.name} scores" + (
                    f" with the normal curve of the norm table {scale_norm}" if scale_norm else ""
                )
                distribution_figures.append(
                    _figure(fig, f"Histogram of {scale.id} scores", caption + ".")
                )
            steps.step("score figures")
            items_figure = _figure(
                plot.item_responses(raw_items, inst),
                "Stacked bars of the responses to each item",
                "Share of each response per item, as answered (before reverse keying); "
                "lower responses left of zero, higher ones right of it.",
            )
            steps.step("item figure")

            number = 1
            descriptives = descriptives_table(
                scores, title="Scale score descriptives", number=number
            )
            number += 1
            reliability = reliability_table(
                rel, omegas, names=names, title="Internal consistency", number=number
            )
            number += 1
            item_blocks = []
            for scale in inst.scales:
                res_alpha = rel.scales[scale.id].alpha
                item_blocks.append(
                    {
                        "name": scale.name,
                        "figure": _figure(
                            plot.item_rest(
                                res_alpha, title=f"{scale.name}: item-rest correlations"
                            ),
                            f"Item-rest correlations of {scale.id}",
                            "Correlation of each item with the sum of the other items of the "
                            "scale; the dashed line marks .30.",
                        ),
                        "table": item_table(
                            res_alpha,
                            instrument=inst,
                            title=f"Item statistics: {scale.name}",
                            number=number,
                        ).to_html(),
                    }
                )
                number += 1
                steps.step(f"items {scale.id}")
            comparison_html = None
            if comparison is not None:
                comparison_html = norm_comparison_table(
                    comparison,
                    title=f"Comparison with the norm table {comparison.norm}",
                    number=number,
                ).to_html()
                number += 1
            info = scores.attrs.get("efficacy", {})
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
                    number=number,
                    symbols=False,
                    bounded=(),
                    p_columns=(),
                    align={"Row": "l", "Value": "l"},
                ).to_html()
    finally:
        steps.close()

    from efficacy.scoring import InvalidResponseWarning

    messages = sorted(
        {
            str(w.message).splitlines()[0]
            for w in caught
            if not issubclass(w.category, InvalidResponseWarning)
        }
    )
    notices = []
    if len(info.get("invalid_cells", [])):
        notices.append(
            f"{len(info['invalid_cells'])} invalid response cells were scored as missing; "
            "they are listed under Scoring provenance."
        )
    context = {
        "title": title or f"{inst.name}: report",
        "package_version": __version__,
        "instrument": inst,
        "n_rows": len(scores),
        "n_invalid": len(info.get("invalid_cells", [])),
        "scale_summaries": [
            {"name": scale.id, "n_scored": int(scores[scale.id].notna().sum())}
            for scale in inst.scales
        ],
        "notices": notices,
        "missing_rules": _missing_rules(inst),
        "descriptives": descriptives.to_html(),
        "distribution_figures": distribution_figures,
        "items_figure": items_figure,
        "reliability_table": reliability.to_html(),
        "item_blocks": item_blocks,
        "comparison": comparison_html,
        "norm": _norm_info(inst, norm) if norm is not None else None,
        "available_norms": ", ".join(
            f"{t.id} ({_KIND_TEXT.get(t.kind, t.kind)})" for t in inst.norms
        ),
        "provenance": _provenance_rows(info, inst),
        "invalid_table": invalid_html,
        "warnings": messages,
        "citations": [str(c) for c in inst.citations],
        "license": inst.license.summary.strip(),
    }
    text = _template().render(**context)
    result = Report(
        html=text,
        title=context["title"],
        instrument=inst.id,
        scores=scores,
        reliability=rel,
        omega=omegas,
        comparison=comparison,
    )
    if path is not None:
        saved = result.save(path)
        result = dataclasses.replace(result, path=saved)
    return result
