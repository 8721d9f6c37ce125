"""The base of every result object: a frozen dataclass that reads well in a notebook.

A result subclasses :class:`Result`, declares its fields as a frozen dataclass and
implements :meth:`Result.to_frame`. It then gets a readable ``repr`` (scalars shown
to 4 significant digits for display only; the stored numbers are never rounded),
tables summarised by their shape, :meth:`Result.summary` (what was computed, how, on how
many respondents and what was left out, as text on the console and as HTML in a
notebook, in the same layout), and an HTML view for Jupyter that is the summary.

Examples
--------
>>> from dataclasses import dataclass
>>> import pandas as pd
>>> @dataclass(frozen=True, repr=False)
... class Mean(Result):
...     value: float
...     n: int
...     def to_frame(self) -> pd.DataFrame:
...         return pd.DataFrame({"value": [self.value], "n": [self.n]})
>>> Mean(2.0 / 3.0, 3)
Mean(value=0.6667, n=3)
>>> print(Mean(2.0 / 3.0, 3).summary())
Mean
  value  0.6667
  n      3
"""

from __future__ import annotations

import dataclasses
import html
import numbers
import textwrap
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


def _format_value(value: Any) -> str:
    if isinstance(value, pd.DataFrame):
        return f"<DataFrame {value.shape[0]}x{value.shape[1]}>"
    if isinstance(value, pd.Series):
        return f"<Series {len(value)}>"
    if isinstance(value, np.ndarray):
        return f"<array {'x'.join(map(str, value.shape))}>"
    if isinstance(value, bool | np.bool_):
        return repr(bool(value))
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return f"{float(value):.4g}"
    if isinstance(value, tuple) and all(isinstance(v, numbers.Real) for v in value):
        return "(" + ", ".join(_format_value(v) for v in value) + ")"
    if isinstance(value, Result):
        return f"<{type(value).__name__}>"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass(frozen=True)
class Summary:
    """What a result says, laid out the same way as text and as HTML.

    ``rows`` are the key numbers (label, value as text), ``notes`` say how they were
    made (method, where an SD or a reliability came from, what was dropped), and
    ``table`` is an optional detail table shown below them.
    """

    title: str
    rows: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    table: pd.DataFrame | None = None

    def __str__(self) -> str:
        lines = [self.title]
        width = max((len(label) for label, _ in self.rows), default=0)
        lines += [f"  {label:<{width}}  {value}" for label, value in self.rows]
        for note in self.notes:
            lines += textwrap.wrap(
                note, width=88, initial_indent="  Note: ", subsequent_indent="        "
            )
        if self.table is not None and len(self.table):
            shown = self.table.to_string(float_format=lambda v: f"{v:.4g}", na_rep="")
            lines += ["", *("  " + line for line in shown.splitlines())]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(label)}</th>"
            f"<td style='text-align:left'>{html.escape(value)}</td></tr>"
            for label, value in self.rows
        )
        notes = "".join(f"<p><em>Note.</em> {html.escape(note)}</p>" for note in self.notes)
        table = ""
        if self.table is not None and len(self.table):
            table = self.table.to_html(float_format=lambda v: f"{v:.4g}", na_rep="")
        return (
            f"<div><strong>{html.escape(self.title)}</strong>"
            f"<table>{rows}</table>{notes}{table}</div>"
        )


def format_value(value: Any) -> str:
    """A value as :class:`Result` shows it: 4 significant digits, tables by shape."""
    return _format_value(value)


class Result:
    """Mixin for frozen result dataclasses: ``repr``, ``summary``, ``to_frame`` and HTML."""

    def to_frame(self) -> pd.DataFrame:  # pragma: no cover - every subclass overrides
        """Return the result as a tidy DataFrame."""
        raise NotImplementedError

    def _repr_fields(self) -> list[tuple[str, Any]]:
        return [
            (f.name, getattr(self, f.name))
            for f in dataclasses.fields(self)  # type: ignore[arg-type]
            if f.repr
        ]

    def __repr__(self) -> str:
        body = ", ".join(f"{name}={_format_value(value)}" for name, value in self._repr_fields())
        return f"{type(self).__name__}({body})"

    def summary(self) -> Summary:
        """What the result says: its key numbers, how they were made, and what was left out.

        ``print(result.summary())`` on the console; in a notebook the summary displays
        as HTML in the same layout.
        """
        rows = tuple(
            (name, _format_value(value))
            for name, value in self._repr_fields()
            if not isinstance(value, pd.DataFrame | pd.Series | np.ndarray)
        )
        return Summary(type(self).__name__, rows, self._summary_notes())

    def _summary_notes(self) -> tuple[str, ...]:
        return ()

    def _repr_html_(self) -> str:
        shown = self.summary()
        if isinstance(shown, Summary):
            return shown._repr_html_()
        table = self.to_frame().to_html(float_format=lambda v: f"{v:.4g}", na_rep="")
        return f"<div><pre>{html.escape(str(shown))}</pre>{table}</div>"
