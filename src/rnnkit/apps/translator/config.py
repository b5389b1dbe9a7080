"""The translator's configuration: vocabulary, encoder-decoder shape and training (torch-free).

The defaults are the recipe of the bundled model, chosen to learn fast on one CPU thread: a
bidirectional GRU encoder and a GRU decoder of 256 units with Luong attention (Luong et al. 2015),
word vocabularies of the words seen at least 3 times (11.5k French words), Adam at 2e-3 with the
gradient clipped at norm 5, batches of 64 pairs of similar length, and matrix products in bfloat16
(about 1.45x faster on an AVX-512 CPU; the weights and the loss stay float32).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from rnnkit.config import (
    CELL_TYPES,
    LR_SCHEDULES,
    ModelConfig,
    TrainConfig,
    check_bool,
    check_int,
)
from rnnkit.config import config_field as _opt  # default + CLI help in one place

__all__ = ["DEFAULT_BEAM", "LENGTH_PENALTY", "MAX_OUTPUT_TOKENS", "MAX_SOURCE_TOKENS", "TranslatorConfig"]

DEFAULT_BEAM = 5  # beam width of translate() and eval; 1 is greedy decoding
LENGTH_PENALTY = 1.0  # beam scores are log-probability / length ** LENGTH_PENALTY (1.0: mean per token)
MAX_SOURCE_TOKENS = 100  # longer input is cut here (Tatoeba's longest English sentence has 47 words)
MAX_OUTPUT_TOKENS = 100  # the most French tokens one translation may have (bounded time on any input)

_MODEL_FIELDS = ("cell", "embedding_dim", "hidden_size", "num_layers", "dropout", "bidirectional", "attention")
_TRAIN_FIELDS = ("epochs", "max_steps", "batch_size", "learning_rate", "clip_norm", "lr_schedule", "lr_decay",
                 "patience", "eval_every", "checkpoint_every", "seed", "progress", "num_threads", "device",
                 "max_minutes")


@dataclass(frozen=True)
class TranslatorConfig:
    """How to build and train an English-to-French translator.

    Raises:
        ConfigError: any value out of range (the model and training fields are also checked by
            :class:`~rnnkit.config.ModelConfig` and :class:`~rnnkit.config.TrainConfig`).
    """

    min_freq: int = _opt(3, "keep only words seen at least this many times in the training pairs (each side)")
    max_words: int = _opt(0, "keep at most this many words per side, specials not counted; 0 keeps every word")
    max_train_tokens: int = _opt(30, "leave out training pairs with more tokens than this on either side")
    max_valid_pairs: int = _opt(2000, "validate on at most this many validation pairs, spread evenly over the "
                                      "file; 0 reads them all")
    cell: str = _opt("gru", "recurrent cell of the encoder and the decoder", CELL_TYPES)
    embedding_dim: int = _opt(256, "size of each word vector (both sides)")
    hidden_size: int = _opt(256, "size of the recurrent state (per direction in the encoder)")
    num_layers: int = _opt(1, "stacked recurrent layers in the encoder and in the decoder")
    dropout: float = _opt(0.2, "dropout on embeddings, between layers and before the output layer")
    bidirectional: bool = _opt(True, "the encoder also reads the sentence right to left")
    attention: bool = _opt(True, "Luong attention: each decoder step reads a weighted mix of the encoder outputs")
    epochs: int = _opt(30, "passes over the training pairs (a time budget may stop training first)")
    max_steps: int = _opt(0, "stop after this many optimiser steps; 0 means no limit")
    max_minutes: float = _opt(0.0, "stop after this many minutes of training; 0 means no limit")
    batch_size: int = _opt(64, "pairs per step, grouped by similar length")
    learning_rate: float = _opt(2e-3, "Adam's step size")
    clip_norm: float = _opt(5.0, "clip the gradient's global L2 norm to this")
    lr_schedule: str = _opt("plateau", "learning-rate schedule", LR_SCHEDULES)
    lr_decay: float = _opt(0.5, "factor applied by the plateau/step schedule")
    patience: int = _opt(0, "stop after this many validations without improvement; 0 = off")
    eval_every: int = _opt(500, "validate every N steps; 0 = once per epoch")
    checkpoint_every: int = _opt(500, "write the resumable checkpoint every N steps; 0 = at the end")
    mixed_precision: bool = _opt(True, "matrix products in bfloat16 (autocast); weights and loss stay float32")
    seed: int = _opt(0, "seed for initialisation, batch order and dropout")
    progress: bool = _opt(True, "show a progress bar on stderr")
    num_threads: int = _opt(0, "torch CPU threads; 0 leaves torch's default")
    device: str = _opt("", "'cpu', 'cuda', 'cuda:N' or 'mps'; '' picks CUDA when available")

    def __post_init__(self) -> None:
        check_int("min_freq", self.min_freq, 1)
        check_int("max_words", self.max_words, 0)
        check_int("max_train_tokens", self.max_train_tokens, 1)
        check_int("max_valid_pairs", self.max_valid_pairs, 0)
        for name in ("bidirectional", "attention", "mixed_precision", "progress"):
            check_bool(name, getattr(self, name))
        self.model_config(vocab_size=4, output_size=4)  # ModelConfig and TrainConfig check their own fields
        self.train_config()

    def model_config(self, vocab_size: int, output_size: int) -> ModelConfig:
        """The :class:`~rnnkit.config.ModelConfig` of a Seq2Seq over these source and target vocabulary sizes."""
        return ModelConfig(vocab_size=vocab_size, output_size=output_size,
                           **{name: getattr(self, name) for name in _MODEL_FIELDS})

    def train_config(self) -> TrainConfig:
        """The :class:`~rnnkit.config.TrainConfig` for the :class:`~rnnkit.training.Trainer` (Adam, clipped by norm)."""
        return TrainConfig(optimizer="adamw", clip="norm", **{name: getattr(self, name) for name in _TRAIN_FIELDS})

    def to_dict(self) -> dict[str, Any]:
        """Plain data, the inverse of ``config_from_dict(TranslatorConfig, data)``."""
        return dataclasses.asdict(self)
