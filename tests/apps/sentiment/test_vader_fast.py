"""Tests for rnnkit.apps.sentiment.vader_fast: FastVader gives exactly VADER's scores, bit for bit."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vaderSentiment import vaderSentiment as vs

from rnnkit.apps.sentiment import vader_fast
from rnnkit.apps.sentiment.rule import vader_analyzer
from rnnkit.apps.sentiment.vader_fast import FastVader
from rnnkit.data import read_sst, read_text, read_vader_ground_truth

VADER = vs.SentimentIntensityAnalyzer()
FAST = FastVader()


def bits(scores: dict) -> dict:
    """Each score as its type and exact bits (``==`` alone would let -0.0 pass for 0.0)."""
    return {key: (type(value), value.hex()) for key, value in scores.items()}


def assert_same(text: str, fast: FastVader = FAST, vader: vs.SentimentIntensityAnalyzer = VADER) -> None:
    expected = vader.polarity_scores(text)
    got = fast.polarity_scores(text)
    assert got == expected, text
    assert bits(got) == bits(expected), text


TRICKY = [
    # negation
    "not bad", "Not bad at all", "no complaints", "No complaints here", "never good", "I have never been happy",
    "without a doubt, excellent", "Without a doubt, an excellent idea.", "without doubt excellent", "without love",
    "isn't good", "isnt good", "ain't nice", "don't like it", "do n't like it", "it is not very good",
    "not good not bad", "nothing good", "nor good", "despite good reviews", "rarely fun", "uh-uh, great",
    "no", "no good", "no no good", "no love or hate", "no joy nor love", "no. good", "No, I am not happy",
    "never so good", "never this good", "it was this good", "so good", "the film is so very good",
    # "but"
    "good but bad", "the plot was good, but the characters are dull", "great great but great great",
    "but", "But it was nice", "good BUT bad", "nice but but nice", "love hate but love hate love",
    "a good good but bad bad movie but fine", "I liked it... but", "good, but. bad", "bad but, good",
    # "but" looks scores up by value: 0.5 * nice == okay, so "nice" is halved twice and "okay" not raised
    "nice but okay", "it was nice but okay", "true but okay ok", "pretty but well well", "okay nice but okay nice",
    # capitals
    "GOOD", "good", "The movie was GREAT!!!", "VERY GOOD", "VERY good movie", "very GOOD movie",
    "I LOVE IT", "I love IT", "THE FOOD WAS TERRIBLE but GREAT service", "VADER is VERY SMART, handsome, and FUNNY.",
    "NOT BAD", "Not Bad", "EXTREMELY bad", "EXTREMELY BAD film",
    # punctuation
    "good!", "good!!", "good!!!", "good!!!!!!!!", "bad!!!", "good?", "good??", "good???", "good????????",
    "good?!?!", "!!!", "???", "bad?? good!!", "...good...", "'good'", '"great"', "(bad)", "--awful--",
    "good,bad", "good.bad", "goo!", "ok", "ok!", "x!", "!!", "good!?!",
    # emoticons and emoji
    ":)", ":-(", "<3", ":D", ":d", ":P", "xD", ";)", ":'(", "):", "I love it :)", "sad :-(", "so happy <3",
    "😍", "I 😍 it", "I😍it", "😍😍😍", "😍 😡", "This is the worst 😡", "🔛", "on🔛", "good 👍 ", "👍👍 great",
    "Catch utf-8 emoji such as 💘 and 💋 and 😁", "❤️", "❤ love", "☺", "©", "™ good", "🇺🇸 flag",
    # idioms and special cases
    "kind of good", "it was kind of good", "it is only kind of good", "kinda good", "sort of bad",
    "it was sort of bad", "we just enough liked it", "this is the bomb", "it was the shit", "that is the shit",
    "this movie is bad ass", "a badass movie", "wait at the bus stop", "yeah right", "it is the kiss of death",
    "a dress to die for", "my beating heart", "he can cut the mustard", "hand to mouth", "break a leg",
    "the very good bomb", "the bomb the shit", "kind of kind of good", "sort of kind of bad", "just enough good",
    "it was at least good", "least good", "at least good", "the very least good", "the least good", "least",
    "Roger Dodger is one of the least compelling variations on this theme.",
    "Roger Dodger is at least compelling as a variation on the theme.",
    # boosters and dampeners
    "very good", "very bad", "barely good", "hardly bad", "extremely very good", "very very very good",
    "slightly good", "really really bad", "it was very much not very good", "uber handsome", "FRIGGIN FUNNY",
    "The book was only kind of good.", "Today only kinda sux! But I'll get by, lol", "Today SUX!",
    # degenerate input
    "", " ", "   \n\t ", "\u00a0", "a", "!", "?", ":", "'", "x", "é", "ß", "İ", "İyi", "ΣΑΣ καλό", "ΟΔΟΣ good",
    "日本語のテキスト", "مرحبا good", "\x00good\x00", "good\u200bbad", "\ud800", "café good", "naïve fun",
    "good " * 500, "good but bad " * 200, ("The movie was not bad, but the ending was TERRIBLE!!! 😡 " * 80).strip(),
]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_cases_give_vaders_scores(text):
    assert_same(text)


def test_vader_analyzer_is_fast_and_still_an_analyzer():
    analyzer = vader_analyzer()
    assert isinstance(analyzer, FastVader)
    assert isinstance(analyzer, vs.SentimentIntensityAnalyzer)
    assert analyzer.lexicon == VADER.lexicon and analyzer.emojis == VADER.emojis


def test_non_str_input_behaves_as_the_original():
    assert FAST.polarity_scores(["good", " movie"]) == VADER.polarity_scores(["good", " movie"])
    for value in (123, b"good"):
        with pytest.raises(TypeError):
            VADER.polarity_scores(value)
        with pytest.raises(TypeError):
            FAST.polarity_scores(value)


def test_lexicon_changes_are_seen():
    fast, vader = FastVader(), vs.SentimentIntensityAnalyzer()
    for analyzer in (fast, vader):
        analyzer.lexicon["rnnkit"] = 2.5
        analyzer.lexicon["meh"] = -0.0
    for text in ("rnnkit is here", "not rnnkit", "meh", "very meh", "it is not meh", "RNNKIT rocks but meh"):
        assert_same(text, fast, vader)


def test_word_memo_is_cleared_when_full(monkeypatch):
    monkeypatch.setattr(vader_fast, "_WORD_CACHE_SIZE", 3)
    fast = FastVader()
    for text in TRICKY[:60]:
        assert_same(text, fast)
        assert len(fast._words) <= 3


# ---- generated text ---------------------------------------------------------------------------------

_RULE_WORDS = ["no", "not", "never", "without", "doubt", "least", "at", "very", "so", "this", "but", "kind", "of",
               "or", "nor", "sort", "just", "enough", "the", "to", "die", "for", "n't", "isn't", "can't", "uh-uh"]
_WORDS = sorted({*_RULE_WORDS, *vs.NEGATE, *vs.BOOSTER_DICT, *vs.SPECIAL_CASES, *vs.SENTIMENT_LADEN_IDIOMS,
                 *sorted(VADER.lexicon)[::25], "movie", "plot", "acting", "I", "it", "was", "is", "a",
                 # pairs where one valence is half the other ("but" looks scores up by value)
                 "nice", "okay", "true", "pretty", "well", "care", "kind", "ok", "laugh", "cool"})
_EMOJI = sorted(VADER.emojis)[::40] + ["😍", "😡", "👍", "🔛", "❤️", "❤"]
_MARKS = ["!", "?", "!!!", "??", "...", ",", ".", "'", '"', "(", ")", "-", ":)", ":-(", "<3", ":D", ";)", "</3"]
_CASES = [str, str.lower, str.upper, str.title, str.capitalize, str.swapcase]
_GAPS = [" ", " ", " ", "  ", "", "\t", "\n", "\u00a0", "\u3000"]

_word = st.tuples(st.sampled_from(_CASES), st.sampled_from(_WORDS)).map(lambda p: p[0](p[1]))
_token = st.one_of(
    _word, _word, _word, _word,
    st.tuples(st.sampled_from(_MARKS), _word, st.sampled_from(_MARKS)).map("".join),
    st.sampled_from(_EMOJI), st.sampled_from(_MARKS),
    st.text(min_size=1, max_size=4),
)
_sentence = st.lists(st.tuples(_token, st.sampled_from(_GAPS)), max_size=30).map(
    lambda pairs: "".join(token + gap for token, gap in pairs))


# a small alphabet of rule words and sentiment words, so that rules meet often ("no X or Y", "at least")
_DENSE = [*_RULE_WORDS, "kinda", "barely", "very", "nice", "okay", "good", "bad", "love", "hate", "bomb", "shit",
          "ass", "stop", "right", "yeah", "death", "kiss", ":)", "!", "?", "😍", "meh"]
_dense_word = st.tuples(st.sampled_from([str.lower, str.lower, str.upper, str.title]), st.sampled_from(_DENSE))
_dense = st.lists(_dense_word.map(lambda p: p[0](p[1])), max_size=12).map(" ".join)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_sentence)
def test_generated_sentences_give_vaders_scores(text):
    assert_same(text)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_dense)
def test_dense_rule_words_give_vaders_scores(text):
    assert_same(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_arbitrary_unicode_gives_vaders_scores(text):
    assert_same(text)


_SCORES = [0, 0.0, -0.0, 0.9, 1.8, 0.45, 1.35, 3, -2, -1.0, -0.5, 2.7]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_SCORES), st.booleans()), min_size=1, max_size=14), st.data())
def test_but_rule_matches_vaders_on_any_scores(pairs, data):
    # VADER's _but_check on the whole list vs ours told which places may hold a score other than zero
    sentiments = [value for value, _ in pairs]
    scored = [i for i, (value, flag) in enumerate(pairs) if value != 0 or flag]
    words = ["w"] * len(sentiments)
    but = data.draw(st.integers(0, len(words) - 1))
    words[but] = data.draw(st.sampled_from(["but", "BUT", "But"]))
    expected = vs.SentimentIntensityAnalyzer._but_check(words, list(sentiments))
    got = list(sentiments)
    vader_fast._but_check(but, got, scored)
    assert [(type(v), float(v).hex()) for v in got] == [(type(v), float(v).hex()) for v in expected]


# ---- every text of the shared sentiment datasets ----------------------------------------------------

def _goemotions(path):
    return [row[0] for row in csv.reader(io.StringIO(read_text(path)), delimiter="\t") if row]


def _newsmtsc(path):
    return [json.loads(line)["sentence_normalized"] for line in read_text(path).split("\n") if line.strip()]


REAL = {  # name: (path under ../shared/data, reader of every text in it)
    "sst-train": (("sst", "trees", "train.txt"), lambda p: [text for text, _ in read_sst(p)]),
    "sst-dev": (("sst", "trees", "dev.txt"), lambda p: [text for text, _ in read_sst(p)]),
    "sst-test": (("sst", "trees", "test.txt"), lambda p: [text for text, _ in read_sst(p)]),
    "tweeteval-val": (("tweeteval_sentiment", "val_text.txt"), lambda p: read_text(p).split("\n")),
    "tweeteval-test": (("tweeteval_sentiment", "test_text.txt"), lambda p: read_text(p).split("\n")),
    "goemotions-train": (("goemotions_sentiment", "train.tsv"), _goemotions),
    "goemotions-dev": (("goemotions_sentiment", "dev.tsv"), _goemotions),
    "goemotions-test": (("goemotions_sentiment", "test.tsv"), _goemotions),
    "newsmtsc-train": (("newsmtsc_sentiment", "train.jsonl"), _newsmtsc),
    "newsmtsc-devtest_rw": (("newsmtsc_sentiment", "devtest_rw.jsonl"), _newsmtsc),
    "newsmtsc-devtest_mt": (("newsmtsc_sentiment", "devtest_mt.jsonl"), _newsmtsc),
    "vader-movie": (("vader_movie_reviews",), lambda p: read_vader_ground_truth(p)[0]),
}


@pytest.mark.data
@pytest.mark.slow
@pytest.mark.parametrize("name", REAL)
def test_every_real_text_gives_vaders_scores(name, shared_data):
    parts, reader = REAL[name]
    texts = reader(shared_data(*parts))
    assert texts
    # all of them: about 100k texts in 8 s on a 2-core machine, mostly the original VADER's time
    mismatches = [text for text in texts if bits(FAST.polarity_scores(text)) != bits(VADER.polarity_scores(text))]
    assert mismatches == [], f"{len(mismatches)} of {len(texts)} differ, e.g. {mismatches[:3]}"
