"""Frozen configuration dataclasses shared by the text, model and training layers.

Each field carries a comment saying what its default means; values are checked in
``__post_init__`` and a bad one raises :class:`~rnnkit.errors.ConfigError` naming it.
The CLI builds its flags from these fields, so each default lives here only.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from typing import Any

from rnnkit.errors import ConfigError

__all__ = [
    "CELL_TYPES",
    "ModelConfig",
    "TrainConfig",
    "check_bool",
    "check_choice",
    "check_int",
    "check_number",
    "config_field",
    "config_from_dict",
]

CELL_TYPES = ("rnn", "lstm", "gru")
OPTIMIZERS = ("sgd", "adamw")
CLIP_MODES = ("norm", "value", "none")
LR_SCHEDULES = ("constant", "plateau", "cosine", "step")
POOLING = ("last", "mean", "max")


def config_field(default: Any, help_text: str, choices: tuple[str, ...] | None = None) -> Any:
    """A dataclass field whose default and help text live together (the CLI builds a flag from both)."""
    return field(default=default, metadata={"help": help_text, "choices": choices})


def check_int(name: str, value: Any, minimum: int, maximum: int | None = None, *,
              error: type[Exception] = ConfigError) -> int:
    """``value`` if it is an integer (not a bool) in [minimum, maximum], else ``error`` naming it.

    ``error`` is :class:`ConfigError` for config fields, :class:`~rnnkit.errors.InputError` for arguments.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum or (
            maximum is not None and value > maximum):
        bound = f">= {minimum}" + (f" and <= {maximum}" if maximum is not None else "")
        raise error(f"{name} must be an integer {bound}, got {value!r}")
    return value


def check_number(name: str, value: Any, low: float, high: float | None = None, *, low_inclusive: bool = True,
                 error: type[Exception] = ConfigError) -> float:
    """``value`` if it is a finite number (not a bool) >= ``low`` (> when not ``low_inclusive``) and <= ``high``."""
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if ok:
        ok = value >= low if low_inclusive else value > low
        ok = ok and (high is None or value <= high)
    if not ok:
        bound = f"{'>=' if low_inclusive else '>'} {low}" + (f" and <= {high}" if high is not None else "")
        raise error(f"{name} must be a number {bound}, got {value!r}")
    return value


