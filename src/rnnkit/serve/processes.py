"""Serving from several processes: N server processes answering on one port.

A server process runs its HTTP handling, tokenisation and VADER's scores under one interpreter lock,
so on a busy service one process cannot keep two cores busy. ``rnnkit serve --workers N`` starts N
``spawn`` processes that each load the models and serve. A small supervising process listens on the
address, accepts each new connection and hands it, as a file descriptor over a Unix socket, to the
workers in turn (round robin, as Node's cluster module does); the worker then serves that
connection itself, for as long as the client keeps it. Two ways were tried first (docs/serve.md):
one socket shared by all workers, as ``uvicorn --workers`` does (each asyncio loop accepts every
waiting connection when it wakes, so one process took most of the 16 connections of
``bench/serve_load.py``), and ``SO_REUSEPORT`` (the kernel's hash of 16 connections over two
sockets often split them unevenly, 11 / 5 say). Each worker has its own models, lanes, limits and
counters (``/v1/health`` shows the one that answered), so memory grows with N. Unix only (file
descriptors passed over Unix sockets).

The supervisor:

* listens from the start: a port in use is one error line at once, and ``--port 0`` picks a port;
* waits until every worker has loaded its models before it accepts; a worker that fails before
  that (a bad model file, say) stops them all, and the command exits 1 after that worker's
  one-line error;
* starts a new worker when one dies later (killed, out of memory), saying so in one line; the
  connections it held are lost, new ones go to the others meanwhile;
* on SIGINT or SIGTERM stops accepting and asks every worker to stop once (SIGTERM: each drains as
  one server does), and kills those still running ``drain_s`` + 10 seconds later. The workers
  ignore SIGINT, so a Ctrl-C in a terminal, which reaches the whole process group, is one request to
  stop, not two (a second signal makes uvicorn stop at once, without draining);
* is watched by each worker: a worker whose supervisor has died (SIGKILL) exits too.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from rnnkit.errors import RnnkitError, error_line, first_line

__all__ = ["MAX_SERVER_WORKERS", "listen", "receive_connections", "run_workers"]

MAX_SERVER_WORKERS = 64  # a sanity bound on `rnnkit serve --workers`
GRACE_S = 10.0  # after the drain time: how long stopping workers get before they are killed
BACKLOG = 2048  # connections waiting to be accepted (uvicorn's default)
ACCEPT_POLL_S = 0.2  # how often the accepting thread looks whether the service is stopping

Serve = Callable[[socket.socket], None]  # what a worker's load() returns: serve the connections sent on this socket


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port``.

    Raises:
        RnnkitError: the address cannot be used (a port in use, an unknown host), in one line.
    """
    if not hasattr(socket, "send_fds"):
        raise RnnkitError("rnnkit serve --workers needs a Unix system (it passes connections over Unix sockets); "
                          "run one process per port behind a proxy instead")
    sock = None
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError as err:
        if sock is not None:
            sock.close()
        raise RnnkitError(f"cannot listen on {host}:{port}: {first_line(err)}") from None
    return sock


def run_workers(load: Callable[[], Serve], listener: socket.socket, workers: int, drain_s: float) -> int:
    """Serve ``listener``'s connections from ``workers`` spawned processes until SIGINT/SIGTERM; the exit status.

    Each worker runs ``load()`` (the models) and then calls what it returned with a Unix socket on
    which it receives the connections it is to serve (:func:`receive_connections`). ``load`` must be
    picklable (a module-level function, or a ``functools.partial`` of one). An error raised while
    loading is printed once, by the supervisor, as ``rnnkit: error: ...``, and the status is 1.
    """
    context = multiprocessing.get_context("spawn")
    stopping = threading.Event()
    procs: dict[int, _Worker] = {}

    def stop(signum: int, frame: Any) -> None:
        if not stopping.is_set():
            stopping.set()
            for worker in procs.values():
                if worker.proc.is_alive():
                    os.kill(worker.proc.pid, signal.SIGTERM)

    def start(slot: int) -> _Worker:
        receive, send = context.Pipe(duplex=False)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        proc = context.Process(target=_worker_main, args=(load, send, theirs), name=f"rnnkit-serve-{slot + 1}")
        proc.start()
        send.close()  # the worker holds the sending end: end of file here when it exits
        theirs.close()
        return _Worker(proc, receive, ours)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    accepting = threading.Thread(target=_hand_out, args=(listener, procs, stopping), daemon=True,
                                 name="rnnkit-serve-accept")
    try:
        for slot in range(workers):
            procs[slot] = start(slot)
        status = _supervise(procs, start, stopping, accepting)
        if status:
            stop(signal.SIGTERM, None)
        _stop_accepting(accepting, listener)  # new clients are refused while the workers drain
        _wait_all(procs, drain_s + GRACE_S)
        return status
    finally:
        stopping.set()
        _stop_accepting(accepting, listener)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _stop_accepting(accepting: threading.Thread, listener: socket.socket) -> None:
    if accepting.is_alive():
        accepting.join()  # it sees the stop within ACCEPT_POLL_S
    listener.close()


