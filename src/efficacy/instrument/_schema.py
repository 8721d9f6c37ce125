"""The JSON Schema of instrument files, read once from the package data."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any


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
