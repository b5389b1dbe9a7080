"""A two-way mapping between tokens and integer ids, with fixed special tokens.

Id layout::

    0 <pad>   1 <unk>   [2 <bos>   3 <eos>]   then corpus tokens by frequency (desc), ties by token (asc)

``<bos>``/``<eos>`` exist only when the vocabulary is built with ``add_bos_eos=True``; without them
a corpus token spelled ``<eos>`` (as :func:`rnnkit.data.read_ptb` appends) is an ordinary token.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from rnnkit.config import check_int
from rnnkit.errors import InputError

__all__ = ["Vocabulary"]

_FORMAT = "rnnkit.vocabulary"  # marks a dict/JSON file as ours, so foreign JSON is rejected
_VERSION = 1


def _check_token_list(tokens: Any, what: str) -> None:
    """Raise InputError unless ``tokens`` is a list/tuple of str."""
    if isinstance(tokens, str):
        raise InputError(f"{what} must be a list of tokens, got a str; tokenize the text first")
    if not isinstance(tokens, list | tuple):
        raise InputError(f"{what} must be a list of str tokens, got {type(tokens).__name__}")
    for token in tokens:
        if not isinstance(token, str):
            raise InputError(f"{what} must hold only str tokens, got {type(token).__name__} {token!r}")


def _plain_int(value: Any) -> Any:
    """numpy integers as int (a count from an array is fine); anything else as it is."""
    return int(value) if isinstance(value, np.integer) else value


class Vocabulary:
    """Tokens <-> ids; ``<pad>`` is always 0 and ``<unk>`` always 1.

    Args:
        tokens: the corpus tokens in id order (ids start after the specials); no duplicates and no
            special tokens.
        add_bos_eos: also reserve ``<bos>`` (id 2) and ``<eos>`` (id 3).

    Raises:
        InputError: ``tokens`` is not a list of str, repeats a token or contains a special token.
    """

    PAD = "<pad>"
    UNK = "<unk>"
    BOS = "<bos>"
    EOS = "<eos>"

    def __init__(self, tokens: Sequence[str] = (), *, add_bos_eos: bool = False) -> None:
        _check_token_list(tokens, "tokens")
        if not isinstance(add_bos_eos, bool):
            raise InputError(f"add_bos_eos must be a bool, got {type(add_bos_eos).__name__}")
        specials = [self.PAD, self.UNK] + ([self.BOS, self.EOS] if add_bos_eos else [])
        self._itos: list[str] = specials + list(tokens)
        self._stoi: dict[str, int] = {}
        for i, token in enumerate(self._itos):
            if token in self._stoi:
                raise InputError(f"token {token!r} appears twice (ids {self._stoi[token]} and {i})")
            self._stoi[token] = i
        self._num_specials = len(specials)

    @classmethod
    def build(
        cls,
        token_lists: Sequence[Sequence[str]],
        min_freq: int = 1,
        max_size: int | None = None,
        add_bos_eos: bool = False,
    ) -> Vocabulary:
        """Count tokens in a corpus and keep the frequent ones.

        Args:
            token_lists: one list of tokens per text. An empty corpus gives just the specials.
            min_freq: keep tokens seen at least this many times.
            max_size: the most ids in total, special tokens included (like torchtext's
                ``max_tokens``), so ``len(vocab) <= max_size``; None for no limit.
            add_bos_eos: reserve ``<bos>``/``<eos>`` (ids 2 and 3).

        Returns:
            The vocabulary; corpus tokens ordered by frequency (desc), then token (asc). Corpus
            tokens that spell a special token map to it rather than getting a second id.

        Raises:
            InputError: a bad argument (not a list of token lists, min_freq < 1, max_size smaller
                than the number of special tokens).
        """
        if not isinstance(token_lists, list | tuple):
            raise InputError(f"token_lists must be a list of token lists, got {type(token_lists).__name__}")
        check_int("min_freq", _plain_int(min_freq), 1, error=InputError)
        num_specials = 4 if add_bos_eos else 2
        if max_size is not None:
            check_int("max_size", _plain_int(max_size), num_specials, error=InputError)
        counts: Counter[str] = Counter()
        for i, tokens in enumerate(token_lists):
            _check_token_list(tokens, f"token_lists[{i}]")
            counts.update(tokens)
        empty = cls(add_bos_eos=add_bos_eos)
        ranked = sorted(
            (token for token, n in counts.items() if n >= min_freq and token not in empty),
            key=lambda token: (-counts[token], token),
        )
        if max_size is not None:
            ranked = ranked[: max_size - num_specials]
        return cls(ranked, add_bos_eos=add_bos_eos)

    @property
    def pad_id(self) -> int:
        """Id of ``<pad>`` (always 0)."""
        return 0

    @property
    def unk_id(self) -> int:
        """Id of ``<unk>`` (always 1)."""
        return 1

    @property
    def bos_id(self) -> int | None:
        """Id of ``<bos>`` (2), or None when the vocabulary has no ``<bos>``/``<eos>``."""
        return 2 if self.has_bos_eos else None

    @property
    def eos_id(self) -> int | None:
        """Id of ``<eos>`` (3), or None when the vocabulary has no ``<bos>``/``<eos>``."""
        return 3 if self.has_bos_eos else None

    @property
    def has_bos_eos(self) -> bool:
        """Whether ``<bos>`` and ``<eos>`` are reserved."""
        return self._num_specials == 4

    @property
    def tokens(self) -> tuple[str, ...]:
        """Every token, specials included, in id order."""
        return tuple(self._itos)

    def __len__(self) -> int:
        return len(self._itos)

    def __contains__(self, token: object) -> bool:
        return token in self._stoi

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocabulary) and self._itos == other._itos

    def __repr__(self) -> str:
        return f"Vocabulary(size={len(self)}, add_bos_eos={self.has_bos_eos})"

    def token_to_id(self, token: str) -> int:
        """Id of ``token``; unknown tokens give ``unk_id``. Raises InputError for a non-str."""
        if not isinstance(token, str):
            raise InputError(f"token must be a str, got {type(token).__name__}")
        return self._stoi.get(token, 1)

    def id_to_token(self, token_id: int) -> str:
        """Token of ``token_id``. Raises InputError when the id is not an int in [0, len)."""
        if isinstance(token_id, bool) or not isinstance(token_id, int | np.integer):
            raise InputError(f"token id must be an integer, got {type(token_id).__name__} {token_id!r}")
        if not 0 <= token_id < len(self._itos):
            raise InputError(f"token id {int(token_id)} is out of range for a vocabulary of size {len(self)}")
        return self._itos[token_id]

    def encode(self, tokens: Sequence[str]) -> list[int]:
        """Map tokens to ids (unknown tokens give ``unk_id``).

        Raises:
            InputError: ``tokens`` is not a list/tuple of str (a plain str is refused, not split).
        """
        _check_token_list(tokens, "tokens")
        return [self._stoi.get(token, 1) for token in tokens]

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Map ids back to tokens (specials included as they are).

        Raises:
            InputError: ``ids`` is not a list/tuple/1-D array of ints, or an id is out of range.
        """
        if isinstance(ids, np.ndarray):
            if ids.ndim != 1:
                raise InputError(f"ids must be one-dimensional, got shape {ids.shape}")
            ids = ids.tolist()
        if not isinstance(ids, list | tuple):
            raise InputError(f"ids must be a list of ints, got {type(ids).__name__}")
        return [self.id_to_token(i) for i in ids]

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (str/int/bool/list only), the inverse of :meth:`from_dict`."""
        return {"format": _FORMAT, "version": _VERSION, "add_bos_eos": self.has_bos_eos, "tokens": list(self._itos)}

    @classmethod
    def from_dict(cls, data: Any) -> Vocabulary:
        """Rebuild a vocabulary from :meth:`to_dict` output.

        Raises:
            InputError: ``data`` is not a vocabulary dict of a known version, or its specials or
                tokens are inconsistent.
        """
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise InputError(f"not an rnnkit vocabulary: expected a dict with format {_FORMAT!r}")
        if data.get("version") != _VERSION:
            raise InputError(f"unsupported vocabulary version {data.get('version')!r}, expected {_VERSION}")
        add_bos_eos, tokens = data.get("add_bos_eos"), data.get("tokens")
        if not isinstance(add_bos_eos, bool):
            raise InputError(f"vocabulary add_bos_eos must be a bool, got {add_bos_eos!r}")
        _check_token_list(tokens, "vocabulary tokens")
        specials = list(cls(add_bos_eos=add_bos_eos).tokens)
        if list(tokens[: len(specials)]) != specials:
            raise InputError(f"vocabulary tokens must start with {specials}, got {list(tokens[: len(specials)])}")
        return cls(tokens[len(specials) :], add_bos_eos=add_bos_eos)

    def to_json(self) -> str:
        """The :meth:`to_dict` form as a JSON string (ASCII-only, so any token round-trips exactly)."""
        return json.dumps(self.to_dict(), ensure_ascii=True)

    @classmethod
    def from_json(cls, text: str) -> Vocabulary:
        """Inverse of :meth:`to_json`. Raises InputError for invalid or foreign JSON."""
        if not isinstance(text, str | bytes):
            raise InputError(f"JSON text must be a str, got {type(text).__name__}")
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise InputError(f"vocabulary is not valid JSON: {err}") from err
        return cls.from_dict(data)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the vocabulary to ``path`` as JSON."""
        with open(path, "w", encoding="ascii") as f:
            f.write(self.to_json())

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Vocabulary:
        """Read a vocabulary written by :meth:`save`.

        Raises:
            InputError: the file is missing, unreadable, not JSON or not an rnnkit vocabulary.
        """
        if not isinstance(path, str | os.PathLike):
            raise InputError(f"path must be a str or os.PathLike, got {type(path).__name__}")
        try:
            with open(path, "rb") as f:
                raw = f.read()
        except OSError as err:
            raise InputError(f"cannot read vocabulary file {os.fspath(path)!r}: {err.strerror}") from err
        try:
            return cls.from_json(raw)
        except InputError as err:
            raise InputError(f"{os.fspath(path)}: {err}") from err
