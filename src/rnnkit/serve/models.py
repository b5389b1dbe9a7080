"""The models a running service holds: loaded once at start, each behind its own lock.

The apps are called from worker threads (the event loop never runs a model; see :mod:`.lanes`). A
model object is not promised to be thread-safe (the analyzers keep caches), so one lock per model
object serialises calls into it, while a suggestion never waits for a sentiment request, nor the event loop for either.
Generation runs on its own copy of the next-word model, so a keystroke suggestion never waits
behind 200 sampled words.
"""

from __future__ import annotations

import copy
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rnnkit.apps.generator.generator import DEFAULT_MODEL_PATH as CHARS_PATH
from rnnkit.apps.generator.generator import REVIEW_MODEL_PATH as REVIEWS_PATH
from rnnkit.apps.generator.generator import CharGenerator
from rnnkit.apps.nextword.predictor import DEFAULT_MODEL_PATH as NEXTWORD_PATH
from rnnkit.apps.nextword.predictor import NextWordPredictor
from rnnkit.apps.sentiment.analyzer import DEFAULT_MODEL_PATH as SENTIMENT_PATH
from rnnkit.apps.sentiment.analyzer import SentimentAnalyzer, load_analyzer
from rnnkit.apps.tagger.tagger import DEFAULT_MODEL_PATH as TAGGER_PATH
from rnnkit.apps.tagger.tagger import Tagger, tag_result
from rnnkit.apps.translator.text import tokenize as translator_tokens
from rnnkit.apps.translator.translator import DEFAULT_MODEL_PATH as TRANSLATOR_PATH
from rnnkit.apps.translator.translator import Translator
from rnnkit.errors import StoppedError

__all__ = ["PRODUCTS", "SENTIMENT_CHUNK", "Served", "load_served", "model_source"]

log = logging.getLogger("rnnkit.serve")
LEXICON_CARD = """\
# Sentiment backend: lexicon (VADER)

The rule-based VADER analyzer (Hutto & Gilbert, 2014): a hand-made lexicon of word valences plus rules
for negation, "but", boosters, capitals and punctuation. It needs no trained file. Its `compound` score
lies in [-1, 1]; rnnkit's labels follow the thresholds documented in `rnnkit.apps.sentiment.analyzer`.
"""

ModelArg = Any  # an app object, a checkpoint path (str / os.PathLike), or None for the bundled model
SENTIMENT_CHUNK = 64  # texts rated between two looks at should_stop (a full batch of requests at once)
TRANSLATE_CHUNK = 8  # texts translated between two looks at should_stop
TAG_CHUNK = 64  # texts tagged in one call between two looks at should_stop (a full batch of requests)
# The other products: name -> (class, loader of a path or None, bundled file). Each gets its own lock.
PRODUCTS: dict[str, tuple[type, Callable[[Any], Any], Path]] = {
    "tagger": (Tagger, Tagger.load, TAGGER_PATH),
    "translator": (Translator, Translator.load, TRANSLATOR_PATH),
    "chars": (CharGenerator, CharGenerator.load, CHARS_PATH),
    "reviews": (CharGenerator, lambda path: CharGenerator.load(path, conditioned=path is None), REVIEWS_PATH),
}
StopCheck = Callable[[], bool] | None


