"""Tests for rnnkit.apps.sentiment.analyzer: SentimentAnalyzer over both backends and its results."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
import torch

import rnnkit.apps.sentiment.analyzer as sentiment_module
from rnnkit import SentimentAnalyzer
from rnnkit.apps.sentiment.analyzer import MAX_EXPLAIN_WORDS
from rnnkit.apps.sentiment.config import SentimentConfig
from rnnkit.apps.sentiment.labels import LABELS
from rnnkit.apps.sentiment.rule import VADER_THRESHOLD, vader_scores
from rnnkit.errors import CheckpointError, ConfigError, InputError

POSITIVE = ["a good film", "great acting", "I loved it", "wonderful and fun", "really good", "a great story"]
NEGATIVE = ["a bad film", "awful acting", "I hated it", "dull and boring", "really bad", "a terrible story"]
NEUTRAL = ["the film is in english", "it opens in paris", "he is a doctor", "they drive to town"]
TEXTS = POSITIVE + NEGATIVE + NEUTRAL
LABELLED = ["Positive"] * 6 + ["Negative"] * 6 + ["Neutral"] * 4
TINY = dict(embedding_dim=8, hidden_size=8, epochs=30, batch_size=8, learning_rate=0.02, dropout=0.0,
            word_dropout=0.0, progress=False, num_threads=1)
MEGABYTE = "The acting was not bad at all, but the plot was DULL! " * 20_000


@pytest.fixture(scope="module")
def learned():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # module fixtures run before conftest's per-test thread setting
    torch.manual_seed(0)
    yield SentimentAnalyzer.train(TEXTS, LABELLED, SentimentConfig(**TINY))
    torch.set_num_threads(threads)


@pytest.fixture
def lexicon():
    return SentimentAnalyzer.load(backend="lexicon")


# lexicon backend -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, label", [
    ("The sky is blue.", "Neutral"),
    ("not bad", "Positive"),
    ("good acting but a dull plot", "Negative"),
    ("The movie was GREAT!!!", "Positive"),
    ("This is the worst 😡", "Negative"),
    ("I love it :)", "Positive"),
])
def test_lexicon_follows_the_seed_rule(lexicon, text, label):
    assert lexicon.backend == "lexicon"
    assert lexicon.rate(text) == label


def test_lexicon_thresholds():
    assert SentimentAnalyzer.load(backend="lexicon").rate("We went aboard.") == "Positive"  # compound 0.0258
    for threshold in ("vader", VADER_THRESHOLD):
        analyzer = SentimentAnalyzer.load(backend="lexicon", threshold=threshold)
        assert analyzer.threshold == VADER_THRESHOLD
        assert analyzer.rate("We went aboard.") == "Neutral"


def test_lexicon_scores_are_vader_proportions(lexicon):
    scores = lexicon.scores("The food was good")
    assert set(scores) == {"Negative", "Neutral", "Positive", "compound"}
    assert scores["compound"] == vader_scores("The food was good")["compound"] == 0.4404
    assert scores["Neutral"] == pytest.approx(0.508) and scores["Positive"] == pytest.approx(0.492)
    assert scores["Negative"] + scores["Neutral"] + scores["Positive"] == pytest.approx(1.0)
    assert lexicon.rate("The food was good") == "Positive"  # the rule on compound, not the largest proportion


def test_lexicon_explain_is_occlusion(lexicon):
    words = lexicon.explain("The movie was not very good")
    assert [w for w, _ in words] == ["The", "movie", "was", "not", "very", "good"]
    full = vader_scores("The movie was not very good")["compound"]
    assert dict(words)["not"] == pytest.approx(full - vader_scores("The movie was very good")["compound"])
    assert dict(words)["not"] < 0 and dict(words)["The"] == 0.0
    assert lexicon.explain("   ") == []
    assert len(lexicon.explain("good " * 1000)) == MAX_EXPLAIN_WORDS


def test_lexicon_has_nothing_to_save(lexicon, tmp_path):
    with pytest.raises(ConfigError, match="lexicon backend has no model to save"):
        lexicon.save(tmp_path / "x.pt")


# both backends ---------------------------------------------------------------------------------------

@pytest.fixture(params=["lexicon", "learned"])
def analyzer(request):
    return SentimentAnalyzer.load(backend="lexicon") if request.param == "lexicon" else request.getfixturevalue(
        "learned")


@pytest.mark.parametrize("text", ["", " ", "\n\t  "])
def test_blank_text_is_neutral(analyzer, text):
    assert analyzer.rate(text) == "Neutral"
    assert analyzer.rate_many([text, "a great story"])[0] == "Neutral"
    assert analyzer.scores(text) == {"Negative": 0.0, "Neutral": 1.0, "Positive": 0.0, "compound": 0.0}


def test_scores_shape(analyzer):
    for text in ("a great story", "a terrible story"):
        scores = analyzer.scores(text)
        assert sum(scores[label] for label in LABELS) == pytest.approx(1.0)
        assert -1.0 <= scores["compound"] <= 1.0
    assert analyzer.scores("a great story")["compound"] > 0 > analyzer.scores("a terrible story")["compound"]


def test_rate_many_matches_rate(analyzer):
    assert analyzer.rate_many(TEXTS) == [analyzer.rate(t) for t in TEXTS]
    assert analyzer.rate_many(tuple(TEXTS[:2])) == analyzer.rate_many(iter(TEXTS[:2]))
    assert analyzer.rate_many([]) == []


def test_one_megabyte_answers_in_bounded_time(analyzer):
    start = time.perf_counter()
    assert analyzer.rate(MEGABYTE) in LABELS
    assert analyzer.rate_many([MEGABYTE, "fine"])[0] in LABELS
    assert len(analyzer.explain(MEGABYTE)) > 0
    assert time.perf_counter() - start < 30


@pytest.mark.parametrize("method, bad, match", [
    ("rate", ["good"], "take one str, got a list; use rate_many"),
    ("rate", b"good", "decode it first"),
    ("rate", 3, "must be a str, got int"),
    ("rate", None, "must be a str, got NoneType"),
    ("scores", ("good",), "got a tuple; use rate_many"),
    ("explain", 1.5, "must be a str, got float"),
    ("rate_many", "good film", "rate_many takes a list of str, got a str; use rate"),
    ("rate_many", b"good", "rate_many takes a list of str, got a bytes"),
    ("rate_many", 7, "rate_many takes a list of str, got int"),
    ("rate_many", ["good", 3], "text 1 must be a str, got int"),
    ("rate_many", ["good", b"\xff\xfe"], "text 1 must be a str, got bytes; decode it first"),
])
def test_bad_input_is_one_line_input_error(analyzer, method, bad, match):
    with pytest.raises(InputError, match=match) as info:
        getattr(analyzer, method)(bad)
    assert "\n" not in str(info.value)


# learned backend -------------------------------------------------------------------------------------

def test_learned_rates_its_training_data(learned):
    assert learned.backend == "lstm"
    assert learned.rate_many(TEXTS) == LABELLED


def test_rate_many_is_one_batched_call(learned, monkeypatch):
    calls = []
    real = learned.model.probabilities
    monkeypatch.setattr(learned.model, "probabilities", lambda texts: calls.append(len(texts)) or real(texts))
    learned.rate_many(TEXTS + [""])
    assert calls == [len(TEXTS)]  # the blank text needs no model


def test_learned_scores_and_explain(learned):
    probs = learned.model.probabilities(["a great story"])[0]
    scores = learned.scores("a great story")
    assert [scores[label] for label in LABELS] == pytest.approx(list(probs))
    assert scores["compound"] == pytest.approx(probs[2] - probs[0])
    tokens = learned.explain("a great story")
    assert [t for t, _ in tokens] == ["a", "great", "story"]
    assert dict(tokens)["great"] > 0


def test_save_load_round_trip(learned, tmp_path):
    path = tmp_path / "sentiment.pt"
    learned.save(path)
    loaded = SentimentAnalyzer.load(path)
    assert loaded.backend == "lstm"
    np.testing.assert_allclose(loaded.model.probabilities(TEXTS), learned.model.probabilities(TEXTS), rtol=1e-6)
    assert loaded.rate_many(TEXTS) == learned.rate_many(TEXTS)


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_every_cell_is_a_backend(cell):
    analyzer = SentimentAnalyzer.train(TEXTS, LABELLED, SentimentConfig(**TINY | {"epochs": 1, "cell": cell}))
    assert analyzer.backend == cell
    assert set(analyzer.rate_many(TEXTS)) <= set(LABELS)


def test_train_rejects_bad_labels():
    with pytest.raises(InputError, match="Good"):
        SentimentAnalyzer.train(["a", "b"], ["Positive", "Good"], SentimentConfig(**TINY))


# loading ---------------------------------------------------------------------------------------------

def test_no_bundled_model_is_a_clear_checkpoint_error(monkeypatch, tmp_path):
    monkeypatch.setattr(sentiment_module, "DEFAULT_MODEL_PATH", tmp_path / "sentiment.pt")
    with pytest.raises(CheckpointError, match="no bundled sentiment model .* pass a model path or backend='lexicon'"):
        SentimentAnalyzer.load()


def test_bad_files(tmp_path):
    with pytest.raises(CheckpointError):
        SentimentAnalyzer.load(tmp_path / "missing.pt")
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"\x00\x01 not a checkpoint")
    with pytest.raises(CheckpointError):
        SentimentAnalyzer.load(junk)


@pytest.mark.parametrize("kwargs, match", [
    ({"backend": "vader"}, "backend must be one of lexicon, model"),
    ({"backend": "lexicon", "path": "m.pt"}, "lexicon backend reads no model file"),
    ({"threshold": 0.05}, "threshold applies to the lexicon backend only"),
    ({"backend": "lexicon", "threshold": "loose"}, "threshold must be a number in \\[0, 1\\) or one of seed, vader"),
    ({"backend": "lexicon", "threshold": 1.5}, "threshold must be a number in"),
])
def test_load_config_errors(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        SentimentAnalyzer.load(**kwargs)


def test_constructor_checks(learned):
    with pytest.raises(InputError, match="model must be a SentimentModel"):
        SentimentAnalyzer("lstm")
    with pytest.raises(ConfigError, match="lexicon backend only"):
        SentimentAnalyzer(learned.model, threshold=0.05)
    assert "lexicon" in repr(SentimentAnalyzer()) and "lstm" in repr(learned)


def test_bundled_model_when_present():
    if not sentiment_module.DEFAULT_MODEL_PATH.is_file():
        pytest.skip("no bundled sentiment model yet")
    analyzer = SentimentAnalyzer.load()
    assert analyzer.rate_many(["a wonderful, moving film", "a dull, tedious mess"]) == ["Positive", "Negative"]


# results: the one JSON shape -------------------------------------------------------------------------

MIXED = TEXTS + ["", "  ", "not bad at all", "The food was good"]


def test_result_shape(analyzer):
    result = analyzer.result("a great story")
    assert list(result) == ["label", "scores", "compound", "explanation"]
    assert tuple(result["scores"]) == LABELS and result["explanation"] is None
    assert isinstance(result["label"], str) and type(result["compound"]) is float
    assert all(type(v) is float for v in result["scores"].values())
    explained = analyzer.result("a great story", explain=True)
    assert all(list(item) == ["token", "contribution"] and type(item["contribution"]) is float
               for item in explained["explanation"])
    json.dumps(explained)  # plain Python values only


def test_results_equal_rate_many_scores_and_explain(analyzer):
    results = analyzer.results(MIXED, explain=True)
    assert [r["label"] for r in results] == analyzer.rate_many(MIXED)
    for text, result in zip(MIXED, results, strict=True):
        scores = analyzer.scores(text)
        assert result["scores"] == pytest.approx({label: scores[label] for label in LABELS}, abs=1e-6)
        assert result["compound"] == pytest.approx(scores["compound"], abs=1e-6)
        assert result["explanation"] == [{"token": t, "contribution": pytest.approx(c, abs=1e-6)}
                                         for t, c in analyzer.explain(text)]
        single = analyzer.result(text, explain=True)  # alone, not batched: equal up to float noise
        assert single["label"] == result["label"] and single["explanation"] == result["explanation"]
        assert single["scores"] == pytest.approx(result["scores"], abs=1e-6)
    assert analyzer.results(iter(MIXED[:2])) == analyzer.results(tuple(MIXED[:2]))
    assert analyzer.results([]) == []


def test_lexicon_results_are_exact(lexicon):
    for text, result in zip(MIXED, lexicon.results(MIXED), strict=True):
        scores = lexicon.scores(text)
        assert result["scores"] | {"compound": result["compound"]} == scores


def test_results_explain_the_first_words(analyzer):
    long_text = " ".join(f"good{i % 7} bad" for i in range(400))
    head = " ".join(long_text.split()[:MAX_EXPLAIN_WORDS])
    explanation = analyzer.result(long_text, explain=True)["explanation"]
    assert explanation == [{"token": t, "contribution": c} for t, c in analyzer.explain(head)]
    if analyzer.backend == "lexicon":
        assert len(explanation) == MAX_EXPLAIN_WORDS


def test_results_is_one_batched_call(learned, monkeypatch):
    calls = []
    real = learned.model.probabilities
    monkeypatch.setattr(learned.model, "probabilities", lambda texts: calls.append(len(texts)) or real(texts))
    learned.results(TEXTS + ["", " "])
    assert calls == [len(TEXTS)]


@pytest.mark.parametrize("method, bad, match", [
    ("results", "good film", "results takes a list of str, got a str; use result for one text"),
    ("results", ["good", None], "text 1 must be a str, got NoneType"),
    ("result", ["good"], "take one str, got a list"),
    ("result", b"good", "decode it first"),
])
def test_results_bad_input(lexicon, method, bad, match):
    with pytest.raises(InputError, match=match):
        getattr(lexicon, method)(bad)
