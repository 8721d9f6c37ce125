"""Instrument files: read safely, validate against the schema and for meaning, build.

A file is read with YAML's safe loader only, checked against
``schema/instrument.schema.json`` and then for meaning (unique ids, scale items that
exist, labels inside the response range, norm means inside the score range, ...).
Every problem is reported with the file, the line, the field path and what was
expected, e.g. ``gse.yaml:42 items[3].keyed: expected one of '+', '-'; got 'reverse'``.

Examples
--------
>>> import efficacy as ef
>>> ef.load("gse").name
'General Self-Efficacy Scale'
>>> "gse" in ef.list_instruments().index
True
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import yaml

from efficacy.errors import InstrumentError
from efficacy.instrument import (
    Citation,
    Coding,
    Instrument,
    InvarianceEvidence,
    Item,
    License,
    NormGroup,
    NormTable,
    PublishedReliability,
    ResponseScale,
    Scale,
    Source,
    StructureEvidence,
    Validity,
)

#: Largest instrument file accepted, in bytes.
MAX_FILE_BYTES = 1_000_000

_FILE_SUFFIXES = (".yaml", ".yml")


def instruments_dir() -> Path:
    """The folder of bundled instrument files.

    An installed wheel carries them inside the package (``efficacy/instruments``); a
    source checkout keeps them at the top level (``instruments/``).
    """
    packaged = Path(str(resources.files("efficacy"))) / "instruments"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "instruments"
    if checkout.is_dir():
        return checkout
    raise InstrumentError("the bundled instrument files are missing from this installation")


@functools.cache
def schema() -> dict[str, Any]:
    """The JSON Schema of instrument files (also usable by editors)."""
    text = (resources.files("efficacy") / "schema" / "instrument.schema.json").read_text("utf-8")
    return json.loads(text)


# ---------------------------------------------------------------------------- reading


def _read_text(path: Path) -> str:
    name = path.name
    if not path.is_file():
        raise InstrumentError(f"{path}: no such instrument file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InstrumentError(
            f"{name}: file is {size:,} bytes; instrument files are at most {MAX_FILE_BYTES:,}"
        )
    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError as exc:
        raise InstrumentError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    if not text.strip():
        raise InstrumentError(f"{name}: the file is empty")
    return text


def _parse(text: str, name: str) -> tuple[dict[str, Any], yaml.Node]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        problem = getattr(exc, "problem", None) or str(exc)
        raise InstrumentError(f"{where}: not valid YAML: {problem}") from exc
    if not isinstance(data, dict) or node is None:
        kind = type(data).__name__
        raise InstrumentError(f"{name}:1: expected a mapping of instrument fields, got {kind}")
    return data, node


def _jsonable(value: Any) -> Any:
    """Mapping keys as strings (labels are keyed by code), for schema validation."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def _path_text(path: Iterator[Any] | list[Any]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _line_of(root: yaml.Node, path: list[Any]) -> int:
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


def _schema_message(error: jsonschema.ValidationError) -> str:
    validator = error.validator
    got = error.instance
    if validator == "enum":
        expected = ", ".join(repr(v) for v in error.validator_value)
        return f"expected one of {expected}; got {got!r}"
    if validator == "const":
        return f"expected {error.validator_value!r}; got {got!r}"
    if validator == "required":
        return error.message.replace("is a required property", "is required")
    if validator == "additionalProperties":
        return error.message.replace("were unexpected", "are not fields of this format").replace(
            "was unexpected", "is not a field of this format"
        )
    if validator == "type":
        return f"expected {error.validator_value}; got {type(got).__name__} {got!r}"
    if validator == "pattern":
        return f"{got!r} does not match {error.validator_value!r}"
    return error.message


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema())


def _schema_problems(data: dict[str, Any], root: yaml.Node, name: str) -> list[str]:
    validator = _validator()
    problems = []
    for error in sorted(validator.iter_errors(_jsonable(data)), key=lambda e: list(e.path)):
        path = list(error.absolute_path)
        problems.append(
            f"{name}:{_line_of(root, path)} {_path_text(path)}: {_schema_message(error)}"
        )
    return problems


# ------------------------------------------------------------------- meaning checks


def _duplicates(values: list[Any]) -> list[Any]:
    seen: set[Any] = set()
    return sorted({v for v in values if v in seen or seen.add(v)}, key=str)  # type: ignore[func-returns-value]


def _on_grid(value: float, low: float, high: float, step: float) -> bool:
    if value < low - 1e-9 or value > high + 1e-9:
        return False
    return math.isclose((value - low) / step, round((value - low) / step), abs_tol=1e-9)


