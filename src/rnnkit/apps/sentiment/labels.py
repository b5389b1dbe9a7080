"""Sentiment labels: the three classes, SST's five, and how the five group into the three.

The learned model always predicts SST's five classes (0 very negative .. 4 very positive); three-class
probabilities are sums over groups: Negative = p0 + p1, Neutral = p2, Positive = p3 + p4. Training
data may mix SST's fine labels with coarse names ("Negative", "Neutral", "Positive") from other
sources such as product pros and cons. :func:`encode_labels` gives both one id space, and a coarse
label is scored by the log of its group's summed probability, so it teaches the direction without
inventing an intensity::

    label id   0 1 2 3 4      5 (Negative)   6 (Neutral)   7 (Positive)
    log-prob   log p_k        log(p0 + p1)   log p2        log(p3 + p4)

Nothing here imports torch at module level: the lexicon rule and the CLI's help use these names
without it; :func:`group_log_probs` and :func:`coarse_of` take tensors and import torch when called.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from rnnkit.errors import InputError

if TYPE_CHECKING:
    from torch import Tensor

__all__ = [
    "BINARY_LABELS",
    "COARSE_OFFSET",
    "FINE_LABELS",
    "FINE_TO_COARSE",
    "LABELS",
    "NEGATIVE",
    "NEUTRAL",
    "POSITIVE",
    "coarse_of",
    "encode_labels",
    "group_log_probs",
]

NEGATIVE, NEUTRAL, POSITIVE = "Negative", "Neutral", "Positive"
LABELS = (NEGATIVE, NEUTRAL, POSITIVE)  # class order everywhere in rnnkit's sentiment code
BINARY_LABELS = (NEGATIVE, POSITIVE)  # two-class evaluation: Neutral gold dropped
FINE_LABELS = (0, 1, 2, 3, 4)  # SST's classes: 0 very negative, 1 negative, 2 neutral, 3 positive, 4 very positive
FINE_TO_COARSE = (0, 0, 1, 2, 2)  # SST 0-1 Negative, 2 Neutral, 3-4 Positive (the usual mapping)
COARSE_OFFSET = len(FINE_LABELS)  # coarse label c is stored as id 5 + c
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
    """(log-probabilities of the 5 fine classes (B, 5), of the 3 coarse groups (B, 3)) from logits (B, 5)."""
    import torch

    fine = torch.log_softmax(logits.float(), dim=1)
    coarse = torch.stack([fine[:, :2].logsumexp(dim=1), fine[:, 2], fine[:, 3:].logsumexp(dim=1)], dim=1)
    return fine, coarse


def coarse_of(label_ids: Tensor) -> Tensor:
    """The three-class index (0 Negative, 1 Neutral, 2 Positive) of each label id 0-7."""
    import torch

    table = torch.tensor([*FINE_TO_COARSE, 0, 1, 2], device=label_ids.device)
    return table[label_ids]
