"""Tests for rnnkit.apps.sentiment.analyzer.load_analyzer: the flag rules, the default backend and its fallback."""

from __future__ import annotations

import pytest
import torch

import rnnkit.apps.sentiment.analyzer as sentiment_module
from rnnkit import SentimentAnalyzer
from rnnkit.apps.sentiment.analyzer import load_analyzer
from rnnkit.apps.sentiment.config import SentimentConfig
from rnnkit.apps.sentiment.rule import VADER_THRESHOLD
from rnnkit.errors import CheckpointError, ConfigError, NotTrainedError

FALLBACK_NOTE = "no bundled sentiment model; using the lexicon backend (VADER's rule)"


@pytest.fixture(scope="module")
def learned_path(tmp_path_factory):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # module fixtures run before conftest's per-test thread setting
    torch.manual_seed(0)
    config = SentimentConfig(embedding_dim=8, hidden_size=8, epochs=1, progress=False, num_threads=1)
    path = tmp_path_factory.mktemp("analyzer") / "tiny.pt"
    SentimentAnalyzer.train(["a good film", "a bad film", "it opens in paris"], ["Positive", "Negative", "Neutral"],
                            config).save(path)
    yield path
    torch.set_num_threads(threads)


@pytest.fixture
def bundled(monkeypatch, learned_path):
    monkeypatch.setattr(sentiment_module, "DEFAULT_MODEL_PATH", learned_path)


@pytest.fixture
def no_bundled(monkeypatch, tmp_path):
    monkeypatch.setattr(sentiment_module, "DEFAULT_MODEL_PATH", tmp_path / "none.pt")


@pytest.mark.parametrize("kwargs, backend, threshold", [
    ({}, "lstm", None),
    ({"backend": "model"}, "lstm", None),
    ({"backend": "lexicon"}, "lexicon", 0.0),
    ({"backend": "lexicon", "threshold": "vader"}, "lexicon", VADER_THRESHOLD),
    ({"threshold": "vader"}, "lexicon", VADER_THRESHOLD),  # a threshold alone picks the lexicon
    ({"threshold": 0.2}, "lexicon", 0.2),
])
def test_load_analyzer_flag_rules(bundled, kwargs, backend, threshold):
    analyzer, note = load_analyzer(**kwargs)
    assert analyzer.backend == backend and note is None
    if threshold is not None:
        assert analyzer.threshold == threshold


def test_load_analyzer_path(no_bundled, learned_path):
    for args, kwargs in (((learned_path,), {}), ((str(learned_path),), {"backend": "model"})):
        analyzer, note = load_analyzer(*args, **kwargs)
        assert analyzer.backend == "lstm" and note is None


def test_load_analyzer_falls_back_without_a_bundled_model(no_bundled):
    analyzer, note = load_analyzer()
    assert analyzer.backend == "lexicon" and analyzer.threshold == 0.0
    assert note == FALLBACK_NOTE
    assert load_analyzer(threshold="vader")[1] is None  # the lexicon was asked for: nothing to note


def test_load_analyzer_falls_back_from_an_unusable_bundled_model(monkeypatch, tmp_path):
    junk = tmp_path / "sentiment.pt"
    junk.write_bytes(b"\x00\x01 not a checkpoint")
    monkeypatch.setattr(sentiment_module, "DEFAULT_MODEL_PATH", junk)
    analyzer, note = load_analyzer()
    assert analyzer.backend == "lexicon"
    assert note.startswith("the bundled sentiment model is unusable (")
    assert note.endswith("; using the lexicon backend (VADER's rule)") and "\n" not in note


def test_load_analyzer_falls_back_on_not_trained(monkeypatch):
    real_load = SentimentAnalyzer.load

    def load(path=None, *, backend=None, threshold=None):
        if path is None and backend is None:
            raise NotTrainedError("no model")
        return real_load(path, backend=backend, threshold=threshold)

    monkeypatch.setattr(SentimentAnalyzer, "load", staticmethod(load))
    analyzer, note = load_analyzer()
    assert analyzer.backend == "lexicon" and note.endswith("using the lexicon backend (VADER's rule)")


@pytest.mark.parametrize("args, kwargs, error, match", [
    (("m.pt",), {"backend": "lexicon"}, ConfigError, "the lexicon backend reads no model file"),
    ((), {"backend": "model", "threshold": "vader"}, ConfigError, "threshold applies to the lexicon backend only"),
    (("m.pt",), {"threshold": 0.05}, ConfigError, "threshold applies to the lexicon backend only"),
    ((), {"backend": "vader"}, ConfigError, "backend must be one of lexicon, model"),
    ((), {"threshold": "loose"}, ConfigError, "threshold must be a number in \\[0, 1\\) or one of seed, vader"),
    ((), {"backend": "model"}, CheckpointError, "no bundled sentiment model"),  # asked for: no fallback
    (("missing.pt",), {}, CheckpointError, "missing.pt"),
])
def test_load_analyzer_errors(no_bundled, args, kwargs, error, match):
    with pytest.raises(error, match=match) as info:
        load_analyzer(*args, **kwargs)
    assert "\n" not in str(info.value)
