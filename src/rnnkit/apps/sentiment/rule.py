"""The lexicon backend: the seed's rule on VADER's compound score (:func:`review_rating`), scores, explanations.

::

    scores = sid.polarity_scores(string)      # VADER (vaderSentiment package)
    if scores['compound'] == 0: 'Neutral'
    elif scores['compound'] > 0: 'Positive'
    else: 'Negative'

:func:`review_rating` is that rule, with VADER's own published band (``VADER_THRESHOLD``, named "vader") as an option.
:func:`vader_scores` gives the same numbers as ``polarity_scores``. One analyzer is built on first use
and shared (it only reads its lexicon, so sharing it across threads is safe).

:func:`lexicon_scores` and :func:`lexicon_explain` are the lexicon backend's scores and explanations
(:class:`~rnnkit.apps.sentiment.analyzer.SentimentAnalyzer` documents them).

Speed: the scores come from :class:`~rnnkit.apps.sentiment.vader_fast.FastVader`, bit for bit the
package's own, about 4x faster (11.5 against 48 us per SST sentence).

Long texts: the package's VADER costs grow with the square of the number of words (each sentiment word
re-lowers the whole word list; the "but" rule searches the score list): 0.4 s for 10,000 characters,
23 s for 100,000 and 6 minutes for 300,000. FastVader takes 1-2 ms for 10,000 characters, but the cut
stays, so that the numbers are the ones plain VADER users get too: a text longer than
``LEXICON_MAX_CHARS`` is scored on its first and last ``LEXICON_MAX_CHARS // 2`` characters (cut at
whitespace), as the learned model keeps a long text's head and tail (a review's verdict often comes
last). Shorter texts get exactly VADER's numbers.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from rnnkit.apps.sentiment.labels import NEGATIVE, NEUTRAL, POSITIVE
from rnnkit.errors import ConfigError, InputError

__all__ = [
    "BLANK_SCORES",
    "LEXICON_MAX_CHARS",
    "SEED_THRESHOLD",
    "THRESHOLD_NAMES",
    "VADER_THRESHOLD",
    "check_text",
    "check_threshold",
    "label_for_compound",
    "lexicon_explain",
    "lexicon_scores",
    "resolve_threshold",
    "review_rating",
    "vader_analyzer",
    "vader_scores",
]

# The seed rule: compound exactly 0 is Neutral, any positive value Positive, any negative Negative.
SEED_THRESHOLD = 0.0
# VADER's published band (Hutto & Gilbert 2014; vaderSentiment README, "About the Scoring"):
# compound >= 0.05 positive, <= -0.05 negative, in between neutral.
VADER_THRESHOLD = 0.05
THRESHOLD_NAMES = {"seed": SEED_THRESHOLD, "vader": VADER_THRESHOLD}  # names accepted for a threshold
# Longest text VADER sees (characters): about 0.4 s worst case for the package's VADER; see above.
LEXICON_MAX_CHARS = 10_000
# The scores of an empty or whitespace-only text, for both backends: certainly Neutral, compound 0.
BLANK_SCORES = {NEGATIVE: 0.0, NEUTRAL: 1.0, POSITIVE: 0.0, "compound": 0.0}


def check_text(text: object, name: str = "text") -> str:
    """Return ``text`` if it is a str; raise InputError (one line) otherwise."""
    if isinstance(text, str):
        return text
    if isinstance(text, bytes | bytearray | memoryview):
        raise InputError(f"{name} must be a str, got {type(text).__name__}; decode it first, e.g. data.decode('utf-8')")
    raise InputError(f"{name} must be a str, got {type(text).__name__}")


def check_threshold(threshold: object) -> float:
    """Return ``threshold`` as a float if it is a number in [0, 1); raise ConfigError otherwise."""
    if isinstance(threshold, bool) or not isinstance(threshold, int | float):
        raise ConfigError(f"threshold must be a number in [0, 1), got {threshold!r}")
    if not (math.isfinite(threshold) and 0 <= threshold < 1):
        raise ConfigError(f"threshold must be a number in [0, 1), got {threshold!r}")
    return float(threshold)


def resolve_threshold(value: float | str | None) -> float:
    """The threshold a value names: None is ``SEED_THRESHOLD``; "seed" or "vader" (``THRESHOLD_NAMES``); a number.

    Raises:
        ConfigError: an unknown name, or a number outside [0, 1).
    """
    if value is None:
        return SEED_THRESHOLD
    if isinstance(value, str):
        if value not in THRESHOLD_NAMES:
            raise ConfigError(f"threshold must be a number in [0, 1) or one of {', '.join(THRESHOLD_NAMES)}, "
                              f"got {value!r}")
        return THRESHOLD_NAMES[value]
    return check_threshold(value)


@functools.cache
def vader_analyzer() -> Any:
    """The one shared VADER analyzer (its lexicon is read once): a
    :class:`~rnnkit.apps.sentiment.vader_fast.FastVader`, a ``SentimentIntensityAnalyzer`` whose
    ``polarity_scores`` returns exactly the original's numbers, several times faster."""
    # Imported here: vaderSentiment reads its lexicon files at construction (about 0.1 s).
    from rnnkit.apps.sentiment.vader_fast import FastVader

    return FastVader()


