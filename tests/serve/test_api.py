"""Every endpoint through an in-process client, over the bundled next-word model."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from rnnkit import CheckpointError, SentimentConfig
from rnnkit.apps.sentiment.analyzer import SentimentAnalyzer
from rnnkit.serve import create_app
from rnnkit.serve.schemas import (
    MAX_BATCH,
    MAX_BODY_BYTES,
    MAX_CHARS,
    MAX_EXPLAIN,
    MAX_EXPLAIN_WORDS,
    MAX_K,
    MAX_SERVED_BEAM,
    MAX_WORDS,
)


def test_suggest_next_word_after_a_space(client):
    r = client.post("/v1/suggest", json={"text": "I go to ", "k": 3})
    assert r.status_code == 200
    body = r.json()
    assert body["completing"] is False and body["prefix"] == ""
    words = [s["word"] for s in body["suggestions"]]
    probs = [s["probability"] for s in body["suggestions"]]
    assert len(words) == 3 and "school" in words
    assert all(0 < p <= 1 for p in probs) and probs == sorted(probs, reverse=True)


def test_suggest_completes_the_word_being_typed(client, served):
    body = client.post("/v1/suggest", json={"text": "I go to sch"}).json()
    assert body["completing"] is True and body["prefix"] == "sch"
    assert body["suggestions"][0]["word"] == "school"
    assert [(s["word"], s["probability"]) for s in body["suggestions"]] == served.nextword.suggest("I go to sch", 3)


def test_suggest_with_no_candidate_is_an_empty_list(client):
    body = client.post("/v1/suggest", json={"text": "I go to xqzzj"}).json()
    assert body == {"completing": True, "prefix": "xqzzj", "suggestions": []}


def test_suggest_empty_text_starts_a_sentence(client):
    body = client.post("/v1/suggest", json={"text": "", "k": MAX_K}).json()
    assert len(body["suggestions"]) == MAX_K and body["suggestions"][0]["word"][0].isupper()


def test_generate_is_repeatable_with_a_seed(client):
    request = {"text": "I go to", "n_words": 6, "temperature": 0.8, "top_k": 50, "top_p": 0.9, "seed": 7}
    first = client.post("/v1/generate", json=request)
    assert first.status_code == 200
    assert first.json() == client.post("/v1/generate", json=request).json()
    assert len(first.json()["continuation"].split()) >= 1


def test_generate_defaults(client):
    r = client.post("/v1/generate", json={})
    assert r.status_code == 200 and r.json()["continuation"]


def test_sentiment_one_text(client, served):
    r = client.post("/v1/sentiment", json={"text": "I love this movie, it is wonderful!"})
    assert r.status_code == 200
    body = r.json()
    assert body["backend"] == served.sentiment.backend
    [result] = body["results"]
    assert result["label"] == "Positive" and result["explanation"] is None
    assert set(result["scores"]) == {"Negative", "Neutral", "Positive"}
    assert sum(result["scores"].values()) == pytest.approx(1.0, abs=1e-3)
    assert -1 <= result["compound"] <= 1


def test_sentiment_batch_keeps_order_and_explains(client):
    texts = ["I love it", "This is terrible and boring.", "I hate it"]
    body = client.post("/v1/sentiment", json={"texts": texts, "explain": True}).json()
    assert [r["label"] for r in body["results"]] == ["Positive", "Negative", "Negative"]
    tokens = [t["token"] for t in body["results"][0]["explanation"]]
    assert "love" in [t.lower() for t in tokens]
    love = next(t for t in body["results"][0]["explanation"] if t["token"].lower() == "love")
    assert love["contribution"] > 0


def test_explanations_cover_the_first_words_of_a_long_text(client):
    text = "good " * (MAX_EXPLAIN_WORDS + 50)
    [result] = client.post("/v1/sentiment", json={"text": text, "explain": True}).json()["results"]
    assert len(result["explanation"]) == MAX_EXPLAIN_WORDS


def test_health_says_what_is_served_and_the_limits(client, served):
    body = client.get("/v1/health").json()
    assert body["status"] == "ok" and body["nextword"] == "bundled"
    assert body["sentiment"].startswith(served.sentiment.backend)
    assert body["limits"] == {"max_body_bytes": MAX_BODY_BYTES, "max_k": MAX_K, "max_batch": MAX_BATCH,
                              "max_explain": MAX_EXPLAIN, "max_explain_words": MAX_EXPLAIN_WORDS,
                              "max_words": MAX_WORDS, "max_chars": MAX_CHARS, "max_beam": MAX_SERVED_BEAM}
    assert body["notes"] == list(served.notes.values())
    assert body["tagger"] == body["translator"] == body["chars"] == body["reviews"] == "bundled"


def test_models_carry_the_model_cards(client):
    body = client.get("/v1/models").json()
    assert body["nextword"]["source"] == "bundled" and body["nextword"]["name"].startswith("NextWordPredictor(lstm")
    assert body["nextword"]["card"].startswith("# Model card: bundled next-word model")
    assert body["sentiment"]["card"]
    assert body["tagger"]["name"].startswith("Tagger(lstm") and body["chars"]["name"].startswith("CharGenerator(")
    assert "labels Negative/Neutral/Positive" in body["reviews"]["name"] and body["reviews"]["card"]


def test_missing_bundled_sentiment_model_falls_back_to_the_lexicon(served, monkeypatch):
    real_load = SentimentAnalyzer.load

    def load(path=None, *, backend=None):
        if path is None and backend is None:
            raise CheckpointError("checkpoint sentiment.pt not found")
        return real_load(path, backend=backend)

    monkeypatch.setattr(SentimentAnalyzer, "load", staticmethod(load))
    with TestClient(create_app(nextword=served.nextword)) as client:
        health = client.get("/v1/health").json()
        models = client.get("/v1/models").json()
        rated = client.post("/v1/sentiment", json={"text": "great"}).json()
    assert health["sentiment"] == "lexicon (fallback: no usable bundled model)"
    note = "the bundled sentiment model is unusable (checkpoint sentiment.pt not found); using the lexicon backend"
    assert health["notes"][0].startswith(note)  # load_analyzer's note, the one the CLI prints too
    assert health["nextword"] == "given"
    assert models["sentiment"]["note"] == health["notes"][0] and "VADER" in models["sentiment"]["card"]
    assert rated["backend"] == "lexicon" and rated["results"][0]["label"] == "Positive"


def test_a_learned_sentiment_model_from_a_file_with_its_card(served, tmp_path):
    texts = ["a good film", "great acting", "I loved it", "a bad film", "awful acting", "I hated it",
             "the film is in english", "he is a doctor"]
    labels = ["Positive"] * 3 + ["Negative"] * 3 + ["Neutral"] * 2
    tiny = SentimentConfig(embedding_dim=8, hidden_size=8, epochs=20, batch_size=8, learning_rate=0.02,
                           dropout=0.0, word_dropout=0.0, progress=False, num_threads=1)
    SentimentAnalyzer.train(texts, labels, tiny).save(tmp_path / "tiny.pt")
    (tmp_path / "tiny.md").write_text("# Model card: tiny\n", encoding="utf-8")
    with TestClient(create_app(nextword=served.nextword, sentiment=tmp_path / "tiny.pt")) as client:
        body = client.post("/v1/sentiment", json={"texts": ["a good film", "a bad film"], "explain": True}).json()
        models = client.get("/v1/models").json()
    assert body["backend"] == "lstm" and [r["label"] for r in body["results"]] == ["Positive", "Negative"]
    assert [t["token"] for t in body["results"][0]["explanation"]] == ["a", "good", "film"]
    assert models["sentiment"]["source"] == str(tmp_path / "tiny.pt")
    assert models["sentiment"]["card"] == "# Model card: tiny\n" and models["sentiment"]["note"] is None


def test_a_missing_model_file_fails_at_start(served, tmp_path):
    with pytest.raises(CheckpointError):
        create_app(nextword=tmp_path / "absent.pt", sentiment=served.sentiment)


def test_openapi_schema_lists_the_endpoints_and_limits(client):
    schema = client.get("/openapi.json").json()
    assert {"/v1/suggest", "/v1/generate", "/v1/sentiment", "/v1/health", "/v1/models"} <= set(schema["paths"])
    k = schema["components"]["schemas"]["SuggestRequest"]["properties"]["k"]
    assert k["maximum"] == MAX_K and k["minimum"] == 1


def test_page_and_its_assets_need_no_internet(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<textarea id="text"' in page.text
    for asset in ("/static/app.js", "/static/style.css"):
        r = client.get(asset)
        assert r.status_code == 200
        assert "http://" not in r.text and "https://" not in r.text and "//cdn" not in r.text
    assert "http" not in page.text.replace('http-equiv', '')
    assert client.get("/docs").status_code == 404  # FastAPI's docs page loads Swagger UI from a CDN


def test_translate_one_text_or_several_with_beam_or_greedy(client, served):
    one = client.post("/v1/translate", json={"text": "I go to school."}).json()["results"]
    assert one == [{"text": "I go to school.", "translation": "Je vais à l'école.", "beam": 5, "unknown": [],
                    "truncated": False}]
    texts = ["She is reading a book in the garden.", "I go to Zanzibar."]
    greedy = client.post("/v1/translate", json={"texts": texts, "beam": 1}).json()["results"]
    expected = served.products["translator"].translate_many(texts, beam=1)
    assert [r["translation"] for r in greedy] == [e["translation"] for e in expected]
    assert greedy[1]["unknown"] == ["Zanzibar"]
    assert client.post("/v1/translate", json={"text": "hi", "beam": 11}).status_code == 422


def test_a_blank_text_translates_to_nothing_beside_real_ones(client):
    results = client.post("/v1/translate", json={"texts": ["", "I go to school.", "  "]}).json()["results"]
    assert [r["translation"] for r in results] == ["", "Je vais à l'école.", ""]


def test_tag_one_text_or_several_as_the_tagger_tags_each(client, served):
    texts = ["show me flights from boston to denver", "list the cheapest fare , please", "flights"]
    tagger = served.products["tagger"]
    several = client.post("/v1/tag", json={"texts": texts}).json()["results"]
    assert several == [{"tokens": [{"word": w, "tag": t} for w, t in tagger.tag(text)]} for text in texts]
    assert client.post("/v1/tag", json={"text": texts[0]}).json()["results"] == several[:1]
