"""Tiny generators trained once for the whole test run: a plain one and one conditioned on labels."""

from __future__ import annotations

import pytest
import torch

from rnnkit.apps.generator.config import GeneratorConfig
from rnnkit.apps.generator.generator import CharGenerator

TEXT = ("ROMEO:\nBut soft, what light through yonder window breaks?\n\n"
        "JULIET:\nO Romeo, Romeo, wherefore art thou Romeo?\n\n") * 12
REVIEWS = (["great price", "love it", "easy to use", "nice screen"] * 6
           + ["too heavy", "battery dies", "bad sound", "it broke"] * 6)
LABELS = ["Positive"] * 24 + ["Negative"] * 24


def tiny_config(**overrides) -> GeneratorConfig:
    """A 1 x 32 LSTM that learns TEXT or REVIEWS in under a second."""
    fields = dict(embedding_dim=8, hidden_size=32, num_layers=1, dropout=0.0, epochs=20, batch_size=4, seq_len=16,
                  learning_rate=0.02, lr_schedule="constant", eval_every=0, checkpoint_every=0, progress=False)
    return GeneratorConfig(**(fields | overrides))


def _trained(data, **overrides) -> CharGenerator:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # session fixtures run before conftest's per-test thread setting
    try:
        return CharGenerator.train(data, tiny_config(**overrides))
    finally:
        torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def plain() -> CharGenerator:
    """Trained on TEXT; tests read it and never change it."""
    return _trained(TEXT)


@pytest.fixture(scope="session")
def conditioned() -> CharGenerator:
    """Trained on REVIEWS with LABELS (Positive / Negative)."""
    return _trained((REVIEWS, LABELS), epochs=40)
