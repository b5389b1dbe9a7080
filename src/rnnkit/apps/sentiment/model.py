"""A learned sentiment model: text -> ids, a lexicon-aware recurrent classifier, probabilities -> labels.

:class:`SentimentModel` is what :class:`~rnnkit.apps.sentiment.SentimentAnalyzer` runs for its
learned backends (``lstm``, ``gru``, ``rnn``). It predicts SST's five classes and sums them into
Negative / Neutral / Positive (see :mod:`rnnkit.apps.sentiment.train`).
"""

from __future__ import annotations

import dataclasses
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from rnnkit.apps.sentiment.features import MAX_TOKENS, lexicon_features, lexicon_words, sentiment_tokens
from rnnkit.apps.sentiment.train import LABELS, MixedLabelTask, encode_labels, group_log_probs
from rnnkit.config import (
    CELL_TYPES,
    ModelConfig,
    TrainConfig,
    check_choice,
    check_int,
    check_number,
    config_from_dict,
)
from rnnkit.config import config_field as _opt  # default + CLI help in one place
from rnnkit.errors import CheckpointError, ConfigError, InputError
from rnnkit.models.lexicon_classifier import LexiconClassifier
from rnnkit.text import Vocabulary
from rnnkit.training import Trainer, build_checkpoint, load_checkpoint, save_checkpoint

__all__ = ["CHECKPOINT_KIND", "LABELS", "SentimentConfig", "SentimentModel"]

CHECKPOINT_KIND = "sentiment"
PREDICT_BATCH = 256  # at most this many texts (all of one length) per forward pass in probabilities()
EXPLAIN_MAX_TOKENS = 200  # explain() scores the first 200 tokens: occlusion costs grow with the square of the length



@dataclass(frozen=True)
class SentimentConfig:
    """Vocabulary, model shape and training recipe of a learned sentiment model."""

    cell: str = _opt("lstm", "recurrent cell", CELL_TYPES)
    bidirectional: bool = _opt(True, "read each text both ways")
    embedding_dim: int = _opt(200, "learned word vector size (the lexicon adds 5 more)")
    hidden_size: int = _opt(150, "recurrent state per direction")
    num_layers: int = _opt(1, "stacked recurrent layers")
    dropout: float = _opt(0.5, "on word vectors and before the output layer")
    word_dropout: float = _opt(0.2, "chance of hiding a token's learned vector (not its lexicon vector) in training")
    min_freq: int = _opt(1, "keep training words seen at least this often (lexicon words are always kept)")
    epochs: int = _opt(4, "passes over the training data")
    batch_size: int = _opt(64, "texts per step (length-bucketed)")
    learning_rate: float = _opt(2e-3, "AdamW step size")
    weight_decay: float = _opt(0.0, "AdamW decoupled weight decay")
    clip_norm: float = _opt(5.0, "max gradient norm")
    seed: int = _opt(0, "same seed, same model")
    progress: bool = _opt(True, "progress bar on stderr")
    num_threads: int = _opt(0, "torch CPU threads; 0 leaves torch's default")

    def __post_init__(self) -> None:
        check_choice("cell", self.cell, CELL_TYPES)
        if not isinstance(self.bidirectional, bool) or not isinstance(self.progress, bool):
            raise ConfigError("bidirectional and progress must be True or False")
        for name in ("embedding_dim", "hidden_size", "num_layers", "min_freq", "epochs", "batch_size"):
            check_int(name, getattr(self, name), 1)
        for name in ("seed", "num_threads"):
            check_int(name, getattr(self, name), 0)
        for name in ("dropout", "word_dropout"):
            check_number(name, getattr(self, name), 0.0, 1.0)
            if getattr(self, name) >= 1.0:
                raise ConfigError(f"{name} must be below 1.0, got {getattr(self, name)!r}")
        check_number("learning_rate", self.learning_rate, 0.0, low_inclusive=False)
        check_number("weight_decay", self.weight_decay, 0.0)
        check_number("clip_norm", self.clip_norm, 0.0, low_inclusive=False)

    def train_config(self) -> TrainConfig:
        return TrainConfig(epochs=self.epochs, batch_size=self.batch_size, optimizer="adamw",
                           learning_rate=self.learning_rate, weight_decay=self.weight_decay, clip_norm=self.clip_norm,
                           lr_schedule="cosine", seed=self.seed, progress=self.progress, num_threads=self.num_threads)