@dataclass
class Served:
    """The loaded apps, where each came from, their cards, and the fallbacks taken at start."""

    nextword: NextWordPredictor
    sentiment: SentimentAnalyzer
    sources: dict[str, str]
    cards: dict[str, str | None]
    notes: dict[str, str] = field(default_factory=dict)
    generator: NextWordPredictor | None = None  # generation's own copy of ``nextword``
    products: dict[str, Any] = field(default_factory=dict)  # name of PRODUCTS -> its loaded object
    quantized: str | None = None  # "int8" after quantize()
    _locks: dict[str, threading.Lock] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.generator is None:
            self.generator = copy.deepcopy(self.nextword)
        for name in ("nextword", "generate", "sentiment", *PRODUCTS):
            self._locks.setdefault(name, threading.Lock())

    def quantize(self, scheme: str) -> list[str]:
        """Run every loaded model that can with ``scheme`` ("int8") weights; returns their names.

        The next-word model and generation's copy, and each product with a ``quantize`` method. The
        sentiment model stays float32: its int8 network is slower than float32 with oneDNN (about 1.1x
        in batches, 1.3-1.5x for one text; docs/sentiment.md, "int8").

        Raises:
            ConfigError: an unknown scheme.
        """
        done = []
        models = {"nextword": self.nextword.engine, "generate": self.generator.engine, **self.products}
        for name, model in models.items():
            if hasattr(model, "quantize"):
                model.quantize(scheme)
                done.append(name)
        self.quantized = scheme
        return done

    def suggest_batch(self, requests: list[tuple[str, int]], should_stop: StopCheck = None) -> list[dict[str, Any]]:
        """:meth:`NextWordSession.result <rnnkit.apps.nextword.session.NextWordSession.result>` ``(k)`` of each
        ``(text, k)``, the model run once for all (:meth:`NextWordPredictor.results_many`)."""
        with self._locks["nextword"]:
            return self.nextword.results_many(requests)

    def generate(self, text: str, should_stop: StopCheck = None, **settings: Any) -> str:
        """:meth:`NextWordPredictor.generate`, on generation's own copy of the model."""
        with self._locks["generate"]:
            return self.generator.generate(text, should_stop=should_stop, **settings)

    def sentiment_results(self, texts: list[str], explain: bool, should_stop: StopCheck = None) -> list[dict[str, Any]]:
        """:meth:`SentimentAnalyzer.results <rnnkit.apps.sentiment.analyzer.SentimentAnalyzer.results>`.

        Rated :data:`SENTIMENT_CHUNK` texts at a time (one when explaining), looking at ``should_stop``
        between chunks (:class:`~rnnkit.errors.StoppedError` when it says so).
        """
        with self._locks["sentiment"]:
            return _in_chunks(lambda chunk: self.sentiment.results(chunk, explain=explain), texts,
                              1 if explain else SENTIMENT_CHUNK, should_stop, "sentiment")

    def sentiment_batch(self, texts: list[str], should_stop: StopCheck = None) -> list[dict[str, Any]]:
        """:meth:`sentiment_results` without explanations: what batched requests share."""
        return self.sentiment_results(texts, False, should_stop)

    def tag(self, texts: list[str], should_stop: StopCheck = None) -> list[dict[str, Any]]:
        """``{"tokens": [{"word", "tag"}, ...]}`` per text (the tagger's JSON shape).

        :meth:`Tagger.tag_many`, :data:`TAG_CHUNK` texts (a whole batch of requests) in one call between
        looks at ``should_stop``.
        """
        tagger = self.products["tagger"]
        with self._locks["tagger"]:
            return _in_chunks(lambda chunk: [tag_result(pairs) for pairs in tagger.tag_many(chunk)], texts,
                              TAG_CHUNK, should_stop, "tagging")

    def translate(self, texts: list[str], beam: int, should_stop: StopCheck = None) -> list[dict[str, Any]]:
        """:meth:`Translator.translate_many`, :data:`TRANSLATE_CHUNK` texts between looks at ``should_stop``.

        A text with no words (blank, or only symbols the tokenizer drops) translates to "" here; the app
        refuses it, as there is nothing to translate.
        """
        translator = self.products["translator"]
        has_words = [bool(translator_tokens(t)) for t in texts]
        todo = [t for t, words in zip(texts, has_words, strict=True) if words]
        with self._locks["translator"]:
            done = _in_chunks(lambda chunk: translator.translate_many(chunk, beam=beam), todo, TRANSLATE_CHUNK,
                              should_stop, "translation")
        results = iter(done)
        return [next(results) if words else translator.format(t, [], beam)
                for t, words in zip(texts, has_words, strict=True)]

    def write(self, prompt: str, label: str | None, should_stop: StopCheck = None, **settings: Any) -> dict[str, Any]:
        """:meth:`CharGenerator.generate`: Shakespeare-like text, or with ``label`` a review of that sentiment."""
        name = "reviews" if label is not None else "chars"
        with self._locks[name]:
            return self.products[name].generate(prompt, label=label, should_stop=should_stop, **settings)


