"""``export_model``: a product's model -> one ONNX or TorchScript file, checked against PyTorch.

Every export is run back before it replaces ``out``: the file's outputs on the built-in check inputs
(:data:`~rnnkit.export.products.CHECK_TEXTS`, several lengths) are compared with the app model's own.
The file is written beside ``out`` under a temporary name and renamed once checked, so a failed
export never leaves a half-written file in its place.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from rnnkit.config import check_choice
from rnnkit.errors import CheckpointError
from rnnkit.export.onnx import write_onnx
from rnnkit.export.products import ExportSpec, export_spec, load_product
from rnnkit.export.torchscript import load_torchscript, write_torchscript
from rnnkit.nn.quantize import QUANTIZE_CHOICES
from rnnkit.training.files import TMP_SUFFIX, check_writable, write_error_message

__all__ = ["FORMATS", "ExportResult", "export_model", "exported_runner"]

FORMATS = ("onnx", "torchscript")  # what --format accepts

Runner = Callable[[tuple[torch.Tensor, ...]], list[np.ndarray]]


@dataclass(frozen=True)
class ExportResult:
    """What :func:`export_model` wrote and how close it is to PyTorch."""

    product: str  # "nextword", "sentiment" or "tagger"
    format: str  # "onnx" or "torchscript"
    quantize: str | None  # "int8" or None (float32)
    path: Path  # the file written
    size_bytes: int
    max_abs_diff: float  # largest |exported - PyTorch| over every output of every check input
    agreement: float  # share of check positions whose argmax (next word, class, tag) is the same
    checks: int  # check inputs run
    inputs: tuple[str, ...]  # the graph's input names, in order
    outputs: tuple[str, ...]  # its output names

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready summary (``rnnkit export --json``)."""
        return {"product": self.product, "format": self.format, "quantize": self.quantize, "path": str(self.path),
                "size_bytes": self.size_bytes, "max_abs_diff": self.max_abs_diff, "agreement": self.agreement,
                "checks": self.checks, "inputs": list(self.inputs), "outputs": list(self.outputs)}


def export_model(model: Any, format: str, out: str | os.PathLike, quantize: str | None = None) -> ExportResult:
    """Export a next-word, sentiment or tagger model and check the file against PyTorch.

    Args:
        model: "nextword", "sentiment" or "tagger" (the bundled model), a checkpoint path (its kind
            decides the product), or a loaded NextWordPredictor, SentimentModel/SentimentAnalyzer or Tagger.
        format: "onnx" or "torchscript".
        out: the file to write (its folder is created).
        quantize: "int8" for int8 weights (ONNX Runtime's dynamic quantization for ONNX,
            :func:`rnnkit.nn.quantize.quantize_int8` for TorchScript); None keeps float32.

    Returns:
        An :class:`ExportResult`.

    Raises:
        ConfigError: an unknown format or quantization.
        InputError: ``model`` is not a product name, a file or a loaded model.
        CheckpointError: a foreign checkpoint, or ``out`` cannot be written.
        RnnkitError: ONNX export without the onnx extra installed.
    """
    check_choice("format", format, FORMATS)
    if quantize is not None:
        check_choice("quantize", quantize, QUANTIZE_CHOICES)
    out = check_writable(out, "export file")
    app = load_product(model)[1] if isinstance(model, str | os.PathLike) else model
    spec = export_spec(app)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.{secrets.token_hex(4)}{TMP_SUFFIX}")
    try:
        (write_onnx if format == "onnx" else write_torchscript)(spec, tmp, quantize)
        max_diff, agreement = compare(spec, exported_runner(tmp, format, spec.input_names))
        os.replace(tmp, out)
    except OSError as err:
        raise CheckpointError(write_error_message(out, err, "export file")) from err
    finally:
        tmp.unlink(missing_ok=True)
    return ExportResult(spec.product, format, quantize, out, out.stat().st_size, max_diff, agreement,
                        len(spec.checks), spec.input_names, spec.output_names)


def exported_runner(path: str | os.PathLike, format: str, input_names: tuple[str, ...]) -> Runner:
    """``run(inputs) -> [output arrays]`` for an exported file (ONNX Runtime or TorchScript, one thread)."""
    if format == "onnx":
        from rnnkit.export.runtime import OnnxGraph

        graph = OnnxGraph(path)
        return lambda inputs: graph.run({n: t.numpy() for n, t in zip(input_names, inputs, strict=True)})
    module = load_torchscript(path)[0]

    def run(inputs: tuple[torch.Tensor, ...]) -> list[np.ndarray]:
        with torch.no_grad():
            out = module(*inputs)
        return [t.numpy() for t in (out if isinstance(out, tuple) else (out,))]
    return run


def compare(spec: ExportSpec, run: Runner) -> tuple[float, float]:
    """(max |difference|, argmax agreement of the first output) of ``run`` against the app's model."""
    diffs, same, total = [0.0], 0, 0
    with torch.no_grad():
        for inputs in spec.checks:
            expected = [t.numpy() for t in spec.reference(*inputs)]
            got = run(inputs)
            diffs += [float(np.abs(g - e).max()) if g.shape == e.shape else float("inf")
                      for g, e in zip(got, expected, strict=True)]
            hits = got[0].argmax(-1) == expected[0].argmax(-1)
            same, total = same + int(hits.sum()), total + hits.size
    return max(diffs), same / total
