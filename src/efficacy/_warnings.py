"""Warnings said once: the same message about the same data is not repeated.

An analysis often codes the same responses several times (``score``, then
``item_responses``, then ``reliability``, or a report that calls them all). A warning
about those responses, such as the invalid cells scored as missing, is said the first
time and not again while the warning filters stay as they are. Any change of the
filters (``warnings.catch_warnings``, ``simplefilter``, ``pytest.warns``) starts afresh,
and a filter whose action is ``"always"`` or ``"error"`` for the warning shows every
occurrence, so nothing is hidden from a caller who asks to see each one.

Examples
--------
>>> import warnings
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("default")
...     for _ in range(3):
...         warn_once("3 cells were odd", UserWarning, key="data-1")
...     warn_once("3 cells were odd", UserWarning, key="data-2")
>>> len(caught)
2
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Hashable
from typing import Any

import pandas as pd

#: How many distinct warnings are remembered (the oldest are forgotten first), and
#: under how many filter states each.
MEMORY = 256
STATES = 4

_said: dict[tuple[Any, ...], list[tuple[list[Any], tuple[Any, ...]]]] = {}


def _filters_state() -> tuple[list[Any], tuple[Any, ...]]:
    # the list object itself (held, so that its id cannot be reused by a new one) and
    # its contents: catch_warnings() installs a new list, simplefilter() changes one
    return (warnings.filters, tuple(warnings.filters))


def _said_under(states: list[tuple[list[Any], tuple[Any, ...]]]) -> bool:
    filters, contents = _filters_state()
    return any(held is filters and seen == contents for held, seen in states)


def _action(message: str, category: type[Warning]) -> str:
    """The action the first matching filter takes for this warning (module aside)."""
    for action, text, kind, _module, lineno in warnings.filters:
        if lineno:
            continue
        if not issubclass(category, kind):
            continue
        if text is not None and not re.match(text, message):
            continue
        return str(action)
    return "default"


def fingerprint(frame: pd.DataFrame) -> int:
    """A hash of a table's cells (as text) and row labels, to key warnings about them."""
    cells = pd.util.hash_pandas_object(frame.astype(str), index=True)
    return int(pd.util.hash_array(cells.to_numpy()).sum()) if len(frame) else 0


def warn_once(
    message: str, category: type[Warning] = UserWarning, *, key: Hashable, stacklevel: int = 1
) -> None:
    """Warn, unless the same message about the same data (``key``) was said already.

    Parameters
    ----------
    message, category
        As for :func:`warnings.warn`.
    key
        What the warning is about (e.g. a fingerprint of the cells it names).
    stacklevel
        As for :func:`warnings.warn`, counted from the caller of this function.
    """
    said = (category, message, key)
    states = _said.pop(said, [])
    if _said_under(states) and _action(message, category) not in ("always", "error"):
        _said[said] = states
        return
    warnings.warn(message, category, stacklevel=stacklevel + 1)
    _said[said] = [*states, _filters_state()][-STATES:]
    while len(_said) > MEMORY:
        del _said[next(iter(_said))]
