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

    Args:
        **tqdm_kwargs: passed to ``tqdm`` (e.g. ``file=``, ``mininterval=``).
    """

    def __init__(self, **tqdm_kwargs: Any) -> None:
        self.tqdm_kwargs = tqdm_kwargs
        self.bar: tqdm | None = None

    def on_train_begin(self, trainer: Trainer, state: TrainState) -> None:
        self.bar = tqdm(total=state.total_steps, initial=state.step, unit="step", dynamic_ncols=True,
                        **self.tqdm_kwargs)

    def on_step_end(self, trainer: Trainer, state: TrainState) -> None:
        if self.bar is None:
            return
        last = state.last
        label = _SHORT_NAMES.get(trainer.task.metric_name, trainer.task.metric_name)
        postfix = {"loss": f"{last['loss']:.3f}", label: f"{last['metric']:.3g}",
                   "tok/s": f"{state.tokens_per_sec:.0f}"}
        self.bar.update(1)
        self.bar.set_postfix(postfix, refresh=False)

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
