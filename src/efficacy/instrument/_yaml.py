"""Reading instrument YAML: plain data only, every refusal with its line and field.

Instrument files (and norm tables pasted from them) are read with YAML's safe loader,
tightened so that what a file says is what is loaded:

- anchors and aliases (``&name``, ``*name``) and merge keys (``<<``) are refused, so a
  small file cannot expand into a huge document ("billion laughs");
- mappings and lists nested more than :data:`MAX_DEPTH` levels deep are refused (an
  instrument file needs 7), so nesting cannot exhaust the stack;
- a key given twice in one mapping is refused, naming both lines; keys are compared as
  the loader compares them, so ``4:`` and ``4.0:`` (or ``4:`` and ``"4"``) are one key;
- mapping keys must be plain values, not lists or mappings;
- a value YAML cannot build (an impossible date, an integer of thousands of digits)
  is refused with its line and field.

Examples
--------
>>> read_yaml("a: 1\\nb: [x, y]\\n", "f.yaml")[0]
{'a': 1, 'b': ['x', 'y']}
>>> read_yaml("a: 1\\na: 2\\n", "f.yaml")
Traceback (most recent call last):
...
efficacy.errors.InstrumentError: f.yaml:2 a: is given twice (first on line 1)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

try:
    from yaml.cyaml import CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    CParser = None

from efficacy.errors import InstrumentError

#: Deepest nesting of mappings and lists accepted in an instrument file (the top-level
#: mapping is level 1; the bundled files need 7).
MAX_DEPTH = 32

_MERGE_TAG = "tag:yaml.org,2002:merge"
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.+-]*")
_SHOWN_CHARS = 60


def shown(value: Any) -> str:
    """``repr(value)``, cut to a readable length for messages.

    >>> shown("x" * 100)[-6:]
    'xxx...'
    """
    text = repr(value)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 3] + "..."


def path_text(path: Iterable[Any]) -> str:
    """A field path as messages write it: ``norms[0].groups[1].mean``.

    >>> path_text(["response", "labels", 4.0]), path_text([])
    ('response.labels[4.0]', '(top level)')
    >>> print(path_text(["norms", 0, "where", "a b"]))
    norms[0].where['a b']
    """
    text = ""
    for part in path:
        if isinstance(part, (int, float)) and not isinstance(part, bool):
            text += f"[{part}]"
        elif isinstance(part, str) and _PLAIN_KEY.fullmatch(part):
            text += f".{part}" if text else part
        else:  # a key that is not a plain name, e.g. with spaces or a newline
            text += f"[{shown(part)}]"
    return text or "(top level)"


class _Refused(Exception):
    """A problem found while reading, with the mark and field path where it is."""

    def __init__(self, mark: Any, path: list[Any], message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.path = list(path)
        self.message = message


class _Checks(Composer):
    """YAML composition with the refusals listed in the module docstring.

    Composition keeps the field path of the node being composed, so every refusal
    names its field. Scalars are built as soon as they are composed, which lets the
    duplicate-key check compare keys as built values. Mixed into a loader with the
    safe constructor (:class:`_PyLoader`, :class:`_CLoader`).
    """

    _path: list[Any]
    _depth: int

    def _refuse(self, mark: Any, message: str) -> _Refused:
        return _Refused(mark, self._path, message)

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        if isinstance(index, yaml.Node):  # a mapping value: its key names the field
            part: Any = self.construct_object(index)
        elif isinstance(index, int):  # a list entry
            part = index
        else:  # the document itself, or a mapping key
            part = None
        if part is not None:
            self._path.append(part)
        try:
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                raise self._refuse(
                    event.start_mark, "anchors and aliases (&name, *name) are not allowed"
                )
            is_key = parent is not None and index is None
            if is_key and not isinstance(event, yaml.ScalarEvent):
                raise self._refuse(
                    event.start_mark, "a mapping key must be a plain value, not a list or mapping"
                )
            nests = isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent))
            if nests:
                self._depth += 1
                if self._depth > MAX_DEPTH:
                    raise self._refuse(
                        event.start_mark, f"nested more than {MAX_DEPTH} levels deep"
                    )
            try:
                node = super().compose_node(parent, index)
            finally:
                if nests:
                    self._depth -= 1
            if isinstance(node, yaml.ScalarNode):
                self._build_scalar(node)
            return node
        finally:
            if part is not None:
                self._path.pop()

    def _build_scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag == _MERGE_TAG:
            raise self._refuse(node.start_mark, "merge keys (<<) are not allowed")
        kind = node.tag.rsplit(":", 1)[-1]
        try:
            value = self.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            raise self._refuse(node.start_mark, f"not valid YAML: {problem}") from exc
        except (ValueError, OverflowError, TypeError) as exc:
            raise self._refuse(
                node.start_mark, f"not valid YAML: {shown(node.value)} is not a valid {kind}"
            ) from exc
        return value

    def compose_mapping_node(self, anchor: str | None) -> yaml.MappingNode:
        start = self.get_event()
        tag = start.tag
        if tag is None or tag == "!":
            tag = self.resolve(yaml.MappingNode, None, start.implicit)
        node = yaml.MappingNode(tag, [], start.start_mark, None, flow_style=start.flow_style)
        seen: dict[Any, tuple[Any, yaml.Node]] = {}
        while not self.check_event(yaml.MappingEndEvent):
            key_node = self.compose_node(node, None)
            key = self.construct_object(key_node)
            self._path.append(key)
            try:
                try:
                    hash(key)
                except TypeError:
                    raise self._refuse(
                        key_node.start_mark, "a mapping key must be a plain value"
                    ) from None
                # keys equal as values (4 and 4.0) or as text (4 and "4") are one field
                for ident in (("value", key), ("text", str(key))):
                    if ident in seen:
                        _, first_node = seen[ident]
                        same = first_node.value == key_node.value
                        spelled = "" if same else f" as {first_node.value}"
                        raise self._refuse(
                            key_node.start_mark,
                            f"is given twice (first on line {first_node.start_mark.line + 1}"
                            f"{spelled})",
                        )
                    seen[ident] = (key, key_node)
            finally:
                self._path.pop()
            value_node = self.compose_node(node, key_node)
            node.value.append((key_node, value_node))
        node.end_mark = self.get_event().end_mark
        return node


class _PyLoader(_Checks, yaml.SafeLoader):
    """The checks on PyYAML's pure-Python parser."""

    def __init__(self, stream: str) -> None:
        yaml.SafeLoader.__init__(self, stream)
        self._path = []
        self._depth = 0


