"""``rnnkit serve``: a JSON API under ``/v1`` and a web page at ``/`` over rnnkit's apps.

Needs the ``serve`` extra (FastAPI, uvicorn): ``pip install 'rnnkit[serve]'``. ``create_app()``
builds the ASGI application; ``rnnkit serve`` runs it with uvicorn (:mod:`.server`), with the
limits of :mod:`.limits`. See ``docs/serve.md``. ``create_app`` is imported on first use, so
``rnnkit serve --help`` reads the limits without loading FastAPI or torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rnnkit.serve.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from rnnkit.serve.app import create_app

        return create_app
    raise AttributeError(f"module 'rnnkit.serve' has no attribute {name!r}")
