"""The tagger checkpoint payload: the one place in the app that spells its keys.

A tagger checkpoint is a :mod:`rnnkit.training.checkpoint` file of kind ``"tagger"``::

    "model_config": {"vocab_size": ..., "char_vocab_size": ..., "num_tags": ...},   # the network's sizes
    "vocab": {...},                                  # the word Vocabulary
    "extra": {
        "chars": {...},                              # the character Vocabulary
        "tags": ["NOUN", "ADP", ...],                # tag names, in output order
        "tagger_config": {...},                      # the TaggerConfig (shape, lower-casing, recipe)
    }

:func:`build_payload` writes it (``Tagger.save``), :func:`trainer_checkpoint_data` gives the Trainer
the same identity so its files load as taggers too, and :func:`read_payload` reads either back.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Any

from rnnkit.apps.tagger.config import CHECKPOINT_KIND, TaggerConfig
from rnnkit.apps.tagger.model import TaggerNet
from rnnkit.config import check_int, config_from_dict
from rnnkit.errors import CheckpointError, ConfigError, InputError, first_line
from rnnkit.text import Vocabulary
from rnnkit.training import build_checked_model, build_checkpoint

__all__ = ["CHECKPOINT_KIND", "TaggerParts", "build_payload", "read_payload", "trainer_checkpoint_data"]


@dataclass(frozen=True)
class TaggerParts:
    """What a tagger is made of: what training returns and a checkpoint holds.

    Raises:
        InputError: the network, vocabularies and tags do not fit together.
    """

    model: TaggerNet  # the trained network
    vocab: Vocabulary  # word vocabulary (<pad> = 0, <unk> = 1)
    chars: Vocabulary  # character vocabulary (<pad> = 0, <unk> = 1)
    tags: tuple[str, ...]  # tag names in output order
    config: TaggerConfig  # shape, lower-casing and the recipe it was trained with
    metrics: dict[str, Any] = dataclasses.field(default_factory=dict)  # training metrics

    def __post_init__(self) -> None:
        if not isinstance(self.model, TaggerNet):
            raise InputError(f"model must be a TaggerNet, got {type(self.model).__name__}")
        sizes = {"vocab_size": len(self.vocab), "char_vocab_size": len(self.chars), "num_tags": len(self.tags)}
        if self.model.sizes != sizes:
            raise InputError(f"the network's sizes {self.model.sizes} do not match the vocabularies and tags {sizes}")
        if len(set(self.tags)) != len(self.tags) or not all(isinstance(t, str) and t for t in self.tags):
            raise InputError("tags must be distinct non-empty strings")


def build_payload(parts: TaggerParts) -> dict[str, Any]:
    """The whole checkpoint payload of ``parts``, ready for :func:`~rnnkit.training.save_checkpoint`."""
    return build_checkpoint(CHECKPOINT_KIND, parts.model.state_dict(), model_config=dict(parts.model.sizes),
                            vocab=parts.vocab.to_dict(),
                            train_config=dataclasses.asdict(parts.config.train_config()), metrics=parts.metrics,
                            extra=_extra(parts))


def trainer_checkpoint_data(parts: TaggerParts) -> dict[str, Any]:
    """The Trainer's ``extra_checkpoint_data``: kind, sizes, vocabulary and extra, so its files load as taggers."""
    return {"kind": CHECKPOINT_KIND, "model_config": dict(parts.model.sizes), "vocab": parts.vocab.to_dict(),
            "extra": _extra(parts)}


def _extra(parts: TaggerParts) -> dict[str, Any]:
    return {"chars": parts.chars.to_dict(), "tags": list(parts.tags), "tagger_config": parts.config.to_dict()}


def read_payload(payload: dict[str, Any], path: str | os.PathLike) -> TaggerParts:
    """The parts of a payload from :func:`~rnnkit.training.load_checkpoint` (kind already checked).

    The network's sizes, weight shapes and dtypes are checked before it is built
    (:func:`~rnnkit.training.build_checked_model`), so a hostile file costs no more memory than its size.

    Raises:
        CheckpointError: the payload is not a usable tagger (``path`` names it).
    """
    try:
        extra = payload["extra"]
        config = config_from_dict(TaggerConfig, extra["tagger_config"])
        vocab, chars = Vocabulary.from_dict(payload["vocab"]), Vocabulary.from_dict(extra["chars"])
        tags = extra["tags"]
        if not isinstance(tags, list):
            raise InputError("tags must be a list")
        sizes = payload["model_config"]
        counts = [check_int(f"model_config {name}", sizes[name], 1, error=InputError)
                  for name in ("vocab_size", "char_vocab_size", "num_tags")]
        model = build_checked_model(path, lambda: TaggerNet(config, *counts), payload["state_dict"], sizes,
                                    extra["tagger_config"], what="tagger").eval()
        return TaggerParts(model, vocab, chars, tuple(tags), config, metrics=payload["metrics"])
    except CheckpointError:
        raise
    except (InputError, ConfigError, RuntimeError, KeyError, TypeError, ValueError) as err:
        first = first_line(err)
        raise CheckpointError(f"checkpoint {path} is not a usable tagger: {first}") from err
