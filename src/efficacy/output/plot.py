"""Figures for papers and reports: each function returns one matplotlib Figure.

The figures are built with matplotlib's object interface (``matplotlib.figure.Figure``),
not with ``pyplot``: nothing needs a display or a GUI backend, no global state is left
behind, and each figure can be saved on its own (``fig.savefig("fig1.pdf")``) or shown
in a notebook (a returned figure displays itself as a PNG). matplotlib is imported inside the
functions (``pip install efficacy[report]``).

- :func:`score_distribution`: histogram of the scale scores against the norm curve;
- :func:`item_responses`: response distributions as diverging stacked bars;
- :func:`item_rest`: item-rest correlations with a reference line;
- :func:`reliable_change`: pre against post with the band of unreliable change.

Examples
--------
>>> import efficacy as ef
>>> from efficacy import datasets
>>> data = datasets.load_prepost()
>>> pre = ef.score(data, "gse", columns="pre_gse{n}")
>>> fig = ef.plot.score_distribution(pre, "gse", norm="world2006")
>>> from matplotlib.figure import Figure
>>> isinstance(fig, Figure), len(fig.axes)
(True, 1)
"""

from __future__ import annotations

import functools
import io
import math
import textwrap
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from efficacy.errors import DataError
from efficacy.instrument._loader import load
from efficacy.instrument._model import Instrument, NormGroup
from efficacy.instrument._norm_yaml import NormTable
from efficacy.output.tables import strip_zero

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Default figure width in inches (a single journal column is about 3.5, a page 7).
WIDTH = 6.4
#: Colour of the sample (bars, points).
SAMPLE_COLOR = "#4C72B0"
#: Colour of the norm curve and reference lines.
NORM_COLOR = "#C44E52"
#: Reliable change methods as named in figure titles.
METHOD_NAMES: dict[str, str] = {
    "jacobson_truax": "Jacobson–Truax",
    "gulliksen_lord_novick": "Gulliksen–Lord–Novick",
    "hsu_linn_lord": "Hsu–Linn–Lord",
    "edwards_nunnally": "Edwards–Nunnally",
    "nunnally_kotsch": "Nunnally–Kotsch",
    "hageman_arrindell": "Hageman–Arrindell",
}


@functools.cache
def _figure_class() -> type:
    """A Figure that shows itself in notebooks (``_repr_png_``) without ``pyplot``."""
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "plots need matplotlib: pip install 'efficacy[report]' (or matplotlib)"
        ) from exc

    class EfficacyFigure(Figure):
        """A matplotlib Figure that Jupyter displays as a PNG."""

        def _repr_png_(self) -> bytes:
            buffer = io.BytesIO()
            self.savefig(buffer, format="png", dpi=100)
            return buffer.getvalue()

    EfficacyFigure.__module__ = __name__
    EfficacyFigure.__qualname__ = "EfficacyFigure"
    return EfficacyFigure


def _figure(width: float, height: float) -> tuple[Figure, Axes]:
    fig = _figure_class()(figsize=(width, height), layout="constrained")
    ax = fig.add_subplot()
    _style(ax)
    return fig, ax


def _style(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=9)


# ------------------------------------------------------------------ score distribution


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
    inst = load(instrument)
    values, scale_id, metric = _score_series(scores, scale, inst)
    table = _norm_table(inst, norm)
    observed = values.dropna().to_numpy()
    low, high = inst.score_range(scale_id, metric)
    fig, ax = _figure(width, height)
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
    default = (
        f"{inst.abbreviation} scores (n = {n}, M = {observed.mean():.2f})"
        if n
        else f"{inst.abbreviation} scores (no scores)"
    )
    ax.set_title(title or default, fontsize=10, loc="left")
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(0.0, 0.93))
    return fig


# ------------------------------------------------------------------ item responses


def _response_shares(coded: pd.DataFrame, codes: np.ndarray) -> pd.DataFrame:
    """Share of each code per item (rows items, columns codes), among answered cells."""
    values = coded.to_numpy(dtype=float)
    answered = ~np.isnan(values)
    counts = np.stack([(values == code).sum(axis=0) for code in codes], axis=1)
    totals = answered.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = counts / totals[:, None]
    return pd.DataFrame(shares, index=coded.columns, columns=codes)


