"""A griffe extension for the API reference: numpydoc as the docstrings are written.

The docstrings follow numpydoc, which allows one entry for several parameters
(``data, instrument, columns``) and Sphinx roles (``:func:`efficacy.score```). The
numpy parser of mkdocstrings gives every name of a grouped entry the first name's type
and "required", and it prints roles literally. Before a docstring is parsed, this
extension writes each grouped entry as one entry per name (same description), so that
every parameter takes its own type and default from the signature, and turns roles
into inline code (``~a.b`` shows as ``b``, as in Sphinx).

mkdocs.yml loads it as a mkdocstrings handler extension.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

#: ``:func:`~efficacy.score``` and friends.
ROLE = re.compile(r":(?:py:)?(?:func|class|meth|mod|attr|data|exc|obj):`(~?)([^`]+)`")
#: Section headers whose entries name parameters.
PARAMETER_SECTIONS = ("Parameters", "Other Parameters", "Attributes", "Keyword Arguments")
#: A numpydoc entry line naming several parameters, with an optional type.
GROUPED = re.compile(
    r"^(?P<indent>\s*)(?P<names>[A-Za-z_*][\w*]*(?:\s*,\s*[A-Za-z_*][\w*]*)+)"
    r"(?P<type>\s*:.*)?$"
)


def roles_to_code(text: str) -> str:
    """Sphinx roles as inline code: ``:func:`~a.b``` -> ```b```, ``:mod:`a.b``` -> ```a.b```."""

    def code(match: re.Match[str]) -> str:
        short, target = match.group(1), match.group(2)
        return f"`{target.rsplit('.', 1)[-1] if short else target}`"

    return ROLE.sub(code, text)


def split_grouped_entries(text: str) -> str:
    """Write each grouped parameter entry as one entry per name."""
    lines = text.splitlines()
    out: list[str] = []
    section = None
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if i + 1 < len(lines) and set(lines[i + 1].strip()) == {"-"} and stripped:
            section = stripped
            out += [line, lines[i + 1]]
            i += 2
            continue
        match = GROUPED.match(line) if section in PARAMETER_SECTIONS else None
        if match is None:
            out.append(line)
            i += 1
            continue
        indent = match.group("indent")
        body: list[str] = []
        j = i + 1
        while j < len(lines) and (
            not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > len(indent)
        ):
            body.append(lines[j])
            j += 1
        while body and not body[-1].strip():
            body.pop()
        kind = match.group("type") or ""
        for name in (n.strip() for n in match.group("names").split(",")):
            out.append(f"{indent}{name}{kind}")
            out.extend(body)
        if j < len(lines) and not lines[j - 1].strip():
            out.append("")
        i = j
    return "\n".join(out)


def fix_docstring(text: str) -> str:
    """Both rewrites, in the order the parser needs."""
    return roles_to_code(split_grouped_entries(text))


class NumpydocAsWritten(griffe.Extension):
    """Rewrite grouped entries and Sphinx roles before a docstring is parsed."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = fix_docstring(obj.docstring.value)
