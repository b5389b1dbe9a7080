"""Reader for CoNLL-U files (Universal Dependencies): words, UPOS tags and sentence ids.

A sentence is a block of comment lines (``# sent_id = ...``, ``# text = ...``) and token lines of
ten tab-separated columns (ID FORM LEMMA UPOS XPOS FEATS HEAD DEPREL DEPS MISC), ended by a blank
line. Only syntactic words are read: multiword-token ranges (``3-4``, whose parts follow on their
own lines) and empty nodes (``5.1``, enhanced graphs only) are skipped, as UD's own POS scores do.
See https://universaldependencies.org/format.html.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from rnnkit.data.text import read_text
from rnnkit.errors import InputError

__all__ = ["CONLLU_COLUMNS", "TaggedSentence", "parse_conllu", "read_conllu"]

CONLLU_COLUMNS = 10  # ID FORM LEMMA UPOS XPOS FEATS HEAD DEPREL DEPS MISC
_RANGE = re.compile(r"\d+-\d+")  # a multiword token such as "3-4"
_EMPTY = re.compile(r"\d+\.\d+")  # an empty node such as "5.1"
_COMMENT = re.compile(r"#\s*(sent_id|text)\s*=\s?(.*)")


@dataclass(frozen=True)
class TaggedSentence:
    """One sentence of a CoNLL-U file: its words with their UPOS tags, id and text."""

    words: tuple[str, ...]  # the FORM column of each syntactic word, as written
    tags: tuple[str, ...]  # the UPOS column, one per word
    sent_id: str = ""  # the "# sent_id = ..." comment ("" when absent)
    text: str = ""  # the "# text = ..." comment ("" when absent)


def read_conllu(path: str | os.PathLike[str]) -> list[TaggedSentence]:
    """Read the sentences of a CoNLL-U file.

    Args:
        path: the file (UTF-8).

    Returns:
        The sentences in file order.

    Raises:
        InputError: the file cannot be read, is not UTF-8 text, holds no sentence, or a line is
            malformed (the message names ``file:line``).
    """
    return parse_conllu(read_text(path), os.fspath(path))


def parse_conllu(text: str, name: str = "<text>") -> list[TaggedSentence]:
    """The sentences of CoNLL-U ``text``; ``name`` is the file name errors give (``name:line``).

    Raises:
        InputError: ``text`` is not a str, holds no sentence, or a line is malformed.
    """
    if not isinstance(text, str):
        raise InputError(f"CoNLL-U text must be a str, got {type(text).__name__}")
    sentences: list[TaggedSentence] = []
    block: list[tuple[int, str]] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate([*lines, ""], start=1):
        if line.strip():
            block.append((number, line))
        elif block:
            sentence = _sentence(block, name)
            if sentence is not None:
                sentences.append(sentence)
            block = []
    if not sentences:
        raise InputError(f"{name} holds no CoNLL-U sentence (token lines of {CONLLU_COLUMNS} tab-separated columns)")
    return sentences


def _sentence(block: list[tuple[int, str]], name: str) -> TaggedSentence | None:
    """One sentence from its numbered lines; None for a block of comments only."""
    meta = {"sent_id": "", "text": ""}
    words: list[str] = []
    tags: list[str] = []
    for number, line in block:
        if line.startswith("#"):
            match = _COMMENT.fullmatch(line.rstrip())
            if match:
                meta[match.group(1)] = match.group(2).strip()
            continue
        cols = line.rstrip("\n").split("\t")
        where = f"{name}:{number}"
        if len(cols) != CONLLU_COLUMNS:
            raise InputError(f"{where}: expected {CONLLU_COLUMNS} tab-separated columns, got {len(cols)}")
        token_id, form, upos = cols[0], cols[1], cols[3]
        if _RANGE.fullmatch(token_id) or _EMPTY.fullmatch(token_id):
            continue
        if not token_id.isdigit() or int(token_id) != len(words) + 1:
            raise InputError(f"{where}: word ID {token_id!r} should be {len(words) + 1} (IDs count 1, 2, ...)")
        if not form.strip() or not upos.strip() or upos == "_":
            raise InputError(f"{where}: word {token_id} has an empty FORM or UPOS column")
        words.append(form)
        tags.append(upos)
    if not words:
        return None
    return TaggedSentence(tuple(words), tuple(tags), meta["sent_id"], meta["text"])
