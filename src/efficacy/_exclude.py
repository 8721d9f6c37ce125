"""Which rows a scoring run treats as missing, and the provenance entry that says so.

``ef.score(data, "gse", exclude=screen.flagged)`` scores flagged respondents as missing:
:func:`resolve_exclude` checks what ``exclude`` is, turns it into a boolean row mask on
``data``'s index and describes it for ``attrs["efficacy"]["excluded"]``.

Examples
--------
>>> import pandas as pd
>>> data = pd.DataFrame({"gse1": [1, 2, 3]}, index=["a", "b", "c"])
>>> ex = resolve_exclude(data, pd.Series([False, True, False], index=["a", "b", "c"]))
>>> ex.rows.tolist(), ex.provenance["n_excluded"], ex.provenance["rows"]
([False, True, False], 1, ['b'])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from efficacy.errors import DataError, short_list


@dataclass(frozen=True)
class Exclusion:
    """Rows to score as missing (``rows``, aligned with data) and their provenance."""

    rows: np.ndarray
    provenance: dict[str, Any]

    def apply(self, values: np.ndarray) -> np.ndarray:
        """A copy of the N x k ``values`` with the excluded rows set to NaN."""
        out = np.array(values, dtype=float, copy=True)
        out[self.rows] = np.nan
        return out


def resolve_exclude(data: pd.DataFrame, exclude: Any) -> Exclusion:
    """Turn ``exclude`` into a row mask on ``data``.

    Parameters
    ----------
    data
        The frame being scored.
    exclude
        A :class:`~efficacy.screening.ScreenResult` (its ``flagged`` rows, with the
        reasons), a boolean Series on ``data``'s index (for instance ``screen.flagged``;
        every label of data must be in it, in any order), or a list of row labels.

    Raises
    ------
    DataError
        A Series whose index does not cover data, with missing or non-boolean values,
        or labels that are not rows of data.
    """
    reasons = None
    rule = "given"
    if hasattr(exclude, "flagged") and hasattr(exclude, "reasons"):  # a screen result
        reasons, rule = exclude.reasons, "screen: any flag"
        exclude = exclude.flagged
    if isinstance(exclude, pd.Series):
        if not pd.api.types.is_bool_dtype(exclude.dtype):
            raise DataError(
                f"exclude must be a boolean Series (like screen.flagged), got dtype {exclude.dtype}"
            )
        if exclude.index.has_duplicates:
            raise DataError("exclude has duplicate index labels")
        absent = data.index.difference(exclude.index)
        if len(absent):
            raise DataError(
                f"exclude lacks {len(absent)} rows of data: {short_list(list(absent))}; "
                "pass a Series on data's index (e.g. screen(data, ...).flagged)"
            )
        rows = exclude.reindex(data.index).to_numpy(dtype=bool)
        if exclude.name == "flagged" and rule == "given":
            rule = "boolean Series 'flagged'"
    elif isinstance(exclude, Sequence | pd.Index | np.ndarray) and not isinstance(exclude, str):
        labels = list(exclude)
        unknown = [label for label in labels if label not in data.index]
        if unknown:
            raise DataError(f"exclude names {len(unknown)} rows not in data: {short_list(unknown)}")
        rows = data.index.isin(labels)
    else:
        raise DataError(
            "exclude must be a screen result, a boolean Series on data's index or a list of "
            f"row labels, got {type(exclude).__name__}"
        )
    labels = list(data.index[rows])
    provenance: dict[str, Any] = {"rule": rule, "n_excluded": int(rows.sum()), "rows": labels}
    if reasons is not None:
        provenance["reasons"] = reasons[rows].value_counts().to_dict()
    return Exclusion(rows=rows, provenance=provenance)
