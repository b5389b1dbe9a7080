"""The fastest torch path for small-batch inference steps on a CPU.

At batch 1 (a keystroke, one sampled character) oneDNN re-lays-out the recurrent weights on every
call, and torch's plain CPU kernels are several times faster: an LSTM step ~260 us vs ~850 us on this
project's 2-core Xeon (torch 2.13.0 CPU), about 8x for the character generator's step. The numbers
are the same either way.

In large batched jobs the opposite holds: a small recurrent layer barely speeds up with a second
intra-op thread, but two batches run side by side, one thread each, do (:func:`map_batches`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import torch

__all__ = ["fast_path", "map_batches"]

T = TypeVar("T")
R = TypeVar("R")


class fast_path:  # noqa: N801  (used as a function: ``with fast_path():``)
    """No autograd and no oneDNN, for the duration of the block.

    A keystroke enters this two or three times, so entering is kept cheap: 2.5-4 us (with the lock
    below) against ~9 us for ``torch.backends.mkldnn.flags(...)`` (a generator context manager that
    also sets three other flags).

    oneDNN's switch is one flag for the whole process. Blocks that overlap in several threads (a
    service's suggest and generate lanes) count themselves: the first one in turns oneDNN off and the
    last one out restores what the first one found, so no order of exits leaves it off. While any
    block is open, torch calls in other threads run without oneDNN too (the same numbers up to float
    rounding).
    """

    __slots__ = ("_inference",)

    def __enter__(self) -> None:
        global _open_blocks, _mkldnn_before
        with _blocks_lock:
            if not _open_blocks:
                _mkldnn_before = _get_mkldnn()
                _set_mkldnn(False)
            _open_blocks += 1
        self._inference = torch.inference_mode()
        self._inference.__enter__()

    def __exit__(self, *exc: object) -> None:
        global _open_blocks
        try:
            self._inference.__exit__(*exc)
        finally:
            with _blocks_lock:
                _open_blocks -= 1
                if not _open_blocks:
                    _set_mkldnn(_mkldnn_before)


_blocks_lock = threading.Lock()
_open_blocks = 0  # fast_path blocks open in any thread
_mkldnn_before = True  # oneDNN's flag when the first of them opened


# torch.backends.mkldnn.set_flags calls these; reading and setting only the "enabled" flag leaves oneDNN's
# other settings (TF32, deterministic) alone, as flags(enabled=False, ...=None) does.
_get_mkldnn = torch._C._get_mkldnn_enabled
_set_mkldnn = torch._C._set_mkldnn_enabled


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
