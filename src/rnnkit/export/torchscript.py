"""Writing a product's graph as TorchScript (``torch.jit.trace`` + ``torch.jit.save``), optionally int8.

The wrapper of :mod:`.graphs` is traced on the spec's example; the recurrent modules become
``aten::lstm``/``gru``/``rnn_tanh`` calls whose batch and time sizes stay dynamic (tests run other
lengths than the traced one). int8: :func:`rnnkit.nn.quantize.quantize_int8` first (dynamic int8 of
the ``nn.Linear``/``nn.LSTM``/``nn.GRU`` modules; an ``nn.RNN`` stays float32), then the same trace.
The product's name is saved inside the file (``rnnkit.json``) and read back by :func:`load_torchscript`.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import torch

from rnnkit.errors import CheckpointError, first_line
from rnnkit.export.products import ExportSpec
from rnnkit.nn.quantize import quantize_int8

__all__ = ["EXTRA_FILE", "load_torchscript", "write_torchscript"]

EXTRA_FILE = "rnnkit.json"  # {"product": ..., "quantize": ..., "inputs": [...], "outputs": [...]} inside the file


def write_torchscript(spec: ExportSpec, path: str | os.PathLike, quantize: str | None = None) -> Path:
    """Trace ``spec``'s graph (int8 weights when ``quantize == "int8"``) and save it to ``path``."""
    module = quantize_int8(spec.module) if quantize else spec.module
    info = {"product": spec.product, "quantize": quantize or "none",
            "vocab_size": spec.vocab_size, "inputs": list(spec.input_names),
            "outputs": list(spec.output_names)}
    with warnings.catch_warnings(), torch.no_grad():
        # tracer warnings about Python booleans in nn.LSTM's own checks; torch.jit's deprecation notice
        warnings.simplefilter("ignore")
        traced = torch.jit.trace(module, spec.example, check_trace=False)
        torch.jit.save(traced, str(path), _extra_files={EXTRA_FILE: json.dumps(info)})
    return Path(path)


def load_torchscript(path: str | os.PathLike) -> tuple[torch.jit.ScriptModule, dict]:
    """(the module, its ``rnnkit.json`` info) of a file from :func:`write_torchscript`.

    Raises:
        CheckpointError: the file is missing or not a TorchScript export of rnnkit.
    """
    extra = {EXTRA_FILE: ""}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            module = torch.jit.load(str(path), map_location="cpu", _extra_files=extra)
        info = json.loads(extra[EXTRA_FILE])
    except Exception as err:  # torch raises many types for foreign bytes; all mean "not our file"
        raise CheckpointError(f"{path} is not a TorchScript export of rnnkit: {first_line(err)}") from err
    if not isinstance(info, dict) or "product" not in info:
        raise CheckpointError(f"{path} is a TorchScript file but not one that rnnkit export wrote")
    return module.eval(), info