def item_responses(
    items: pd.DataFrame,
    instrument: str | Instrument,
    *,
    columns: Any = None,
    on_invalid: str = "raise",
    wording: bool = True,
    wrap: int = 45,
    title: str | None = None,
    width: float = WIDTH,
) -> Figure:
    """Response distributions per item as diverging stacked bars (Likert plot).

    Bars are centred on the scale's midpoint: the lower categories extend to the
    left, the higher ones to the right, and a middle category (odd number of
    categories) is split across zero. Items are shown as answered, *before* reverse
    keying, with the response labels in the legend.

    Parameters
    ----------
    items
        Raw responses (codes or labels) or coded items; they are coded with
        :func:`efficacy.item_responses` (``reverse=False``).
    instrument
        Bundled id, path or Instrument.
    columns, on_invalid
        As in :func:`efficacy.score`.
    wording
        Label each bar with the item's wording (wrapped at ``wrap`` characters)
        instead of its id.

    Examples
    --------
    >>> from efficacy import datasets
    >>> data = datasets.load_prepost()
    >>> fig = item_responses(data, "gse", columns="pre_gse{n}", wording=False)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()][:2]
    ['gse1', 'gse2']
    """
    from efficacy.scoring import item_responses as code_items

    inst = load(instrument)
    coded = code_items(items, inst, columns, on_invalid=on_invalid, reverse=False)  # type: ignore[arg-type]
    codes = inst.response.codes
    shares = _response_shares(coded, codes) * 100
    k = len(codes)
    half = k // 2
    middle = k % 2 == 1
    n_items = len(shares)
    height = max(2.6, 0.45 * n_items + 1.6)
    fig, ax = _figure(width, height)
    from matplotlib import colormaps

    cmap = colormaps["RdBu"]
    colors = [cmap(x) for x in np.linspace(0.12, 0.88, k)]
    y = np.arange(n_items)[::-1]
    left_start = -shares.iloc[:, :half].sum(axis=1).to_numpy()
    if middle:
        left_start = left_start - shares.iloc[:, half].to_numpy() / 2
    start = left_start.copy()
    for position, code in enumerate(codes):
        widths = shares[code].to_numpy()
        label = inst.response.labels.get(float(code), f"{code:g}")
        bars = ax.barh(
            y,
            widths,
            left=start,
            color=colors[position],
            edgecolor="white",
            height=0.7,
            label=label,
        )
        for bar, share in zip(bars, widths, strict=True):
            if share >= 8:
                ax.text(
                    bar.get_x() + bar.get_width() / 2,
                    bar.get_y() + bar.get_height() / 2,
                    f"{share:.0f}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if position in (0, k - 1) else "black",
                )
        start = start + widths
    ax.axvline(0, color="black", lw=0.8)
    if wording:
        texts = {item.id: item.text for item in inst.items}
        labels = [
            textwrap.shorten(f"{item_id}. {texts[item_id]}", width=2 * wrap, placeholder="…")
            for item_id in shares.index
        ]
        labels = ["\n".join(textwrap.wrap(label, wrap)) for label in labels]
    else:
        labels = [str(item_id) for item_id in shares.index]
    ax.set_yticks(y, labels, fontsize=8)
    extent = float(np.nanmax(np.abs(np.concatenate([left_start, start])))) if n_items else 100
    limit = min(100.0, 25 * math.ceil(extent / 25))
    ax.set_xlim(-limit, limit)
    step = 25 if limit <= 50 else 50
    ticks = np.arange(-limit, limit + 1, step)
    ax.set_xticks(ticks, [f"{abs(t):.0f}%" for t in ticks])
    ax.set_xlabel("Share of answered items (%)")
    ax.legend(
        fontsize=8,
        frameon=False,
        ncol=min(k, 3),
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12 if n_items > 4 else -0.25),
    )
    if title:
        ax.set_title(title, fontsize=10, loc="left")
    return fig


# ------------------------------------------------------------------ item-rest


def item_rest(
    alpha_result: Any,
    *,
    threshold: float = 0.3,
    title: str | None = None,
    width: float = WIDTH,
) -> Figure:
    """Item-rest (corrected item-total) correlations, with a reference line.

    Items below ``threshold`` (.30 is a common rule of thumb) are drawn in the
    warning colour; negative correlations usually mean a mis-keyed item.

    Parameters
    ----------
    alpha_result
        An AlphaResult (its ``items["r_drop"]``), or a Series of correlations.

    Examples
    --------
    >>> import pandas as pd
    >>> fig = item_rest(pd.Series([0.6, 0.2, -0.1], index=["a", "b", "c"]))
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['a', 'b', 'c']
    """
    if isinstance(alpha_result, pd.Series):
        r = alpha_result.astype(float)
        overall = None
    else:
        r = alpha_result.items["r_drop"].astype(float)
        overall = getattr(alpha_result, "alpha", None)
    n_items = len(r)
    fig, ax = _figure(width, max(2.2, 0.3 * n_items + 1.2))
    y = np.arange(n_items)[::-1]
    colors = [SAMPLE_COLOR if value >= threshold else NORM_COLOR for value in r.to_numpy()]
    ax.hlines(y, 0, r.to_numpy(), color=colors, lw=2)
    ax.scatter(r.to_numpy(), y, color=colors, zorder=3, s=28)
    ax.axvline(threshold, color="grey", lw=1, linestyle="--")
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, [str(i) for i in r.index])
    ax.set_xlim(min(-0.1, float(np.nanmin(r)) - 0.05) if n_items else -0.1, 1.0)
    ax.set_xlabel("Item-rest correlation")
    default = "Item-rest correlations" + (
        f" (α = {strip_zero(f'{overall:.2f}')})" if overall is not None else ""
    )
    ax.set_title(title or default, fontsize=10, loc="left")
    return fig


