"""``create_app(quantize="int8")`` / ``rnnkit serve --quantize int8``: int8 models answer like the float ones."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from rnnkit import ConfigError
from rnnkit.cli import main
from rnnkit.serve import create_app


@pytest.fixture(scope="module")
def int8_app():
    return create_app(quantize="int8")


def test_int8_service_says_so_and_suggests_like_float(int8_app, client):
    with TestClient(int8_app) as int8:
        health = int8.get("/v1/health").json()
        assert health["quantized"] == "int8" and client.get("/v1/health").json()["quantized"] is None
        for text in ("I go to ", "I go to sch", "Thank you for the "):
            got = int8.post("/v1/suggest", json={"text": text, "k": 3}).json()
            want = client.post("/v1/suggest", json={"text": text, "k": 3}).json()
            assert got["prefix"] == want["prefix"]
            assert got["suggestions"][0]["word"] == want["suggestions"][0]["word"]
        for text in ("I love this movie, it is wonderful!", "The plot was boring and the acting terrible."):
            got = int8.post("/v1/sentiment", json={"text": text}).json()["results"][0]
            want = client.post("/v1/sentiment", json={"text": text}).json()["results"][0]
            assert got == want  # the sentiment model stays float32


def test_quantize_reaches_the_next_word_models_not_sentiment(int8_app):
    served = int8_app.state.served
    assert served.nextword.engine.quantized == served.generator.engine.quantized == "int8"
    assert all(product.quantized == "int8" for product in served.products.values())  # tagger, translator, ...
    assert served.sentiment.model.quantized is None


def test_unknown_scheme_is_one_line_before_any_model_loads(monkeypatch):
    import rnnkit.serve.app as app_module

    monkeypatch.setattr(app_module, "load_served", lambda *a, **k: pytest.fail("loaded models for a bad scheme"))
    with pytest.raises(ConfigError, match="quantize must be one of int8; got 'int4'"):
        create_app(quantize="int4")


def test_cli_refuses_an_unknown_scheme(capsys):
    assert main(["serve", "--quantize", "int4"]) == 2
    assert "invalid choice: 'int4'" in capsys.readouterr().err
