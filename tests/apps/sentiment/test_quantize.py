"""int8 sentiment models: SentimentModel.quantize, SentimentAnalyzer.load(quantize=...) and the CLI's --quantize."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import torch

import rnnkit.apps.sentiment.analyzer as analyzer_module
from rnnkit import SentimentAnalyzer
from rnnkit.apps.sentiment.analyzer import DEFAULT_MODEL_PATH, load_analyzer
from rnnkit.apps.sentiment.config import SentimentConfig
from rnnkit.apps.sentiment.model import SentimentModel
from rnnkit.cli import main
from rnnkit.data import read_sst
from rnnkit.errors import CheckpointError, ConfigError

TEXTS = ["a good film", "great acting", "I loved it", "wonderful and fun", "a bad film", "awful acting",
         "I hated it", "dull and boring", "the film is in english", "it opens in paris"]
LABELS = ["Positive"] * 4 + ["Negative"] * 4 + ["Neutral"] * 2
TINY = SentimentConfig(embedding_dim=8, hidden_size=8, epochs=30, batch_size=8, learning_rate=0.02, dropout=0.0,
                       word_dropout=0.0, progress=False, num_threads=1)
needs_bundled = pytest.mark.skipif(not DEFAULT_MODEL_PATH.is_file(), reason="no bundled sentiment model")


@pytest.fixture(scope="module")
def tiny_path(tmp_path_factory):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # module fixtures run before conftest's per-test thread setting
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("quantize") / "tiny.pt"
    SentimentModel.train(TEXTS, LABELS, TINY).save(path)
    yield path
    torch.set_num_threads(threads)


def test_quantize_keeps_the_float_model_and_predicts_close_to_it(tiny_path, tmp_path):
    model = SentimentModel.load(tiny_path)
    weights = {name: t.clone() for name, t in model.model.state_dict().items()}
    before = model.probabilities(TEXTS)
    model.quantize("int8")
    assert model.quantized == "int8" and repr(model).endswith(", int8)")
    after = model.probabilities(TEXTS)
    np.testing.assert_allclose(after, before, atol=0.05)
    np.testing.assert_allclose(after.sum(axis=1), 1.0, rtol=1e-6)
    assert model.fine_probabilities(TEXTS).shape == (len(TEXTS), 5)
    assert [token for token, _ in model.explain("a good film")] == ["a", "good", "film"]
    state = model.model.state_dict()  # the float network is untouched: save() still writes float32 weights
    assert state.keys() == weights.keys() and all(torch.equal(state[k], weights[k]) for k in weights)
    assert isinstance(model.model.rnn.fused, torch.nn.LSTM) and model.model.head.weight.dtype == torch.float32
    model.save(tmp_path / "again.pt")
    np.testing.assert_array_equal(SentimentModel.load(tmp_path / "again.pt").probabilities(TEXTS), before)
    model.quantize("int8")  # a second call changes nothing
    np.testing.assert_array_equal(model.probabilities(TEXTS), after)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_every_cell_quantizes(cell):
    model = SentimentModel.train(TEXTS, LABELS, dataclasses.replace(TINY, cell=cell, epochs=5))
    before = model.probabilities(TEXTS)
    model.quantize("int8")
    np.testing.assert_allclose(model.probabilities(TEXTS), before, atol=0.05)
    assert isinstance(model.model.rnn.fused, torch.nn.RNNBase)  # the float network is kept


def test_the_int8_copy_shares_the_embedding(tiny_path):
    model = SentimentModel.load(tiny_path)
    model.quantize()
    assert model._network.embedding.weight is model.model.embedding.weight
    assert model._network.features is model.model.features


def test_load_with_quantize(tiny_path):
    analyzer = SentimentAnalyzer.load(tiny_path, quantize="int8")
    assert analyzer.model.quantized == "int8" and analyzer.rate_many(TEXTS[:2]) == ["Positive", "Positive"]
    assert SentimentAnalyzer.load(tiny_path).model.quantized is None
    analyzer, note = load_analyzer(tiny_path, quantize="int8")
    assert note is None and analyzer.model.quantized == "int8"


@pytest.mark.parametrize(("call", "message"), [
    (lambda path: SentimentModel.load(path).quantize("int4"), "quantize must be one of int8, bf16; got 'int4'"),
    (lambda path: SentimentAnalyzer.load(path, quantize="int4"), "quantize must be one of int8, bf16; got 'int4'"),
    (lambda path: SentimentAnalyzer.load("missing.pt", quantize="fp8"),
     "quantize must be one of int8, bf16; got 'fp8'"),
    (lambda path: SentimentAnalyzer.load(backend="lexicon", quantize="int8"),
     "quantize applies to a learned model only; the lexicon backend has no weights"),
    (lambda path: load_analyzer(backend="lexicon", quantize="int8"), "quantize applies to a learned model only"),
])
def test_quantize_errors_are_one_line(tiny_path, call, message):
    with pytest.raises(ConfigError, match=message) as caught:
        call(tiny_path)
    assert "\n" not in str(caught.value)


def test_quantize_never_falls_back_to_the_lexicon(monkeypatch, tmp_path):
    monkeypatch.setattr(analyzer_module, "DEFAULT_MODEL_PATH", tmp_path / "none.pt")
    assert load_analyzer()[0].backend == "lexicon"  # without --quantize: the lexicon stands in
    with pytest.raises(CheckpointError, match="there is no bundled sentiment model"):
        load_analyzer(quantize="int8")


# the CLI ---------------------------------------------------------------------------------------------

def test_cli_sentiment_quantize(tiny_path, capsys):
    assert main(["sentiment", "a good film", "--model", str(tiny_path), "--quantize", "int8", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["label"] == "Positive" and abs(sum(result["scores"].values()) - 1) < 1e-6


def test_cli_sentiment_input_quantize(tiny_path, tmp_path, capsys):
    path, out = tmp_path / "reviews.txt", tmp_path / "rated.jsonl"
    path.write_text("a good film\nawful acting\n", encoding="utf-8")
    argv = ["sentiment", "--input", str(path), "--output", str(out), "--model", str(tiny_path), "--quantize", "int8"]
    assert main(argv) == 0
    labels = [json.loads(line)["label"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert labels == ["Positive", "Negative"] and "rated 2 of 2 records" in capsys.readouterr().err


def test_cli_eval_sentiment_quantize(tiny_path, tmp_path, capsys):
    path = tmp_path / "reviews.csv"
    path.write_text("text,label\n" + "".join(f"{t},{lab}\n" for t, lab in zip(TEXTS, LABELS, strict=True)))
    assert main(["eval", "sentiment", str(path), "--model", str(tiny_path), "--quantize", "int8", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["n"] == len(TEXTS) and result["results"]["model"]["accuracy"] >= 0.8


@pytest.mark.parametrize("argv", [
    ["sentiment", "good", "--quantize", "int4"],
    ["eval", "sentiment", "x.csv", "--quantize", "int4"],
])
def test_cli_refuses_an_unknown_scheme(argv, capsys):
    assert main(argv) == 2
    assert "invalid choice: 'int4'" in capsys.readouterr().err


def test_cli_lexicon_with_quantize_is_one_line(capsys):
    assert main(["sentiment", "good", "--backend", "lexicon", "--quantize", "int8"]) == 2
    err = capsys.readouterr().err
    assert "quantize applies to a learned model only" in err and err.count("\n") == 1


# the bundled model on real data ------------------------------------------------------------------------

@needs_bundled
@pytest.mark.data
@pytest.mark.slow
def test_bundled_int8_agrees_with_float_on_sst_dev(shared_data):
    texts = [text for text, _ in read_sst(shared_data("sst", "trees", "dev.txt"))]
    float32 = SentimentAnalyzer.load().model.probabilities(texts)
    int8 = SentimentAnalyzer.load(quantize="int8").model.probabilities(texts)
    assert (float32.argmax(axis=1) == int8.argmax(axis=1)).mean() >= 0.97  # measured 0.995
    assert np.abs(float32 - int8).max() < 0.06  # measured 0.022
    assert np.abs(float32 - int8).mean() < 0.01  # measured 0.0026


@needs_bundled
@pytest.mark.data
@pytest.mark.slow
def test_bundled_bf16_agrees_with_float_on_sst_dev(shared_data):
    texts = [text for text, _ in read_sst(shared_data("sst", "trees", "dev.txt"))]
    float32 = SentimentAnalyzer.load().model
    bf16 = SentimentAnalyzer.load(quantize="bf16").model
    assert bf16.quantized == "bf16" and repr(bf16).endswith(", bf16)")
    want, got = float32.probabilities(texts), bf16.probabilities(texts)
    assert got.dtype == np.float64 and np.allclose(got.sum(axis=1), 1.0)
    assert (want.argmax(axis=1) == got.argmax(axis=1)).mean() >= 0.99
    assert np.abs(want - got).max() < 0.02
    assert all(p.dtype == torch.float32 for p in float32.model.parameters())  # the float model is kept


def test_bf16_then_int8_replaces_the_first_scheme(tiny_path):
    model = SentimentModel.load(tiny_path)
    before = model.probabilities(TEXTS)
    model.quantize("bf16")
    np.testing.assert_allclose(model.probabilities(TEXTS), before, atol=0.02)
    model.quantize("int8")
    assert model.quantized == "int8"
    np.testing.assert_allclose(model.probabilities(TEXTS), before, atol=0.05)
