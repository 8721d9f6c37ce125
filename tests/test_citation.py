"""The package's CITATION.cff is valid CFF 1.2 with the package's own version."""

from __future__ import annotations

from pathlib import Path

import yaml

import efficacy as ef

ROOT = Path(__file__).resolve().parents[1]


def test_citation_file_names_the_package_and_its_version():
    data = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert data["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors", "version", "license"):
        assert data[key], key
    assert str(data["version"]) == ef.__version__
