"""Figures for papers and reports: each function returns one matplotlib Figure.

The figures are built with matplotlib's object interface (``matplotlib.figure.Figure``),
not with ``pyplot``: nothing needs a display or a GUI backend, no global state is left
behind, and each figure can be saved on its own (``fig.savefig("fig1.pdf")``) or shown
in a notebook (a returned figure displays itself as a PNG). matplotlib is imported inside the
functions (``pip install efficacy[report]``).

- :func:`score_distribution`: histogram of the scale scores against the norm curve;
- :func:`item_responses`: response distributions as diverging stacked bars;
- :func:`item_rest`: item-rest correlations with a reference line;
- :func:`reliable_change`: pre against post with the band of unreliable change;
- :func:`correlation_heatmap`: the inter-item correlations as a heat map;
- :func:`norm_comparison`: the sample's mean with its interval against the norm means;
- :func:`item_curves` and :func:`information`: a graded response model's category
  curves and its item and test information.

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

from efficacy.output.plot._change import reliable_change
from efficacy.output.plot._common import METHOD_NAMES, NORM_COLOR, SAMPLE_COLOR, WIDTH
from efficacy.output.plot._correlations import correlation_heatmap
from efficacy.output.plot._irt import information, item_curves
from efficacy.output.plot._items import item_responses, item_rest
from efficacy.output.plot._norms import norm_comparison
from efficacy.output.plot._scores import score_distribution

__all__ = [
    "METHOD_NAMES",
    "NORM_COLOR",
    "SAMPLE_COLOR",
    "WIDTH",
    "correlation_heatmap",
    "information",
    "item_curves",
    "item_responses",
    "item_rest",
    "norm_comparison",
    "reliable_change",
    "score_distribution",
]
