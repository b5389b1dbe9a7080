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


def test_rule_token_is_vaders_compound_in_nine_steps():
    from rnnkit.apps.sentiment.features import RULE_TOKENS, model_tokens, rule_token
    from rnnkit.apps.sentiment.rule import vader_scores

    assert tuple(f"xxvader{b:+d}" for b in range(-4, 5)) == RULE_TOKENS
    for text in ["I LOVE THIS PHONE!!!", "not bad at all", "worst purchase ever :(", "The cable is 2 m long."]:
        assert rule_token(text) == f"xxvader{round(vader_scores(text)['compound'] * 4):+d}"
    assert rule_token("The cable is 2 m long.") == "xxvader+0"
    assert model_tokens("not bad at all", rule_tokens=True) == [rule_token("not bad at all"), "not", "bad", "at", "all"]
    assert model_tokens("not bad at all", rule_tokens=False) == ["not", "bad", "at", "all"]
    assert model_tokens("   ", rule_tokens=True) == []  # nothing to read stays nothing (an empty text is Neutral)
    valence = lexicon_features(RULE_TOKENS)[:, 0]
    assert valence.tolist() == [b / 4 for b in range(-4, 5)]
