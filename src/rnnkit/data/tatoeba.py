"""Tatoeba sentence pairs (manythings.org ``fra.txt``): the English side, split without leakage.

The file repeats an English sentence once per alternative translation, so a line-level split would
put the same sentence in training and test text. :func:`split_sentences` instead assigns each
distinct sentence to a part by a hash of its text: the same sentence always lands in the same part,
whatever else the file holds, and the split needs no random state.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Sequence

from rnnkit.data.text import read_lines
from rnnkit.errors import InputError

__all__ = ["SPLIT_PERCENT", "read_tatoeba_english", "split_sentences"]

# Parts by hash bucket 0-99: 90% training, 5% validation, 5% test.
SPLIT_PERCENT = {"train": 90, "valid": 5, "test": 5}


def read_tatoeba_english(path: str | os.PathLike) -> list[str]:
    """The distinct English sentences of a ``English<TAB>French`` file, in file order.

    Raises:
        InputError: the file is missing or unreadable, or a line has no tab.
    """
    sentences: dict[str, None] = {}
    for number, line in enumerate(read_lines(path), start=1):
        english, tab, _ = line.partition("\t")
        if not tab:
            raise InputError(f"{path} line {number} has no tab; expected 'English<TAB>French'")
        sentences.setdefault(english.strip(), None)
    return [s for s in sentences if s]


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
