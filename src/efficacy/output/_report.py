"""One self-contained HTML report, ready for a paper: methods, tables, figures, references.

:func:`report` runs the whole flow on raw responses with one missing-data policy
(the instrument's rules, as :func:`efficacy.score` applies them) and writes one HTML
file with everything embedded (figures as base64 PNG or SVG, no external files or
scripts). Responses are coded once; alpha, omega and the item statistics of a scale use
the respondents scored on it, the sample of its score descriptives:

1. a methods paragraph to paste, with the numbers filled in, and its references;
2. score descriptives, the score distribution against the norm curve, item response
   distributions and item descriptives (skew, kurtosis, floor, ceiling, missing);
3. alpha (with its interval) and omega (with a bootstrap interval) per scale, the
   item-rest correlations, the item table and the inter-item correlations;
4. the comparison of the sample with a norm table, as a table and a figure;
5. the scoring provenance: instrument id, version and file hash, software versions,
   column mapping, bootstrap settings and every invalid cell scored as missing.

Tables and figures are numbered in APA style (:mod:`efficacy.output.tables`); numbers
are rounded for display only. The same input gives the same file: bootstrap intervals
use a fixed ``seed`` and the report carries no time stamp. ``Report.to_docx`` writes the
same content as a Word document.

Examples
--------
>>> import efficacy as ef
>>> from efficacy import datasets
>>> rep = report(datasets.load_prepost(), "gse", columns="pre_gse{n}", n_boot=0)
>>> rep.html.startswith("<!DOCTYPE html>")
True
>>> rep.methods.split(",")[0]
'Self-efficacy was measured with the General Self-Efficacy Scale (GSE; Schwarzer & Jerusalem'
"""

from __future__ import annotations

import dataclasses
import html as html_lib
import warnings
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import pandas as pd

import efficacy.output._sections as sections
from efficacy._version import __version__
from efficacy.errors import DataError
from efficacy.instrument._loader import load
from efficacy.instrument._model import Instrument
from efficacy.output._analysis import Options, analyse
from efficacy.output._quality_section import quality as quality_section
from efficacy.output._steps import Steps
from efficacy.output._validity_section import validity as validity_section
from efficacy.results import Result, Summary
from efficacy.scoring import Columns, OnInvalid

#: Bootstrap replicates for the omega interval (0: no interval).
N_BOOT = 200


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
        The per-scale reliability (:func:`efficacy.reliability`) on the scored
        respondents.
    omega
        Omega per scale (scales of 3 or more items).
    comparison
        The norm comparison, or None when no norm was chosen.
    methods
        The methods paragraph, numbers filled in.
    references
        References of the methods and of the instrument.
    tables, figures
        The numbered tables (ApaTable) and figures, in order.
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
    methods: str = ""
    references: tuple[str, ...] = ()
    tables: tuple[Any, ...] = ()
    figures: tuple[Any, ...] = ()
    path: Path | None = None

    def summary(self) -> Summary:
        """What the report holds: instrument, respondents, tables, figures and file."""
        rows = [
            ("instrument", self.instrument),
            ("respondents", f"{len(self.scores)} scored"),
            ("tables", str(len(self.tables))),
            ("figures", str(len(self.figures))),
            ("file", "not saved" if self.path is None else str(self.path)),
        ]
        if self.comparison is not None:
            rows.append(("norm comparison", "included"))
        notes = (self.methods,) if self.methods else ()
        return Summary(self.title, tuple(rows), notes)

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

    def to_docx(self, path: str | Path) -> Path:
        """Write the report as a Word document: methods, tables, figures, references."""
        from efficacy.output._docx import write_docx

        return write_docx(self, path)

    def _repr_fields(self) -> list[tuple[str, Any]]:
        return [
            ("title", self.title),
            ("instrument", self.instrument),
            ("n", len(self.scores)),
            ("path", None if self.path is None else str(self.path)),
            ("html", f"<{len(self.html):,} characters>"),
        ]

    def _repr_html_(self) -> str:
        """In a notebook: a link to the saved file, or the report collapsed.

        A saved report is shown as a link (the notebook keeps a few hundred bytes); an
        unsaved one as a collapsed view that opens on a click.
        """
        title = html_lib.escape(self.title)
        facts = (
            f"{len(self.scores):,} respondents, {len(self.tables)} tables, "
            f"{len(self.figures)} figures"
        )
        if self.path is not None:
            link = html_lib.escape(self.path.as_uri(), quote=True)
            return f'<p><strong>{title}</strong> ({facts}): <a href="{link}">{link}</a></p>'
        source = html_lib.escape(self.html, quote=True)
        return (
            f"<details><summary><strong>{title}</strong> ({facts}): click to open</summary>"
            f'<iframe srcdoc="{source}" style="width:100%;height:640px;border:1px solid #ddd" '
            f'title="{title}"></iframe></details>'
        )


