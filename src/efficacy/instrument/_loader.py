"""Instrument files: read safely, validate against the schema and for meaning, build.

A file is read with YAML's safe loader only, checked against
``schema/instrument.schema.json`` and then for meaning (unique ids, scale items that
exist, labels inside the response range, norm means inside the score range, ...).
Every problem is reported with the file, the line, the field path and what was
expected, e.g. ``gse.yaml:42 items[3].keyed: expected one of '+', '-'; got 'reverse'``.

What a file may contain, beyond the schema:

- no YAML anchors, aliases or merge keys, no key given twice, and at most
  :data:`~efficacy.instrument._yaml.MAX_DEPTH` levels of nesting (see
  :func:`efficacy.instrument._yaml.read_yaml`);
- numbers are finite, and patterns (identifiers, codes) match the whole value;
- a response scale has at most :data:`~efficacy.instrument.MAX_CODES` codes;
  two label keys that are the same number (``4`` and ``4.0``) are one code given twice;
- labels and aliases are compared as scoring compares them (case and spacing ignored):
  each names one code only;
- only a regular file is read, and at most :data:`MAX_FILE_BYTES` of it.

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
import os
import re
import stat
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import yaml

from efficacy.errors import InstrumentError
from efficacy.instrument._irt_spec import build_irt
from efficacy.instrument._meaning import line_of, meaning_problems
from efficacy.instrument._model import (
    Check,
    Citation,
    Coding,
    Instrument,
    InvarianceEvidence,
    Item,
    License,
    PublishedReliability,
    ResponseScale,
    Scale,
    ScreeningSpec,
    StructureEvidence,
    Validity,
)
from efficacy.instrument._norm_yaml import build_norm_table, source_of
from efficacy.instrument._schema import instrument_validator, schema  # noqa: F401
from efficacy.instrument._yaml import path_text, read_yaml, shown

#: Largest instrument file accepted, in bytes.
MAX_FILE_BYTES = 1_000_000

_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")

_FILE_SUFFIXES = (".yaml", ".yml")


def instruments_dir() -> Path:
    """The folder of bundled instrument files.

    An installed wheel carries them inside the package (``efficacy/instruments``); a
    source checkout keeps them at the top level (``instruments/``).
    """
    packaged = Path(str(resources.files("efficacy"))) / "instruments"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[3] / "instruments"
    if checkout.is_dir():
        return checkout
    raise InstrumentError("the bundled instrument files are missing from this installation")


# ---------------------------------------------------------------------------- reading


def _refuse_nul(text: str) -> None:
    if "\x00" in text:
        raise InstrumentError(f"{text!r}: a path cannot contain a NUL character (\\x00)")


def _check_file(path: Path) -> os.stat_result:
    """The file's status if it is a regular file; an InstrumentError saying why not."""
    _refuse_nul(str(path))
    try:
        info = path.stat()  # follows symbolic links
    except FileNotFoundError:
        if path.is_symlink():
            target = os.readlink(path)
            raise InstrumentError(
                f"{path}: symbolic link to {target}, which does not exist"
            ) from None
        raise InstrumentError(f"{path}: no such instrument file") from None
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise InstrumentError(f"{path}: cannot read the instrument file ({reason})") from None
    if stat.S_ISDIR(info.st_mode):
        raise InstrumentError(f"{path}: is a directory, not an instrument file")
    if not stat.S_ISREG(info.st_mode):
        raise InstrumentError(
            f"{path}: not a regular file (a device, pipe or socket); "
            "an instrument file is a YAML text file"
        )
    return info


