"""int8 dynamic quantization of the layers inference spends its time in: ``nn.Linear``, ``nn.LSTM``, ``nn.GRU``.

Dynamic quantization (``torch.ao.quantization.quantize_dynamic``) stores a layer's weights as int8 and
quantizes each input on the fly: weights are 4x smaller and matrix-vector products faster on a CPU,
at a small cost in precision. It needs no calibration data. Only modules that are called as modules
can be swapped: :class:`~rnnkit.nn.Recurrent` runs its weights through fused kernels itself, so apps
quantize what they call directly (the next-word engine's ``nn.LSTM`` and decoder, say).

``torch.ao.quantization`` is deprecated in favour of the separate ``torchao`` package, which has no
int8 LSTM; with the pinned torch it works and warns, and the warnings are silenced here.
"""

from __future__ import annotations

import warnings

from torch import nn

__all__ = ["QUANTIZE_CHOICES", "quantize_int8"]

QUANTIZE_CHOICES = ("int8",)  # what --quantize accepts (absent: float32)


def quantize_int8(module: nn.Module) -> nn.Module:
    """``module`` (an ``nn.Linear``, ``nn.LSTM``, ``nn.GRU`` or a module holding them) with int8 weights.

    Returns a new module; ``module`` is left as it was. CPU only.
    """
    from torch.ao.quantization import quantize_dynamic

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        wrapped = quantize_dynamic(nn.Sequential(module), {nn.Linear, nn.LSTM, nn.GRU}, inplace=False)
    return wrapped[0]
