"""Junk cells through ef.score, ef.item_responses and ef.alpha, against an oracle.

Every outcome must be the oracle's score, or an EfficacyError naming every offending
column and row: never a foreign exception, never a silently wrong number. The oracle
decides each cell on its own, by its Python type first, so values that compare equal
across types (``True == 1``, ``Decimal(1) == 1``, ``1 + 0j == 1``) cannot be merged.
"""

from __future__ import annotations

import math
import re
import warnings
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import efficacy as ef
from efficacy.errors import DataError, EfficacyError, InvalidResponseError
from efficacy.instrument._model import normalise_label

ITEMS = [f"gse{i}" for i in range(1, 11)]
LOOKUP = ef.load("gse").response.label_lookup()
CODES = {1.0, 2.0, 3.0, 4.0}
MISSING, INVALID = "missing", "invalid"
ASCII_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)

numbers_ = st.one_of(
    st.integers(-3, 8),
    st.integers(2**62, 2**70),
    st.sampled_from([1.0, 4.0, 2.5, -0.0, 1e300, math.inf, -math.inf, math.nan]),
    st.builds(np.int64, st.integers(0, 6)),
    st.builds(np.float64, st.sampled_from([1.0, 3.0, 3.5, math.nan])),
    st.sampled_from([Decimal(1), Decimal("4.0"), Decimal("2.5"), Decimal("Infinity")]),
    st.sampled_from([Fraction(3), Fraction(5, 2)]),
)
texts = st.one_of(
    st.sampled_from(
        [
            *("4", " 3 ", "+2", "2.0", "1e0", "0_4", "4\x00", "٤", "４", "inf", "nan", "0x4"),
            *("1,0", "", "  ", "Exactly true", " hardly TRUE", "barely true", "n/a", "4 4"),
            *("--1", ".", "e1"),
        ]
    ),
    st.text(alphabet="0123456789 .+-_eE\x00٣", max_size=5),
    st.text(max_size=4),
)
others = st.one_of(
    st.sampled_from([True, False, np.True_, np.False_, None, pd.NA, pd.NaT]),
    st.sampled_from([2 + 0j, 3 + 1j, b"4", (4,), [4], {"a": 4}, {4}, frozenset()]),
    st.just(pd.Timestamp("2020-01-01")),
    st.just(pd.Timedelta(days=1)),
)
cells = st.one_of(numbers_, texts, others)


def oracle(cell: Any, *, labels: bool) -> float | str:
    """The code of one cell (a float), MISSING or INVALID, decided by type."""
    if cell is None or cell is pd.NA or cell is pd.NaT:
        return MISSING
    if isinstance(cell, bool | np.bool_ | complex | bytes | tuple | list | dict | set | frozenset):
        return INVALID
    if isinstance(cell, pd.Timestamp | pd.Timedelta):
        return INVALID
    if isinstance(cell, float | np.floating) and math.isnan(cell):
        return MISSING
    if isinstance(cell, Decimal) and cell.is_nan():
        return MISSING
    if isinstance(cell, int | float | np.integer | np.floating | Decimal | Fraction):
        try:
            value = float(cell)
        except OverflowError:
            return INVALID
        return value
    assert isinstance(cell, str)
    if labels and not normalise_label(cell):
        return MISSING
    if labels and normalise_label(cell) in LOOKUP:
        return LOOKUP[normalise_label(cell)]
    stripped = cell.strip()
    if ASCII_NUMBER.fullmatch(stripped) and math.isfinite(float(stripped)):
        return float(stripped)
    return INVALID


@st.composite
def frames(draw: Any, min_rows: int = 1) -> tuple[pd.DataFrame, list[str]]:
    n = draw(st.integers(min_rows, 5))
    junk = draw(st.lists(st.sampled_from(ITEMS), min_size=1, max_size=3, unique=True))
    data = pd.DataFrame(
        {item: draw(st.lists(st.integers(1, 4), min_size=n, max_size=n)) for item in ITEMS}
    )
    for column in junk:
        data[column] = pd.Series(draw(st.lists(cells, min_size=n, max_size=n)), dtype=object)
    if draw(st.booleans()):
        data.index = draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))
    return data, junk


