"""Imports point one way: text -> nn -> models -> training -> apps -> cli / serve (read from the AST).

Each module of ``src/rnnkit`` belongs to a layer; it may import its own package and lower layers,
never a higher one or a sibling that the table keeps apart (the lab and the apps, two products).
Imports under ``if TYPE_CHECKING:`` are type hints, not dependencies, and do not count; imports
inside functions (the CLI's lazy ones) do.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import rnnkit

SRC = Path(rnnkit.__file__).resolve().parent

# layer of each top-level part of the package; a module may import only its own part and lower layers
LAYERS = {
    "_version": 0, "_lazy": 0, "errors": 0,
    "config": 1,
    "text": 2, "data": 3,
    "nn": 4,
    "models": 5,
    "training": 6,
    "lab": 7, "apps": 7,
    "serve": 8, "export": 8,
    "cli": 9,
}
# parts of one layer that must not import each other: the lab takes loaded models, never an app's files;
# the service and the exporters are two ways of deploying the apps, neither built on the other
APART = {frozenset({"lab", "apps"}), frozenset({"serve", "export"})}


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, module: str, is_package: bool) -> list[tuple[str, int]]:
    """(imported rnnkit module, line) for every import outside ``if TYPE_CHECKING:`` blocks."""
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names if alias.name.startswith("rnnkit"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative import: resolve against this module's package
                package = module.split(".") if is_package else module.split(".")[:-1]
                base = ".".join(package[:len(package) - node.level + 1] + ([base] if base else []))
            if base.startswith("rnnkit"):
                found.extend((f"{base}.{alias.name}" if _is_module(f"{base}.{alias.name}") else base, node.lineno)
                             for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _is_module(name: str) -> bool:
    path = SRC.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _graph() -> dict[str, list[tuple[str, int]]]:
    graph = {}
    for path in sorted(SRC.rglob("*.py")):
        module = _module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[module] = _imports(tree, module, path.name == "__init__.py")
    return graph


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _upward(importer: str, imported: str) -> str | None:
    """Why ``importer`` may not import ``imported``, or None when it may."""
    src, dst = _part(importer), _part(imported)
    if src == "" or src == dst:  # rnnkit/__init__.py imports lazily by name; a part may import itself
        if src == dst == "apps" and importer.split(".")[2:3] != imported.split(".")[2:3] and len(
                imported.split(".")) > 2:
            return "one product imports another"
        return None
    if dst == "":
        return "imports the top-level package (import the module that defines the name)"
    if src not in LAYERS or dst not in LAYERS:
        return f"part {src or dst!r} has no layer in LAYERS"
    if frozenset({src, dst}) in APART:
        return f"{src} and {dst} are kept apart"
    if LAYERS[dst] > LAYERS[src]:
        return f"{src} (layer {LAYERS[src]}) imports upward into {dst} (layer {LAYERS[dst]})"
    return None


def test_every_part_of_the_package_has_a_layer():
    parts = {p.name.removesuffix(".py") for p in SRC.iterdir() if (p.suffix == ".py" or p.is_dir())
             and p.name not in ("__init__.py", "__pycache__", "pretrained")}
    assert parts <= set(LAYERS), f"give these a layer: {sorted(parts - set(LAYERS))}"


def test_nothing_imports_upward():
    problems = [f"{importer}:{line} imports {imported}: {why}"
                for importer, imports in _graph().items() for imported, line in imports
                if (why := _upward(importer, imported))]
    assert not problems, "\n".join(problems)


def test_there_is_no_import_cycle():
    graph = {m: {_owner(i) for i, _ in imports} - {m} for m, imports in _graph().items()}
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def walk(module: str, path: list[str]) -> None:
        state[module] = 1
        for nxt in sorted(graph.get(module, ())):
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt):] + [nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                walk(nxt, [*path, nxt])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            walk(module, [module])


def _owner(name: str) -> str:
    """The module an import resolves to (``rnnkit.nn.Recurrent`` -> ``rnnkit.nn``)."""
    while name and not _is_module(name):
        name = name.rpartition(".")[0]
    return name


@pytest.mark.parametrize("importer, imported, allowed", [
    ("rnnkit.models.classifier", "rnnkit.training.loop", False),
    ("rnnkit.lab.gates", "rnnkit.apps.nextword.predictor", False),
    ("rnnkit.apps.sentiment.model", "rnnkit.cli.common", False),
    ("rnnkit.apps.nextword.predictor", "rnnkit.serve.app", False),
    ("rnnkit.apps.nextword.evaluate", "rnnkit.apps.sentiment.rule", False),
    ("rnnkit.text.vocab", "rnnkit", False),
    ("rnnkit.cli.lab", "rnnkit.apps.nextword.predictor", True),
    ("rnnkit.apps.nextword.session", "rnnkit.apps.nextword.text", True),
    ("rnnkit.training.loop", "rnnkit.models", True),
])
def test_the_rule_itself(importer, imported, allowed):
    assert (_upward(importer, imported) is None) == allowed


def test_the_graph_sees_module_level_lazy_and_relative_imports_but_not_type_hints():
    graph = {m: {name for name, _ in imports} for m, imports in _graph().items()}
    assert "rnnkit.models" in graph["rnnkit.training.tasks"] or "rnnkit.nn" in graph["rnnkit.training.tasks"]
    assert "rnnkit.apps.nextword.predictor" in graph["rnnkit.cli.lab"]  # inside a function
    assert "rnnkit.apps.nextword.predictor" not in graph["rnnkit"]  # under TYPE_CHECKING
    tree = ast.parse("from . import common\nfrom .common import usage\n")
    assert [name for name, _ in _imports(tree, "rnnkit.cli.lab", False)] == ["rnnkit.cli.common"] * 2
