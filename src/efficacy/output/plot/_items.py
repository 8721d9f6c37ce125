"""Item figures: response distributions as diverging stacked bars, item-rest correlations."""

from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from efficacy.instrument._loader import load
from efficacy.instrument._model import Instrument
from efficacy.output.tables import strip_zero

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

from efficacy.output.plot._common import NORM_COLOR, SAMPLE_COLOR, WIDTH, new_figure


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
    fig, ax = new_figure(width, height)
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
    fig, ax = new_figure(width, max(2.2, 0.3 * n_items + 1.2))
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
