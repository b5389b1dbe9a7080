"""Batched inference: batches side by side on several threads, and batches that keep each part's error apart.

A small recurrent layer barely speeds up with a second intra-op thread, but two batches run side by
side, one thread each, do (:func:`map_batches`). A batch made of several callers' texts (a file's
lines, a service's requests) runs as one model call, and if one part is refused, each part alone, so
that one bad text fails only its own part (:func:`batch_or_each`). For single steps (a keystroke,
one sampled character) see :func:`rnnkit.nn.fused.run_module`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import torch

from rnnkit.errors import RnnkitError

__all__ = ["batch_or_each", "map_batches"]

T = TypeVar("T")
R = TypeVar("R")


def map_batches(fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """``[fn(item) for item in items]``, with the items run side by side when torch may use several threads.

    With ``torch.get_num_threads()`` = N > 1 and several items, up to N worker threads take the items
    in order, each running torch (and ONNX Runtime, which also releases the interpreter lock) with one
    intra-op thread; the caller's thread count is left as it is. Small recurrent layers use a second
    intra-op thread poorly (the bundled sentiment model's length batches: 1.1-1.5x with two), while two
    batches at once use both cores (~1.7x on this project's 2-core machine). ``fn`` runs under the
    caller's autograd mode; it must be safe to call from several threads at once (a model in eval mode
    is). Results keep the items' order; the first exception raised is re-raised.
    """
    workers = min(torch.get_num_threads(), len(items))
    if workers < 2:
        return [fn(item) for item in items]
    grad = torch.is_grad_enabled()

    def call(item: T) -> R:
        with torch.set_grad_enabled(grad):
            return fn(item)

    return list(_pool(workers).map(call, items))


def batch_or_each(run: Callable[[list[T]], list[R]], parts: Sequence[Sequence[T]],
                  alone: Callable[[int], list[R]] | None = None,
                  catch: type[BaseException] | tuple[type[BaseException], ...] = RnnkitError,
                  ) -> list[tuple[bool, Any]]:
    """``(True, results)`` or ``(False, error)`` per part: one ``run`` of every part's items, else each alone.

    ``run(items)`` returns one result per item. If the call for all parts raises an
    :class:`~rnnkit.errors.RnnkitError` (a bad item refused), each part runs alone (``alone(i)``, or
    ``run(list(parts[i]))``), and what a part's own call raises of ``catch`` becomes that part's
    outcome; anything else propagates. A single part is not run twice: its first error is its outcome.
    """
    if not parts:
        return []
    items = [item for part in parts for item in part]
    try:
        results = run(items)
    except RnnkitError as err:
        if len(parts) == 1:
            return [(False, err)]
        outcomes: list[tuple[bool, Any]] = []
        for i, part in enumerate(parts):
            try:
                outcomes.append((True, alone(i) if alone is not None else run(list(part))))
            except catch as part_error:
                outcomes.append((False, part_error))
        return outcomes
    outcomes, start = [], 0
    for part in parts:
        outcomes.append((True, results[start:start + len(part)]))
        start += len(part)
    return outcomes


_pools: dict[int, ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def _pool(workers: int) -> ThreadPoolExecutor:
    """A lasting pool of ``workers`` threads, each with one torch intra-op thread."""
    with _pools_lock:
        pool = _pools.get(workers)
        if pool is None:
            pool = _pools[workers] = ThreadPoolExecutor(workers, thread_name_prefix="rnnkit-batch",
                                                        initializer=torch.set_num_threads, initargs=(1,))
        return pool


def _forget_pools() -> None:  # a forked child has the pools' objects but not their threads
    _pools.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pools)
