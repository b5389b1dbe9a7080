"""Synthetic long-range tasks: the adding problem and first-token recall, with their trivial baselines.

Both tasks put the information the answer needs far from where the answer is read (the last step),
so a cell that cannot carry information across ``seq_len`` steps cannot beat the trivial baseline::

    adding (Hochreiter & Schmidhuber 1997)          recall (remember the first token)

    step     0    1    2   ...  T-2  T-1            step     0    1    2   ...  T-1
    value   .31  .72  .05  ...  .88  .40            token    s3   d5   d1  ...  d7     (one-hot over K + D ids)
    marker   0    1    0   ...   1    0             target   3    (one of K symbols; d* one of D distractors)
    target  .72 + .88 = 1.60

The adding problem's first marker lies in the first half and its second in the second half, so the
answer depends on inputs up to ``seq_len - 1`` steps before the end. Its trivial baseline predicts
the mean sum, 1.0, and scores the variance of a sum of two U(0, 1): 1/6. The recall baseline
guesses one symbol: accuracy 1/K.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from rnnkit.errors import ConfigError

__all__ = ["ADDING_BASELINE_MSE", "LEARNED_FRACTION", "TASKS", "Batch", "Task", "learned", "make_batch", "task_spec"]

TASKS = ("adding", "recall")
ADDING_BASELINE_MSE = 1.0 / 6.0  # variance of U(0,1) + U(0,1): the error of always answering 1.0
LEARNED_FRACTION = 0.9  # "learned": R^2 >= 0.9 (adding) or accuracy >= 0.9 (recall); see learned()


@dataclass(frozen=True)
class Batch:
    """Inputs ``x`` (batch, seq_len, input_size) float and targets: (batch,) float or int64."""

    x: Tensor
    y: Tensor


@dataclass(frozen=True)
class Task:
    """What a model needs to know about a task: sizes, the loss and the metric."""

    name: str  # "adding" or "recall"
    input_size: int  # features per step
    output_size: int  # 1 (a regression) or K (logits over the symbols)
    metric: str  # "mse" (lower is better) or "accuracy"
    baseline: float  # the trivial baseline's metric

    def loss(self, output: Tensor, y: Tensor, reduction: str = "mean") -> Tensor:
        """Mean squared error (adding) or cross-entropy (recall) of ``output`` (batch, output_size)."""
        if self.name == "adding":
            return F.mse_loss(output.squeeze(-1), y.to(output.dtype), reduction=reduction)
        return F.cross_entropy(output, y, reduction=reduction)

    def score(self, output: Tensor, y: Tensor) -> float:
        """The metric over a batch: mean squared error, or accuracy."""
        if self.name == "adding":
            return float(F.mse_loss(output.squeeze(-1), y.to(output.dtype)))
        return float((output.argmax(-1) == y).double().mean())


def task_spec(name: str, num_symbols: int = 8, num_distractors: int = 8) -> Task:
    """The :class:`Task` called ``name``; recall remembers one of ``num_symbols`` (K) among
    ``num_distractors`` (D) distractor symbols.

    Raises:
        ConfigError: unknown task, ``num_symbols`` below 2 or ``num_distractors`` below 1.
    """
    if name not in TASKS:
        raise ConfigError(f"task must be one of {', '.join(TASKS)}; got {name!r}")
    if name == "adding":
        return Task("adding", 2, 1, "mse", ADDING_BASELINE_MSE)
    if isinstance(num_symbols, bool) or not isinstance(num_symbols, int) or num_symbols < 2:
        raise ConfigError(f"num_symbols must be an integer >= 2, got {num_symbols!r}")
    if isinstance(num_distractors, bool) or not isinstance(num_distractors, int) or num_distractors < 1:
        raise ConfigError(f"num_distractors must be an integer >= 1, got {num_distractors!r}")
    return Task("recall", num_symbols + num_distractors, num_symbols, "accuracy", 1.0 / num_symbols)


def make_batch(task: Task, batch_size: int, seq_len: int, generator: torch.Generator) -> Batch:
    """Draw ``batch_size`` fresh examples of length ``seq_len`` (>= 2) from ``generator``."""
    if task.name == "adding":
        return _adding(batch_size, seq_len, generator)
    return _recall(batch_size, seq_len, task.output_size, task.input_size - task.output_size, generator)


def _adding(batch_size: int, seq_len: int, generator: torch.Generator) -> Batch:
    values = torch.rand(batch_size, seq_len, generator=generator)
    half = seq_len // 2
    first = torch.randint(0, half, (batch_size,), generator=generator)
    second = torch.randint(half, seq_len, (batch_size,), generator=generator)
    markers = torch.zeros(batch_size, seq_len)
    rows = torch.arange(batch_size)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    y = values[rows, first] + values[rows, second]
    return Batch(torch.stack([values, markers], dim=-1), y)  # x (batch, seq_len, 2)


def _recall(batch_size: int, seq_len: int, num_symbols: int, num_distractors: int,
            generator: torch.Generator) -> Batch:
    y = torch.randint(0, num_symbols, (batch_size,), generator=generator)
    ids = num_symbols + torch.randint(0, num_distractors, (batch_size, seq_len), generator=generator)
    ids[:, 0] = y
    return Batch(F.one_hot(ids, num_symbols + num_distractors).float(), y)  # x (batch, seq_len, K + D)


def learned(task: Task, metric: float) -> bool:
    """Whether ``metric`` counts as learned: 90% of the variance explained, or 90% accuracy.

    R^2 = 1 - mse / (1/6) for the adding problem; the thresholds are this lab's choice, set before
    the runs, so "learned" means "clearly beats the trivial baseline", not "solved".
    """
    if task.metric == "mse":
        return 1.0 - metric / task.baseline >= LEARNED_FRACTION
    return metric >= LEARNED_FRACTION