def _meaning_problems(data: dict[str, Any], root: yaml.Node, name: str) -> list[str]:
    problems: list[str] = []

    def report(path: list[Any], message: str) -> None:
        problems.append(f"{name}:{_line_of(root, path)} {_path_text(path)}: {message}")

    citation_keys = [c["key"] for c in data["citations"]]
    for dup in _duplicates(citation_keys):
        report(["citations"], f"citation key {dup!r} is used twice")

    def check_source(source: Mapping[str, Any], path: list[Any]) -> None:
        if source["ref"] not in citation_keys:
            report([*path, "ref"], f"{source['ref']!r} is not a key in citations {citation_keys}")

    check_source(data["license"]["source"], ["license", "source"])
    for part in ("structure", "invariance"):
        for k, entry in enumerate(data.get("validity", {}).get(part, [])):
            check_source(entry["source"], ["validity", part, k, "source"])

    response = data["response"]
    low, high, step = float(response["min"]), float(response["max"]), float(response.get("step", 1))
    if low >= high:
        report(["response", "max"], f"max ({high:g}) must be greater than min ({low:g})")
    elif not math.isclose((high - low) / step, round((high - low) / step)):
        report(["response", "step"], f"step {step:g} does not divide the range {low:g}-{high:g}")
    check_source(response["source"], ["response", "source"])
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
    return problems


# ----------------------------------------------------------------------- building


def _source(raw: Mapping[str, Any]) -> Source:
    return Source(raw["ref"], raw["provenance"], raw.get("note"))


def _codes(mapping: Mapping[Any, Any]) -> dict[float, Any]:
    return {float(code): value for code, value in mapping.items()}


def build_norm_table(raw: Mapping[str, Any]) -> NormTable:
    """A :class:`NormTable` from one already validated ``norms:`` entry of a file."""
    return NormTable(
        id=raw["id"],
        scale=raw["scale"],
        kind=raw["kind"],
        population=raw["population"],
        source=_source(raw["source"]),
        group_by=tuple(raw.get("group_by", [])),
        metric=raw.get("metric", "sum"),
        note=raw.get("note"),
        groups=tuple(_norm_group(g) for g in raw["groups"]),
    )


def _norm_group(raw: Mapping[str, Any]) -> NormGroup:
    where = {
        key: (value.get("min"), value.get("max")) if isinstance(value, dict) else value
        for key, value in raw.get("where", {}).items()
    }
    percentiles = raw.get("percentiles")
    return NormGroup(
        where=where,
        mean=float(raw["mean"]),
        sd=None if raw.get("sd") is None else float(raw["sd"]),
        n=raw.get("n"),
        alpha=raw.get("alpha"),
        percentiles=None
        if percentiles is None
        else {float(k): float(v) for k, v in percentiles.items()},
    )


def _build(data: dict[str, Any], path: Path | None, digest: str | None) -> Instrument:
    response = data["response"]
    item_ids = [item["id"] for item in data["items"]]
    return Instrument(
        id=data["id"],
        name=data["name"],
        abbreviation=data["abbreviation"],
        version=str(data["version"]),
        language=data["language"],
        construct=data["construct"],
        domain=data["domain"],
        generality=data["generality"],
        population=data["population"],
        validated=data["validated"],
        higher_is_better=data.get("higher_is_better", True),
        description=data.get("description"),
        instructions=data.get("instructions"),
        notes=tuple(data.get("notes", [])),
        citations=tuple(
            Citation(c["key"], c["text"], c.get("doi"), c.get("url")) for c in data["citations"]
        ),
        license=License(
            data["license"]["summary"],
            _source(data["license"]["source"]),
            data["license"].get("commercial_use"),
        ),
        response=ResponseScale(
            min=float(response["min"]),
            max=float(response["max"]),
            step=float(response.get("step", 1)),
            labels=_codes(response["labels"]),
            aliases={
                code: tuple(names) for code, names in _codes(response.get("aliases", {})).items()
            },
            missing_codes=tuple(float(c) for c in response.get("missing_codes", [])),
            codings=tuple(
                Coding(
                    c["id"], c["description"], {float(k): float(v) for k, v in c["recode"].items()}
                )
                for c in response.get("codings", [])
            ),
            source=_source(response["source"]),
        ),
        items=tuple(
            Item(item["id"], item["number"], " ".join(item["text"].split()), item["keyed"])
            for item in data["items"]
        ),
        scales=tuple(
            Scale(
                id=s["id"],
                name=s["name"],
                items=tuple(item_ids if s["items"] == "all" else s["items"]),
                method=s["method"],
                min_valid=s["min_valid"],
                prorate=s.get("prorate", False),
                missing_rule=s["missing_rule"],
                source=_source(s["source"]),
            )
            for s in data["scales"]
        ),
        reliability=tuple(
            PublishedReliability(
                scale=r["scale"],
                statistic=r["statistic"],
                value=r.get("value"),
                range=tuple(r["range"]) if "range" in r else None,  # type: ignore[arg-type]
                n=r.get("n"),
                sample=r.get("sample"),
                source=_source(r["source"]),
            )
            for r in data.get("reliability", [])
        ),
        norms=tuple(build_norm_table(t) for t in data.get("norms", [])),
        validity=_validity(data["validity"]) if "validity" in data else None,
        path=path,
        sha256=digest,
    )


