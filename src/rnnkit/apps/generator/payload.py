"""The generator checkpoint payload: the one place in the app that spells its keys.

A generator checkpoint is a :mod:`rnnkit.training.checkpoint` file of kind ``"generator"`` holding a
character :class:`~rnnkit.models.LanguageModel` (a :class:`~.model.LabelledLanguageModel` when it has
labels), its character vocabulary, and in ``extra``::

    "extra": {
        "labels": ["Negative", "Positive", ...] or [],   # a conditioned model's labels (marker tokens)
        "generator_config": {...} or {},                 # GeneratorConfig it was trained with, if known
        "train_data": "input.txt" or "",                 # what it was trained on, as given
    }

:func:`build_payload` writes it, :func:`trainer_checkpoint_data` gives the Trainer the same identity so
its resumable files load as generators too, and :func:`read_payload` reads either back.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Any

from rnnkit.apps.generator.config import GeneratorConfig
from rnnkit.apps.generator.model import LabelledLanguageModel
from rnnkit.apps.generator.text import label_token
from rnnkit.config import ModelConfig, config_from_dict
from rnnkit.errors import CheckpointError, ConfigError, InputError, first_line
from rnnkit.models import LanguageModel
from rnnkit.text import Vocabulary
from rnnkit.training import build_checked_model, build_checkpoint

__all__ = ["CHECKPOINT_KIND", "GeneratorParts", "build_payload", "read_payload", "trainer_checkpoint_data"]

CHECKPOINT_KIND = "generator"  # the "kind" of every generator checkpoint, the Trainer's included


@dataclass(frozen=True)
class GeneratorParts:
    """What a generator is made of: what training returns and a checkpoint holds.

    Raises:
        InputError: the model, vocabulary and labels do not fit together.
    """

    model: LanguageModel  # the trained character language model
    vocab: Vocabulary  # characters (and label markers), with <bos>/<eos>
    labels: tuple[str, ...] = ()  # a conditioned model's labels; () for a plain one
    config: GeneratorConfig | None = None  # the configuration it was trained with, if known
    metrics: dict[str, Any] = dataclasses.field(default_factory=dict)  # training metrics
    train_data: str = ""  # the training file or source, as given

    def __post_init__(self) -> None:
        if not isinstance(self.model, LanguageModel):
            raise InputError(f"model must be a LanguageModel, got {type(self.model).__name__}")
        if not isinstance(self.vocab, Vocabulary) or not self.vocab.has_bos_eos:
            raise InputError("vocab must be a Vocabulary built with add_bos_eos=True")
        if self.model.config.vocab_size != len(self.vocab):
            raise InputError(f"the model has {self.model.config.vocab_size} ids but the vocabulary {len(self.vocab)}")
        if isinstance(self.model, LabelledLanguageModel) != bool(self.labels) or (
                self.labels and self.model.num_labels != len(self.labels)):
            raise InputError(f"a model with {len(self.labels)} labels must be a LabelledLanguageModel over as many")
        missing = [label for label in self.labels if label_token(label) not in self.vocab]
        if missing:
            raise InputError(f"the vocabulary has no marker for label(s) {', '.join(missing)}")


def build_payload(parts: GeneratorParts) -> dict[str, Any]:
    """The whole checkpoint payload of ``parts``, ready for :func:`~rnnkit.training.save_checkpoint`."""
    train_config = parts.config.train_config() if parts.config else None
    return build_checkpoint(
        CHECKPOINT_KIND, parts.model.state_dict(), model_config=dataclasses.asdict(parts.model.config),
        vocab=parts.vocab.to_dict(), train_config=dataclasses.asdict(train_config) if train_config else {},
        metrics=parts.metrics, extra=_extra(parts))


def trainer_checkpoint_data(parts: GeneratorParts) -> dict[str, Any]:
    """The Trainer's ``extra_checkpoint_data``: kind, vocabulary and extra, so its files load as generators."""
    return {"kind": CHECKPOINT_KIND, "vocab": parts.vocab.to_dict(), "extra": _extra(parts)}


def _extra(parts: GeneratorParts) -> dict[str, Any]:
    return {"labels": list(parts.labels), "generator_config": parts.config.to_dict() if parts.config else {},
            "train_data": parts.train_data}


def read_payload(payload: dict[str, Any], path: str | os.PathLike) -> GeneratorParts:
    """The parts of a payload from :func:`~rnnkit.training.load_checkpoint` (kind already checked).

    Raises:
        CheckpointError: the payload is not a usable generator (``path`` names it).
    """
    extra = payload["extra"]
    try:
        vocab = Vocabulary.from_dict(payload["vocab"])
        labels = extra.get("labels", [])
        if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
            raise InputError("labels must be a list of str")
        model_config = config_from_dict(ModelConfig, payload["model_config"])
        model = build_checked_model(  # sizes, shapes and dtypes checked before anything is allocated
            path, lambda: LabelledLanguageModel(model_config, len(labels)) if labels else LanguageModel(model_config),
            payload["state_dict"], payload["model_config"], what="generator")
        config_data = extra.get("generator_config") or None
        return GeneratorParts(model, vocab, tuple(labels),
                              config=config_from_dict(GeneratorConfig, config_data) if config_data else None,
                              metrics=payload["metrics"], train_data=str(extra.get("train_data", "")))
    except (InputError, ConfigError, RuntimeError, KeyError, TypeError) as err:
        first = first_line(err)
        raise CheckpointError(f"checkpoint {path} is not a usable generator: {first}") from err
