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

import copy
import warnings
from collections.abc import Iterable

from torch import Tensor, nn

__all__ = ["QUANTIZE_CHOICES", "int8_copy", "quantize_int8"]

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


def int8_copy(model: nn.Module, paths: Iterable[str], shared: Iterable[Tensor] = ()) -> nn.Module:
    """An eval-mode copy of ``model`` whose submodules at ``paths`` (``"rnn.fused"``, ``"head"``) are int8.

    What the products' ``quantize("int8")`` runs while their float model stays as it was (``save``
    writes it). A path through a None attribute (an optional layer the model lacks) is skipped.

    Args:
        model: the float model; left unchanged.
        paths: dotted attribute paths of the ``nn.Linear`` / ``nn.LSTM`` / ``nn.GRU`` modules to swap
            (or modules holding them).
        shared: tensors the copy shares with ``model`` instead of copying (embedding tables: looked
            up, not multiplied, so they stay float32).
    """
    network = copy.deepcopy(model, memo={id(t): t for t in shared})
    for path in paths:
        *parents, name = path.split(".")
        parent = network
        for part in parents:
            parent = getattr(parent, part)
            if parent is None:
                break
        if parent is not None and getattr(parent, name) is not None:
            setattr(parent, name, quantize_int8(getattr(parent, name)))
    return network.eval()
