import numpy as np
import pytest

from rnnkit.apps.sentiment.features import (
    FEATURE_NAMES,
    MAX_TOKENS,
    lexicon_features,
    lexicon_words,
    sentiment_tokens,
)
from rnnkit.errors import InputError


@pytest.mark.parametrize(("text", "tokens"), [
    ("It doesn't work", ["it", "does", "n't", "work"]),
    ("It does n't work", ["it", "does", "n't", "work"]),  # SST's own spelling reads the same
    ("It doesn\u2019t, it\u2019s BAD", ["it", "does", "n't", ",", "it", "'s", "bad"]),
    ("I can't and I'm sad :(", ["i", "ca", "n't", "and", "i", "'m", "sad", ":("]),
    ("see https://x.org/a?b=1 @bob", ["see", "xxurl", "xxuser"]),
    ("rock 'n' roll o'clock", ["rock", "'", "n", "'", "roll", "o'clock"]),
    ("😀👍", ["😀", "👍"]),
    ("mail a@b.com or WWW.X.COM @bob!", ["mail", "a", "@", "b", ".", "com", "or", "xxurl", "xxuser", "!"]),
    ("", []),
    ("   \n\t", []),
])
def test_sentiment_tokens(text, tokens):
    assert sentiment_tokens(text) == tokens


def test_long_text_keeps_head_and_tail():
    text = "good " * 10 + "meh " * 100_000 + "awful " * 10
    tokens = sentiment_tokens(text)
    assert len(tokens) == MAX_TOKENS
    assert tokens[:10] == ["good"] * 10 and tokens[-10:] == ["awful"] * 10


def test_binary_junk_and_bad_types():
    junk = bytes(range(256)).decode("latin-1") + "\x00\ud800"
    assert isinstance(sentiment_tokens(junk), list)
    with pytest.raises(InputError, match="must be a string, got bytes"):
        sentiment_tokens(b"good")


def test_lexicon_features():
    feats = lexicon_features(["<pad>", "good", "horrible", "not", "n't", "very", "barely", "😀", "table"],
                             positive=["good"], negative=["horrible"])
    assert feats.shape == (9, len(FEATURE_NAMES)) and feats.dtype == np.float32
    valence, pos, neg, negation, booster = feats.T
    assert valence[0] == 0 and valence[1] > 0 and valence[2] < 0 and valence[7] > 0 and valence[8] == 0
    assert pos.tolist() == [0, 1, 0, 0, 0, 0, 0, 0, 0] and neg.tolist() == [0, 0, 1, 0, 0, 0, 0, 0, 0]
    assert negation[3] == negation[4] == 1 and negation[1] == 0
    assert booster[5] == pytest.approx(1.0) and booster[6] == pytest.approx(-1.0)
    assert np.all(np.abs(valence) <= 1)


def test_lexicon_words_cover_vader():
    words = lexicon_words()
    assert {"good", "horrible", ":)", "😀", "not", "very"} <= words
