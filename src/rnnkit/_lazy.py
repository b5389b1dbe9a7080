"""PEP 562 lazy attributes for a package's ``__init__``: import a submodule only when its name is used.

``rnnkit`` and ``rnnkit.training`` export names from heavy submodules (torch, the apps); importing
the package must stay cheap (``rnnkit --help`` imports no torch).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["lazy_attributes"]


def lazy_attributes(package: str, exports: dict[str, str], namespace: dict[str, Any],
                    public: Iterable[str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``, whose ``exports`` map a name to its submodule.

    A name is imported on first use and then stored in ``namespace`` (the package's ``globals()``), so
    later lookups skip ``__getattr__``. ``public`` (the package's ``__all__``) is listed by ``dir()``.
    """
    listed = set(public)

    def __getattr__(name: str) -> Any:  # noqa: N807  (the module-level hook PEP 562 names)
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:  # noqa: N807
        return sorted(set(namespace) | listed)

    return __getattr__, __dir__
