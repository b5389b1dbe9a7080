"""VADER's scores, faster: :class:`FastVader`, a drop-in ``SentimentIntensityAnalyzer``.

VADER is by C.J. Hutto (Hutto & Gilbert 2014, "VADER: A Parsimonious Rule-based Model for Sentiment
Analysis of Social Media Text", ICWSM-14), package ``vaderSentiment`` 3.3.2, MIT licence. This module
follows VADER's algorithm step by step but is written anew; the lexicon, the emoji table and every
constant (``BOOSTER_DICT``, ``NEGATE``, ``SPECIAL_CASES``, ``N_SCALAR``, ``C_INCR``) come from the
installed package, as do the punctuation emphasis (``_punctuation_emphasis``) and ``normalize``.

``FastVader().polarity_scores(text) == SentimentIntensityAnalyzer().polarity_scores(text)`` for every
str, bit for bit (tests/apps/sentiment/test_vader_fast.py checks hand cases, generated text and every
text of the shared sentiment datasets). Where the time goes in the original, and what replaces it:

- the emoji pass builds the text one character at a time: here a text's characters are intersected
  with the set of emoji characters (skipped for ASCII text, which holds none), and only a text that
  has one is rewritten, around the places found;
- every rule re-lowers the whole word list (quadratic in the words): here each word is lowered once;
- every word goes through ``sentiment_valence``: here only words in the lexicon do (the others score
  int 0, as in the original); a lexicon word with no modifier, negation or idiom word within three
  words before it takes a short path, and the idiom rule runs only when a nearby word can start one;
- each token's punctuation stripping is memoised (the analyzer stays safe to share across threads:
  the memo only ever maps a token to the same word).

The floating-point operations on each word's valence, and the sums, are the original's, in the same
order, so the numbers are identical, not merely close. Non-str input goes to the original method.
The package's module-level tables are read when an analyzer is built; ``lexicon`` is read live.
"""

from __future__ import annotations

import math
import string
from itertools import compress
from typing import Any

from vaderSentiment import vaderSentiment as _vader

__all__ = ["FastVader"]

_PUNCTUATION = string.punctuation  # what VADER strips from both ends of a word
# Factors written as literals in VADER's sentiment_valence / _negation_check / _but_check:
_DISTANCE_DAMPING = {2: 0.95, 3: 0.9}  # a booster two / three words before the sentiment word counts less
_NEVER_SO = 1.25  # "never so good", "never this good": stronger, not negated
_BEFORE_BUT, _AFTER_BUT = 0.5, 1.5  # "but": the clause before it counts half, the one after 1.5 times
_SO_THIS = ("so", "this")
_RULE_WORDS = ("no", "never", "without", "least", *_SO_THIS)  # words VADER's rules test by name
_WORD_CACHE_SIZE = 50_000  # distinct tokens memoised (a few MB); English text reuses far fewer


def _ngrams(table: dict[str, Any]) -> dict[tuple[str, ...], Any]:
    """``table`` keyed by word tuples: VADER joins words with one space and looks the string up, and
    words never hold whitespace, so ``" ".join(words) in table`` iff ``tuple(words)`` is a key here."""
    return {tuple(key.split(" ")): value for key, value in table.items()}


