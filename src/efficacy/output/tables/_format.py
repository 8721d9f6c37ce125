"""APA-style tables in Markdown, HTML and LaTeX: the only place numbers are rounded.

Results keep full precision; a table rounds for display only, following the APA
Publication Manual (7th ed.):

- statistics that cannot exceed 1 in magnitude (correlations, alpha, omega,
  proportions, p values) are written without a leading zero: ``.87``, ``-.12``;
- p values have three decimals, and ``< .001`` below that;
- statistic symbols are italic (*M*, *SD*, *n*, *r*, *t*, *p*, *d*); Greek letters
  (α, ω) are not;
- confidence intervals are written ``[.81, .88]``; empty cells are an em dash;
- numbers of 1,000 and more have thousands separators.

Headers may mark italic spans with asterisks (``"Item-rest *r*"``): Markdown keeps
them, HTML writes ``<em>``, LaTeX ``\\textit``. A plain header that is a known
statistic name (``"mean"``, ``"sd"``, ``"n"``, ``"alpha"``, ...) is replaced by its
APA symbol.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"n": [596], "mean": [29.4627], "alpha": [0.8724], "p": [0.00002]},
...                      index=pd.Index(["GSE"], name="Scale"))
>>> from efficacy.output.tables import apa_table
>>> print(apa_table(frame, title="Reliability", number=1))
**Table 1**
<BLANKLINE>
*Reliability*
<BLANKLINE>
| Scale | *n* | *M* | α | *p* |
|:--|--:|--:|--:|--:|
| GSE | 596 | 29.46 | .87 | < .001 |
"""

from __future__ import annotations

import math
import numbers
import re
from typing import Any, Literal

import numpy as np
import pandas as pd

Format = Literal["markdown", "html", "latex"]
FORMATS: tuple[str, ...] = ("markdown", "html", "latex")

#: Plain column names replaced by their APA symbol (asterisks mark italics).
SYMBOLS: dict[str, str] = {
    "n": "*n*",
    "N": "*N*",
    "mean": "*M*",
    "M": "*M*",
    "sd": "*SD*",
    "SD": "*SD*",
    "se": "*SE*",
    "SE": "*SE*",
    "t": "*t*",
    "df": "*df*",
    "p": "*p*",
    "d": "*d*",
    "g": "*g*",
    "r": "*r*",
    "z": "*z*",
    "F": "*F*",
    "alpha": "α",
    "omega": "ω",
}

#: Column names (lower case) of statistics bounded by 1 in magnitude: no leading zero.
BOUNDED: frozenset[str] = frozenset(
    {
        "r",
        "*r*",
        "alpha",
        "α",
        "omega",
        "ω",
        "p",
        "*p*",
        "raw_r",
        "std_r",
        "r_cor",
        "r_drop",
        "std_alpha",
        "alpha_if_deleted",
        "std_alpha_if_deleted",
        "g6",
        "average_r",
        "median_r",
        "omega_total",
        "omega_h",
        "omega_hierarchical",
        "omega_total_model",
        "loading",
        "h2",
        "u2",
        "icc",
        "kr20",
        "lambda2",
        "lambda4",
        "lambda6",
        "proportion",
        "percent_missing",
    }
)

#: Column names (lower case) holding p values.
P_NAMES: frozenset[str] = frozenset({"p", "*p*", "p_value", "pvalue", "p-value"})

ITALIC = re.compile(r"\*([^*]+)\*")
LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
LATEX_GREEK = {
    "α": r"$\alpha$",
    "β": r"$\beta$",
    "λ": r"$\lambda$",
    "ω": r"$\omega$",
    "χ": r"$\chi$",
    "Δ": r"$\Delta$",
    "—": "---",
    "–": "--",
    "≤": r"$\leq$",
    "≥": r"$\geq$",
    "−": "$-$",
    "…": r"\ldots{}",
}
_EMPTY = "—"
#: A hyphen used as a minus sign: before a digit or a decimal point, not inside a word.
MINUS = re.compile(r"(?<![\w.])-(?=\.?\d)")


# ------------------------------------------------------------------ number formatting


def is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, numbers.Real) and math.isnan(float(value))


def strip_zero(text: str) -> str:
    """Drop the leading zero of a formatted number: ``"0.87"`` -> ``".87"``.

    Examples
    --------
    >>> strip_zero("0.87"), strip_zero("-0.05"), strip_zero("1.00")
    ('.87', '-.05', '1.00')
    """
    if text.startswith("0."):
        return text[1:]
    if text.startswith("-0."):
        return "-" + text[2:]
    return text


def format_number(value: Any, digits: int = 2, *, bounded: bool = False) -> str:
    """One number as APA writes it (rounded here, for display only).

    Parameters
    ----------
    value
        A number; missing values give an em dash.
    digits
        Decimals for non-integers.
    bounded
        The statistic cannot exceed 1 in magnitude: no leading zero.

    Examples
    --------
    >>> format_number(0.8724), format_number(0.8724, bounded=True), format_number(19120)
    ('0.87', '.87', '19,120')
    >>> format_number(-0.004, bounded=True), format_number(float("nan"))
    ('-.00', '—')
    """
    if is_missing(value):
        return _EMPTY
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if not isinstance(value, numbers.Real):
        return str(value)
    number = float(value)
    if math.isinf(number):
        return "∞" if number > 0 else "-∞"
    text = f"{number:,.{digits}f}"
    return strip_zero(text) if bounded else text


def format_p(value: Any, digits: int = 3) -> str:
    """A p value as APA writes it: no leading zero, ``< .001`` below the last decimal.

    Examples
    --------
    >>> format_p(0.0342), format_p(0.00004), format_p(0.5), format_p(1.0)
    ('.034', '< .001', '.500', '1.000')
    """
    if is_missing(value):
        return _EMPTY
    number = float(value)
    floor = 10.0**-digits
    if number < floor:
        return "< " + strip_zero(f"{floor:.{digits}f}")
    return strip_zero(f"{number:.{digits}f}")


def format_cell(value: Any, digits: int, bounded: bool, is_p: bool) -> str:
    if isinstance(value, tuple | list) and len(value) == 2:
        lower, upper = (format_cell(v, digits, bounded, is_p) for v in value)
        return f"[{lower}, {upper}]"
    if is_p and not isinstance(value, str):
        return format_p(value, max(digits, 3))
    if isinstance(value, str):
        return value
    return format_number(value, digits, bounded=bounded)


# ------------------------------------------------------------------ the table object


# ------------------------------------------------------------------ builders