class SentimentModel:
    """A trained lexicon-aware recurrent sentiment classifier with its vocabulary.

    Build one with :meth:`train` or :meth:`load`; use :meth:`probabilities` (three classes),
    :meth:`fine_probabilities` (SST's five) and :meth:`explain`.
    """

    def __init__(self, model: LexiconClassifier, vocab: Vocabulary, config: SentimentConfig,
                 metrics: dict[str, Any] | None = None, card: dict[str, Any] | None = None) -> None:
        self.model = model.eval()
        self.vocab = vocab
        self.config = config
        self.metrics = dict(metrics or {})
        self.card = dict(card or {})

    def __repr__(self) -> str:
        direction = "bidirectional " if self.config.bidirectional else ""
        return f"SentimentModel({direction}{self.config.cell} {self.config.hidden_size}, vocabulary {len(self.vocab)})"

    @classmethod
    def train(cls, texts: Sequence[str], labels: Sequence[Any], config: SentimentConfig | None = None, *,
              valid: tuple[Sequence[str], Sequence[Any]] | None = None, opinion_words: tuple = ((), ()),
              checkpoint_path: str | os.PathLike | None = None, callbacks: Iterable[Any] = ()) -> SentimentModel:
        """Train on texts labelled Negative / Neutral / Positive or with SST's 0-4 (mixing both is fine).

        Args:
            texts, labels: the training examples.
            config: vocabulary, shape and recipe (default :class:`SentimentConfig`).
            valid: (texts, labels) to validate on; the model keeps its best three-class accuracy weights.
            opinion_words: (positive words, negative words) of an opinion lexicon to add as features.
            checkpoint_path: where the Trainer writes its resumable checkpoint.
            callbacks: Trainer callbacks.

        Raises:
            ConfigError: ``config`` is not a SentimentConfig.
            InputError: texts and labels differ in length, a text is not a string or empty, or a label is unknown.
            TrainingError: the loss became NaN or infinite.
        """
        config = config if config is not None else SentimentConfig()
        if not isinstance(config, SentimentConfig):
            raise ConfigError(f"config must be a SentimentConfig, got {type(config).__name__}")
        token_lists, label_ids = _examples(texts, labels, "training data")
        positive, negative = (sorted({w.lower() for w in words}) for words in opinion_words)
        counts = Counter(t for tokens in token_lists for t in tokens)
        kept = [t for t, n in counts.items() if n >= config.min_freq]
        vocab = Vocabulary(sorted({*kept, *lexicon_words(), *positive, *negative}))
        features = torch.from_numpy(lexicon_features(vocab.tokens, positive, negative))
        model_config = ModelConfig(vocab_size=len(vocab), cell=config.cell, embedding_dim=config.embedding_dim,
                                   hidden_size=config.hidden_size, num_layers=config.num_layers,
                                   dropout=config.dropout, bidirectional=config.bidirectional, num_classes=5)
        torch.manual_seed(config.seed)
        model = LexiconClassifier(model_config, features, config.word_dropout)
        with torch.no_grad():  # words never trained on keep a zero vector and speak through the lexicon alone
            unseen = torch.tensor([i for i, t in enumerate(vocab.tokens) if counts[t] < config.min_freq],
                                  dtype=torch.int64)
            model.embedding.weight[unseen] = 0.0
        card = {"opinion_words": [positive, negative]}
        trainer = Trainer(model, config.train_config(), MixedLabelTask(), callbacks=callbacks,
                          checkpoint_path=checkpoint_path,
                          extra_checkpoint_data={"kind": CHECKPOINT_KIND, "vocab": vocab.to_dict()})
        data = ([vocab.encode(t) for t in token_lists], label_ids)
        val = None
        if valid is not None:
            val_tokens, val_labels = _examples(valid[0], valid[1], "validation data")
            val = ([vocab.encode(t) for t in val_tokens], val_labels)
        result = trainer.fit(data, val)
        metrics = {"train_examples": len(label_ids), "epochs": result.epochs, "steps": result.steps,
                   "val_accuracy3": result.best_metric, "elapsed_s": result.elapsed}
        return cls(model, vocab, config, metrics, card)

    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of each text (an empty text reads as one ``<unk>``)."""
        return [self.vocab.encode(sentiment_tokens(t, MAX_TOKENS)) or [self.vocab.unk_id] for t in texts]

    @torch.no_grad()
    def _log_probs(self, id_lists: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
        fine_out = np.zeros((len(id_lists), 5), dtype=np.float64)
        coarse_out = np.zeros((len(id_lists), 3), dtype=np.float64)
        for rows in _equal_length_batches(id_lists, PREDICT_BATCH):
            ids = torch.tensor([id_lists[i] for i in rows], dtype=torch.int64)  # (B, T), no padding
            fine, coarse = group_log_probs(self.model(ids, torch.full((len(rows),), ids.shape[1])))
            fine_out[rows], coarse_out[rows] = fine.numpy(), coarse.numpy()
        return fine_out, coarse_out

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """(N, 3) probabilities of Negative, Neutral, Positive; rows sum to 1.

        Raises:
            InputError: ``texts`` is not a list/tuple of strings.
        """
        return np.exp(self._log_probs(self.encode(_texts(texts)))[1])

    def fine_probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """(N, 5) probabilities of SST's classes 0 (very negative) .. 4 (very positive)."""
        return np.exp(self._log_probs(self.encode(_texts(texts)))[0])

    def explain(self, text: str) -> list[tuple[str, float]]:
        """Each token with its contribution to the compound score P(Positive) - P(Negative).

        Occlusion: a token's contribution is the compound of the whole text minus the compound of the
        text without that token, all variants scored in one batch. > 0 pushes towards Positive. Only the
        first ``EXPLAIN_MAX_TOKENS`` tokens are explained (and read).
        """
        tokens = sentiment_tokens(_texts([text])[0], MAX_TOKENS)[:EXPLAIN_MAX_TOKENS]
        if not tokens:
            return []
        ids = self.vocab.encode(tokens)
        variants = [ids] + [ids[:i] + ids[i + 1:] or [self.vocab.unk_id] for i in range(len(ids))]
        probs = np.exp(self._log_probs(variants)[1])
        compound = probs[:, 2] - probs[:, 0]
        return [(token, float(compound[0] - compound[i + 1])) for i, token in enumerate(tokens)]

    def save(self, path: str | os.PathLike) -> Path:
        """Write the model to one checkpoint file (atomically); :meth:`load` reads it back."""
        payload = build_checkpoint(
            CHECKPOINT_KIND, self.model.state_dict(), model_config=dataclasses.asdict(self.model.config),
            vocab=self.vocab.to_dict(), metrics=self.metrics,
            extra={"sentiment_config": dataclasses.asdict(self.config), "card": self.card})
        return save_checkpoint(path, payload)

    @classmethod
    def load(cls, path: str | os.PathLike) -> SentimentModel:
        """Load a model written by :meth:`save`.

        Raises:
            CheckpointError: the file is missing, unreadable, not a sentiment model or inconsistent.
        """
        payload = load_checkpoint(path, kind=CHECKPOINT_KIND)
        try:
            vocab = Vocabulary.from_dict(payload["vocab"])
            config = config_from_dict(SentimentConfig, payload["extra"]["sentiment_config"])
            model_config = config_from_dict(ModelConfig, payload["model_config"])
            model = LexiconClassifier(model_config, payload["state_dict"]["features"], config.word_dropout)
            model.load_state_dict(payload["state_dict"])
            if len(vocab) != model_config.vocab_size:
                raise InputError(f"vocabulary has {len(vocab)} words but the model {model_config.vocab_size}")
            return cls(model, vocab, config, payload["metrics"], payload["extra"].get("card", {}))
        except (InputError, ConfigError, RuntimeError, KeyError, TypeError) as err:
            first = str(err).strip().splitlines()[0][:200] if str(err).strip() else type(err).__name__
            raise CheckpointError(f"checkpoint {path} is not a usable sentiment model: {first}") from err


