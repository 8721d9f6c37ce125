"""The documentation builds without a warning, and every page it names exists."""

from __future__ import annotations

import ast
import html
import importlib
import importlib.util
import inspect
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


ROLE = re.compile(r":(?:func|class|meth|mod|attr|data|exc|obj):")
OBJECT = re.compile(r'<div class="doc doc-object doc-(?:function|class)">\s*<h\d id="([\w.]+)"')
ROW = re.compile(r'<tr class="doc-section-item">(.*?)</tr>', re.S)
CELL = re.compile(r"<td>(.*?)</td>", re.S)


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def _resolve(path: str):
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise LookupError(path)


def _check_rendered_reference(site: Path) -> None:
    """No literal Sphinx role anywhere; every rendered parameter default is the signature's."""
    wrong: list[str] = []
    for page in sorted(site.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        for match in ROLE.finditer(_text(text)):
            wrong.append(f"{page.relative_to(site)}: literal role {match.group(0)}")
    for page in sorted((site / "reference").rglob("index.html")):
        text = page.read_text(encoding="utf-8")
        starts = [(m.start(), m.group(1)) for m in OBJECT.finditer(text)]
        ends = [s for s, _ in starts[1:]] + [len(text)] if starts else []
        for (start, path), end in zip(starts, ends, strict=True):
            obj = _resolve(path)
            if isinstance(obj, type):
                obj = obj.__init__
            try:
                parameters = inspect.signature(obj).parameters
            except (TypeError, ValueError):
                continue
            block = text[start:end]
            table = block.find("<th>Default</th>")
            if table < 0:
                continue
            for row in ROW.findall(block[table : block.find("</table>", table)]):
                cells = [_text(c) for c in CELL.findall(row)]
                name, default = cells[0], cells[-1]
                param = parameters.get(name)
                if param is None:
                    continue
                if default == "required":
                    if param.default is not param.empty:
                        wrong.append(
                            f"{path}({name}): shown as required, default {param.default!r}"
                        )
                    continue
                if param.default is param.empty:
                    wrong.append(f"{path}({name}): shown with default {default}, none in signature")
                    continue
                try:
                    shown = ast.literal_eval(default)
                except (ValueError, SyntaxError):
                    continue  # a named constant such as N_BOOT
                if shown != param.default:
                    wrong.append(
                        f"{path}({name}): shown default {default}, signature {param.default!r}"
                    )
    assert wrong == [], "\n".join(wrong[:40])


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
    _check_rendered_reference(tmp_path)
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


def _extension():
    script = ROOT / "scripts" / "docs_extension.py"
    spec = importlib.util.spec_from_file_location("docs_extension", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_grouped_numpydoc_entries_become_one_entry_per_name():
    pytest.importorskip("griffe")
    ext = _extension()
    text = (
        "Summary.\n\nParameters\n----------\ndata, instrument : DataFrame\n"
        "    As for score.\n\n    Second paragraph.\nlevel\n    Confidence.\n\n"
        "Returns\n-------\nx, y\n    Not parameters.\n"
    )
    out = ext.split_grouped_entries(text)
    assert "data : DataFrame\n    As for score.\n\n    Second paragraph.\n" in out
    assert "instrument : DataFrame\n    As for score.\n\n    Second paragraph.\n" in out
    assert "level\n    Confidence." in out
    assert "x, y\n    Not parameters." in out  # only parameter sections are split


def test_sphinx_roles_become_inline_code():
    pytest.importorskip("griffe")
    ext = _extension()
    assert ext.roles_to_code("see :func:`~efficacy.score` and :mod:`efficacy.io`") == (
        "see `score` and `efficacy.io`"
    )
