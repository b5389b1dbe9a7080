"""``rnnkit serve --sentiment-onnx``: an analyzer whose network runs on ONNX Runtime answers as PyTorch's."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from rnnkit.serve import create_app

pytest.importorskip("onnxruntime", reason="the onnx extra (onnx, onnxruntime) is not installed")
pytest.importorskip("onnx", reason="the onnx extra (onnx, onnxruntime) is not installed")

TEXTS = ["I love this movie, it is wonderful!", "The plot was boring and the acting terrible.", "Not bad at all.",
         "ABSOLUTELY AMAZING!!! 😍", "A quiet film about a family.", "meh"]


@pytest.fixture(scope="module")
def onnx_app(tmp_path_factory):
    from rnnkit.export import OnnxSentiment, export_model

    path = tmp_path_factory.mktemp("onnx") / "sentiment.onnx"
    export_model("sentiment", "onnx", path)  # float32: the same numbers as PyTorch within 1e-4
    source = f"bundled, its network on ONNX Runtime from {path}"
    return create_app(sentiment=OnnxSentiment(path).analyzer, sentiment_source=(source, "# card")), path


def test_onnx_sentiment_answers_as_pytorch_in_one_batch_and_alone(onnx_app, client):
    app, path = onnx_app
    with TestClient(app) as onnx:
        assert onnx.get("/v1/health").json()["sentiment"] == f"lstm (bundled, its network on ONNX Runtime from {path})"
        assert onnx.get("/v1/models").json()["sentiment"]["card"] == "# card"
        got = onnx.post("/v1/sentiment", json={"texts": TEXTS}).json()["results"]
        want = client.post("/v1/sentiment", json={"texts": TEXTS}).json()["results"]
        assert [g["label"] for g in got] == [w["label"] for w in want]
        assert all(abs(g["compound"] - w["compound"]) < 1e-4 for g, w in zip(got, want, strict=True))
        alone = onnx.post("/v1/sentiment", json={"text": TEXTS[2], "explain": True}).json()["results"][0]
        assert alone["label"] == want[2]["label"] and [t["token"] for t in alone["explanation"]][:2] == ["not", "bad"]
