"""Training a learned sentiment model: examples, vocabulary, lexicon features, the Trainer and its task.

:func:`train_parts` builds what a :class:`~rnnkit.apps.sentiment.model.SentimentModel` is made of
(the network, its vocabulary, metrics and card); :meth:`SentimentModel.train
<rnnkit.apps.sentiment.model.SentimentModel.train>` calls it, so prediction never loads this module.
:class:`MixedLabelTask` trains five logits on labels of two granularities (SST's 0-4 and the names
Negative / Neutral / Positive); the label ids and the grouping maths are in :mod:`.labels`.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from rnnkit.apps.sentiment.config import CHECKPOINT_KIND, SentimentConfig
from rnnkit.apps.sentiment.features import (
    RULE_TOKENS,
    check_texts,
    lexicon_features,
    lexicon_words,
    model_tokens,
    scope_args,
)
from rnnkit.apps.sentiment.labels import coarse_of, encode_labels, group_log_probs
from rnnkit.errors import CheckpointError, InputError
from rnnkit.models.lexicon_classifier import LexiconClassifier
from rnnkit.text import Vocabulary
from rnnkit.training import ClassificationTask, Trainer, load_checkpoint
from rnnkit.training.tasks import StepOutput

__all__ = ["MixedLabelTask", "train_parts"]


class MixedLabelTask(ClassificationTask):
    """:class:`~rnnkit.training.ClassificationTask` for five logits and labels 0-7 (see :mod:`.labels`).

    Its accuracy is three-class accuracy, whatever the granularity of each label.
    """

    kind = "sentiment"

    def _loss_and_correct(self, model: nn.Module, batch: tuple[Tensor, Tensor, Tensor],
                          reduction: str) -> tuple[Tensor, int]:
        ids, lengths, labels = batch
        logits = model(ids, lengths)  # (B, 5)
        fine, coarse = group_log_probs(logits)
        nll = -torch.cat([fine, coarse], dim=1).gather(1, labels.unsqueeze(1)).squeeze(1)
        correct = int((coarse.detach().argmax(dim=1) == coarse_of(labels)).sum())
        return (nll.mean() if reduction == "mean" else nll.sum()), correct

    def train_step(self, model: nn.Module, batch: tuple[Tensor, Tensor, Tensor], state: Any = None) -> StepOutput:
        loss, correct = self._loss_and_correct(model, batch, "mean")
        return StepOutput(loss, None, int(batch[1].sum()), len(batch[2]), correct)

    @torch.no_grad()
    def eval_sums(self, model: nn.Module, data: Any, keys: list[np.ndarray], device: torch.device) -> Tensor:
        """[summed loss, examples, correct three-class predictions] (float64)."""
        sums = torch.zeros(3, dtype=torch.float64)
        for key in keys:
            batch = self.make_batch(data, key, device)
            loss, correct = self._loss_and_correct(model, batch, "sum")
            sums += torch.tensor([float(loss), len(key), correct], dtype=torch.float64)
        return sums


def train_parts(texts: Sequence[str], labels: Sequence[Any], config: SentimentConfig, *,
                valid: tuple[Sequence[str], Sequence[Any]] | None = None, opinion_words: tuple = ((), ()),
                checkpoint_path: str | os.PathLike | None = None, resume_from: str | os.PathLike | None = None,
                callbacks: Iterable[Any] = ()) -> tuple[LexiconClassifier, Vocabulary, dict[str, Any], dict[str, Any]]:
    """Train a network on labelled texts: (network, vocabulary, metrics, card).

    The arguments are those of :meth:`SentimentModel.train <rnnkit.apps.sentiment.model.SentimentModel.train>`.

    Raises:
        InputError: texts and labels differ in length, a text is not a string or empty, or a label is unknown.
        CheckpointError: ``resume_from`` is unreadable or was trained with another vocabulary.
        TrainingError: the loss became NaN or infinite.
    """
    token_lists, label_ids = _examples(texts, labels, "training data", config.rule_tokens)
    positive, negative = (sorted({w.lower() for w in words}) for words in opinion_words)
    model, vocab = _network(token_lists, config, positive, negative)
    if resume_from is not None:
        _check_resumable(resume_from, vocab)
    trainer = Trainer(model, config.train_config(), MixedLabelTask(), callbacks=callbacks,
                      checkpoint_path=checkpoint_path,
                      extra_checkpoint_data={"kind": CHECKPOINT_KIND, "vocab": vocab.to_dict()})
    data = ([vocab.encode(t) for t in token_lists], label_ids)
    val = None
    if valid is not None:
        val_tokens, val_labels = _examples(valid[0], valid[1], "validation data", config.rule_tokens)
        val = ([vocab.encode(t) for t in val_tokens], val_labels)
    result = trainer.fit(data, val, resume_from=resume_from)
    model = model.cpu().eval()  # inference runs on the CPU, wherever it trained
    metrics = {"train_examples": len(label_ids), "epochs": result.epochs, "steps": result.steps,
               "val_accuracy3": result.best_metric, "elapsed_s": result.elapsed}
    return model, vocab, metrics, {"opinion_words": [positive, negative]}


def _check_resumable(path: str | os.PathLike, vocab: Vocabulary) -> None:
    """Refuse, before training, a checkpoint whose vocabulary is not the one these sources and settings build."""
    try:
        stored = Vocabulary.from_dict(load_checkpoint(path, kind=CHECKPOINT_KIND)["vocab"])
    except (InputError, KeyError, TypeError) as err:
        raise CheckpointError(f"checkpoint {path} holds no usable vocabulary: {err}") from err
    if stored != vocab:
        raise CheckpointError(f"checkpoint {path} was trained with another vocabulary; resume with the same "
                              "training sources, opinion lexicon and settings")


def _network(token_lists: list[list[str]], config: SentimentConfig, positive: list[str],
             negative: list[str]) -> tuple[LexiconClassifier, Vocabulary]:
    """The untrained network and its vocabulary: the training words seen ``min_freq`` times or more,
    and every lexicon word (those never trained on keep a zero learned vector)."""
    counts = Counter(t for tokens in token_lists for t in tokens)
    kept = [t for t, n in counts.items() if n >= config.min_freq]
    rule = RULE_TOKENS if config.rule_tokens else ()
    vocab = Vocabulary(sorted({*kept, *lexicon_words(), *positive, *negative, *rule}))
    features = torch.from_numpy(lexicon_features(vocab.tokens, positive, negative))
    torch.manual_seed(config.seed)
    model = LexiconClassifier(config.model_config(len(vocab)), features, config.word_dropout, **scope_args(config))
    with torch.no_grad():  # words never trained on keep a zero vector and speak through the lexicon alone
        unseen = torch.tensor([i for i, t in enumerate(vocab.tokens) if counts[t] < config.min_freq],
                              dtype=torch.int64)
        model.embedding.weight[unseen] = 0.0
    return model, vocab


def _examples(texts: Any, labels: Any, name: str, rule_tokens: bool) -> tuple[list[list[str]], list[int]]:
    """(token lists, label ids) of labelled texts, checked: equal lengths, not empty, every text has words."""
    texts = check_texts(texts)
    if not isinstance(labels, list | tuple) or len(labels) != len(texts):
        count = len(labels) if isinstance(labels, list | tuple) else type(labels).__name__
        raise InputError(f"{name} has {len(texts)} texts but {count} labels; they must match")
    if not texts:
        raise InputError(f"{name} is empty; give at least one labelled text")
    token_lists = [model_tokens(t, rule_tokens) for t in texts]
    empty = next((i for i, tokens in enumerate(token_lists) if not tokens), None)
    if empty is not None:
        raise InputError(f"{name} text {empty} holds no words")
    return token_lists, encode_labels(labels)
