"""The ``irt:`` section of an instrument file: read, checked, and scored from.

Each entry calibrates one scale: the model (``graded``, or ``2PL`` for binary items),
the reference population whose trait is N(0, 1), a source and, per item, the slope
``a``, the decreasing intercepts ``d`` (slope-intercept form, ``P(X >= k) =
1 / (1 + exp(-(a theta + d_k)))``) and optionally the ``codes`` of the item's categories
(default: every code of the response scale). Codes are those after reverse keying, as
:func:`efficacy.item_responses` returns them.

Examples
--------
>>> import efficacy as ef
>>> ef.load("gse").irt
()
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from efficacy.instrument._model import Instrument, IrtCalibration, IrtItemParameters, Source
from efficacy.instrument._schema import MAX_CODES

Report = Callable[[list[Any], str], None]


def _response_codes(data: Mapping[str, Any]) -> list[float]:
    response = data["response"]
    low, high = float(response["min"]), float(response["max"])
    step = float(response.get("step", 1))
    count = (high - low) / step
    if not math.isfinite(count) or count + 1 > MAX_CODES:
        return []  # the meaning checks report the response range
    return [low + step * i for i in range(round(count) + 1)]


def build_irt(data: Mapping[str, Any]) -> tuple[IrtCalibration, ...]:
    """The calibrations of a validated instrument mapping (empty without an ``irt:``)."""
    if "irt" not in data:
        return ()
    codes = tuple(_response_codes(data))
    out = []
    for raw in data["irt"]:
        src = raw["source"]
        items = tuple(
            IrtItemParameters(
                id=item["id"],
                a=float(item["a"]),
                d=tuple(float(v) for v in item["d"]),
                codes=tuple(float(c) for c in item["codes"]) if "codes" in item else codes,
            )
            for item in raw["items"]
        )
        out.append(
            IrtCalibration(
                scale=raw["scale"],
                model=raw["model"],
                population=raw["population"],
                source=Source(src["ref"], src["provenance"], src.get("note")),
                items=items,
                note=raw.get("note"),
            )
        )
    return tuple(out)


def irt_problems(
    data: Mapping[str, Any], report: Report, check_source: Callable[[Any, list[Any]], None]
) -> None:
    """Report every problem of the ``irt:`` section through ``report(path, message)``."""
    if "irt" not in data:
        return
    codes = _response_codes(data)
    scales = {s["id"]: s for s in data["scales"]}
    all_items = [item["id"] for item in data["items"]]
    seen_scales: list[str] = []
    for i, entry in enumerate(data.get("irt", [])):
        path: list[Any] = ["irt", i]
        check_source(entry["source"], [*path, "source"])
        scale_id = entry["scale"]
        if scale_id in seen_scales:
            report([*path, "scale"], f"scale {scale_id!r} has two calibrations")
        seen_scales.append(scale_id)
        if scale_id not in scales:
            report([*path, "scale"], f"{scale_id!r} is not a scale id {list(scales)}")
            continue
        wanted = scales[scale_id]["items"]
        wanted = all_items if wanted == "all" else list(wanted)
        given = [item["id"] for item in entry["items"]]
        if sorted(given) != sorted(wanted) or len(set(given)) != len(given):
            report(
                [*path, "items"],
                f"items {given} must be the items of scale {scale_id!r}, once each: {wanted}",
            )
        for j, item in enumerate(entry["items"]):
            _item_problems(item, codes, entry["model"], [*path, "items", j], report)


def _item_problems(
    item: Mapping[str, Any], codes: list[float], model: str, path: list[Any], report: Report
) -> None:
    own = [float(c) for c in item.get("codes", codes)]
    outside = [c for c in own if not any(np.isclose(c, codes))]
    if outside:
        report([*path, "codes"], f"codes {outside} are not codes of the response scale")
    if any(b <= a for a, b in itertools.pairwise(own)):
        report([*path, "codes"], f"codes {own} must increase")
    d = [float(v) for v in item["d"]]
    if len(d) != len(own) - 1:
        report([*path, "d"], f"{len(d)} intercepts for {len(own)} categories {own}")
    if any(b >= a for a, b in itertools.pairwise(d)):
        report([*path, "d"], f"intercepts {d} must decrease")
    if model == "2PL" and len(own) != 2:
        report([*path, "codes"], f"a 2PL item has two categories, not {len(own)}")
    if not np.isfinite(item["a"]) or item["a"] == 0:
        report([*path, "a"], f"slope {item['a']} must be a nonzero number")


def calibration(instrument: Instrument, scale: str) -> IrtCalibration:
    """The instrument's calibration of ``scale``; an error naming what exists if none."""
    from efficacy.errors import DataError

    for entry in instrument.irt:
        if entry.scale == scale:
            return entry
    have = [entry.scale for entry in instrument.irt]
    raise DataError(
        f"instrument {instrument.id!r} has no irt calibration for scale {scale!r}"
        + (f"; it has {have}" if have else "; its file has no irt: section")
    )
