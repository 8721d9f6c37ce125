"""The APA table object: one table, rendered as Markdown, HTML or LaTeX."""

from __future__ import annotations

import html
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from efficacy.errors import DataError
from efficacy.output.tables._format import (
    BOUNDED,
    FORMATS,
    ITALIC,
    LATEX_GREEK,
    LATEX_SPECIAL,
    MINUS,
    P_NAMES,
    SYMBOLS,
    Format,
    format_cell,
    is_missing,
)
from efficacy.results import Result, Summary


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

    def summary(self) -> Summary:
        """The table's number, title, size and note, with the table itself."""
        label = f"Table {self.number}" if self.number is not None else "Table"
        rows = (
            ("title", self.title),
            ("size", f"{self.frame.shape[0]} rows x {self.frame.shape[1]} columns"),
        )
        notes = (self.note,) if self.note else ()
        return Summary(label, rows, notes, self.frame)

    def to_frame(self) -> pd.DataFrame:
        """The unrounded values (a copy)."""
        return self.frame.copy()

    # -- cells ---------------------------------------------------------------

    def cells(self) -> tuple[list[str], list[list[str]], list[str]]:
        """Headers (``*...*`` marks italics), formatted rows, and alignments ("l"/"r")."""
        return self._columns()

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
            cells.append([format_cell(v, 2, False, False) for v in frame.index])
            aligns.append("l")
        for column in frame.columns:
            digits = self.digits.get(column, 2) if isinstance(self.digits, Mapping) else self.digits
            values = frame[column].tolist()
            cells.append(
                [format_cell(v, digits, column in bounded, column in p_columns) for v in values]
            )
            headers.append(_header(column, self.symbols))
            numeric = pd.api.types.is_numeric_dtype(frame[column].dtype) or all(
                isinstance(v, tuple | numbers.Real) or is_missing(v) for v in values
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
            escaped = MINUS.sub("&minus;", html.escape(value, quote=False))
            return ITALIC.sub(r"<em>\1</em>", escaped)

        def title_text(value: str) -> str:
            return ITALIC.sub(r"<em>\1</em>", html.escape(value, quote=False))

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
            escaped = "".join(LATEX_SPECIAL.get(ch, ch) for ch in value)
            escaped = "".join(LATEX_GREEK.get(ch, ch) for ch in escaped)
            if numbers_:
                escaped = MINUS.sub("$-$", escaped)
            return ITALIC.sub(r"\\textit{\1}", escaped)

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
