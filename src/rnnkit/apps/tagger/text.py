"""Raw text to tagger words: UD English tokenisation, cut into bounded pieces.

Treebanks such as UD English-Atis are tokenised the UD way: clitics split from their host
(``i'd`` -> ``i 'd``, ``don't`` -> ``do n't``), punctuation on its own, ``st.`` and ``a.m.`` kept
whole, and (ATIS) everything lower-case. :func:`split_words` does the same to what a user types,
keeping each word as typed (the tagger lower-cases what it looks up, not what it shows)::

    "Show me flights from Boston, I'd like St. Louis at 5:30 p.m.!"
    -> Show me flights from Boston , I 'd like St. Louis at 5:30 p.m. !
"""

from __future__ import annotations

import re

from rnnkit.errors import InputError

__all__ = ["MAX_PIECE_WORDS", "MAX_TEXT_CHARS", "PUNCT_TAG", "is_punctuation", "pieces", "split_words"]

MAX_TEXT_CHARS = 100_000  # the longest text tag() reads (about 40 pages); longer raises InputError
MAX_PIECE_WORDS = 200  # words per piece the encoder reads at once; long texts are cut at sentence ends first
PUNCT_TAG = "PUNCT"  # UD's tag for punctuation, given by rule when the training data had none (ATIS)

_TOKEN = re.compile(r"""
      (?:[^\W\d_]\.){2,}                 # initialisms: a.m. p.m. u.s.
    | (?:st|mt|ft)\.(?=\s+\w)            # abbreviations ATIS keeps whole: st. louis, st. petersburg
    | n't\b                              # negation clitic: do|n't, ca|n't
    | '(?:s|d|m|re|ll|ve)\b              # clitics: i|'d, boston|'s
    | o'\w+                              # o'clock, o'hare
    | \d+(?:[.,:]\d+)*                   # numbers and times: 5:30 1,000 2.5
    | \w+?(?=n't\b)                      # the host before n't: do|n't
    | \w+                                # words
    | ([^\w\s])\1*                       # punctuation and symbols, repeats together: ... !!
""", re.IGNORECASE | re.VERBOSE)
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
_SENTENCE_END = {".", "!", "?", "...", ";"}


def split_words(text: str) -> list[str]:
    """The words of ``text`` as typed (case kept), split the UD way (see the module docstring).

    Raises:
        InputError: ``text`` is not a str or is longer than :data:`MAX_TEXT_CHARS`.
    """
    if not isinstance(text, str):
        raise InputError(f"text must be a str, got {type(text).__name__}")
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(f"text has {len(text):,} characters; the tagger reads at most {MAX_TEXT_CHARS:,} at a time "
                         "(split it)")
    return [match.group(0) for match in _TOKEN.finditer(text.translate(_APOSTROPHES))]


def is_punctuation(word: str) -> bool:
    """True for a word made only of punctuation and symbols (no letter, digit or ``_``)."""
    return bool(word) and not any(ch.isalnum() or ch == "_" for ch in word)


def pieces(words: list[str], limit: int = MAX_PIECE_WORDS) -> list[tuple[int, int]]:
    """(start, end) spans covering ``words``: cut after sentence ends, none longer than ``limit``."""
    spans, start = [], 0
    for i, word in enumerate(words):
        if word in _SENTENCE_END or i + 1 - start >= limit:
            spans.append((start, i + 1))
            start = i + 1
    if start < len(words):
        spans.append((start, len(words)))
    return spans
