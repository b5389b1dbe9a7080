"""Training a translator: read the pairs, split them, build both vocabularies, run the Trainer.

A pairs file (``English<TAB>French``, manythings.org's Tatoeba format) is split by distinct English
sentence (:func:`rnnkit.data.tatoeba.split_pairs`); training reads the ``train`` part and validates
on ``valid``, keeping the weights of the best validation perplexity. The test part is never read
here (``rnnkit eval translator`` scores it). The Trainer's checkpoints carry the translator payload
(:mod:`.payload`), so they load as translators and resume exactly.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Sequence
from typing import Any

import torch

from rnnkit.apps.translator.config import TranslatorConfig
from rnnkit.apps.translator.payload import CHECKPOINT_KIND, TranslatorParts, read_payload, trainer_checkpoint_data
from rnnkit.apps.translator.task import TranslationTask
from rnnkit.apps.translator.text import tokenize
from rnnkit.data.tatoeba import read_tatoeba_pairs, split_pairs
from rnnkit.errors import CheckpointError, ConfigError, InputError
from rnnkit.models import Seq2Seq
from rnnkit.text import Vocabulary
from rnnkit.training import Trainer, load_checkpoint

__all__ = ["Pairs", "encode_pairs", "read_pairs", "train_parts"]

Pairs = str | os.PathLike[str] | Sequence[tuple[str, str]]  # a pairs file, or (English, French) pairs


def read_pairs(source: Pairs, part: str | None, name: str) -> list[tuple[str, str]]:
    """The pairs of a file (only its ``part`` of the split when ``part`` is given), or a list of pairs as given.

    Raises:
        InputError: the file cannot be read, ``source`` is neither a path nor a list of str pairs, or no pair is left.
    """
    if isinstance(source, str | os.PathLike):
        pairs = read_tatoeba_pairs(source)
        pairs = split_pairs(pairs)[part] if part else pairs
    elif isinstance(source, list) and not source:
        pairs = []
    elif isinstance(source, list | tuple) and all(
            isinstance(p, list | tuple) and len(p) == 2 and all(isinstance(s, str) for s in p) for p in source):
        pairs = [(e, f) for e, f in source]
    else:
        raise InputError(f"{name} must be a pairs file or a list of (English, French) str pairs, "
                         f"got {type(source).__name__}")
    if not pairs:
        raise InputError(f"{name} holds no pairs" + (f" in its {part} part" if part else ""))
    return pairs


def encode_pairs(pairs: Sequence[tuple[str, str]], source_vocab: Vocabulary, target_vocab: Vocabulary,
                 max_tokens: int) -> list[tuple[list[int], list[int]]]:
    """(source ids, ``<bos>`` target ids ``<eos>``) of each pair with 1 to ``max_tokens`` tokens on both sides."""
    return _encode_tokens(_tokenize_pairs(pairs), source_vocab, target_vocab, max_tokens)


def _tokenize_pairs(pairs: Sequence[tuple[str, str]]) -> list[tuple[list[str], list[str]]]:
    return [(tokenize(english), tokenize(french)) for english, french in pairs]


def _encode_tokens(pairs: list[tuple[list[str], list[str]]], source_vocab: Vocabulary, target_vocab: Vocabulary,
                   max_tokens: int) -> list[tuple[list[int], list[int]]]:
    encoded = []
    for src, tgt in pairs:
        if 0 < len(src) <= max_tokens and 0 < len(tgt) <= max_tokens:
            encoded.append((source_vocab.encode(src),
                            [target_vocab.bos_id, *target_vocab.encode(tgt), target_vocab.eos_id]))
    return encoded


def train_parts(source: Pairs, config: TranslatorConfig, *, valid: Pairs | None = None, split: bool = True,
                checkpoint_path: str | os.PathLike | None = None, resume_from: str | os.PathLike | None = None,
                callbacks: Iterable[Any] = ()) -> TranslatorParts:
    """Build the vocabularies and the model from ``source`` and train; what a translator is made of.

    Args:
        source: a pairs file (its ``train`` part is read and ``valid`` defaults to its ``valid`` part,
            unless ``split`` is False), or a list of (English, French) pairs, all used for training.
        config: the recipe.
        valid: validation pairs (a file is read whole), or None.
        split: read only the ``train`` part of a file; False trains on every pair of it.
        checkpoint_path: the Trainer's resumable checkpoint (the best one goes beside it).
        resume_from: a checkpoint of the same data and settings to go on from.
        callbacks: extra Trainer callbacks.

    Raises:
        ConfigError: ``config`` is not a TranslatorConfig.
        InputError: unreadable or empty data.
        CheckpointError: ``resume_from`` is unreadable or was trained with other vocabularies.
        TrainingError: the loss became NaN or infinite.
    """
    if not isinstance(config, TranslatorConfig):
        raise ConfigError(f"config must be a TranslatorConfig, got {type(config).__name__}")
    is_file = isinstance(source, str | os.PathLike)
    parts_of_file = split_pairs(read_pairs(source, None, "training data")) if is_file and split else None
    if parts_of_file is not None:
        train_pairs = read_pairs(parts_of_file["train"], None, "the train part of the training data")
        valid_pairs = parts_of_file["valid"] if valid is None else read_pairs(valid, None, "validation data")
    else:
        train_pairs = read_pairs(source, None, "training data")
        valid_pairs = None if valid is None else read_pairs(valid, None, "validation data")
    train_tokens = _tokenize_pairs(train_pairs)  # once: the vocabularies and the ids both read them
    source_vocab = _vocabulary([src for src, _ in train_tokens], config, add_bos_eos=False)
    target_vocab = _vocabulary([tgt for _, tgt in train_tokens], config, add_bos_eos=True)
    train_data = _encode_tokens(train_tokens, source_vocab, target_vocab, config.max_train_tokens)
    if not train_data:
        raise InputError(f"no training pair has 1 to {config.max_train_tokens} tokens on both sides")
    val_data = None
    if valid_pairs and config.max_valid_pairs and len(valid_pairs) > config.max_valid_pairs:
        step = len(valid_pairs) / config.max_valid_pairs  # an even spread: the file is sorted by length
        valid_pairs = [valid_pairs[int(i * step)] for i in range(config.max_valid_pairs)]
    if valid_pairs:
        val_data = encode_pairs(valid_pairs, source_vocab, target_vocab, config.max_train_tokens) or None
    torch.manual_seed(config.seed)
    model = Seq2Seq(config.model_config(len(source_vocab), len(target_vocab)))
    parts = TranslatorParts(model, source_vocab, target_vocab, config=config,
                            train_data=os.fspath(source) if is_file else "")
    if resume_from is not None:
        _check_resume(resume_from, parts)
    trainer = Trainer(model, config.train_config(), TranslationTask(mixed_precision=config.mixed_precision),
                      callbacks=list(callbacks), checkpoint_path=checkpoint_path,
                      extra_checkpoint_data=trainer_checkpoint_data(parts))
    result = trainer.fit(train_data, val_data, resume_from=resume_from)
    metrics = {"train_pairs": len(train_data), "steps": result.steps, "epochs": result.epochs,
               "val_perplexity": result.best_metric, "best_step": result.best_step,
               "tokens_per_sec": result.tokens_per_sec, "elapsed_s": result.elapsed,
               "train_minutes": round(result.elapsed / 60, 1)}
    return dataclasses.replace(parts, model=model.to("cpu").eval(), metrics=metrics)


def _vocabulary(token_lists: list[list[str]], config: TranslatorConfig, *, add_bos_eos: bool) -> Vocabulary:
    """The words seen ``min_freq`` times, at most ``max_words`` of them (specials not counted)."""
    specials = 4 if add_bos_eos else 2
    max_size = config.max_words + specials if config.max_words else None
    return Vocabulary.build(token_lists, min_freq=config.min_freq, max_size=max_size, add_bos_eos=add_bos_eos)


def _check_resume(path: str | os.PathLike, parts: TranslatorParts) -> None:
    """Refuse a checkpoint trained with other vocabularies before training starts."""
    resumed = read_payload(load_checkpoint(path, kind=CHECKPOINT_KIND), path)
    if resumed.source_vocab != parts.source_vocab or resumed.target_vocab != parts.target_vocab:
        raise CheckpointError(f"checkpoint {path} was trained with other vocabularies; resume with the same "
                              "data and vocabulary settings")
