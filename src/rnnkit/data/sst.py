"""Reader for the Stanford Sentiment Treebank in PTB tree format (``trees/train.txt`` etc.).

One tree per line; every node is ``(LABEL word)`` or ``(LABEL child child ...)`` with LABEL 0-4::

    (3 (2 It) (4 (2 's) (2 good)))     root "It 's good" is 3; phrase "'s good" is 4; "It" is 2

Labels: 0 very negative, 1 negative, 2 neutral, 3 positive, 4 very positive (Socher et al., 2013).
"""

from __future__ import annotations

import os
import re

from rnnkit.data.text import read_text
from rnnkit.errors import InputError

__all__ = [
    "PTB_ESCAPES",
    "SST_3CLASS",
    "SST_3CLASS_NAMES",
    "SST_BINARY",
    "SST_LABELS",
    "read_sst",
    "sst_to_3class",
    "sst_to_binary",
]

SST_LABELS = range(5)  # the five fine-grained labels, 0 (very negative) .. 4 (very positive)
# The usual coarse task (as in SST's SOURCE.md table): 0-1 Negative, 2 Neutral, 3-4 Positive.
SST_3CLASS = {0: 0, 1: 0, 2: 1, 3: 2, 4: 2}
SST_3CLASS_NAMES = ("Negative", "Neutral", "Positive")  # indexed by the SST_3CLASS values
# SST-2, the binary task of Socher et al.: neutral (2) examples are left out.
SST_BINARY = {0: 0, 1: 0, 3: 1, 4: 1}
# Whole-token PTB escapes; both double-quote spellings become a plain '"'.
PTB_ESCAPES = {
    "-LRB-": "(",
    "-RRB-": ")",
    "-LSB-": "[",
    "-RSB-": "]",
    "-LCB-": "{",
    "-RCB-": "}",
    "``": '"',
    "''": '"',
}
# Split on ASCII whitespace only: a few SST words hold a no-break space ("8\u00a01\\/2", the film).
_TOKEN = re.compile(r"\(|\)|[^ \t\n\r\f\v()]+")
_LABEL_WORDS = {str(label) for label in SST_LABELS}


def _unescape(word: str) -> str:
    # "\/" and "\*" are PTB's escapes for "/" and "*" inside a word ("1\/2", "\*\*\*").
    return PTB_ESCAPES.get(word, word).replace("\\/", "/").replace("\\*", "*")


def _parse_tree(line: str) -> list[tuple[int, list[str], int]]:
    """Parse one tree; return (opening position, words, label) for every node, root first.

    Raises ValueError with a short reason for a malformed tree.
    """
    tokens = _TOKEN.findall(line)
    nodes: list[tuple[int, list[str], int]] = []
    stack: list[tuple[int, list[str], int, bool]] = []  # (order, words, label, has_children)
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if not stack and nodes:
            raise ValueError(f"unexpected {tok!r} after the end of the tree")
        if tok == "(":
            label = tokens[i + 1] if i + 1 < len(tokens) else "end of line"
            if label not in _LABEL_WORDS:
                raise ValueError(f"expected a label 0-4 after '(', got {label!r}")
            if stack:
                order, words, parent_label, _ = stack[-1]
                stack[-1] = (order, words, parent_label, True)
            stack.append((len(nodes) + len(stack), [], int(label), False))
            i += 2
            continue
        if not stack:
            raise ValueError(f"expected '(' to open the tree, got {tok!r}")
        order, words, label, has_children = stack.pop()
        if tok == ")":
            if not words:
                raise ValueError("a node has neither a word nor children")
            nodes.append((order, words, label))
            if stack:
                stack[-1][1].extend(words)
            i += 1
            continue
        if has_children or words:
            raise ValueError(f"word {tok!r} where '(' or ')' was expected")
        stack.append((order, [_unescape(tok)], label, False))
        i += 1
    if stack or not nodes:
        raise ValueError("the tree is not closed" if stack else "no tree on the line")
    return sorted(nodes)


def read_sst(path: str | os.PathLike[str], phrases: bool = False) -> list[tuple[str, int]]:
    """Read SST trees as (text, label 0-4) pairs.

    Tokens are joined with single spaces after undoing PTB escapes (``-LRB-`` -> ``(``, ``````/``''``
    -> ``"``, ``\\/`` -> ``/``, see ``PTB_ESCAPES``). Blank lines are skipped.

    Args:
        path: a tree file such as ``trees/train.txt``.
        phrases: False gives one (sentence, root label) per tree, duplicates kept, in file order.
            True gives every distinct phrase (each node's text, root and single words included),
            tree by tree with each tree's nodes in pre-order (root first); a phrase seen again keeps
            its first label.

    Returns:
        A list of ``(text, label)``.

    Raises:
        InputError: the file cannot be read (see :func:`rnnkit.data.read_text`) or a line holds a
            malformed tree (the message gives the line number).
    """
    name = os.fspath(path) if isinstance(path, str | os.PathLike) else path
    examples: list[tuple[str, int]] = []
    seen: set[str] = set()
    for lineno, line in enumerate(read_text(path).split("\n"), start=1):
        if not line.strip():
            continue
        try:
            nodes = _parse_tree(line)
        except ValueError as err:
            raise InputError(f"{name}, line {lineno}: malformed SST tree: {err}") from err
        for _, words, label in nodes if phrases else nodes[:1]:
            text = " ".join(words)
            if phrases and text in seen:
                continue
            seen.add(text)
            examples.append((text, label))
    return examples


def _check_label(label: object) -> int:
    if isinstance(label, bool) or not isinstance(label, int) or label not in SST_LABELS:
        raise InputError(f"SST label must be an integer 0-4, got {label!r}")
    return label


def sst_to_3class(label: int) -> int:
    """Map an SST label 0-4 to 0 Negative, 1 Neutral or 2 Positive (``SST_3CLASS``).

    Raises:
        InputError: ``label`` is not an integer 0-4.
    """
    return SST_3CLASS[_check_label(label)]


def sst_to_binary(label: int) -> int | None:
    """Map an SST label 0-4 to 0 negative or 1 positive, or None for neutral (2) (``SST_BINARY``).

    Raises:
        InputError: ``label`` is not an integer 0-4.
    """
    return SST_BINARY.get(_check_label(label))
