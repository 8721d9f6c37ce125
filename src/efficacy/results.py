"""The base of every result object: a frozen dataclass that reads well in a notebook.

A result subclasses :class:`Result`, declares its fields as a frozen dataclass and
implements :meth:`Result.to_frame`. It then gets a readable ``repr`` (scalars shown
to 4 significant digits for display only; the stored numbers are never rounded),
tables summarised by their shape, and an HTML view for Jupyter.

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
"""

from __future__ import annotations

import dataclasses
import html
import numbers
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


class Result:
    """Mixin for frozen result dataclasses: ``repr``, ``to_frame`` and HTML view."""

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

    def _repr_html_(self) -> str:
        title = html.escape(type(self).__name__)
        table = self.to_frame().to_html(float_format=lambda v: f"{v:.4g}", na_rep="")
        return f"<div><strong>{title}</strong>{table}</div>"