if CParser is not None:

    class _CLoader(_Checks, CParser, SafeConstructor, Resolver):  # type: ignore[misc,valid-type]
        """The checks on libyaml's parser (events only: composition stays in Python)."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            self._path = []
            self._depth = 0

    _Loader: type[_Checks] = _CLoader
else:  # pragma: no cover - PyYAML built without libyaml
    _Loader = _PyLoader


def _yaml_problem(exc: yaml.YAMLError, text: str, name: str) -> str:
    """``name:line: not valid YAML: what`` for an error of the YAML parser."""
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position) + 1
        character = exc.character
        code = character if isinstance(character, int) else ord(str(character)[:1] or "\0")
        return f"{name}:{line}: not valid YAML: unacceptable character #x{code:04x}: {exc.reason}"
    mark = getattr(exc, "problem_mark", None)
    where = name if mark is None else f"{name}:{mark.line + 1}"
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    if context:
        problem = f"{context}; {problem}"
    return f"{where}: not valid YAML: {problem}"


def read_yaml(text: str, name: str) -> tuple[Any, yaml.Node | None]:
    """The data of one YAML document and its node tree, read as the module describes.

    Parameters
    ----------
    text
        The YAML text.
    name
        How messages name the text (a file name).

    Returns
    -------
    tuple
        The plain data (None for an empty document) and the root node, whose marks
        give the line of every field.

    Raises
    ------
    InstrumentError
        Not YAML, or refused: the message gives ``name:line``, the field path where
        known, and the problem.
    """
    loader: Any = _Loader(text)
    try:
        root = loader.get_single_node()
        data = None if root is None else loader.construct_document(root)
    except _Refused as exc:
        line = exc.mark.line + 1
        raise InstrumentError(f"{name}:{line} {path_text(exc.path)}: {exc.message}") from None
    except yaml.YAMLError as exc:
        raise InstrumentError(_yaml_problem(exc, text, name)) from exc
    finally:
        loader.dispose()
    return data, root
