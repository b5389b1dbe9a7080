"""Group sequences into batches of similar length, so little of each padded batch is padding.

``bucket_batches`` with batch_size=2, bucket_size=4, lengths by index ``[5, 1, 9, 2, 8, 3, 7, 4]``::

    shuffled indices     [2, 4, 3, 6 | 5, 0, 1, 7]        (seed=0 permutation; buckets of 4)
    sorted in a bucket   [2, 4, 6, 3 | 0, 7, 5, 1]        (longest first, stable for equal lengths)
    cut into batches     [2, 4] [6, 3] [0, 7] [5, 1]      (never across a bucket boundary)
    batch order shuffled [6, 3] [0, 7] [2, 4] [5, 1]      (same generator, so one seed fixes both)

Within each batch the indices run from longest to shortest, which is the order
``torch.nn.utils.rnn.pack_padded_sequence(..., enforce_sorted=True)`` wants.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from rnnkit.errors import InputError
from rnnkit.text.encode import pad_sequences_with_lengths

__all__ = ["BUCKET_BATCHES", "bucket_batches", "collate", "naive_batches", "padding_fraction"]

BUCKET_BATCHES = 50  # default bucket_size is this many batches: wide enough to shuffle well, narrow enough to sort


def _check_positive(value: Any, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise InputError(f"{name} must be a positive integer, got {value!r}")


def _check_lengths(lengths: Any) -> np.ndarray:
    if isinstance(lengths, str | bytes) or not isinstance(lengths, Sequence | np.ndarray):
        raise InputError(f"lengths must be a list of non-negative integers, got {type(lengths).__name__}")
    arr = np.asarray(lengths)
    if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
        raise InputError(f"lengths must be a flat list of integers, got {arr.dtype} with shape {arr.shape}")
    if arr.size and arr.min() < 0:
        raise InputError(f"lengths must be non-negative, got {int(arr.min())}")
    return arr.astype(np.int64)


def _cut(order: np.ndarray, batch_size: int) -> list[list[int]]:
    return [order[i : i + batch_size].tolist() for i in range(0, len(order), batch_size)]


def naive_batches(
    n: int, batch_size: int, *, shuffle: bool = True, seed: int = 0, drop_last: bool = False
) -> list[list[int]]:
    """Batches of indices ``0..n-1`` in (optionally shuffled) order, ignoring lengths.

    Args:
        n: number of examples (0 gives no batches).
        batch_size: examples per batch; only the last batch may be smaller.
        shuffle: permute the indices with ``seed`` first.
        seed: seed of the permutation.
        drop_last: leave out a final batch smaller than ``batch_size``.

    Returns:
        A list of batches, each a list of indices; every index at most once.

    Raises:
        InputError: ``n`` negative or ``batch_size`` not a positive integer.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
        raise InputError(f"n must be a non-negative integer, got {n!r}")
    _check_positive(batch_size, "batch_size")
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    batches = _cut(order, batch_size)
    if drop_last and batches and len(batches[-1]) < batch_size:
        batches.pop()
    return batches


def bucket_batches(
    lengths: Sequence[int],
    batch_size: int,
    *,
    shuffle: bool = True,
    seed: int = 0,
    bucket_size: int | None = None,
    drop_last: bool = False,
) -> list[list[int]]:
    """Batches of indices whose sequences have similar lengths (see the module docstring).

    Args:
        lengths: the length of each example.
        batch_size: examples per batch; only the last batch may be smaller.
        shuffle: permute the indices before bucketing and the batches afterwards, with ``seed``.
        seed: seed of both permutations; the same seed gives the same batches.
        bucket_size: examples sorted together; a multiple of ``batch_size``. None means
            ``BUCKET_BATCHES * batch_size``; ``len(lengths)`` or more sorts everything.
        drop_last: leave out the one batch smaller than ``batch_size``, if there is one.

    Returns:
        A list of batches, each a list of indices, longest sequence first; every index exactly
        once (once at most with ``drop_last``).

    Raises:
        InputError: bad lengths, ``batch_size`` not positive, or ``bucket_size`` not a positive
            multiple of ``batch_size``.
    """
    arr = _check_lengths(lengths)
    _check_positive(batch_size, "batch_size")
    if bucket_size is None:
        bucket_size = BUCKET_BATCHES * batch_size
    _check_positive(bucket_size, "bucket_size")
    if bucket_size % batch_size:
        raise InputError(f"bucket_size must be a multiple of batch_size={batch_size}, got {bucket_size}")
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(arr)) if shuffle else np.arange(len(arr))
    batches: list[list[int]] = []
    for start in range(0, len(order), bucket_size):
        bucket = order[start : start + bucket_size]
        bucket = bucket[np.argsort(-arr[bucket], kind="stable")]  # longest first
        batches.extend(_cut(bucket, batch_size))
    if drop_last and batches and len(batches[-1]) < batch_size:
        batches.pop()
    if shuffle:
        batches = [batches[i] for i in rng.permutation(len(batches))]
    return batches


def padding_fraction(batches: Sequence[Sequence[int]], lengths: Sequence[int]) -> float:
    """Share of positions that are padding when each batch is padded to its own longest sequence.

    Returns:
        ``padded positions / all positions`` in ``[0, 1)``; 0.0 when there are no positions.

    Raises:
        InputError: bad lengths, batches that are not lists of integer indices, or an index outside
            ``lengths``.
    """
    arr = _check_lengths(lengths)
    if isinstance(batches, str | bytes) or not isinstance(batches, Sequence | np.ndarray):
        raise InputError(f"batches must be a list of index lists, got {type(batches).__name__}")
    padded = total = 0
    for b, batch in enumerate(batches):
        idx = np.asarray(batch)
        if idx.ndim != 1 or (idx.size and idx.dtype.kind not in "iu"):
            raise InputError(f"batch {b} must be a flat list of integer indices, got {batch!r}")
        if idx.size and (idx.min() < 0 or idx.max() >= len(arr)):
            raise InputError(f"batch {b} holds an index outside 0..{len(arr) - 1}: {batch!r}")
        if idx.size:
            batch_lengths = arr[idx]
            total += int(batch_lengths.max()) * idx.size
            padded += int(batch_lengths.max()) * idx.size - int(batch_lengths.sum())
    return padded / total if total else 0.0


def collate(sequences: Sequence[Sequence[int]], padding: str = "post", value: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Pad one batch of id sequences to its own longest sequence.

    Args:
        sequences: the batch, one integer sequence per example (at least one).
        padding: ``"post"`` (default, what ``pack_padded_sequence`` expects) or ``"pre"``.
        value: the padding id.

    Returns:
        ``(ids, lengths)``: int64 arrays of shapes ``(batch, longest)`` and ``(batch,)``.

    Raises:
        InputError: an empty batch, or anything :func:`rnnkit.text.pad_sequences` rejects.
    """
    return pad_sequences_with_lengths(sequences, maxlen=None, padding=padding, truncating="post", value=value)
