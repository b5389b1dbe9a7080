"""Turn id sequences into arrays: one-hot vectors and Keras-style padding.

``pad_sequences`` follows ``keras.utils.pad_sequences`` exactly (same defaults, same result) for
sequences of integer ids, except that it returns int64 and checks its arguments::

    sequences [[1, 2, 3], [4, 5, 6, 7, 8], []], maxlen=4

    truncating="pre"  keeps the LAST maxlen items   [4, 5, 6, 7, 8] -> [5, 6, 7, 8]
    truncating="post" keeps the FIRST maxlen items  [4, 5, 6, 7, 8] -> [4, 5, 6, 7]
    padding="pre"     value goes before the items   [1, 2, 3]       -> [0, 1, 2, 3]
    padding="post"    value goes after the items    [1, 2, 3]       -> [1, 2, 3, 0]
    an empty sequence is a row of value             []              -> [0, 0, 0, 0]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from rnnkit.errors import InputError

__all__ = ["PADDING_SIDES", "one_hot", "pad_sequences", "pad_sequences_with_lengths"]

PADDING_SIDES = ("pre", "post")  # Keras's words for both `padding` and `truncating`; "pre" is its default


def _is_int(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def one_hot(ids: Any, num_classes: int) -> np.ndarray:
    """One-hot encode integer ids.

    Args:
        ids: an int, or a (nested) list / array of ints, each in ``[0, num_classes)``.
        num_classes: the length of each one-hot vector (usually ``len(vocab)``).

    Returns:
        float32 array of shape ``(*np.shape(ids), num_classes)``.

    Raises:
        InputError: ``num_classes < 1``, ids that are not integers, or an id outside ``[0, num_classes)``.
    """
    if not _is_int(num_classes) or num_classes < 1:
        raise InputError(f"num_classes must be a positive integer, got {num_classes!r}")
    try:
        arr = np.asarray(ids)
    except ValueError as err:  # ragged nested lists
        raise InputError(f"ids must be a rectangular array of integers: {err}") from err
    if arr.size and arr.dtype.kind not in "iu":
        raise InputError(f"ids must be integers, got dtype {arr.dtype}")
    flat = arr.reshape(-1).astype(np.int64)
    bad = flat[(flat < 0) | (flat >= num_classes)]
    if bad.size:
        raise InputError(f"id {int(bad[0])} is out of range for num_classes={num_classes}")
    out = np.zeros((flat.size, num_classes), dtype=np.float32)
    out[np.arange(flat.size), flat] = 1.0
    return out.reshape((*arr.shape, num_classes))


def _check_side(name: str, value: Any) -> None:
    if value not in PADDING_SIDES:
        raise InputError(f"{name} must be 'pre' or 'post', got {value!r}")


def _as_id_rows(sequences: Any) -> list[np.ndarray]:
    """Check ``sequences`` and return each one as a 1-D int64 array."""
    if sequences is None or isinstance(sequences, str | bytes) or not isinstance(sequences, Sequence | np.ndarray):
        raise InputError(f"sequences must be a list of integer sequences, got {type(sequences).__name__}")
    rows = []
    for i, seq in enumerate(sequences):
        if isinstance(seq, str | bytes) or not isinstance(seq, Sequence | np.ndarray):
            raise InputError(f"sequences[{i}] must be a list of integers, got {type(seq).__name__}")
        try:
            arr = np.asarray(seq)
        except (ValueError, OverflowError) as err:
            raise InputError(f"sequences[{i}] must be a flat list of integers: {err}") from err
        if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
            raise InputError(f"sequences[{i}] must be a flat list of integers, got {arr.dtype} with shape {arr.shape}")
        rows.append(arr.astype(np.int64).reshape(-1))
    return rows


def pad_sequences_with_lengths(
    sequences: Sequence[Sequence[int]],
    maxlen: int | None = None,
    padding: str = "pre",
    truncating: str = "pre",
    value: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Like :func:`pad_sequences`, also returning each row's number of real items after truncation.

    Returns:
        ``(padded, lengths)``: int64 arrays of shapes ``(len(sequences), maxlen)`` and ``(len(sequences),)``.

    Raises:
        InputError: see :func:`pad_sequences`.
    """
    _check_side("padding", padding)
    _check_side("truncating", truncating)
    if maxlen is not None and (not _is_int(maxlen) or maxlen < 1):
        raise InputError(f"maxlen must be a positive integer or None, got {maxlen!r}")
    if not _is_int(value):
        raise InputError(f"value must be an integer, got {value!r}")
    rows = _as_id_rows(sequences)
    if maxlen is None:
        if not rows:  # Keras fails here too (np.max of no lengths)
            raise InputError("sequences is empty, so maxlen cannot be inferred; pass maxlen or at least one sequence")
        maxlen = max(len(row) for row in rows)
    padded = np.full((len(rows), maxlen), value, dtype=np.int64)
    lengths = np.zeros(len(rows), dtype=np.int64)
    for i, row in enumerate(rows):
        kept = row[-maxlen:] if truncating == "pre" else row[:maxlen]
        n = len(kept)
        if n:
            if padding == "post":
                padded[i, :n] = kept
            else:
                padded[i, maxlen - n :] = kept
        lengths[i] = n
    return padded, lengths


def pad_sequences(
    sequences: Sequence[Sequence[int]],
    maxlen: int | None = None,
    padding: str = "pre",
    truncating: str = "pre",
    value: int = 0,
) -> np.ndarray:
    """Pad (and truncate) id sequences to one length, exactly as ``keras.utils.pad_sequences`` does.

    Args:
        sequences: a list (or tuple / array) of integer sequences; empty ones become rows of ``value``.
        maxlen: the row length; None means the longest sequence's length.
        padding: ``"pre"`` puts ``value`` before the items, ``"post"`` after them.
        truncating: for sequences longer than ``maxlen``, ``"pre"`` drops items from the start (keeps
            the last ``maxlen``), ``"post"`` drops them from the end (keeps the first ``maxlen``).
        value: the padding id.

    Returns:
        int64 array of shape ``(len(sequences), maxlen)``; an empty list with ``maxlen`` given gives
        shape ``(0, maxlen)``, as in Keras.

    Raises:
        InputError: maxlen not a positive integer, padding/truncating not "pre"/"post", a non-integer
            value, sequences that are not lists of integers, or an empty list with ``maxlen=None``.
    """
    return pad_sequences_with_lengths(sequences, maxlen, padding, truncating, value)[0]
