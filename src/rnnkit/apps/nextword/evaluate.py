"""Evaluating next-word prediction: perplexity, top-k accuracy and keystroke savings, LSTM beside KN.

Every figure is computed for the predictor's LSTM and for a :class:`~rnnkit.models.KneserNeyLM`
trained on the same training text with the same vocabulary, so each has its n-gram peer.

The keystroke rule (docs/nextword.md gives it with a worked example). The text is typed word by
word (its tokens, as the model reads them; line ends are not words). A word ``w`` needs
``len(w) + 1`` characters: itself and the space or line break after it. Before each keystroke, with
``j = 0 .. len(w) - 1`` letters typed, the keyboard shows :data:`SUGGESTIONS_SHOWN` suggestions for
the prefix ``w[:j]`` (as :meth:`NextWordSession.suggest` ranks them). At the first ``j`` where
``w`` is shown the user accepts it, which inserts the rest of the word and the space: ``j + 1``
keystrokes. If it is never shown, the user types it all: ``len(w) + 1``. Then::

    keystroke savings = 1 - (keystrokes used) / (characters needed)

How it stays fast on PTB test (82k tokens): per position the scores over the vocabulary are computed
once; the words are kept sorted by spelling, so the words with any prefix form one range of columns
(:class:`~.text.PrefixIndex`). For the typed word ``w`` a cumulative count along that
order of "scores higher than w's" gives, for every prefix of ``w`` at once, how many candidates
beat it: w is shown at ``j`` when fewer than 3 do.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from rnnkit.apps.nextword.config import CORPUS_FORMATS, DEFAULT_NGRAM_ORDER, SUGGESTIONS_SHOWN
from rnnkit.apps.nextword.predictor import NextWordPredictor
from rnnkit.apps.nextword.text import PrefixIndex
from rnnkit.apps.nextword.train import normalise_lines, read_corpus, read_texts
from rnnkit.config import check_int
from rnnkit.errors import InputError
from rnnkit.models.ngram import KneserNeyLM
from rnnkit.text import Vocabulary

__all__ = ["DEFAULT_NGRAM_ORDER", "SUGGESTIONS_SHOWN", "TOP_K", "SuggestionTally", "evaluate_nextword",
           "format_table"]

TOP_K = (1, 3, 5)  # next-word accuracies reported
MAX_PREFIX = 48  # prefixes longer than this are not checked (such a word is typed in full)
CHUNK = 256  # positions scored at a time


class SuggestionTally:
    """Running sums of perplexity, top-k accuracy and keystrokes over scored positions.

    Args:
        index: the vocabulary's words in spelling order (as suggestions use it).
        eos_id: id of ``<eos>``, a token that is scored but never typed.
        shown: suggestions shown per keystroke.
    """

    def __init__(self, index: PrefixIndex, eos_id: int, shown: int = SUGGESTIONS_SHOWN) -> None:
        self.index, self.eos_id, self.shown = index, eos_id, shown
        self.col_ids = torch.from_numpy(index.ids)  # (W,) vocabulary id of each column in spelling order
        size = int(index.ids.max()) + 1 if len(index) else index.first_word
        self.lengths = np.zeros(size, dtype=np.int64)  # key length of each word id
        self.lo = np.zeros((size, MAX_PREFIX), dtype=np.int64)  # [id, j]: range of the words starting with key[:j]
        self.hi = np.zeros((size, MAX_PREFIX), dtype=np.int64)
        for word_id, key in zip(index.ids.tolist(), index.keys, strict=True):
            self.lengths[word_id] = len(key)
            for j in range(min(len(key), MAX_PREFIX)):
                self.lo[word_id, j], self.hi[word_id, j] = index.range(key[:j])
        self.nll = 0.0
        self.tokens = self.words = self.characters = self.keystrokes = 0
        self.hits = dict.fromkeys(TOP_K, 0)

    def add(self, log_probs: torch.Tensor, targets: Sequence[int], words: Sequence[str | None]) -> None:
        """Score a chunk: ``log_probs`` (B, vocab_size) before each of the B ``targets`` (ids) whose
        written forms are ``words`` (None for ``<eos>``)."""
        target = torch.as_tensor(np.asarray(targets, dtype=np.int64))
        rows = torch.arange(len(target))
        self.nll -= float(log_probs[rows, target].double().sum())
        self.tokens += len(target)
        typed = [i for i, w in enumerate(words) if w is not None]
        self.words += len(typed)
        self.characters += sum(len(words[i]) + 1 for i in typed)
        known = [i for i in typed if targets[i] >= self.index.first_word]
        self.keystrokes += sum(len(words[i]) + 1 for i in typed if targets[i] < self.index.first_word)
        if known:
            self._add_known(log_probs[known], target[known], [words[i] for i in known])

    def _add_known(self, log_probs: torch.Tensor, target: torch.Tensor, words: list[str]) -> None:
        scores = log_probs[:, self.col_ids]  # (B, W) in spelling order
        own = log_probs.gather(1, target[:, None])  # (B, 1)
        beats = (scores > own) | ((scores == own) & (self.col_ids[None, :] < target[:, None]))
        above = torch.nn.functional.pad(beats.to(torch.int32).cumsum(1), (1, 0))  # (B, W + 1)
        t = target.numpy()
        lo, hi = torch.from_numpy(self.lo[t]), torch.from_numpy(self.hi[t])  # (B, MAX_PREFIX)
        counts = above.gather(1, hi) - above.gather(1, lo)  # candidates ranked above w after j letters
        for k in TOP_K:
            self.hits[k] += int((counts[:, 0] < k).sum())
        length = torch.tensor([len(w) for w in words])
        valid = torch.arange(MAX_PREFIX)[None, :] < torch.minimum(length, torch.tensor(MAX_PREFIX))[:, None]
        shown = (counts < self.shown) & valid
        first = torch.where(shown.any(1), shown.to(torch.int8).argmax(1) + 1, length + 1)
        self.keystrokes += int(first.sum())

    def result(self) -> dict[str, float]:
        """perplexity, top1/top3/top5 (share of words), keystrokes, keystroke_savings."""
        out = {"perplexity": math.exp(self.nll / self.tokens) if self.tokens else math.nan}
        out |= {f"top{k}": self.hits[k] / self.words if self.words else math.nan for k in TOP_K}
        savings = 1 - self.keystrokes / self.characters if self.characters else math.nan
        return out | {"keystrokes": self.keystrokes, "keystroke_savings": savings}


def _read_eval_text(source: Any, predictor: NextWordPredictor, corpus_format: str) -> tuple[list[int], list]:
    """(ids with a leading <eos>, the written word of each target or None for <eos>)."""
    vocab, settings = predictor.vocab, predictor.text_settings
    if corpus_format == "ptb":
        lines = read_corpus(source, "ptb", "evaluation text")
    else:  # typed text meets the model as typing would: the predictor's own tokenization
        lines = [[*settings.tokens(line), Vocabulary.EOS] for line in read_texts(source, "evaluation text")]
        if not any(len(line) > 1 for line in lines):
            raise InputError("evaluation text holds no words")
    ids, words = [vocab.eos_id], []
    for line in lines:
        line_ids = vocab.encode(line)
        ids += line_ids
        words += [None if i == vocab.eos_id else w for i, w in zip(line_ids, line, strict=True)]
    return ids, words


def _lstm_chunks(predictor: NextWordPredictor, ids: list[int]):
    """(log-probs (B, V), slice of targets) per chunk, the state carried along."""
    stream, state = torch.tensor(ids), None
    with torch.inference_mode():
        for start in range(0, len(ids) - 1, CHUNK):
            end = min(start + CHUNK, len(ids) - 1)
            logits, state = predictor.model(stream[start:end].unsqueeze(0), state)  # (1, B, V)
            yield torch.log_softmax(logits[0], dim=-1), slice(start, end)


def _ngram_chunks(model: KneserNeyLM, ids: list[int]):
    order = model.order
    for start in range(0, len(ids) - 1, CHUNK):
        end = min(start + CHUNK, len(ids) - 1)
        dist = np.stack([model.distribution(ids[max(0, i + 2 - order):i + 1]) for i in range(start, end)])
        with np.errstate(divide="ignore"):
            yield torch.from_numpy(np.log(dist)), slice(start, end)


def _run(chunks, index: PrefixIndex, eos_id: int, ids: list[int], words: list, shown: int) -> dict[str, float]:
    started = time.perf_counter()
    tally = SuggestionTally(index, eos_id, shown)
    for log_probs, where in chunks:
        tally.add(log_probs, ids[where.start + 1:where.stop + 1], words[where])
    return tally.result() | {"seconds": time.perf_counter() - started}


def evaluate_nextword(text_or_path: str | os.PathLike | Sequence[str], predictor: NextWordPredictor | None = None,
                      *, train_corpus: str | os.PathLike | Sequence[str] | None = None,
                      ngram_order: int = DEFAULT_NGRAM_ORDER, corpus_format: str | None = None,
                      max_tokens: int = 0, shown: int = SUGGESTIONS_SHOWN, peer: bool = True) -> dict[str, Any]:
    """Perplexity, top-1/3/5 next-word accuracy and keystroke savings of the LSTM and of KN.

    Args:
        text_or_path: the test text: a file, or a list of texts (one sentence each).
        predictor: the model; None loads the bundled default.
        train_corpus: the text the n-gram peer is trained on; None uses the file the predictor
            was trained on (recorded in its checkpoint).
        ngram_order: n of the Kneser-Ney peer, 2 to 6 (3 to 5 are usual).
        corpus_format: ``"text"`` or ``"ptb"`` for the test and training files; None: the predictor's.
        max_tokens: score only the first this many tokens (0: all), for speed.
        shown: suggestions shown per keystroke.
        peer: False scores the LSTM alone (``"kneser_ney"`` is then None), e.g. when its training text is gone.

    Returns:
        ``{"tokens", "words", "characters", "oov_words", "suggestions_shown", "lstm": {...},
        "kneser_ney": {...} or None}``; each model's dict holds perplexity, top1, top3, top5, keystrokes,
        keystroke_savings, seconds and a description.

    Raises:
        InputError: unreadable or empty text, no training text for the n-gram peer, bad arguments.
        ConfigError: ``ngram_order`` is not an integer from 2 to 6.
        NotTrainedError: ``predictor`` is None and no default model is bundled.
    """
    check_int("max_tokens", max_tokens, 0, error=InputError)
    check_int("shown", shown, 1, error=InputError)
    predictor = predictor if predictor is not None else NextWordPredictor.load()
    fmt = corpus_format or predictor.text_settings.corpus_format
    if fmt not in CORPUS_FORMATS:
        raise InputError(f"corpus_format must be 'text' or 'ptb', got {fmt!r}")
    ngram = _fit_ngram(predictor, train_corpus, ngram_order, fmt) if peer else None
    ids, words = _read_eval_text(text_or_path, predictor, fmt)
    if max_tokens:
        ids, words = ids[:max_tokens + 1], words[:max_tokens]
    index, eos = predictor.prefix_index, predictor.vocab.eos_id
    cfg = predictor.model.config
    lstm = _run(_lstm_chunks(predictor, ids), index, eos, ids, words, shown)
    kn = _run(_ngram_chunks(ngram, ids), index, eos, ids, words, shown) if ngram is not None else None
    typed = [i for i, w in enumerate(words) if w is not None]
    return {
        "tokens": len(words), "words": len(typed), "characters": sum(len(words[i]) + 1 for i in typed),
        "oov_words": sum(1 for i in typed if ids[i + 1] < index.first_word), "suggestions_shown": shown,
        "lstm": {"model": f"{cfg.cell.upper()} {cfg.num_layers}x{cfg.hidden_size}"} | lstm,
        "kneser_ney": None if kn is None else {"model": f"Kneser-Ney {ngram_order}-gram", "order": ngram_order} | kn,
    }


def peer_text_available(predictor: NextWordPredictor) -> bool:
    """Whether the training text the predictor recorded (its n-gram peer's) is a file here."""
    return bool(predictor.train_corpus) and os.path.isfile(predictor.train_corpus)


def _fit_ngram(predictor: NextWordPredictor, source: Any, order: int, fmt: str) -> KneserNeyLM:
    if source is None:
        recorded = predictor.train_corpus
        if not peer_text_available(predictor):
            where = f" ({recorded}, as recorded where the model was trained, is not here)" if recorded else ""
            raise InputError(f"the n-gram peer needs the training text{where}: pass train_corpus "
                             "(--train-corpus FILE)")
        source = recorded
    model = KneserNeyLM(order)
    lines = normalise_lines(read_corpus(source, fmt, "training text"), predictor.text_settings)
    return model.fit([predictor.vocab.encode(line) for line in lines], len(predictor.vocab))


def format_table(result: dict[str, Any]) -> str:
    """The result of :func:`evaluate_nextword` as a text table, the LSTM above its n-gram peer."""
    head = (f"{result['tokens']:,} tokens, {result['words']:,} words ({result['oov_words']:,} out of vocabulary), "
            f"{result['characters']:,} characters; {result['suggestions_shown']} suggestions shown")
    rows = [f"{'model':<22}{'perplexity':>11}{'top-1':>8}{'top-3':>8}{'top-5':>8}{'keystroke savings':>19}"]
    for key in ("lstm", "kneser_ney"):
        r = result[key]
        if r is None:
            continue
        rows.append(f"{r['model']:<22}{r['perplexity']:>11.1f}{r['top1']:>8.1%}{r['top3']:>8.1%}{r['top5']:>8.1%}"
                    f"{r['keystroke_savings']:>19.1%}")
    return "\n".join([head, *rows])
