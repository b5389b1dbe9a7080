"""Next-word prediction while typing: :class:`NextWordPredictor`.

::

    predictor = NextWordPredictor.train("corpus.txt", NextWordConfig(epochs=5))   # or .load(path)
    predictor.suggest("I go to sch")       # [("school", 0.93), ...]: completions of "sch"
    predictor.suggest("I go to ")          # the next word
    session = predictor.session()          # keeps the LSTM state: one step per typed word
    session.type("I go t")                 # -> suggestions; session.type("o "), ...

Three steps, each testable alone: text -> ids (:mod:`.text`), the model's step
(:mod:`.session`), logits -> ranked, capitalised words (``NextWordSession.suggest``).
Training lives in :mod:`.train`, evaluation in :mod:`.evaluate`.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from rnnkit.apps.nextword.config import NextWordConfig
from rnnkit.apps.nextword.session import Engine, NextWordSession, check_k
from rnnkit.apps.nextword.text import (
    SENTENCE_END,
    PrefixIndex,
    TextSettings,
    display_word,
    encode_committed,
    join_words,
)
from rnnkit.apps.nextword.train import CHECKPOINT_KIND, Source, train_parts
from rnnkit.config import ModelConfig, config_from_dict
from rnnkit.errors import CheckpointError, ConfigError, InputError, NotTrainedError
from rnnkit.models import LanguageModel
from rnnkit.text import Vocabulary
from rnnkit.training import build_checkpoint, load_checkpoint, save_checkpoint

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

    Raises:
        InputError: the model and vocabulary do not fit together.
    """

    def __init__(self, model: LanguageModel, vocab: Vocabulary, text_settings: TextSettings | None = None, *,
                 truecase: dict[str, str] | None = None, config: NextWordConfig | None = None,
                 metrics: dict[str, Any] | None = None, train_corpus: str = "") -> None:
        if not isinstance(model, LanguageModel):
            raise InputError(f"model must be a LanguageModel, got {type(model).__name__}")
        if not isinstance(vocab, Vocabulary) or not vocab.has_bos_eos:
            raise InputError("vocab must be a Vocabulary built with add_bos_eos=True (sentence ends are <eos>)")
        if text_settings is not None and not isinstance(text_settings, TextSettings):
            raise InputError(f"text_settings must be a TextSettings, got {type(text_settings).__name__}")
        if model.config.vocab_size != len(vocab):
            raise InputError(f"the model has {model.config.vocab_size} ids but the vocabulary {len(vocab)}")
        self.model = model.to("cpu").eval()
        self.vocab = vocab
        self.tokens = vocab.tokens  # id -> token, kept: Vocabulary.tokens builds a new tuple per call
        self.text_settings = text_settings = text_settings or TextSettings()
        self.truecase = dict(truecase or {})
        self.config = config
        self.metrics = dict(metrics or {})
        self.train_corpus = train_corpus
        self.prefix_index = PrefixIndex(vocab, text_settings.lower)
        self._engine = Engine(self.model)
        output, state = self._engine.run([vocab.eos_id], None)
        self._start = (state, output)  # after <eos>: where every session starts

    def __repr__(self) -> str:
        cfg = self.model.config
        return (f"NextWordPredictor({cfg.cell} {cfg.num_layers}x{cfg.hidden_size}, vocabulary {len(self.vocab)}, "
                f"lower={self.text_settings.lower})")

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
        model, vocab, settings = parts.pop("model"), parts.pop("vocab"), parts.pop("text_settings")
        return cls(model, vocab, settings, **parts)

    @classmethod
    def load(cls, path: str | os.PathLike | None = None) -> NextWordPredictor:
        """Load a predictor saved by :meth:`save` (or a Trainer checkpoint of :meth:`train`).

        Args:
            path: the checkpoint; None loads the bundled default model, :data:`DEFAULT_MODEL_PATH`.

        Raises:
            NotTrainedError: ``path`` is None and no default model is bundled.
            CheckpointError: the file is missing, unreadable, not a next-word checkpoint or inconsistent.
        """
        if path is None:
            if not DEFAULT_MODEL_PATH.is_file():
                raise NotTrainedError(f"no bundled next-word model at {DEFAULT_MODEL_PATH}; train one with "
                                      "`rnnkit train nextword --corpus FILE` and pass its path (--model PATH)")
            path = DEFAULT_MODEL_PATH
        payload = load_checkpoint(path, kind=CHECKPOINT_KIND)
        extra = payload["extra"]
        try:
            vocab = Vocabulary.from_dict(payload["vocab"])
            model = LanguageModel(config_from_dict(ModelConfig, payload["model_config"]))
            model.load_state_dict(payload["state_dict"])
            settings = TextSettings.from_dict(extra.get("text"))
            truecase = extra.get("truecase", {})
            if not isinstance(truecase, dict) or not all(isinstance(v, str) for v in truecase.values()):
                raise InputError("truecase must map str to str")
            config_data = extra.get("nextword_config") or None
            config = config_from_dict(NextWordConfig, config_data) if config_data else None
            return cls(model, vocab, settings, truecase=truecase, config=config, metrics=payload["metrics"],
                       train_corpus=str(extra.get("train_corpus", "")))
        except (InputError, ConfigError, RuntimeError, KeyError, TypeError) as err:
            first = str(err).strip().splitlines()[0][:200] if str(err).strip() else type(err).__name__
            raise CheckpointError(f"checkpoint {path} is not a usable next-word model: {first}") from err

    def save(self, path: str | os.PathLike) -> Path:
        """Write the predictor to one checkpoint file (atomically); :meth:`load` reads it back.

        Raises:
            CheckpointError: the file cannot be written.
        """
        extra = {"text": self.text_settings.to_dict(), "truecase": self.truecase,
                 "nextword_config": self.config.to_dict() if self.config else {}, "train_corpus": self.train_corpus}
        train_config = self.config.train_config() if self.config else None
        payload = build_checkpoint(
            CHECKPOINT_KIND, self.model.state_dict(), model_config=dataclasses.asdict(self.model.config),
            vocab=self.vocab.to_dict(), train_config=dataclasses.asdict(train_config) if train_config else {},
            metrics=self.metrics, extra=extra)
        return save_checkpoint(path, payload)

    def session(self, text: str = "") -> NextWordSession:
        """A typing session starting with ``text``; see :class:`~.session.NextWordSession`.

        Raises:
            InputError: ``text`` is not a str.
        """
        return NextWordSession(self, text)

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
        return NextWordSession(self, text).suggest(k)

    def generate(self, text: str, n_words: int, temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0,
                 seed: int | None = None) -> str:
        """Sample ``n_words`` words that continue ``text`` (its last word counts as finished).

        Args:
            text: the start; "" starts a sentence.
            n_words: how many words to sample (special tokens are never sampled).
            temperature: divides the logits; below 1 is more conservative, above 1 more random.
            top_k: sample among the k most likely words only; 0 = all.
            top_p: sample among the most likely words whose probabilities add up to top_p (nucleus).
            seed: a seed makes the result repeatable; None draws from torch's global generator.

        Returns:
            The continuation alone, words joined by spaces (none before punctuation), capitalised
            as :meth:`suggest` would show them.

        Raises:
            InputError: a bad argument.
        """
        _check_generate(text, n_words, temperature, top_k, top_p, seed)
        session = self.session(text)
        if session.fragment:
            session.feed(" ")
        generator = torch.Generator().manual_seed(seed) if seed is not None else None
        first = self.prefix_index.first_word
        words, previous = [], session.last_token
        with torch.inference_mode():
            for _ in range(n_words):
                logits = session.next_logits().double()
                logits[:first] = -math.inf
                token_id = int(torch.multinomial(_filtered_probs(logits, temperature, top_k, top_p), 1,
                                                 generator=generator))
                token = self.tokens[token_id]
                start = previous in SENTENCE_END
                words.append(display_word(token, "", start, self.truecase) if self.text_settings.lower else token)
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


