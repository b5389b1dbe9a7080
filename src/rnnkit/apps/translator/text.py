"""Text <-> tokens for the translator: normalise, split into words and punctuation, join back.

Both sides are cut the same way: words keep inner hyphens (``peut-être``, ``est-ce``), an elided word
keeps its apostrophe and stands alone (``l'`` ``homme``, ``don'`` ``t``), and each punctuation mark is
its own token. :func:`detokenize` undoes it for French: no space after an apostrophe or before
``.`` ``,`` ``…`` ``)``, and the French space before ``!`` ``?`` ``:`` ``;`` (Tatoeba's French writes
it; sacreBLEU's 13a tokenizer splits punctuation anyway, so either spacing scores the same).
"""

from __future__ import annotations

import re
import unicodedata

from rnnkit.errors import InputError

__all__ = ["MAX_INPUT_CHARS", "detokenize", "normalise", "tokenize"]

# Longest text read at all; longer input is refused in one line before any work (1 MB must not hang).
MAX_INPUT_CHARS = 10_000

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u200b\u00ad]+")  # no-break, narrow, thin and zero-width spaces
_TOKEN = re.compile(r"\w+'(?=\w)|\w+(?:-\w+)*|[^\w\s]")
_NO_SPACE_BEFORE = frozenset(".,…)]}%")
_NO_SPACE_AFTER = frozenset("([{")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "‐": "-", "‑": "-"})


def normalise(text: str) -> str:
    """NFC, typographic apostrophes and hyphens made plain, every kind of space one space, control characters dropped.

    Raises:
        InputError: ``text`` is not a str or is longer than :data:`MAX_INPUT_CHARS`.
    """
    if not isinstance(text, str):
        raise InputError(f"text must be a str, got {type(text).__name__}")
    if len(text) > MAX_INPUT_CHARS:
        raise InputError(f"text is {len(text):,} characters long; the translator reads at most "
                         f"{MAX_INPUT_CHARS:,} (one or a few sentences)")
    text = unicodedata.normalize("NFC", text).translate(_QUOTES)
    text = "".join(ch for ch in text if ch.isprintable() or ch.isspace())
    return _SPACES.sub(" ", text).strip()


def tokenize(text: str) -> list[str]:
    """Words and punctuation marks of ``text`` (normalised first); ``""`` gives ``[]``.

    Raises:
        InputError: as :func:`normalise`.
    """
    return _TOKEN.findall(normalise(text))


def detokenize(tokens: list[str]) -> str:
    """Join French tokens into a sentence (see the module docstring for the spacing rules)."""
    out: list[str] = []
    glue = True  # no space before the first token
    for token in tokens:
        if out and not glue and token not in _NO_SPACE_BEFORE:
            out.append(" ")
        out.append(token)
        glue = token.endswith("'") or token in _NO_SPACE_AFTER
    return "".join(out)
