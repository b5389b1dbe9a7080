"""The bundled models through ONNX Runtime equal PyTorch within 1e-4 on real data of varying lengths."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnnkit.apps.sentiment.analyzer import DEFAULT_MODEL_PATH as SENTIMENT_PATH
from rnnkit.apps.sentiment.model import SentimentModel
from rnnkit.apps.tagger.tagger import Tagger
from rnnkit.data import read_sst
from rnnkit.data.conllu import read_conllu
from rnnkit.export import OnnxSentiment, OnnxTagger, export_model
from rnnkit.export.products import check_inputs, export_spec
from rnnkit.export.runtime import OnnxGraph

from .conftest import needs_ort

pytestmark = [needs_ort, pytest.mark.data, pytest.mark.slow]
TOL = 1e-4


def test_sentiment_on_sst_sentences(shared_data, tmp_path):
    texts = [text for text, _ in read_sst(shared_data("sst", "trees", "dev.txt"))][:300]
    assert len({len(t.split()) for t in texts}) > 20  # many lengths, several texts per batch
    onnx = OnnxSentiment(export_model("sentiment", "onnx", tmp_path / "s.onnx").path)
    model = SentimentModel.load(SENTIMENT_PATH)
    assert np.abs(onnx.model.fine_probabilities(texts) - model.fine_probabilities(texts)).max() < TOL
    assert np.abs(onnx.probabilities(texts) - model.probabilities(texts)).max() < TOL


def test_tagger_logits_on_atis_sentences(shared_data, tmp_path):
    sentences = [" ".join(s.words) for s in read_conllu(shared_data("ud_english_atis", "en_atis-ud-dev.conllu"))]
    tagger = Tagger.load()
    graph = OnnxGraph(export_model(tagger, "onnx", tmp_path / "t.onnx").path)
    spec = export_spec(tagger)
    worst = 0.0
    with torch.no_grad():
        for words, chars in check_inputs(tagger, sentences[:150]):
            (expected,) = spec.reference(words, chars)
            got = graph.run({"words": words.numpy(), "chars": chars.numpy()})[0]
            worst = max(worst, float(np.abs(got - expected.numpy()).max()))
    assert worst < TOL
    assert OnnxTagger(graph.path).tag_many(sentences[:150]) == tagger.tag_many(sentences[:150])
