"""The service's limits as plain data (no FastAPI, no torch), so ``rnnkit serve --help`` can show them.

* :class:`LaneLimits`: per kind of work (suggest, generate, sentiment ...): workers, queue, time limit
  (used by :mod:`.lanes`).
* :class:`ServerLimits`: per connection: header-read timeout, connection cap, shutdown drain (used by
  :mod:`.server`).
"""

from __future__ import annotations

from dataclasses import dataclass

from rnnkit.config import check_int, check_number
from rnnkit.errors import ConfigError

__all__ = ["DEFAULT_LANES", "LaneLimits", "ServerLimits"]


@dataclass(frozen=True)
class LaneLimits:
    """One lane's bounds.

    Attributes:
        workers: requests of this kind that run at the same time (threads).
        queue: requests that may wait beyond those running; one more gets 503.
        timeout_s: a request's time limit in seconds, waiting included; past it the answer is 504.
        batch_window_ms: lanes that batch (suggest, sentiment, tag): how long the first waiting request waits
            for others to join its batch; 0 runs each request alone.
        max_batch: lanes that batch: the most texts in one batch.
    """

    workers: int = 1
    queue: int = 16
    timeout_s: float = 10.0
    batch_window_ms: float = 0.0
    max_batch: int = 64

    def __post_init__(self) -> None:
        check_int("workers", self.workers, 1, 64, error=ConfigError)
        check_int("queue", self.queue, 0, 100_000, error=ConfigError)
        check_number("timeout_s", self.timeout_s, 0.0, 3600.0, low_inclusive=False, error=ConfigError)
        check_number("batch_window_ms", self.batch_window_ms, 0.0, 1000.0, error=ConfigError)
        check_int("max_batch", self.max_batch, 1, 4096, error=ConfigError)

    @property
    def capacity(self) -> int:
        """Requests this lane holds at most: running plus waiting."""
        return self.workers + self.queue


# Suggestions are a keystroke each: a deep queue and a short limit. Generation is the slow kind.
DEFAULT_LANES = {
    "suggest": LaneLimits(workers=1, queue=64, timeout_s=2.0, batch_window_ms=2.0),
    "generate": LaneLimits(workers=1, queue=8, timeout_s=15.0),
    "sentiment": LaneLimits(workers=1, queue=32, timeout_s=10.0, batch_window_ms=2.0),
    "tag": LaneLimits(workers=1, queue=32, timeout_s=10.0, batch_window_ms=2.0),
    "translate": LaneLimits(workers=1, queue=16, timeout_s=20.0),
    "chars": LaneLimits(workers=1, queue=8, timeout_s=15.0),
}


@dataclass(frozen=True)
class ServerLimits:
    """Connection-level limits of ``rnnkit serve`` (per-kind queues and time limits are lanes')."""

    header_timeout_s: float = 10.0
    max_connections: int = 512
    drain_s: float = 10.0
    keep_alive_s: int = 5

    def __post_init__(self) -> None:
        check_number("header_timeout_s", self.header_timeout_s, 0.0, 3600.0, low_inclusive=False, error=ConfigError)
        check_int("max_connections", self.max_connections, 1, 1_000_000, error=ConfigError)
        check_number("drain_s", self.drain_s, 0.0, 3600.0, error=ConfigError)
        check_int("keep_alive_s", self.keep_alive_s, 1, 3600, error=ConfigError)
