"""Tiny taggers trained once per session on ``tiny.conllu`` (ten ATIS-like sentences), one per cell."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from rnnkit.apps.tagger.config import TaggerConfig
from rnnkit.apps.tagger.tagger import Tagger

TINY = Path(__file__).with_name("tiny.conllu")


def tiny_config(**overrides) -> TaggerConfig:
    """A TaggerConfig small enough to learn tiny.conllu in about a second."""
    fields = dict(embedding_dim=16, char_embedding_dim=8, char_hidden_size=8, hidden_size=16, num_layers=1,
                  dropout=0.0, word_dropout=0.0, epochs=25, batch_size=4, learning_rate=0.02,
                  lr_schedule="constant", patience=0, progress=False)
    return TaggerConfig(**(fields | overrides))


@pytest.fixture(name="tiny_config", scope="session")
def tiny_config_fixture():
    """``tiny_config(**overrides)``: see :func:`tiny_config`."""
    return tiny_config


@pytest.fixture(scope="session")
def tiny_path() -> Path:
    return TINY


@pytest.fixture(scope="session")
def trained():
    """``trained(cell)``: a tagger of that cell trained on tiny.conllu (cached for the session)."""
    cache: dict[str, Tagger] = {}

    def get(cell: str = "lstm") -> Tagger:
        if cell not in cache:
            torch.manual_seed(0)
            cache[cell] = Tagger.train(TINY, tiny_config(cell=cell))
        return cache[cell]
    return get
