"""From what the caller gives (data and instruments, or items and scales) to matrices.

Instruments supply everything a screen needs: the item columns and their coding (through
:func:`efficacy.item_responses`, which checks every cell), the reverse keys and response
range, the subscales in their declared item order, declared antonym pairs, attention or
infrequency checks and the expected seconds per item. A plain item frame supplies only
what the caller states.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from efficacy.errors import DataError, require_columns, short_list
from efficacy.instrument import Check, Instrument


@dataclass(frozen=True)
class ScreenData:
    """The matrices and the specification a screen works from."""

    raw: np.ndarray
    keyed: np.ndarray
    items: tuple[str, ...]
    index: pd.Index
    scales: dict[str, tuple[int, ...]]
    factors: dict[str, tuple[int, ...]]
    reversed: frozenset[int]
    declared_antonyms: tuple[tuple[int, int], ...]
    checks: tuple[Check, ...]
    seconds_per_item: float | None
    instruments: tuple[str, ...]
    keys_known: bool


def _subscales(inst: Instrument) -> list[str]:
    """Scale ids without the totals: a scale holding every item of another one is skipped."""
    sets = {s.id: set(s.items) for s in inst.scales}
    return [
        s.id
        for s in inst.scales
        if not any(other != s.id and sets[other] < sets[s.id] for other in sets)
    ]


def from_instruments(
    data: pd.DataFrame, instruments: Sequence[str | Instrument], on_invalid: str = "raise"
) -> ScreenData:
    """Code each instrument's items with its own rules and join them."""
    import efficacy as ef

    raw_parts: list[np.ndarray] = []
    keyed_parts: list[np.ndarray] = []
    items: list[str] = []
    scales: dict[str, tuple[int, ...]] = {}
    factors: dict[str, tuple[int, ...]] = {}
    reversed_positions: set[int] = set()
    antonyms: list[tuple[int, int]] = []
    checks: list[Check] = []
    seconds: list[float] = []
    ids: list[str] = []
    for entry in instruments:
        inst = ef.load(entry)
        clash = [item for item in inst.item_ids if item in items]
        if clash:
            raise DataError(f"instrument {inst.id!r} repeats items already screened: {clash}")
        offset = len(items)
        frame = ef.item_responses(data, inst, reverse=False, on_invalid=on_invalid)  # type: ignore[arg-type]
        coded = frame.to_numpy(dtype=float)
        flip = inst.response.min + inst.response.max
        flipped = [j for j, item in enumerate(inst.items) if item.reversed]
        keyed = coded
        if flipped:
            keyed = coded.copy()
            keyed[:, flipped] = flip - keyed[:, flipped]
            reversed_positions.update(offset + j for j in flipped)
        raw_parts.append(coded)
        keyed_parts.append(keyed)
        position = {item: offset + j for j, item in enumerate(inst.item_ids)}
        items.extend(inst.item_ids)
        for scale in inst.scales:
            scales[scale.id] = tuple(position[i] for i in scale.items)
        for scale_id in _subscales(inst):
            factors[scale_id] = scales[scale_id]
        spec = inst.screening
        if spec is not None:
            antonyms.extend((position[a], position[b]) for a, b in spec.antonyms)
            checks.extend(spec.checks)
            if spec.seconds_per_item is not None:
                seconds.append(float(spec.seconds_per_item))
        ids.append(inst.id)
    return ScreenData(
        raw=raw_parts[0] if len(raw_parts) == 1 else np.hstack(raw_parts),
        keyed=keyed_parts[0] if len(keyed_parts) == 1 else np.hstack(keyed_parts),
        items=tuple(items),
        index=data.index,
        scales=scales,
        factors=factors,
        reversed=frozenset(reversed_positions),
        declared_antonyms=tuple(antonyms),
        checks=tuple(checks),
        seconds_per_item=max(seconds) if seconds else None,
        instruments=tuple(ids),
        keys_known=True,
    )


def from_items(
    data: pd.DataFrame,
    scales: Mapping[str, Sequence[Any]] | None,
    reverse: Sequence[Any],
    response_range: tuple[float, float] | None,
    antonyms: Sequence[tuple[Any, Any]] = (),
) -> ScreenData:
    """Use the columns named in ``scales`` (default: every column, one scale)."""
    from efficacy.coefficients._moments import item_matrix

    if scales is None:
        scales = {"all": list(data.columns)}
    if not isinstance(scales, Mapping) or not scales:
        raise DataError("scales must be a non-empty dict: scale name -> list of item columns")
    columns: list[Any] = []
    for name, members in scales.items():
        if isinstance(members, str) or not len(members):
            raise DataError(f"scale {name!r} must list its item columns, got {members!r}")
        columns.extend(m for m in members if m not in columns)
    require_columns(data, columns)
    reverse = list(reverse)
    require_columns(data, reverse, "reverse")
    outside = [r for r in reverse if r not in columns]
    if outside:
        raise DataError(f"reverse names columns that are in no scale: {short_list(outside)}")
    matrix = item_matrix(data[columns], min_items=2).values
    keyed = matrix.copy()
    positions = {c: j for j, c in enumerate(columns)}
    if reverse:
        if response_range is None:
            raise DataError(
                "reverse-keyed items need the response range: pass response_range=(min, max)"
            )
        low, high = response_range
        outside_range = (matrix < low) | (matrix > high)
        if outside_range.any():
            j = int(np.argwhere(outside_range)[0][1])
            raise DataError(
                f"column {columns[j]!r} has answers outside response_range {response_range}"
            )
        for item in reverse:
            keyed[:, positions[item]] = low + high - matrix[:, positions[item]]
    pairs: list[tuple[int, int]] = []
    for pair in antonyms:
        if len(pair) != 2 or any(p not in positions for p in pair) or pair[0] == pair[1]:
            raise DataError(f"an antonym pair needs two different item columns, got {pair!r}")
        pairs.append((positions[pair[0]], positions[pair[1]]))
    mapped = {str(name): tuple(positions[m] for m in members) for name, members in scales.items()}
    return ScreenData(
        raw=matrix,
        keyed=keyed,
        items=tuple(str(c) for c in columns),
        index=data.index,
        scales=mapped,
        factors=mapped,
        reversed=frozenset(positions[r] for r in reverse),
        declared_antonyms=tuple(pairs),
        checks=(),
        seconds_per_item=None,
        instruments=(),
        keys_known=bool(reverse),
    )
