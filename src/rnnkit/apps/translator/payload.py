"""The translator checkpoint payload: the one place in the app that spells its keys.

A translator checkpoint is a :mod:`rnnkit.training.checkpoint` file of kind ``"translator"``::

    "vocab": {"source": {...}, "target": {...}},   # English and French Vocabulary.to_dict()
    "model_config": {...},                         # the Seq2Seq's ModelConfig
    "extra": {
        "translator_config": {...} or {},          # TranslatorConfig it was trained with, if known
        "train_data": "fra.txt" or "",             # the pairs file it was trained on, as given
        "weights_dtype": "float32" | "float16",    # how the weights are stored (loading casts to float32)
    }

:func:`build_payload` writes it (``Translator.save``), :func:`trainer_checkpoint_data` gives the
Trainer the same identity so its resumable files load as translators too, and :func:`read_payload`
reads either back (``Translator.load``). Any other kind of checkpoint is refused by
:func:`~rnnkit.training.load_checkpoint` in one line.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Any

import torch

from rnnkit.apps.translator.config import TranslatorConfig
from rnnkit.config import ModelConfig, config_from_dict
from rnnkit.errors import CheckpointError, ConfigError, InputError, first_line
from rnnkit.models import Seq2Seq
from rnnkit.text import Vocabulary
from rnnkit.training import build_checked_model, build_checkpoint

__all__ = ["CHECKPOINT_KIND", "TranslatorParts", "build_payload", "read_payload", "trainer_checkpoint_data"]

CHECKPOINT_KIND = "translator"  # the "kind" of every translator checkpoint, the Trainer's included
WEIGHT_DTYPES = {"float32": torch.float32, "float16": torch.float16}


@dataclass(frozen=True)
class TranslatorParts:
    """What a translator is made of: what training returns and a checkpoint holds.

    Raises:
        InputError: the model and the vocabularies do not fit together.
    """

    model: Seq2Seq  # the encoder-decoder
    source_vocab: Vocabulary  # English words
    target_vocab: Vocabulary  # French words, with <bos>/<eos>
    config: TranslatorConfig | None = None  # the configuration it was trained with, if known
    metrics: dict[str, Any] = dataclasses.field(default_factory=dict)  # training metrics
    train_data: str = ""  # the pairs file as given ("" for a list of pairs)

    def __post_init__(self) -> None:
        if not isinstance(self.model, Seq2Seq):
            raise InputError(f"model must be a Seq2Seq, got {type(self.model).__name__}")
        if not isinstance(self.source_vocab, Vocabulary) or not isinstance(self.target_vocab, Vocabulary):
            raise InputError("source_vocab and target_vocab must be Vocabulary objects")
        if not self.target_vocab.has_bos_eos:
            raise InputError("target_vocab must be built with add_bos_eos=True")
        if self.model.config.vocab_size != len(self.source_vocab):
            raise InputError(f"the model reads {self.model.config.vocab_size} ids but the source vocabulary "
                             f"has {len(self.source_vocab)}")
        if self.model.target_vocab_size != len(self.target_vocab):
            raise InputError(f"the model writes {self.model.target_vocab_size} ids but the target vocabulary "
                             f"has {len(self.target_vocab)}")


def build_payload(parts: TranslatorParts, *, weights_dtype: str = "float32") -> dict[str, Any]:
    """The whole checkpoint payload of ``parts``; ``weights_dtype="float16"`` halves the file.

    Raises:
        InputError: ``weights_dtype`` is not float32 or float16.
    """
    if weights_dtype not in WEIGHT_DTYPES:
        raise InputError(f"weights_dtype must be one of {', '.join(WEIGHT_DTYPES)}, got {weights_dtype!r}")
    state = {k: v.to(WEIGHT_DTYPES[weights_dtype]) if v.is_floating_point() else v
             for k, v in parts.model.state_dict().items()}
    train_config = parts.config.train_config() if parts.config else None
    return build_checkpoint(
        CHECKPOINT_KIND, state, model_config=dataclasses.asdict(parts.model.config), vocab=_vocab(parts),
        train_config=dataclasses.asdict(train_config) if train_config else {}, metrics=parts.metrics,
        extra=_extra(parts, weights_dtype))


def trainer_checkpoint_data(parts: TranslatorParts) -> dict[str, Any]:
    """The Trainer's ``extra_checkpoint_data``: kind, vocabularies and extra, so its files load as translators."""
    return {"kind": CHECKPOINT_KIND, "vocab": _vocab(parts), "extra": _extra(parts, "float32")}


def _vocab(parts: TranslatorParts) -> dict[str, Any]:
    return {"source": parts.source_vocab.to_dict(), "target": parts.target_vocab.to_dict()}


def _extra(parts: TranslatorParts, weights_dtype: str) -> dict[str, Any]:
    return {"translator_config": parts.config.to_dict() if parts.config else {}, "train_data": parts.train_data,
            "weights_dtype": weights_dtype}


def read_payload(payload: dict[str, Any], path: str | os.PathLike) -> TranslatorParts:
    """The parts of a payload from :func:`~rnnkit.training.load_checkpoint` (kind already checked).

    Raises:
        CheckpointError: the payload is not a usable translator (``path`` names it).
    """
    try:
        extra, vocab = payload["extra"], payload["vocab"]
        model_config = config_from_dict(ModelConfig, payload["model_config"])
        weights = {k: v.float() if v.dtype == torch.float16 else v for k, v in payload["state_dict"].items()}
        model = build_checked_model(path, lambda: Seq2Seq(model_config), weights, payload["model_config"],
                                    extra.get("translator_config") or {}, what="translator")
        config_data = extra.get("translator_config") or None
        return TranslatorParts(
            model.eval(), Vocabulary.from_dict(vocab["source"]), Vocabulary.from_dict(vocab["target"]),
            config=config_from_dict(TranslatorConfig, config_data) if config_data else None,
            metrics=payload["metrics"], train_data=str(extra.get("train_data", "")))
    except (InputError, ConfigError, RuntimeError, KeyError, TypeError, AttributeError) as err:
        first = first_line(err)
        raise CheckpointError(f"checkpoint {path} is not a usable translator: {first}") from err
