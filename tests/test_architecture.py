"""The package layout: a folder per topic, imports that run one way, and the 0.1.0 API kept.

The flow runs data model -> loading -> scoring -> statistics -> output -> CLI; a module
may import from its own layer or the layers before it, never after it, and no import
circle exists (imports under ``if TYPE_CHECKING:`` never run and are not counted).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import pkgutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

import efficacy as ef

PACKAGE = Path(ef.__file__).parent
API_FILE = Path(__file__).parent / "fixtures" / "api" / "public_api_0_1_0.json"

#: Layer of each top-level module or topic package, in the order of the flow.
LAYERS: dict[str, int] = {
    "_version": 0,
    "_dispatch": 0,
    "errors": 0,
    "results": 0,
    "instrument": 1,
    "datasets": 1,
    "io": 2,
    "scoring": 3,
    "_exclude": 3,
    "_columns": 3,
    "item_response": 3,
    "_warnings": 0,
    "coefficients": 4,
    "norms": 4,
    "validation": 4,
    "screening": 4,
    "output": 5,
    "distributed": 5,
    "demo": 6,
    "cli": 6,
    "__main__": 7,
}


def _modules() -> list[str]:
    names = ["efficacy"]
    for info in pkgutil.walk_packages([str(PACKAGE)], prefix="efficacy."):
        names.append(info.name)
    return sorted(names)


def _path(module: str) -> Path:
    parts = module.split(".")[1:]
    folder = PACKAGE.joinpath(*parts)
    return folder / "__init__.py" if folder.is_dir() else folder.with_suffix(".py")


def _is_type_checking(node: ast.If) -> bool:
    return "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(module: str) -> set[str]:
    """The efficacy modules ``module`` imports (anywhere but under TYPE_CHECKING)."""
    tree = ast.parse(_path(module).read_text(encoding="utf-8"))
    known = set(_modules())
    package = module if _path(module).name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("efficacy"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            if target.startswith("efficacy"):
                found.add(target)
                for alias in node.names:
                    if f"{target}.{alias.name}" in known:
                        found.add(f"{target}.{alias.name}")
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    found.discard(module)
    return {name for name in found if name in known}


def _layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.get(parts[1]) if len(parts) > 1 else None


def test_every_module_imports():
    for module in _modules():
        importlib.import_module(module)


def test_no_import_circle():
    graph = {module: _imports(module) for module in _modules()}
    state: dict[str, int] = {}
    path: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = [*path[path.index(nxt) :], nxt]
                pytest.fail("import circle: " + " -> ".join(cycle))
            if nxt not in state:
                walk(nxt)
        path.pop()
        state[node] = 2

    for module in graph:
        if module not in state:
            walk(module)


def test_imports_run_one_way_through_the_layers():
    wrong = []
    for module in _modules():
        here = _layer(module)
        assert here is not None or module == "efficacy", f"{module} has no layer"
        for target in _imports(module):
            there = _layer(target)
            if here is not None and there is not None and there > here:
                wrong.append(f"{module} (layer {here}) imports {target} (layer {there})")
    assert not wrong, "\n".join(wrong)


def test_the_instrument_model_imports_neither_the_loader_nor_yaml():
    source = (PACKAGE / "instrument" / "_model.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert "yaml" not in imported
    assert not any(name and name.startswith("efficacy.instrument._loader") for name in imported)
    assert _imports("efficacy.instrument._model") <= {"efficacy.errors"}


def test_the_package_module_is_a_plain_module():
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, types, efficacy as ef\n"
            "import efficacy.coefficients, efficacy.output\n"
            "assert type(sys.modules['efficacy']) is types.ModuleType\n"
            "assert callable(ef.reliability) and callable(ef.report)\n",
        ],
        check=True,
    )
    assert type(sys.modules["efficacy"]) is types.ModuleType


def test_no_public_function_is_named_like_a_module():
    modules = set(_modules())
    clashes = [
        name
        for name in ef.__all__
        if not inspect.ismodule(getattr(ef, name)) and f"efficacy.{name}" in modules
    ]
    assert clashes == []


def test_few_top_level_modules_and_none_too_long():
    top = [p.name for p in PACKAGE.glob("*.py")]
    assert len(top) <= 12, sorted(top)
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600
    }
    assert long == {}


def _parameters(func) -> list[list]:
    return [
        [p.name, p.kind.name, None if p.default is p.empty else repr(p.default)]
        for p in inspect.signature(func).parameters.values()
    ]


def test_every_public_name_of_0_1_0_still_resolves_with_its_signature():
    released = json.loads(API_FILE.read_text(encoding="utf-8"))["names"]
    assert len(released) == 46
    for name, described in released.items():
        value = getattr(ef, name)
        if inspect.ismodule(value):
            for func in described:
                assert inspect.isfunction(getattr(value, func)), (name, func)
        elif described == "class":
            assert inspect.isclass(value), name
        elif isinstance(described, list):
            now = {p[0]: p for p in _parameters(value)}
            for param in described:
                assert now.get(param[0]) == param, (name, param, now.get(param[0]))
        else:
            assert type(value).__name__ == described, name


def test_topic_packages_are_reachable_as_attributes():
    assert ef.norms.standardize is ef.standardize
    assert ef.coefficients.alpha is ef.alpha
    assert ef.io.read is ef.read
    assert importlib.import_module("efficacy.output").report is ef.report
