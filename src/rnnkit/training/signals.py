"""Stopping training on SIGINT or SIGTERM without losing work.

While :meth:`Trainer.fit <rnnkit.training.loop.Trainer.fit>` runs, :class:`StopRequests` catches
SIGINT (Ctrl-C) and SIGTERM (``kill``, a scheduler's pre-emption, torchrun shutting its workers
down) and only records them; the Trainer ends the current step, writes its resumable checkpoint and
raises :class:`TrainingInterrupted`, which says how to go on. A second signal of the same kind gets
Python's usual behaviour (KeyboardInterrupt, or the process ends), so a stuck run can still be killed.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType, TracebackType
from typing import Any

from rnnkit.errors import TrainingInterrupted

__all__ = ["STOP_SIGNALS", "StopRequests", "TrainingInterrupted"]  # TrainingInterrupted lives in rnnkit.errors

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)  # what ends training with a checkpoint


class StopRequests:
    """Context manager that records SIGINT/SIGTERM instead of dying (main thread only; elsewhere it does nothing).

    ``received`` is the name of the first signal caught ("SIGTERM"), or None.
    """

    def __init__(self) -> None:
        self.received: str | None = None
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> StopRequests:
        if threading.current_thread() is threading.main_thread():
            for signum in STOP_SIGNALS:
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
        self._previous.clear()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.received is None:
            self.received = signal.Signals(signum).name
        previous = self._previous.get(signum)
        signal.signal(signum, signal.SIG_DFL if previous is None else previous)  # a second one acts at once
