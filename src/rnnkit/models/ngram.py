"""Interpolated modified Kneser-Ney n-gram language model over token ids: the count-based peer of
:class:`rnnkit.models.LanguageModel` for next-word prediction.

Hand-written because no maintained offline Python package trains modified Kneser-Ney: kenlm's
Python module only queries ARPA/binary files (training is its C++ ``lmplz``), and NLTK's
``KneserNeyInterpolated`` has one discount per order instead of three and scores word by word in
pure Python, far too slowly for PTB. This one is numpy only; counting is in :mod:`.ngram_counts`.

The model (Chen & Goodman 1998, as KenLM's ``lmplz`` and SRILM's ``-kndiscount -interpolate``)::

    p_k(w | h) = (c_k(hw) - D_k(c_k(hw))) / sum_v c_k(hv)  +  gamma_k(h) * p_{k-1}(w | h')
    gamma_k(h) = (D_k,1 N1(h.) + D_k,2 N2(h.) + D_k,3+ N3+(h.)) / sum_v c_k(hv)
    p_0(w)     = 1 / (vocab_size - 1)       uniform over every id but <pad>, which gets nothing

``h'`` drops the oldest word of ``h``; a context never followed by anything at order k gives
``p_k = p_{k-1}``. ``c_N`` is the raw count; below the top order ``c_k(g)`` is the continuation
count N1+(. g), the number of distinct words seen before ``g``, except for n-grams that start at
a sentence start, which cannot be extended to the left and keep their raw count. Each order's
D1, D2, D3+ come from the count-of-counts n1..n4 of its ``c_k`` (see
:func:`.ngram_counts.kn_discounts`).

Sentence starts: every sentence is preceded by :attr:`KneserNeyLM.BOS` (-1), a marker that is a
context but never predicted. With ``cross_sentence=True`` (the default: the PTB language-modelling
convention, the way rnnkit's RNN models read and score PTB) the corpus is one stream and only its
very start gets the marker, so contexts run across sentences through the ``<eos>`` tokens; with
``False`` each sentence starts afresh after the marker (SRILM's per-sentence ``<s>``). Measured on
PTB test (``tests/models/test_ngram.py``), order 3/4/5: 148.4/142.7/141.1 across sentences and
148.3/142.7/141.2 per sentence; Mikolov et al. (2011) report 141.2 for SRILM's KN5.

For next-word prediction, start a context with :attr:`BOS` for "start of a sentence" when
``cross_sentence=False``, or with ``<eos>``'s id when ``cross_sentence=True``; a context without
either is read as the end of a longer text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

import numpy as np

from rnnkit.errors import ConfigError, InputError, NotTrainedError
from rnnkit.models.ngram_counts import kn_discounts, order_table, stream_ngrams, unigram_probs
from rnnkit.models.ngram_io import (
    FORMAT,
    MAX_ORDER,
    MIN_ORDER,
    VERSION,
    as_sentences,
    check_range,
    id_array,
    parse_model_dict,
)

__all__ = ["KneserNeyLM"]


def _lookup(codes: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each key sits in the sorted ``codes``: (found mask, position clipped into range)."""
    if not len(codes):
        return np.zeros(len(keys), dtype=bool), np.zeros(len(keys), dtype=np.int64)
    pos = np.minimum(np.searchsorted(codes, keys), len(codes) - 1)
    return codes[pos] == keys, pos


