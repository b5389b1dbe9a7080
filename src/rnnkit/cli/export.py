"""The ``rnnkit export`` command: a next-word, sentiment or tagger model as one ONNX or TorchScript file.

Torch and the apps are imported inside the handler, after ``--out`` is checked, so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse

from rnnkit.cli.common import add_quantize_flag, add_threads_flag, print_json, set_threads

__all__ = ["add_export"]

FORMATS = ("onnx", "torchscript")  # rnnkit.export.FORMATS, spelled here so --help imports no torch


def add_export(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", metavar="MODEL",
                        help="nextword, sentiment or tagger (the bundled model), or a checkpoint file of one")
    parser.add_argument("--format", required=True, choices=FORMATS, help="ONNX (opset 17) or TorchScript")
    add_quantize_flag(parser, "int8 weights (ONNX Runtime's dynamic quantization for onnx, torch's for torchscript)")
    parser.add_argument("--out", required=True, help="the file to write, e.g. nextword.onnx")
    parser.add_argument("--json", action="store_true", help="print a JSON summary instead of lines")
    add_threads_flag(parser, 1)
    parser.set_defaults(func=_cmd_export)


def _cmd_export(args: argparse.Namespace) -> int:
    from rnnkit.training.files import check_writable  # torch-free

    check_writable(args.out, "export file")  # a bad --out fails in a second, before torch loads a model
    set_threads(args.num_threads)
    from rnnkit.export import export_model

    result = export_model(args.model, args.format, args.out, args.quantize)
    if args.json:
        print_json(result.to_dict())
        return 0
    kind = f"{result.format}, {result.quantize or 'float32'}"
    print(f"wrote {result.path} ({result.product}, {kind}): {result.size_bytes / 2**20:.1f} MiB")
    print(f"inputs {', '.join(result.inputs)} -> outputs {', '.join(result.outputs)}")
    print(f"check against PyTorch on {result.checks} built-in inputs: max |difference| {result.max_abs_diff:.2e}, "
          f"same argmax {100 * result.agreement:.1f}%")
    return 0
