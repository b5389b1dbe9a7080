"""Build a model from its kind name and a :class:`~rnnkit.config.ModelConfig` (what a checkpoint stores)."""

from __future__ import annotations

from torch import nn

from rnnkit.config import ModelConfig
from rnnkit.errors import ConfigError
from rnnkit.models.classifier import Classifier
from rnnkit.models.feedforward import FeedForward
from rnnkit.models.generator import Generator
from rnnkit.models.language_model import LanguageModel
from rnnkit.models.seq2seq import Seq2Seq

__all__ = ["MODEL_KINDS", "build_model", "model_kind"]

_MODELS: dict[str, type[nn.Module]] = {
    cls.kind: cls for cls in (Classifier, FeedForward, Generator, LanguageModel, Seq2Seq)
}
MODEL_KINDS = tuple(sorted(_MODELS))  # "classifier", "feedforward", "generator", "language_model", "seq2seq"


def build_model(kind: str, config: ModelConfig) -> nn.Module:
    """A freshly initialised model of ``kind`` shaped by ``config``.

    Args:
        kind: one of :data:`MODEL_KINDS`.
        config: the model's configuration.

    Returns:
        The model, with ``model.config is config`` and ``model.kind == kind``.

    Raises:
        ConfigError: ``kind`` is unknown, ``config`` is not a ModelConfig, or the model rejects it.
    """
    if kind not in _MODELS:
        raise ConfigError(f"unknown model kind {kind!r}; choose one of {', '.join(MODEL_KINDS)}")
    if not isinstance(config, ModelConfig):
        raise ConfigError(f"config must be a ModelConfig, got {type(config).__name__}")
    return _MODELS[kind](config)


def model_kind(model: nn.Module) -> str:
    """The kind name of a model built by :func:`build_model` (to store beside its config).

    Raises:
        ConfigError: ``model`` is not one of rnnkit's models.
    """
    kind = getattr(type(model), "kind", None)
    if _MODELS.get(kind) is not type(model):
        raise ConfigError(f"{type(model).__name__} is not an rnnkit model; expected one of {', '.join(MODEL_KINDS)}")
    return kind
