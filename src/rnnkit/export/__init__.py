"""Export for deployment: next-word, sentiment and tagger models as ONNX or TorchScript, and ONNX Runtime inference.

:func:`export_model` writes one file (optionally int8) and checks it against PyTorch;
:class:`OnnxNextWord`, :class:`OnnxSentiment` and :class:`OnnxTagger` run an exported ONNX graph
behind the app's own text handling. Modules: :mod:`.graphs` (what is exported), :mod:`.products`
(MODEL -> what to export), :mod:`.onnx`, :mod:`.torchscript`, :mod:`.exporter`, :mod:`.runtime`.
The ONNX parts need ``pip install 'rnnkit[onnx]'``.
"""

from __future__ import annotations

from rnnkit.export.exporter import FORMATS, ExportResult, export_model
from rnnkit.export.products import PRODUCTS
from rnnkit.export.runtime import OnnxNextWord, OnnxSentiment, OnnxTagger
from rnnkit.export.torchscript import load_torchscript

__all__ = ["FORMATS", "PRODUCTS", "ExportResult", "OnnxNextWord", "OnnxSentiment", "OnnxTagger", "export_model",
           "load_torchscript"]