def _equal_length_batches(id_lists: list[list[int]], batch_size: int) -> list[np.ndarray]:
    """Indices grouped by exact length, at most ``batch_size`` each: every batch runs dense, unpadded
    (on CPU a packed variable-length batch is ~1.5x slower than the same tokens in dense batches)."""
    lengths = np.fromiter((len(ids) for ids in id_lists), dtype=np.int64, count=len(id_lists))
    order = np.argsort(lengths, kind="stable")
    bounds = np.flatnonzero(np.diff(lengths[order])) + 1
    return [group[i:i + batch_size] for group in np.split(order, bounds) for i in range(0, len(group), batch_size)]


def _texts(texts: Any) -> list[str]:
    if isinstance(texts, str) or not isinstance(texts, list | tuple):
        raise InputError(f"texts must be a list of strings, got {type(texts).__name__}")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise InputError(f"text {i} must be a string, got {type(text).__name__}")
    return list(texts)


def _examples(texts: Any, labels: Any, name: str) -> tuple[list[list[str]], list[int]]:
    texts = _texts(texts)
    if not isinstance(labels, list | tuple) or len(labels) != len(texts):
        count = len(labels) if isinstance(labels, list | tuple) else type(labels).__name__
        raise InputError(f"{name} has {len(texts)} texts but {count} labels; they must match")
    if not texts:
        raise InputError(f"{name} is empty; give at least one labelled text")
    token_lists = [sentiment_tokens(t) for t in texts]
    empty = next((i for i, tokens in enumerate(token_lists) if not tokens), None)
    if empty is not None:
        raise InputError(f"{name} text {empty} holds no words")
    return token_lists, encode_labels(labels)
