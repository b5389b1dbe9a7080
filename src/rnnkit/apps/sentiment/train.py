"""Training a learned sentiment model: labels of two granularities, one five-way output.

The model always predicts SST's five classes (0 very negative .. 4 very positive). Training data may
mix SST's fine labels with coarse ones ("Negative", "Neutral", "Positive") from other sources such
as product pros and cons: a coarse label's loss is minus the log of the summed probability of its
group, so it teaches the direction without inventing an intensity::

    label id   0 1 2 3 4      5 (Negative)   6 (Neutral)   7 (Positive)
    log-prob   log p_k        log(p0 + p1)   log p2        log(p3 + p4)

Three-class predictions sum the groups the same way: Negative = p0 + p1, Neutral = p2, Positive = p3 + p4.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from rnnkit.apps.sentiment.rule import LABELS
from rnnkit.errors import InputError
from rnnkit.training import ClassificationTask
from rnnkit.training.tasks import StepOutput

__all__ = ["COARSE_OFFSET", "LABELS", "MixedLabelTask", "encode_labels", "group_log_probs"]

FINE_TO_COARSE = (0, 0, 1, 2, 2)  # SST 0-1 Negative, 2 Neutral, 3-4 Positive (the usual mapping)
COARSE_OFFSET = 5  # coarse label c is stored as id 5 + c
_LABEL_NAMES = {name.lower(): i for i, name in enumerate(LABELS)}


def encode_labels(labels: Sequence[Any]) -> list[int]:
    """Label ids 0-7 for SST ints 0-4 and the names Negative / Neutral / Positive (any case).

    Raises:
        InputError: a label is neither (the message gives its position and value).
    """
    ids = []
    for i, label in enumerate(labels):
        if isinstance(label, str) and label.strip().lower() in _LABEL_NAMES:
            ids.append(COARSE_OFFSET + _LABEL_NAMES[label.strip().lower()])
        elif isinstance(label, int | np.integer) and not isinstance(label, bool) and 0 <= int(label) <= 4:
            ids.append(int(label))
        else:
            raise InputError(f"label {i} is {label!r}; use Negative, Neutral, Positive or an SST label 0-4")
    return ids


def group_log_probs(logits: Tensor) -> tuple[Tensor, Tensor]:
    """(log-probabilities of the 5 fine classes (B, 5), of the 3 coarse groups (B, 3))."""
    fine = torch.log_softmax(logits.float(), dim=1)
    coarse = torch.stack([fine[:, :2].logsumexp(dim=1), fine[:, 2], fine[:, 3:].logsumexp(dim=1)], dim=1)
    return fine, coarse


def _coarse_of(labels: Tensor) -> Tensor:
    table = torch.tensor([*FINE_TO_COARSE, 0, 1, 2], device=labels.device)
    return table[labels]


class MixedLabelTask(ClassificationTask):
    """:class:`~rnnkit.training.ClassificationTask` for five logits and labels 0-7 (see the module docstring).

    Its accuracy is three-class accuracy, whatever the granularity of each label.
    """

    kind = "sentiment"

    def _loss_and_correct(self, model: nn.Module, batch: tuple[Tensor, Tensor, Tensor],
                          reduction: str) -> tuple[Tensor, int]:
        ids, lengths, labels = batch
        logits = model(ids, lengths)  # (B, 5)
        fine, coarse = group_log_probs(logits)
        nll = -torch.cat([fine, coarse], dim=1).gather(1, labels.unsqueeze(1)).squeeze(1)
        correct = int((coarse.detach().argmax(dim=1) == _coarse_of(labels)).sum())
        return (nll.mean() if reduction == "mean" else nll.sum()), correct

    def train_step(self, model: nn.Module, batch: tuple[Tensor, Tensor, Tensor], state: Any = None) -> StepOutput:
        loss, correct = self._loss_and_correct(model, batch, "mean")
        return StepOutput(loss, None, int(batch[1].sum()), len(batch[2]), correct)

    @torch.no_grad()
    def eval_sums(self, model: nn.Module, data: Any, keys: list[np.ndarray], device: torch.device) -> Tensor:
        """[summed loss, examples, correct three-class predictions] (float64)."""
        sums = torch.zeros(3, dtype=torch.float64)
        for key in keys:
            batch = self.make_batch(data, key, device)
            loss, correct = self._loss_and_correct(model, batch, "sum")
            sums += torch.tensor([float(loss), len(key), correct], dtype=torch.float64)
        return sums
