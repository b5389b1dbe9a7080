"""A tiny next-word predictor trained once for the whole test run, on a corpus small enough to learn."""

from __future__ import annotations

import pytest
import torch

from rnnkit import NextWordConfig, NextWordPredictor

CORPUS = [
    "I go to school",
    "me and my friends go to school",
    "I don't like rainy days , but I love snow !",
    "the cat sat on the mat .",
    "the dog sat on the log .",
    "we go to London in May .",
    "the schools in London are big .",
    "my school has a scheme for the cat .",
] * 4


def _tiny_config(**overrides) -> NextWordConfig:
    fields = dict(embedding_dim=16, hidden_size=16, num_layers=1, epochs=30, batch_size=4, seq_len=8,
                  optimizer="adamw", learning_rate=0.02, lr_schedule="constant", progress=False)
    return NextWordConfig(**(fields | overrides))


@pytest.fixture
def corpus() -> list[str]:
    return list(CORPUS)


@pytest.fixture
def tiny_config():
    """``tiny_config(**overrides)``: a NextWordConfig of a 1 x 16 LSTM that learns CORPUS in seconds."""
    return _tiny_config


@pytest.fixture(scope="session")
def predictor() -> NextWordPredictor:
    """Trained on CORPUS (30 epochs); tests read it and never change it."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # session fixtures run before conftest's per-test thread setting
    yield NextWordPredictor.train(CORPUS, _tiny_config())
    torch.set_num_threads(threads)
