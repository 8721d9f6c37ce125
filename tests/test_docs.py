"""The documentation builds without a warning, and every page it names exists."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _nav_files(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [path for entry in node for path in _nav_files(entry)]
    if isinstance(node, dict):
        return [path for value in node.values() for path in _nav_files(value)]
    return []


def test_every_nav_page_exists():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    pages = _nav_files(config["nav"])
    assert "instruments/index.md" in pages
    missing = [page for page in pages if not (ROOT / "docs" / page).is_file()]
    assert missing == []


def test_reference_pages_name_existing_modules():
    for page in (ROOT / "docs" / "reference").glob("*.md"):
        for module in re.findall(r"^::: ([\w.]+)", page.read_text(encoding="utf-8"), re.M):
            assert importlib.util.find_spec(module) is not None, f"{page.name}: {module}"


@pytest.mark.slow
def test_mkdocs_build_strict(tmp_path):
    if importlib.util.find_spec("mkdocs") is None:
        pytest.skip("mkdocs is not installed (pip install 'efficacy[docs]')")
    if importlib.util.find_spec("material") is None:
        pytest.skip("mkdocs-material is not installed (pip install 'efficacy[docs]')")
    if importlib.util.find_spec("mkdocstrings_handlers") is None:
        pytest.skip("mkdocstrings[python] is not installed (pip install 'efficacy[docs]')")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert (tmp_path / "index.html").is_file()
    reference = (tmp_path / "reference" / "tables" / "index.html").read_text(encoding="utf-8")
    assert "apa_table" in reference  # the API reference was rendered from the docstrings
    # the example notebooks are rendered, executed, with their outputs
    for name in ("quickstart", "own_scale", "reliable_change"):
        page = (tmp_path / "notebooks" / name / "index.html").read_text(encoding="utf-8")
        assert "jp-OutputArea-output" in page, name


def test_landing_page_shows_what_the_code_prints_today():
    spec = importlib.util.spec_from_file_location(
        "landing", ROOT / "scripts" / "generate_landing.py"
    )
    landing = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(landing)
    page = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    assert landing.landing_output() in page
    assert (ROOT / "docs" / "assets" / "gse_distribution.png").is_file()
