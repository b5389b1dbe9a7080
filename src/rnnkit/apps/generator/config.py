"""The generator's configuration: one dataclass for the character model and its label-conditioned variant.

Defaults are the Tiny Shakespeare recipe (a 2 x 384 LSTM over characters, Adam, batches of 64
streams of 100 characters, truncated back-propagation carrying the state, gradients clipped at norm
5): the recipe of Karpathy's char-rnn, sized so that 30 minutes on one CPU thread are several passes
over the 1 MB file. ``max_minutes`` stops training on the clock, keeping the best weights on the
validation text; the CLI builds its flags from these fields (their ``help`` metadata).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from rnnkit.config import (
    CELL_TYPES,
    LR_SCHEDULES,
    OPTIMIZERS,
    ModelConfig,
    TrainConfig,
    check_int,
    check_number,
)
from rnnkit.config import config_field as _opt  # default + CLI help in one place

__all__ = ["GeneratorConfig"]

_MODEL_FIELDS = ("cell", "embedding_dim", "hidden_size", "num_layers", "dropout")
_TRAIN_FIELDS = ("epochs", "max_steps", "batch_size", "seq_len", "optimizer", "learning_rate", "clip_norm",
                 "lr_schedule", "lr_decay", "eval_every", "checkpoint_every", "seed", "progress", "num_threads",
                 "device", "max_minutes")


@dataclass(frozen=True)
class GeneratorConfig:
    """How to build and train a character-level generator (plain or conditioned on a label).

    Raises:
        ConfigError: a value out of range (model and training fields are checked by
            :class:`~rnnkit.config.ModelConfig` and :class:`~rnnkit.config.TrainConfig`).
    """

    valid_fraction: float = _opt(0.1, "share of the text kept for validation: the file's end (0 = none)")
    max_chars: int = _opt(0, "keep only the most frequent characters (others become <unk>); 0 keeps all")
    cell: str = _opt("lstm", "recurrent cell", CELL_TYPES)
    embedding_dim: int = _opt(64, "size of each character vector")
    hidden_size: int = _opt(384, "size of the recurrent state")
    num_layers: int = _opt(2, "stacked recurrent layers")
    dropout: float = _opt(0.1, "dropout on embeddings, between layers and before the output layer")
    epochs: int = _opt(50, "passes over the training text (max_minutes usually stops first)")
    max_steps: int = _opt(0, "stop after this many optimiser steps; 0 means no limit")
    max_minutes: float = _opt(0.0, "stop training after this many minutes (validation included); 0 = no limit")
    batch_size: int = _opt(64, "parallel character streams per step")
    seq_len: int = _opt(100, "truncated back-propagation length, in characters")
    optimizer: str = _opt("adamw", "optimiser (adamw without weight decay is Adam)", OPTIMIZERS)
    learning_rate: float = _opt(2e-3, "initial step size")
    clip_norm: float = _opt(5.0, "clip the gradient's global L2 norm to this")
    lr_schedule: str = _opt("plateau", "learning-rate schedule", LR_SCHEDULES)
    lr_decay: float = _opt(0.5, "factor applied by the plateau/step schedule")
    eval_every: int = _opt(100, "validate every N steps; 0 = once per epoch")
    checkpoint_every: int = _opt(100, "write the resumable checkpoint every N steps; 0 = at the end")
    seed: int = _opt(0, "seed for initialisation and dropout")
    progress: bool = _opt(True, "show a progress bar on stderr")
    num_threads: int = _opt(0, "torch CPU threads; 0 leaves torch's default")
    device: str = _opt("", "'cpu', 'cuda', 'cuda:N' or 'mps'; '' picks CUDA when available")

    def __post_init__(self) -> None:
        check_number("valid_fraction", self.valid_fraction, 0.0, 0.5)
        check_int("max_chars", self.max_chars, 0)
        self.model_config(vocab_size=2)  # ModelConfig and TrainConfig check their own fields
        self.train_config()

    def model_config(self, vocab_size: int) -> ModelConfig:
        """The :class:`~rnnkit.config.ModelConfig` of a language model over ``vocab_size`` ids."""
        return ModelConfig(vocab_size=vocab_size, **{name: getattr(self, name) for name in _MODEL_FIELDS})

    def train_config(self) -> TrainConfig:
        """The :class:`~rnnkit.config.TrainConfig` for the :class:`~rnnkit.training.Trainer`."""
        return TrainConfig(clip="norm", **{name: getattr(self, name) for name in _TRAIN_FIELDS})

    def to_dict(self) -> dict[str, Any]:
        """Plain data, the inverse of ``config_from_dict(GeneratorConfig, data)``."""
        return dataclasses.asdict(self)