# ------------------------------------------------------------------ report


def _template() -> Any:
    try:
        import jinja2
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("reports need jinja2: pip install 'efficacy[report]'") from exc
    text = (resources.files("efficacy.output") / "templates" / "report.html.j2").read_text("utf-8")
    env = jinja2.Environment(autoescape=True, keep_trailing_newline=True)
    return env.from_string(text)


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
    figure_format: Literal["png", "svg"] = "png",
    screen: bool | dict[str, Any] = True,
    validity: bool = True,
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
        Bootstrap replicates and seed of the omega interval (``n_boot=0``: none). A
        scale whose sample is so large that the interval would be narrower than the
        two decimals printed gets no bootstrap, and the report says so (see
        :func:`efficacy.output._analysis.omega_bootstrap_note`).
    figure_format
        ``"png"`` (default) or ``"svg"`` (vector figures, for journals that ask for them).
    screen
        Add a data-quality section: a careless-responding screen
        (:func:`efficacy.screen`, default cut-offs; a dict passes options such as
        ``{"cutoffs": {...}}``), its rules and the effect of excluding the flagged
        respondents on alpha and the mean. ``False``: no such section.
    validity
        Add a validity section: a confirmatory factor analysis of the instrument's
        declared structure (:func:`efficacy.cfa`), standardized loadings and the
        reliability from the fit. ``False``: no such section.

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
    inst = load(instrument)
    if norm is not None:
        try:
            inst.norm(norm)
        except KeyError as exc:
            raise DataError(str(exc.args[0])) from None
    if n_boot < 0:
        raise DataError(f"n_boot must be >= 0, got {n_boot}")
    if figure_format not in ("png", "svg"):
        raise DataError(f"figure_format must be 'png' or 'svg', got {figure_format!r}")
    options = Options(
        columns=columns,
        coding=coding,
        on_invalid=on_invalid,
        norm=norm,
        group=group,
        level=level,
        n_boot=n_boot,
        seed=seed,
        figure_format=figure_format,
        screen=screen,
        validity=validity,
    )
    steps = Steps(total=5 + 2 * len(inst.scales), enabled=progress)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            analysis = analyse(data, inst, options, steps)
            exhibits = sections.Exhibits(figure_format)
            context = {
                **sections.overview(analysis),
                **sections.methods(analysis),
                **sections.scores(analysis, exhibits, steps),
                **sections.reliability(analysis, exhibits, steps),
                **sections.norm_comparison(analysis, exhibits),
                **validity_section(analysis, exhibits),
                **quality_section(analysis, exhibits),
                **sections.provenance(analysis, exhibits),
            }
    finally:
        steps.close()
    context["warnings"] = sections.warning_messages(caught)
    context["title"] = title or f"{inst.name}: report"
    context["package_version"] = __version__
    text = _template().render(**context)
    result = Report(
        html=text,
        title=context["title"],
        instrument=inst.id,
        scores=analysis.scores,
        reliability=analysis.reliability,
        omega=analysis.omegas,
        comparison=analysis.comparison,
        methods=context["methods"],
        references=(*context["method_references"], *context["citations"]),
        tables=tuple(exhibits.tables),
        figures=tuple(exhibits.figures),
    )
    if path is not None:
        saved = result.save(path)
        result = dataclasses.replace(result, path=saved)
    return result
