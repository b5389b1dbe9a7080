"""The fastest torch path for small-batch inference steps on a CPU.

At batch 1 (a keystroke, one sampled character) oneDNN re-lays-out the recurrent weights on every
call, and torch's plain CPU kernels are several times faster: an LSTM step ~260 us vs ~850 us on this
project's 2-core Xeon (torch 2.13.0 CPU), about 8x for the character generator's step. The numbers
are the same either way.
"""

from __future__ import annotations

import torch

__all__ = ["fast_path"]


class fast_path:  # noqa: N801  (used as a function: ``with fast_path():``)
    """No autograd and no oneDNN, for the duration of the block.

    A keystroke enters this two or three times, so entering is kept cheap: ~1.6 us against ~9 us for
    ``torch.backends.mkldnn.flags(...)`` (a generator context manager that also sets three other flags).
    """

    __slots__ = ("_inference", "_was")

    def __enter__(self) -> None:
        self._was = _get_mkldnn()
        _set_mkldnn(False)
        self._inference = torch.inference_mode()
        self._inference.__enter__()

    def __exit__(self, *exc: object) -> None:
        try:
            self._inference.__exit__(*exc)
        finally:
            _set_mkldnn(self._was)


# torch.backends.mkldnn.set_flags calls these; reading and setting only the "enabled" flag leaves oneDNN's
# other settings (TF32, deterministic) alone, as flags(enabled=False, ...=None) does.
_get_mkldnn = torch._C._get_mkldnn_enabled
_set_mkldnn = torch._C._set_mkldnn_enabled
