"""Next-word prediction while typing: :class:`NextWordPredictor`.

::

    predictor = NextWordPredictor.train("corpus.txt", NextWordConfig(epochs=5))   # or .load(path)
    predictor.suggest("I go to sch")       # [("school", 0.93), ...]: completions of "sch"
    predictor.suggest("I go to ")          # the next word
    session = predictor.session()          # keeps the LSTM state: one step per typed word
    session.type("I go t")                 # -> suggestions; session.type("o "), ...
    session.result(3)                      # {"completing", "prefix", "suggestions"}: the JSON shape

Which file does what (each step testable alone):

* :mod:`.config` -- :class:`NextWordConfig` and its presets (no torch: the CLI's ``--help`` reads it).
* :mod:`.text` -- text -> tokens -> ids, the word being typed, display case.
* :mod:`.engine` -- :class:`~.engine.Engine`: the model's batch-1 step, the start state after
  ``<eos>`` and the vocabulary, text settings and capitals a session reads; this predictor holds one.
* :mod:`.session` -- :class:`~.session.NextWordSession`: the recurrent state between keystrokes and
  logits -> ranked, capitalised words; every suggestion, one-shot or typed, comes from a session.
* :mod:`.sampling` -- what :meth:`NextWordPredictor.generate` accepts (``MAX_SEED`` ...) and its
  top-k / nucleus filter.
* :mod:`.payload` -- the checkpoint payload (the only place its keys are spelled), :mod:`.train`
  -- reading the corpus and training, :mod:`.evaluate` -- perplexity, accuracy, keystroke savings.

This module holds the user-facing class: load, save, train, suggest, generate and perplexity.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from rnnkit.apps.nextword.config import NextWordConfig
from rnnkit.apps.nextword.engine import Engine
from rnnkit.apps.nextword.payload import CHECKPOINT_KIND, NextWordParts, build_payload, read_payload
from rnnkit.apps.nextword.sampling import TOP_K_OFF, TOP_P_OFF, check_generate, filtered_probs
from rnnkit.apps.nextword.session import NextWordSession, check_k
from rnnkit.apps.nextword.text import (
    SENTENCE_END,
    PrefixIndex,
    TextSettings,
    display_word,
    encode_committed,
    join_words,
)
from rnnkit.apps.nextword.train import Source, train_parts
from rnnkit.errors import InputError, StoppedError
from rnnkit.models import LanguageModel
from rnnkit.text import Vocabulary
from rnnkit.training import load_product, save_checkpoint

__all__ = ["DEFAULT_MODEL_PATH", "NextWordPredictor"]

DEFAULT_MODEL_PATH = Path(__file__).resolve().parents[2] / "pretrained" / "nextword.pt"  # the bundled model
SCORE_CHUNK = 256  # tokens per forward call when scoring a text (perplexity)


class NextWordPredictor:
    """Suggests the next word, or completions of the word being typed, from a word-level language model.

    Args:
        model: a trained :class:`~rnnkit.models.LanguageModel` (moved to the CPU, put in eval mode).
        vocab: its vocabulary, with ``<bos>``/``<eos>``.
        text_settings: how text becomes tokens (lower-casing, PTB conventions); default TextSettings().
        truecase: display forms of lower-cased words ("i" -> "I").
        config: the configuration it was trained with, if known.
        metrics: training metrics to keep in its checkpoint.
        train_corpus: the training file, so evaluation can train the n-gram peer on the same text.

    Attributes:
        engine: the :class:`~.engine.Engine` that sessions share; ``model``, ``vocab``,
            ``text_settings``, ``truecase`` and ``prefix_index`` are read from it.
        config, metrics, train_corpus: as given.

    Raises:
        InputError: the model and vocabulary do not fit together.
    """

    def __init__(self, model: LanguageModel, vocab: Vocabulary, text_settings: TextSettings | None = None, *,
                 truecase: dict[str, str] | None = None, config: NextWordConfig | None = None,
                 metrics: dict[str, Any] | None = None, train_corpus: str = "") -> None:
        parts = NextWordParts(model, vocab, TextSettings() if text_settings is None else text_settings,
                              dict(truecase or {}), config, dict(metrics or {}), train_corpus)  # checks them
        self.engine = Engine(model.to("cpu"), vocab, parts.text_settings, parts.truecase)
        self.config = config
        self.metrics = parts.metrics
        self.train_corpus = train_corpus

    @classmethod
    def _from_parts(cls, parts: NextWordParts) -> NextWordPredictor:
        return cls(parts.model, parts.vocab, parts.text_settings, truecase=parts.truecase, config=parts.config,
                   metrics=parts.metrics, train_corpus=parts.train_corpus)

    def __repr__(self) -> str:
        cfg = self.model.config
        return (f"NextWordPredictor({cfg.cell} {cfg.num_layers}x{cfg.hidden_size}, vocabulary {len(self.vocab)}, "
                f"lower={self.text_settings.lower})")

    @property
    def model(self) -> LanguageModel:
        """The language model (on the CPU, in eval mode)."""
        return self.engine.model

    @property
    def vocab(self) -> Vocabulary:
        """The model's vocabulary."""
        return self.engine.vocab

    @property
    def text_settings(self) -> TextSettings:
        """How text becomes tokens."""
        return self.engine.text_settings

    @property
    def truecase(self) -> dict[str, str]:
        """Display forms of lower-cased words ("i" -> "I")."""
        return self.engine.truecase

    @property
    def prefix_index(self) -> PrefixIndex:
        """The vocabulary's words in spelling order, as completions use them."""
        return self.engine.prefix_index

    @classmethod
    def train(cls, texts_or_path: Source, config: NextWordConfig | None = None, *, valid: Source | None = None,
              checkpoint_path: str | os.PathLike | None = None, resume_from: str | os.PathLike | None = None,
              callbacks: Iterable[Any] = ()) -> NextWordPredictor:
        """Train a predictor on a corpus.

        Args:
            texts_or_path: a file (plain text, one sentence per line, or PTB as ``config.corpus_format``
                says) or a list of texts.
            config: preset, text, vocabulary, model and training settings (default: the small preset).
            valid: validation text, the same kinds; the predictor keeps the best validation weights.
            checkpoint_path: where the Trainer writes its resumable checkpoint (and ``.best`` beside it).
            resume_from: a checkpoint of an interrupted run of the same command to go on from.
            callbacks: Trainer callbacks (progress, early stop ...).

        Returns:
            The trained predictor (call :meth:`save` to keep it).

        Raises:
            ConfigError: ``config`` is not a NextWordConfig.
            InputError: unreadable or empty corpus, or too little text for one batch.
            CheckpointError: ``resume_from`` is unreadable or from another vocabulary.
            TrainingError: the loss became NaN or infinite.
        """
        parts = train_parts(texts_or_path, config if config is not None else NextWordConfig(), valid=valid,
                            checkpoint_path=checkpoint_path, resume_from=resume_from, callbacks=callbacks)
        return cls._from_parts(parts)

    @classmethod
    def load(cls, path: str | os.PathLike | None = None, quantize: str | None = None) -> NextWordPredictor:
        """Load a predictor saved by :meth:`save` (or a Trainer checkpoint of :meth:`train`).

        Args:
            path: the checkpoint; None loads the bundled default model, :data:`DEFAULT_MODEL_PATH`.
            quantize: "int8" runs suggestions and generation with int8 weights
                (:meth:`Engine.quantize <rnnkit.apps.nextword.engine.Engine.quantize>`); None keeps float32.

        Raises:
            NotTrainedError: ``path`` is None and no default model is bundled.
            CheckpointError: the file is missing, unreadable, not a next-word checkpoint or inconsistent.
            ConfigError: ``quantize`` is not "int8" or None.
        """
        payload, path = load_product(path, DEFAULT_MODEL_PATH, "next-word model", "rnnkit train nextword --corpus FILE",
                                     CHECKPOINT_KIND, quantize)
        predictor = cls._from_parts(read_payload(payload, path))
        if quantize is not None:
            predictor.engine.quantize(quantize)
        return predictor

    def save(self, path: str | os.PathLike) -> Path:
        """Write the predictor to one checkpoint file (atomically); :meth:`load` reads it back.

        Raises:
            CheckpointError: the file cannot be written.
        """
        parts = NextWordParts(self.model, self.vocab, self.text_settings, self.truecase, self.config, self.metrics,
                              self.train_corpus)
        return save_checkpoint(path, build_payload(parts))

    def session(self, text: str = "") -> NextWordSession:
        """A typing session starting with ``text``; see :class:`~.session.NextWordSession`.

        Raises:
            InputError: ``text`` is not a str.
        """
        return NextWordSession(self.engine, text)

    def suggest(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        """Up to ``k`` suggestions for ``text``, best first: ``[(word, probability), ...]``.

        ``text`` ending in a space (or empty) asks for the next word; ending inside a word ("I go to
        sch") asks for completions of it, ranked by the model and renormalised over the vocabulary
        words with that prefix (no such word: []). Probabilities lie in (0, 1]. Special tokens are
        never suggested. Capitals follow the user: sentence starts and "Sch" give "School".

        Raises:
            InputError: ``text`` is not a str, or ``k`` is not an integer >= 1.
        """
        if not isinstance(text, str):
            raise InputError(f"text must be a str, got {type(text).__name__}")
        check_k(k)
        return NextWordSession(self.engine, text).suggest(k)

    def results_many(self, requests: Sequence[tuple[str, int]]) -> list[dict[str, Any]]:
        """``session(text).result(k)`` for each ``(text, k)``, run as one batch (the service batches so).

        See :meth:`NextWordSession.results_many <rnnkit.apps.nextword.session.NextWordSession.results_many>`.

        Raises:
            InputError: a text is not a str or a ``k`` is not an integer >= 1.
        """
        return NextWordSession.results_many(self.engine, list(requests))

    def generate(self, text: str, n_words: int, temperature: float = 1.0, top_k: int = TOP_K_OFF,
                 top_p: float = TOP_P_OFF, seed: int | None = None,
                 should_stop: Callable[[], bool] | None = None) -> str:
        """Sample ``n_words`` words that continue ``text`` (its last word counts as finished).

        Args:
            text: the start; "" starts a sentence.
            n_words: how many words to sample (special tokens are never sampled).
            temperature: divides the logits; below 1 is more conservative, above 1 more random.
            top_k: sample among the k most likely words only; 0 (``TOP_K_OFF``) = all.
            top_p: sample among the most likely words whose probabilities add up to top_p (nucleus),
                in (0, 1]; 1 (``TOP_P_OFF``) = all.
            seed: an integer in [0, ``MAX_SEED``] (:mod:`.sampling`) makes the result repeatable; None
                draws from torch's global generator.
            should_stop: called before each word; when it returns True, generation stops with
                :class:`~rnnkit.errors.StoppedError` (a server uses it for time limits and lost clients).

        Returns:
            The continuation alone, words joined by spaces (none before punctuation), capitalised
            as :meth:`suggest` would show them.

        Raises:
            InputError: a bad argument.
            StoppedError: ``should_stop`` returned True.
        """
        check_generate(text, n_words, temperature, top_k, top_p, seed)
        session = self.session(text)
        if session.fragment:
            session.feed(" ")
        generator = torch.Generator().manual_seed(seed) if seed is not None else None
        engine = self.engine
        first = engine.prefix_index.first_word
        words, previous = [], session.last_token
        with torch.inference_mode():
            for _ in range(n_words):
                if should_stop is not None and should_stop():
                    raise StoppedError(f"generation stopped after {len(words)} of {n_words} words")
                logits = session.next_logits().double()
                logits[:first] = -math.inf
                token_id = int(torch.multinomial(filtered_probs(logits, temperature, top_k, top_p), 1,
                                                 generator=generator))
                token = engine.tokens[token_id]
                start = previous in SENTENCE_END
                words.append(display_word(token, "", start, engine.truecase) if engine.text_settings.lower else token)
                session.advance([token_id])
                previous = token
        return join_words(words)

    def perplexity(self, texts: Sequence[str]) -> float:
        """exp of the mean negative log-likelihood of every token of ``texts`` (each ends with ``<eos>``).

        The texts are read as one stream after an ``<eos>``, the way the model was trained; blank
        texts are skipped and every token counts, ``<eos>`` and ``<unk>`` included (PTB convention).

        Raises:
            InputError: ``texts`` is not a list of str, or holds no tokens.
        """
        if isinstance(texts, str) or not isinstance(texts, list | tuple):
            raise InputError(f"texts must be a list of str (wrap one text as [text]), got {type(texts).__name__}")
        eos = self.vocab.eos_id
        ids = [eos]
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise InputError(f"texts[{i}] must be a str, got {type(text).__name__}")
            ids += encode_committed(text, self.vocab, self.text_settings, ids[-1])[0]
            if ids[-1] != eos:
                ids.append(eos)
        if len(ids) < 2:
            raise InputError("texts hold no tokens to score")
        return math.exp(self._nll_sum(ids) / (len(ids) - 1))

    def _nll_sum(self, ids: list[int]) -> float:
        """Summed negative log-likelihood of ids[1:] given the ids before each, in chunks."""
        stream = torch.tensor(ids)
        total, state = 0.0, None
        with torch.inference_mode():
            for start in range(0, len(ids) - 1, SCORE_CHUNK):
                x = stream[start:start + SCORE_CHUNK].unsqueeze(0)  # (1, L)
                y = stream[start + 1:start + 1 + SCORE_CHUNK]
                logits, state = self.model(x[:, :len(y)], state)  # (1, L, vocab_size)
                total += float(F.cross_entropy(logits[0].double(), y, reduction="sum"))
        return total
