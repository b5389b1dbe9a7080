"""``rnnkit export`` through main([...]): what it prints, --json, and one-line errors with exit 2 or 1."""

from __future__ import annotations

import json
from importlib.util import find_spec

import pytest

from rnnkit.cli import main

needs_ort = pytest.mark.skipif(find_spec("onnxruntime") is None or find_spec("onnx") is None,
                               reason="onnx/onnxruntime not installed (pip install 'rnnkit[onnx]'; CI has them)")


@needs_ort
def test_export_prints_the_file_its_size_and_the_check(tmp_path, capsys):
    out = tmp_path / "tagger.onnx"
    assert main(["export", "tagger", "--format", "onnx", "--out", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"wrote {out} (tagger, onnx, float32): ") and lines[0].endswith(" MiB")
    assert lines[1] == "inputs words, chars -> outputs logits"
    assert lines[2].startswith("check against PyTorch on 3 built-in inputs: max |difference| ")
    assert float(lines[2].split("|difference| ")[1].split(",")[0]) < 1e-4
    assert out.is_file()


def test_export_json_summary_of_an_int8_torchscript_file(tmp_path, capsys):
    out = tmp_path / "sub" / "nextword.pt"
    assert main(["export", "nextword", "--format", "torchscript", "--quantize", "int8", "--out", str(out),
                 "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["product"] == "nextword" and summary["quantize"] == "int8" and summary["format"] == "torchscript"
    assert summary["size_bytes"] == out.stat().st_size and summary["inputs"] == ["ids", "h0", "c0"]
    assert 0 < summary["max_abs_diff"] < 1.0


@pytest.mark.parametrize("argv, code, message", [
    (["export", "translator", "--format", "onnx", "--out", "{tmp}/x.onnx"], 2, "MODEL must be nextword, sentiment"),
    (["export", "{tmp}/notes.txt", "--format", "onnx", "--out", "{tmp}/x.onnx"], 1, "cannot be read safely"),
    (["export", "nextword", "--format", "torchscript", "--out", "{tmp}"], 1, "cannot write export file"),
    (["export", "nextword", "--format", "keras", "--out", "{tmp}/x"], 2, "invalid choice: 'keras'"),
    (["export", "nextword", "--format", "onnx"], 2, "the following arguments are required: --out"),
])
def test_bad_input_is_one_line_on_stderr(tmp_path, capsys, argv, code, message):
    (tmp_path / "notes.txt").write_text("not a model")
    assert main([a.replace("{tmp}", str(tmp_path)) for a in argv]) == code
    err = capsys.readouterr().err.strip().splitlines()
    assert message in err[-1]
    if code == 1 or "MODEL" in message:
        assert len(err) == 1 and err[0].startswith("rnnkit: error: ")
