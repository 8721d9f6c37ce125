"""Polychoric and tetrachoric correlations, and ordinal alpha."""

from __future__ import annotations

from efficacy.coefficients.ordinal._polychoric import (
    PolychoricResult,
    cor_smooth,
    ordinal_alpha,
    polychoric,
    polychoric_table,
    tetrachoric,
)

__all__ = [
    "PolychoricResult",
    "cor_smooth",
    "ordinal_alpha",
    "polychoric",
    "polychoric_table",
    "tetrachoric",
]
