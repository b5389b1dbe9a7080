"""ONNX Runtime inference paths: the apps' own results within 1e-4, on tiny models and on the bundled ones."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnnkit.errors import CheckpointError, InputError
from rnnkit.export import OnnxNextWord, OnnxSentiment, OnnxTagger, export_model

from .conftest import TEXTS, needs_ort, tiny_nextword, tiny_sentiment, tiny_tagger

pytestmark = needs_ort
TOL = 1e-4


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """Each tiny product saved as a checkpoint and exported to ONNX: {product: (checkpoint, onnx file)}."""
    folder = tmp_path_factory.mktemp("runtime")
    torch.manual_seed(1)
    out = {}
    for product, app in (("nextword", tiny_nextword()), ("sentiment", tiny_sentiment()), ("tagger", tiny_tagger())):
        app.save(folder / f"{product}.pt")
        out[product] = (folder / f"{product}.pt", export_model(app, "onnx", folder / f"{product}.onnx").path)
    return out


def test_onnx_next_word_steps_and_suggestions_equal_the_predictor(saved):
    checkpoint, path = saved["nextword"]
    from rnnkit.apps.nextword.predictor import NextWordPredictor

    predictor, onnx = NextWordPredictor.load(checkpoint), OnnxNextWord(path, checkpoint)
    logits, state = onnx.step([2, 5, 7])
    expected, expected_state = predictor.model(torch.tensor([[2, 5, 7]]))
    assert np.abs(logits - expected[0, -1].detach().numpy()).max() < TOL
    logits, _ = onnx.step([4], state)  # carrying the state on
    assert np.abs(logits - predictor.model(torch.tensor([[4]]), expected_state)[0][0, -1].detach().numpy()).max() < TOL
    for text in [*TEXTS, "", "I go t", "the ca"]:
        got, want = onnx.suggest(text, 5), predictor.suggest(text, 5)
        assert [w for w, _ in got] == [w for w, _ in want]
        assert np.allclose([p for _, p in got], [p for _, p in want], atol=TOL)
    session = onnx.session("I go")
    assert session.type(" to sch") == predictor.session("I go").type(" to sch")


def test_onnx_sentiment_equals_the_model_through_its_rule_head(saved):
    checkpoint, path = saved["sentiment"]
    from rnnkit.apps.sentiment.model import SentimentModel

    model, onnx = SentimentModel.load(checkpoint), OnnxSentiment(path, checkpoint)
    texts = [*TEXTS, "not bad at all", "GREAT!!! :)", "x"]  # lengths 1 to 13 tokens, several per batch
    assert np.abs(onnx.probabilities(texts) - model.probabilities(texts)).max() < TOL
    assert np.abs(onnx.model.fine_probabilities(texts) - model.fine_probabilities(texts)).max() < TOL
    assert onnx.rate_many(texts) == [["Negative", "Neutral", "Positive"][i] for i in
                                     model.probabilities(texts).argmax(1)]
    with pytest.raises(InputError, match="cannot be saved"):
        onnx.model.save(checkpoint.with_name("copy.pt"))


def test_onnx_sentiment_with_negation_scope_equals_the_model(tmp_path):
    from rnnkit.apps.sentiment.model import SentimentModel

    torch.manual_seed(2)
    tiny_sentiment(negation_window=3).save(tmp_path / "scope.pt")
    path = export_model(tmp_path / "scope.pt", "onnx", tmp_path / "scope.onnx").path
    model, onnx = SentimentModel.load(tmp_path / "scope.pt"), OnnxSentiment(path, tmp_path / "scope.pt")
    texts = [*TEXTS, "not bad at all", "x", "not", "it is not a great show not dull"]  # 1 to 13 tokens
    assert np.abs(onnx.probabilities(texts) - model.probabilities(texts)).max() < TOL


def test_onnx_tagger_tags_like_the_tagger(saved):
    checkpoint, path = saved["tagger"]
    from rnnkit.apps.tagger.tagger import Tagger

    tagger, onnx = Tagger.load(checkpoint), OnnxTagger(path, checkpoint)
    texts = [*TEXTS, "flights , please !", "Boston"]
    assert onnx.tag_many(texts) == tagger.tag_many(texts)
    assert onnx.result("show me flights") == tagger.result("show me flights")


def test_foreign_and_mismatched_files_are_refused(saved, tmp_path):
    with pytest.raises(CheckpointError, match="holds an exported 'sentiment' model, expected 'tagger'"):
        OnnxTagger(saved["sentiment"][1], saved["tagger"][0])
    with pytest.raises(CheckpointError, match="exported from a model of .* words but the checkpoint"):
        OnnxTagger(saved["tagger"][1])  # the bundled tagger's vocabulary is not the tiny one
    (tmp_path / "junk.onnx").write_bytes(b"\x00junk")
    with pytest.raises(CheckpointError, match="cannot be loaded by ONNX Runtime"):
        OnnxNextWord(tmp_path / "junk.onnx", saved["nextword"][0])
    import onnx

    graph = onnx.helper.make_graph([onnx.helper.make_node("Identity", ["x"], ["y"])], "g",
                                   [onnx.helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1])],
                                   [onnx.helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1])])
    onnx.save(onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", 17)]), tmp_path / "other.onnx")
    with pytest.raises(CheckpointError, match="an ONNX model but not one that rnnkit export wrote"):
        OnnxSentiment(tmp_path / "other.onnx")
    with pytest.raises(InputError, match="ids must be a non-empty list"):
        OnnxNextWord(saved["nextword"][1], saved["nextword"][0]).step([10**6])


@pytest.mark.parametrize("product", ["nextword", "sentiment", "tagger"])
def test_bundled_models_round_trip_on_real_text(tmp_path, product):
    """The bundled models, exported as `rnnkit export PRODUCT` does, give PyTorch's outputs on real texts."""
    result = export_model(product, "onnx", tmp_path / f"{product}.onnx")
    assert result.max_abs_diff < TOL and result.agreement == 1.0
