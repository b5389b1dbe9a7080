"""The fastest torch path for small-batch inference steps on a CPU.

At batch 1 (a keystroke, one sampled character) oneDNN re-lays-out the recurrent weights on every
call, and torch's plain CPU kernels are several times faster: an LSTM step ~260 us vs ~850 us on this
project's 2-core Xeon (torch 2.13.0 CPU), about 8x for the character generator's step. The numbers
are the same either way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch

__all__ = ["fast_path"]


@contextlib.contextmanager
def fast_path() -> Iterator[None]:
    """No autograd and no oneDNN, for the duration of the block."""
    # Only "enabled" changes: flags()'s other defaults would switch oneDNN's TF32 setting and warn.
    off = torch.backends.mkldnn.flags(enabled=False, deterministic=None, allow_tf32=None, fp32_precision=None)
    with off, torch.inference_mode():
        yield
