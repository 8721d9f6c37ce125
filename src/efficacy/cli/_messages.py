"""Messages of the command line: warnings as one plain line, hints that name the command's flags."""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any


def show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
    *,
    flags: dict[str, str] | None = None,
) -> None:
    """Print a warning as one plain line on standard error, hints as ``flags`` say them."""
    text = cli_message(" ".join(str(message).split()), flags)
    print(f"efficacy: warning: {text}", file=sys.stderr if file is None else file)


#: Library phrases with no keyword argument in them, and how the command says them.
CLI_PHRASES = (
    (
        'the full list is in attrs["efficacy"]["invalid_cells"]',
        "efficacy report lists every cell",
    ),
)


#: A keyword argument in a library message: ``name=``, a quoted or plain value.
KEYWORD = re.compile(r"\b([a-z][a-z_]*)=(?:\[([^\]]*)\]|([\"'])([^\"']*)\3|([^\s,;)\]]*))")


def cli_message(text: str, flags: dict[str, str] | None = None) -> str:
    """A library message with its Python hints said as the command's flags.

    ``flags`` maps a keyword argument to the command's option (``on_invalid`` ->
    ``--on-invalid``); keyword arguments the command has no option for are left as
    they are.

    Examples
    --------
    >>> cli_message('Pass on_invalid="missing" to score them.', {"on_invalid": "--on-invalid"})
    'Pass --on-invalid missing to score them.'
    >>> cli_message("pass the file's encoding with encoding=", {"encoding": "--encoding"})
    "pass the file's encoding with --encoding"
    """
    for python, said in CLI_PHRASES:
        text = text.replace(python, said)
    if not flags:
        return text

    def option(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in flags:
            return match.group(0)
        listed, quoted, plain = match.group(2), match.group(4), match.group(5)
        if listed is not None:
            value = " ".join(part.strip(" '\"") for part in listed.split(","))
        else:
            value = quoted if quoted is not None else plain
        return f"{flags[name]} {value}" if value else flags[name]

    return KEYWORD.sub(option, text)


def flags(parser: argparse.ArgumentParser | None) -> dict[str, str]:
    """Keyword argument -> option of a command (``on_invalid`` -> ``--on-invalid``)."""
    if parser is None:
        return {}
    return {
        action.dest: action.option_strings[-1]
        for action in parser._actions
        if action.option_strings and action.dest != "help"
    }
