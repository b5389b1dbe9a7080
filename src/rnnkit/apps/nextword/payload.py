"""The next-word checkpoint payload: the one place in the app that spells its keys.

A next-word checkpoint is a :mod:`rnnkit.training.checkpoint` file of kind ``"nextword"`` whose
``extra`` section holds what the predictor needs beyond the weights, vocabulary and configs::

    "extra": {
        "text": {"lower": ..., "corpus_format": ...},   # TextSettings: how text becomes tokens
        "truecase": {"i": "I", ...},                    # display forms of lower-cased words
        "nextword_config": {...} or {},                 # NextWordConfig it was trained with, if known
        "train_corpus": "train.txt" or "",              # the training file (evaluation's n-gram peer)
    }

:func:`build_payload` writes it (``NextWordPredictor.save``), :func:`trainer_checkpoint_data` gives
the Trainer the same identity so its resumable files load as predictors too, and
:func:`read_payload` reads either back (``NextWordPredictor.load``).
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Any

from rnnkit.apps.nextword.config import NextWordConfig
from rnnkit.apps.nextword.text import TextSettings
from rnnkit.config import ModelConfig, config_from_dict
from rnnkit.errors import CheckpointError, ConfigError, InputError, first_line
from rnnkit.models import LanguageModel
from rnnkit.text import Vocabulary
from rnnkit.training import build_checked_model, build_checkpoint

__all__ = ["CHECKPOINT_KIND", "NextWordParts", "build_payload", "read_payload", "trainer_checkpoint_data"]

CHECKPOINT_KIND = "nextword"  # the "kind" of every next-word checkpoint, the Trainer's included


@dataclass(frozen=True)
class NextWordParts:
    """What a next-word predictor is made of: what training returns and a checkpoint holds.

    Raises:
        InputError: the model, vocabulary and text settings do not fit together.
    """

    model: LanguageModel  # the trained language model
    vocab: Vocabulary  # its vocabulary, with <bos>/<eos>
    text_settings: TextSettings  # how text becomes tokens
    truecase: dict[str, str] = dataclasses.field(default_factory=dict)  # display forms ("i" -> "I")
    config: NextWordConfig | None = None  # the configuration it was trained with, if known
    metrics: dict[str, Any] = dataclasses.field(default_factory=dict)  # training metrics
    train_corpus: str = ""  # the training file as given ("" for a list of texts)

    def __post_init__(self) -> None:
        if not isinstance(self.model, LanguageModel):
            raise InputError(f"model must be a LanguageModel, got {type(self.model).__name__}")
        if not isinstance(self.vocab, Vocabulary) or not self.vocab.has_bos_eos:
            raise InputError("vocab must be a Vocabulary built with add_bos_eos=True (sentence ends are <eos>)")
        if not isinstance(self.text_settings, TextSettings):
            raise InputError(f"text_settings must be a TextSettings, got {type(self.text_settings).__name__}")
        if self.model.config.vocab_size != len(self.vocab):
            raise InputError(f"the model has {self.model.config.vocab_size} ids but the vocabulary {len(self.vocab)}")


def build_payload(parts: NextWordParts) -> dict[str, Any]:
    """The whole checkpoint payload of ``parts``, ready for :func:`~rnnkit.training.save_checkpoint`."""
    train_config = parts.config.train_config() if parts.config else None
    return build_checkpoint(
        CHECKPOINT_KIND, parts.model.state_dict(), model_config=dataclasses.asdict(parts.model.config),
        vocab=parts.vocab.to_dict(), train_config=dataclasses.asdict(train_config) if train_config else {},
        metrics=parts.metrics, extra=_extra(parts))


def trainer_checkpoint_data(parts: NextWordParts) -> dict[str, Any]:
    """The Trainer's ``extra_checkpoint_data``: kind, vocabulary and extra, so its files load as predictors."""
    return {"kind": CHECKPOINT_KIND, "vocab": parts.vocab.to_dict(), "extra": _extra(parts)}


def _extra(parts: NextWordParts) -> dict[str, Any]:
    return {"text": parts.text_settings.to_dict(), "truecase": parts.truecase,
            "nextword_config": parts.config.to_dict() if parts.config else {}, "train_corpus": parts.train_corpus}


def read_payload(payload: dict[str, Any], path: str | os.PathLike) -> NextWordParts:
    """The parts of a payload from :func:`~rnnkit.training.load_checkpoint` (kind already checked).

    The model's sizes, weight shapes and dtypes are checked before it is built
    (:func:`~rnnkit.training.build_checked_model`), so a hostile file costs no more memory than its size.

    Raises:
        CheckpointError: the payload is not a usable next-word model (``path`` names it).
    """
    extra = payload["extra"]
    try:
        model_config = config_from_dict(ModelConfig, payload["model_config"])
        model = build_checked_model(path, lambda: LanguageModel(model_config), payload["state_dict"],
                                    payload["model_config"], what="next-word model")
        vocab = Vocabulary.from_dict(payload["vocab"])
        truecase = extra.get("truecase", {})
        if not isinstance(truecase, dict) or not all(isinstance(v, str) for v in truecase.values()):
            raise InputError("truecase must map str to str")
        config_data = extra.get("nextword_config") or None
        return NextWordParts(model, vocab, TextSettings.from_dict(extra.get("text")), truecase=truecase,
                             config=config_from_dict(NextWordConfig, config_data) if config_data else None,
                             metrics=payload["metrics"], train_corpus=str(extra.get("train_corpus", "")))
    except (InputError, ConfigError, RuntimeError, KeyError, TypeError) as err:
        first = first_line(err)
        raise CheckpointError(f"checkpoint {path} is not a usable next-word model: {first}") from err
