"""Serving from several processes: N server processes answering on one port.

A server process runs its HTTP handling, tokenisation and VADER's scores under one interpreter lock,
so on a busy service one process cannot keep two cores busy. ``rnnkit serve --workers N`` starts N
``spawn`` processes that each load the models and then listen on the same address with
``SO_REUSEPORT``, so that the kernel spreads new connections over them (gunicorn's ``--reuse-port``).
A socket shared by all of them, as ``uvicorn --workers`` does it, was tried first: each asyncio loop
accepts every waiting connection at once, so one process took most of the 16 connections of
``bench/serve_load.py`` and the throughput moved from run to run by 40% (docs/serve.md). Each process
has its own models, lanes, limits and counters (``/v1/health`` shows the one that answered), so
memory grows with N. Linux only (where ``SO_REUSEPORT`` balances).

The supervisor:

* holds the address (bound, not listening, so it takes no connections) from the start: a port in
  use is one error line at once, and ``--port 0`` picks one port for all workers;
* waits until every worker has loaded its models; a worker that fails before that (a bad model
  file, say) stops them all, and the command exits 1 after that worker's one-line error;
* starts a new worker when one dies later (killed, out of memory), saying so in one line;
* on SIGINT or SIGTERM asks every worker to stop once (SIGTERM: each drains as one server does), and
  kills those still running ``drain_s`` + 10 seconds later. The workers ignore SIGINT, so a Ctrl-C
  in a terminal, which reaches the whole process group, is one request to stop, not two (a second
  signal makes uvicorn stop at once, without draining);
* is watched by each worker: a worker whose supervisor has died (SIGKILL) exits too.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from typing import Any

from rnnkit.errors import RnnkitError, first_line

__all__ = ["MAX_SERVER_WORKERS", "reserve", "run_workers"]

MAX_SERVER_WORKERS = 64  # a sanity bound on `rnnkit serve --workers`
GRACE_S = 10.0  # after the drain time: how long stopping workers get before they are killed
BACKLOG = 2048  # each worker's queue of connections not yet accepted (uvicorn's default)

Serve = Callable[[socket.socket], None]  # what a worker's load() returns: serve on this listening socket


def reserve(host: str, port: int) -> socket.socket:
    """A socket bound to ``host``:``port`` for reuse by the workers, not listening (it takes no connections).

    Raises:
        RnnkitError: the address cannot be used (a port in use, an unknown host), in one line.
    """
    return _socket(host, port, listening=False)


def _socket(host: str, port: int, listening: bool) -> socket.socket:
    if not hasattr(socket, "SO_REUSEPORT"):
        raise RnnkitError("rnnkit serve --workers needs SO_REUSEPORT (Linux); run one process, or one per port "
                          "behind a proxy")
    sock = None
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        if listening:
            sock.listen(BACKLOG)
    except OSError as err:
        if sock is not None:
            sock.close()
        raise RnnkitError(f"cannot listen on {host}:{port}: {first_line(err)}") from None
    return sock


def run_workers(load: Callable[[], Serve], reserved: socket.socket, workers: int, drain_s: float) -> int:
    """Serve from ``workers`` spawned processes until SIGINT/SIGTERM; the exit status.

    Each worker runs ``load()`` (the models), then listens on ``reserved``'s address and calls what
    ``load`` returned with its listening socket. ``load`` must be picklable (a module-level function,
    or a ``functools.partial`` of one). An error raised while loading or listening is printed once,
    by the supervisor, as ``rnnkit: error: ...``, and the status is 1.
    """
    address = reserved.getsockname()[:2]
    context = multiprocessing.get_context("spawn")
    stopping = False
    procs: dict[int, _Worker] = {}

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            for worker in procs.values():
                if worker.proc.is_alive():
                    os.kill(worker.proc.pid, signal.SIGTERM)

    def start(slot: int) -> _Worker:
        receive, send = context.Pipe(duplex=False)
        proc = context.Process(target=_worker_main, args=(load, address, send), name=f"rnnkit-serve-{slot + 1}")
        proc.start()
        send.close()  # the worker holds the sending end: end of file here when it exits
        return _Worker(proc, receive)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for slot in range(workers):
            procs[slot] = start(slot)
        status = _supervise(procs, start, lambda: stopping)
        if status:
            stop(signal.SIGTERM, None)
        _wait_all(procs, drain_s + GRACE_S)
        return status
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class _Worker:
    """A server process, the end of its pipe, and what it has said: ready, or why it could not start."""

    def __init__(self, proc: Any, pipe: Any) -> None:
        self.proc, self.pipe = proc, pipe
        self.ready = False
        self.error: str | None = None

    def read(self) -> None:
        """Take what the worker has sent (nothing blocks: its messages are a few bytes)."""
        try:
            while self.pipe.poll():
                kind, message = self.pipe.recv()
                self.ready = self.ready or kind == "ready"
                self.error = message if kind == "error" else self.error
        except (EOFError, OSError):
            pass


def _supervise(procs: dict[int, _Worker], start: Callable[[int], _Worker], stopping: Callable[[], bool]) -> int:
    """Watch the workers until a stop signal (0), or until one fails before it was ready (1)."""
    while not stopping():
        multiprocessing.connection.wait([w.proc.sentinel for w in procs.values()], timeout=0.5)
        for slot, worker in list(procs.items()):
            if worker.proc.is_alive() or stopping():
                continue
            worker.proc.join()
            worker.read()
            if not worker.ready:  # it could not load its models: neither would the next one
                print(f"rnnkit: {worker.error}" if worker.error else
                      f"rnnkit: error: server worker {slot + 1} exited with code {worker.proc.exitcode} before "
                      "it was ready", file=sys.stderr, flush=True)
                return 1
            print(f"rnnkit serve: worker {slot + 1} (pid {worker.proc.pid}) exited with code "
                  f"{worker.proc.exitcode}; starting another", file=sys.stderr, flush=True)
            procs[slot] = start(slot)
        for worker in procs.values():
            if not worker.ready:
                worker.read()
    return 0


def _wait_all(procs: dict[int, _Worker], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    for worker in procs.values():
        worker.proc.join(max(0.0, deadline - time.monotonic()))
    for worker in procs.values():
        if worker.proc.is_alive():
            worker.proc.kill()
            worker.proc.join()


def _worker_main(load: Callable[[], Serve], address: tuple[str, int], pipe: Any) -> None:
    from rnnkit.nn.workers import exit_with_parent

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the supervisor turns a Ctrl-C into one SIGTERM
    exit_with_parent()
    try:
        serve = load()
        sock = _socket(*address, listening=True)  # after loading: no connection waits on a loading worker
    except Exception as err:
        known = isinstance(err, RnnkitError)
        pipe.send(("error", f"error: {first_line(err, 1000)}" if known else
                   f"internal error: {type(err).__name__}: {first_line(err)} (please report it)"))
        sys.exit(1)
    pipe.send(("ready", None))
    pipe.close()
    serve(sock)
