"""The bundled sentiment model on the hard cases a review analyser meets (no data needed)."""

import time

import pytest

from rnnkit import SentimentAnalyzer
from rnnkit.apps.sentiment.analyzer import DEFAULT_MODEL_PATH

pytestmark = pytest.mark.skipif(not DEFAULT_MODEL_PATH.is_file(), reason="no bundled sentiment model")

# Known failures of the bundled model, kept visible: strict, so a model that gets them right fails here
# until the case moves to HARD_CASES. VADER's rule gets all but "five stars" right.
KNOWN_FAILURES = [
    ("not bad at all", "Positive"),
    ("not the worst", "Positive"),
    ("five stars", "Positive"),
    ("would not buy again", "Negative"),
    ("the plot was dull but the acting was superb", "Positive"),
]

HARD_CASES = [
    # negation
    ("not good", "Negative"),
    ("this is not a good phone", "Negative"),
    ("not recommended", "Negative"),
    # contrast: the clause after "but" decides
    ("the acting was good but the plot was dull", "Negative"),
    # intensifiers and ALL CAPS
    ("extremely good", "Positive"),
    ("THIS PHONE IS AWFUL", "Negative"),
    ("I LOVE THIS PHONE", "Positive"),
    # emoji and emoticons
    ("great :)", "Positive"),
    ("terrible :(", "Negative"),
    ("😡😡 worst service", "Negative"),
    ("I love it 😍", "Positive"),
    # not movie snippets: products, restaurants, news, tweets
    ("the food was cold and the waiter rude :(", "Negative"),
    ("Dinner was fine.", "Positive"),
    ("lol this is the best day ever", "Positive"),
    ("The hotel is located near the station.", "Neutral"),
    ("The government announced a new budget on Monday.", "Neutral"),
    ("The phone arrived on Tuesday.", "Neutral"),
    # long multi-sentence reviews
    ("The battery died after two days and support never answered. I returned it.", "Negative"),
    ("I was worried at first, but after a month of daily use this blender has been fantastic: quiet, "
     "powerful and easy to clean.", "Positive"),
]


@pytest.fixture(scope="module")
def analyzer():
    return SentimentAnalyzer.load()


@pytest.mark.parametrize(("text", "label"), HARD_CASES)
def test_hard_cases(analyzer, text, label):
    assert analyzer.rate(text) == label


@pytest.mark.parametrize(("text", "label"), KNOWN_FAILURES)
@pytest.mark.xfail(strict=True, reason="known failure of the bundled model (see docs/sentiment.md)")
def test_known_failures(analyzer, text, label):
    assert analyzer.rate(text) == label


def test_rate_many_equals_rate(analyzer):
    texts = [t for t, _ in HARD_CASES]
    assert analyzer.rate_many(texts) == [analyzer.rate(t) for t in texts]


def test_scores_and_explain(analyzer):
    scores = analyzer.scores("a wonderful, moving film")
    assert scores["Positive"] > 0.8 and 0 < scores["compound"] <= 1
    contributions = dict(analyzer.explain("a wonderful, moving film"))
    assert max(contributions, key=contributions.get) == "wonderful"


def test_huge_and_junk_input_answer_fast(analyzer):
    start = time.perf_counter()
    assert analyzer.rate("great phone. " * 80_000) == "Positive"  # about 1 MB
    assert analyzer.rate(bytes(range(256)).decode("latin-1")) in ("Negative", "Neutral", "Positive")
    assert time.perf_counter() - start < 10
