"""The inter-item correlations as a heat map."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from efficacy.errors import DataError
from efficacy.output.plot._common import new_figure

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure


def correlation_heatmap(
    items: pd.DataFrame,
    *,
    title: str | None = None,
    annotate: bool | None = None,
    width: float | None = None,
) -> Figure:
    """Pearson correlations between items (pairwise complete) as a heat map.

    The colour scale is fixed at -1 to 1 (blue negative, red positive), so figures of
    different scales compare. With up to 12 items each cell is labelled with its
    correlation (two decimals, no leading zero).

    Parameters
    ----------
    items
        Coded item responses, one column per item (e.g. :func:`efficacy.item_responses`).
    annotate
        Write the correlations into the cells (default: with 12 items or fewer).

    Examples
    --------
    >>> import pandas as pd
    >>> items = pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 3, 2, 4], "c": [4, 3, 2, 1]})
    >>> fig = correlation_heatmap(items)
    >>> [t.get_text() for t in fig.axes[0].texts][:3]
    ['1.00', '.80', '-1.00']
    """
    if not isinstance(items, pd.DataFrame) or items.shape[1] < 2:
        raise DataError("correlation_heatmap needs a DataFrame of at least 2 item columns")
    corr = items.astype(float).corr(min_periods=2)
    k = corr.shape[0]
    annotate = k <= 12 if annotate is None else annotate
    side = width or min(7.0, max(3.2, 0.45 * k + 1.6))
    fig, ax = new_figure(side, side * 0.85)
    image = ax.imshow(corr.to_numpy(), cmap="RdBu_r", vmin=-1.0, vmax=1.0)
    labels = [str(c) for c in corr.columns]
    ax.set_xticks(np.arange(k), labels, rotation=90)
    ax.set_yticks(np.arange(k), labels)
    for side_name in ("left", "bottom"):
        ax.spines[side_name].set_visible(False)
    if annotate:
        values = corr.to_numpy()
        for i in range(k):
            for j in range(k):
                text = _two_decimals(values[i, j])
                shade = "white" if abs(values[i, j]) > 0.6 else "black"
                ax.text(j, i, text, ha="center", va="center", fontsize=7, color=shade)
    fig.colorbar(image, ax=ax, shrink=0.8, label="r")
    ax.set_title(title or f"Inter-item correlations ({k} items)", fontsize=10, loc="left")
    return fig


def _two_decimals(value: Any) -> str:
    if not np.isfinite(value):
        return ""
    text = f"{value:.2f}"
    if abs(value) < 1:
        text = text.replace("0.", ".", 1)
    return text