class FastVader(_vader.SentimentIntensityAnalyzer):
    """``SentimentIntensityAnalyzer`` with a faster ``polarity_scores`` that returns the same dict.

    Args:
        lexicon_file, emoji_lexicon: as for ``SentimentIntensityAnalyzer`` (files beside the package).
    """

    def __init__(self, lexicon_file: str = "vader_lexicon.txt", emoji_lexicon: str = "emoji_utf8_lexicon.txt"):
        super().__init__(lexicon_file, emoji_lexicon)
        # VADER replaces emoji one character at a time, so only one-character keys can ever match
        self._emoji_chars = frozenset(key for key in self.emojis if len(key) == 1)
        self._ascii_emoji = any(key.isascii() for key in self._emoji_chars)
        self._words = _Words()
        self._booster = dict(_vader.BOOSTER_DICT)
        self._negate = frozenset(_vader.NEGATE)
        self._special_ngrams = _ngrams(_vader.SPECIAL_CASES)
        self._booster_ngrams = _ngrams(_vader.BOOSTER_DICT)
        # first words of every idiom / multi-word booster: without one nearby, the idiom rule changes nothing
        self._idiom_starts = frozenset(key[0] for key in (*self._special_ngrams, *self._booster_ngrams) if len(key) > 1)
        # every word that can change a lexicon word's valence from up to three words before it (or as
        # the word itself: "no", an idiom's first word); words holding "n't" are checked apart
        self._modifiers = frozenset(self._booster).union(self._negate, self._idiom_starts, _RULE_WORDS)

    def polarity_scores(self, text: Any) -> dict[str, float]:
        """VADER's scores for ``text``: ``{"neg", "neu", "pos", "compound"}``, exactly as the original's."""
        if not isinstance(text, str):
            return super().polarity_scores(text)
        if self._ascii_emoji or not text.isascii():
            text = self._describe_emojis(text)
        words = list(map(self._words.__getitem__, text.split()))
        low = list(map(str.lower, words))
        # VADER's is_cap_diff is only read next to word.isupper(), where "some word is ALL CAPS" already
        # holds; so it reduces to "not every word is", and that needs the whole text in capitals.
        cap_diff = not text.isupper() or not all(map(str.isupper, words))
        apostrophe = "'" in text  # no "n't" without one (no character lowers to an apostrophe)
        booster, last = self._booster, len(low) - 1
        sentiments: list[Any] = [0] * len(low)  # int 0 for every word without a valence, as in VADER
        scored = []
        for i in compress(range(len(low)), map(self.lexicon.__contains__, low)):
            word = low[i]
            if word in booster or (word == "kind" and i < last and low[i + 1] == "of"):
                continue
            sentiments[i] = self._word_valence(i, words, low, cap_diff, apostrophe)
            scored.append(i)
        if "but" in low:
            _but_check(low.index("but"), sentiments, scored)
        return self._score(sentiments, scored, text)

    def _score(self, sentiments: list[Any], scored: list[int], text: str) -> dict[str, float]:
        """VADER's ``score_valence``; only the ``scored`` places can hold a score other than zero."""
        if not sentiments:
            return {"neg": 0.0, "neu": 0.0, "pos": 0.0, "compound": 0.0}
        pos_sum, neg_sum, neu_count = 0.0, 0.0, len(sentiments) - len(scored)
        for i in scored:  # VADER's _sift_sentiment_scores, in the same order
            score = sentiments[i]
            if score > 0:
                pos_sum += (float(score) + 1)
            if score < 0:
                neg_sum += (float(score) - 1)
            if score == 0:
                neu_count += 1
        if neu_count == len(sentiments):
            return {"neg": 0.0, "neu": 1.0, "pos": 0.0, "compound": 0.0}
        sum_s = float(sum(sentiments))
        emphasis = self._punctuation_emphasis(text)
        if sum_s > 0:
            sum_s += emphasis
        elif sum_s < 0:
            sum_s -= emphasis
        if pos_sum > math.fabs(neg_sum):
            pos_sum += emphasis
        elif pos_sum < math.fabs(neg_sum):
            neg_sum -= emphasis
        total = pos_sum + math.fabs(neg_sum) + neu_count
        return {"neg": round(math.fabs(neg_sum / total), 3), "neu": round(math.fabs(neu_count / total), 3),
                "pos": round(math.fabs(pos_sum / total), 3), "compound": round(_vader.normalize(sum_s), 4)}

    def _describe_emojis(self, text: str) -> str:
        """VADER's emoji pass: each emoji character becomes its description, after a space unless the
        text starts there or a space comes before it."""
        found = self._emoji_chars.intersection(text)
        if not found:
            return text
        places = sorted(place for char in found for place in _places(text, char))
        parts, end = [], 0
        for place in places:
            parts.append(text[end:place])
            if place and text[place - 1] != " ":
                parts.append(" ")
            parts.append(self.emojis[text[place]])
            end = place + 1
        parts.append(text[end:])
        return "".join(parts).strip()

    def _word_valence(self, i: int, words: list[str], low: list[str], cap_diff: bool, apostrophe: bool) -> Any:
        """VADER's ``sentiment_valence`` for the lexicon word ``low[i]`` (``words``: as written)."""
        lexicon, word = self.lexicon, low[i]
        before = low[i - 3:i] if i > 2 else low[:i]
        if (word in self._modifiers or not self._modifiers.isdisjoint(before)
                or (apostrophe and "n't" in " ".join(before))):
            return self._modified_valence(i, words, low, cap_diff)
        # Nothing within three words can change it: the rules below reduce to the word's own valence
        valence = lexicon[word]
        if cap_diff and words[i].isupper():
            valence = valence + _vader.C_INCR if valence > 0 else valence - _vader.C_INCR
        if valence == 0 and not all(map(lexicon.__contains__, before)):
            valence = valence + 0.0  # VADER adds a zero scalar per word before: -0.0 becomes 0.0
        return valence

    def _modified_valence(self, i: int, words: list[str], low: list[str], cap_diff: bool) -> Any:
        """``sentiment_valence`` in full, for a word that a modifier, negation or idiom may reach."""
        lexicon, word = self.lexicon, low[i]
        valence = lexicon[word]
        if word == "no" and i != len(low) - 1 and low[i + 1] in lexicon:
            valence = 0.0  # "no" negates the next word instead of scoring itself
        if ((i > 0 and low[i - 1] == "no") or (i > 1 and low[i - 2] == "no")
                or (i > 2 and low[i - 3] == "no" and low[i - 1] in ("or", "nor"))):
            valence = lexicon[word] * _vader.N_SCALAR
        if cap_diff and words[i].isupper():
            valence = valence + _vader.C_INCR if valence > 0 else valence - _vader.C_INCR
        for distance in (1, 2, 3):
            if i < distance:
                break
            before = low[i - distance]
            if before in lexicon:
                continue
            valence = valence + self._scalar(before, words[i - distance], valence, cap_diff, distance)
            valence = self._negation(valence, low, i, distance)
            if distance == 3 and not self._idiom_starts.isdisjoint(low[i - 3:i + 1]):
                valence = self._idioms(valence, low, i)
        # "least" negates, except in "at least" and "very least"
        if i > 0 and low[i - 1] == "least" and "least" not in lexicon and (i == 1 or low[i - 2] not in ("at", "very")):
            valence = valence * _vader.N_SCALAR
        return valence

    def _scalar(self, before: str, written: str, valence: Any, cap_diff: bool, distance: int) -> float:
        """VADER's ``scalar_inc_dec`` for a word ``distance`` places before, with its distance damping."""
        scalar = 0.0
        if before in self._booster:
            scalar = self._booster[before]
            if valence < 0:
                scalar *= -1
            if cap_diff and written.isupper():
                scalar = scalar + _vader.C_INCR if valence > 0 else scalar - _vader.C_INCR
            if distance > 1 and scalar != 0:
                scalar = scalar * _DISTANCE_DAMPING[distance]
        return scalar

    def _negated(self, word: str) -> bool:
        return word in self._negate or "n't" in word

    def _negation(self, valence: Any, low: list[str], i: int, distance: int) -> Any:
        """VADER's ``_negation_check`` for the word ``distance`` places before ``low[i]``."""
        if distance == 1:
            return valence * _vader.N_SCALAR if self._negated(low[i - 1]) else valence
        if distance == 2:
            if low[i - 2] == "never" and low[i - 1] in _SO_THIS:
                return valence * _NEVER_SO
            if low[i - 2] == "without" and low[i - 1] == "doubt":
                return valence
            return valence * _vader.N_SCALAR if self._negated(low[i - 2]) else valence
        # VADER's condition reads "never so/this" two before, or "so"/"this" just before (any first word)
        if (low[i - 3] == "never" and low[i - 2] in _SO_THIS) or low[i - 1] in _SO_THIS:
            return valence * _NEVER_SO
        if low[i - 3] == "without" and (low[i - 2] == "doubt" or low[i - 1] == "doubt"):
            return valence
        return valence * _vader.N_SCALAR if self._negated(low[i - 3]) else valence

    def _idioms(self, valence: Any, low: list[str], i: int) -> Any:
        """VADER's ``_special_idioms_check`` (``i >= 3``): idioms set the valence, multi-word boosters add."""
        special, boosters = self._special_ngrams, self._booster_ngrams
        w3, w2, w1, w0 = low[i - 3], low[i - 2], low[i - 1], low[i]
        for ngram in ((w1, w0), (w2, w1, w0), (w2, w1), (w3, w2, w1), (w3, w2)):
            if ngram in special:
                valence = special[ngram]
                break
        if len(low) - 1 > i and (w0, low[i + 1]) in special:
            valence = special[w0, low[i + 1]]
        if len(low) - 1 > i + 1 and (w0, low[i + 1], low[i + 2]) in special:
            valence = special[w0, low[i + 1], low[i + 2]]
        for ngram in ((w3, w2, w1), (w3, w2), (w2, w1)):
            if ngram in boosters:
                valence = valence + boosters[ngram]
        return valence


