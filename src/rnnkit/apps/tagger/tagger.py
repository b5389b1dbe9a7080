"""The user-facing part-of-speech tagger: ``Tagger.load().tag("show me flights")``.

Three steps, each testable alone: words -> ids (:meth:`Tagger.prepare`, public: exporters reuse it), run the network
(:meth:`Tagger._forward`), tag ids -> tag names (:meth:`Tagger._format`). Raw text is split into
words first (:func:`~.text.split_words`); pre-split words go straight to :meth:`Tagger.tag_words`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from rnnkit.apps.tagger.config import CHECKPOINT_KIND, TaggerConfig
from rnnkit.apps.tagger.payload import TaggerParts, build_payload, read_payload
from rnnkit.apps.tagger.task import TaggedIds, encode_sentences, make_batch
from rnnkit.apps.tagger.text import PUNCT_TAG, is_punctuation, pieces, split_words
from rnnkit.apps.tagger.train import Source, train_parts
from rnnkit.config import check_choice
from rnnkit.errors import InputError
from rnnkit.nn.quantize import QUANTIZE_CHOICES, int8_copy
from rnnkit.training import load_product, save_checkpoint

__all__ = ["DEFAULT_MODEL_PATH", "INFER_BATCH", "Tagger", "tag_result"]

DEFAULT_MODEL_PATH = Path(__file__).resolve().parents[2] / "pretrained" / "tagger.pt"  # the bundled model
INFER_BATCH = 64  # sentences per forward call when tagging many


def tag_result(pairs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """The JSON-ready shape of one tagged text: ``{"tokens": [{"word": ..., "tag": ...}, ...]}``."""
    return {"tokens": [{"word": word, "tag": tag} for word, tag in pairs]}


class Tagger:
    """A trained part-of-speech tagger: UPOS tags (NOUN, VERB, ADP, PROPN ...) for each word.

    Build one with :meth:`load` (the bundled UD English-Atis model by default) or :meth:`train`.
    """

    def __init__(self, parts: TaggerParts) -> None:
        if not isinstance(parts, TaggerParts):
            raise InputError(f"parts must be TaggerParts, got {type(parts).__name__}")
        self.parts = parts
        self.model = parts.model.eval()
        self.quantized: str | None = None  # "int8" after quantize()
        self._network = self.model  # what _forward runs: the model, or its int8 copy
        self._tag_ids = {tag: i for i, tag in enumerate(parts.tags)}

    def __repr__(self) -> str:
        c = self.config
        int8 = ", int8" if self.quantized else ""
        return (f"Tagger({c.cell} {c.num_layers}x{c.hidden_size} bidirectional, {len(self.tags)} tags, "
                f"vocabulary {len(self.parts.vocab)}{int8})")

    @property
    def tags(self) -> tuple[str, ...]:
        """The tags this model can give, most frequent in training first."""
        return self.parts.tags

    @property
    def config(self) -> TaggerConfig:
        """The configuration it was trained with."""
        return self.parts.config

    @property
    def metrics(self) -> dict[str, Any]:
        """Training metrics (validation accuracy, steps, time ...)."""
        return dict(self.parts.metrics)

    @classmethod
    def train(cls, source: Source, config: TaggerConfig | None = None, *, valid: Source | None = None,
              checkpoint_path: str | os.PathLike | None = None, resume_from: str | os.PathLike | None = None,
              callbacks: Iterable[Any] = ()) -> Tagger:
        """Train on a CoNLL-U file (or a list of :class:`~rnnkit.data.conllu.TaggedSentence`).

        Raises:
            ConfigError: ``config`` is not a TaggerConfig.
            InputError: unreadable or malformed data.
            CheckpointError: ``resume_from`` is unreadable or does not fit.
            TrainingError: the loss became NaN or infinite.
        """
        return cls(train_parts(source, config if config is not None else TaggerConfig(), valid=valid,
                               checkpoint_path=checkpoint_path, resume_from=resume_from, callbacks=callbacks))

    @classmethod
    def load(cls, path: str | os.PathLike | None = None, quantize: str | None = None) -> Tagger:
        """Load a tagger saved by :meth:`save` (or a Trainer checkpoint of :meth:`train`).

        Args:
            path: the checkpoint; None loads the bundled model, :data:`DEFAULT_MODEL_PATH`.
            quantize: "int8" tags with int8 weights (:meth:`quantize`); None keeps float32.

        Raises:
            NotTrainedError: ``path`` is None and no model is bundled.
            CheckpointError: the file is missing, unreadable, another product's, or inconsistent.
            ConfigError: ``quantize`` is not "int8" or None.
        """
        payload, path = load_product(path, DEFAULT_MODEL_PATH, "tagger", "rnnkit train tagger --train FILE.conllu",
                                     CHECKPOINT_KIND, quantize)
        tagger = cls(read_payload(payload, path))
        if quantize is not None:
            tagger.quantize(quantize)
        return tagger

    def quantize(self, scheme: str = "int8") -> None:
        """Tag with int8 weights (:func:`~rnnkit.nn.quantize.quantize_int8`): both BiLSTMs/BiGRUs and the output layer.

        :attr:`model` keeps its float weights (:meth:`save` writes them); an int8 copy that shares its
        embeddings runs the tagging. A plain-RNN cell (``cell="rnn"``) has no int8 kernel in torch and
        stays float32; so do the embeddings, which are looked up, not multiplied. Calling it again
        changes nothing. Each input is quantized on the fly with a scale taken from its whole batch, so a
        sentence's tags can differ slightly alone and among others (298 of 300 ATIS test sentences the same).

        Raises:
            ConfigError: an unknown scheme.
        """
        check_choice("quantize", scheme, QUANTIZE_CHOICES)
        if self.quantized == scheme:
            return
        embeddings = [m.weight for m in (self.model.embedding, self.model.char_embedding) if m is not None]
        # bidirectional int8 layers run packed (rnnkit.nn.fused); the character encoder may be absent
        self._network = int8_copy(self.model, ("char_encoder.fused", "encoder.fused", "output"), shared=embeddings)
        self.quantized = scheme

    def save(self, path: str | os.PathLike) -> Path:
        """Write the tagger to one checkpoint file (atomically); :meth:`load` reads it back.

        Raises:
            CheckpointError: the file cannot be written.
        """
        return save_checkpoint(path, build_payload(self.parts))

    def tag(self, text: str) -> list[tuple[str, str]]:
        """``[(word, tag), ...]`` for raw ``text``, words as typed (see :mod:`.text` for the splitting).

        Raises:
            InputError: ``text`` is not a str or is too long (:data:`~.text.MAX_TEXT_CHARS`).
        """
        return self.tag_many([text])[0]

    def tag_many(self, texts: Sequence[str]) -> list[list[tuple[str, str]]]:
        """:meth:`tag` for each of ``texts``, run in batches.

        Raises:
            InputError: ``texts`` is not a list of str, or one is too long.
        """
        if isinstance(texts, str) or not isinstance(texts, list | tuple):
            raise InputError(f"texts must be a list of str, got {type(texts).__name__}")
        split = [split_words(text) for text in texts]
        spans = [(i, start, end) for i, words in enumerate(split) for start, end in pieces(words)]
        tagged = self.tag_sentences([split[i][start:end] for i, start, end in spans])
        out: list[list[tuple[str, str]]] = [[] for _ in texts]
        for (i, start, end), tags in zip(spans, tagged, strict=True):
            out[i].extend(zip(split[i][start:end], tags, strict=True))
        return out

    def result(self, text: str) -> dict[str, Any]:
        """:meth:`tag` as the JSON-ready ``{"tokens": [{"word": ..., "tag": ...}, ...]}`` (CLI and service)."""
        return tag_result(self.tag(text))

    def tag_words(self, words: Sequence[str]) -> list[str]:
        """One tag per word of a sentence already split into words (e.g. from a CoNLL-U file)."""
        return self.tag_sentences([words])[0]

    def tag_sentences(self, sentences: Sequence[Sequence[str]]) -> list[list[str]]:
        """One tag list per sentence of words, run in batches of :data:`INFER_BATCH`.

        Punctuation gets :data:`~.text.PUNCT_TAG` by rule when the training data had no such tag
        (ATIS has none); the network reads the other words, as it did in training.

        Raises:
            InputError: ``sentences`` is not a list of lists of str.
        """
        if not isinstance(sentences, list | tuple) or not all(
                isinstance(s, list | tuple) and all(isinstance(w, str) and w for w in s) for s in sentences):
            raise InputError("sentences must be a list of lists of non-empty str words")
        by_rule = PUNCT_TAG not in self._tag_ids
        read = [[w for w in s if not (by_rule and is_punctuation(w))] for s in sentences]
        tagged = iter(self._format(self._forward(self.prepare([s for s in read if s]))))
        out = []
        for sentence, kept in zip(sentences, read, strict=True):
            model_tags = iter(next(tagged) if kept else [])
            out.append([PUNCT_TAG if by_rule and is_punctuation(w) else next(model_tags) for w in sentence])
        return out

    def prepare(self, sentences: list[list[str]]) -> TaggedIds:
        """The network's inputs for words already split (lower-casing, word and character ids, as trained)."""
        cfg = self.parts.config
        words = [[w.lower() for w in s] if cfg.lower else list(s) for s in sentences]
        return encode_sentences(words, None, self.parts.vocab, self.parts.chars, self._tag_ids, cfg.max_word_len)

    @torch.no_grad()
    def _forward(self, data: TaggedIds) -> list[np.ndarray]:
        """The best tag id of every word, per sentence, in the order given."""
        order = np.argsort(data.lengths, kind="stable")
        best: list[np.ndarray] = [np.empty(0, dtype=np.int64)] * len(order)
        for start in range(0, len(order), INFER_BATCH):
            key = order[start:start + INFER_BATCH].tolist()
            words, chars, lengths, _ = make_batch(data, key)
            ids = self._network(words, chars, lengths).argmax(-1).numpy()  # (B, T)
            for row, i in enumerate(key):
                best[i] = ids[row, :data.lengths[i]]
        return best

    def _format(self, best: list[np.ndarray]) -> list[list[str]]:
        return [[self.parts.tags[int(i)] for i in row] for row in best]
