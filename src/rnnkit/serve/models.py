"""The models a running service holds: loaded once at start, each behind its own lock.

The apps are called from worker threads (the event loop never runs a model). A model object is
not promised to be thread-safe: the next-word step switches torch's global oneDNN flag around each
call, and the analyzers keep caches. So one lock per model serialises calls into that model, while
a suggestion never waits for a sentiment request, nor the event loop for either.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rnnkit.apps.nextword.predictor import DEFAULT_MODEL_PATH as NEXTWORD_PATH
from rnnkit.apps.nextword.predictor import NextWordPredictor
from rnnkit.apps.sentiment.analyzer import DEFAULT_MODEL_PATH as SENTIMENT_PATH
from rnnkit.apps.sentiment.analyzer import SentimentAnalyzer, load_analyzer

__all__ = ["Served", "load_served"]

log = logging.getLogger("rnnkit.serve")
LEXICON_CARD = """\
# Sentiment backend: lexicon (VADER)

The rule-based VADER analyzer (Hutto & Gilbert, 2014): a hand-made lexicon of word valences plus rules
for negation, "but", boosters, capitals and punctuation. It needs no trained file. Its `compound` score
lies in [-1, 1]; rnnkit's labels follow the thresholds documented in `rnnkit.apps.sentiment.analyzer`.
"""

ModelArg = Any  # an app object, a checkpoint path (str / os.PathLike), or None for the bundled model


@dataclass
class Served:
    """The loaded apps, where each came from, their cards, and the fallbacks taken at start."""

    nextword: NextWordPredictor
    sentiment: SentimentAnalyzer
    sources: dict[str, str]
    cards: dict[str, str | None]
    notes: dict[str, str] = field(default_factory=dict)
    _locks: dict[str, threading.Lock] = field(
        default_factory=lambda: {"nextword": threading.Lock(), "sentiment": threading.Lock()})

    def suggest(self, text: str, k: int) -> dict[str, Any]:
        """:meth:`NextWordSession.result <rnnkit.apps.nextword.session.NextWordSession.result>` for ``text``."""
        with self._locks["nextword"]:
            return self.nextword.session(text).result(k)

    def generate(self, text: str, **settings: Any) -> str:
        with self._locks["nextword"]:
            return self.nextword.generate(text, **settings)

    def sentiment_results(self, texts: list[str], explain: bool) -> list[dict[str, Any]]:
        """:meth:`SentimentAnalyzer.results <rnnkit.apps.sentiment.analyzer.SentimentAnalyzer.results>`."""
        with self._locks["sentiment"]:
            return self.sentiment.results(texts, explain=explain)


def load_served(nextword: ModelArg = None, sentiment: ModelArg = None) -> Served:
    """Load both apps: objects are used as given, paths loaded, None takes the bundled models.

    The sentiment default and its fallback are :func:`~rnnkit.apps.sentiment.analyzer.load_analyzer`'s
    (the CLI's too): with no path and no usable bundled model, the lexicon backend answers and its
    note appears in ``/v1/health`` and ``/v1/models``.

    Raises:
        CheckpointError: a given path is missing or not a model of the right kind.
        NotTrainedError: no bundled next-word model.
    """
    sources, cards, notes = {}, {}, {}
    if not isinstance(nextword, NextWordPredictor):
        sources["nextword"], cards["nextword"] = _source(nextword, NEXTWORD_PATH)
        nextword = NextWordPredictor.load(nextword)
    else:
        sources["nextword"], cards["nextword"] = "given", None
    if isinstance(sentiment, SentimentAnalyzer):
        sources["sentiment"], cards["sentiment"] = "given", None
    else:
        path = sentiment
        sentiment, note = load_analyzer(path)
        if note:
            log.warning("sentiment: %s", note)
            sources["sentiment"], cards["sentiment"] = "fallback: no usable bundled model", LEXICON_CARD
            notes["sentiment"] = note
        else:
            sources["sentiment"], cards["sentiment"] = _source(path, SENTIMENT_PATH)
    if getattr(sentiment, "backend", None) == "lexicon" and cards["sentiment"] is None:
        cards["sentiment"] = LEXICON_CARD
    return Served(nextword, sentiment, sources, cards, notes)


def _source(path: str | os.PathLike | None, bundled: Path) -> tuple[str, str | None]:
    """("bundled" or the path, the model card beside the file: ``model.pt`` -> ``model.md``)."""
    file = bundled if path is None else Path(path)
    card = file.with_suffix(".md")
    try:
        text = card.read_text(encoding="utf-8") if card.is_file() else None
    except (OSError, UnicodeDecodeError):
        text = None
    return ("bundled" if path is None else str(path)), text