def _validity(raw: dict[str, Any]) -> Validity:
    """The optional ``validity:`` section (structure and invariance evidence)."""
    structure = tuple(
        StructureEvidence(
            model=r["model"], estimator=r["estimator"], source=_source(r["source"]),
            n=r.get("n"), sample=r.get("sample"), fit=dict(r.get("fit", {})),
        )
        for r in raw.get("structure", [])
    )
    invariance = tuple(
        InvarianceEvidence(
            across=r["across"], level=r["level"], holds=r["holds"], source=_source(r["source"]),
            groups=tuple(r.get("groups", [])), estimator=r.get("estimator"),
            delta_cfi=r.get("delta_cfi"), delta_rmsea=r.get("delta_rmsea"),
            delta_srmr=r.get("delta_srmr"), n=r.get("n"), sample=r.get("sample"),
        )
        for r in raw.get("invariance", [])
    )
    return Validity(structure=structure, invariance=invariance)


def check_text(text: str, name: str = "<instrument>") -> list[str]:
    """Every problem of an instrument given as YAML text (empty list: valid).

    Examples
    --------
    >>> check_text("id: x")[0]
    "<instrument>:1 (top level): 'schema_version' is required"
    """
    try:
        data, root = _parse(text, name)
    except InstrumentError as exc:
        return exc.problems
    problems = _schema_problems(data, root, name)
    return problems or _meaning_problems(data, root, name)


def validate_file(path: str | Path) -> list[str]:
    """Every problem of an instrument file (empty list: the file is valid).

    ``efficacy validate FILE...`` prints these and exits with 1 when any are found.
    """
    path = Path(path)
    try:
        text = _read_text(path)
    except InstrumentError as exc:
        return exc.problems
    return check_text(text, path.name)


def from_text(text: str, name: str = "<instrument>", path: Path | None = None) -> Instrument:
    """Build an :class:`Instrument` from YAML text, raising :class:`InstrumentError`."""
    problems = check_text(text, name)
    if problems:
        raise InstrumentError(problems)
    data, _ = _parse(text, name)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return _build(data, path, digest)


@functools.lru_cache(maxsize=64)
def _load_path(path: Path, mtime_ns: int) -> Instrument:
    return from_text(_read_text(path), path.name, path)


def resolve_path(id_or_path: str | Path) -> Path:
    """The file behind a bundled instrument id or a path."""
    text = str(id_or_path)
    if isinstance(id_or_path, Path) or text.endswith(_FILE_SUFFIXES) or "/" in text or "\\" in text:
        return Path(id_or_path).expanduser().resolve()
    candidate = instruments_dir() / f"{text}.yaml"
    if not candidate.is_file():
        known = ", ".join(bundled_ids())
        raise InstrumentError(f"no bundled instrument {text!r}; bundled: {known} (or give a path)")
    return candidate


def load(instrument: str | Path | Instrument) -> Instrument:
    """Load a bundled instrument by id, or an instrument file by path.

    Parameters
    ----------
    instrument
        A bundled id such as ``"gse"``, a path to a YAML file, or an already loaded
        :class:`Instrument` (returned as it is).

    Raises
    ------
    InstrumentError
        Unknown id, unreadable or invalid file; the message lists every problem with
        file, line and field path.

    Examples
    --------
    >>> import efficacy as ef
    >>> gse = ef.load("gse")
    >>> gse.n_items, gse.response.min, gse.response.max
    (10, 1.0, 4.0)
    """
    if isinstance(instrument, Instrument):
        return instrument
    path = resolve_path(instrument)
    if not path.is_file():
        raise InstrumentError(f"{path}: no such instrument file")
    return _load_path(path, path.stat().st_mtime_ns)


def bundled_ids() -> list[str]:
    """Ids of the bundled instruments, sorted."""
    return sorted(p.stem for p in instruments_dir().glob("*.yaml"))


def list_instruments() -> pd.DataFrame:
    """The bundled catalogue, one row per instrument.

    Returns
    -------
    DataFrame
        Index ``id``; columns name, construct, domain, generality, n_items, scales,
        norms, license, validated.

    Examples
    --------
    >>> import efficacy as ef
    >>> ef.list_instruments().loc["gse", "n_items"]
    np.int64(10)
    """
    rows = []
    for instrument_id in bundled_ids():
        inst = load(instrument_id)
        rows.append(
            {
                "id": inst.id,
                "name": inst.name,
                "construct": inst.construct,
                "domain": inst.domain,
                "generality": inst.generality,
                "n_items": inst.n_items,
                "scales": ", ".join(inst.scale_ids),
                "norms": ", ".join(t.id for t in inst.norms),
                "license": inst.license.summary,
                "validated": inst.validated,
            }
        )
    return pd.DataFrame(rows).set_index("id")
