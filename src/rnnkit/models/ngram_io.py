"""Input checks and the plain-data form of :class:`rnnkit.models.ngram.KneserNeyLM`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from rnnkit.errors import InputError

FORMAT = "rnnkit.kneser_ney"  # marks a dict as a KneserNeyLM's, so foreign dicts are rejected
VERSION = 1
MIN_ORDER, MAX_ORDER = 2, 6


def id_array(seq: Any, name: str) -> np.ndarray:
    """A 1-D int64 copy of ``seq`` (a sequence of ints), else InputError."""
    if isinstance(seq, str | bytes):
        raise InputError(f"{name} must be a sequence of int token ids, got a {type(seq).__name__}")
    try:
        arr = np.asarray(seq)
    except (TypeError, ValueError) as err:
        raise InputError(f"{name} must be a sequence of int token ids: {err}") from err
    if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
        raise InputError(f"{name} must be a 1-D sequence of int token ids, got {arr.dtype} of shape {arr.shape}")
    return arr.astype(np.int64)


def as_sentences(data: Any, name: str) -> list[np.ndarray]:
    """Sentences of ids from an iterable of sequences, or from one flat sequence (one sentence)."""
    if isinstance(data, str | bytes) or not isinstance(data, Iterable):
        raise InputError(f"{name} must be sentences of int ids or one sequence of ids, got {type(data).__name__}")
    if isinstance(data, np.ndarray) and data.ndim == 1:
        return [id_array(data, name)]
    data = list(data)
    if data and isinstance(data[0], int | np.integer):
        return [id_array(data, name)]
    return [id_array(s, f"{name}[{i}]") for i, s in enumerate(data)]


def check_range(ids: np.ndarray, vocab_size: int, name: str) -> None:
    """Raise InputError unless every id lies in [1, vocab_size)."""
    if ids.size and (int(ids.min()) < 1 or int(ids.max()) >= vocab_size):
        raise InputError(
            f"{name} must lie in [1, {vocab_size}) (0 is <pad>, never a token), got values from "
            f"{int(ids.min())} to {int(ids.max())}"
        )


def _int(value: Any, name: str, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low or (high and value > high):
        raise InputError(f"bad KneserNeyLM dict: {name} must be an int in [{low}, {high or 'inf'}], got {value!r}")
    return int(value)


def _int_array(value: Any, name: str) -> np.ndarray:
    arr = np.asarray(value)
    if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
        raise InputError(f"bad KneserNeyLM dict: {name} must be a 1-D int array, got {arr.dtype} {arr.shape}")
    return arr.astype(np.int64)


def _discounts(value: Any, order: int) -> list[tuple[float, float, float]]:
    arr = np.asarray(value, dtype=object)
    if arr.shape != (order, 3):
        raise InputError(f"bad KneserNeyLM dict: discounts must be {order} rows of 3, got shape {arr.shape}")
    arr = arr.astype(np.float64)
    if not (np.isfinite(arr).all() and (arr > 0).all() and (arr < [1, 2, 3]).all()):
        raise InputError(f"bad KneserNeyLM dict: discounts must satisfy 0 < D_r < r, got {arr.tolist()}")
    return [(float(a), float(b), float(c)) for a, b, c in arr]


def _ngrams(codes: Any, counts: Any, order: int, vocab_size: int) -> list[tuple[np.ndarray, np.ndarray]]:
    if (
        not isinstance(codes, list | tuple)
        or not isinstance(counts, list | tuple)
        or not (len(codes) == len(counts) == order - 1)
    ):
        raise InputError(f"bad KneserNeyLM dict: codes and counts must be lists of {order - 1} arrays")
    base, n_contexts, out = vocab_size + 1, vocab_size + 1, []
    for k, (c, n) in enumerate(zip(codes, counts, strict=True), start=2):
        c, n = _int_array(c, f"codes[{k - 2}]"), _int_array(n, f"counts[{k - 2}]")
        contexts, words = np.divmod(c, base)
        ok = len(c) == len(n) and (np.diff(c) > 0).all() and (n >= 1).all()
        ok = ok and (not c.size or (contexts.min() >= 0 and contexts.max() < n_contexts and words.min() >= 1))
        if not ok or (c.size and words.max() >= vocab_size):
            raise InputError(f"bad KneserNeyLM dict: the order-{k} codes/counts are inconsistent")
        out.append((c, n))
        n_contexts = len(c)
    return out


def parse_model_dict(data: Any) -> tuple[int, bool, int, np.ndarray, list, list]:
    """Check a :meth:`KneserNeyLM.to_dict` dict.

    Returns:
        ``(order, cross_sentence, vocab_size, unigram_counts, [(codes_k, counts_k)], discounts)``.

    Raises:
        InputError: not a KneserNeyLM dict of a known version, or its fields are inconsistent.
    """
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(f"not a KneserNeyLM dict: expected a dict with format {FORMAT!r}")
    if data.get("version") != VERSION:
        raise InputError(f"unsupported KneserNeyLM dict version {data.get('version')!r}, expected {VERSION}")
    order = _int(data.get("order"), "order", MIN_ORDER, MAX_ORDER)
    vocab_size = _int(data.get("vocab_size"), "vocab_size", 2)
    cross_sentence = data.get("cross_sentence")
    if not isinstance(cross_sentence, bool):
        raise InputError(f"bad KneserNeyLM dict: cross_sentence must be a bool, got {cross_sentence!r}")
    unigram = _int_array(data.get("unigram_counts"), "unigram_counts")
    if unigram.shape != (vocab_size,) or unigram.min() < 0 or unigram[0] != 0 or unigram.sum() == 0:
        raise InputError(f"bad KneserNeyLM dict: unigram_counts must be {vocab_size} counts >= 0, none for <pad>")
    ngrams = _ngrams(data.get("codes"), data.get("counts"), order, vocab_size)
    return order, cross_sentence, vocab_size, unigram, ngrams, _discounts(data.get("discounts"), order)
