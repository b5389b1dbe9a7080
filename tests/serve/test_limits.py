"""Limits and errors: each a 4xx JSON ``{"error": "one line"}``; concurrency off the event loop."""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest
from fastapi.testclient import TestClient

from rnnkit.serve.schemas import MAX_BATCH, MAX_BODY_BYTES, MAX_EXPLAIN, MAX_K, MAX_SEED, MAX_SEED_JSON, MAX_WORDS


def assert_error(response, status: int, match: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert list(body) == ["error"] and "\n" not in body["error"]
    assert match in body["error"], body["error"]


@pytest.mark.parametrize("path, payload, match", [
    ("/v1/suggest", {"text": "I go", "k": MAX_K + 1}, f"k must be at most {MAX_K}, got {MAX_K + 1}"),
    ("/v1/suggest", {"text": "I go", "k": 0}, "k must be at least 1, got 0"),
    ("/v1/suggest", {"text": "I go", "k": "3"}, "k: input should be a valid integer"),
    ("/v1/suggest", {"text": "I go", "k": True}, "k: input should be a valid integer"),
    ("/v1/suggest", {"text": "I go", "k": 2.5}, "k: input should be a valid integer"),
    ("/v1/suggest", {"k": 3}, "text is required"),
    ("/v1/suggest", {"text": 5}, "text: input should be a valid string"),
    ("/v1/suggest", {"text": "I", "txt": "I"}, "unknown field txt"),
    ("/v1/suggest", ["I go"], "the request body must be a JSON object"),
    ("/v1/generate", {"n_words": MAX_WORDS + 1}, f"n_words must be at most {MAX_WORDS}"),
    ("/v1/generate", {"temperature": 0}, "temperature must be at least 0.01, got 0"),
    ("/v1/generate", {"top_p": 0}, "top_p must be more than 0.0, got 0"),
    ("/v1/generate", {"top_k": -1}, "top_k must be at least 0, got -1"),
    ("/v1/generate", {"seed": MAX_SEED + 1}, f"seed must be at most {MAX_SEED}"),
    ("/v1/generate", {"seed": -1}, "seed must be at least 0, got -1"),
    ("/v1/sentiment", {"texts": ["a"] * (MAX_BATCH + 1)}, f"holds {MAX_BATCH + 1} items; at most {MAX_BATCH}"),
    ("/v1/sentiment", {"texts": []}, "texts must hold at least 1 item(s)"),
    ("/v1/sentiment", {"texts": ["a"] * (MAX_EXPLAIN + 1), "explain": True},
     f"explain takes at most {MAX_EXPLAIN} texts per request, got {MAX_EXPLAIN + 1}"),
    ("/v1/sentiment", {"text": "a", "texts": ["b"]}, 'give exactly one of "text" and "texts"'),
    ("/v1/sentiment", {}, 'give exactly one of "text" and "texts"'),
    ("/v1/sentiment", {"text": "a", "explain": "yes"}, "explain: input should be a valid boolean"),
    ("/v1/sentiment", {"texts": ["ok", None]}, "texts.1: input should be a valid string"),
])
def test_bad_requests_are_422_with_one_line(client, path, payload, match):
    assert_error(client.post(path, json=payload), 422, match)


@pytest.mark.parametrize("raw", ['{"temperature": NaN}', '{"temperature": Infinity}', '{"top_p": -Infinity}'])
def test_non_finite_numbers_are_refused(client, raw):
    r = client.post("/v1/generate", content=raw, headers={"content-type": "application/json"})
    assert_error(r, 422, "finite number")


def test_lone_surrogates_are_not_text(client):
    r = client.post("/v1/suggest", content=rb'{"text": "\ud800 go"}', headers={"content-type": "application/json"})
    assert_error(r, 422, "text: text is not valid Unicode: lone surrogate at index 0")


def test_invalid_json_is_400(client):
    r = client.post("/v1/suggest", content=b'{"text": "I go', headers={"content-type": "application/json"})
    assert_error(r, 400, "the request body is not valid JSON")


def test_body_that_json_cannot_parse_is_400(client):
    deep = b"[" * 30_000 + b"]" * 30_000  # recursion too deep for the JSON parser
    assert_error(client.post("/v1/suggest", content=deep, headers={"content-type": "application/json"}),
                 400, "could not be read as JSON")


@pytest.mark.parametrize("content, content_type, status, match", [
    (b"", "application/json", 422, "a JSON request body is required"),
    (b"text=I+go", "application/x-www-form-urlencoded", 422, "the request body must be a JSON object"),
])
def test_empty_or_non_json_body(client, content, content_type, status, match):
    assert_error(client.post("/v1/suggest", content=content, headers={"content-type": content_type}), status, match)


def test_body_over_the_limit_is_413(client):
    text = "word " * (MAX_BODY_BYTES // 5)
    assert_error(client.post("/v1/suggest", json={"text": text}), 413, f"request body over {MAX_BODY_BYTES:,} bytes")


def test_chunked_body_over_the_limit_is_413(client):
    def chunks():  # no Content-Length: the limit is counted while reading
        for _ in range(MAX_BODY_BYTES // 1000 + 2):
            yield b" " * 1000

    assert_error(client.post("/v1/suggest", content=chunks(), headers={"content-type": "application/json"}),
                 413, "request body over")


def test_body_just_under_the_limit_is_served(client):
    text = "I go to school . " * ((MAX_BODY_BYTES - 100) // 17)
    r = client.post("/v1/suggest", json={"text": text + "I go to "})
    assert r.status_code == 200 and r.json()["suggestions"]
    r = client.post("/v1/sentiment", json={"text": text, "explain": True})
    assert r.status_code == 200


def test_unknown_route_and_wrong_method(client):
    assert_error(client.get("/v1/nope"), 404, "no such route: GET /v1/nope")
    r = client.get("/v1/suggest")
    assert_error(r, 405, "method not allowed: GET /v1/suggest")
    assert r.headers["allow"] == "POST"


def test_an_internal_failure_is_a_json_500(app, served, monkeypatch):
    def broken(requests, should_stop=None):
        raise RuntimeError("boom")

    monkeypatch.setattr(served, "suggest_batch", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert_error(client.post("/v1/suggest", json={"text": "I"}), 500, "internal error")


@pytest.mark.parametrize("method, path, payload", [
    ("suggest_batch", "/v1/suggest", {"text": "I go"}),
    ("sentiment_results", "/v1/sentiment", {"text": "fine"}),
])
def test_a_busy_model_does_not_block_other_requests(app, served, monkeypatch, method, path, payload):
    """While one request's model call is held, /v1/health and the other model still answer."""
    started, release = threading.Event(), threading.Event()
    real = getattr(served, method)

    def held(*args, **kwargs):
        started.set()
        assert release.wait(10), "never released: the event loop was blocked"
        return real(*args, **kwargs)

    monkeypatch.setattr(served, method, held)

    async def scenario():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            slow = asyncio.create_task(client.post(path, json=payload))
            assert await asyncio.to_thread(started.wait, 10)
            health = await client.get("/v1/health")
            other = "/v1/sentiment" if method == "suggest_batch" else "/v1/suggest"
            answered = await client.post(other, json={"text": "I go to "})
            assert not slow.done()  # still held, yet the others were served
            release.set()
            return health, answered, await slow

    health, other, slow = asyncio.run(scenario())
    assert health.status_code == other.status_code == slow.status_code == 200


def test_the_schema_takes_its_bounds_from_the_app():
    from rnnkit.apps.nextword import sampling
    from rnnkit.serve import schemas

    assert schemas.MAX_SEED is sampling.MAX_SEED
    fields = schemas.GenerateRequest.model_fields
    assert fields["top_k"].default == sampling.TOP_K_OFF and fields["top_p"].default == sampling.TOP_P_OFF


def test_the_largest_seed_the_schema_accepts_is_one_the_app_accepts(client):
    assert MAX_SEED_JSON <= MAX_SEED and float(MAX_SEED_JSON) == MAX_SEED_JSON  # exact as a JSON double
    first = client.post("/v1/generate", json={"text": "I go", "n_words": 3, "seed": MAX_SEED_JSON})
    again = client.post("/v1/generate", json={"text": "I go", "n_words": 3, "seed": float(MAX_SEED_JSON)})
    # an integer a schema reader rounds to the stated maximum (as a double) is accepted as well
    rounded = client.post("/v1/generate", json={"text": "I go", "n_words": 3, "seed": MAX_SEED_JSON + 431})
    assert rounded.status_code == 200
    assert first.status_code == 200 and first.json() == again.json()


def test_the_sentiment_schema_matches_the_app():
    import typing

    from rnnkit.apps.sentiment import analyzer
    from rnnkit.apps.sentiment.labels import LABELS
    from rnnkit.serve import schemas

    assert schemas.MAX_EXPLAIN_WORDS is analyzer.MAX_EXPLAIN_WORDS
    assert typing.get_args(schemas.SentimentResult.model_fields["label"].annotation) == LABELS
    assert tuple(schemas.ClassScores.model_fields) == LABELS


def test_an_integral_float_is_an_integer_and_other_lookalikes_are_not(client):
    assert client.post("/v1/suggest", json={"text": "I go to ", "k": 4.0}).status_code == 200
    for k in (4.5, "4", True):
        assert client.post("/v1/suggest", json={"text": "I go to ", "k": k}).status_code == 422


@pytest.mark.parametrize("body", [{"text": None, "texts": None}, {"text": None, "texts": ["fine"]},
                                  {"text": "fine", "texts": None}])
def test_an_explicit_null_text_is_refused_as_the_schema_says(client, body):
    assert_error(client.post("/v1/sentiment", json=body), 422, "must not be null")


def test_the_schema_states_the_bounds_the_service_checks(client):
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    seed = schema["GenerateRequest"]["properties"]["seed"]["anyOf"][0]
    assert seed == {"type": "integer", "minimum": 0, "maximum": MAX_SEED_JSON}
    sentiment = schema["SentimentRequest"]
    assert sentiment["oneOf"] == [{"required": ["text"]}, {"required": ["texts"]}]
    assert sentiment["properties"]["text"]["type"] == "string" and "anyOf" not in sentiment["properties"]["text"]
