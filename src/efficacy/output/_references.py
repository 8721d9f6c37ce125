"""References for the methods the report uses, in APA style."""

from __future__ import annotations

#: Method -> APA reference.
METHOD_REFERENCES: dict[str, str] = {
    "alpha": (
        "Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. "
        "Psychometrika, 16(3), 297–334. https://doi.org/10.1007/BF02310555"
    ),
    "feldt": (
        "Feldt, L. S. (1965). The approximate sampling distribution of Kuder-Richardson "
        "reliability coefficient twenty. Psychometrika, 30(3), 357–370. "
        "https://doi.org/10.1007/BF02289499"
    ),
    "omega": "McDonald, R. P. (1999). Test theory: A unified treatment. Lawrence Erlbaum.",
    "bootstrap": (
        "Efron, B., & Tibshirani, R. J. (1993). An introduction to the bootstrap. Chapman & Hall."
    ),
    "psych": (
        "Revelle, W. (2022). psych: Procedures for psychological, psychometric, and "
        "personality research (R package version 2.2.9). Northwestern University. "
        "https://CRAN.R-project.org/package=psych"
    ),
    "describe": (
        "Joanes, D. N., & Gill, C. A. (1998). Comparing measures of sample skewness and "
        "kurtosis. Journal of the Royal Statistical Society: Series D, 47(1), 183–189. "
        "https://doi.org/10.1111/1467-9884.00122"
    ),
    "cohen_d": (
        "Cohen, J. (1988). Statistical power analysis for the behavioral sciences "
        "(2nd ed.). Lawrence Erlbaum."
    ),
}


def references(keys: list[str]) -> list[str]:
    """The references of ``keys`` (unknown keys skipped), sorted as in a reference list.

    Examples
    --------
    >>> [r.split(",")[0] for r in references(["omega", "alpha"])]
    ['Cronbach', 'McDonald']
    """
    return sorted({METHOD_REFERENCES[key] for key in keys if key in METHOD_REFERENCES})
