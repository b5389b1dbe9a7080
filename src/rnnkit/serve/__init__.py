"""``rnnkit serve``: a JSON API under ``/v1`` and a web page at ``/`` over the next-word and sentiment apps.

Needs the ``serve`` extra (FastAPI, uvicorn): ``pip install 'rnnkit[serve]'``. ``create_app()``
builds the ASGI application; ``rnnkit serve`` runs it with uvicorn. See ``docs/serve.md``.
"""

from rnnkit.serve.app import create_app

__all__ = ["create_app"]
