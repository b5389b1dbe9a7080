"""Inference in worker processes: N copies of a model, each in its own process, fed chunks in order.

Threads share one Python interpreter lock. A model whose work is partly Python (the sentiment model
tokenises and computes VADER's scores in Python, ~30 us a sentence) therefore cannot use a second
core fully from threads (:func:`rnnkit.nn.inference.map_batches` gets ~1.4x from two). Processes
can: each worker builds its own copy of the object with ``factory()`` (a picklable callable, e.g. a
module-level function or a ``functools.partial`` of one) and runs ``method(chunk)`` on the chunks it
is sent::

    with WorkerPool(functools.partial(load_analyzer, "model.pt"), workers=2) as pool:
        labels = pool.map_split("rate_many", texts)          # one list, in the texts' order
        for results in pool.map("results", batches):         # lazily, in order, a few chunks ahead
            ...

Workers are started with ``spawn`` (a fresh interpreter: no copied thread pools or locks), each
with ``threads`` torch threads (default 1), so start-up costs an import of torch and a model load,
about 1-3 s, paid once per pool. Chunks travel pickled: send hundreds or thousands of texts at a
time, not one.
"""

from __future__ import annotations

import math
import multiprocessing
import multiprocessing.connection
import os
import pickle
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from rnnkit.errors import InputError, RnnkitError, first_line

__all__ = ["MAX_WORKERS", "WorkerPool", "exit_with_parent"]

MAX_WORKERS = 256  # a sanity bound on --workers

_object: Any = None  # in a worker: what factory() built
_failed: str | None = None  # in a worker: why factory() failed, reported by every call


class WorkerPool:
    """``workers`` processes, each holding ``factory()``; ``map(method, chunks)`` calls it on each chunk.

    Args:
        factory: a picklable callable that builds the object in each worker.
        workers: processes, at least 1.
        threads: torch threads in each worker (0: torch's own choice).

    Raises:
        InputError: ``workers`` or ``threads`` is out of range, or ``factory`` cannot be pickled.
    """

    def __init__(self, factory: Callable[[], Any], workers: int, threads: int = 1) -> None:
        for name, value, low in (("workers", workers, 1), ("threads", threads, 0)):
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_WORKERS:
                raise InputError(f"{name} must be an integer from {low} to {MAX_WORKERS}, got {value!r}")
        try:
            pickle.dumps(factory)
        except Exception as err:  # a lambda or a local function: it would fail later, inside the pool
            raise InputError(f"factory must be picklable (a module-level function or class, or a functools.partial "
                             f"of one), got {factory!r}: {first_line(err)}") from err
        self.workers = workers
        self._executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_start, initargs=(factory, threads))

    def __repr__(self) -> str:
        return f"WorkerPool(workers={self.workers})"

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers (chunks not yet started are dropped)."""
        self._executor.shutdown(wait=True, cancel_futures=True)

    def map(self, method: str, chunks: Iterable[Any], ahead: int | None = None) -> Iterator[Any]:
        """``obj.method(chunk)`` for each chunk, in order, at most ``ahead`` chunks in flight (2 per worker).

        Raises:
            RnnkitError: a worker could not build its object, or raised an rnnkit error (the same
                class when it can be rebuilt from its message); other errors of the method come as
                RnnkitError with their first line.
        """
        ahead = ahead or 2 * self.workers
        pending: deque[Future] = deque()
        try:
            for chunk in chunks:
                pending.append(self._executor.submit(_call, method, chunk))
                if len(pending) >= ahead:
                    yield _result(pending.popleft())
            while pending:
                yield _result(pending.popleft())
        finally:
            for future in pending:  # an abandoned or failed map: drop what has not started
                future.cancel()

    def map_split(self, method: str, items: Sequence[Any], chunk_size: int | None = None) -> list[Any]:
        """``obj.method(items)`` computed in chunks across the workers: the chunks' lists joined in order.

        ``chunk_size`` defaults to an equal share per worker.
        """
        size = chunk_size or max(1, math.ceil(len(items) / self.workers))
        chunks = (list(items[start:start + size]) for start in range(0, len(items), size))
        return [value for part in self.map(method, chunks) for value in part]


def _start(factory: Callable[[], Any], threads: int) -> None:
    """A worker's initializer: its torch threads, then its object (a failure is kept, not raised).

    Ctrl-C reaches the whole process group: the parent stops the pool, so a worker ignores it. A
    worker also ends when its parent does (killed, SIGTERM), instead of living on as an orphan.
    """
    global _object, _failed
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_with_parent()
    try:
        if threads:
            import torch

            torch.set_num_threads(threads)
        _object = factory()
    except Exception as err:  # an initializer that raises breaks the pool without a message
        _failed = f"a worker could not start: {first_line(err)}"


def exit_with_parent() -> None:
    """In a process started by ``multiprocessing``: exit when the parent process ends (elsewhere: nothing).

    A thread waits on the parent's sentinel, so a killed parent (SIGKILL, out of memory) leaves no orphans.
    """
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_end_with, args=(parent.sentinel,), daemon=True, name="rnnkit-parent-watch").start()


def _end_with(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])  # returns when the parent process has ended
    os._exit(1)


def _call(method: str, chunk: Any) -> Any:
    if _failed is not None:
        raise RnnkitError(_failed)
    try:
        return getattr(_object, method)(chunk)
    except RnnkitError as err:
        raise _portable(err) from None
    except Exception as err:
        raise RnnkitError(f"a worker failed: {type(err).__name__}: {first_line(err)}") from None


def _portable(err: RnnkitError) -> RnnkitError:
    """``err`` as an error that pickles: its class from its one-line message, else a plain RnnkitError."""
    message = first_line(err, 1000)
    try:
        rebuilt = type(err)(message)
    except Exception:  # a class that needs more than a message
        return RnnkitError(message)
    return rebuilt if str(rebuilt) == message else RnnkitError(message)


def _result(future: Future) -> Any:
    try:
        return future.result()
    except BrokenProcessPool as err:
        raise RnnkitError("a worker process died (out of memory, or killed); no results after it") from err
