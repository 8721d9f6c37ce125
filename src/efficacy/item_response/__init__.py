"""Item response theory: the graded response model, fitted or read from an instrument.

:func:`irt` fits Samejima's graded response model (the 2PL for binary items) by
marginal maximum likelihood: Bock-Aitkin EM with mirt's defaults (N(0, 1) trait, 61
quadrature points on [-6, 6], tolerance 1e-4), then Newton steps on the same
likelihood until the remaining step is below 1e-6. Standard errors come from the
observed information. The fitted :class:`GradedModel` scores persons (EAP, MAP, ML),
gives the Lord-Wingersky sum-score table, item and test information and the marginal
reliability, and writes itself as an instrument file's ``irt:`` section, from which
:func:`efficacy.score` (``method="irt"``) scores new data without fitting.

Examples
--------
>>> import numpy as np
>>> import pandas as pd
>>> import efficacy.item_response as ei
>>> rng = np.random.default_rng(0)
>>> trait = rng.normal(size=400)
>>> items = pd.DataFrame(
...     {f"q{j}": (trait + rng.logistic(size=400) > j - 1).astype(int) for j in range(3)}
... )
>>> model = ei.irt(items)
>>> model.model, model.converged
('2PL', True)
>>> model.scores(items.head(2))["theta"].round(3).tolist()
[-0.312, 0.362]
"""

from efficacy.item_response._data import UnobservedCategoryWarning
from efficacy.item_response._fit import IrtConvergenceWarning, irt
from efficacy.item_response._itemfit import ItemFit
from efficacy.item_response._model import GradedModel
from efficacy.item_response._params import GradedParameters
from efficacy.item_response._theta import ThetaChange, reliable_change_theta, theta_scores

__all__ = [
    "GradedModel",
    "GradedParameters",
    "IrtConvergenceWarning",
    "ItemFit",
    "ThetaChange",
    "UnobservedCategoryWarning",
    "irt",
    "reliable_change_theta",
    "theta_scores",
]