def _read_text(path: Path, name: str | None = None) -> str:
    name = name or path.name
    _check_file(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InstrumentError(f"{path}: cannot read the instrument file ({exc.strerror})") from None
    if len(raw) > MAX_FILE_BYTES:
        size = max(len(raw), path.stat().st_size)
        raise InstrumentError(
            f"{name}: file is {size:,} bytes; instrument files are at most {MAX_FILE_BYTES:,}"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InstrumentError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    if not text.strip():
        raise InstrumentError(f"{name}: the file is empty")
    return text


def _parse(text: str, name: str) -> tuple[dict[str, Any], yaml.Node]:
    data, node = read_yaml(text, name)
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
        expected = error.validator_value
        numeric = isinstance(got, (int, float)) and not isinstance(got, bool)
        if numeric and "number" in ([expected] if isinstance(expected, str) else expected):
            return f"expected a finite number; got {shown(got)}"
        return f"expected {expected}; got {type(got).__name__} {shown(got)}"
    if validator == "pattern":
        if error.validator_value == _TEXT_PATTERN:
            return f"expected text that is not only white space; got {shown(got)}"
        return f"{shown(got)} does not match {error.validator_value!r}"
    message = error.message
    return message if len(message) <= 200 else message[:197] + "..."


_TEXT_PATTERN = r"^\s*\S[\s\S]*$"


@functools.cache
def _validator() -> Any:
    return instrument_validator()


def _schema_problems(data: dict[str, Any], root: yaml.Node, name: str) -> list[str]:
    validator = _validator()
    problems = []
    for error in sorted(validator.iter_errors(_jsonable(data)), key=lambda e: list(e.path)):
        path = list(error.absolute_path)
        problems.append(f"{name}:{line_of(root, path)} {path_text(path)}: {_schema_message(error)}")
    return problems


# ----------------------------------------------------------------------- building


def _codes(mapping: Mapping[Any, Any]) -> dict[float, Any]:
    return {float(code): value for code, value in mapping.items()}


def _validity(raw: dict[str, Any]) -> Validity:
    """The optional ``validity:`` section (structure and invariance evidence)."""
    structure = tuple(
        StructureEvidence(
            model=r["model"],
            estimator=r["estimator"],
            source=source_of(r["source"]),
            n=r.get("n"),
            sample=r.get("sample"),
            fit=dict(r.get("fit", {})),
        )
        for r in raw.get("structure", [])
    )
    invariance = tuple(
        InvarianceEvidence(
            across=r["across"],
            level=r["level"],
            holds=r["holds"],
            source=source_of(r["source"]),
            groups=tuple(r.get("groups", [])),
            estimator=r.get("estimator"),
            delta_cfi=r.get("delta_cfi"),
            delta_rmsea=r.get("delta_rmsea"),
            delta_srmr=r.get("delta_srmr"),
            n=r.get("n"),
            sample=r.get("sample"),
        )
        for r in raw.get("invariance", [])
    )
    return Validity(structure=structure, invariance=invariance)


def _screening(raw: Mapping[str, Any]) -> ScreeningSpec:
    return ScreeningSpec(
        checks=tuple(
            Check(c["id"], c["kind"], " ".join(c["text"].split()), tuple(map(float, c["expected"])))
            for c in raw.get("checks", [])
        ),
        seconds_per_item=raw.get("seconds_per_item"),
        antonyms=tuple((a, b) for a, b in raw.get("antonyms", [])),
        source=source_of(raw["source"]) if "source" in raw else None,
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
            source_of(data["license"]["source"]),
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
            source=source_of(response["source"]),
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
                source=source_of(s["source"]),
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
                source=source_of(r["source"]),
            )
            for r in data.get("reliability", [])
        ),
        norms=tuple(build_norm_table(t) for t in data.get("norms", [])),
        screening=_screening(data["screening"]) if "screening" in data else None,
        irt=build_irt(data),
        validity=_validity(data["validity"]) if "validity" in data else None,
        path=path,
        sha256=digest,
    )


def check_text(text: str, name: str = "<instrument>") -> list[str]:
    """Every problem of an instrument given as YAML text (empty list: valid).

    Examples
    --------
    >>> check_text("id: x")[0]
    "<instrument>:1 (top level): 'schema_version' is required"
    """
    return _checked(text, name)[0]


def _checked(text: str, name: str) -> tuple[list[str], dict[str, Any] | None]:
    """The problems of an instrument text, and its data when it could be read."""
    try:
        data, root = _parse(text, name)
    except InstrumentError as exc:
        return exc.problems, None
    problems = _schema_problems(data, root, name)
    return problems or meaning_problems(data, root, name), data


def validate_file(path: str | Path) -> list[str]:
    """Every problem of an instrument file (empty list: the file is valid).

    ``efficacy validate FILE...`` prints these and exits with 1 when any are found.
    """
    try:
        _refuse_nul(str(path))
        path = Path(path)
        text = _read_text(path)
    except InstrumentError as exc:
        return exc.problems
    return check_text(text, path.name)


def from_text(text: str, name: str = "<instrument>", path: Path | None = None) -> Instrument:
    """Build an :class:`Instrument` from YAML text, raising :class:`InstrumentError`."""
    problems, data = _checked(text, name)
    if problems or data is None:
        raise InstrumentError(problems)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return _build(data, path, digest)


@functools.lru_cache(maxsize=64)
def _load_path(path: Path, mtime_ns: int) -> Instrument:
    return from_text(_read_text(path), path.name, path)


def resolve_path(id_or_path: str | Path) -> Path:
    """The file behind a bundled instrument id or a path.

    A path is returned as given (with ``~`` expanded): symbolic links are followed when
    it is read, but messages name the path the caller gave.
    """
    text = str(id_or_path)
    _refuse_nul(text)
    if isinstance(id_or_path, Path) or text.endswith(_FILE_SUFFIXES) or "/" in text or "\\" in text:
        return Path(id_or_path).expanduser()
    candidate = instruments_dir() / f"{text}.yaml"
    if _IDENTIFIER.fullmatch(text) is None or not candidate.is_file():
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
    info = _check_file(path)
    try:
        real = path.resolve()
    except (OSError, RuntimeError) as exc:  # a symbolic link loop
        raise InstrumentError(f"{path}: cannot resolve the path ({exc})") from None
    return _load_path(real, info.st_mtime_ns)


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
