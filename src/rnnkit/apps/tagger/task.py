"""Tagged sentences as ids, and the Trainer task that trains a tag per word.

A batch of B sentences, post-padded to the longest (T words) and its longest word (L characters)::

    words  (B, T)     word ids, <pad> = 0 after each sentence's end
    chars  (B, T, L)  character ids of each word, <pad> = 0 after the word's end and on padded words
    lengths (B,)      words per sentence
    tags   (B, T)     tag ids, IGNORE (-100) on padding, so the loss and accuracy count real words only
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rnnkit.apps.tagger.config import CHECKPOINT_KIND
from rnnkit.errors import InputError
from rnnkit.text import Vocabulary, bucket_batches
from rnnkit.training import StepOutput

__all__ = ["IGNORE", "TaggedIds", "TaggingTask", "char_ids", "encode_sentences"]

IGNORE = -100  # the tag id of padding: F.cross_entropy's default ignore_index


@dataclass(frozen=True)
class TaggedIds:
    """Sentences as ids: what :class:`TaggingTask` trains on (tags may be empty lists for untagged text)."""

    words: list[list[int]]  # word ids per sentence
    chars: list[list[list[int]]]  # character ids per word per sentence
    tags: list[list[int]]  # tag ids per sentence
    lengths: np.ndarray  # words per sentence, int64


def char_ids(word: str, chars: Vocabulary, max_len: int) -> list[int]:
    """Character ids of ``word``; a word longer than ``max_len`` keeps its first and last halves
    (prefixes and suffixes are what tell a tag)."""
    if len(word) > max_len:
        word = word[: (max_len + 1) // 2] + word[len(word) - max_len // 2:]
    return chars.encode(list(word))


def encode_sentences(sentences: Sequence[Sequence[str]], tags: Sequence[Sequence[str]] | None, vocab: Vocabulary,
                     chars: Vocabulary, tag_ids: dict[str, int], max_word_len: int, *,
                     ignore_unknown_tags: bool = False) -> TaggedIds:
    """Words (already lower-cased if the model is) and their tags as :class:`TaggedIds`.

    ``ignore_unknown_tags`` gives a tag missing from ``tag_ids`` the id :data:`IGNORE` (validation
    data may hold a rare tag that training lacks, such as SYM in UD English-Atis dev); else it raises.

    Raises:
        InputError: a sentence is empty, or a tag is not one of ``tag_ids``.
    """
    word_rows, char_rows, tag_rows = [], [], []
    for i, words in enumerate(sentences):
        if not words:
            raise InputError(f"sentence {i + 1} has no words")
        word_rows.append(vocab.encode(list(words)))
        char_rows.append([char_ids(w, chars, max_word_len) for w in words])
        if tags is not None:
            unknown = [t for t in tags[i] if t not in tag_ids]
            if unknown and not ignore_unknown_tags:
                raise InputError(f"sentence {i + 1} has tag {unknown[0]!r}, unknown to this model "
                                 f"(it knows {', '.join(tag_ids)})")
            tag_rows.append([tag_ids.get(t, IGNORE) for t in tags[i]])
    lengths = np.array([len(row) for row in word_rows], dtype=np.int64)
    return TaggedIds(word_rows, char_rows, tag_rows, lengths)


def make_batch(data: TaggedIds, key: Sequence[int], device: torch.device | str = "cpu"
               ) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """(words (B, T), chars (B, T, L), lengths (B,), tags (B, T)) for sentences ``key``, post-padded."""
    steps = int(max(data.lengths[i] for i in key))
    width = max(len(c) for i in key for c in data.chars[i])
    words = torch.zeros(len(key), steps, dtype=torch.int64)
    chars = torch.zeros(len(key), steps, width, dtype=torch.int64)
    tags = torch.full((len(key), steps), IGNORE, dtype=torch.int64)
    for row, i in enumerate(key):
        n = int(data.lengths[i])
        words[row, :n] = torch.tensor(data.words[i])
        for col, ids in enumerate(data.chars[i]):
            chars[row, col, :len(ids)] = torch.tensor(ids)
        if data.tags:
            tags[row, :n] = torch.tensor(data.tags[i])
    lengths = torch.from_numpy(data.lengths[np.asarray(key)])
    return words.to(device), chars.to(device), lengths, tags.to(device)


class TaggingTask:
    """Many-to-many, same length: ``model(words, chars, lengths) -> (B, T, num_tags)``, cross-entropy per word.

    The tracked metric is word accuracy; batches are length-bucketed and reshuffled each epoch
    (``seed + epoch``).
    """

    kind = CHECKPOINT_KIND
    metric_name = "accuracy"
    higher_is_better = True

    def prepare(self, data: Any, *, batch_size: int = 1, rank: int = 0, world_size: int = 1,
                name: str = "data") -> TaggedIds:
        """``data`` itself when it is tagged :class:`TaggedIds`.

        Raises:
            InputError: it is not, or holds no sentence.
        """
        if not isinstance(data, TaggedIds) or not data.tags or len(data.tags) != len(data.words):
            raise InputError(f"{name} for a tagger must be tagged TaggedIds (see encode_sentences)")
        if not data.words:
            raise InputError(f"{name} holds no sentence")
        return data

    def train_batches(self, data: TaggedIds, *, batch_size: int, seq_len: int = 0, epoch: int = 0, seed: int = 0,
                      rank: int = 0, world_size: int = 1) -> list[list[int]]:
        """This rank's batches of sentence indices for ``epoch``.

        Raises:
            InputError: fewer batches than ranks.
        """
        batches = bucket_batches(data.lengths, batch_size, seed=seed + epoch)
        if len(batches) < world_size:
            raise InputError(f"training data gives {len(batches)} batch(es), fewer than the {world_size} ranks")
        return batches[: len(batches) // world_size * world_size][rank::world_size]

    def eval_batches(self, data: TaggedIds, *, batch_size: int, seq_len: int = 0, rank: int = 0,
                     world_size: int = 1) -> list[list[int]]:
        """Length-sorted batches, every sentence once across the ranks."""
        order = np.argsort(data.lengths, kind="stable").tolist()
        return [order[i:i + batch_size] for i in range(0, len(order), batch_size)][rank::world_size]

    def make_batch(self, data: TaggedIds, key: list[int], device: torch.device) -> tuple[Tensor, ...]:
        return make_batch(data, key, device)

    @staticmethod
    def _logits(model: nn.Module, batch: tuple[Tensor, ...]) -> Tensor:
        words, chars, lengths, _ = batch
        return model(words, chars, lengths)  # (B, T, num_tags)

    def train_step(self, model: nn.Module, batch: tuple[Tensor, ...], state: Any = None) -> StepOutput:
        logits, tags = self._logits(model, batch), batch[3]
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tags.reshape(-1), ignore_index=IGNORE)
        words = int(batch[2].sum())
        correct = int((logits.detach().argmax(-1) == tags).sum())
        return StepOutput(loss, None, words, words, correct)

    @torch.no_grad()
    def eval_sums(self, model: nn.Module, data: TaggedIds, keys: list[list[int]], device: torch.device) -> Tensor:
        """[summed loss, words, correct] over this rank's batches (float64, to be all-reduced)."""
        sums = torch.zeros(3, dtype=torch.float64)
        for key in keys:
            batch = make_batch(data, key, device)
            logits, tags = self._logits(model, batch), batch[3]
            sums[0] += float(F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tags.reshape(-1),
                                             ignore_index=IGNORE, reduction="sum"))
            sums[1] += int(batch[2].sum())
            sums[2] += int((logits.argmax(-1) == tags).sum())
        return sums

    def metrics(self, sums: Tensor) -> dict[str, float]:
        words = max(float(sums[1]), 1.0)
        return {"loss": float(sums[0]) / words, "accuracy": float(sums[2]) / words}

    def step_metric(self, loss: float, out: StepOutput) -> float:
        """Word accuracy on the batch just trained."""
        return out.correct / max(out.examples, 1)
