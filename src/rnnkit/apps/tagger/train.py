"""Training a tagger: read CoNLL-U, build the word, character and tag vocabularies, run the Trainer.

The Trainer tracks word accuracy on the validation file (when given) after every epoch and ends
with the best epoch's weights; its checkpoints carry the tagger payload (:mod:`.payload`), so they
load as taggers.
"""

from __future__ import annotations

import dataclasses
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import torch

from rnnkit.apps.tagger.config import CHECKPOINT_KIND, TaggerConfig
from rnnkit.apps.tagger.model import TaggerNet
from rnnkit.apps.tagger.payload import TaggerParts, read_payload, trainer_checkpoint_data
from rnnkit.apps.tagger.task import TaggingTask, encode_sentences
from rnnkit.data.conllu import TaggedSentence, read_conllu
from rnnkit.errors import CheckpointError, ConfigError, InputError
from rnnkit.text import Vocabulary
from rnnkit.training import Trainer, load_checkpoint

__all__ = ["Source", "read_sentences", "train_parts"]

Source = str | os.PathLike[str] | Sequence[TaggedSentence]  # a CoNLL-U file, or sentences already read


def read_sentences(source: Source, name: str = "data") -> list[TaggedSentence]:
    """The tagged sentences of a CoNLL-U path, or ``source`` itself when it is a list of them.

    Raises:
        InputError: the file is unreadable or malformed, or ``source`` is neither.
    """
    if isinstance(source, str | os.PathLike):
        return read_conllu(source)
    if isinstance(source, list | tuple) and source and all(isinstance(s, TaggedSentence) for s in source):
        return list(source)
    raise InputError(f"{name} must be a CoNLL-U file path or a non-empty list of TaggedSentence, "
                     f"got {type(source).__name__}")


def _words(sentences: list[TaggedSentence], lower: bool) -> list[list[str]]:
    return [[w.lower() for w in s.words] if lower else list(s.words) for s in sentences]


def train_parts(source: Source, config: TaggerConfig, *, valid: Source | None = None,
                checkpoint_path: str | os.PathLike | None = None, resume_from: str | os.PathLike | None = None,
                callbacks: Iterable[Any] = ()) -> TaggerParts:
    """Build the vocabularies and network from ``source`` and train; what a tagger is made of.

    Raises:
        ConfigError: ``config`` is not a TaggerConfig.
        InputError: unreadable or malformed data; a validation tag unseen in training.
        CheckpointError: ``resume_from`` is unreadable or was trained with other vocabularies.
        TrainingError: the loss became NaN or infinite.
    """
    if not isinstance(config, TaggerConfig):
        raise ConfigError(f"config must be a TaggerConfig, got {type(config).__name__}")
    sentences = read_sentences(source, "training data")
    words = _words(sentences, config.lower)
    vocab = Vocabulary.build(words, min_freq=config.min_freq)
    chars = Vocabulary.build([list(w) for sentence in words for w in sentence])
    tag_counts = Counter(t for s in sentences for t in s.tags)
    tags = tuple(sorted(tag_counts, key=lambda t: (-tag_counts[t], t)))
    tag_ids = {t: i for i, t in enumerate(tags)}
    train = encode_sentences(words, [s.tags for s in sentences], vocab, chars, tag_ids, config.max_word_len)
    val = None
    if valid is not None:
        val_sentences = read_sentences(valid, "validation data")
        val = encode_sentences(_words(val_sentences, config.lower), [s.tags for s in val_sentences], vocab, chars,
                               tag_ids, config.max_word_len, ignore_unknown_tags=True)
    torch.manual_seed(config.seed)
    model = TaggerNet(config, len(vocab), len(chars), len(tags))
    parts = TaggerParts(model, vocab, chars, tags, config)
    if resume_from is not None:
        _check_resumable(resume_from, parts)
    trainer = Trainer(model, config.train_config(), TaggingTask(), callbacks=callbacks,
                      checkpoint_path=checkpoint_path, extra_checkpoint_data=trainer_checkpoint_data(parts))
    result = trainer.fit(train, val, resume_from=resume_from)
    train_file = os.fspath(source) if isinstance(source, str | os.PathLike) else ""  # the baseline's data, as given
    metrics = {"train_file": train_file, "train_sentences": len(sentences), "train_words": int(train.lengths.sum()),
               "steps": result.steps, "epochs": result.epochs, "val_accuracy": result.best_metric,
               "best_step": result.best_step, "words_per_sec": result.tokens_per_sec, "elapsed_s": result.elapsed}
    model = model.to("cpu").eval()
    return dataclasses.replace(parts, model=model, metrics=metrics)


def _check_resumable(path: str | os.PathLike, parts: TaggerParts) -> None:
    resumed = read_payload(load_checkpoint(path, kind=CHECKPOINT_KIND), path)
    if (resumed.vocab, resumed.chars, resumed.tags) != (parts.vocab, parts.chars, parts.tags):
        raise CheckpointError(f"checkpoint {path} was trained with other vocabularies or tags; resume with the "
                              "same training file and settings")
