"""Text handling for the next-word predictor: tokens, sentence ends, the word being typed, display case.

How typed text is read (the same for one-shot calls and for a session fed one key at a time)::

    "I go to sch"        committed: "I go to " -> i go to      fragment: "sch"  -> complete a word
    "I go to "           committed: everything                 fragment: ""     -> predict the next word
    "Hi.\\nI go"          a line break is a sentence end: <eos> is fed (never twice in a row)

Text up to the last whitespace is *committed*: its tokens are fed to the model once. The rest, the
*fragment*, is tokenized on every keystroke; its last token (joined with the tokens before it when
that is still the start of a vocabulary word, as in "don'" -> "don't") is the prefix to complete,
the tokens before it are context. Tokens never span whitespace, so tokenizing the committed part
and the fragment apart gives the same tokens as tokenizing the whole text.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from rnnkit.apps.nextword.config import CORPUS_FORMATS
from rnnkit.errors import InputError
from rnnkit.text import Tokenizer, Vocabulary

__all__ = [
    "SENTENCE_END",
    "PrefixIndex",
    "TextSettings",
    "display_word",
    "encode_committed",
    "join_words",
    "learn_truecase",
    "split_fragment",
]

SENTENCE_END = frozenset({".", "!", "?", Vocabulary.EOS})  # the word after one of these starts a sentence
NO_SPACE_BEFORE = frozenset({".", ",", "!", "?", ";", ":", "%", ")", "]", "}", "n't"})  # glued when joining
PTB_NUMBER = "N"  # Mikolov's PTB writes every number as "N"
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_PTB_CLITIC = re.compile(r"(.+?)(n't|'s|'re|'ve|'ll|'m|'d)")  # PTB splits "don't" -> "do n't", "it's" -> "it 's"
_LAST_SPACE = re.compile(r"\s(?=\S*\Z)")
_WORDS = Tokenizer(level="word", lower=False)  # lower-casing happens per token, the same in training and typing


@dataclass(frozen=True)
class TextSettings:
    """How a predictor turns text into tokens; stored in its checkpoint.

    Args:
        lower: lower-case every token (and so match prefixes and capitalise suggestions for display).
        corpus_format: ``"ptb"`` also maps numbers to ``"N"`` and splits contractions the way the
            Penn Treebank does ("do n't", "it 's"), so typed text meets the PTB vocabulary.
    """

    lower: bool = True  # lower-case tokens
    corpus_format: str = "text"  # "text" or "ptb"

    def __post_init__(self) -> None:
        if not isinstance(self.lower, bool) or self.corpus_format not in CORPUS_FORMATS:
            raise InputError(f"bad text settings: lower={self.lower!r}, corpus_format={self.corpus_format!r}")

    def tokens(self, text: str, *, finished: bool = True) -> list[str]:
        """Tokens of ``text``; ``finished=False`` leaves the last token as typed (it may be a prefix)."""
        tokens = _WORDS(text)
        if self.lower:
            tokens = [t.lower() for t in tokens]
        if self.corpus_format == "ptb":
            last = tokens.pop() if tokens and not finished else None
            tokens = [part for t in tokens for part in _ptb_parts(t)] + ([last] if last is not None else [])
        return tokens

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> TextSettings:
        """Inverse of :meth:`to_dict`. Raises InputError for anything else."""
        if not isinstance(data, dict) or set(data) != {"lower", "corpus_format"}:
            raise InputError(f"bad text settings {data!r}; expected keys lower and corpus_format")
        return cls(**data)


def _ptb_parts(token: str) -> list[str]:
    if _NUMBER.fullmatch(token):
        return [PTB_NUMBER]
    match = _PTB_CLITIC.fullmatch(token.replace("\u2019", "'"))
    return [match.group(1), match.group(2)] if match else [token]


def encode_committed(text: str, vocab: Vocabulary, settings: TextSettings,
                     last_id: int | None) -> tuple[list[int], str | None]:
    """(ids of committed text, its last token or None); a line break gives ``<eos>`` unless the id
    before is already one."""
    eos = vocab.eos_id
    ids: list[int] = []
    last = None
    lines = text.split("\n")
    for i, line in enumerate(lines):
        tokens = settings.tokens(line)
        ids += vocab.encode(tokens)
        last = tokens[-1] if tokens else last
        previous = ids[-1] if ids else last_id
        if i < len(lines) - 1 and previous != eos:
            ids.append(eos)
            last = Vocabulary.EOS
    return ids, last


def split_committed(text: str) -> tuple[str, str]:
    """(text up to and including its last whitespace, the fragment after it)."""
    match = _LAST_SPACE.search(text)
    return (text[: match.end()], text[match.end():]) if match else ("", text)


class PrefixIndex:
    """Vocabulary words sorted by their (lower-cased) spelling, so words with a prefix form one range.

    Special tokens (``<pad>``, ``<unk>``, ``<bos>``, ``<eos>``) are left out: they are never suggested.
    Words with the same spelling key keep id order, the tie-break that suggestions also use.
    """

    def __init__(self, vocab: Vocabulary, lower: bool) -> None:
        self.first_word = 4 if vocab.has_bos_eos else 2
        words = vocab.tokens[self.first_word:]
        keys = [w.lower() if lower else w for w in words]
        order = sorted(range(len(keys)), key=lambda i: (keys[i], i))
        self.lower = lower
        self.keys = [keys[i] for i in order]  # sorted spelling keys
        self.ids = np.asarray(order, dtype=np.int64) + self.first_word  # (num_words,) vocabulary id of each key

    def __len__(self) -> int:
        return len(self.keys)

    def key(self, text: str) -> str:
        return text.lower() if self.lower else text

    def range(self, prefix: str) -> tuple[int, int]:
        """[lo, hi) positions in :attr:`keys` / :attr:`ids` of the words starting with ``prefix``."""
        key = self.key(prefix)
        return bisect.bisect_left(self.keys, key), bisect.bisect_left(self.keys, key + "\U0010ffff")

    def has_prefix(self, prefix: str) -> bool:
        lo, hi = self.range(prefix)
        return hi > lo


def split_fragment(tokens: Sequence[str], index: PrefixIndex) -> tuple[list[str], str]:
    """(context tokens, prefix) of a non-empty fragment: the longest run of final tokens that starts a word."""
    for n in range(len(tokens), 1, -1):
        joined = "".join(tokens[-n:])
        if index.has_prefix(joined):
            return list(tokens[:-n]), joined
    return list(tokens[:-1]), tokens[-1]


def display_word(word: str, typed: str, sentence_start: bool, truecase: dict[str, str]) -> str:
    """How to show a (lower-cased) vocabulary word to the user.

    Its usual case first (``truecase``: "i" -> "I", "london" -> "London"); then the user's: a typed
    prefix in capitals ("SCH", two letters or more) gives "SCHOOL", a capital first letter ("Sch")
    gives "School"; with nothing typed, a sentence start capitalises ("The").
    """
    shown = truecase.get(word, word)
    letters = [c for c in typed if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        return shown.upper()
    if (typed and typed[0].isupper()) or (not typed and sentence_start):
        return shown[:1].upper() + shown[1:]
    return shown


def join_words(words: Sequence[str]) -> str:
    """Words joined by single spaces, except before punctuation and clitics ("school ." -> "school.")."""
    out = ""
    for word in words:
        glue = not out or word in NO_SPACE_BEFORE or word.startswith("'")
        out += word if glue else " " + word
    return out


def learn_truecase(token_lines: Sequence[Sequence[str]], vocab: Vocabulary) -> dict[str, str]:
    """Each vocabulary word's most common written form when that is not lower case ("i" -> "I").

    Only words inside a sentence count (a sentence's first word is capitalised by rule, not by
    habit); a tie keeps the lower-case form.
    """
    forms: dict[str, Counter[str]] = {}
    for tokens in token_lines:
        for prev, token in zip(["."] + list(tokens[:-1]), tokens, strict=True):
            lower = token.lower()
            if prev not in SENTENCE_END and lower in vocab:
                forms.setdefault(lower, Counter())[token] += 1
    truecase = {}
    for lower, counts in forms.items():
        best, n = max(counts.items(), key=lambda item: (item[1], item[0] == lower))
        if best != lower and n > counts.get(lower, 0):
            truecase[lower] = best
    return dict(sorted(truecase.items()))
