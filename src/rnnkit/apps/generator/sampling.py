"""Sampling for the generator: its bounds, argument checks and the temperature / top-k / top-p filter.

The bounds are named here once, so the CLI and the service can import them. The filter has the
same meaning as the next-word app's (``rnnkit.apps.nextword.sampling``), over a batch of rows.
"""

from __future__ import annotations

import math
from typing import Any

from rnnkit.errors import InputError
from rnnkit.models.sampling import TOP_K_OFF, TOP_P_OFF, filtered_probs

__all__ = ["DEFAULT_GUIDANCE", "GUIDANCE_OFF", "MAX_GUIDANCE", "MAX_LENGTH", "MAX_PROMPT_CHARS", "MAX_SEED",
           "TOP_K_OFF", "TOP_P_OFF", "check_sampling", "filtered_probs"]

MAX_LENGTH = 5_000  # most characters one call writes: ~1.5 ms each at batch 1 on one busy CPU thread, < 10 s
MAX_PROMPT_CHARS = 10_000  # longest prompt read (a 1 MB "prompt" is a mistake, refused rather than read)
MAX_SEED = 2**64 - 1  # torch.Generator().manual_seed takes any unsigned 64-bit seed
GUIDANCE_OFF = 0.0  # guidance's default and lowest value: sample the conditioned model as it is
MAX_GUIDANCE = 10.0  # beyond this the other labels' scores dominate and the text falls apart
# A conditioned model's default guidance: with the bundled review model at temperature 1, guidance 0 / 2 / 3 / 4
# had 45.5-67% / 81.5-98% / 86.5-100% / 91.5-99.5% of 200 texts per label rated as their label (docs/generator.md).
DEFAULT_GUIDANCE = 3.0


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _is_num(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def check_sampling(prompt: Any, length: Any, temperature: Any, top_k: Any, top_p: Any, seed: Any) -> None:
    """InputError naming the first argument of :meth:`CharGenerator.generate` out of its bounds."""
    if not isinstance(prompt, str):
        raise InputError(f"prompt must be a str, got {type(prompt).__name__}")
    if len(prompt) > MAX_PROMPT_CHARS:
        raise InputError(f"prompt has {len(prompt):,} characters; the most is {MAX_PROMPT_CHARS:,}")
    if not _is_int(length) or not 1 <= length <= MAX_LENGTH:
        raise InputError(f"length must be an integer from 1 to {MAX_LENGTH}, got {length!r}")
    if not _is_num(temperature) or temperature <= 0:
        raise InputError(f"temperature must be a number > 0, got {temperature!r}")
    if not _is_int(top_k) or top_k < TOP_K_OFF:
        raise InputError(f"top_k must be an integer >= 0 (0 = off), got {top_k!r}")
    if not _is_num(top_p) or not 0 < top_p <= TOP_P_OFF:
        raise InputError(f"top_p must be a number in (0, 1], got {top_p!r}")
    if seed is not None and (not _is_int(seed) or not 0 <= seed <= MAX_SEED):
        raise InputError(f"seed must be None or an integer in [0, 2**64), got {seed!r}")
