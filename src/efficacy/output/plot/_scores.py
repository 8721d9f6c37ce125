"""Score distributions: the sample's histogram against the norm curve."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from efficacy.errors import DataError
from efficacy.instrument._loader import load
from efficacy.instrument._model import Instrument, NormGroup
from efficacy.instrument._norm_yaml import NormTable

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

from efficacy.output.plot._common import NORM_COLOR, SAMPLE_COLOR, WIDTH, new_figure


def _score_series(scores: Any, scale: str | None, inst: Instrument) -> tuple[pd.Series, str, str]:
    """The score column, its scale id and its metric (sum or mean)."""
    scale_id = scale or inst.scales[0].id
    methods: Mapping[str, str] = {}
    if isinstance(scores, pd.DataFrame):
        if scale_id not in scores.columns:
            raise DataError(
                f"scores lacks the column {scale_id!r} (scale of {inst.id}); "
                f"it has {list(scores.columns)}"
            )
        methods = scores.attrs.get("efficacy", {}).get("methods", {}) or {}
        series = scores[scale_id]
    elif isinstance(scores, pd.Series):
        methods = scores.attrs.get("efficacy", {}).get("methods", {}) or {}
        series = scores
    else:
        series = pd.Series(np.asarray(scores, dtype=float).ravel(), name=scale_id)
    metric = methods.get(scale_id) or inst.scale(scale_id).method
    values = pd.to_numeric(series, errors="coerce").astype(float)
    return values, scale_id, metric


def _norm_table(inst: Instrument, norm: str | NormTable | None) -> NormTable | None:
    if norm is None or isinstance(norm, NormTable):
        return norm
    try:
        return inst.norm(norm)
    except KeyError as exc:
        raise DataError(str(exc.args[0])) from None


def _converted(group: NormGroup, table: NormTable, metric: str, n_items: int) -> tuple:
    """Norm mean and SD in the metric of the plotted scores."""
    factor = 1.0
    if table.metric != metric:
        factor = n_items if metric == "sum" else 1.0 / n_items
    sd = None if group.sd is None else group.sd * factor
    return group.mean * factor, sd


def score_distribution(
    scores: Any,
    instrument: str | Instrument,
    norm: str | NormTable | None = None,
    *,
    scale: str | None = None,
    bins: int | None = None,
    max_groups: int = 6,
    title: str | None = None,
    width: float = WIDTH,
    height: float = 3.6,
) -> Figure:
    """Histogram of scale scores with the norm's normal curve (or mean) on top.

    Parameters
    ----------
    scores
        The output of :func:`efficacy.score`, a Series or an array of scores.
    instrument
        Bundled id, path or Instrument: gives the score range and the norms.
    norm
        A norm table id (or NormTable) of the instrument. Each of its groups (at
        most ``max_groups``) is drawn as a normal curve N(M, SD) scaled to the sample's
        histogram, or as a vertical line at its mean where it has no SD.
    scale
        The scale to plot (default the instrument's first).
    bins
        Histogram bins (default: one per possible score up to 40, else 30).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> fig = score_distribution(pd.Series([20.0, 25, 30, 31, 35]), "gse", norm="world2006")
    >>> fig.axes[0].get_xlabel()
    'GSE sum score'
    """
    from matplotlib.ticker import MaxNLocator

    inst = load(instrument)
    values, scale_id, metric = _score_series(scores, scale, inst)
    table = _norm_table(inst, norm)
    observed = values.dropna().to_numpy()
    low, high = inst.score_range(scale_id, metric)
    fig, ax = new_figure(width, height)
    if bins is None:
        span = high - low
        bins = int(span) + 1 if metric == "sum" and span <= 40 else 30
    edges = (
        np.arange(low - 0.5, high + 1.0, 1.0)
        if metric == "sum" and bins == int(high - low) + 1
        else np.linspace(low, high, bins + 1)
    )
    ax.hist(observed, bins=edges, color=SAMPLE_COLOR, alpha=0.75, edgecolor="white", label="Sample")
    bin_width = float(np.mean(np.diff(edges)))
    n = observed.size
    if table is not None:
        grid = np.linspace(edges[0], edges[-1], 400)
        groups = list(table.groups)[:max_groups]
        styles = ["-", "--", ":", "-."]
        for position, group in enumerate(groups):
            mean, sd = _converted(group, table, metric, inst.scale(scale_id).n_items)
            label = f"{table.id}" if group.label == "all" else f"{table.id}: {group.label}"
            style = styles[position % len(styles)]
            if sd is not None and sd > 0:
                density = np.exp(-0.5 * ((grid - mean) / sd) ** 2) / (sd * math.sqrt(2 * math.pi))
                ax.plot(
                    grid,
                    density * n * bin_width,
                    color=NORM_COLOR,
                    linestyle=style,
                    lw=1.6,
                    label=f"{label} (M = {mean:.2f}, SD = {sd:.2f})",
                )
            else:
                ax.axvline(
                    mean,
                    color=NORM_COLOR,
                    linestyle=style,
                    lw=1.4,
                    label=f"{label} (M = {mean:.2f})",
                )
        if len(table.groups) > max_groups:
            ax.text(
                0.01,
                0.98,
                f"first {max_groups} of {len(table.groups)} norm groups shown",
                transform=ax.transAxes,
                fontsize=8,
                va="top",
            )
    if n:
        ax.axvline(float(observed.mean()), color=SAMPLE_COLOR, lw=1.2, linestyle="--")
    ax.set_xlim(edges[0], edges[-1])
    ax.set_xlabel(f"{inst.abbreviation} {metric} score")
    ax.set_ylabel("Respondents")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    default = (
        f"{inst.abbreviation} scores (n = {n}, M = {observed.mean():.2f})"
        if n
        else f"{inst.abbreviation} scores (no scores)"
    )
    ax.set_title(title or default, fontsize=10, loc="left")
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(0.0, 0.93))
    return fig
