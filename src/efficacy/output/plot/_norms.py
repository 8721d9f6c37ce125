"""The sample against its norm: mean and interval per group beside the norm mean."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from efficacy.errors import DataError
from efficacy.output.plot._common import NORM_COLOR, SAMPLE_COLOR, WIDTH, new_figure

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure


def norm_comparison(comparison: Any, *, title: str | None = None, width: float = WIDTH) -> Figure:
    """Sample mean with its confidence interval against the norm mean, per group.

    The interval is the one-sample t interval of the sample mean (the comparison's
    ``diff_ci_lower`` and ``diff_ci_upper``, shifted by the norm mean); the norm
    mean is a diamond, with a bar of ±1 norm SD where the table gives one.

    Parameters
    ----------
    comparison
        A NormComparison from :func:`efficacy.compare_to_norm`.

    Examples
    --------
    >>> import pandas as pd
    >>> import efficacy as ef
    >>> scores = pd.DataFrame({"gse": [25.0, 31.0, 28.0, 35.0, 22.0]})
    >>> fig = norm_comparison(ef.compare_to_norm(scores, "gse", "world2006"))
    >>> fig.axes[0].get_xlabel()
    'gse score'
    """
    table = getattr(comparison, "table", None)
    if table is None or "norm_mean" not in table:
        raise DataError(f"expected a NormComparison, got {type(comparison).__name__}")
    groups = [str(g) for g in table.index]
    y = np.arange(len(groups))[::-1]
    fig, ax = new_figure(width, max(2.0, 0.45 * len(groups) + 1.3))
    mean = table["mean"].to_numpy(dtype=float)
    norm_mean = table["norm_mean"].to_numpy(dtype=float)
    lower = table["diff_ci_lower"].to_numpy(dtype=float) + norm_mean
    upper = table["diff_ci_upper"].to_numpy(dtype=float) + norm_mean
    level = f"{comparison.level:.0%}"
    ax.hlines(y + 0.12, lower, upper, color=SAMPLE_COLOR, lw=2)
    ax.scatter(mean, y + 0.12, color=SAMPLE_COLOR, zorder=3, s=30, label=f"sample M, {level} CI")
    if "norm_sd" in table:
        sd = table["norm_sd"].to_numpy(dtype=float)
        has_sd = np.isfinite(sd)
        ax.hlines(
            y[has_sd] - 0.12,
            (norm_mean - sd)[has_sd],
            (norm_mean + sd)[has_sd],
            color=NORM_COLOR,
            lw=1,
            alpha=0.6,
            label="norm M ± 1 SD",
        )
    ax.scatter(norm_mean, y - 0.12, marker="D", color=NORM_COLOR, zorder=3, s=26, label="norm M")
    ax.set_yticks(y, groups)
    ax.set_ylim(-0.7, len(groups) - 0.3)
    ax.set_xlabel(f"{comparison.scale} score")
    ax.set_title(
        title or f"Sample against the norm table {comparison.norm}", fontsize=10, loc="left"
    )
    ax.legend(fontsize=8, frameon=False, loc="best")
    return fig
