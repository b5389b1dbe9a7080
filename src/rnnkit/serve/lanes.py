"""Admission control: one *lane* per kind of work, each with its own worker, a bounded queue and a time limit.

A lane runs its work in its own thread pool, so a slow kind of work (generating 200 words) never
delays a fast one (a keystroke suggestion): each waits only behind requests of its own kind. When a
lane already holds ``workers + queue`` requests, the next one is refused at once with 503 and
``Retry-After`` instead of waiting without bound. A request that runs past the lane's time limit is
answered 504, and one whose client went away is dropped; in both cases the work is told to stop:
work still queued never starts, and running work that accepts a ``should_stop`` callable (the
generators, batches of texts) stops at its next step.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from rnnkit.errors import RnnkitError, StoppedError
from rnnkit.nn.inference import batch_or_each
from rnnkit.serve.limits import DEFAULT_LANES, LaneLimits

__all__ = ["DEFAULT_LANES", "ClientGone", "Lane", "LaneLimits", "Overloaded", "TimedOut"]

log = logging.getLogger("rnnkit.serve")
POLL_S = 0.05  # how often a waiting request looks for its client's disconnect


class Overloaded(RnnkitError):
    """The lane is full: the request was refused before it queued (503, ``Retry-After``)."""

    def __init__(self, lane: str, retry_after: int) -> None:
        super().__init__(f"the {lane} queue is full; try again in {retry_after} s")
        self.retry_after = retry_after


class TimedOut(RnnkitError):
    """The request ran past its lane's time limit (504); its work was told to stop."""


class ClientGone(RnnkitError):
    """The client disconnected before the answer was ready; its work was told to stop."""


