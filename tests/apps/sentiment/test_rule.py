"""Tests for rnnkit.apps.sentiment.rule: the seed rule on VADER's compound, both thresholds, long text."""

from __future__ import annotations

import time

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from rnnkit import review_rating
from rnnkit.apps.sentiment.labels import LABELS
from rnnkit.apps.sentiment.rule import (
    BLANK_SCORES,
    LEXICON_MAX_CHARS,
    SEED_THRESHOLD,
    THRESHOLD_NAMES,
    VADER_THRESHOLD,
    label_for_compound,
    lexicon_explain,
    lexicon_scores,
    resolve_threshold,
    vader_scores,
)
from rnnkit.errors import ConfigError, InputError

VADER = SentimentIntensityAnalyzer()


def seed_rule(text: str) -> str:
    """The issue's rule, verbatim."""
    scores = VADER.polarity_scores(text)
    if scores["compound"] == 0:
        return "Neutral"
    elif scores["compound"] > 0:
        return "Positive"
    else:
        return "Negative"


def test_constants():
    assert LABELS == ("Negative", "Neutral", "Positive")
    assert SEED_THRESHOLD == 0.0 and VADER_THRESHOLD == 0.05


@pytest.mark.parametrize("text, label", [
    ("The sky is blue.", "Neutral"),  # compound exactly 0
    ("The food was good", "Positive"),
    ("The food was bad", "Negative"),
    ("not bad", "Positive"),
    ("The movie was GREAT!!!", "Positive"),
    ("I love it :)", "Positive"),
    ("This is the worst 😡", "Negative"),
    ("good acting but a dull plot", "Negative"),
    ("We went aboard.", "Positive"),  # compound 0.0258: inside VADER's band
    ("", "Neutral"),
    ("   \n\t", "Neutral"),
])
def test_seed_rule_on_known_cases(text, label):
    assert review_rating(text) == label == seed_rule(text)


def test_compound_exactly_zero_is_neutral():
    assert VADER.polarity_scores("The sky is blue.")["compound"] == 0
    assert review_rating("The sky is blue.") == "Neutral"


@pytest.mark.parametrize("text, seed, vader", [
    ("We went aboard.", "Positive", "Neutral"),  # compound 0.0258
    ("It was agitato.", "Negative", "Neutral"),  # compound -0.0258
    ("It was ayc.", "Positive", "Positive"),  # compound 0.0516
    ("The sky is blue.", "Neutral", "Neutral"),
])
def test_vader_band(text, seed, vader):
    assert review_rating(text) == seed
    assert review_rating(text, threshold=VADER_THRESHOLD) == vader


@pytest.mark.parametrize("compound, threshold, label", [
    (0.0, 0.0, "Neutral"), (1e-9, 0.0, "Positive"), (-1e-9, 0.0, "Negative"),
    (0.05, 0.05, "Positive"), (-0.05, 0.05, "Negative"), (0.0499, 0.05, "Neutral"), (-0.0499, 0.05, "Neutral"),
    (0.0, 0.05, "Neutral"), (1.0, 0.05, "Positive"), (-1.0, 0.05, "Negative"),
])
def test_label_for_compound_boundaries(compound, threshold, label):
    assert label_for_compound(compound, threshold) == label


@pytest.mark.parametrize("text", ["The food was good", "not bad", "I love it :)", "", "The sky is blue.",
                                  "VERY bad, but the music was lovely!!"])
def test_same_numbers_as_polarity_scores(text):
    assert vader_scores(text) == VADER.polarity_scores(text)


@pytest.mark.parametrize("bad, match", [
    (b"good", "decode it first"),
    (bytearray(b"good"), "decode it first"),
    (3, "must be a str, got int"),
    (None, "must be a str, got NoneType"),
    (["good"], "must be a str, got list"),
])
def test_non_strings_are_input_errors(bad, match):
    with pytest.raises(InputError, match=match):
        review_rating(bad)
    with pytest.raises(InputError, match=match):
        vader_scores(bad)


@pytest.mark.parametrize("threshold", [-0.1, 1.0, float("nan"), "0.05", "VADER", True, [0.05]])
def test_bad_thresholds(threshold):
    with pytest.raises(ConfigError, match="threshold must be a number in"):
        review_rating("good", threshold=threshold)


@pytest.mark.parametrize("text, seed, vader", [
    ("A silly plot.", "Positive", "Neutral"),  # compound 0.0258: inside VADER's band
    ("meh", "Negative", "Negative"),  # compound -0.0772: outside it
    ("The sky is blue.", "Neutral", "Neutral"),
])
def test_threshold_names_as_in_the_analyzer(text, seed, vader):
    assert review_rating(text, threshold="seed") == review_rating(text, threshold=None) == review_rating(text) == seed
    assert review_rating(text, threshold="vader") == review_rating(text, threshold=VADER_THRESHOLD) == vader


def test_one_megabyte_answers_in_bounded_time():
    text = "The acting was not bad at all, but the plot was DULL! " * 20_000  # ~1 MB
    start = time.perf_counter()
    assert review_rating(text) in LABELS
    assert time.perf_counter() - start < 10  # uncapped, VADER would take hours


def test_long_text_is_scored_on_its_head_and_tail():
    short = "great fun " * 10
    assert vader_scores(short) == VADER.polarity_scores(short)
    text = "awful " * 100 + "the sky is blue . " * 3000 + "brilliant " * 100
    assert len(text) > LEXICON_MAX_CHARS
    scores = vader_scores(text)
    assert scores["neg"] > 0 and scores["pos"] > 0  # both ends were read


def test_threshold_names():
    assert THRESHOLD_NAMES == {"seed": SEED_THRESHOLD, "vader": VADER_THRESHOLD}
    assert [resolve_threshold(v) for v in (None, "seed", "vader", 0.2, 0)] == [0.0, 0.0, 0.05, 0.2, 0.0]
    with pytest.raises(ConfigError, match="threshold must be a number in \\[0, 1\\) or one of seed, vader, got 'x'"):
        resolve_threshold("x")
    with pytest.raises(ConfigError, match="threshold must be a number in"):
        resolve_threshold(1.0)


def test_lexicon_scores_and_explain():
    vader = VADER.polarity_scores("The food was good")
    scores = lexicon_scores("The food was good")
    total = vader["neg"] + vader["neu"] + vader["pos"]
    assert scores == {"Negative": vader["neg"] / total, "Neutral": vader["neu"] / total,
                      "Positive": vader["pos"] / total, "compound": vader["compound"]}
    assert lexicon_scores(" \n") == BLANK_SCORES and lexicon_scores("") is not BLANK_SCORES
    words = lexicon_explain("not very good at all", 3)
    assert [w for w, _ in words] == ["not", "very", "good"]
    full = VADER.polarity_scores("not very good")["compound"]
    assert dict(words)["good"] == round(full - VADER.polarity_scores("not very")["compound"], 4)
    assert lexicon_explain("  ", 200) == []
