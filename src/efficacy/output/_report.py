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

Tables follow APA style (:mod:`efficacy.output.tables`); numbers are rounded for display only.
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

import dataclasses
import html as html_lib
import warnings
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

import efficacy.output._sections as sections
from efficacy._version import __version__
from efficacy.errors import DataError
from efficacy.instrument._loader import load
from efficacy.instrument._model import Instrument
from efficacy.output._steps import Steps
from efficacy.results import Result
from efficacy.scoring import Columns, OnInvalid

if TYPE_CHECKING:  # pragma: no cover
    pass

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
    inst = load(instrument)
    if norm is not None:
        try:
            inst.norm(norm)
        except KeyError as exc:
            raise DataError(str(exc.args[0])) from None
    if n_boot < 0:
        raise DataError(f"n_boot must be >= 0, got {n_boot}")
    options = sections.Options(
        columns=columns,
        coding=coding,
        on_invalid=on_invalid,
        norm=norm,
        group=group,
        level=level,
        n_boot=n_boot,
        seed=seed,
    )
    steps = Steps(total=5 + 2 * len(inst.scales), enabled=progress)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            analysis = sections.analyse(data, inst, options, steps)
            numbers = sections.Numbering()
            context = {
                **sections.overview(analysis),
                **sections.scores(analysis, numbers, steps),
                **sections.reliability(analysis, numbers, steps),
                **sections.norm_comparison(analysis, numbers),
                **sections.provenance(analysis, numbers),
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
    )
    if path is not None:
        saved = result.save(path)
        result = dataclasses.replace(result, path=saved)
    return result
