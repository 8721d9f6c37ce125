"""Norm tables as instrument-file YAML, and back.

:class:`NormTable` is the norm table users handle: the plain data of
:class:`~efficacy.instrument._model.NormTableRecord` with :meth:`NormTable.to_yaml` and
:meth:`NormTable.from_yaml`. :func:`to_yaml` writes one table as the list item an
instrument file holds under ``norms:``; :func:`from_yaml` reads such text (or a bare
mapping) back, checked against the instrument schema, into an equal NormTable. Floats
are written with Python's shortest round-trip representation, so nothing is lost.

Examples
--------
>>> import efficacy as ef
>>> table = ef.load("gse").norm("world2006_sex")
>>> text = to_yaml(table)
>>> print(text.splitlines()[0])
- id: world2006_sex
>>> from_yaml(text) == table
True
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

import yaml

from efficacy.errors import InstrumentError
from efficacy.instrument._model import NormGroup, NormTableRecord, Source
from efficacy.instrument._schema import instrument_validator, schema
from efficacy.instrument._yaml import path_text, read_yaml


class NormTable(NormTableRecord):
    """Norms for one scale: published norms or reference data from an item-level data set.

    Examples
    --------
    >>> import efficacy as ef
    >>> print(ef.load("gse").norm("world2006").to_yaml().splitlines()[0])
    - id: world2006
    """

    __slots__ = ()

    def to_yaml(self, indent: int = 0) -> str:
        """The table in the instrument file format, ready to paste under ``norms:``."""
        return to_yaml(self, indent=indent)

    @classmethod
    def from_yaml(cls, text: str) -> NormTable:
        """Read a table written by :meth:`to_yaml` (validated like an instrument file)."""
        return from_yaml(text)


def source_of(raw: Mapping[str, Any]) -> Source:
    """A :class:`Source` from its validated mapping (``ref``, ``provenance``, ``note``)."""
    return Source(raw["ref"], raw["provenance"], raw.get("note"))


def build_norm_table(raw: Mapping[str, Any]) -> NormTable:
    """A :class:`NormTable` from one already validated ``norms:`` entry of a file."""
    return NormTable(
        id=raw["id"],
        scale=raw["scale"],
        kind=raw["kind"],
        population=raw["population"],
        source=source_of(raw["source"]),
        group_by=tuple(raw.get("group_by", [])),
        metric=raw.get("metric", "sum"),
        note=raw.get("note"),
        groups=tuple(_norm_group(g) for g in raw["groups"]),
        spans=tuple(raw.get("spans", [])),
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


def _number(value: Any) -> Any:
    """A plain int or float (numpy scalars as Python ones); integral floats stay floats."""
    if hasattr(value, "item"):
        value = value.item()
    return value


def _where_to_yaml(where: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in where.items():
        if isinstance(value, tuple):
            low, high = value
            bounds = {}
            if low is not None:
                bounds["min"] = _number(low)
            if high is not None:
                bounds["max"] = _number(high)
            out[str(key)] = bounds
        else:
            out[str(key)] = _number(value)
    return out


def _group_to_yaml(group: NormGroup) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if group.where:
        out["where"] = _where_to_yaml(group.where)
    if group.n is not None:
        out["n"] = int(group.n)
    out["mean"] = float(group.mean)
    if group.sd is not None:
        out["sd"] = float(group.sd)
    if group.alpha is not None:
        out["alpha"] = float(group.alpha)
    if group.percentiles is not None:
        out["percentiles"] = {
            _score_key(score): float(rank) for score, rank in sorted(group.percentiles.items())
        }
    return out


def _score_key(score: float) -> int | float:
    """Integral scores as ints (``29:``), others as floats; both load back as floats."""
    value = float(score)
    return int(value) if value.is_integer() else value


def table_to_dict(table: NormTable) -> dict[str, Any]:
    """The table as the plain mapping an instrument file holds (keys in file order)."""
    out: dict[str, Any] = {
        "id": table.id,
        "scale": table.scale,
        "kind": table.kind,
        "metric": table.metric,
        "population": table.population,
    }
    if table.group_by:
        out["group_by"] = list(table.group_by)
    if table.spans:
        out["spans"] = list(table.spans)
    source: dict[str, Any] = {"ref": table.source.ref, "provenance": table.source.provenance}
    if table.source.note:
        source["note"] = table.source.note
    out["source"] = source
    if table.note:
        out["note"] = table.note
    out["groups"] = [_group_to_yaml(group) for group in table.groups]
    return out


class _Dumper(yaml.SafeDumper):
    """Safe dumper that indents nested lists under their key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
        return super().increase_indent(flow, False)


