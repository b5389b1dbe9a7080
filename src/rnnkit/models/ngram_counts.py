"""Counting and estimation for :class:`rnnkit.models.ngram.KneserNeyLM`, vectorised with numpy.

N-grams live in a trie of sorted integer codes, one array per order. A unigram's index is its id
(the begin-of-sentence marker gets id ``vocab_size``, one past the vocabulary); a k-gram's index is
its position in ``codes[k]``, and its code is ``index(its first k-1 words) * base + last word`` with
``base = vocab_size + 1``. Sorting by code groups every k-gram under its context, so the words seen
after a context are one contiguous slice, found with ``offsets``::

    codes[3]   ... | ctx 17: (17*base + 4) (17*base + 9) (17*base + 12) | ctx 18: ...
    offsets[3] ...   ^ offsets[3][17]                                     ^ offsets[3][18]

Codes stay far below 2**63 (index < number of tokens), unlike codes that pack whole n-grams.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

logger = logging.getLogger(__name__)

# KenLM lmplz's --discount_fallback values, used for an order whose count-of-counts leave Chen &
# Goodman's estimate undefined or out of range (tiny corpora: some n_r is 0).
FALLBACK_DISCOUNTS = (0.5, 1.0, 1.5)


@dataclass
class OrderTable:
    """Order k >= 2: the k-grams' codes and probabilities, and each (k-1)-gram context's weight."""

    codes: np.ndarray  # (n_k,) int64, sorted: context index * base + word
    counts: np.ndarray  # (n_k,) int64 adjusted counts (raw at the top order, continuation below)
    words: np.ndarray  # (n_k,) int64, the last word of each k-gram
    probs: np.ndarray  # (n_k,) float64, (count - D(count)) / total(context)
    offsets: np.ndarray  # (n_contexts + 1,) int64, context c's k-grams are codes[offsets[c]:offsets[c+1]]
    gamma: np.ndarray  # (n_contexts,) float64, weight of the lower order; 1.0 for contexts never followed


@dataclass
class _Windows:
    """The k-gram types of a stream and where each k-window of the stream falls among them."""

    codes: np.ndarray  # (n_types,) sorted codes
    raw: np.ndarray  # (n_types,) how often each type occurs
    first: np.ndarray  # (n_types,) stream position where each type first starts
    index: np.ndarray  # (L - k + 1,) type of the window starting at each position; -1 if it holds a BOS past its start


def _count_windows(stream: np.ndarray, order: int, bos: int, base: int) -> list[_Windows]:
    """Windows of length 1..order; length 1 is every position, its type the id itself."""
    levels = [_Windows(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64), stream)]
    valid = np.ones(len(stream), dtype=bool)
    for k in range(2, order + 1):
        n = max(len(stream) - k + 1, 0)
        valid = valid[:n] & (stream[k - 1 :] != bos)  # window i..i+k-1 holds no BOS after its start
        positions = np.flatnonzero(valid)
        codes, first, inverse, raw = np.unique(
            levels[-1].index[positions] * base + stream[positions + k - 1],
            return_index=True,
            return_inverse=True,
            return_counts=True,
        )
        index = np.full(n, -1, dtype=np.int64)
        index[positions] = inverse
        levels.append(_Windows(codes, raw.astype(np.int64), positions[first], index))
    return levels


def stream_ngrams(
    stream: np.ndarray, order: int, bos: int, base: int
) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
    """Count every n-gram of ``stream`` up to ``order`` and turn the counts into KN adjusted counts.

    Args:
        stream: (L,) int64 ids; ``bos`` starts every sentence (and ``stream[0]`` is ``bos``). No
            n-gram has ``bos`` anywhere but first, so n-grams never cross a sentence start.
        order: the highest order N.
        bos: the internal begin-of-sentence id (``base - 1``); it is never predicted.
        base: the code base, ``vocab_size + 1``.

    Returns:
        ``(unigram_counts, ngrams)``: (vocab_size,) continuation counts of each word, and
        ``[(codes_k, adjusted_counts_k) for k in 2..N]``, int64 arrays, codes sorted.
    """
    levels = _count_windows(stream, order, bos, base)
    # A k-gram's continuation count is how many (k+1)-gram types end with it: the suffix of the
    # (k+1)-gram starting at p is the k-gram starting at p + 1.
    unigram = np.bincount(stream[levels[1].first + 1], minlength=base)[:bos].astype(np.int64)
    ngrams = []
    for k in range(2, order):
        level = levels[k - 1]
        cont = np.bincount(level.index[levels[k].first + 1], minlength=len(level.codes))
        counts = np.where(stream[level.first] == bos, level.raw, cont)  # <s> n-grams keep raw counts
        ngrams.append((level.codes, counts.astype(np.int64)))
    ngrams.append((levels[order - 1].codes, levels[order - 1].raw))
    return unigram, ngrams


def kn_discounts(counts: np.ndarray) -> tuple[float, float, float]:
    """Chen & Goodman's D1, D2, D3+ from the count-of-counts n1..n4 of one order's adjusted counts.

    ``Y = n1 / (n1 + 2 n2)`` and ``D_r = r - (r + 1) Y n_{r+1} / n_r``; where that is undefined or a
    discount falls outside (0, r), :data:`FALLBACK_DISCOUNTS` is used instead.
    """
    n1, n2, n3, n4 = (int(np.count_nonzero(counts == r)) for r in (1, 2, 3, 4))
    if min(n1, n2, n3, n4) == 0:
        logger.info("count-of-counts %s has a zero; using fallback discounts %s", (n1, n2, n3, n4), FALLBACK_DISCOUNTS)
        return FALLBACK_DISCOUNTS
    y = n1 / (n1 + 2 * n2)
    discounts = (1 - 2 * y * n2 / n1, 2 - 3 * y * n3 / n2, 3 - 4 * y * n4 / n3)
    if not all(0 < d < r for r, d in enumerate(discounts, start=1)):
        logger.info("discounts %s out of range; using fallback discounts %s", discounts, FALLBACK_DISCOUNTS)
        return FALLBACK_DISCOUNTS
    return discounts


def discount_of(counts: np.ndarray, discounts: tuple[float, float, float]) -> np.ndarray:
    """The discount D(c) of each count (c >= 1), as float64."""
    return np.asarray(discounts, dtype=np.float64)[np.minimum(counts, 3) - 1]


def unigram_probs(counts: np.ndarray, discounts: tuple[float, float, float]) -> np.ndarray:
    """(vocab_size,) unigram distribution interpolated with a uniform one over every id but ``<pad>`` (0)."""
    seen = counts > 0
    total = counts.sum()
    disc = np.zeros(len(counts))
    disc[seen] = discount_of(counts[seen], discounts)
    probs = (counts - disc) / total
    uniform = np.full(len(counts), 1.0 / (len(counts) - 1))
    uniform[0] = 0.0
    return probs + disc.sum() / total * uniform


def order_table(
    codes: np.ndarray, counts: np.ndarray, discounts: tuple[float, float, float], base: int, n_contexts: int
) -> OrderTable:
    """Probabilities and lower-order weights of one order k >= 2 from its codes and adjusted counts."""
    contexts, words = np.divmod(codes, base)
    disc = discount_of(counts, discounts)
    total = np.bincount(contexts, weights=counts, minlength=n_contexts)
    discounted = np.bincount(contexts, weights=disc, minlength=n_contexts)
    followed = total > 0
    gamma = np.ones(n_contexts)
    gamma[followed] = discounted[followed] / total[followed]
    return OrderTable(
        codes=codes,
        counts=counts,
        words=words,
        probs=(counts - disc) / total[contexts] if len(codes) else np.zeros(0),
        offsets=np.searchsorted(contexts, np.arange(n_contexts + 1)).astype(np.int64),
        gamma=gamma,
    )
