"""Reliability coefficients: the alpha family, factor analysis and omega, polychoric
correlations, test-retest, the standard error of measurement, and every scale of an
instrument at once (:func:`reliability`).

Examples
--------
>>> import efficacy as ef
>>> ef.coefficients.alpha is ef.alpha
True
"""

from __future__ import annotations

from efficacy.coefficients._measurement_error import score_interval, sem
from efficacy.coefficients._retest import RetestResult, test_retest
from efficacy.coefficients._scales import InstrumentReliability, ScaleReliability, reliability
from efficacy.coefficients.alpha_family import (
    AlphaResult,
    CompareAlphasResult,
    GuttmanResult,
    KR20Result,
    KR21Result,
    NegativeItemWarning,
    SplitHalfResult,
    alpha,
    compare_alphas,
    guttman,
    kr20,
    kr21,
    split_half,
)
from efficacy.coefficients.factor_analysis import FactorResult, OmegaResult, fa, omega
from efficacy.coefficients.ordinal import PolychoricResult, ordinal_alpha, polychoric, tetrachoric

__all__ = [
    "AlphaResult",
    "CompareAlphasResult",
    "FactorResult",
    "GuttmanResult",
    "InstrumentReliability",
    "KR20Result",
    "KR21Result",
    "NegativeItemWarning",
    "OmegaResult",
    "PolychoricResult",
    "RetestResult",
    "ScaleReliability",
    "SplitHalfResult",
    "alpha",
    "compare_alphas",
    "fa",
    "guttman",
    "kr20",
    "kr21",
    "omega",
    "ordinal_alpha",
    "polychoric",
    "reliability",
    "score_interval",
    "sem",
    "split_half",
    "test_retest",
    "tetrachoric",
]