def _capped(text: str) -> str:
    """``text``, or its first and last ``LEXICON_MAX_CHARS // 2`` characters cut at whitespace if longer."""
    if len(text) <= LEXICON_MAX_CHARS:
        return text
    half = LEXICON_MAX_CHARS // 2
    head, tail = text[:half], text[-half:]
    head_cut = max(head.rfind(c) for c in " \t\n")  # drop the word cut in two at each end
    tail_cut = min((i for i in (tail.find(c) for c in " \t\n") if i >= 0), default=-1)
    return (head[:head_cut] if head_cut > 0 else head) + "\n" + (tail[tail_cut + 1:] if tail_cut >= 0 else tail)


def vader_scores(text: str) -> dict[str, float]:
    """VADER's scores for ``text``: the numbers ``polarity_scores`` returns.

    Args:
        text: the text; longer than ``LEXICON_MAX_CHARS`` characters, only its head and tail are scored.

    Returns:
        ``{"neg", "neu", "pos", "compound"}``: proportions of negative, neutral and positive text and
        the normalised compound score in [-1, 1]. Empty or whitespace-only text gives all zeros.

    Raises:
        InputError: ``text`` is not a str (bytes: decode them first).
    """
    return dict(vader_analyzer().polarity_scores(_capped(check_text(text))))


def label_for_compound(compound: float, threshold: float = SEED_THRESHOLD) -> str:
    """The rule on a compound score: Positive, Negative or Neutral.

    Positive when ``compound > 0`` and ``compound >= threshold``; Negative when ``compound < 0`` and
    ``compound <= -threshold``; Neutral otherwise. With threshold 0 this is the seed rule (0 is Neutral);
    with ``VADER_THRESHOLD`` it is VADER's band (0.05 is Positive, 0.0499 Neutral).
    """
    threshold = check_threshold(threshold)
    if compound > 0 and compound >= threshold:
        return POSITIVE
    if compound < 0 and compound <= -threshold:
        return NEGATIVE
    return NEUTRAL


def review_rating(text: str, threshold: float | str | None = SEED_THRESHOLD) -> str:
    """Rate a review "Positive", "Negative" or "Neutral" by the seed's rule on VADER's compound score.

    Args:
        text: the review. Empty or whitespace-only text is "Neutral" (VADER's compound is 0 there).
        threshold: a number in [0, 1) or a name, as :func:`resolve_threshold` reads it: ``"seed"``
            (``SEED_THRESHOLD``, 0: the seed rule; also None) or ``"vader"`` (``VADER_THRESHOLD``, 0.05);
            see :func:`label_for_compound` for the exact boundaries.

    Returns:
        One of :data:`~rnnkit.apps.sentiment.labels.LABELS`.

    Raises:
        InputError: ``text`` is not a str (bytes: decode them first).
        ConfigError: ``threshold`` is an unknown name or not a number in [0, 1).
    """
    threshold = resolve_threshold(threshold)
    return label_for_compound(vader_scores(text)["compound"], threshold)


def lexicon_scores(text: str) -> dict[str, float]:
    """The lexicon backend's scores: VADER's ``neg``/``neu``/``pos`` rescaled to sum to 1, and its compound.

    Returns:
        ``{"Negative", "Neutral", "Positive", "compound"}`` (``BLANK_SCORES`` for blank text).
    """
    if not text.strip():
        return dict(BLANK_SCORES)
    vader = vader_scores(text)
    total = vader["neg"] + vader["neu"] + vader["pos"]
    if total <= 0:
        return dict(BLANK_SCORES) | {"compound": vader["compound"]}
    return {NEGATIVE: vader["neg"] / total, NEUTRAL: vader["neu"] / total,
            POSITIVE: vader["pos"] / total, "compound": vader["compound"]}


def lexicon_explain(text: str, max_words: int) -> list[tuple[str, float]]:
    """Occlusion on VADER's own tokens: each of the first ``max_words`` whitespace-separated words with
    compound(those words) - compound(those words without it); [] for blank text."""
    words = text.split()[:max_words]
    full = vader_scores(" ".join(words))["compound"]
    # VADER rounds compound to 4 decimals; so do the differences (no 0.045300000000000001)
    return [(word, round(full - vader_scores(" ".join(words[:i] + words[i + 1:]))["compound"], 4))
            for i, word in enumerate(words)]
