"""SentimentModel.encode (through features.TokenIds) gives exactly the ids of the plain definition.

The reference below is the slow, obvious way, as the package did it before TokenIds: tokenise, cut
contractions token by token, put the rule token first, then look every token up in the vocabulary.
"""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnkit.apps.sentiment import features
from rnnkit.apps.sentiment.analyzer import DEFAULT_MODEL_PATH
from rnnkit.apps.sentiment.features import MAX_TOKENS, TokenIds, sentiment_tokens
from rnnkit.apps.sentiment.model import SentimentModel
from rnnkit.data import read_sst
from rnnkit.errors import InputError
from rnnkit.text import Tokenizer, Vocabulary

pytestmark = pytest.mark.skipif(not DEFAULT_MODEL_PATH.is_file(), reason="no bundled sentiment model")

_TOKENIZER = Tokenizer(level="word", lower=True)
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_NT = re.compile(r"^(.+?)(n't)$")
_CLITIC = re.compile(r"^(.+?)('s|'re|'ve|'ll|'m|'d)$")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w@])@\w+")


def reference_tokens(text: str, max_tokens: int = MAX_TOKENS) -> list[str]:
    if len(text) > 40 * max_tokens:
        text = text[:20 * max_tokens] + " " + text[-20 * max_tokens:]
    text = _URL.sub(" xxurl ", text.translate(_APOSTROPHES))
    text = _HANDLE.sub(" xxuser ", text)
    tokens = []
    for token in _TOKENIZER.tokenize(text):
        match = (_NT.match(token) or _CLITIC.match(token)) if len(token) >= 3 else None
        tokens.extend(match.groups() if match and re.search(r"\w", match.group(1)) else [token])
    if len(tokens) > max_tokens:
        tokens = tokens[:max_tokens // 2] + tokens[len(tokens) - (max_tokens - max_tokens // 2):]
    return tokens


def reference_ids(vocab: Vocabulary, text: str, rule_tokens: bool, compound: float,
                  max_tokens: int = MAX_TOKENS) -> list[int]:
    tokens = reference_tokens(text, max_tokens)
    if rule_tokens and tokens:
        tokens = [f"xxvader{round(compound * 4):+d}", *tokens]
    return [vocab.token_to_id(token) for token in tokens]


@pytest.fixture(scope="module")
def bundled() -> SentimentModel:
    return SentimentModel.load(DEFAULT_MODEL_PATH)


TRICKY = [
    "", "   ", "It doesn't work", "It does n't work", "It doesn\u2019t, it\u2019s BAD", "can't won't 's n't '",
    "see https://x.org/a?b=1 @bob", "WWW.X.COM and wWw.y.org", "\u0130https://x.org", "a@b.com @@x",
    "rock 'n' roll o'clock ``quoted''", "😀👍 👨‍👩‍👧 🇫🇷", "3.5 stars, 1,000 times :-) :D <3",
    "x" * 30_000 + " good" * 600, "good " * 700 + "bad", "\x00\ud800 junk\u200b", "I'D SAY Y'ALL'RE FINE",
]


@pytest.mark.parametrize("text", TRICKY)
@pytest.mark.parametrize("rule_tokens", [True, False])
def test_token_ids_match_the_reference(bundled, text, rule_tokens):
    ids = TokenIds(bundled.vocab, rule_tokens)
    assert ids(text, 0.4404) == reference_ids(bundled.vocab, text, rule_tokens, 0.4404)
    assert ids(text, 0.4404) == reference_ids(bundled.vocab, text, rule_tokens, 0.4404)  # from the cache
    assert sentiment_tokens(text) == reference_tokens(text)


_PIECES = st.sampled_from(["n't", "'s", "'re", "'d", "'", "`", "\u2019", "@", "http://a.b/c", "www.", "://", " ",
                           ":)", ":D", "<3", "3.5", "1,0", "😀", "é", "\u0301", "İ", "\u200d", "Good", "BAD", "not"])
_TEXTS = st.lists(st.one_of(_PIECES, st.text(max_size=4)), max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=_TEXTS, compound=st.floats(-1.0, 1.0), max_tokens=st.sampled_from([MAX_TOKENS, 7, 2]))
def test_property_token_ids_match_the_reference(bundled, text, compound, max_tokens):
    for rule_tokens in (True, False):
        ids = TokenIds(bundled.vocab, rule_tokens, max_tokens)
        assert ids(text, compound) == reference_ids(bundled.vocab, text, rule_tokens, compound, max_tokens)
    assert sentiment_tokens(text, max_tokens) == reference_tokens(text, max_tokens)


def test_a_full_cache_is_emptied_and_stays_exact(bundled, monkeypatch):
    monkeypatch.setattr(features, "TOKEN_CACHE_SIZE", 3)
    ids = TokenIds(bundled.vocab, True)
    for text in ["one two three four", "doesn't it's five six", "one two three four"]:
        assert ids(text, -0.3) == reference_ids(bundled.vocab, text, True, -0.3)
        assert len(ids._whole) + len(ids._cut) <= 3


def test_token_ids_refuse_a_non_string(bundled):
    with pytest.raises(InputError, match="text must be a string, got bytes"):
        TokenIds(bundled.vocab, True)(b"good", 0.0)


@pytest.mark.data
@pytest.mark.slow
def test_encode_equals_the_reference_on_every_sst_sentence(bundled, shared_data):
    from rnnkit.apps.sentiment.rule_head import vader_matrix

    parts = [read_sst(shared_data("sst", "trees", f"{part}.txt")) for part in ("train", "dev", "test")]
    texts = [text for part in parts for text, _ in part]
    compounds = vader_matrix(texts)[:, 3]
    expected = [reference_ids(bundled.vocab, t, bundled.config.rule_tokens, c) or [bundled.vocab.unk_id]
                for t, c in zip(texts, compounds, strict=True)]
    assert len(texts) == 11_855
    assert bundled.encode(texts, compounds) == expected


@pytest.mark.parametrize("threads", [1, 2])
def test_probabilities_equal_the_plain_path_with_vader_first(bundled, threads):
    """probabilities() computes VADER batch by batch, inside the network's batches (side by side with
    two threads); the answer is the plain order's: VADER for all, encode with it, network, head."""
    import numpy as np
    import torch

    from rnnkit.apps.sentiment.rule_head import vader_matrix

    texts = [*TRICKY, "good", "bad", "not bad at all", "It is what it is.", "DO NOT BUY", "ok 👍"] * 3
    vader = vader_matrix(texts)
    plain = bundled.rule_head.apply(np.exp(bundled._log_probs(bundled.encode(texts, vader[:, 3]))[1]), vader)
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        np.testing.assert_array_equal(bundled.probabilities(texts), plain)
    finally:
        torch.set_num_threads(before)


def test_word_ids_and_rule_id_make_the_ids(bundled):
    token_ids = bundled._token_ids
    for text in TRICKY:
        words = token_ids.word_ids(text)
        expected = [token_ids.rule_id(text, 0.44), *words] if words and bundled.config.rule_tokens else words
        assert token_ids(text, 0.44) == expected
