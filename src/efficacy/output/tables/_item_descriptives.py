"""Item descriptives: n, mean, SD, skew, kurtosis, floor, ceiling and missing per item."""

from __future__ import annotations

import numpy as np
import pandas as pd

from efficacy.errors import DataError
from efficacy.output.tables._apa_table import ApaTable


def item_descriptives(items: pd.DataFrame, low: float, high: float) -> pd.DataFrame:
    """Per item: n, mean, SD, skew, kurtosis, % floor, % ceiling and % missing.

    Skew and kurtosis are R psych's ``describe()`` defaults (type 3): skew
    ``b1 = m3 / s^3`` and excess kurtosis ``b2 = m4 / s^4 - 3``, with ``m3`` and
    ``m4`` the central moments over n and ``s`` the SD with the n - 1 denominator.
    Floor and ceiling are the shares of answers at the lowest and highest response
    (``low``, ``high``); missing is the share of all respondents without an answer.

    Examples
    --------
    >>> items = pd.DataFrame({"a": [1, 2, 4, 4, None], "b": [1, 1, 2, 3, 4]})
    >>> item_descriptives(items, 1, 4).round(3)
       n  mean     sd   skew  kurtosis  floor_pct  ceiling_pct  missing_pct
    a  4  2.75  1.500 -0.139    -2.280       25.0         50.0         20.0
    b  5  2.20  1.304  0.260    -1.958       40.0         20.0          0.0
    """
    if not isinstance(items, pd.DataFrame):
        raise DataError(f"items must be a DataFrame, got {type(items).__name__}")
    values = items.to_numpy(dtype=float)
    answered = ~np.isnan(values)
    n = answered.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(values, axis=0) / n
        centred = np.where(answered, values - mean, 0.0)
        m2 = (centred**2).sum(axis=0) / n
        m3 = (centred**3).sum(axis=0) / n
        m4 = (centred**4).sum(axis=0) / n
        var = m2 * n / (n - 1)
        sd = np.sqrt(var)
        skew = m3 / var**1.5
        kurtosis = m4 / var**2 - 3.0
        floor = 100.0 * (values == low).sum(axis=0) / n
        ceiling = 100.0 * (values == high).sum(axis=0) / n
    missing = 100.0 * (~answered).sum(axis=0) / values.shape[0]
    return pd.DataFrame(
        {
            "n": n,
            "mean": mean,
            "sd": sd,
            "skew": skew,
            "kurtosis": kurtosis,
            "floor_pct": floor,
            "ceiling_pct": ceiling,
            "missing_pct": missing,
        },
        index=items.columns,
    )


def item_descriptives_table(
    items: pd.DataFrame,
    low: float,
    high: float,
    *,
    title: str = "Item descriptives",
    note: str | None = None,
    number: int | None = None,
) -> ApaTable:
    """:func:`item_descriptives` as an APA table.

    Examples
    --------
    >>> items = pd.DataFrame({"a": [1, 2, 4, 4, None], "b": [1, 1, 2, 3, 4]})
    >>> print(item_descriptives_table(items, 1, 4).to_markdown().splitlines()[2])
    | Item | *n* | *M* | *SD* | Skew | Kurtosis | % floor | % ceiling | % missing |
    """
    frame = item_descriptives(items, low, high)
    frame.index.name = "Item"
    frame = frame.rename(
        columns={
            "skew": "Skew",
            "kurtosis": "Kurtosis",
            "floor_pct": "% floor",
            "ceiling_pct": "% ceiling",
            "missing_pct": "% missing",
        }
    )
    default = (
        f"Item metric ({low:g} to {high:g}), as answered (before reverse keying). Skew and "
        "kurtosis (excess) as R psych's describe() (type 3); floor and ceiling: share of "
        f"answers at {low:g} and {high:g}; missing: share of all {len(items)} respondents."
    )
    return ApaTable(frame=frame, title=title, note=note or default, number=number)