def load_served(nextword: ModelArg = None, sentiment: ModelArg = None,
                sentiment_source: tuple[str, str | None] | None = None, **products: ModelArg) -> Served:
    """Load both apps: objects are used as given, paths loaded, None takes the bundled models.

    ``sentiment_source``: for an analyzer object, (where it came from, its model card) for
    ``/v1/health`` and ``/v1/models`` instead of "given" and none; ``rnnkit serve --sentiment-onnx``
    passes an analyzer whose network runs in ONNX Runtime this way.

    ``products`` are the other models by their :data:`PRODUCTS` name (``tagger=...``, ``translator=...``,
    ``chars=...``, ``reviews=...``): an object, a path, or None (or left out) for the bundled one.

    The sentiment default and its fallback are :func:`~rnnkit.apps.sentiment.analyzer.load_analyzer`'s
    (the CLI's too): with no path and no usable bundled model, the lexicon backend answers and its
    note appears in ``/v1/health`` and ``/v1/models``.

    Raises:
        CheckpointError: a given path is missing or not a model of the right kind.
        NotTrainedError: no bundled next-word model.
    """
    sources, cards, notes = {}, {}, {}
    if not isinstance(nextword, NextWordPredictor):
        sources["nextword"], cards["nextword"] = model_source(nextword, NEXTWORD_PATH)
        nextword = NextWordPredictor.load(nextword)
    else:
        sources["nextword"], cards["nextword"] = "given", None
    if isinstance(sentiment, SentimentAnalyzer):
        sources["sentiment"], cards["sentiment"] = sentiment_source or ("given", None)
    else:
        path = sentiment
        sentiment, note = load_analyzer(path)
        if note:
            log.warning("sentiment: %s", note)
            sources["sentiment"], cards["sentiment"] = "fallback: no usable bundled model", LEXICON_CARD
            notes["sentiment"] = note
        else:
            sources["sentiment"], cards["sentiment"] = model_source(path, SENTIMENT_PATH)
    if getattr(sentiment, "backend", None) == "lexicon" and cards["sentiment"] is None:
        cards["sentiment"] = LEXICON_CARD
    unknown = sorted(set(products) - set(PRODUCTS))
    if unknown:
        raise TypeError(f"load_served() got unknown product(s): {', '.join(unknown)}")
    loaded = {}
    for name, (cls, load, bundled) in PRODUCTS.items():
        given = products.get(name)
        if isinstance(given, cls):
            sources[name], cards[name] = "given", None
            loaded[name] = given
        else:
            sources[name], cards[name] = model_source(given, bundled)
            loaded[name] = load(given)
    return Served(nextword, sentiment, sources, cards, notes, products=loaded)


def _in_chunks(run: Callable[[list[str]], list[Any]], texts: list[str], size: int, should_stop: StopCheck,
               what: str) -> list[Any]:
    """``run`` over ``texts``, ``size`` at a time, looking at ``should_stop`` before each chunk.

    Raises:
        StoppedError: ``should_stop()`` said so.
    """
    results: list[Any] = []
    for start in range(0, len(texts), size):
        if should_stop is not None and should_stop():
            raise StoppedError(f"{what} stopped after {start} of {len(texts)} texts")
        results.extend(run(texts[start:start + size]))
    return results


def model_source(path: str | os.PathLike | None, bundled: Path) -> tuple[str, str | None]:
    """("bundled" or the path, the model card beside the file: ``model.pt`` -> ``model.md``)."""
    file = bundled if path is None else Path(path)
    card = file.with_suffix(".md")
    try:
        text = card.read_text(encoding="utf-8") if card.is_file() else None
    except (OSError, UnicodeDecodeError):
        text = None
    return ("bundled" if path is None else str(path)), text
