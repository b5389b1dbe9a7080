"""Sampling for :meth:`~rnnkit.apps.nextword.NextWordPredictor.generate`: its bounds, checks and filters.

The bounds are named here once; the service's request schema imports them instead of retyping them.
"""

from __future__ import annotations

import math
from typing import Any

from rnnkit.errors import InputError
from rnnkit.models.sampling import TOP_K_OFF, TOP_P_OFF, filtered_probs

__all__ = ["MAX_SEED", "TOP_K_OFF", "TOP_P_OFF", "check_generate", "filtered_probs"]

# What generate() accepts (besides n_words >= 1 and any finite temperature > 0: a tiny one is greedy).
MAX_SEED = 2**64 - 1  # torch.Generator().manual_seed takes any unsigned 64-bit seed; 2**64 overflows (ValueError)


def check_generate(text: Any, n_words: Any, temperature: Any, top_k: Any, top_p: Any, seed: Any) -> None:
    """InputError naming the first argument of :meth:`NextWordPredictor.generate` out of its bounds."""
    if not isinstance(text, str):
        raise InputError(f"text must be a str, got {type(text).__name__}")

    def is_int(x: Any) -> bool:
        return isinstance(x, int) and not isinstance(x, bool)

    def is_num(x: Any) -> bool:
        return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)

    if not is_int(n_words) or n_words < 1:
        raise InputError(f"n_words must be an integer >= 1, got {n_words!r}")
    if not is_num(temperature) or temperature <= 0:
        raise InputError(f"temperature must be a number > 0, got {temperature!r}")
    if not is_int(top_k) or top_k < TOP_K_OFF:
        raise InputError(f"top_k must be an integer >= 0 (0 = off), got {top_k!r}")
    if not is_num(top_p) or not 0 < top_p <= TOP_P_OFF:
        raise InputError(f"top_p must be a number in (0, 1], got {top_p!r}")
    if seed is not None and (not is_int(seed) or not 0 <= seed <= MAX_SEED):
        raise InputError(f"seed must be None or an integer in [0, 2**64), got {seed!r}")
