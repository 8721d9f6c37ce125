"""The ``efficacy`` command: list, show, validate, score, report, screen, demo.

Examples
--------
>>> from efficacy.cli import build_parser
>>> build_parser().prog
'efficacy'
"""

from __future__ import annotations

from efficacy.cli._main import build_parser, main
from efficacy.cli._messages import cli_message

__all__ = ["build_parser", "cli_message", "main"]
