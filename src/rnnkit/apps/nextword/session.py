"""Incremental next-word prediction: a typing session keeps the recurrent state between keystrokes.

Cost per keystroke: a letter inside a word runs no recurrent step (the word's candidates are ranked
from logits already computed); a space or line break commits the word and runs one step for it
(:meth:`~.engine.Engine.run`), then the output layer once. Top-k is ``torch.topk`` on the logits.
A session takes the predictor's :class:`~.engine.Engine` and reads only its public attributes.

Bounded work for huge input: a single :meth:`NextWordSession.feed` of more than
:data:`MAX_CONTEXT_CHARS` characters or :data:`MAX_CONTEXT_TOKENS` tokens reads only its last
:data:`MAX_CONTEXT_TOKENS` tokens, from a fresh start; a word being typed is cut to its last
:data:`MAX_FRAGMENT_CHARS` characters. Typing a long text key by key reads all of it (one step per
word, the way the model was trained on a continuous stream), so a session equals the one-shot
:meth:`~rnnkit.apps.nextword.NextWordPredictor.suggest` on texts up to that length.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import Tensor

from rnnkit.apps.nextword.text import SENTENCE_END, display_word, encode_committed, split_committed, split_fragment
from rnnkit.errors import InputError
from rnnkit.text import Vocabulary

if TYPE_CHECKING:
    from rnnkit.apps.nextword.engine import Engine

__all__ = ["MAX_CONTEXT_CHARS", "MAX_CONTEXT_TOKENS", "MAX_FRAGMENT_CHARS", "NextWordSession", "check_k",
           "log_sum_exp", "rank_candidates"]

MAX_CONTEXT_TOKENS = 200  # the most tokens one feed reads; an LSTM's prediction barely depends on older ones
MAX_CONTEXT_CHARS = 20_000  # a feed longer than this is cut first (at a space), so tokenizing stays cheap
MAX_FRAGMENT_CHARS = 100  # the word being typed is cut to this (binary junk without spaces stays cheap)


def check_k(k: Any) -> int:
    """``k`` as an int, else InputError "k must be an integer >= 1, got 0"."""
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise InputError(f"k must be an integer >= 1, got {k!r}")
    return k


class NextWordSession:
    """A typing session: text goes in piece by piece, suggestions come out without re-reading it.

    Made by :meth:`NextWordPredictor.session`. ``feed`` appends text, ``type`` appends and returns
    the suggestions, ``suggest`` returns them for the text so far (``result``: as the JSON shape of
    the CLI and the service), ``accept`` replaces the word being typed by a suggestion. Suggestions
    equal ``predictor.suggest(text_so_far)`` (see the module docstring for the bound on very long texts).

    Args:
        engine: the predictor's :class:`~.engine.Engine` (shared; the session keeps its own state).
        text: the text typed so far.

    Raises:
        InputError: ``text`` is not a str.
    """

    def __init__(self, engine: Engine, text: str = "", *, _defer: bool = False) -> None:
        self._engine = engine
        # ids not yet run: a list only in results_many's sessions (``_defer``), which run them in a batch
        self._pending: list[int] | None = [] if _defer else None
        self._reset()
        self.feed(text)

    @classmethod
    def results_many(cls, engine: Engine, requests: list[tuple[str, int]]) -> list[dict[str, Any]]:
        """``NextWordSession(engine, text).result(k)`` for each ``(text, k)``, the model run once for all.

        Each text's ids (committed words, then the context inside the word being typed) run as one row of
        a batch (:meth:`Engine.run_many <rnnkit.apps.nextword.engine.Engine.run_many>`), and the output
        layer runs once on all rows; ranking is the session's own. Results equal the one-at-a-time ones
        up to float rounding (the same words unless two scores tie within it). With int8 weights the
        inputs' scale is taken per batch, so probabilities move by up to about 0.01.

        Raises:
            InputError: a text is not a str or a ``k`` is not an integer >= 1 (nothing is run).
        """
        for _, k in requests:
            check_k(k)
        sessions = [cls(engine, text, _defer=True) for text, _ in requests]
        needed = list(map(cls._needed_ids, sessions))
        logits = engine.logits_many(engine.run_many([ids for ids, _ in needed]))
        norms = log_sum_exp(logits[:, engine.prefix_index.first_word:]).tolist()  # as one session computes it
        return [cls._answer(session, (context, row, norm), k)
                for session, (_, context), row, norm, (_, k) in zip(sessions, needed, logits, norms, requests,
                                                                     strict=True)]

    def _needed_ids(self) -> tuple[list[int], tuple[int, ...]]:
        """(ids still to run for the next suggestions: queued plus context, the context's cache key)."""
        context = self._engine.vocab.encode(self._fragment_parts()[0])
        return self._pending + context, tuple(context)

    def _answer(self, cache: tuple[Any, Tensor, float], k: int) -> dict[str, Any]:
        """:meth:`result` ``(k)`` from logits computed elsewhere; this unrun session is spent afterwards."""
        self._pending = None  # its state was never advanced: only this cached answer is valid
        self._logits_cache = cache
        return self.result(k)

    def _reset(self) -> None:
        self._output, self._state = self._engine.start  # after <eos>: a sentence start
        if self._pending is not None:
            self._pending = []
        self._last_id = self._engine.vocab.eos_id
        self._last_token = Vocabulary.EOS  # the last token read, as written (decides sentence starts)
        self._fragment = ""
        self._logits_cache: tuple[Any, Tensor, float] | None = None  # (context ids, logits, log-norm of words)

    @property
    def fragment(self) -> str:
        """The text after the last whitespace: the word being typed ("" after a space)."""
        return self._fragment

    @property
    def last_token(self) -> str:
        """The last committed token as written ("<eos>" at a start or after a line break)."""
        return self._last_token

    @property
    def prefix(self) -> str:
        """The end of the fragment that suggestions complete, as typed ("" after a space)."""
        return self._typed_prefix(self._fragment_parts()[1])

    def feed(self, text: str) -> NextWordSession:
        """Append ``text`` (any length; see the module docstring for the bound). Returns self.

        Raises:
            InputError: ``text`` is not a str.
        """
        if not isinstance(text, str):
            raise InputError(f"text must be a str, got {type(text).__name__}")
        if len(text) > MAX_CONTEXT_CHARS:
            window = text[-MAX_CONTEXT_CHARS:]
            committed, fragment = split_committed(window)
            first_space = next((i for i, c in enumerate(committed) if c.isspace()), len(committed))
            self._reset()
            text = committed[first_space:] + fragment  # the window's first, cut word is dropped
        committed, fragment = split_committed(self._fragment + text)
        self._fragment = fragment[-MAX_FRAGMENT_CHARS:]
        if committed:
            ids, last = encode_committed(committed, self._engine.vocab, self._engine.text_settings, self._last_id)
            if len(ids) > MAX_CONTEXT_TOKENS:
                self._reset()
                self._fragment = fragment[-MAX_FRAGMENT_CHARS:]
                ids = ids[-MAX_CONTEXT_TOKENS:]
            self.advance(ids, last)
        return self

    def type(self, chars: str, k: int = 3) -> list[tuple[str, float]]:
        """Append ``chars`` (one keystroke or more) and return :meth:`suggest` ``(k)``."""
        return self.feed(chars).suggest(k)

    def accept(self, word: str) -> NextWordSession:
        """Replace the word being typed by ``word`` and a space (what choosing a suggestion does)."""
        if not isinstance(word, str):
            raise InputError(f"word must be a str, got {type(word).__name__}")
        typed = self._typed_prefix(self._fragment_parts()[1])
        kept = self._fragment[: len(self._fragment) - len(typed)]  # e.g. "(" of "(sch"
        self._fragment = ""
        return self.feed(kept + word + " ")

    def advance(self, ids: list[int], last_token: str | None = None) -> None:
        """Feed token ids straight to the model (one recurrent call for all of them)."""
        if ids:
            if self._pending is not None:
                self._pending.extend(ids)
            else:
                self._output, self._state = self._engine.run(ids, self._state)
            self._last_id = ids[-1]
            self._last_token = last_token if last_token is not None else self._engine.tokens[ids[-1]]
            self._logits_cache = None

    def suggest(self, k: int = 3) -> list[tuple[str, float]]:
        """The best ``k`` (or fewer) words for the text so far, best first, with probabilities.

        After a space (or nothing): next words, probability renormalised over every word (specials
        excluded). Inside a word: vocabulary words starting with it, probability renormalised over
        those candidates; no candidate gives []. Ties go to the lower vocabulary id.

        Raises:
            InputError: ``k`` is not an integer >= 1.
        """
        return self._suggestions(k)[1]

    def _suggestions(self, k: int) -> tuple[str, list[tuple[str, float]]]:
        """(:attr:`prefix`, :meth:`suggest` ``(k)``), the fragment read once for both."""
        check_k(k)
        context, prefix = self._fragment_parts()
        typed = self._typed_prefix(prefix)
        engine = self._engine
        index = engine.prefix_index
        lo, hi = index.range(prefix) if prefix else (0, len(index))
        if hi <= lo:
            return typed, []
        logits, last = self._context_logits(context)
        scores_of = logits.numpy()  # NumPy from here: each torch call on a keystroke costs more (rank_candidates)
        if prefix:
            candidates: np.ndarray | None = index.ids[lo:hi]
            values = scores_of[candidates]
            log_norm = log_sum_exp(values)
        else:  # every word: the ids after the specials, a view; its normaliser is cached with the logits
            candidates, values = None, scores_of[index.first_word:]
            log_norm = self._logits_cache[2]
        ranked, scores = rank_candidates(values, candidates, index.first_word, k)
        lower = engine.text_settings.lower
        start = last in SENTENCE_END
        truecase = engine.truecase if lower else {}
        tokens = engine.tokens
        return typed, [(display_word(tokens[i], typed, start, truecase) if lower else tokens[i],
                        math.exp(s - log_norm)) for i, s in zip(ranked, scores, strict=True)]

    def result(self, k: int = 3) -> dict[str, Any]:
        """The suggestions for the text so far as plain data: the one JSON shape of the CLI and the service.

        Returns:
            ``{"completing": bool, "prefix": str, "suggestions": [{"word": str, "probability": float}, ...]}``:
            ``prefix`` is :attr:`prefix` ("" after a space), ``completing`` is true when it is not empty,
            ``suggestions`` is :meth:`suggest` ``(k)``, best first.

        Raises:
            InputError: ``k`` is not an integer >= 1.
        """
        prefix, suggestions = self._suggestions(k)
        return {"completing": bool(prefix), "prefix": prefix,
                "suggestions": [{"word": word, "probability": prob} for word, prob in suggestions]}

    def next_logits(self) -> Tensor:
        """Next-token logits (vocab_size,) after every committed token (the fragment is ignored)."""
        return self._context_logits([])[0]

    def _typed_prefix(self, prefix: str) -> str:
        """The prefix as the user typed it (their capitals), the end of the fragment."""
        tail = self._fragment[len(self._fragment) - len(prefix):] if prefix else ""
        return tail if self._engine.prefix_index.key(tail) == prefix else prefix

    def _fragment_parts(self) -> tuple[list[str], str]:
        """(context tokens inside the fragment, prefix to complete); ([], "") after a space."""
        tokens = self._engine.text_settings.tokens(self._fragment, finished=False)
        if not tokens:
            return [], ""
        return split_fragment(tokens, self._engine.prefix_index)

    def _context_logits(self, context: list[str]) -> tuple[Tensor, str]:
        """Logits after the committed tokens plus ``context``, and the last token read."""
        engine = self._engine
        ids = engine.vocab.encode(context)
        key = tuple(ids)
        if self._logits_cache is None or self._logits_cache[0] != key:
            output = engine.run(ids, self._state)[0] if ids else self._output
            logits = engine.logits(output)
            words_norm = log_sum_exp(logits.numpy()[engine.prefix_index.first_word:])  # a view: no copy
            self._logits_cache = (key, logits, words_norm)
        last = context[-1] if context else self._last_token
        return self._logits_cache[1], last


def rank_candidates(values: Any, ids: Any, offset: int, k: int) -> tuple[list[int], list[float]]:
    """The best ``k`` candidates by score, ties to the lower id: (ids, scores).

    ``values[j]`` scores candidate ``ids[j]`` (or id ``offset + j`` when ``ids`` is None); arrays or CPU
    tensors. One ``topk`` of k + 1 (faster than NumPy's ``argpartition`` from a few hundred values),
    then Python lists: each torch or NumPy call costs microseconds on a keystroke, more when the CPU's
    caches have been refilled by other work since the last one.
    """
    values = np.asarray(values)
    n = values.size
    top = torch.topk(torch.from_numpy(values), min(k + 1, n))  # one more: lower than the k-th, the set is exact
    vals, pos = top.values.tolist(), top.indices.tolist()
    if n > k and vals[k] == vals[k - 1]:  # something ties the k-th: every candidate at least as good
        pos = np.flatnonzero(values >= vals[k - 1]).tolist()
        vals = values[pos].tolist()
    else:
        vals, pos = vals[:k], pos[:k]
    cand = np.asarray(ids)[pos].tolist() if ids is not None else [p + offset for p in pos]
    pairs = sorted(zip([-v for v in vals], cand, strict=True))[:k]  # best first, then the lowest id
    return [i for _, i in pairs], [-v for v, _ in pairs]


def log_sum_exp(values: Any) -> Any:
    """``log(sum(exp(values)))`` over the last axis (an array or CPU tensor): a float for one row, an array for (N, V).

    NumPy's takes half of torch's ~17 us for 8,004 logits; a batch's rows get exactly the arithmetic
    of one row alone, so batched and one-at-a-time suggestions share their normaliser.
    """
    x = np.asarray(values)
    top = x.max(axis=-1, keepdims=True)
    out = np.log(np.exp(x - top).sum(axis=-1)) + top[..., 0]
    return float(out) if out.ndim == 0 else out