def check_choice(name: str, value: Any, choices: tuple[str, ...], *, error: type[Exception] = ConfigError) -> Any:
    """``value`` if it is one of ``choices``, else ``error``: "cell must be one of rnn, lstm, gru; got 'x'"."""
    if value not in choices:
        raise error(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value


def check_bool(name: str, value: Any, *, error: type[Exception] = ConfigError) -> bool:
    """``value`` if it is True or False (not 1 or "yes"), else ``error``."""
    if not isinstance(value, bool):
        raise error(f"{name} must be True or False, got {value!r}")
    return value


@dataclass(frozen=True)
class ModelConfig:
    """Shape of a recurrent model; one style for every model in :mod:`rnnkit.models`."""

    vocab_size: int = 10_000  # number of input token ids (embedding rows), <pad>=0 and <unk>=1 included
    cell: str = "lstm"  # recurrent cell: "rnn", "lstm" or "gru"
    embedding_dim: int = 200  # size of each learned token vector
    hidden_size: int = 200  # size of the recurrent state per direction
    num_layers: int = 2  # stacked recurrent layers
    dropout: float = 0.0  # dropout on embeddings, between layers and before the output layer
    bidirectional: bool = False  # also read the sequence right to left (classifiers, encoders)
    nonlinearity: str = "tanh"  # activation of the plain "rnn" cell: "tanh" or "relu"
    num_classes: int = 2  # output classes of a classifier (ignored by language models)
    output_size: int = 0  # output vocabulary of generators/seq2seq; 0 means "same as vocab_size"
    tie_weights: bool = False  # language model: share the embedding matrix with the output layer
    pooling: str = "last"  # classifier: "last" state, or "mean"/"max" over the true tokens
    input_dim: int = 0  # generator: size of the input vector it starts from; 0 means "same as hidden_size"
    attention: bool = False  # seq2seq: let the decoder look at every encoder output (Luong et al. 2015)

    def __post_init__(self) -> None:
        check_int("vocab_size", self.vocab_size, 2)
        check_choice("cell", self.cell, CELL_TYPES)
        check_int("embedding_dim", self.embedding_dim, 1)
        check_int("hidden_size", self.hidden_size, 1)
        check_int("num_layers", self.num_layers, 1)
        check_number("dropout", self.dropout, 0.0, 1.0)
        if self.dropout >= 1.0:
            raise ConfigError(f"dropout must be below 1.0, got {self.dropout!r}")
        check_choice("nonlinearity", self.nonlinearity, ("tanh", "relu"))
        check_int("num_classes", self.num_classes, 2)
        check_int("output_size", self.output_size, 0)
        check_choice("pooling", self.pooling, POOLING)
        check_int("input_dim", self.input_dim, 0)
        check_bool("attention", self.attention)
        if self.tie_weights and self.embedding_dim != self.hidden_size * (2 if self.bidirectional else 1):
            raise ConfigError(
                f"tie_weights needs embedding_dim == hidden_size, got {self.embedding_dim} and {self.hidden_size}"
            )


@dataclass(frozen=True)
class TrainConfig:
    """How to train: optimiser, schedule, clipping, validation and checkpoints."""

    epochs: int = 1  # passes over the training data
    max_steps: int = 0  # stop after this many optimiser steps in total; 0 means no limit
    max_minutes: float = 0.0  # stop after this many minutes of training (time before a resume counts); 0 = no limit
    batch_size: int = 32  # examples (or parallel token streams for a language model) per step
    seq_len: int = 35  # truncated back-propagation length for language models (Zaremba et al. use 35)
    optimizer: str = "adamw"  # "sgd" or "adamw"
    learning_rate: float = 1e-3  # initial step size (SGD language models commonly use 1.0-20)
    momentum: float = 0.0  # SGD momentum
    weight_decay: float = 0.0  # decoupled weight decay (AdamW) / L2 (SGD)
    clip: str = "norm"  # gradient clipping: "norm" (on by default), "value" or "none"
    clip_norm: float = 5.0  # max global L2 norm of the gradient when clip="norm"
    clip_value: float = 1.0  # max absolute gradient entry when clip="value"
    lr_schedule: str = "constant"  # "constant", "plateau" (divide on stalled validation), "cosine", "step"
    lr_decay: float = 0.5  # factor for "plateau" and "step" schedules
    lr_step_epochs: int = 1  # "step" schedule: decay every this many epochs
    patience: int = 0  # early stopping after this many validations without improvement; 0 = off
    eval_every: int = 0  # validate every N steps; 0 means once per epoch
    checkpoint_every: int = 0  # also write a checkpoint every N steps; 0 = by time only (checkpoint_minutes)
    checkpoint_minutes: float = 5.0  # write the resumable checkpoint every this many minutes of training; 0 = off
    seed: int = 0  # seeds python, numpy and torch; same seed, same run
    progress: bool = True  # show a progress bar
    num_threads: int = 0  # torch CPU threads; 0 leaves torch's default
    device: str = ""  # "cpu", "cuda", "cuda:N" or "mps"; "" picks this rank's GPU when CUDA works, else the CPU

    def __post_init__(self) -> None:
        check_int("epochs", self.epochs, 1)
        check_int("max_steps", self.max_steps, 0)
        check_number("max_minutes", self.max_minutes, 0.0)
        check_int("batch_size", self.batch_size, 1)
        check_int("seq_len", self.seq_len, 1)
        check_choice("optimizer", self.optimizer, OPTIMIZERS)
        check_number("learning_rate", self.learning_rate, 0.0, low_inclusive=False)
        check_number("momentum", self.momentum, 0.0, 1.0)
        check_number("weight_decay", self.weight_decay, 0.0)
        check_choice("clip", self.clip, CLIP_MODES)
        check_number("clip_norm", self.clip_norm, 0.0, low_inclusive=False)
        check_number("clip_value", self.clip_value, 0.0, low_inclusive=False)
        check_choice("lr_schedule", self.lr_schedule, LR_SCHEDULES)
        check_number("lr_decay", self.lr_decay, 0.0, 1.0, low_inclusive=False)
        check_int("lr_step_epochs", self.lr_step_epochs, 1)
        check_int("patience", self.patience, 0)
        check_int("eval_every", self.eval_every, 0)
        check_int("checkpoint_every", self.checkpoint_every, 0)
        check_number("checkpoint_minutes", self.checkpoint_minutes, 0.0)
        check_int("seed", self.seed, 0)
        check_int("num_threads", self.num_threads, 0)
        if not isinstance(self.device, str) or not re.fullmatch(r"(cpu|cuda(:\d+)?|mps)?", self.device):
            raise ConfigError(f"device must be '', 'cpu', 'cuda', 'cuda:N' or 'mps', got {self.device!r}")


def config_from_dict(cls: type, data: Any) -> Any:
    """Build config ``cls`` from a plain dict (e.g. read from a checkpoint), rejecting unknown keys.

    Raises:
        ConfigError: ``data`` is not a dict, has unknown keys or bad values.
    """
    if not isinstance(data, dict):
        raise ConfigError(f"{cls.__name__} must be built from a dict, got {type(data).__name__}")
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"unknown {cls.__name__} field(s): {', '.join(unknown)}")
    try:
        return cls(**data)
    except TypeError as err:
        raise ConfigError(f"cannot build {cls.__name__}: {err}") from err
