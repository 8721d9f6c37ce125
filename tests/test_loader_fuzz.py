"""A mutation sweep of instrument fields: junk in any field is a valid file or a clear error.

Every field of a bundled instrument file (every mapping value and list entry, and every
mapping key) is replaced by junk: wrong types, NaN, infinities, huge numbers, empty
values, unusual Unicode. The file is written back as YAML and loaded. The outcome must be
a usable :class:`Instrument`, or an :class:`InstrumentError` whose every problem names
the file, the line and the field: never another exception.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Iterator
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import efficacy as ef
from efficacy.instrument import instrument_text
from efficacy.instrument._loader import from_text, instruments_dir


def _data(instrument_id: str) -> dict[str, Any]:
    return yaml.safe_load((instruments_dir() / f"{instrument_id}.yaml").read_text("utf-8"))


#: The sweep runs over the NGSE (short: every field, several junk values each) and
#: hypothesis over the GSE (long: norms, reliability, aliases).
NGSE = _data("ngse")
GSE = _data("gse")

#: A problem as messages write it: ``FILE:LINE FIELD: what`` (texts are read as gse.yaml).
PROBLEM = re.compile(r"gse\.yaml:[1-9][0-9]* (\(top level\)|[A-Za-z_][^\n]*?): \S[^\n]*")

JUNK: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    2.5,
    -0.0,
    10**400,
    1e308,
    -1e308,
    math.nan,
    math.inf,
    -math.inf,
    "",
    "   ",
    "x" * 5000,
    "ｇｓｅ１",
    "\u202egse",
    "gse\n",
    "é",
    "\U0001f600",
    "\x85",
    "1",
    "4.0",
    "0_4",
    "2020-02-30",
    [],
    {},
    [None],
    [math.nan, math.inf],
    {"x": 1},
    {"min": math.nan},
    [[[[[[[[1]]]]]]]],
]

DELETE = object()


def field_paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every field below ``value``, parents before children."""
    if path:
        yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from field_paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from field_paths(child, (*path, index))


NGSE_PATHS = list(field_paths(NGSE))
GSE_PATHS = list(field_paths(GSE))


def mutated(base: dict[str, Any], path: tuple[Any, ...], junk: Any, rename: bool = False) -> str:
    """The file with the field at ``path`` replaced (or deleted, or its key renamed)."""
    data = copy.deepcopy(base)
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if rename and isinstance(parent, dict):
        value = parent.pop(last)
        try:
            parent[junk] = value
        except TypeError:  # an unhashable key cannot be written
            parent[str(junk)] = value
    elif junk is DELETE:
        del parent[last]
    else:
        parent[last] = copy.deepcopy(junk)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True)


def outcome(text: str) -> str:
    """'valid' or 'refused'; an AssertionError for any other outcome."""
    try:
        instrument = from_text(text, "gse.yaml")
    except ef.InstrumentError as exc:
        problems = exc.problems
    else:
        problems = None
    if problems is not None:
        assert problems, "an InstrumentError without problems"
        for problem in problems:
            assert PROBLEM.fullmatch(problem), problem
        return "refused"
    # a valid instrument is usable: its codes, label lookup and fact sheet
    assert len(instrument.response.codes) <= ef.instrument.MAX_CODES
    instrument.response.label_lookup()
    assert instrument_text(instrument)
    return "valid"


def sweep() -> Iterator[str]:
    """Every field of the NGSE with four junk values and deleted; every key renamed."""
    for i, path in enumerate(NGSE_PATHS):
        for k in range(4):
            yield mutated(NGSE, path, JUNK[(4 * i + k) % len(JUNK)])
        yield mutated(NGSE, path, DELETE)
    for i, path in enumerate(p for p in NGSE_PATHS if isinstance(p[-1], str)):
        junk = ["", "ｇｓｅ", "x" * 300, 4, None, "id\n"][i % 6]
        yield mutated(NGSE, path, junk, rename=True)


def test_every_field_mutated_every_way():
    counts = {"valid": 0, "refused": 0}
    for text in sweep():
        counts[outcome(text)] += 1
    assert counts["refused"] > 500 and counts["valid"] > 10, counts


junk_values = st.one_of(
    st.sampled_from(JUNK),
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=True, allow_infinity=True)
        | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
        ),
        max_leaves=8,
    ),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    path=st.sampled_from(GSE_PATHS),
    junk=st.one_of(junk_values, st.just(DELETE)),
    rename=st.booleans(),
)
def test_junk_in_any_field_is_a_valid_instrument_or_a_clear_error(path, junk, rename):
    if junk is DELETE and (rename or isinstance(path[-1], int)):
        rename = False
    outcome(mutated(GSE, path, junk, rename=rename and isinstance(path[-1], str)))
