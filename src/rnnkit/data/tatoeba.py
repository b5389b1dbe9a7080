"""Tatoeba sentence pairs (manythings.org ``fra.txt``): both sides, split without leakage.

The file repeats an English sentence once per alternative translation, so a line-level split would
put the same sentence in training and test text. :func:`split_sentences` instead assigns each
distinct sentence to a part by a hash of its text: the same sentence always lands in the same part,
whatever else the file holds, and the split needs no random state. :func:`split_pairs` applies the
same rule to the pairs by their English side, so every French translation of an English sentence
lands in that sentence's part; :func:`group_references` gathers them as references for BLEU.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Sequence

from rnnkit.data.text import read_lines
from rnnkit.errors import InputError

__all__ = ["SPLIT_PERCENT", "group_references", "read_tatoeba_english", "read_tatoeba_pairs", "split_pairs",
           "split_sentences"]

Pair = tuple[str, str]  # (English, French)

# Parts by hash bucket 0-99: 90% training, 5% validation, 5% test.
SPLIT_PERCENT = {"train": 90, "valid": 5, "test": 5}


def read_tatoeba_english(path: str | os.PathLike) -> list[str]:
    """The distinct English sentences of a ``English<TAB>French`` file, in file order.

    Raises:
        InputError: the file is missing or unreadable, or a line has no tab.
    """
    return [s for s in dict.fromkeys(english for english, _ in _columns(path)) if s]


def read_tatoeba_pairs(path: str | os.PathLike) -> list[Pair]:
    """The ``(English, French)`` pairs of a ``English<TAB>French`` file, in file order, exact repeats dropped.

    A third column (newer manythings files add an attribution) is ignored; pairs with an empty side are skipped.

    Raises:
        InputError: the file is missing or unreadable, or a line has no tab.
    """
    return [pair for pair in dict.fromkeys(_columns(path)) if pair[0] and pair[1]]


def _columns(path: str | os.PathLike) -> list[Pair]:
    pairs = []
    for number, line in enumerate(read_lines(path), start=1):
        english, tab, rest = line.partition("\t")
        if not tab:
            raise InputError(f"{path} line {number} has no tab; expected 'English<TAB>French'")
        pairs.append((english.strip(), rest.partition("\t")[0].strip()))
    return pairs


def split_pairs(pairs: Sequence[Pair]) -> dict[str, list[Pair]]:
    """Pairs into ``train`` / ``valid`` / ``test`` by their English side, with :func:`split_sentences`'s rule."""
    part_of = {sentence: name for name, sentences in split_sentences([e for e, _ in pairs]).items()
               for sentence in sentences}
    parts: dict[str, list[Pair]] = {name: [] for name in SPLIT_PERCENT}
    for english, french in pairs:
        parts[part_of[english]].append((english, french))
    return parts


def group_references(pairs: Sequence[Pair]) -> list[tuple[str, list[str]]]:
    """Each distinct English sentence once, in first-seen order, with all its French translations."""
    references: dict[str, list[str]] = {}
    for english, french in pairs:
        references.setdefault(english, []).append(french)
    return list(references.items())


def split_sentences(sentences: Sequence[str]) -> dict[str, list[str]]:
    """Distinct sentences into ``train`` / ``valid`` / ``test`` by CRC-32 of their UTF-8 text (see SPLIT_PERCENT)."""
    parts: dict[str, list[str]] = {name: [] for name in SPLIT_PERCENT}
    bounds, total = [], 0
    for name, percent in SPLIT_PERCENT.items():
        total += percent
        bounds.append((total, name))
    for sentence in dict.fromkeys(sentences):
        bucket = zlib.crc32(sentence.encode("utf-8", "surrogatepass")) % 100
        parts[next(name for bound, name in bounds if bucket < bound)].append(sentence)
    return parts