def _hand_out(listener: socket.socket, procs: dict[int, _Worker], stopping: threading.Event) -> None:
    """In the supervisor's accepting thread: each new connection to the next ready worker, in turn."""
    listener.settimeout(ACCEPT_POLL_S)
    turn = 0
    while not stopping.is_set():
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            continue
        except OSError as err:  # out of file descriptors, say: wait, and go on
            if listener.fileno() == -1:
                return
            print(f"rnnkit serve: cannot accept a connection: {first_line(err)}", file=sys.stderr, flush=True)
            stopping.wait(ACCEPT_POLL_S)
            continue
        with conn:
            ready = [worker for worker in list(procs.values()) if worker.ready and worker.proc.is_alive()]
            for step in range(len(ready)):
                worker = ready[(turn + step) % len(ready)]
                try:
                    socket.send_fds(worker.channel, [b"c"], [conn.fileno()])
                except OSError:  # that worker has just died: the next one
                    continue
                turn += step + 1
                break
        # closing our copy leaves the connection open in the worker; with no worker, the client sees it close


class _Worker:
    """A server process, its pipe (what it says: ready, or why it could not start) and its connection channel."""

    def __init__(self, proc: Any, pipe: Any, channel: socket.socket) -> None:
        self.proc, self.pipe, self.channel = proc, pipe, channel
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


def _supervise(procs: dict[int, _Worker], start: Callable[[int], _Worker], stopping: threading.Event,
               accepting: threading.Thread) -> int:
    """Watch the workers until a stop signal (0), or until one fails before it was ready (1).

    Starts ``accepting`` once every first worker is ready.
    """
    while not stopping.is_set():
        multiprocessing.connection.wait([w.proc.sentinel for w in procs.values()], timeout=0.5)
        for slot, worker in list(procs.items()):
            if worker.proc.is_alive() or stopping.is_set():
                continue
            worker.proc.join()
            worker.channel.close()
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
        if accepting.ident is None and not stopping.is_set() and all(w.ready for w in procs.values()):
            accepting.start()  # connections waited in the listen queue while the models loaded
    return 0


def _wait_all(procs: dict[int, _Worker], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    for worker in procs.values():
        worker.proc.join(max(0.0, deadline - time.monotonic()))
    for worker in procs.values():
        if worker.proc.is_alive():
            worker.proc.kill()
            worker.proc.join()


def _worker_main(load: Callable[[], Serve], pipe: Any, channel: socket.socket) -> None:
    from rnnkit.nn.workers import exit_with_parent

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the supervisor turns a Ctrl-C into one SIGTERM
    exit_with_parent()
    try:
        serve = load()
    except Exception as err:
        if os.environ.get("RNNKIT_TRACEBACK") and not isinstance(err, RnnkitError):
            traceback.print_exc()  # a bug: where, on request, as the CLI's main shows it
        pipe.send(("error", error_line(err)))
        sys.exit(1)
    pipe.send(("ready", None))
    pipe.close()
    serve(channel)


def receive_connections(channel: socket.socket, take: Callable[[socket.socket], None]) -> bool:
    """In a worker: ``take(connection)`` for each connection the supervisor has sent on ``channel`` so far.

    For an event loop's reader callback on a non-blocking ``channel``. False once the supervisor has
    closed its end (no more will come).
    """
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(channel, 1, 1)
        except BlockingIOError:
            return True
        except OSError:
            return False
        if not message and not fds:
            return False
        for fd in fds:
            take(socket.socket(fileno=fd))
