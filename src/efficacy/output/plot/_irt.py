"""Figures of a graded model: category response curves and information.

Each function returns one matplotlib Figure built without ``pyplot`` (as
:mod:`efficacy.output.plot`); matplotlib is imported inside (``pip install efficacy[report]``).

Examples
--------
>>> import numpy as np
>>> import pandas as pd
>>> from efficacy.item_response import irt
>>> rng = np.random.default_rng(0)
>>> trait = rng.normal(size=400)
>>> items = pd.DataFrame({f"q{j}": (trait + rng.logistic(size=400) > 0) * 1 for j in range(3)})
>>> fig = information(irt(items))
>>> len(fig.axes)
2
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from efficacy.errors import DataError
from efficacy.output.plot._common import (
    NORM_COLOR,
    SAMPLE_COLOR,
    WIDTH,
    figure_class,
    style_axes,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from efficacy.item_response._model import GradedModel

COLOR = SAMPLE_COLOR
SEM_COLOR = NORM_COLOR


def _grid(theta_range: tuple[float, float], n: int = 201) -> np.ndarray:
    low, high = theta_range
    if not low < high:
        raise DataError(f"theta_range must be (low, high) with low < high, got {theta_range}")
    return np.linspace(low, high, n)


def item_curves(
    model: GradedModel,
    items: list[str] | None = None,
    *,
    theta_range: tuple[float, float] = (-4.0, 4.0),
    columns: int = 3,
) -> Figure:
    """Category response curves, one panel per item: P(category | theta).

    Parameters
    ----------
    model
        A fitted :class:`~efficacy.item_response.GradedModel`.
    items
        Which items (default all), by name.
    theta_range
        The trait range drawn.
    columns
        Panels per row.
    """

    names = list(model.parameters.names)
    chosen = names if items is None else list(items)
    unknown = [name for name in chosen if name not in names]
    if unknown or not chosen:
        raise DataError(f"items {unknown or chosen} are not items of the model {names}")
    theta = _grid(theta_range)
    probs = model.parameters.probabilities(theta)
    ncol = min(columns, len(chosen))
    nrow = math.ceil(len(chosen) / ncol)
    fig = figure_class()(figsize=(WIDTH, 1.9 * nrow + 0.4), layout="constrained")
    axes = fig.subplots(nrow, ncol, squeeze=False, sharex=True, sharey=True)
    for panel, name in enumerate(chosen):
        ax = axes[panel // ncol][panel % ncol]
        style_axes(ax)
        j = names.index(name)
        for k, code in enumerate(model.parameters.codes[j]):
            label = str(int(code)) if float(code).is_integer() else str(code)
            ax.plot(theta, probs[j][k], lw=1.2, label=label)
        ax.set_title(name, fontsize=9)
        ax.set_ylim(0, 1)
        if panel % ncol == 0:
            ax.set_ylabel("P(category)", fontsize=9)
        if panel // ncol == nrow - 1:
            ax.set_xlabel("θ", fontsize=9)
        ax.legend(fontsize=6, frameon=False, title="code", title_fontsize=6, loc="center right")
    for panel in range(len(chosen), nrow * ncol):
        axes[panel // ncol][panel % ncol].set_visible(False)
    return fig


def information(
    model: GradedModel, *, theta_range: tuple[float, float] = (-4.0, 4.0), items: bool = False
) -> Figure:
    """Test information (left axis) and the conditional SEM ``1/sqrt(I)`` (right axis).

    ``items=True`` adds each item's information as thin lines.
    """

    theta = _grid(theta_range)
    frame = model.information(theta)
    fig = figure_class()(figsize=(WIDTH, 3.6), layout="constrained")
    ax: Any = fig.add_subplot()
    style_axes(ax)
    ax.plot(theta, frame["test"], color=COLOR, lw=1.8, label="test information")
    if items:
        for name in model.parameters.names:
            ax.plot(theta, frame[name], lw=0.7, alpha=0.7, label=name)
    ax.set_xlabel("θ", fontsize=9)
    ax.set_ylabel("information", fontsize=9)
    ax.set_ylim(bottom=0)
    right = ax.twinx()
    right.plot(theta, frame["sem"], color=SEM_COLOR, lw=1.4, ls="--", label="SEM")
    right.set_ylabel("SEM = 1 / √information", fontsize=9, color=SEM_COLOR)
    right.set_ylim(bottom=0)
    right.spines["top"].set_visible(False)
    right.tick_params(labelsize=9)
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    title = f"{model.scale}: " if model.scale else ""
    ax.set_title(f"{title}marginal reliability {model.marginal_reliability:.2f}", fontsize=10)
    return fig
