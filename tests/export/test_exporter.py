"""export_model: each product in each format round-trips to PyTorch's numbers within 1e-4; bad input is refused."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

from rnnkit.apps.sentiment.analyzer import SentimentAnalyzer
from rnnkit.errors import CheckpointError, ConfigError, InputError
from rnnkit.export import export_model, load_torchscript
from rnnkit.export.exporter import exported_runner
from rnnkit.export.products import check_inputs, export_spec

from .conftest import TEXTS, needs_ort, tiny_nextword, tiny_sentiment, tiny_tagger

TOL = 1e-4
FORMATS = [pytest.param("onnx", marks=needs_ort), "torchscript"]


def random_inputs(app, product: str, steps: int) -> tuple[torch.Tensor, ...]:
    """Random ids (and states) of ``steps`` time steps for ``product``'s graph."""
    vocab = len(app.vocab) if product != "tagger" else len(app.parts.vocab)
    if product == "nextword":
        ids = torch.randint(0, vocab, (1, steps))
        layers, hidden = app.model.config.num_layers, app.model.config.hidden_size
        states = 2 if app.model.config.cell == "lstm" else 1
        return (ids, *(torch.randn(layers, 1, hidden) for _ in range(states)))
    if product == "sentiment":
        return (torch.randint(1, vocab, (4, steps)),)
    chars = torch.randint(1, len(app.parts.chars), (1, steps, 7))
    chars[0, :, 3:] *= torch.rand(steps, 4) < 0.5  # words of different lengths ...
    chars[0, :, 3:] = chars[0, :, 3:].cummin(dim=1).values  # ... post-padded
    return torch.randint(1, vocab, (1, steps)), chars


def max_diff(run, spec, inputs) -> float:
    with torch.no_grad():
        expected = spec.reference(*inputs)
    return max(float(np.abs(g - e.numpy()).max()) for g, e in zip(run(inputs), expected, strict=True))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("product", ["nextword", "sentiment", "tagger"])
def test_round_trip_equals_pytorch_on_random_and_real_inputs(tiny_models, tmp_path, product, fmt):
    app = tiny_models[product]
    result = export_model(app, fmt, tmp_path / "model.bin")
    assert result.product == product and result.path.stat().st_size == result.size_bytes > 0
    assert result.max_abs_diff < TOL and result.agreement == 1.0
    spec = export_spec(app)
    run = exported_runner(result.path, fmt, spec.input_names)
    for steps in (1, 2, 9, 40):  # other lengths than the traced example
        assert max_diff(run, spec, random_inputs(app, product, steps)) < TOL
    for inputs in check_inputs(app, TEXTS):
        assert max_diff(run, spec, inputs) < TOL


@pytest.mark.parametrize("fmt", FORMATS)
def test_gru_next_word_round_trip(tmp_path, fmt):
    app = tiny_nextword("gru")
    result = export_model(app, fmt, tmp_path / "gru.bin")
    assert result.inputs == ("ids", "h0") and result.outputs == ("logits", "h1")
    spec = export_spec(app)
    run = exported_runner(result.path, fmt, spec.input_names)
    for steps in (1, 5, 33):
        assert max_diff(run, spec, random_inputs(app, "nextword", steps)) < TOL


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("product, make", [("sentiment", tiny_sentiment), ("nextword", tiny_nextword),
                                           ("tagger", tiny_tagger)])
@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_int8_files_run_and_stay_close(tmp_path, fmt, product, make, cell):
    app = make(cell)
    result = export_model(app, fmt, tmp_path / "q.bin", quantize="int8")
    assert result.quantize == "int8" and result.max_abs_diff < 0.5
    spec = export_spec(app)
    run = exported_runner(result.path, fmt, spec.input_names)
    assert max_diff(run, spec, random_inputs(app, product, 6)) < 0.5


def test_a_saved_checkpoint_path_decides_the_product(tmp_path):
    tiny_tagger().save(tmp_path / "tagger.pt")
    result = export_model(str(tmp_path / "tagger.pt"), "torchscript", tmp_path / "tagger.ts")
    assert result.product == "tagger"
    module, info = load_torchscript(result.path)
    assert info["product"] == "tagger" and info["inputs"] == ["words", "chars"]


def test_a_failed_export_leaves_no_file_behind(tiny_models, tmp_path, monkeypatch):
    from rnnkit.export import exporter

    def broken(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(exporter, "write_torchscript", broken)
    with pytest.raises(CheckpointError, match="space"):
        export_model(tiny_models["tagger"], "torchscript", tmp_path / "t.ts")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("model, fmt, quantize, error, match", [
    ("translator", "onnx", None, InputError, "MODEL must be nextword, sentiment, tagger or a checkpoint"),
    ("nextword", "keras", None, ConfigError, "format must be one of"),
    ("nextword", "torchscript", "int4", ConfigError, "quantize must be one of"),
    (SentimentAnalyzer(), "torchscript", None, InputError, "lexicon sentiment backend has no network"),
    (42, "torchscript", None, InputError, "can export a NextWordPredictor"),
])
def test_bad_arguments_are_one_line_errors(tmp_path, model, fmt, quantize, error, match):
    with pytest.raises(error, match=match):
        export_model(model, fmt, tmp_path / "x", quantize)


def test_foreign_files_and_unwritable_outputs_are_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("not a model")
    with pytest.raises(CheckpointError, match="cannot be read safely"):
        export_model(str(tmp_path / "notes.txt"), "torchscript", tmp_path / "x.ts")
    with pytest.raises(CheckpointError, match="directory"):
        export_model(tiny_tagger(), "torchscript", tmp_path)
    with pytest.raises(CheckpointError, match="not a TorchScript export"):
        load_torchscript(tmp_path / "notes.txt")


def test_missing_folders_of_the_output_are_created(tmp_path):
    result = export_model(tiny_tagger(), "torchscript", tmp_path / "new" / "deeper" / "t.ts")
    assert result.path == tmp_path / "new" / "deeper" / "t.ts" and result.path.is_file()
    assert load_torchscript(result.path)[1]["product"] == "tagger"


def test_other_products_checkpoints_are_refused(tmp_path):
    from rnnkit.training import build_checkpoint, save_checkpoint

    save_checkpoint(tmp_path / "gen.pt", build_checkpoint("generator", {"w": torch.zeros(1)}))
    with pytest.raises(CheckpointError, match="holds a 'generator' model; rnnkit export takes nextword"):
        export_model(str(tmp_path / "gen.pt"), "onnx", tmp_path / "x.onnx")


def test_sentiment_analyzer_exports_its_model(tmp_path):
    result = export_model(SentimentAnalyzer(tiny_sentiment()), "torchscript", tmp_path / "s.ts")
    assert result.product == "sentiment" and result.outputs == ("logits",)
