"""The public API is what rnnkit/__init__.py exports, nothing more and nothing missing (httpx's habit)."""

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import rnnkit

INIT = Path(rnnkit.__file__)


def _type_checking_imports() -> dict[str, str]:
    """name -> module of the imports under ``if TYPE_CHECKING:`` in rnnkit/__init__.py."""
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    block = next(node for node in tree.body if isinstance(node, ast.If) and getattr(node.test, "id", "") ==
                 "TYPE_CHECKING")
    return {alias.name: node.module for node in block.body if isinstance(node, ast.ImportFrom)
            for alias in node.names}


def test_all_is_sorted_and_matches_the_lazy_exports_and_the_typing_imports():
    assert rnnkit.__all__ == sorted(rnnkit.__all__)
    assert set(rnnkit.__all__) - {"__version__"} == set(rnnkit._EXPORTS)
    assert _type_checking_imports() == rnnkit._EXPORTS


def test_every_exported_member_resolves_to_its_module_and_is_documented():
    for name in rnnkit.__all__:
        value = getattr(rnnkit, name)
        if name != "__version__":
            assert value is getattr(importlib.import_module(rnnkit._EXPORTS[name]), name)
            assert value.__doc__, f"rnnkit.{name} has no docstring"
    assert set(rnnkit.__all__) <= set(dir(rnnkit))


def test_public_names_in_the_namespace_are_exported_or_modules():
    for name, value in vars(rnnkit).items():
        if not name.startswith("_") and type(value).__name__ != "module":
            assert name in rnnkit.__all__ or name in {"annotations", "TYPE_CHECKING"}


def test_unknown_names_raise_attribute_error():
    try:
        rnnkit.NoSuchThing  # noqa: B018
    except AttributeError as err:
        assert "NoSuchThing" in str(err)
    else:
        raise AssertionError("rnnkit.NoSuchThing did not raise")


def test_import_rnnkit_does_not_load_torch():
    code = "import sys, rnnkit; print('torch' in sys.modules, rnnkit.__version__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", rnnkit.__version__]
