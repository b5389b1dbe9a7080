"""Optimiser, learning-rate schedule and gradient clipping, as :class:`~rnnkit.config.TrainConfig` asks."""

from __future__ import annotations

import math
from collections.abc import Iterable

import torch
from torch import nn

from rnnkit.config import TrainConfig

__all__ = ["LRSchedule", "build_optimizer", "clip_gradients"]


def build_optimizer(parameters: Iterable[nn.Parameter], config: TrainConfig) -> torch.optim.Optimizer:
    """SGD (with ``momentum``, L2 ``weight_decay``) or AdamW (decoupled ``weight_decay``) at ``learning_rate``."""
    params = [p for p in parameters if p.requires_grad]
    if config.optimizer == "sgd":
        return torch.optim.SGD(params, lr=config.learning_rate, momentum=config.momentum,
                               weight_decay=config.weight_decay)
    return torch.optim.AdamW(params, lr=config.learning_rate, weight_decay=config.weight_decay)


def clip_gradients(parameters: Iterable[nn.Parameter], config: TrainConfig) -> float:
    """Clip gradients as ``config.clip`` says and return the global L2 norm measured BEFORE clipping.

    Recording the unclipped norm keeps explosions visible even while clipping tames the update.
    """
    params = [p for p in parameters if p.grad is not None]
    if not params:
        return 0.0
    total = nn.utils.get_total_norm([p.grad for p in params])
    if config.clip == "norm":
        nn.utils.clip_grads_with_norm_(params, config.clip_norm, total)
    elif config.clip == "value":
        nn.utils.clip_grad_value_(params, config.clip_value)
    return float(total)


class LRSchedule:
    """The learning rate over training; a pure function of its state, so resuming restores it exactly.

    * ``constant``: ``learning_rate`` throughout.
    * ``plateau``: multiply by ``lr_decay`` after each validation that does not beat the best one
      (the classic language-model recipe: SGD at 20, divided by 4 when validation stalls).
    * ``cosine``: ``learning_rate * (1 + cos(pi * step / total_steps)) / 2`` per step, down to 0.
    * ``step``: multiply by ``lr_decay`` every ``lr_step_epochs`` epochs.
    """

    def __init__(self, optimizer: torch.optim.Optimizer, config: TrainConfig, total_steps: int) -> None:
        self.optimizer = optimizer
        self.config = config
        self.total_steps = max(total_steps, 1)
        self.lr = config.learning_rate
        self._apply()

    def before_step(self, step: int) -> float:
        """Set and return the rate for optimiser step ``step`` (0-based)."""
        if self.config.lr_schedule == "cosine":
            progress = min(step, self.total_steps) / self.total_steps
            self.lr = self.config.learning_rate * 0.5 * (1.0 + math.cos(math.pi * progress))
            self._apply()
        return self.lr

    def after_validation(self, improved: bool) -> None:
        """Plateau schedule: decay when the validation metric did not improve."""
        if self.config.lr_schedule == "plateau" and not improved:
            self.lr *= self.config.lr_decay
            self._apply()

    def after_epoch(self, epochs_done: int) -> None:
        """Step schedule: decay every ``lr_step_epochs`` completed epochs."""
        if self.config.lr_schedule == "step":
            self.lr = self.config.learning_rate * self.config.lr_decay ** (epochs_done // self.config.lr_step_epochs)
            self._apply()

    def state_dict(self) -> dict[str, float]:
        return {"lr": self.lr, "total_steps": self.total_steps}

    def load_state_dict(self, state: dict[str, float]) -> None:
        self.lr = float(state["lr"])
        self._apply()

    def _apply(self) -> None:
        for group in self.optimizer.param_groups:
            group["lr"] = self.lr