def _filtered_probs(logits: torch.Tensor, temperature: float, top_k: int, top_p: float) -> torch.Tensor:
    """Sampling probabilities after temperature, top-k and nucleus (top-p) filtering."""
    logits = (logits - logits.max()) / temperature  # max first: a tiny temperature gives -inf, never NaN
    if top_k:
        kth = torch.topk(logits, min(top_k, logits.numel())).values[-1]
        logits = logits.masked_fill(logits < kth, -math.inf)
    probs = torch.softmax(logits, dim=0)
    if top_p < 1.0:
        sorted_probs, order = torch.sort(probs, descending=True)
        outside = torch.cumsum(sorted_probs, dim=0) - sorted_probs >= top_p  # mass before it already reaches top_p
        probs = probs.clone()
        probs[order[outside]] = 0.0
    return probs


def _check_generate(text: Any, n_words: Any, temperature: Any, top_k: Any, top_p: Any, seed: Any) -> None:
    if not isinstance(text, str):
        raise InputError(f"text must be a str, got {type(text).__name__}")

    def is_int(x: Any) -> bool:
        return isinstance(x, int) and not isinstance(x, bool)

    def is_num(x: Any) -> bool:
        return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)

    if not is_int(n_words) or n_words < 1:
        raise InputError(f"n_words must be an integer >= 1, got {n_words!r}")
    if not is_num(temperature) or temperature <= 0:
        raise InputError(f"temperature must be a number > 0, got {temperature!r}")
    if not is_int(top_k) or top_k < 0:
        raise InputError(f"top_k must be an integer >= 0 (0 = off), got {top_k!r}")
    if not is_num(top_p) or not 0 < top_p <= 1:
        raise InputError(f"top_p must be a number in (0, 1], got {top_p!r}")
    if seed is not None and (not is_int(seed) or not 0 <= seed < 2**64):
        raise InputError(f"seed must be None or an integer in [0, 2**64), got {seed!r}")
