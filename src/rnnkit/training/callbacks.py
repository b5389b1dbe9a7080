"""Training callbacks: how the world watches (and may stop) a :class:`~rnnkit.training.loop.Trainer`.

A callback is any object with some of these methods; each receives the trainer and its
:class:`~rnnkit.training.loop.TrainState` (setting ``state.stop = True`` ends training after the
current step; under DDP do it on every rank)::

    on_train_begin(trainer, state)
    on_step_end(trainer, state)         state.last holds this step's loss, grad_norm, lr, metric
    on_validation_end(trainer, state)   state.history["validation"][-1] holds the metrics
    on_epoch_end(trainer, state)
    on_train_end(trainer, state)

Library code never prints; the progress bar below writes to stderr through tqdm, and the CLI
may pass its own callbacks instead (``TrainConfig.progress=False``).
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

from tqdm.auto import tqdm

if TYPE_CHECKING:
    from rnnkit.training.loop import Trainer, TrainState

__all__ = ["CALLBACK_HOOKS", "Callback", "ProgressBar"]

_SHORT_NAMES = {"perplexity": "ppl", "accuracy": "acc"}  # progress-bar labels
CALLBACK_HOOKS = ("on_train_begin", "on_step_end", "on_validation_end", "on_epoch_end", "on_train_end")


class Callback:
    """Base class with every hook doing nothing; subclass and override the hooks you need."""

    def on_train_begin(self, trainer: Trainer, state: TrainState) -> None:
        """Called once, after resuming (if any) and before the first step."""

    def on_step_end(self, trainer: Trainer, state: TrainState) -> None:
        """Called after each optimiser step."""

    def on_validation_end(self, trainer: Trainer, state: TrainState) -> None:
        """Called after each validation."""

    def on_epoch_end(self, trainer: Trainer, state: TrainState) -> None:
        """Called after each full pass over the training data."""

    def on_train_end(self, trainer: Trainer, state: TrainState) -> None:
        """Called once at the end, after the final checkpoint and best weights are in place."""


class ProgressBar(Callback):
    """A tqdm bar over optimiser steps showing loss, perplexity or accuracy, and tokens/s.

    After its first :attr:`ETA_STEPS` steps it also writes one line with the estimated time of the
    whole run, so a run that will take hours says so up front (and a machine whose other busy
    processes slow it down shows it at once; see docs/training.md on threads).

    Args:
        **tqdm_kwargs: passed to ``tqdm`` (e.g. ``file=``, ``mininterval=``).
    """

    ETA_STEPS = 20  # steps timed before the estimate is written

    def __init__(self, **tqdm_kwargs: Any) -> None:
        self.tqdm_kwargs = tqdm_kwargs
        self.bar: tqdm | None = None
        self._first: tuple[int, float] | None = None

    def on_train_begin(self, trainer: Trainer, state: TrainState) -> None:
        self.bar = tqdm(total=state.total_steps, initial=state.step, unit="step", dynamic_ncols=True,
                        **self.tqdm_kwargs)
        self._first = (state.step, time.perf_counter())

    def _estimate(self, state: TrainState) -> None:
        start_step, started = self._first
        done = state.step - start_step
        if done != self.ETA_STEPS or self.bar is None:
            return
        rate = done / max(time.perf_counter() - started, 1e-9)
        left = max(state.total_steps - state.step, 0) / rate
        self.bar.write(f"estimated time: {_duration(left)} for {state.total_steps - state.step:,} more steps at "
                       f"{rate:,.1f} steps/s (measured on the first {done})",
                       file=self.tqdm_kwargs.get("file", sys.stderr))

    def on_step_end(self, trainer: Trainer, state: TrainState) -> None:
        if self.bar is None:
            return
        last = state.last
        label = _SHORT_NAMES.get(trainer.task.metric_name, trainer.task.metric_name)
        postfix = {"loss": f"{last['loss']:.3f}", label: f"{last['metric']:.3g}",
                   "tok/s": f"{state.tokens_per_sec:.0f}"}
        self.bar.update(1)
        self.bar.set_postfix(postfix, refresh=False)
        if self._first is not None:
            self._estimate(state)

    def on_validation_end(self, trainer: Trainer, state: TrainState) -> None:
        """One line per validation above the bar, so the curve stays readable in a log."""
        if self.bar is None:
            return
        val = state.history["validation"][-1]
        name = trainer.task.metric_name
        self.bar.write(f"validation at step {val['step']} (epoch {val['epoch']}): loss {val['loss']:.4f}, "
                       f"{name} {val[name]:.4g}, lr {val['lr']:.4g}", file=self.tqdm_kwargs.get("file", sys.stderr))

    def on_train_end(self, trainer: Trainer, state: TrainState) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _duration(seconds: float) -> str:
    """"45 s", "12 min", "3.4 h"."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
