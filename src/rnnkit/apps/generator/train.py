"""Training a generator: characters in, the Trainer's language-model task, a clock that stops it.

A plain model reads the training text as one stream of characters; the validation text is the file's
last ``valid_fraction``. A conditioned model reads labelled examples, shuffled once (seeded, since
review files come sorted by label), the last ``valid_fraction`` of them kept for validation, each
example as ``<Label> text <eos>`` in its label's block of ids (see :mod:`.text`), read by a
:class:`~.model.LabelledLanguageModel`. Both train with truncated back-propagation that carries the
state between batches (:class:`~rnnkit.training.LanguageModelTask`); the Trainer keeps the weights that
scored best on the validation text, and its checkpoints load as generators.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import torch

from rnnkit.apps.generator.config import GeneratorConfig
from rnnkit.apps.generator.model import LabelledLanguageModel, LabelledStreamTask
from rnnkit.apps.generator.payload import CHECKPOINT_KIND, GeneratorParts, read_payload, trainer_checkpoint_data
from rnnkit.apps.generator.text import build_char_vocab, encode_chars, labelled_stream, split_validation
from rnnkit.errors import CheckpointError, ConfigError, InputError
from rnnkit.models import LanguageModel
from rnnkit.training import LanguageModelTask, Trainer, load_checkpoint

__all__ = ["train_parts"]

Labelled = tuple[Sequence[str], Sequence[str]]  # (texts, labels) of a conditioned model


def train_parts(data: str | Labelled, config: GeneratorConfig, *, train_data: str = "",
                checkpoint_path: str | os.PathLike | None = None, resume_from: str | os.PathLike | None = None,
                callbacks: Iterable[Any] = ()) -> GeneratorParts:
    """Build the character vocabulary and model from ``data`` and train; what a generator is made of.

    Args:
        data: the whole text (a plain model), or ``(texts, labels)`` (a model conditioned on labels).
        config: the model and training settings.
        train_data: where ``data`` came from, recorded in the checkpoint.
        checkpoint_path: the Trainer's resumable checkpoint (the best one goes beside it).
        resume_from: go on from this resumable checkpoint.
        callbacks: more Trainer callbacks (a progress bar is added when ``config.progress``).

    Raises:
        ConfigError: ``config`` is not a GeneratorConfig.
        InputError: empty or unusable data, or too little text for one batch.
        CheckpointError: ``resume_from`` is unreadable or was trained with another vocabulary.
        TrainingError: the loss became NaN or infinite.
    """
    if not isinstance(config, GeneratorConfig):
        raise ConfigError(f"config must be a GeneratorConfig, got {type(config).__name__}")
    if isinstance(data, str):
        labels: tuple[str, ...] = ()
        train_text, val_text = split_validation(data, config.valid_fraction)
        vocab = build_char_vocab([train_text], max_chars=config.max_chars)
        stream, val_stream = encode_chars(train_text, vocab), encode_chars(val_text, vocab)
    else:
        texts, names = _check_labelled(data)
        labels = tuple(sorted(set(names)))
        order = np.random.default_rng(config.seed).permutation(len(texts))
        cut = len(texts) - int(len(texts) * config.valid_fraction)
        train, val = order[:cut], order[cut:]
        vocab = build_char_vocab([texts[i] for i in train], labels, max_chars=config.max_chars)
        stream = labelled_stream([texts[i] for i in train], [names[i] for i in train], vocab, labels)
        val_stream = labelled_stream([texts[i] for i in val], [names[i] for i in val], vocab, labels)
    if resume_from is not None and _resumed(resume_from).vocab != vocab:
        raise CheckpointError(f"checkpoint {resume_from} was trained with another vocabulary; resume with the "
                              "same data and settings")
    torch.manual_seed(config.seed)
    model_config = config.model_config(len(vocab))
    model = LabelledLanguageModel(model_config, len(labels)) if labels else LanguageModel(model_config)
    task = LabelledStreamTask(len(vocab)) if labels else LanguageModelTask()
    parts = GeneratorParts(model, vocab, labels, config=config, train_data=train_data)
    trainer = Trainer(model, config.train_config(), task,
                      callbacks=list(callbacks), checkpoint_path=checkpoint_path,
                      extra_checkpoint_data=trainer_checkpoint_data(parts))
    result = trainer.fit(stream, val_stream if len(val_stream) > 1 else None, resume_from=resume_from)
    best = result.best_metric
    metrics = {"train_chars": len(stream) - 1, "steps": result.steps, "epochs": result.epochs,
               "val_nats_per_char": math.log(best) if best else None, "best_step": result.best_step,
               "chars_per_sec": result.tokens_per_sec, "elapsed_s": result.elapsed}
    return dataclasses.replace(parts, model=model.to("cpu"), metrics=metrics)


def _check_labelled(data: Any) -> tuple[list[str], list[str]]:
    """``(texts, labels)`` as two lists of non-empty str of the same length, or InputError."""
    if not isinstance(data, tuple | list) or len(data) != 2:
        raise InputError(f"data must be a text or a pair (texts, labels), got {type(data).__name__}")
    texts, labels = list(data[0]), list(data[1])
    if len(texts) != len(labels):
        raise InputError(f"{len(texts)} texts but {len(labels)} labels; they must match")
    if not texts or not all(isinstance(t, str) and t for t in texts):
        raise InputError("texts must be a non-empty list of non-empty str")
    if not all(isinstance(label, str) and label and label.isprintable() for label in labels):
        raise InputError("labels must be non-empty printable str")
    return texts, labels


def _resumed(path: str | os.PathLike) -> GeneratorParts:
    """The parts of a resumable checkpoint, read to check that it fits before training starts."""
    return read_payload(load_checkpoint(path, kind=CHECKPOINT_KIND), path)
