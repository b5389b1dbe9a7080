"""Running the app under uvicorn with the limits a public service needs.

* **Header-read timeout**: a connection that has not sent a complete request head (request line and
  headers) within ``header_timeout_s`` of opening, or of its previous response, is closed. Slow,
  half-sent requests (slowloris) cannot hold sockets open forever.
* **Connection cap**: beyond ``max_connections`` open connections uvicorn answers 503.
* **Graceful shutdown with a capped drain**: on SIGINT/SIGTERM ``/readyz`` turns 503 at once, new
  connections are refused, and requests in progress get at most ``drain_s`` seconds to finish.
* **No long garbage-collector pauses**: the loaded models are millions of Python objects (vocabularies,
  lexicons), and every full collection walked them all: ~107 ms, twice in 3,000 requests, which was
  the service's p99 (sentiment p99 114 ms). Frozen after loading (``gc.freeze()``), they are skipped:
  a full collection takes ~1 ms and that p99 fell to 27 ms (bench/serve_load.py, 2-core AMD EPYC).
"""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import h11
import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.http.h11_impl import H11Protocol

from rnnkit.serve.limits import ServerLimits

__all__ = ["header_timeout_protocol", "run_server"]


def header_timeout_protocol(timeout_s: float) -> type[H11Protocol]:
    """uvicorn's h11 protocol, closing connections whose request head is not complete within ``timeout_s``."""

    class HeaderTimeoutProtocol(H11Protocol):
        _head_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: Any) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._arm()  # the next request's head has the same time

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._disarm()
            self._head_timer = self.loop.call_later(timeout_s, self._head_late)

        def _disarm(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _head_late(self) -> None:
            self._head_timer = None
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                self.transport.close()  # no complete request head: nothing to answer

    return HeaderTimeoutProtocol


class _Server(uvicorn.Server):
    """uvicorn's server, turning the app's readiness off at the first shutdown signal."""

    def __init__(self, config: uvicorn.Config, app: FastAPI) -> None:
        super().__init__(config)
        self._app = app

    def handle_exit(self, sig: int, frame: Any) -> None:
        self._app.state.ready = False
        super().handle_exit(sig, frame)


def run_server(app: FastAPI, host: str, port: int, limits: ServerLimits | None = None,
               log_level: str = "info") -> None:
    """Serve ``app`` until SIGINT/SIGTERM, with ``limits`` (default :class:`ServerLimits`; see the module notes)."""
    limits = limits or ServerLimits()
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level,
                            http=header_timeout_protocol(limits.header_timeout_s),
                            limit_concurrency=limits.max_connections, timeout_keep_alive=limits.keep_alive_s,
                            timeout_graceful_shutdown=int(limits.drain_s) if limits.drain_s else 0)
    gc.collect()
    gc.freeze()  # the models' objects, loaded once and kept, are no longer walked by every full collection
    _Server(config, app).run()