def to_yaml(table: NormTable, *, indent: int = 0) -> str:
    """A norm table as YAML in the instrument file format.

    Parameters
    ----------
    table
        The norm table, e.g. from :func:`efficacy.build_norms`.
    indent
        Spaces to put before every line, to match the ``norms:`` list of the file it is
        pasted into (the bundled files use 2).

    Returns
    -------
    str
        A one-item YAML list (``- id: ...``) to paste under ``norms:``. Each group is
        written on one line in flow style, like the bundled files. The table's
        ``source.ref`` must be a citation key of the instrument file it is pasted into.

    Examples
    --------
    >>> import efficacy as ef
    >>> print(to_yaml(ef.load("gse").norm("world2006_sex")), end="")
    - id: world2006_sex
      scale: gse
      kind: reference_data
      metric: sum
      population: As world2006, by sex (respondents with sex recorded).
      group_by: [sex]
      spans: [nation]
      source: {ref: gse_world_data_2006, provenance: C}
      groups:
      - {where: {sex: male}, n: 7415, mean: 30.08, sd: 5.11}
      - {where: {sex: female}, n: 9624, mean: 28.99, sd: 5.59}
    """
    data = table_to_dict(table)
    groups = data.pop("groups")
    head = yaml.dump(
        [data],
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=None,
        allow_unicode=True,
        width=100,
    )
    lines = [head.rstrip("\n"), "  groups:"]
    for group in groups:
        line = yaml.dump(
            group,
            Dumper=_Dumper,
            sort_keys=False,
            default_flow_style=True,
            allow_unicode=True,
            width=10_000,
        ).strip()
        lines.append(f"  - {line}")
    text = "\n".join(lines) + "\n"
    return textwrap.indent(text, " " * indent) if indent else text


def _table_schema() -> dict[str, Any]:
    full = schema()
    return {"$defs": full["$defs"], **full["properties"]["norms"]["items"]}


def _keys_as_text(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _keys_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_keys_as_text(v) for v in value]
    return value


def table_from_dict(data: dict[str, Any], name: str = "<norm table>") -> NormTable:
    """Validate one ``norms:`` entry against the schema and build the NormTable."""
    validator = instrument_validator(_table_schema())
    problems = []
    for error in sorted(validator.iter_errors(_keys_as_text(data)), key=lambda e: list(e.path)):
        problems.append(f"{name} {path_text(error.absolute_path)}: {error.message}")
    group_by = data.get("group_by", [])
    for j, group in enumerate(data.get("groups", []) if not problems else []):
        extra = [key for key in group.get("where", {}) if key not in group_by]
        if extra:
            problems.append(
                f"{name} groups[{j}].where: covariates {extra} are not in group_by {group_by}"
            )
    if problems:
        raise InstrumentError(problems)
    return build_norm_table(data)


def from_yaml(text: str, name: str = "<norm table>") -> NormTable:
    """Read a norm table written by :func:`to_yaml` (or any ``norms:`` entry).

    Parameters
    ----------
    text
        YAML: a one-item list as :func:`to_yaml` writes it, or a bare mapping.
    name
        How messages name the text.

    Raises
    ------
    InstrumentError
        Not YAML, not one table, or a table that breaks the instrument schema; every
        problem is listed with its field path. The YAML is read as instrument files are
        (no anchors or aliases, no key given twice, limited nesting).

    Examples
    --------
    >>> from_yaml("id: x\\nscale: gse\\nkind: published\\npopulation: p\\n"
    ...           "source: {ref: a, provenance: P}\\ngroups: [{mean: 30}]").groups[0].mean
    30.0
    """
    data, _ = read_yaml(text, name)
    if isinstance(data, list):
        if len(data) != 1:
            raise InstrumentError(f"{name}: expected one norm table, got a list of {len(data)}")
        data = data[0]
    if not isinstance(data, dict):
        raise InstrumentError(f"{name}: expected a mapping of norm table fields")
    return table_from_dict(data, name)
