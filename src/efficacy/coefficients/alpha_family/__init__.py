"""The alpha family: Cronbach's alpha, split-half, Guttman's lambdas, KR-20/21
and alpha comparisons."""

from __future__ import annotations

from efficacy.coefficients.alpha_family._alpha import AlphaResult, NegativeItemWarning, alpha
from efficacy.coefficients.alpha_family._compare import CompareAlphasResult, compare_alphas
from efficacy.coefficients.alpha_family._guttman import (
    GuttmanResult,
    KR20Result,
    KR21Result,
    guttman,
    kr20,
    kr21,
)
from efficacy.coefficients.alpha_family._split_half import SplitHalfResult, split_half

__all__ = [
    "AlphaResult",
    "CompareAlphasResult",
    "GuttmanResult",
    "KR20Result",
    "KR21Result",
    "NegativeItemWarning",
    "SplitHalfResult",
    "alpha",
    "compare_alphas",
    "guttman",
    "kr20",
    "kr21",
    "split_half",
]
