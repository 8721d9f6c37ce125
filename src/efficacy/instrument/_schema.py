"""The JSON Schema of instrument files, read once from the package data, and its validator.

The validator is JSON Schema draft 2020-12 with two rules made explicit, because Python
would otherwise read the schema more loosely than it is written:

- ``"type": "number"`` means a *finite* number: NaN, infinities and integers too large
  for a float are refused wherever a number is needed (step, norm SD, alpha, ranges,
  age bounds, ...);
- ``pattern`` must match the *whole* value (:func:`re.fullmatch`). Every pattern of the
  schema is anchored (``^...$``), so this is the meaning the schema has for editors too;
  Python's ``re.search`` would also accept a value with a trailing newline
  (``"gse1\\n"``).

Examples
--------
>>> validator = instrument_validator({"type": "number"})
>>> validator.is_valid(1.5), validator.is_valid(float("nan")), validator.is_valid(10**400)
(True, False, False)
>>> instrument_validator({"pattern": "^[a-z]+$"}).is_valid("gse\\n")
False
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Iterator
from importlib import resources
from typing import Any

import jsonschema
import jsonschema.validators

#: Most codes a response scale may have (``(max - min) / step + 1``): a 0-100 scale in
#: steps of 0.01 has 10,001.
MAX_CODES = 10_001


@functools.cache
def schema() -> dict[str, Any]:
    """The JSON Schema of instrument files (also usable by editors).

    Examples
    --------
    >>> schema()["title"]
    'efficacy instrument'
    """
    text = (resources.files("efficacy.instrument") / "schema" / "instrument.schema.json").read_text(
        "utf-8"
    )
    return json.loads(text)


def is_finite_number(value: Any) -> bool:
    """True for an int or float (not a bool) that is finite as a float.

    >>> is_finite_number(3), is_finite_number(float("inf")), is_finite_number(True)
    (True, False, False)
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int beyond the float range
        return False


def _finite_number(checker: Any, instance: Any) -> bool:
    return is_finite_number(instance)


def _whole_pattern(
    validator: Any, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[jsonschema.ValidationError]:
    if validator.is_type(instance, "string") and re.fullmatch(pattern, instance) is None:
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


_Validator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    validators={"pattern": _whole_pattern},
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("number", _finite_number),
)


def instrument_validator(part: dict[str, Any] | None = None) -> Any:
    """A validator of the instrument schema (or of ``part`` of it), with the rules above."""
    return _Validator(schema() if part is None else part)
