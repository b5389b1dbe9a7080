"""Sentiment text preparation: review text -> normalised tokens -> ids, plus a lexicon feature per word.

Two steps a learned sentiment model shares with the lexicon rule it is compared with:

* :func:`sentiment_tokens` splits text the way the Stanford Sentiment Treebank is written, so a model
  trained on SST's "does n't" also reads a user's "doesn't" (and "doesn’t"): contractions are cut
  before "n't" and before "'s 're 've 'll 'm 'd"; tokens are lower-cased, URLs and @handles become
  the placeholders ``xxurl`` and ``xxuser`` (fastai's habit). Emoticons and emoji stay whole
  (:class:`~rnnkit.text.Tokenizer`).
* :func:`lexicon_features` gives every vocabulary word a fixed vector from lexicons, so a word the
  training data never showed ("flawless", "🤬") still carries its known polarity into the model::

      column  meaning                                                   source
      0       valence / 4 (-1 .. 1)                                     VADER lexicon (emoji through their names)
      1       1 if listed as positive                                   Hu & Liu opinion lexicon (optional)
      2       1 if listed as negative                                   Hu & Liu opinion lexicon (optional)
      3       1 for a negation ("not", "n't", "never", "without" ...)   VADER's NEGATE list
      4       booster strength / 0.293 (+1 "very", -1 "barely")         VADER's BOOSTER_DICT

* :func:`rule_token` puts the lexicon rule's verdict on the whole text in front of its tokens when a
  model's config asks for it (``rule_tokens``): VADER's compound, which sees the capitals, "!!!",
  emoji, negation and "but" the lower-cased tokens lose, rounded to one of nine tokens
  ``xxvader-4`` .. ``xxvader+4`` (compound x 4), each with that compound as its valence feature.

The VADER lexicon ships inside the ``vaderSentiment`` package, so nothing is downloaded.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from rnnkit.apps.sentiment.rule import vader_analyzer
from rnnkit.errors import InputError
from rnnkit.text import Tokenizer, Vocabulary

__all__ = [
    "FEATURE_NAMES",
    "MAX_TOKENS",
    "RULE_TOKENS",
    "TOKEN_CACHE_SIZE",
    "TokenIds",
    "check_texts",
    "lexicon_features",
    "lexicon_words",
    "model_tokens",
    "rule_token",
    "scope_args",
    "sentiment_tokens",
]

FEATURE_NAMES = ("valence", "opinion_positive", "opinion_negative", "negation", "booster")
# Longest input a model reads: the first and last MAX_TOKENS // 2 tokens of a longer text (a 1 MB
# review answers in milliseconds; openings and conclusions carry most of a review's verdict).
MAX_TOKENS = 512
VADER_VALENCE_SCALE = 4.0  # VADER valences lie in [-4, 4]
VADER_BOOSTER_STEP = 0.293  # VADER's B_INCR: the valence a booster such as "very" adds

TOKEN_CACHE_SIZE = 1 << 16  # tokens whose ids a TokenIds keeps (emptied when full); SST test has ~6,000
RULE_BUCKETS = 4  # compound x 4, rounded: nine tokens from xxvader-4 to xxvader+4
RULE_TOKENS = tuple(f"xxvader{bucket:+d}" for bucket in range(-RULE_BUCKETS, RULE_BUCKETS + 1))

_TOKENIZER = Tokenizer(level="word", lower=True)
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_NT = re.compile(r"^(.+?)(n't)$")  # "doesn't" -> "does" "n't"; "can't" -> "ca" "n't" (PTB, SST)
_CLITIC = re.compile(r"^(.+?)('s|'re|'ve|'ll|'m|'d)$")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w@])@\w+")
_WORDISH = re.compile(r"\w")


def check_texts(texts: Any) -> list[str]:
    """``texts`` as a list if it is a list or tuple of strings.

    Raises:
        InputError: ``texts`` is a str or not a list/tuple, or one of its items is not a str.
    """
    if isinstance(texts, str) or not isinstance(texts, list | tuple):
        raise InputError(f"texts must be a list of strings, got {type(texts).__name__}")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise InputError(f"text {i} must be a string, got {type(text).__name__}")
    return list(texts)


def sentiment_tokens(text: str, max_tokens: int = MAX_TOKENS) -> list[str]:
    """Lower-cased, SST-style tokens of ``text``; the head and tail halves of ``max_tokens`` if longer.

    Raises:
        InputError: ``text`` is not a string.
    """
    tokens = [part for token in _word_tokens(text, max_tokens) for part in _split_token(token)]
    return _head_and_tail(tokens, max_tokens)


class TokenIds:
    """Text -> the ids of its :func:`model_tokens` in ``vocab``, with each tokenizer token's ids cached.

    ``TokenIds(vocab, rule_tokens)(text, compound)`` equals
    ``vocab.encode(model_tokens(text, rule_tokens, max_tokens, compound))`` (tests/apps/sentiment/
    test_encode.py checks it on real and generated text) in about 60% of the time: a token's cut into
    "does" "n't" and its vocabulary lookup happen once, not once per occurrence, and a text whose
    tokens are all known whole words is looked up in one ``map``.

    Args:
        vocab: the model's vocabulary.
        rule_tokens: put :func:`rule_token`'s id first (as :func:`model_tokens` does).
        max_tokens: longest input read (see ``MAX_TOKENS``).
    """

    def __init__(self, vocab: Vocabulary, rule_tokens: bool, max_tokens: int = MAX_TOKENS) -> None:
        self.vocab = vocab
        self.rule_tokens = rule_tokens
        self.max_tokens = max_tokens
        self._whole: dict[str, int] = {}  # tokenizer token that stays one token -> its id
        self._cut: dict[str, tuple[int, ...]] = {}  # tokenizer token cut in two ("doesn't") -> their ids
        self._rule_ids = dict(zip(RULE_TOKENS, vocab.encode(list(RULE_TOKENS)), strict=True))

    def __call__(self, text: str, compound: float | None = None) -> list[int]:
        """The ids (``[]`` when ``text`` has no token); ``compound``: VADER's for ``text``, if known.

        Raises:
            InputError: ``text`` is not a string.
        """
        ids = self.word_ids(text)
        if self.rule_tokens and ids:
            ids.insert(0, self.rule_id(text, compound))
        return ids

    def word_ids(self, text: str) -> list[int]:
        """The ids of ``text``'s tokens without the rule token (``[]`` when it has none).

        Raises:
            InputError: ``text`` is not a string.
        """
        words = _word_tokens(text, self.max_tokens)
        ids = list(map(self._whole.get, words))
        if None in ids:  # a token not seen yet, or one that is cut in two
            ids = [i for word in words for i in self._ids_of(word)]
        return _head_and_tail(ids, self.max_tokens)

    def rule_id(self, text: str, compound: float | None = None) -> int:
        """The id of :func:`rule_token` for ``text`` (``compound``: VADER's, if known)."""
        rule = rule_token(text, compound)
        return self._rule_ids.get(rule) or self.vocab.token_to_id(rule)

    def _ids_of(self, word: str) -> tuple[int, ...]:
        """The ids of ``word``'s parts (one or two), remembered."""
        whole = self._whole.get(word)
        if whole is not None:
            return (whole,)
        ids = self._cut.get(word)
        if ids is None:
            if len(self._whole) + len(self._cut) >= TOKEN_CACHE_SIZE:  # bounded memory in a long-running service
                self._whole.clear()
                self._cut.clear()
            ids = tuple(self.vocab.encode(_split_token(word)))
            if len(ids) == 1:
                self._whole[word] = ids[0]
            else:
                self._cut[word] = ids
        return ids


def _word_tokens(text: str, max_tokens: int) -> list[str]:
    """The tokenizer's lower-cased tokens of ``text``, URLs and handles replaced, contractions not yet cut."""
    if not isinstance(text, str):
        raise InputError(f"text must be a string, got {type(text).__name__}")
    if len(text) > 40 * max_tokens:  # tokenise only what can be kept: bounded time on huge input
        half = 20 * max_tokens
        text = text[:half] + " " + text[-half:]
    if not text.isascii() or "`" in text:  # "`" is the only ASCII character _APOSTROPHES changes
        text = text.translate(_APOSTROPHES)
    if "://" in text or "www." in text.lower():
        text = _URL.sub(" xxurl ", text)
    if "@" in text:
        text = _HANDLE.sub(" xxuser ", text)
    return _TOKENIZER.tokenize(text)


def _head_and_tail(tokens: list, max_tokens: int) -> list:
    """``tokens``, or its first and last ``max_tokens // 2`` (the tail gets the odd one) when longer."""
    if len(tokens) > max_tokens:
        half = max_tokens // 2
        return tokens[:half] + tokens[len(tokens) - (max_tokens - half):]
    return tokens


def rule_token(text: str, compound: float | None = None) -> str:
    """The token of VADER's compound for ``text`` ("xxvader+2" for compound 0.44); see the module notes.

    ``compound``: VADER's compound of ``text`` when the caller has it already (it is not computed again).
    """
    if compound is None:
        from rnnkit.apps.sentiment.rule import vader_scores

        compound = vader_scores(text)["compound"]
    return f"xxvader{round(compound * RULE_BUCKETS):+d}"


def model_tokens(text: str, rule_tokens: bool, max_tokens: int = MAX_TOKENS,
                 compound: float | None = None) -> list[str]:
    """What a learned model reads: :func:`sentiment_tokens`, after :func:`rule_token` when ``rule_tokens``."""
    tokens = sentiment_tokens(text, max_tokens)
    return [rule_token(text, compound), *tokens] if rule_tokens and tokens else tokens


@functools.lru_cache(maxsize=65536)
def _split_token(token: str) -> tuple[str, ...]:
    if "'" not in token or len(token) < 3:
        return (token,)
    match = _NT.match(token) or _CLITIC.match(token)
    if match and _WORDISH.search(match.group(1)):
        return (match.group(1), match.group(2))
    return (token,)


@functools.cache
def _vader() -> tuple[dict[str, float], dict[str, str], frozenset[str], dict[str, float]]:
    from vaderSentiment import vaderSentiment as vs

    analyzer = vader_analyzer()
    negations = frozenset(vs.NEGATE) | {"n't", "no", "nobody", "nothing", "neither", "never", "none", "nor"}
    return analyzer.lexicon, analyzer.emojis, negations, vs.BOOSTER_DICT


def _emoji_valence(description: str, lexicon: dict[str, float]) -> float:
    """An emoji's valence: the sum of its name's word valences, as VADER scores emoji ("smiling face")."""
    return sum(lexicon.get(word, 0.0) for word in description.split())


def lexicon_words() -> set[str]:
    """Every word, emoticon and emoji the VADER lexicon knows (what a vocabulary should include)."""
    lexicon, emojis, negations, boosters = _vader()
    return {*lexicon, *emojis, *negations, *boosters}


def lexicon_features(vocabulary: Iterable[str], positive: Sequence[str] = (),
                     negative: Sequence[str] = ()) -> np.ndarray:
    """The fixed lexicon vector of each vocabulary word, ``(len(vocabulary), len(FEATURE_NAMES))`` float32.

    Args:
        vocabulary: tokens in id order (specials such as ``<pad>`` get zeros).
        positive, negative: optional opinion word lists (e.g. Hu & Liu's), lower-case.
    """
    lexicon, emojis, negations, boosters = _vader()
    pos, neg = set(positive), set(negative)
    rows = []
    rule_valence = {token: bucket / RULE_BUCKETS for token, bucket in
                    zip(RULE_TOKENS, range(-RULE_BUCKETS, RULE_BUCKETS + 1), strict=True)}
    for word in vocabulary:
        valence = lexicon.get(word)
        if word in rule_valence:
            valence = rule_valence[word] * VADER_VALENCE_SCALE
        if valence is None and word in emojis:
            valence = _emoji_valence(emojis[word], lexicon)
        rows.append((
            max(-1.0, min(1.0, (valence or 0.0) / VADER_VALENCE_SCALE)),
            float(word in pos),
            float(word in neg),
            float(word in negations),
            boosters.get(word, 0.0) / VADER_BOOSTER_STEP,
        ))
    return np.asarray(rows, dtype=np.float32).reshape(-1, len(FEATURE_NAMES))


def scope_args(config: Any) -> dict[str, int]:
    """:class:`~rnnkit.models.lexicon_classifier.LexiconClassifier`'s negation-scope arguments for a
    :class:`~rnnkit.apps.sentiment.config.SentimentConfig`: its ``negation_window``, and the columns of
    :func:`lexicon_features` that mark a negation and hold a valence."""
    return {"negation_window": config.negation_window, "negation_column": FEATURE_NAMES.index("negation"),
            "valence_column": FEATURE_NAMES.index("valence")}