# ------------------------------------------------------------------ reliable change


def reliable_change(
    result: Any,
    *,
    title: str | None = None,
    width: float = 5.0,
    height: float = 5.0,
    score_range: tuple[float, float] | None = None,
) -> Figure:
    """Pre against post scores with the band of change that is not reliable.

    The diagonal is "no change"; the shaded band around it holds the changes whose
    reliable change index is inside the criterion. For the Jacobson-Truax method the
    band's half-width is the smallest reliable raw change (``result.threshold`` =
    critical value x S_diff); for the other methods, whose criterion depends on the
    pre score, no band is drawn. Points are coloured by category.

    Parameters
    ----------
    result
        A ReliableChange (from :func:`efficacy.reliable_change`) or a
        ClinicalSignificance (its cutoff is drawn as well).
    score_range
        Axis limits (default: the data's range, padded).

    Examples
    --------
    >>> import pandas as pd
    >>> import efficacy as ef
    >>> res = ef.reliable_change(pd.Series([20.0, 30, 31]), pd.Series([31.0, 31, 22]),
    ...                          sd=5.29, reliability=0.86)
    >>> fig = reliable_change(res)
    >>> fig.axes[0].get_xlabel()
    'Pre score'
    """
    cutoff = getattr(result, "cutoff", None)
    rc = getattr(result, "reliable_change", result)
    if not hasattr(rc, "persons"):
        raise DataError(
            f"expected a ReliableChange or ClinicalSignificance result, got {type(result).__name__}"
        )
    persons = rc.persons
    pre = persons["pre"].to_numpy(dtype=float)
    post = persons["post"].to_numpy(dtype=float)
    category = persons["category"].astype(object).to_numpy()
    finite = np.isfinite(pre) & np.isfinite(post)
    fig, ax = _figure(width, height)
    if score_range is None:
        both = np.concatenate([pre[finite], post[finite]])
        low, high = (float(both.min()), float(both.max())) if both.size else (0.0, 1.0)
        pad = 0.08 * (high - low or 1.0)
        score_range = (low - pad, high + pad)
    low, high = score_range
    line = np.array([low, high])
    threshold = getattr(rc, "threshold", None)
    if threshold is not None and np.isfinite(threshold):
        ax.fill_between(
            line,
            line - threshold,
            line + threshold,
            color="grey",
            alpha=0.18,
            lw=0,
            label=f"no reliable change (|change| ≤ {threshold:.2f})",
        )
    ax.plot(line, line, color="black", lw=0.8)
    palette = {
        "reliably improved": "#2E8B57",
        "recovered": "#1B5E20",
        "improved": "#2E8B57",
        "unchanged": "#7F7F7F",
        "reliably deteriorated": NORM_COLOR,
        "deteriorated": NORM_COLOR,
    }
    for name in pd.unique(category[finite]):
        mask = finite & (category == name)
        ax.scatter(
            pre[mask],
            post[mask],
            s=30,
            color=palette.get(str(name), SAMPLE_COLOR),
            edgecolor="white",
            lw=0.5,
            zorder=3,
            label=f"{name} ({int(mask.sum())})",
        )
    if cutoff is not None and np.isfinite(cutoff):
        ax.axhline(cutoff, color=SAMPLE_COLOR, lw=1, linestyle="--", label=f"cutoff {cutoff:.2f}")
    ax.set_xlim(low, high)
    ax.set_ylim(low, high)
    ax.set_aspect("equal")
    ax.set_xlabel("Pre score")
    ax.set_ylabel("Post score")
    method = METHOD_NAMES.get(str(getattr(rc, "method", "")), str(getattr(rc, "method", "")))
    ax.set_title(title or f"Reliable change ({method})", fontsize=10, loc="left")
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    return fig
