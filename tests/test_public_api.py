"""The public API: every name DESIGN.md promises resolves, lazily and to the right object."""

from __future__ import annotations

import subprocess
import sys

import efficacy as ef


def test_every_exported_name_resolves():
    for name in ef.__all__:
        assert getattr(ef, name) is not None, name


def test_import_is_light():
    code = "import sys, efficacy; print('pandas' in sys.modules, 'pingouin' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "False"]
