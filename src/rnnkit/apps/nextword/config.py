"""The next-word predictor's configuration and its two presets (``small`` and ``medium``).

Both presets follow Zaremba, Sutskever & Vinyals (2014), "Recurrent Neural Network Regularization",
on the Penn Treebank: SGD at learning rate 1, gradients clipped at norm 5, batch 20, every weight
uniform in [-r, r]. Their loss is summed over the unrolled steps (and averaged over the batch);
rnnkit's is the mean over every token, whose gradient is ``seq_len`` times smaller, so the same
recipe here is learning rate ``1 * seq_len`` and clip norm ``5 / seq_len`` (small: 20 and 0.25, the
values pytorch/examples' word_language_model uses; medium: 35 and 5/35).
They report test perplexity 114.5 for ``small`` (their non-regularised 2 x 200
LSTM, 13 epochs, unrolled 20 steps) and 82.7 for ``medium`` (2 x 650, dropout 0.5, 39 epochs, 35
steps). One difference: they decay the rate on a fixed timetable (x0.5 per epoch after epoch 4 for
small, /1.2 after epoch 6 for medium); rnnkit's ``plateau`` schedule applies the same factor after
each validation that does not improve, which needs no timetable but needs ``--valid`` data to decay.

A field left at None takes its value from the preset, so ``NextWordConfig(preset="medium",
epochs=3)`` is the medium recipe for three epochs; each default lives in :data:`NEXTWORD_PRESETS`
or on its field, and the CLI builds its flags from these fields (their ``help`` metadata).
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
    check_bool,
    check_choice,
    check_int,
    check_number,
)
from rnnkit.config import config_field as _opt  # default + CLI help in one place

__all__ = ["CORPUS_FORMATS", "DEFAULT_NGRAM_ORDER", "NEXTWORD_PRESETS", "SUGGESTIONS_SHOWN", "NextWordConfig"]

CORPUS_FORMATS = ("text", "ptb")  # plain text (one sentence per line) or Mikolov's PTB files
SUGGESTIONS_SHOWN = 3  # suggestions a keyboard shows at once (the keystroke-savings rule of evaluation)
DEFAULT_NGRAM_ORDER = 5  # the Kneser-Ney peer in evaluation: KN5, the usual n-gram baseline on PTB

NEXTWORD_PRESETS: dict[str, dict[str, Any]] = {
    "small": {  # Zaremba et al. 2014, non-regularised LSTM: 114.5 test perplexity on PTB
        "embedding_dim": 200, "hidden_size": 200, "num_layers": 2, "dropout": 0.0, "init_range": 0.1,
        "epochs": 13, "batch_size": 20, "seq_len": 20, "learning_rate": 20.0, "clip_norm": 5.0 / 20, "lr_decay": 0.5,
    },
    "medium": {  # Zaremba et al. 2014, medium regularised LSTM: 82.7 test perplexity on PTB
        "embedding_dim": 650, "hidden_size": 650, "num_layers": 2, "dropout": 0.5, "init_range": 0.05,
        "epochs": 39, "batch_size": 20, "seq_len": 35, "learning_rate": 35.0, "clip_norm": 5.0 / 35,
        "lr_decay": 1 / 1.2,
    },
}

_MODEL_FIELDS = ("cell", "embedding_dim", "hidden_size", "num_layers", "dropout", "tie_weights")
_TRAIN_FIELDS = ("epochs", "max_steps", "batch_size", "seq_len", "optimizer", "learning_rate", "clip_norm",
                 "lr_schedule", "lr_decay", "patience", "eval_every", "checkpoint_every", "checkpoint_minutes",
                 "seed", "progress", "num_threads", "device")


@dataclass(frozen=True)
class NextWordConfig:
    """How to build and train a next-word predictor: preset, text, vocabulary, model and training.

    Fields left at None take the preset's value (see :data:`NEXTWORD_PRESETS`).

    Raises:
        ConfigError: an unknown preset or corpus format, or any value out of range (the model and
            training fields are checked by :class:`~rnnkit.config.ModelConfig` and
            :class:`~rnnkit.config.TrainConfig`).
    """

    preset: str = _opt("small", "recipe that fills every field left unset", tuple(NEXTWORD_PRESETS))
    corpus_format: str = _opt("text", "corpus format: plain text, one sentence per line, or PTB", CORPUS_FORMATS)
    lower: bool = _opt(True, "lower-case the text (PTB files are already lower-case and keep their 'N')")
    max_words: int = _opt(10_000, "keep the most frequent words, specials not counted; 0 keeps every word")
    min_freq: int = _opt(1, "keep only words seen at least this many times")
    shuffle_lines: bool = _opt(True, "shuffle plain-text training lines once (seeded) before reading them as one "
                                     "stream, so a sorted file does not teach one kind of text at a time")
    cell: str = _opt("lstm", "recurrent cell", CELL_TYPES)
    embedding_dim: int | None = _opt(None, "size of each word vector")
    hidden_size: int | None = _opt(None, "size of the recurrent state")
    num_layers: int | None = _opt(None, "stacked recurrent layers")
    dropout: float | None = _opt(None, "dropout on embeddings, between layers and before the output layer")
    tie_weights: bool = _opt(False, "share the embedding matrix with the output layer (needs embedding_dim == "
                                    "hidden_size)")
    init_range: float | None = _opt(None, "every weight starts uniform in [-r, r]; 0 keeps torch's init")
    epochs: int | None = _opt(None, "passes over the training text")
    max_steps: int = _opt(0, "stop after this many optimiser steps; 0 means no limit")
    batch_size: int | None = _opt(None, "parallel token streams per step")
    seq_len: int | None = _opt(None, "truncated back-propagation length")
    optimizer: str = _opt("sgd", "optimiser", OPTIMIZERS)
    learning_rate: float | None = _opt(None, "initial step size")
    clip_norm: float | None = _opt(None, "clip the gradient's global L2 norm to this")
    lr_schedule: str = _opt("plateau", "learning-rate schedule", LR_SCHEDULES)
    lr_decay: float | None = _opt(None, "factor applied by the plateau/step schedule")
    patience: int = _opt(0, "stop after this many validations without improvement; 0 = off")
    eval_every: int = _opt(0, "validate every N steps; 0 = once per epoch")
    checkpoint_every: int = _opt(0, "also write the resumable checkpoint every N steps; 0 = by time only")
    checkpoint_minutes: float = _opt(5.0, "write the resumable checkpoint every this many minutes; 0 = off")
    seed: int = _opt(0, "seed for initialisation and dropout")
    progress: bool = _opt(True, "show a progress bar on stderr")
    num_threads: int = _opt(0, "torch CPU threads; 0 leaves torch's default")
    device: str = _opt("", "'cpu', 'cuda', 'cuda:N' or 'mps'; '' picks CUDA when available")

    def __post_init__(self) -> None:
        check_choice("preset", self.preset, tuple(NEXTWORD_PRESETS))
        for name, value in NEXTWORD_PRESETS[self.preset].items():
            if getattr(self, name) is None:
                object.__setattr__(self, name, value)
        check_choice("corpus_format", self.corpus_format, CORPUS_FORMATS)
        for name in ("lower", "tie_weights", "progress"):
            check_bool(name, getattr(self, name))
        check_int("max_words", self.max_words, 0)
        check_int("min_freq", self.min_freq, 1)
        check_number("init_range", self.init_range, 0)
        self.model_config(vocab_size=2)  # ModelConfig and TrainConfig check their own fields
        self.train_config()

    def model_config(self, vocab_size: int) -> ModelConfig:
        """The :class:`~rnnkit.config.ModelConfig` of a language model over ``vocab_size`` ids."""
        return ModelConfig(vocab_size=vocab_size, **{name: getattr(self, name) for name in _MODEL_FIELDS})

    def train_config(self) -> TrainConfig:
        """The :class:`~rnnkit.config.TrainConfig` for the :class:`~rnnkit.training.Trainer`."""
        return TrainConfig(clip="norm", **{name: getattr(self, name) for name in _TRAIN_FIELDS})

    def to_dict(self) -> dict[str, Any]:
        """Plain data, the inverse of ``config_from_dict(NextWordConfig, data)``."""
        return dataclasses.asdict(self)
