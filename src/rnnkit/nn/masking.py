"""Lengths, padding sides and masks for batches of variable-length sequences.

A batch is ``(batch, seq_len, features)`` with each row's true length in ``lengths``. Rows are
padded either at the end (``"post"``, torch's habit) or at the start (``"pre"``, Keras's default)::

    lengths = [3, 1], seq_len = 4          x = token, . = pad
    post:  x x x .      pre:  . x x x
           x . . .            . . . x

:func:`roll_rows` turns one layout into the other by rotating each row by its own amount.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from rnnkit.errors import InputError

__all__ = ["PADDING_SIDES", "check_lengths", "check_padding", "roll_rows", "valid_mask"]

PADDING_SIDES = ("post", "pre")  # pads at the end (torch) or at the start (Keras's pad_sequences default)


def check_padding(padding: Any) -> None:
    """Raise InputError unless ``padding`` is "post" or "pre"."""
    if padding not in PADDING_SIDES:
        raise InputError(f"padding must be one of {', '.join(PADDING_SIDES)}; got {padding!r}")


def check_lengths(lengths: Any, batch_size: int, seq_len: int) -> Tensor:
    """Return ``lengths`` as an int64 CPU tensor ``(batch,)`` after checking it.

    Raises:
        InputError: not integers, not shaped ``(batch_size,)``, or a length outside ``[1, seq_len]``.
    """
    try:
        lengths = torch.as_tensor(lengths)
    except (TypeError, ValueError, RuntimeError) as err:
        raise InputError(f"lengths must be a 1-D integer tensor, got {type(lengths).__name__}") from err
    if lengths.dtype == torch.bool or lengths.is_floating_point() or lengths.is_complex():
        raise InputError(f"lengths must hold integers, got dtype {lengths.dtype}")
    if lengths.shape != (batch_size,):
        raise InputError(f"lengths must have shape ({batch_size},) to match the batch, got {tuple(lengths.shape)}")
    lengths = lengths.to("cpu", torch.int64)
    low, high = int(lengths.min()), int(lengths.max())
    if low < 1 or high > seq_len:
        bad = low if low < 1 else high
        raise InputError(f"lengths must be between 1 and seq_len={seq_len}, got {bad}")
    return lengths


def valid_mask(lengths: Tensor, seq_len: int, padding: str, device: torch.device | None = None) -> Tensor:
    """``(batch, seq_len)`` bool mask, True at real tokens and False at pads."""
    steps = torch.arange(seq_len, device=device)  # (seq_len,)
    lengths = lengths.to(device)[:, None]  # (batch, 1)
    return steps < lengths if padding == "post" else steps >= seq_len - lengths


def roll_rows(x: Tensor, shifts: Tensor) -> Tensor:
    """Rotate each row of ``x`` ``(batch, seq_len, ...)`` right by its own ``shifts[b]`` steps along time.

    ``roll_rows(x, lengths - seq_len)`` turns a pre-padded batch into a post-padded one (pads move to
    the end); ``roll_rows(y, seq_len - lengths)`` turns it back.
    """
    seq_len = x.size(1)
    steps = torch.arange(seq_len, device=x.device)
    index = (steps[None, :] - shifts.to(x.device)[:, None]) % seq_len  # (batch, seq_len): source step
    index = index.view(*index.shape, *([1] * (x.dim() - 2))).expand_as(x)
    return x.gather(1, index)
