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

import html
import math
import numbers
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from efficacy.errors import DataError
from efficacy.results import Result

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

_ITALIC = re.compile(r"\*([^*]+)\*")
_LATEX_SPECIAL = {
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
_LATEX_GREEK = {
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
_MINUS = re.compile(r"(?<![\w.])-(?=\.?\d)")


# ------------------------------------------------------------------ number formatting


def _is_missing(value: Any) -> bool:
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
    if _is_missing(value):
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
    if _is_missing(value):
        return _EMPTY
    number = float(value)
    floor = 10.0**-digits
    if number < floor:
        return "< " + strip_zero(f"{floor:.{digits}f}")
    return strip_zero(f"{number:.{digits}f}")


def _format_cell(value: Any, digits: int, bounded: bool, is_p: bool) -> str:
    if isinstance(value, tuple | list) and len(value) == 2:
        lower, upper = (_format_cell(v, digits, bounded, is_p) for v in value)
        return f"[{lower}, {upper}]"
    if is_p and not isinstance(value, str):
        return format_p(value, max(digits, 3))
    if isinstance(value, str):
        return value
    return format_number(value, digits, bounded=bounded)


# ------------------------------------------------------------------ the table object


def _plain_name(label: Any) -> str:
    return str(label).strip().lower()


def _header(label: Any, symbols: bool) -> str:
    text = str(label)
    return SYMBOLS.get(text, text) if symbols else text


@dataclass(frozen=True, repr=False)
class ApaTable(Result):
    """A table with its title and note, rendered APA-style on demand.

    ``frame`` keeps the unrounded values; :meth:`render` rounds for display. Cells
    holding a 2-tuple are written as an interval ``[lower, upper]``.

    Attributes
    ----------
    frame
        The values; the index becomes the first column unless it is a plain
        0..n-1 range.
    title
        The table's title (italic title case in APA).
    note
        A general note written under the table after *Note.*
    number
        The table's number (``Table 1``), or None for none.
    digits
        Decimals for every column, or a mapping column -> decimals (others 2).
    bounded
        Columns whose statistics cannot exceed 1 (no leading zero); None: by name.
    p_columns
        Columns holding p values; None: by name (``p``, ``p_value``).
    symbols
        Replace plain statistic names in the headers by their APA symbols.
    """

    frame: pd.DataFrame
    title: str
    note: str | None = None
    number: int | None = None
    digits: int | Mapping[Any, int] = 2
    bounded: tuple[Any, ...] | None = None
    p_columns: tuple[Any, ...] | None = None
    symbols: bool = True
    align: Mapping[Any, str] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """The unrounded values (a copy)."""
        return self.frame.copy()

    # -- cells ---------------------------------------------------------------

    def _columns(self) -> tuple[list[str], list[list[str]], list[str]]:
        """Headers, formatted rows and column alignments ("l" or "r")."""
        frame = self.frame
        show_index = not (
            isinstance(frame.index, pd.RangeIndex)
            and frame.index.start == 0
            and frame.index.step == 1
            and frame.index.name is None
        )
        bounded = (
            {c for c in frame.columns if _plain_name(c) in BOUNDED}
            if self.bounded is None
            else set(self.bounded)
        )
        p_columns = (
            {c for c in frame.columns if _plain_name(c) in P_NAMES}
            if self.p_columns is None
            else set(self.p_columns)
        )
        headers: list[str] = []
        cells: list[list[str]] = []
        aligns: list[str] = []
        if show_index:
            headers.append(_header(frame.index.name or "", self.symbols))
            cells.append([_format_cell(v, 2, False, False) for v in frame.index])
            aligns.append("l")
        for column in frame.columns:
            digits = self.digits.get(column, 2) if isinstance(self.digits, Mapping) else self.digits
            values = frame[column].tolist()
            cells.append(
                [_format_cell(v, digits, column in bounded, column in p_columns) for v in values]
            )
            headers.append(_header(column, self.symbols))
            numeric = pd.api.types.is_numeric_dtype(frame[column].dtype) or all(
                isinstance(v, tuple | numbers.Real) or _is_missing(v) for v in values
            )
            aligns.append(self.align.get(column, "r" if numeric else "l"))
        rows = [list(row) for row in zip(*cells, strict=True)] if cells else []
        return headers, rows, aligns

    # -- renderers -----------------------------------------------------------

    def render(self, fmt: Format = "markdown") -> str:
        """The table as ``"markdown"``, ``"html"`` or ``"latex"`` text."""
        if fmt not in FORMATS:
            raise DataError(f"fmt must be one of {list(FORMATS)}, got {fmt!r}")
        return {"markdown": self.to_markdown, "html": self.to_html, "latex": self.to_latex}[fmt]()

    def to_markdown(self) -> str:
        """Markdown (pipe table) with the number in bold and the title in italics."""
        headers, rows, aligns = self._columns()

        def cell(text: str) -> str:
            return text.replace("|", r"\|").replace("\n", " ")

        lines = []
        if self.number is not None:
            lines += [f"**Table {self.number}**", ""]
        lines += [f"*{self.title}*", ""]
        lines.append("| " + " | ".join(cell(h) for h in headers) + " |")
        lines.append("|" + "|".join(":--" if a == "l" else "--:" for a in aligns) + "|")
        lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
        if self.note:
            lines += ["", f"*Note.* {self.note}"]
        return "\n".join(lines)

    def to_html(self) -> str:
        """An HTML fragment: the table with APA rules (top, below the header, bottom)."""
        headers, rows, aligns = self._columns()
        rule = "border-bottom:1px solid currentColor"
        pad = "padding:0.2em 0.7em"

        def text(value: str) -> str:
            escaped = _MINUS.sub("&minus;", html.escape(value, quote=False))
            return _ITALIC.sub(r"<em>\1</em>", escaped)

        def title_text(value: str) -> str:
            return _ITALIC.sub(r"<em>\1</em>", html.escape(value, quote=False))

        def align(a: str) -> str:
            return "left" if a == "l" else "right"

        caption = ""
        if self.number is not None:
            caption += f"<strong>Table {self.number}</strong><br>"
        caption += f"<em>{title_text(self.title)}</em>"
        head = "".join(
            f'<th style="text-align:{align(a)};{pad};{rule}">{title_text(h)}</th>'
            for h, a in zip(headers, aligns, strict=True)
        )
        body = "".join(
            "<tr>"
            + "".join(
                f'<td style="text-align:{align(a)};{pad}">{text(c)}</td>'
                for c, a in zip(row, aligns, strict=True)
            )
            + "</tr>"
            for row in rows
        )
        note = (
            f'<p class="apa-note"><em>Note.</em> {title_text(self.note)}</p>' if self.note else ""
        )
        return (
            '<div class="apa-table">'
            '<table style="border-collapse:collapse;border-top:2px solid currentColor;'
            'border-bottom:2px solid currentColor;font-variant-numeric:tabular-nums">'
            f'<caption style="caption-side:top;text-align:left;padding-bottom:0.4em">'
            f"{caption}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{note}</div>"
        )

    def to_latex(self) -> str:
        """A LaTeX ``table`` with ``booktabs`` rules (needs ``\\usepackage{booktabs}``)."""
        headers, rows, aligns = self._columns()

        def text(value: str, numbers_: bool = False) -> str:
            escaped = "".join(_LATEX_SPECIAL.get(ch, ch) for ch in value)
            escaped = "".join(_LATEX_GREEK.get(ch, ch) for ch in escaped)
            if numbers_:
                escaped = _MINUS.sub("$-$", escaped)
            return _ITALIC.sub(r"\\textit{\1}", escaped)

        lines = [
            r"\begin{table}[htbp]",
            r"\centering",
            r"\caption{" + text(self.title) + "}",
            r"\begin{tabular}{" + "".join(aligns) + "}",
            r"\toprule",
            " & ".join(text(h) for h in headers) + r" \\",
            r"\midrule",
        ]
        lines += [" & ".join(text(c, numbers_=True) for c in row) + r" \\" for row in rows]
        lines += [r"\bottomrule", r"\end{tabular}"]
        if self.note:
            lines += [r"\par\smallskip", r"{\small \textit{Note.} " + text(self.note) + "}"]
        lines.append(r"\end{table}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_markdown()

    def _repr_html_(self) -> str:
        return self.to_html()

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


def apa_table(
    frame: pd.DataFrame,
    *,
    title: str,
    note: str | None = None,
    digits: int | Mapping[Any, int] = 2,
    fmt: Format = "markdown",
    number: int | None = None,
    bounded: Iterable[Any] | None = None,
    p_columns: Iterable[Any] | None = None,
    symbols: bool = True,
) -> str:
    """Render a DataFrame as an APA-style table.

    Parameters
    ----------
    frame
        The values, unrounded. The index is the first column unless it is a plain
        0..n-1 range. Cells holding a 2-tuple are written as intervals.
    title
        Table title (set in italics).
    note
        General note under the table, after *Note.*
    digits
        Decimals for every column, or a mapping column -> decimals (others 2).
        p values always get at least 3.
    fmt
        ``"markdown"``, ``"html"`` or ``"latex"`` (booktabs).
    number
        The table number, written ``Table 1`` above the title.
    bounded
        Columns whose statistics cannot exceed 1 (written without a leading zero).
        Default: recognised by name (``alpha``, ``r``, ``omega``, ``p``, ...).
    p_columns
        Columns of p values (default: named ``p`` or ``p_value``).
    symbols
        Replace plain statistic names (``mean``, ``sd``, ``n`` ...) by APA symbols.

    Returns
    -------
    str
        The table in the requested format.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"r": [0.512, -0.031]}, index=pd.Index(["a", "b"], name="Item"))
    >>> print(apa_table(frame, title="Item-rest correlations", fmt="latex"))
    \\begin{table}[htbp]
    \\centering
    \\caption{Item-rest correlations}
    \\begin{tabular}{lr}
    \\toprule
    Item & \\textit{r} \\\\
    \\midrule
    a & .51 \\\\
    b & $-$.03 \\\\
    \\bottomrule
    \\end{tabular}
    \\end{table}
    """
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"apa_table needs a DataFrame, got {type(frame).__name__}")
    table = ApaTable(
        frame=frame,
        title=title,
        note=note,
        number=number,
        digits=digits,
        bounded=None if bounded is None else tuple(bounded),
        p_columns=None if p_columns is None else tuple(p_columns),
        symbols=symbols,
    )
    return table.render(fmt)


# ------------------------------------------------------------------ builders

#: How the interval methods of :func:`efficacy.alpha` are named in table notes.
CI_METHODS: dict[str, str] = {
    "feldt": "Feldt",
    "duhachek": "Duhachek",
    "bootstrap": "percentile bootstrap",
    "bca": "BCa bootstrap",
}


def _scale_results(source: Any, what: str) -> dict[str, Any]:
    """Normalise one result, a mapping of results or a per-scale result object."""
    if source is None:
        return {}
    if isinstance(source, Mapping):
        return dict(source)
    inner = getattr(source, "scales", None)
    if isinstance(inner, Mapping):
        return dict(inner)
    if hasattr(source, what):
        return {"": source}
    raise DataError(
        f"expected a result with .{what}, a dict scale -> result, or the result of "
        f"efficacy.reliability(); got {type(source).__name__}"
    )


def _split(entry: Any) -> tuple[Any, Any, str]:
    """(alpha result, omega result, published alpha) of one scale's entry."""
    inner = getattr(entry, "alpha", None)
    if inner is not None and not isinstance(inner, numbers.Real):  # a per-scale result
        return inner, getattr(entry, "omega", None), getattr(entry, "published_alpha", "")
    return entry, None, ""


def _omega_ci(res_omega: Any) -> tuple[float, float]:
    ci = getattr(res_omega, "ci", None)
    if isinstance(ci, pd.DataFrame) and "omega_total" in ci.index:
        return float(ci.loc["omega_total", "lower"]), float(ci.loc["omega_total", "upper"])
    return math.nan, math.nan


def _published_text(text: str) -> str:
    """Published coefficients in APA form: ``0.76-0.9`` -> ``.76–.90``."""
    text = re.sub(r"\d*\.\d+", lambda m: strip_zero(f"{float(m.group()):.2f}"), text)
    return re.sub(r"(?<=\d)-(?=\.?\d)", "–", text)


def reliability_table(
    alpha: Any,
    omega: Any = None,
    *,
    title: str = "Internal consistency",
    note: str | None = None,
    number: int | None = None,
    names: Mapping[str, str] | None = None,
) -> ApaTable:
    """Reliability of one or more scales: alpha with its interval, omega, mean and SD.

    Parameters
    ----------
    alpha
        The result of :func:`efficacy.reliability` (alpha and omega of every scale),
        an :class:`~efficacy.reliability.classical.AlphaResult`, or a dict scale id ->
        AlphaResult.
    omega
        An OmegaResult or a dict scale id -> OmegaResult; it replaces the omega held
        by a result of :func:`efficacy.reliability` (e.g. one with a bootstrap
        interval).
    names
        Display names of the scales (scale id -> name).

    Returns
    -------
    ApaTable
        Columns *n*, *k* (items), α and its interval, ω total (psych's form, observed
        variance) and ω from the model-implied variance (McDonald) when omega is
        known, the *M* and *SD* of the mean item score, and the published α when the
        instrument gives one.

    Examples
    --------
    >>> import efficacy as ef
    >>> from efficacy import datasets
    >>> items = ef.item_responses(datasets.load_prepost(), "gse", columns="pre_gse{n}")
    >>> table = reliability_table({"gse": ef.alpha(items)}, names={"gse": "GSE"})
    >>> list(table.frame.columns)
    ['*n*', '*k*', 'α', '95% CI', '*M*', '*SD*']
    """
    entries = _scale_results(alpha, "alpha")
    extra_omega = _scale_results(omega, "omega_total")
    names = dict(names or {})
    rows = []
    levels: set[float] = set()
    methods: set[str] = set()
    has_omega = has_model = has_published = has_omega_ci = False
    for key, entry in entries.items():
        res_alpha, res_omega, published = _split(entry)
        if key in extra_omega:  # omega given explicitly wins over the one held in alpha
            res_omega = extra_omega[key]
        elif len(extra_omega) == 1 and len(entries) == 1:
            res_omega = next(iter(extra_omega.values()))
        levels.add(float(getattr(res_alpha, "level", 0.95)))
        if getattr(res_alpha, "ci_method", None):
            methods.add(str(res_alpha.ci_method))
        row: dict[str, Any] = {
            "Scale": names.get(key, key) or "Scale",
            "*n*": getattr(res_alpha, "n_obs", None),
            "*k*": getattr(res_alpha, "n_items", None),
            "α": res_alpha.alpha,
            "CI": tuple(getattr(res_alpha, "ci", (math.nan, math.nan))),
            "ω": getattr(res_omega, "omega_total", math.nan),
            "ω CI": _omega_ci(res_omega),
            "ω (model)": getattr(res_omega, "omega_total_model", math.nan),
            "*M*": getattr(res_alpha, "mean", math.nan),
            "*SD*": getattr(res_alpha, "sd", math.nan),
            "Published α": _published_text(published or ""),
        }
        has_omega |= res_omega is not None and hasattr(res_omega, "omega_total")
        has_model |= res_omega is not None and hasattr(res_omega, "omega_total_model")
        has_published |= bool(published)
        has_omega_ci |= not math.isnan(row["ω CI"][0])
        rows.append(row)
    frame = pd.DataFrame(rows).set_index("Scale")
    dropped = [
        name
        for name, keep in (
            ("ω", has_omega),
            ("ω CI", has_omega_ci),
            ("ω (model)", has_model),
            ("Published α", has_published),
        )
        if not keep
    ]
    frame = frame.drop(columns=dropped)
    level = levels.pop() if len(levels) == 1 else 0.95
    ci_label = f"{level * 100:g}% CI"
    frame = frame.rename(columns={"CI": ci_label, "ω CI": f"ω {ci_label}"})
    parts = ["α = Cronbach's alpha"]
    if methods:
        named = ", ".join(sorted(CI_METHODS.get(m, m) for m in methods))
        parts[0] += f" with its {ci_label} ({named})"
    if has_omega:
        parts.append(
            "ω = McDonald's omega total of a one-factor model over the observed total "
            "variance (R psych)"
        )
    if has_omega_ci:
        parts[-1] += " with its bootstrap interval"
    if has_model:
        parts.append("ω (model) = the same over the model-implied variance")
    parts.append("*M* and *SD* of the mean item score")
    if has_published:
        parts.append("published α as reported for the instrument")
    return ApaTable(
        frame=frame,
        title=title,
        note=note if note is not None else "; ".join(parts) + ".",
        number=number,
        bounded=("α", ci_label, "ω", f"ω {ci_label}", "ω (model)"),
        p_columns=(),
        symbols=False,
        align={"Published α": "r"},
    )


def item_table(
    alpha_result: Any,
    *,
    instrument: Any = None,
    title: str = "Item statistics",
    note: str | None = None,
    number: int | None = None,
    text_width: int = 60,
) -> ApaTable:
    """Item analysis: *n*, *M*, *SD*, item-rest *r* and alpha if the item is deleted.

    Parameters
    ----------
    alpha_result
        An AlphaResult (its ``items`` table).
    instrument
        An Instrument (or bundled id): adds each item's wording, shortened to
        ``text_width`` characters.

    Examples
    --------
    >>> import efficacy as ef
    >>> from efficacy import datasets
    >>> items = ef.item_responses(datasets.load_prepost(), "gse", columns="pre_gse{n}")
    >>> table = item_table(ef.alpha(items))
    >>> list(table.frame.columns)
    ['n', 'mean', 'sd', 'Item-rest *r*', 'α if deleted']
    """
    stats = alpha_result.items
    frame = pd.DataFrame(index=pd.Index([str(i) for i in stats.index], name="Item"))
    if instrument is not None:
        from efficacy.loader import load

        inst = load(instrument)
        texts = {item.id: item.text for item in inst.items}

        def shorten(text: str) -> str:
            return text if len(text) <= text_width else text[: text_width - 1].rstrip() + "…"

        frame["Wording"] = [shorten(texts.get(i, "")) for i in frame.index]
        reversed_items = set(inst.reverse_items)
        if reversed_items:
            frame.index = pd.Index(
                [f"{i} (R)" if i in reversed_items else i for i in frame.index], name="Item"
            )
    for source, label in (
        ("n", "n"),
        ("mean", "mean"),
        ("sd", "sd"),
        ("r_drop", "Item-rest *r*"),
        ("alpha_if_deleted", "α if deleted"),
    ):
        if source in stats.columns:
            frame[label] = stats[source].to_numpy()
    default = (
        "Item-rest *r* = correlation of the item with the sum of the other items "
        "(corrected item-total correlation); α if deleted = Cronbach's alpha of the "
        f"remaining items. Overall α = {format_number(alpha_result.alpha, bounded=True)}."
    )
    if "(R)" in " ".join(frame.index):
        default += " (R) = reverse-keyed item, analysed after reversal."
    return ApaTable(
        frame=frame,
        title=title,
        note=note if note is not None else default,
        number=number,
        bounded=("Item-rest *r*", "α if deleted"),
        p_columns=(),
        symbols=True,
        align={"Wording": "l"},
    )


#: NormComparison columns -> APA headers, in display order.
_NORM_COLUMNS: dict[str, str] = {
    "scale": "Scale",
    "n": "*n*",
    "mean": "*M*",
    "sd": "*SD*",
    "norm_mean": "Norm *M*",
    "norm_sd": "Norm *SD*",
    "mean_diff": "Difference",
    "t": "*t*",
    "df": "*df*",
    "p": "*p*",
    "d": "*d*",
}


def norm_comparison_table(
    comparison: Any,
    *,
    title: str = "Comparison with the norm sample",
    note: str | None = None,
    number: int | None = None,
    effect: Literal["d", "g"] = "d",
) -> ApaTable:
    """Sample against norm: *n*, *M*, *SD*, the norm's *M* and *SD*, *t*, *df*, *p*, *d* [CI].

    Parameters
    ----------
    comparison
        A NormComparison (from :func:`efficacy.compare_to_norm`) or its ``to_frame()``.
    effect
        The effect size shown: Cohen's ``"d"`` or Hedges' ``"g"``.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"n": [120], "mean": [31.2], "sd": [4.8], "norm_mean": [29.59],
    ...                       "norm_sd": [5.29], "t": [3.67], "df": [119.0], "p": [0.00036],
    ...                       "d": [0.30], "d_ci_lower": [0.12], "d_ci_upper": [0.49]})
    >>> print(norm_comparison_table(frame).to_markdown().splitlines()[4])
    | 120 | 31.20 | 4.80 | 29.59 | 5.29 | 3.67 | 119 | < .001 | 0.30 | [0.12, 0.49] |
    """
    frame = comparison.to_frame() if hasattr(comparison, "to_frame") else comparison
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"expected a NormComparison or a DataFrame, got {type(frame).__name__}")
    if effect not in ("d", "g"):
        raise DataError(f"effect must be 'd' or 'g', got {effect!r}")
    level = float(getattr(comparison, "level", 0.95))
    columns = dict(_NORM_COLUMNS)
    if effect == "g":
        columns.pop("d")
        columns["g"] = "*g*"
    out = pd.DataFrame(index=frame.index)
    for column, label in columns.items():
        if column in frame.columns:
            out[label] = frame[column].to_numpy()
    lower, upper = f"{effect}_ci_lower", f"{effect}_ci_upper"
    ci_label = f"*{effect}* {level * 100:g}% CI"
    if lower in frame.columns and upper in frame.columns:
        out[ci_label] = list(zip(frame[lower].to_numpy(), frame[upper].to_numpy(), strict=True))
    if out.shape[1] == 0:
        out = frame.copy()
    if out.index.name is not None:
        out.index.name = str(out.index.name).capitalize()
    digits = {"*df*": 0 if "*df*" in out and _integral(out["*df*"]) else 2}
    if note is None:
        sd_used = set(frame["d_sd"]) if "d_sd" in frame.columns else {"norm"}
        sd_text = " or ".join(
            "the norm *SD*" if used == "norm" else "the sample *SD*" for used in sorted(sd_used)
        )
        name = "Cohen's *d*" if effect == "d" else "Hedges' *g*"
        note = (
            "One-sample *t* test of the sample mean against the norm mean; "
            f"{name} = (*M* − norm *M*) / {sd_text}."
        )
    return ApaTable(
        frame=out,
        title=title,
        note=note,
        number=number,
        digits=digits,
        p_columns=tuple(c for c in out.columns if c == "*p*"),
        bounded=(),
        symbols=True,
    )


def _integral(values: pd.Series) -> bool:
    numbers_ = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    return bool(numbers_.size) and bool(np.all(numbers_ == np.round(numbers_)))


def descriptives_table(
    scores: pd.DataFrame,
    *,
    columns: Sequence[Any] | None = None,
    group: pd.Series | str | None = None,
    title: str = "Score descriptives",
    note: str | None = None,
    number: int | None = None,
) -> ApaTable:
    """Descriptive statistics of scale scores: *n*, *M*, *SD*, minimum and maximum.

    Parameters
    ----------
    scores
        The output of :func:`efficacy.score` (or any frame of scores).
    columns
        The score columns (default: the scale columns recorded by ``score``, else
        every numeric column not ending in ``_n_valid``).
    group
        A column name of ``scores`` or a Series on its index: one row per group and
        scale.

    Examples
    --------
    >>> import pandas as pd
    >>> scores = pd.DataFrame({"gse": [30.0, 25.0, None, 35.0], "gse_n_valid": [10, 9, 5, 10]})
    >>> print(descriptives_table(scores, title="Scores").to_markdown())
    *Scores*
    <BLANKLINE>
    | Score | *n* | *M* | *SD* | Min | Max |
    |:--|--:|--:|--:|--:|--:|
    | gse | 3 | 30.00 | 5.00 | 25.00 | 35.00 |
    <BLANKLINE>
    *Note.* *SD* with the n − 1 denominator; respondents without a score are not counted.
    """
    if not isinstance(scores, pd.DataFrame):
        raise DataError(f"scores must be a DataFrame, got {type(scores).__name__}")
    if columns is None:
        methods = scores.attrs.get("efficacy", {}).get("methods")
        if methods:
            columns = [c for c in methods if c in scores.columns]
        else:
            columns = [
                c
                for c in scores.columns
                if pd.api.types.is_numeric_dtype(scores[c].dtype)
                and not str(c).endswith("_n_valid")
            ]
    columns = list(columns)
    missing = [c for c in columns if c not in scores.columns]
    if missing:
        raise DataError(f"scores lacks the columns {missing}; it has {list(scores.columns)}")

    def summary(frame: pd.DataFrame) -> pd.DataFrame:
        numeric = frame[columns].astype(float)
        return pd.DataFrame(
            {
                "n": numeric.count().astype(int),
                "mean": numeric.mean(),
                "sd": numeric.std(ddof=1),
                "Min": numeric.min(),
                "Max": numeric.max(),
            }
        )

    if group is None:
        frame = summary(scores)
        frame.index = pd.Index([str(c) for c in columns], name="Score")
    else:
        labels = scores[group] if isinstance(group, str) else group
        if not isinstance(labels, pd.Series) or not labels.index.equals(scores.index):
            raise DataError("group must be a column of scores or a Series on scores' index")
        parts = {
            str(key): summary(part)
            for key, part in scores.groupby(labels.to_numpy(), sort=True, dropna=True)
        }
        frame = pd.concat(parts, names=[str(labels.name or "Group"), "Score"])
        frame = frame.reset_index().set_index(str(labels.name or "Group"))
    default = "*SD* with the n − 1 denominator; respondents without a score are not counted."
    return ApaTable(
        frame=frame,
        title=title,
        note=note if note is not None else default,
        number=number,
        bounded=(),
        p_columns=(),
        symbols=True,
    )
