"""Tiny plain-torch models and data for the training tests (the Trainer must not need rnnkit.models)."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch
from torch import nn

VOCAB = 20  # ids 0..19, 0 is <pad>
DEVICE = os.environ.get("RNNKIT_TEST_DEVICE", "cpu")  # CPU in CI; "cuda" to run the same tests on a GPU


class TinyLM(nn.Module):
    """Embedding -> LSTM -> Linear, ``forward(ids, state=None) -> (logits, state)``, batch-first."""

    def __init__(self, dropout: float = 0.0, hidden: int = 12) -> None:
        super().__init__()
        self.embed = nn.Embedding(VOCAB, 8)
        self.rnn = nn.LSTM(8, hidden, batch_first=True)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(hidden, VOCAB)

    def forward(self, ids, state=None):
        output, state = self.rnn(self.drop(self.embed(ids)), state)  # (B, T, H)
        return self.out(self.drop(output)), state


class TinyClassifier(nn.Module):
    """Embedding -> GRU -> last true state -> Linear, ``forward(ids, lengths) -> logits``."""

    def __init__(self, dropout: float = 0.0, hidden: int = 12, classes: int = 2) -> None:
        super().__init__()
        self.embed = nn.Embedding(VOCAB, 8, padding_idx=0)
        self.rnn = nn.GRU(8, hidden, batch_first=True)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(hidden, classes)

    def forward(self, ids, lengths):
        output, _ = self.rnn(self.drop(self.embed(ids)))  # (B, T, H)
        last = output[torch.arange(ids.shape[0]), lengths.to(ids.device) - 1]  # (B, H)
        return self.out(self.drop(last))


def make_stream(n: int = 600, seed: int = 0) -> list[int]:
    """A learnable stream: a cycle 1..7 with a few random ids mixed in."""
    rng = np.random.default_rng(seed)
    stream = (np.arange(n) % 7) + 1
    noise = rng.random(n) < 0.1
    stream[noise] = rng.integers(1, VOCAB, noise.sum())
    return stream.tolist()


def make_labelled(n: int = 48, seed: int = 0) -> tuple[list[list[int]], list[int]]:
    """Sequences of 2-9 ids; the label says whether id 5 occurs."""
    rng = np.random.default_rng(seed)
    sequences = [rng.integers(1, VOCAB, rng.integers(2, 10)).tolist() for _ in range(n)]
    return sequences, [int(5 in seq) for seq in sequences]



@pytest.fixture
def stream() -> list[int]:
    return make_stream()


@pytest.fixture
def labelled() -> tuple[list[list[int]], list[int]]:
    return make_labelled()