class KneserNeyLM:
    """Interpolated modified Kneser-Ney n-gram language model over integer token ids.

    Args:
        order: the n of the n-grams, 2 to 6 (5 is the usual choice for word models).
        cross_sentence: count and score the corpus as one stream whose contexts run across
            sentence ends (PTB convention); False starts every sentence from :attr:`BOS`.

    Raises:
        ConfigError: ``order`` is not an int in [2, 6] or ``cross_sentence`` is not a bool.
    """

    BOS: ClassVar[int] = -1  # begin-of-sentence marker; a context may start with it

    def __init__(self, order: int = 5, *, cross_sentence: bool = True) -> None:
        if isinstance(order, bool) or not isinstance(order, int) or not MIN_ORDER <= order <= MAX_ORDER:
            raise ConfigError(f"order must be an int from {MIN_ORDER} to {MAX_ORDER}, got {order!r}")
        if not isinstance(cross_sentence, bool):
            raise ConfigError(f"cross_sentence must be a bool, got {cross_sentence!r}")
        self._order = order
        self._cross_sentence = cross_sentence
        self._vocab_size: int | None = None

    @property
    def order(self) -> int:
        """The highest n-gram order."""
        return self._order

    @property
    def cross_sentence(self) -> bool:
        """Whether contexts run across sentence ends."""
        return self._cross_sentence

    @property
    def vocab_size(self) -> int | None:
        """Size of the id space (``<pad>`` included), None before :meth:`fit`."""
        return self._vocab_size

    @property
    def discounts(self) -> list[tuple[float, float, float]]:
        """(D1, D2, D3+) of each order 1..N (item 0 is the unigram order)."""
        self._require_fitted()
        return list(self._discounts)

    def __repr__(self) -> str:
        return f"KneserNeyLM(order={self._order}, cross_sentence={self._cross_sentence}, vocab_size={self._vocab_size})"

    def fit(self, sentences: Iterable[Sequence[int]], vocab_size: int) -> KneserNeyLM:
        """Count the n-grams of a corpus and estimate the model (replaces any earlier fit).

        Args:
            sentences: sentences of ids in [1, vocab_size), each typically ending with ``<eos>``'s
                id; one flat sequence of ids counts as one sentence.
            vocab_size: size of the id space, ``<pad>`` (0) included, e.g. ``len(vocab)``.

        Returns:
            self, fitted.

        Raises:
            InputError: vocab_size is not an int >= 2, the corpus holds no token, or an id is not
                an int in [1, vocab_size).
        """
        if isinstance(vocab_size, bool) or not isinstance(vocab_size, int | np.integer) or vocab_size < 2:
            raise InputError(f"vocab_size must be an int >= 2 (<pad> plus one token), got {vocab_size!r}")
        vocab_size = int(vocab_size)
        stream = self._stream(as_sentences(sentences, "sentences"), vocab_size, "sentences")
        if len(stream) < 2:
            raise InputError("the corpus holds no tokens; pass at least one non-empty sentence of ids")
        base = vocab_size + 1
        if len(stream) * base >= 2**63:  # trie codes are n-gram index * base + word, in int64
            raise InputError(f"a corpus of {len(stream)} tokens over {vocab_size} ids is too large for int64 codes")
        unigram, ngrams = stream_ngrams(stream, self._order, bos=vocab_size, base=base)
        discounts = [kn_discounts(unigram[unigram > 0])] + [kn_discounts(counts) for _, counts in ngrams]
        self._build(vocab_size, unigram, ngrams, discounts)
        return self

    def prob(self, word: int, context: Sequence[int]) -> float:
        """p(word | context); the context may start with :attr:`BOS` (0.0 for ``<pad>``).

        Raises:
            NotTrainedError: the model is not fitted.
            InputError: word or a context id is not an int in range.
        """
        self._require_fitted()
        if isinstance(word, bool) or not isinstance(word, int | np.integer) or not 0 <= word < self._vocab_size:
            raise InputError(f"word must be an int id in [0, {self._vocab_size}), got {word!r}")
        p = float(self._p1[word])
        for table, c in zip(self._tables, self._context_indices(context), strict=False):
            start, end = table.offsets[c], table.offsets[c + 1]
            key = c * self._base + int(word)
            pos = start + int(np.searchsorted(table.codes[start:end], key))
            p = table.gamma[c] * p + (table.probs[pos] if pos < end and table.codes[pos] == key else 0.0)
        return float(p)

    def distribution(self, context: Sequence[int]) -> np.ndarray:
        """p(. | context) over every id: float64 (vocab_size,), summing to 1, 0 at ``<pad>``.

        Raises:
            NotTrainedError: the model is not fitted.
            InputError: a context id is not an int in range.
        """
        self._require_fitted()
        vec = self._p1.copy()
        for table, c in zip(self._tables, self._context_indices(context), strict=False):
            start, end = table.offsets[c], table.offsets[c + 1]
            vec *= table.gamma[c]
            vec[table.words[start:end]] += table.probs[start:end]
        return vec

    def log_probs(self, ids: Sequence[int]) -> np.ndarray:
        """Natural-log probability of each id given the ones before it, starting after :attr:`BOS`.

        Returns:
            float64 (len(ids),).

        Raises:
            NotTrainedError: the model is not fitted.
            InputError: an id is not an int in [1, vocab_size).
        """
        self._require_fitted()
        return self._stream_log_probs(self._stream([id_array(ids, "ids")], self._vocab_size, "ids"))

    def perplexity(self, sentences_or_stream: Iterable[Sequence[int]] | Sequence[int]) -> float:
        """exp of the mean negative log-probability of every token (``<eos>`` ids included).

        Args:
            sentences_or_stream: sentences of ids, split and joined as in :meth:`fit`, or one flat
                sequence of ids (one sentence).

        Raises:
            NotTrainedError: the model is not fitted.
            InputError: no tokens, or an id is not an int in [1, vocab_size).
        """
        self._require_fitted()
        stream = self._stream(as_sentences(sentences_or_stream, "sentences_or_stream"), self._vocab_size, "ids")
        if len(stream) < 2:
            raise InputError("perplexity needs at least one token, got none")
        return float(np.exp(-self._stream_log_probs(stream).mean()))

    def to_dict(self) -> dict[str, Any]:
        """Plain data (str/int/bool/float/list and int64 arrays), the inverse of :meth:`from_dict`."""
        self._require_fitted()
        return {
            "format": FORMAT,
            "version": VERSION,
            "order": self._order,
            "cross_sentence": self._cross_sentence,
            "vocab_size": self._vocab_size,
            "discounts": [list(d) for d in self._discounts],
            "unigram_counts": self._unigram.copy(),
            "codes": [t.codes.copy() for t in self._tables],
            "counts": [t.counts.copy() for t in self._tables],
        }

    @classmethod
    def from_dict(cls, data: Any) -> KneserNeyLM:
        """Rebuild a model from :meth:`to_dict` output.

        Raises:
            InputError: ``data`` is not a KneserNeyLM dict of a known version, or is inconsistent.
        """
        order, cross_sentence, vocab_size, unigram, ngrams, discounts = parse_model_dict(data)
        try:
            model = cls(order, cross_sentence=cross_sentence)
        except ConfigError as err:
            raise InputError(f"bad KneserNeyLM dict: {err}") from err
        model._build(vocab_size, unigram, ngrams, discounts)
        return model

    def _require_fitted(self) -> None:
        if self._vocab_size is None:
            raise NotTrainedError("this KneserNeyLM is not fitted; call fit(sentences, vocab_size) or from_dict first")

    def _build(
        self,
        vocab_size: int,
        unigram: np.ndarray,
        ngrams: list[tuple[np.ndarray, np.ndarray]],
        discounts: list[tuple[float, float, float]],
    ) -> None:
        """Set the fitted state from adjusted counts and discounts."""
        self._vocab_size, self._base = vocab_size, vocab_size + 1
        self._unigram, self._discounts = unigram, [tuple(float(x) for x in d) for d in discounts]
        self._p1 = unigram_probs(unigram, self._discounts[0])
        self._tables = []
        n_contexts = self._base  # order-2 contexts are single ids, the internal BOS (vocab_size) included
        for (codes, counts), disc in zip(ngrams, self._discounts[1:], strict=True):
            self._tables.append(order_table(codes, counts, disc, self._base, n_contexts))
            n_contexts = len(codes)

    def _stream(self, sentences: list[np.ndarray], vocab_size: int, name: str) -> np.ndarray:
        """One int64 stream, the internal BOS (vocab_size) before each sentence (or only the first)."""
        for i, s in enumerate(sentences):
            check_range(s, vocab_size, f"{name}[{i}]" if len(sentences) > 1 else name)
        sentences = [s for s in sentences if s.size]
        if self._cross_sentence and sentences:
            sentences = [np.concatenate(sentences)]
        if not sentences:
            return np.full(1, vocab_size, dtype=np.int64)
        starts = np.cumsum([0] + [len(s) for s in sentences[:-1]])
        return np.insert(np.concatenate(sentences), starts, vocab_size)

    def _context_indices(self, context: Sequence[int]) -> list[int]:
        """Trie index of each suffix of the context (length 1, 2, ... up to order - 1) until one is unseen."""
        ctx = id_array(context, "context")
        bos = np.flatnonzero(ctx == self.BOS)
        ctx = ctx[bos[-1] + 1 :] if bos.size else ctx  # nothing is counted across a sentence start
        check_range(ctx, self._vocab_size, "context")
        ids = ([self._vocab_size] if bos.size else []) + ctx.tolist()
        ids = ids[len(ids) - self._order + 1 :] if len(ids) >= self._order else ids
        indices = []
        for j in range(1, len(ids) + 1):
            index = ids[-j]
            for table, w in zip(self._tables, ids[len(ids) - j + 1 :], strict=False):
                key = index * self._base + w
                index = int(np.searchsorted(table.codes, key))
                if index >= len(table.codes) or table.codes[index] != key:
                    return indices
            indices.append(index)
        return indices

    def _stream_log_probs(self, stream: np.ndarray) -> np.ndarray:
        """Log-probability of every non-BOS token of an internal stream, all positions at once."""
        bos = self._vocab_size
        targets = np.flatnonzero(stream != bos)
        words = stream[targets]
        p = self._p1[words]
        index = stream  # trie index of the window of length j starting at each position (-1: unseen)
        for j, table in enumerate(self._tables, start=1):
            if j > 1:
                prev, last = index[: len(stream) - j + 1], stream[j - 1 :]
                found, pos = _lookup(self._tables[j - 2].codes, prev * self._base + last)
                index = np.where(found & (prev >= 0) & (last != bos), pos, -1)
            ctx = np.full(len(targets), -1, dtype=np.int64)
            has = targets >= j
            ctx[has] = index[targets[has] - j]
            active = ctx >= 0
            if not active.any():
                break
            c = ctx[active]
            found, pos = _lookup(table.codes, c * self._base + words[active])
            p[active] = table.gamma[c] * p[active] + np.where(found, table.probs[pos], 0.0)
        return np.log(p)
