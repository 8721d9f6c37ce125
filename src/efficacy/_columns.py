"""Which column of the data holds which item: ids, a mapping, or a template such as q{n:02d}."""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

import pandas as pd

from efficacy.errors import (
    DataError,
    require_columns,
    require_flat_columns,
)
from efficacy.instrument._model import Instrument

#: How items map to columns: None (item ids), a template, or a dict item id -> column.
Columns = None | str | Mapping[str, Any]


def resolve_columns(instrument: Instrument, data: pd.DataFrame, columns: Columns) -> dict[str, Any]:
    """Map each item id to the data column that holds it.

    Parameters
    ----------
    columns
        ``None``: columns are named by item id. A dict: item id -> column. A string
        template: ``"{n}"`` is replaced by the item number and ``"{id}"`` by its id,
        e.g. ``"self{n}"`` -> ``self1``, ``self2``, ...

    Examples
    --------
    >>> import efficacy as ef
    >>> frame = pd.DataFrame(columns=[f"q{i}" for i in range(1, 11)])
    >>> resolve_columns(ef.load("gse"), frame, "q{n}")["gse10"]
    'q10'
    """
    items = instrument.items
    if columns is None:
        mapping: dict[str, Any] = {item.id: item.id for item in items}
    elif isinstance(columns, str):
        mapping = {
            item.id: name for item, name in zip(items, _template(columns, items), strict=True)
        }
    elif isinstance(columns, Mapping):
        unknown = [key for key in columns if key not in instrument.item_ids]
        if unknown:
            hint = ""
            if all(value in instrument.item_ids for value in columns.values()):
                hint = " (the dict maps item id -> column; it looks inverted)"
            raise DataError(
                f"columns names items that {instrument.id} does not have: {unknown}; "
                f"its items are {list(instrument.item_ids)}{hint}"
            )
        absent = [item.id for item in items if item.id not in columns]
        if absent:
            raise DataError(f"columns gives no column for items {absent} of {instrument.id}")
        mapping = {item.id: columns[item.id] for item in items}
    else:
        raise DataError(
            f"columns must be None, a dict or a template string, got {type(columns).__name__}"
        )
    wanted = list(mapping.values())
    require_flat_columns(data)
    require_columns(data, wanted, what=f"data for {instrument.id}")
    duplicated = sorted({str(c) for c in wanted if (data.columns == c).sum() > 1})
    if duplicated:
        raise DataError(f"data has duplicate columns: {duplicated}")
    if len(set(wanted)) < len(wanted):
        repeated = sorted({str(c) for c in wanted if wanted.count(c) > 1})
        raise DataError(f"columns maps several items to the same column: {repeated}")
    return mapping


def _template(template: str, items: Any) -> list[str]:
    """Column names from a template such as ``"self{n}"`` or ``"q{n:02d}"``.

    The only fields are ``{n}`` (item number) and ``{id}`` (item id), with an
    optional format spec; anything else is a :class:`DataError` naming the template.
    """
    try:
        fields = [
            field for _, field, _, _ in string.Formatter().parse(template) if field is not None
        ]
    except ValueError as exc:
        raise DataError(f"column template {template!r} is not a valid template: {exc}") from None
    unknown = sorted({field for field in fields if field not in ("n", "id")})
    if unknown:
        raise DataError(
            f"column template {template!r} has fields {unknown}; the only fields are "
            "'{n}' (item number) and '{id}' (item id), e.g. 'self{n}' or 'q{n:02d}'"
        )
    if not fields:
        raise DataError(f"column template {template!r} needs '{{n}}' (item number) or '{{id}}'")
    try:
        return [template.format(n=item.number, id=item.id) for item in items]
    except (ValueError, KeyError, IndexError, AttributeError) as exc:
        raise DataError(f"column template {template!r} cannot be filled in: {exc}") from None
