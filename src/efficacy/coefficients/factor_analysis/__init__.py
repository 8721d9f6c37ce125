"""Exploratory factor analysis and McDonald's omega, as R psych computes them."""

from __future__ import annotations

from efficacy.coefficients.factor_analysis._fa import FactorResult, fa
from efficacy.coefficients.factor_analysis._omega import OmegaResult, omega

__all__ = ["FactorResult", "OmegaResult", "fa", "omega"]
