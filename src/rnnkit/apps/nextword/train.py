"""Training a next-word model: read the corpus, build the vocabulary, run the Trainer.

The training stream is ``<eos>`` followed by every line's tokens and an ``<eos>`` after each line
(the PTB language-modelling convention), read as one continuous text with truncated
back-propagation; see :class:`~rnnkit.training.LanguageModelTask` for the batch layout. The
Trainer's checkpoints carry the next-word payload (:mod:`.payload`), so they load as predictors.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import torch

from rnnkit.apps.nextword.config import NextWordConfig
from rnnkit.apps.nextword.payload import CHECKPOINT_KIND, NextWordParts, read_payload, trainer_checkpoint_data
from rnnkit.apps.nextword.text import TextSettings, learn_truecase
from rnnkit.data import read_lines, read_ptb
from rnnkit.errors import CheckpointError, ConfigError, InputError
from rnnkit.models import LanguageModel
from rnnkit.text import Vocabulary
from rnnkit.training import LanguageModelTask, Trainer, load_checkpoint

__all__ = ["Source", "normalise_lines", "read_corpus", "read_texts", "train_parts"]

Source = str | os.PathLike[str] | Sequence[str]  # a corpus: a file path, or a list of texts


def read_corpus(source: Source, corpus_format: str, name: str) -> list[list[str]]:
    """Token lines as written (not lower-cased), each ending with ``<eos>``.

    ``source`` is a path, or a list of texts (one sentence per item; inner line breaks split it).

    Raises:
        InputError: the file cannot be read, ``source`` is neither, or it holds no tokens.
    """
    if corpus_format == "ptb" and isinstance(source, str | os.PathLike):
        lines = read_ptb(source)  # every line counts, as in pytorch/examples
    elif corpus_format == "ptb":
        lines = [[*line.split(), Vocabulary.EOS] for line in read_texts(source, name)]
    else:
        lines = [[*TextSettings(lower=False).tokens(line), Vocabulary.EOS] for line in read_texts(source, name)]
    if not any(len(line) > 1 for line in lines):
        raise InputError(f"{name} holds no words")
    return lines


def read_texts(source: Source, name: str) -> list[str]:
    """The non-blank lines of a file, or of a list of texts (inner line breaks split an item).

    Raises:
        InputError: the file cannot be read, or ``source`` is neither a path nor a list of str.
    """
    if isinstance(source, str | os.PathLike):
        return read_lines(source)
    if isinstance(source, list | tuple) and all(isinstance(t, str) for t in source):
        return [line.strip() for text in source for line in text.split("\n") if line.strip()]
    raise InputError(f"{name} must be a file path or a list of str texts, got {type(source).__name__}")


def normalise_lines(lines: list[list[str]], settings: TextSettings) -> list[list[str]]:
    """Lower-case plain-text tokens (PTB files are lower-case already; their "N" and "<unk>" stay)."""
    if settings.corpus_format == "ptb" or not settings.lower:
        return lines
    return [[t.lower() for t in line[:-1]] + [line[-1]] for line in lines]


def _stream(lines: list[list[str]], vocab: Vocabulary) -> list[int]:
    return [vocab.eos_id] + [i for line in lines for i in vocab.encode(line)]


def _init_uniform(model: LanguageModel, init_range: float) -> None:
    """Every weight uniform in [-r, r] (Zaremba et al. 2014), the decoder bias 0 and the <pad> row 0."""
    if init_range <= 0:
        return
    with torch.no_grad():
        for name, param in model.named_parameters():
            if name == "decoder.bias":
                param.zero_()
            else:
                param.uniform_(-init_range, init_range)
        model.encoder.weight[0].zero_()


def train_parts(source: Source, config: NextWordConfig, *, valid: Source | None = None,
                checkpoint_path: str | os.PathLike | None = None, resume_from: str | os.PathLike | None = None,
                callbacks: Iterable[Any] = ()) -> NextWordParts:
    """Build the vocabulary and model from ``source`` and train; what a predictor is made of.

    Raises:
        ConfigError: ``config`` is not a NextWordConfig.
        InputError: unreadable or empty corpus, or too little text for one batch.
        CheckpointError: ``resume_from`` is unreadable or was trained with another vocabulary.
        TrainingError: the loss became NaN or infinite.
    """
    if not isinstance(config, NextWordConfig):
        raise ConfigError(f"config must be a NextWordConfig, got {type(config).__name__}")
    settings = TextSettings(lower=config.lower, corpus_format=config.corpus_format)
    raw = read_corpus(source, config.corpus_format, "corpus")
    lines = normalise_lines(raw, settings)
    lowered = lines is not raw
    if config.shuffle_lines and config.corpus_format == "text":  # PTB keeps its order: its results assume it
        lines = [lines[i] for i in np.random.default_rng(config.seed).permutation(len(lines))]
    max_size = config.max_words + 4 if config.max_words else None  # + <pad> <unk> <bos> <eos>
    vocab = Vocabulary.build(lines, min_freq=config.min_freq, max_size=max_size, add_bos_eos=True)
    truecase = learn_truecase([line[:-1] for line in raw], vocab) if lowered else {}
    val_stream = None
    if valid is not None:
        val_lines = read_corpus(valid, config.corpus_format, "validation text")
        val_stream = _stream(normalise_lines(val_lines, settings), vocab)
    train_corpus = os.fspath(source) if isinstance(source, str | os.PathLike) else ""  # as given: portable
    if resume_from is not None and _resumed(resume_from).vocab != vocab:
        raise CheckpointError(f"checkpoint {resume_from} was trained with another vocabulary; resume with the "
                              "same corpus and vocabulary settings")
    torch.manual_seed(config.seed)
    model = LanguageModel(config.model_config(len(vocab)))
    _init_uniform(model, config.init_range)
    parts = NextWordParts(model, vocab, settings, truecase=truecase, config=config, train_corpus=train_corpus)
    trainer = Trainer(model, config.train_config(), LanguageModelTask(), callbacks=callbacks,
                      checkpoint_path=checkpoint_path, extra_checkpoint_data=trainer_checkpoint_data(parts))
    stream = _stream(lines, vocab)
    result = trainer.fit(stream, val_stream, resume_from=resume_from)
    metrics = {"train_tokens": len(stream) - 1, "steps": result.steps, "epochs": result.epochs,
               "val_perplexity": result.best_metric, "best_step": result.best_step,
               "tokens_per_sec": result.tokens_per_sec, "elapsed_s": result.elapsed}
    return dataclasses.replace(parts, model=model.to("cpu"), metrics=metrics)


def _resumed(path: str | os.PathLike) -> NextWordParts:
    """The parts of a resumable checkpoint, read to check that it fits before training starts."""
    return read_payload(load_checkpoint(path, kind=CHECKPOINT_KIND), path)