class Lane:
    """A named kind of work with its own threads, queue bound and time limit (see the module notes)."""

    def __init__(self, name: str, limits: LaneLimits) -> None:
        self.name = name
        self.limits = limits
        self.pending = 0  # admitted and not finished (running or waiting); touched on the event loop only
        self.refused = 0
        self.timed_out = 0
        self.dropped = 0
        self.batches = 0
        self._executor = ThreadPoolExecutor(max_workers=limits.workers, thread_name_prefix=f"rnnkit-{name}")
        self._queue: deque[_Entry] = deque()  # requests waiting to be batched, in arrival order
        self._busy = False  # a batch is in the lane's thread
        self._timer: asyncio.TimerHandle | None = None

    def __repr__(self) -> str:
        return f"Lane({self.name!r}, pending={self.pending}/{self.limits.capacity})"

    def retry_after(self) -> int:
        """Seconds a refused client should wait: about one time limit's share of the queue ahead."""
        return max(1, math.ceil(self.limits.timeout_s * min(1.0, self.pending / max(1, self.limits.capacity))))

    async def run(self, work: Callable[..., Any], *args: Any, is_disconnected: Callable[[], Any] | None = None,
                  stoppable: bool = False, **kwargs: Any) -> Any:
        """``work(*args, **kwargs)`` in this lane's thread; with ``stoppable`` it also gets ``should_stop``.

        Args:
            work: the blocking call.
            is_disconnected: an async callable (Starlette's ``request.is_disconnected``) polled while waiting.
            stoppable: pass ``should_stop=<callable>`` to ``work`` so it can stop between steps.

        Raises:
            Overloaded: the lane is full (nothing was queued).
            TimedOut: the time limit passed first.
            ClientGone: ``is_disconnected()`` said so first.
            Whatever ``work`` raises.
        """
        self._admit()
        loop = asyncio.get_running_loop()
        stop = threading.Event()
        deadline = time.monotonic() + self.limits.timeout_s

        def call() -> Any:
            if stop.is_set():  # timed out or abandoned while it waited: never start it
                raise StoppedError(f"{self.name}: dropped before it started")
            if stoppable:
                return work(*args, should_stop=stop.is_set, **kwargs)
            return work(*args, **kwargs)

        self.pending += 1
        future = self._executor.submit(call)
        future.add_done_callback(lambda _: loop.call_soon_threadsafe(self._finished))
        waiter = asyncio.wrap_future(future)
        return await self._wait(waiter, stop, deadline, is_disconnected)

    def _admit(self) -> None:
        if self.pending >= self.limits.capacity:
            self.refused += 1
            raise Overloaded(self.name, self.retry_after())

    async def _wait(self, waiter: asyncio.Future, stop: threading.Event, deadline: float,
                    is_disconnected: Callable[[], Any] | None) -> Any:
        """``waiter``'s result, unless the deadline passes or the client leaves first (then ``stop`` is set)."""
        waiter.add_done_callback(_retrieve)  # an abandoned request's late error is not "never retrieved"
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                stop.set()
                self.timed_out += 1
                raise TimedOut(f"the {self.name} request took over {self.limits.timeout_s:g} s and was stopped")
            # without a client to watch, wake only at the answer or the deadline
            done, _ = await asyncio.wait({waiter}, timeout=remaining if is_disconnected is None
                                         else min(POLL_S, remaining))
            if done:
                return waiter.result()
            if is_disconnected is not None and await is_disconnected():
                stop.set()
                self.dropped += 1
                raise ClientGone(f"the client of a {self.name} request went away; its work was stopped")

    def _finished(self) -> None:
        self.pending -= 1

    def limits_and_stats(self) -> dict[str, Any]:
        """For ``/v1/health``: the limits, requests pending now, and refused / timed out / dropped so far."""
        return {"workers": self.limits.workers, "queue": self.limits.queue, "timeout_s": self.limits.timeout_s,
                "batch_window_ms": self.limits.batch_window_ms, "max_batch": self.limits.max_batch,
                "pending": self.pending, "refused": self.refused, "timed_out": self.timed_out,
                "dropped": self.dropped, "batches": self.batches}

    # Dynamic batching ---------------------------------------------------------------------------------

    async def run_batched(self, work: Callable[..., list[Any]], texts: list[str],
                          is_disconnected: Callable[[], Any] | None = None) -> list[Any]:
        """One result per text of ``texts``, computed together with other requests' texts.

        Requests of this lane that arrive within ``batch_window_ms`` of the first (or while a batch
        runs) are joined, up to ``max_batch`` texts, into one ``work(all_texts, should_stop=...)``
        call; each request gets its own slice of the results. If that call raises an rnnkit error
        (one request's bad text), each request is run alone, so errors stay with their request.
        Limits, time limit and dropped clients work as in :meth:`run`. With ``batch_window_ms`` 0
        this is :meth:`run` of ``work(texts)``.
        """
        if self.limits.batch_window_ms <= 0:
            return await self.run(work, texts, is_disconnected=is_disconnected, stoppable=True)
        self._admit()
        loop = asyncio.get_running_loop()
        entry = _Entry(list(texts), loop.create_future(), threading.Event())
        self.pending += 1
        self._queue.append(entry)
        if not self._busy:
            if sum(len(e.texts) for e in self._queue) >= self.limits.max_batch:
                self._dispatch(work)
            elif self._timer is None:
                self._timer = loop.call_later(self.limits.batch_window_ms / 1000, self._dispatch, work)
        return await self._wait(entry.future, entry.stop, time.monotonic() + self.limits.timeout_s,
                                is_disconnected)

    def _dispatch(self, work: Callable[..., list[Any]]) -> None:
        """Hand the waiting requests (up to ``max_batch`` texts) to the lane's thread as one call."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._busy:
            return
        taken, size = [], 0
        while self._queue and (not taken or size + len(self._queue[0].texts) <= self.limits.max_batch):
            entry = self._queue.popleft()
            if entry.stop.is_set():  # timed out or abandoned while it waited
                self.pending -= 1
                continue
            taken.append(entry)
            size += len(entry.texts)
        if not taken:
            return
        self._busy = True
        self.batches += 1
        loop = asyncio.get_running_loop()
        future = self._executor.submit(_run_entries, work, taken)
        future.add_done_callback(lambda done: loop.call_soon_threadsafe(self._batch_done, work, taken, done))

    def _batch_done(self, work: Callable[..., list[Any]], taken: list[_Entry], done: Any) -> None:
        self._busy = False
        self.pending -= len(taken)
        failed = done.exception()
        outcomes = [(False, failed)] * len(taken) if failed is not None else done.result()
        for entry, (ok, value) in zip(taken, outcomes, strict=True):
            if entry.future.done():
                continue
            if ok:
                entry.future.set_result(value)
            else:
                entry.future.set_exception(value)
        if self._queue:
            self._dispatch(work)  # a backlog goes at once: no window when requests are waiting


@dataclass
class _Entry:
    """One request waiting in a batch: its texts, its answer, and whether it was given up."""

    texts: list[str]
    future: asyncio.Future
    stop: threading.Event


def _run_entries(work: Callable[..., list[Any]], entries: list[_Entry]) -> list[tuple[bool, Any]]:
    """In the lane's thread: (ok, results or error) per entry; one call for all, else one per entry.

    Alone, an entry's error of any kind stays with it (an rnnkit error answers 4xx, any other 500).
    """
    return batch_or_each(lambda texts: work(texts, should_stop=lambda: all(e.stop.is_set() for e in entries)),
                         [entry.texts for entry in entries],
                         alone=lambda i: work(entries[i].texts, should_stop=entries[i].stop.is_set), catch=Exception)


def _retrieve(future: asyncio.Future) -> None:
    if not future.cancelled():
        future.exception()
