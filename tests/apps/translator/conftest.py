"""Tiny English-French pairs and a tiny translator trained on them (hidden 16, a second or two)."""

from __future__ import annotations

import pytest
import torch

from rnnkit.apps.translator import Translator, TranslatorConfig

PAIRS = [
    ("I go to school.", "Je vais à l'école."),
    ("I go home.", "Je vais à la maison."),
    ("We go to school.", "Nous allons à l'école."),
    ("I am happy.", "Je suis heureux."),
    ("You are happy.", "Tu es heureux."),
    ("I am tired.", "Je suis fatigué."),
    ("He is tired.", "Il est fatigué."),
    ("She is tired.", "Elle est fatiguée."),
]

TINY = {"min_freq": 1, "embedding_dim": 16, "hidden_size": 16, "batch_size": 4, "epochs": 80,
        "learning_rate": 0.02, "lr_schedule": "constant", "eval_every": 0, "checkpoint_every": 0, "progress": False,
        "mixed_precision": False, "num_threads": 1, "dropout": 0.0}


def tiny_config(**changes) -> TranslatorConfig:
    return TranslatorConfig(**(TINY | changes))


def pairs_file(folder, pairs=PAIRS, copies: int = 1):
    path = folder / "pairs.txt"
    path.write_text("".join(f"{e}\t{f}\n" for e, f in pairs * copies), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def tiny_translator() -> Translator:
    """A GRU translator that has learnt the eight PAIRS by heart."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # session fixtures run before conftest's per-test thread setting
    translator = Translator.train(PAIRS, tiny_config())
    torch.set_num_threads(threads)
    return translator
