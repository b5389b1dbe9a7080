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
import contextlib
import gc
import signal
import socket
import threading
from collections.abc import Iterator
from typing import Any

import h11
import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.http.h11_impl import H11Protocol

from rnnkit.serve.limits import ServerLimits
from rnnkit.serve.processes import receive_connections

__all__ = ["header_timeout_protocol", "run_server"]


class _HeadTimer:
    """A timer from a connection's opening (or its previous response) to its next complete request head.

    Mixed into a uvicorn protocol class, which supplies ``loop`` and ``transport``; the subclass says
    whether a request head is still incomplete (:meth:`_waiting_for_head`).
    """

    _head_timeout_s = 10.0
    _head_timer: asyncio.TimerHandle | None = None
    loop: asyncio.AbstractEventLoop
    transport: Any

    def _waiting_for_head(self) -> bool:
        raise NotImplementedError

    def _arm(self) -> None:
        self._disarm()
        self._head_timer = self.loop.call_later(self._head_timeout_s, self._head_late)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_late(self) -> None:
        self._head_timer = None
        if self._waiting_for_head() and not self.transport.is_closing():
            self.transport.close()  # no complete request head: nothing to answer


def header_timeout_protocol(timeout_s: float) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol, closing connections whose request head is not complete within ``timeout_s``.

    httptools' C parser when it is installed (the ``serve`` extra installs it): with uvicorn's h11
    parser, in Python, the mixed load of bench/serve_load.py reached 841-933 requests/s with batching
    on; with httptools 1,081-1,148 (2-core AMD EPYC, the same day). h11 otherwise.
    """
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # httptools missing
        return _h11_header_timeout_protocol(timeout_s)

    class HeaderTimeoutProtocol(_HeadTimer, HttpToolsProtocol):
        """Counts complete heads and finished responses: equal counts mean no request is under way,
        so a head still missing when the timer fires is a half-sent one (pipelined requests whose
        heads arrived keep the connection)."""

        _head_timeout_s = timeout_s
        _heads = 0
        _answered = 0

        def connection_made(self, transport: Any) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def on_headers_complete(self) -> None:
            self._heads += 1
            self._disarm()
            super().on_headers_complete()

        def on_response_complete(self) -> None:
            self._answered += 1
            super().on_response_complete()
            if self._answered == self._heads:  # idle until the next head, which gets the same time
                self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _waiting_for_head(self) -> bool:
            return self._answered == self._heads

    return HeaderTimeoutProtocol


def _h11_header_timeout_protocol(timeout_s: float) -> type[H11Protocol]:
    """:func:`header_timeout_protocol` on uvicorn's h11 protocol (h11 tracks the request state itself)."""

    class HeaderTimeoutProtocol(_HeadTimer, H11Protocol):
        _head_timeout_s = timeout_s

        def connection_made(self, transport: Any) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._arm()  # the next request's head has the same time

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _waiting_for_head(self) -> bool:
            return self.conn.their_state is h11.IDLE

    return HeaderTimeoutProtocol


class _Server(uvicorn.Server):
    """uvicorn's server, turning the app's readiness off at the first shutdown signal.

    ``handoff``: in a worker of ``rnnkit serve --workers N`` (:mod:`rnnkit.serve.processes`), the
    Unix socket on which the supervisor sends the connections to serve; the server then listens on
    nothing itself, and stops on SIGTERM only (the supervisor turns a Ctrl-C into one SIGTERM).
    """

    def __init__(self, config: uvicorn.Config, app: FastAPI, handoff: socket.socket | None = None) -> None:
        super().__init__(config)
        self._app = app
        self._handoff = handoff
        self._setting_up: set[asyncio.Task] = set()  # handed-over connections not yet set up

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """uvicorn's, less raising the signal again after the drain: a stop asked for is a clean exit.

        uvicorn re-raises a caught SIGTERM once it has drained, so the process died of it (shell
        status 143) while Ctrl-C ended with 0, and ``--workers`` with 0 for both. Now every way ends
        with 0 after a drain.
        """
        if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
            yield
            return
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def handle_exit(self, sig: int, frame: Any) -> None:
        if self._handoff is not None and sig == signal.SIGINT:
            return
        self._app.state.ready = False
        super().handle_exit(sig, frame)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        if self._handoff is None:
            return await super().startup(sockets=sockets)
        await super().startup(sockets=[])  # no listening socket of its own
        loop = asyncio.get_running_loop()
        config = self.config

        def create_protocol() -> asyncio.Protocol:  # what uvicorn's startup gives its listening sockets
            return config.http_protocol_class(config=config, server_state=self.server_state,  # type: ignore[call-arg]
                                              app_state=self.lifespan.state)

        async def serve(conn: socket.socket) -> None:
            try:
                await loop.connect_accepted_socket(create_protocol, conn)
            except OSError:  # the client left before its connection was set up
                conn.close()

        def take(conn: socket.socket) -> None:
            if self.should_exit:
                conn.close()
                return
            conn.setblocking(False)
            task = loop.create_task(serve(conn))
            self._setting_up.add(task)  # the loop keeps only a weak reference to a task
            task.add_done_callback(self._setting_up.discard)

        def readable() -> None:
            if not receive_connections(self._handoff, take):
                loop.remove_reader(self._handoff.fileno())

        self._handoff.setblocking(False)
        loop.add_reader(self._handoff.fileno(), readable)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self._handoff is not None:
            asyncio.get_running_loop().remove_reader(self._handoff.fileno())
        await super().shutdown(sockets=sockets)


def run_server(app: FastAPI, host: str, port: int, limits: ServerLimits | None = None,
               log_level: str = "info", handoff: socket.socket | None = None) -> None:
    """Serve ``app`` until SIGINT/SIGTERM, with ``limits`` (default :class:`ServerLimits`; see the module notes).

    ``handoff``: serve the connections that arrive on this Unix socket instead of binding
    ``host``:``port``, as a worker of :func:`rnnkit.serve.processes.run_workers` does.
    """
    limits = limits or ServerLimits()
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level,
                            http=header_timeout_protocol(limits.header_timeout_s),
                            limit_concurrency=limits.max_connections, timeout_keep_alive=limits.keep_alive_s,
                            timeout_graceful_shutdown=int(limits.drain_s) if limits.drain_s else 0)
    gc.collect()
    gc.freeze()  # the models' objects, loaded once and kept, are no longer walked by every full collection
    _Server(config, app, handoff=handoff).run()
