"""Reliable change: pre against post with the band of change that is not reliable."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from efficacy.errors import DataError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

from efficacy.output.plot._common import METHOD_NAMES, NORM_COLOR, SAMPLE_COLOR, new_figure


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
        pre score, no band is drawn. Points are coloured by category: the reliable change
    categories for a ReliableChange, the clinical ones (recovered, improved, unchanged,
    deteriorated) for a ClinicalSignificance.

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
    # a ClinicalSignificance colours by its own categories (recovered, improved, ...)
    persons = result.persons
    pre = persons["pre"].to_numpy(dtype=float)
    post = persons["post"].to_numpy(dtype=float)
    category = persons["category"].astype(object).to_numpy()
    finite = np.isfinite(pre) & np.isfinite(post)
    fig, ax = new_figure(width, height)
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
