"""Meaning checks of an instrument file: what the schema cannot say.

Run after the file has passed the schema: unique ids, scale items that exist, labels
inside the response range, norm means inside the score range, at most
:data:`MAX_CODES` response codes, label keys that are distinct numbers, and labels and
aliases that each name one code. Every problem names the file, line and field.

Examples
--------
>>> _on_grid(2.5, 1, 4, 0.5), _on_grid(2.5, 1, 4, 1)
(True, False)
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from typing import Any

import yaml

from efficacy.instrument._irt_spec import irt_problems
from efficacy.instrument._model import normalise_label
from efficacy.instrument._schema import MAX_CODES
from efficacy.instrument._yaml import path_text, shown


def line_of(root: yaml.Node, path: list[Any]) -> int:
    """1-based line of the YAML node at ``path`` (or of its deepest existing parent)."""
    node = root
    for part in path:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if str(k.value) == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            nxt = node.value[part] if part < len(node.value) else None
        else:
            nxt = None
        if nxt is None:
            break
        node = nxt
    return node.start_mark.line + 1


def _duplicates(values: list[Any]) -> list[Any]:
    seen: set[Any] = set()
    return sorted({v for v in values if v in seen or seen.add(v)}, key=str)  # type: ignore[func-returns-value]


def _on_grid(value: float, low: float, high: float, step: float) -> bool:
    if value < low - 1e-9 or value > high + 1e-9:
        return False
    return math.isclose((value - low) / step, round((value - low) / step), abs_tol=1e-9)


def meaning_problems(data: dict[str, Any], root: yaml.Node, name: str) -> list[str]:
    problems: list[str] = []

    def report(path: list[Any], message: str) -> None:
        problems.append(f"{name}:{line_of(root, path)} {path_text(path)}: {message}")

    citation_keys = [c["key"] for c in data["citations"]]
    for dup in _duplicates(citation_keys):
        report(["citations"], f"citation key {dup!r} is used twice")

    def check_source(source: Mapping[str, Any], path: list[Any]) -> None:
        if source["ref"] not in citation_keys:
            report([*path, "ref"], f"{source['ref']!r} is not a key in citations {citation_keys}")

    check_source(data["license"]["source"], ["license", "source"])

    response = data["response"]
    low, high, step = float(response["min"]), float(response["max"]), float(response.get("step", 1))
    count = (high - low) / step
    if low >= high:
        report(["response", "max"], f"max ({high:g}) must be greater than min ({low:g})")
    elif not math.isfinite(count) or count + 1 > MAX_CODES:
        report(
            ["response", "step"],
            f"step {step:g} over the range {low:g}-{high:g} gives more than {MAX_CODES:,} codes",
        )
    elif not math.isclose(count, round(count)):
        report(["response", "step"], f"step {step:g} does not divide the range {low:g}-{high:g}")
    check_source(response["source"], ["response", "source"])
    _same_number_keys(response.get("labels", {}), ["response", "labels"], report)
    _same_number_keys(response.get("aliases", {}), ["response", "aliases"], report)
    for i, coding in enumerate(response.get("codings", [])):
        _same_number_keys(coding["recode"], ["response", "codings", i, "recode"], report)
    _one_code_per_name(response, report)
    for section in ("labels", "aliases"):
        for code in response.get(section, {}):
            if not _on_grid(float(code), low, high, step):
                report(
                    ["response", section, code],
                    f"code {code} is outside the response range {low:g}-{high:g} (step {step:g})",
                )
    for i, code in enumerate(response.get("missing_codes", [])):
        if low <= float(code) <= high:
            report(
                ["response", "missing_codes", i],
                f"missing code {code} lies inside the response range {low:g}-{high:g}",
            )
    for i, coding in enumerate(response.get("codings", [])):
        for code, target in coding["recode"].items():
            if not _on_grid(float(target), low, high, step):
                report(
                    ["response", "codings", i, "recode", code],
                    f"recodes to {target}, outside the response range {low:g}-{high:g}",
                )

    item_ids = [item["id"] for item in data["items"]]
    for dup in _duplicates(item_ids):
        report(["items"], f"item id {dup!r} is used twice")
    for dup in _duplicates([item["number"] for item in data["items"]]):
        report(["items"], f"item number {dup} is used twice")
    for dup in _duplicates([" ".join(item["text"].split()) for item in data["items"]]):
        report(["items"], f"item text {dup!r} appears twice")

    scale_ids = [scale["id"] for scale in data["scales"]]
    for dup in _duplicates(scale_ids):
        report(["scales"], f"scale id {dup!r} is used twice")
    n_items_of: dict[str, int] = {}
    method_of: dict[str, str] = {}
    for i, scale in enumerate(data["scales"]):
        members = item_ids if scale["items"] == "all" else scale["items"]
        unknown = [m for m in members if m not in item_ids]
        if unknown:
            report(["scales", i, "items"], f"unknown items {unknown}; items are {item_ids}")
        for dup in _duplicates(list(members)):
            report(["scales", i, "items"], f"item {dup!r} is listed twice")
        if scale["min_valid"] > len(members):
            report(
                ["scales", i, "min_valid"],
                f"{scale['min_valid']} exceeds the scale's {len(members)} items",
            )
        if (
            scale["method"] == "sum"
            and scale["min_valid"] < len(members)
            and not scale.get("prorate", False)
        ):
            report(
                ["scales", i, "prorate"],
                "a sum scored with missing items must be prorated "
                "(prorate: true) or require every item (min_valid equal to the item count)",
            )
        check_source(scale["source"], ["scales", i, "source"])
        n_items_of[scale["id"]] = len(members)
        method_of[scale["id"]] = scale["method"]

    for i, entry in enumerate(data.get("reliability", [])):
        if entry["scale"] not in scale_ids:
            report(["reliability", i, "scale"], f"{entry['scale']!r} is not a scale {scale_ids}")
        if "range" in entry and entry["range"][0] > entry["range"][1]:
            report(["reliability", i, "range"], "lower bound exceeds upper bound")
        check_source(entry["source"], ["reliability", i, "source"])

    norm_ids = [table["id"] for table in data.get("norms", [])]
    for dup in _duplicates(norm_ids):
        report(["norms"], f"norm id {dup!r} is used twice")
    for i, table in enumerate(data.get("norms", [])):
        check_source(table["source"], ["norms", i, "source"])
        scale_id = table["scale"]
        if scale_id not in scale_ids:
            report(["norms", i, "scale"], f"{scale_id!r} is not a scale {scale_ids}")
            continue
        factor = n_items_of[scale_id] if table.get("metric", "sum") == "sum" else 1
        lowest, highest = low * factor, high * factor
        group_by = table.get("group_by", [])
        for j, group in enumerate(table["groups"]):
            where = group.get("where", {})
            extra = [key for key in where if key not in group_by]
            if extra:
                report(
                    ["norms", i, "groups", j, "where"],
                    f"covariates {extra} are not in group_by {group_by}",
                )
            if not lowest <= group["mean"] <= highest:
                report(
                    ["norms", i, "groups", j, "mean"],
                    f"mean {group['mean']} is outside the score range {lowest:g}-{highest:g} "
                    f"of {scale_id} ({table.get('metric', 'sum')})",
                )
            _same_number_keys(
                group.get("percentiles", {}), ["norms", i, "groups", j, "percentiles"], report
            )
            for score in group.get("percentiles", {}):
                if not lowest <= float(score) <= highest:
                    report(
                        ["norms", i, "groups", j, "percentiles", score],
                        f"score {score} is outside the score range {lowest:g}-{highest:g}",
                    )
            for key, value in where.items():
                if (
                    isinstance(value, dict)
                    and "min" in value
                    and "max" in value
                    and value["min"] > value["max"]
                ):
                    report(["norms", i, "groups", j, "where", key], "min exceeds max")
        labels = [json.dumps(g.get("where", {}), sort_keys=True) for g in table["groups"]]
        for dup in _duplicates(labels):
            report(["norms", i, "groups"], f"group {dup} appears twice")

    screening = data.get("screening", {})
    if "source" in screening:
        check_source(screening["source"], ["screening", "source"])
    check_ids = [check["id"] for check in screening.get("checks", [])]
    for dup in _duplicates(check_ids):
        report(["screening", "checks"], f"check id {dup!r} is used twice")
    for clash in [c for c in check_ids if c in item_ids]:
        report(["screening", "checks"], f"check id {clash!r} is also an item id")
    for i, pair in enumerate(screening.get("antonyms", [])):
        unknown = [m for m in pair if m not in item_ids]
        if unknown or pair[0] == pair[1]:
            report(
                ["screening", "antonyms", i],
                f"an antonym pair needs two different items; got {pair}, items are {item_ids}",
            )
    irt_problems(data, report, check_source)
    for part in ("structure", "invariance"):
        for k, entry in enumerate(data.get("validity", {}).get(part, [])):
            check_source(entry["source"], ["validity", part, k, "source"])
    return problems


def _same_number_keys(
    mapping: Mapping[Any, Any], path: list[Any], report: Callable[[list[Any], str], None]
) -> None:
    """Report keys that are one number spelled twice (``4`` and ``"4.0"``)."""
    first: dict[float, Any] = {}
    for key in mapping:
        number = float(key)
        if not math.isfinite(number):
            report([*path, key], f"key {shown(key)} is not a finite number")
        elif number in first:
            report([*path, key], f"code {key} is code {first[number]} given twice")
        else:
            first[number] = key


def _one_code_per_name(
    response: Mapping[str, Any], report: Callable[[list[Any], str], None]
) -> None:
    """Report a label or alias that names two codes, compared as scoring compares them.

    Scoring reads a label in the data case- and spacing-insensitively, so ``Hardly
    true`` for two codes, or an alias equal to another code's label, would score one of
    them silently. An alias equal to its own code's label is harmless and allowed. A
    label or alias that reads as a number must be its own code's number: a label ``3``
    for code 1 would score the text "3" as 1 but the number 3 as 3.
    """
    owner: dict[str, tuple[float, str]] = {}
    entries = [("labels", "label", code, label) for code, label in response["labels"].items()]
    entries += [
        ("aliases", "alias", code, name)
        for code, names in response.get("aliases", {}).items()
        for name in names
    ]
    for section, kind, code, name in entries:
        key = normalise_label(name)
        number = _as_number(key)
        if number is not None and number != float(code):
            report(
                ["response", section, code],
                f"{kind} {name!r} reads as the number {number:g}, not as code {code}",
            )
        elif key in owner and owner[key][0] != float(code):
            other, other_kind = owner[key]
            report(
                ["response", section, code],
                f"{kind} {name!r} is already the {other_kind} of code {other:g}",
            )
        else:
            owner.setdefault(key, (float(code), kind))


def _as_number(text: str) -> float | None:
    """The finite number ``text`` spells for Python, or None."""
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None