def _places(text: str, char: str) -> list[int]:
    """Every index of ``char`` in ``text``."""
    places, place = [], text.find(char)
    while place >= 0:
        places.append(place)
        place = text.find(char, place + 1)
    return places


class _Words(dict):
    """Token -> the word VADER makes of it: stripped of punctuation at both ends, unless that leaves two
    characters or fewer (then the token as written: ":)", "<3"). Memoised; cleared when it grows large."""

    def __missing__(self, token: str) -> str:
        stripped = token.strip(_PUNCTUATION)
        word = stripped if len(stripped) > 2 else token
        if len(self) >= _WORD_CACHE_SIZE:
            self.clear()
        self[token] = word
        return word


def _but_check(but: int, sentiments: list[Any], scored: list[int]) -> None:
    """VADER's ``_but_check``, in place: halve scores before the first "but", 1.5x those after.

    VADER walks the list and looks each score up by value (``list.index``), so of equal scores the
    first one is scaled, possibly again, and a later equal one not at all ("nice but okay": 0.5 * nice
    == okay). That is kept exactly, in time linear in the words rather than quadratic: a score other
    than zero can only match another (at a ``scored`` place), and every zero matches the first zero,
    which ends as the last zero times its factor.
    """
    values = [sentiments[i] for i in scored]
    for value in values:  # the live list, as VADER iterates it
        if value == 0:
            continue
        first = values.index(value)
        if scored[first] < but:
            values[first] = value * _BEFORE_BUT
        elif scored[first] > but:
            values[first] = value * _AFTER_BUT
    for i, value in zip(scored, values, strict=True):
        sentiments[i] = value
    if 0 in sentiments:
        first = sentiments.index(0)
        last = sentiments[len(sentiments) - 1 - sentiments[::-1].index(0)]
        if first < but:
            sentiments[first] = last * _BEFORE_BUT
        elif first > but:
            sentiments[first] = last * _AFTER_BUT
