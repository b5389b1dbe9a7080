"""Writing a product's graph as ONNX (opset 17), optionally with int8 weights.

The TorchScript-based exporter (``torch.onnx.export(..., dynamo=False)``) turns ``nn.LSTM``/``GRU``/``RNN``
into single ONNX ``LSTM``/``GRU``/``RNN`` nodes with dynamic batch and time axes, in about a second;
the dynamo exporter gave an equivalent graph but took ~13 s for the next-word step (2-core machine,
torch 2.13.0 CPU). Its deprecation and tracing warnings are silenced: the round-trip check that
:func:`~rnnkit.export.exporter.export_model` runs on every file is what vouches for the graph.

int8: ONNX Runtime's dynamic quantization (``onnxruntime.quantization.quantize_dynamic``) of the
float file: int8 weights for MatMul/Gemm, ``DynamicQuantizeLSTM`` for LSTMs and int8 embeddings
(Gather); activations are quantized on the fly. It runs in ONNX Runtime only.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import warnings
from collections.abc import Iterator
from pathlib import Path

import torch

from rnnkit.errors import RnnkitError
from rnnkit.export.products import ExportSpec

__all__ = ["METADATA_KEY", "ONNX_EXTRA", "OPSET", "VOCAB_KEY", "quiet", "require_onnx", "write_onnx"]

OPSET = 17  # LayerNorm-era opset every ONNX Runtime >= 1.14 runs; LSTM/GRU/RNN are unchanged since 14
METADATA_KEY = "rnnkit_product"  # metadata_props entry naming the product (nextword, sentiment, tagger)
VOCAB_KEY = "rnnkit_vocab_size"  # metadata_props entry: words in the exported model's vocabulary
ONNX_EXTRA = "pip install 'rnnkit[onnx]'"  # what installs onnx, onnxruntime and onnxscript


def require_onnx() -> None:
    """Raise a one-line RnnkitError saying how to install ONNX support when onnx or onnxruntime is missing."""
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError as err:
        raise RnnkitError(f"ONNX export and inference need the onnx extra ({err.name} is missing): "
                          f"{ONNX_EXTRA}") from err


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """No exporter warnings, no quantizer log lines, no stray prints."""
    quantizer_log = logging.getLogger()
    level = quantizer_log.level
    quantizer_log.setLevel(logging.ERROR)  # quantize_dynamic logs "consider pre-processing" on the root logger
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        quantizer_log.setLevel(level)


def write_onnx(spec: ExportSpec, path: str | os.PathLike, quantize: str | None = None) -> Path:
    """Export ``spec``'s graph to ``path`` (float32, or int8 weights when ``quantize == "int8"``).

    Raises:
        RnnkitError: onnx or onnxruntime is not installed.
    """
    require_onnx()
    import onnx

    path = Path(path)
    float_path = path.with_name(path.name + ".float") if quantize else path
    with quiet(), torch.no_grad():
        torch.onnx.export(spec.module, spec.example, str(float_path), dynamo=False, opset_version=OPSET,
                          input_names=list(spec.input_names), output_names=list(spec.output_names),
                          dynamic_axes=spec.dynamic_axes)
    if quantize:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        try:
            with quiet():
                quantize_dynamic(float_path, path, weight_type=QuantType.QInt8)
        finally:
            float_path.unlink(missing_ok=True)
    model = onnx.load(str(path))
    onnx.helper.set_model_props(model, {METADATA_KEY: spec.product, "rnnkit_quantize": quantize or "none",
                                        VOCAB_KEY: str(spec.vocab_size)})
    onnx.save(model, str(path))
    return path