def expected_codes(data: pd.DataFrame) -> tuple[np.ndarray, set[tuple[str, int]]]:
    codes = np.full(data.shape, np.nan)
    invalid = set()
    for j, column in enumerate(data.columns):
        for i, cell in enumerate(data[column].to_numpy(dtype=object)):
            value = oracle(cell, labels=True)
            if value == INVALID or (isinstance(value, float) and value not in CODES):
                invalid.add((column, i))
            elif value != MISSING:
                codes[i, j] = value
    return codes, invalid


def expected_scores(codes: np.ndarray) -> np.ndarray:
    """GSE: prorated sum (mean of the answered items x 10) with at least 7 answered."""
    answered = (~np.isnan(codes)).sum(axis=1)
    totals = np.nansum(codes, axis=1)
    return np.array(
        [t / a * 10 if a >= 7 else math.nan for t, a in zip(totals, answered, strict=True)]
    )


def unchanged(data: pd.DataFrame, before: pd.DataFrame) -> bool:
    """Same index, columns and cells (the very same objects in object columns)."""
    if not (data.index.equals(before.index) and data.columns.equals(before.columns)):
        return False
    for column in data.columns:
        now, then = data[column].to_numpy(), before[column].to_numpy()
        if now.dtype == object:
            if not all(a is b for a, b in zip(now, then, strict=True)):
                return False
        elif not np.array_equal(now, then):
            return False
    return True


def flagged(cells: pd.DataFrame) -> set[tuple[str, int]]:
    return set(zip(cells["column"], cells.index, strict=True))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames())
def test_junk_cells_are_scored_right_or_named(case):
    data, _ = case
    before = data.copy()
    codes, invalid = expected_codes(data)
    try:
        outcome: Any = ef.score(data, "gse")
    except InvalidResponseError as error:
        outcome = error
    if isinstance(outcome, InvalidResponseError):
        assert flagged(outcome.cells) == invalid
        for column in {c for c, _ in invalid}:
            assert repr(column) in str(outcome)
    else:
        assert not invalid
        np.testing.assert_allclose(outcome["gse"].to_numpy(), expected_scores(codes), rtol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lenient = ef.score(data, "gse", on_invalid="missing")
        items = ef.item_responses(data, "gse", on_invalid="missing")
    np.testing.assert_allclose(lenient["gse"].to_numpy(), expected_scores(codes), rtol=1e-12)
    np.testing.assert_array_equal(items.to_numpy(), codes)
    assert flagged(lenient.attrs["efficacy"]["invalid_cells"]) == invalid
    assert unchanged(data, before)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames(min_rows=3))
def test_junk_items_give_the_right_alpha_or_name_the_cells(case):
    data, junk = case
    data = data[[*junk, *(c for c in ITEMS if c not in junk)][:4]]
    values = np.full(data.shape, np.nan)
    bad: dict[str, list[int]] = {}
    for j, column in enumerate(data.columns):
        for i, cell in enumerate(data[column].to_numpy(dtype=object)):
            value = oracle(cell, labels=False)
            if value == INVALID or (isinstance(value, float) and math.isinf(value)):
                bad.setdefault(column, []).append(i)
            elif value != MISSING:
                values[i, j] = value
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = ef.alpha(data)
        except DataError as error:
            outcome: Any = error
        except EfficacyError as error:  # pragma: no cover - any EfficacyError is allowed
            outcome = error
        else:
            outcome = result
        try:
            reference = ef.alpha(pd.DataFrame(values, columns=data.columns, index=data.index))
        except DataError as error:
            reference = error
    if bad:
        assert isinstance(outcome, DataError), outcome
        first = next(iter(bad))
        assert repr(first) in str(outcome) or any(repr(c) in str(outcome) for c in bad)
        assert "rows [" in str(outcome) or "positions [" in str(outcome)
        return
    if isinstance(reference, DataError):
        assert isinstance(outcome, DataError), outcome
        return
    assert not isinstance(outcome, Exception), outcome
    np.testing.assert_allclose(outcome.alpha, reference.alpha, equal_nan=True)
    pd.testing.assert_frame_equal(outcome.items, reference.items)
