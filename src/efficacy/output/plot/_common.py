"""What every figure shares: the figure class, the style, the colours."""

from __future__ import annotations

import functools
import io
from typing import TYPE_CHECKING

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
def figure_class() -> type:
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


def new_figure(width: float, height: float) -> tuple[Figure, Axes]:
    fig = figure_class()(figsize=(width, height), layout="constrained")
    ax = fig.add_subplot()
    style_axes(ax)
    return fig, ax


def style_axes(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=9)


# ------------------------------------------------------------------ score distribution


# ------------------------------------------------------------------ item responses


# ------------------------------------------------------------------ item-rest


# ------------------------------------------------------------------ reliable change
