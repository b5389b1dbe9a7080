"""Readers for plain UTF-8 text files and the Penn Treebank language-modelling files.

All readers decode UTF-8 (a leading byte-order mark is dropped) and turn CRLF and CR line ends
into LF, so files written on Windows read the same as on Linux.
"""

from __future__ import annotations

import os

from rnnkit.errors import InputError

__all__ = ["PTB_EOS", "read_lines", "read_ptb", "read_text"]

# Appended to every PTB line, as pytorch/examples word_language_model and the TensorFlow PTB
# tutorial do; the files themselves hold no end-of-sentence marker.
PTB_EOS = "<eos>"


def read_text(path: str | os.PathLike[str]) -> str:
    """Read a whole UTF-8 text file, line ends normalised to ``"\\n"`` (e.g. for a character model).

    Args:
        path: the file.

    Returns:
        The file's text.

    Raises:
        InputError: the file is missing or unreadable, is not valid UTF-8, or holds NUL bytes
            (a binary file).
    """
    if not isinstance(path, str | os.PathLike):
        raise InputError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    name = os.fspath(path)
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError as err:
        raise InputError(f"file not found: {name}") from err
    except OSError as err:
        raise InputError(f"cannot read {name}: {err.strerror}") from err
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(f"{name} is not UTF-8 text (bad byte at offset {err.start})") from err
    if "\x00" in text:
        raise InputError(f"{name} looks like a binary file (it holds NUL bytes), not text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_lines(path: str | os.PathLike[str]) -> list[str]:
    """Read the non-blank lines of a UTF-8 text file.

    Args:
        path: the file.

    Returns:
        One str per non-blank line, surrounding whitespace stripped.

    Raises:
        InputError: as :func:`read_text`.
    """
    return [line.strip() for line in read_text(path).split("\n") if line.strip()]


def read_ptb(path: str | os.PathLike[str]) -> list[list[str]]:
    """Read a Penn Treebank file in Mikolov's format (``ptb.train.txt`` etc.) as token lists.

    Each line is split on whitespace and gets ``"<eos>"`` appended; the corpus's own ``"<unk>"``
    and ``"N"`` tokens are kept as they are. Like pytorch/examples, every line counts, a blank one
    giving ``["<eos>"]``; only the empty string after the file's final newline is not a line.

    Args:
        path: the file.

    Returns:
        One token list per line.

    Raises:
        InputError: as :func:`read_text`.
    """
    text = read_text(path)
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [[*line.split(), PTB_EOS] for line in lines]
