"""Validation: confirmatory factor analysis and measurement invariance.

:func:`cfa` fits the factor structure an instrument declares (its subscales) or a
``model`` dict, with lavaan 0.6-14's ML or MLR estimator; :func:`invariance` runs the
configural-metric-scalar-strict ladder (or the ordinal one under WLSMV) across groups
with difference tests and a verdict that names its criteria; :func:`warn_norm_invariance`
flags norm comparisons across nations or language versions that recorded invariance
results do not support.

Examples
--------
>>> from efficacy.validation import cfa, invariance
>>> cfa.__name__, invariance.__name__
('cfa', 'invariance')
"""

from efficacy.validation._cfa import CFAResult, cfa
from efficacy.validation._data import factors_from_instrument
from efficacy.validation._invariance import LEVELS, invariance, scaled_difference
from efficacy.validation._invariance_result import CHEN_2007, InvarianceResult, chen_criteria
from efficacy.validation._norm_guard import (
    NormInvarianceWarning,
    norm_invariance_problems,
    warn_norm_invariance,
)
from efficacy.validation._report import validity_tables
from efficacy.validation._warnings import FitWarning, ModelError

__all__ = [
    "CHEN_2007",
    "LEVELS",
    "CFAResult",
    "FitWarning",
    "InvarianceResult",
    "ModelError",
    "NormInvarianceWarning",
    "cfa",
    "chen_criteria",
    "factors_from_instrument",
    "invariance",
    "norm_invariance_problems",
    "scaled_difference",
    "validity_tables",
    "warn_norm_invariance",
]
