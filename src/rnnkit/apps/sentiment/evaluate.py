"""Evaluating sentiment: the lexicon rule and a learned model side by side on one labelled file.

::

    evaluation = evaluate_sentiment("trees/test.txt", classes=3, analyzer=SentimentAnalyzer.load())
    print(format_comparison(evaluation.reports))     # accuracy, macro-F1, per class, confusion matrices

The file is read with the training readers (:func:`~.sources.read_format`, one table of formats);
its format is guessed from its name and first line unless given. Evaluation scores whole SST
sentences (``sst`` and ``sst-sentences`` read the same) and counts untagged product sentences as
Neutral. Three granularities:

* 3 classes: the lexicon rule at its threshold; the model's likeliest class.
* 2 classes: Neutral gold examples are dropped; the model predicts the likelier of Negative and
  Positive, the lexicon Positive for compound >= 0 (the seed rule's 0 goes to the majority polarity
  of reviews).
* 5 classes: SST's fine labels, learned model only.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rnnkit.apps.sentiment.labels import BINARY_LABELS, FINE_LABELS, LABELS, NEGATIVE, NEUTRAL, POSITIVE
from rnnkit.apps.sentiment.metrics import ClassificationReport, classification_report
from rnnkit.apps.sentiment.rule import resolve_threshold, review_rating, vader_scores
from rnnkit.apps.sentiment.sources import SOURCE_FORMATS, read_format
from rnnkit.data import read_text
from rnnkit.data.reviews import VADER_NEUTRAL_BAND
from rnnkit.data.sst import SST_3CLASS, SST_3CLASS_NAMES
from rnnkit.errors import InputError

if TYPE_CHECKING:
    from rnnkit.apps.sentiment.analyzer import SentimentAnalyzer

__all__ = ["CLASS_LABELS", "SentimentEvaluation", "evaluate_sentiment", "guess_format", "lexicon_predictions",
           "load_gold", "model_predictions"]

CLASS_LABELS = {3: LABELS, 2: BINARY_LABELS, 5: FINE_LABELS}  # classes -> the labels scored, in display order
_SST_FORMATS = ("sst", "sst-sentences")  # both are read as whole sentences here
_SUFFIX_FORMATS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "newsmtsc"}
_FOLDER_MARKERS = (("vader", "movieReviewSnippets_GroundTruth.txt"), ("proscons", "IntegratedPros.txt"),
                   ("plot", "plot.tok.gt9.5000"), ("tweeteval", "test_text.txt"))  # else product
_GOEMOTIONS_LINE = re.compile(r"[^\t]*\t\d(,\d)*\t\w+")  # text, group indices, comment id: no header


@dataclass(frozen=True)
class SentimentEvaluation:
    """The scores of each system on one labelled file.

    Attributes:
        format: the file's format (one of ``SOURCE_FORMATS``), given or guessed.
        classes: 3, 2 or 5.
        n: examples scored.
        reports: system title ("lexicon (seed)", "model (lstm)") -> its report, lexicon first.
    """

    format: str
    classes: int
    n: int
    reports: dict[str, ClassificationReport]

    def results(self) -> dict[str, dict[str, Any]]:
        """JSON-ready: system ("lexicon", "model") -> its report's dict with the full title as ``system``."""
        return {title.split(" ")[0]: report.to_dict() | {"system": title} for title, report in self.reports.items()}


def guess_format(path: str | os.PathLike[str]) -> str:
    """The format of a labelled file or dataset folder, from its suffix, its files or its first line.

    Raises:
        InputError: none of the formats fits (name it with ``--format``).
    """
    path = Path(path)
    if path.name.endswith("_text.txt"):
        return "tweeteval"
    if path.suffix.lower() == ".tsv" and path.is_file():
        first = read_text(path).split("\n", 1)[0]
        return "goemotions" if _GOEMOTIONS_LINE.fullmatch(first) else "tsv"
    if path.suffix.lower() in _SUFFIX_FORMATS:
        return _SUFFIX_FORMATS[path.suffix.lower()]
    if path.is_dir():
        names = {p.name for p in path.iterdir()}
        return next((fmt for fmt, marker in _FOLDER_MARKERS if marker in names), "product")
    first = next((line for line in read_text(path).split("\n") if line.strip()), "")
    for fmt, test in (("sst", first.startswith("(")), ("proscons", "<Pros>" in first or "<Cons>" in first),
                      ("vader", first.count("\t") >= 2), ("product", "##" in first or first.startswith("[t]"))):
        if test:
            return fmt
    raise InputError(f"cannot tell the format of {path}; give --format ({', '.join(SOURCE_FORMATS)})")


def load_gold(path: str | os.PathLike[str], fmt: str, classes: int = 3, *, text_column: str = "text",
              label_column: str = "label", label_scheme: str = "names",
              neutral_band: float = VADER_NEUTRAL_BAND) -> tuple[list[str], list[Any]]:
    """(texts, gold labels) of a labelled file for 3, 2 or 5 classes (5: SST only, labels 0-4).

    Args:
        path: the file or folder.
        fmt: one of ``SOURCE_FORMATS``.
        classes: 3 (label names), 2 (Neutral dropped) or 5 (SST fine labels).
        text_column, label_column, label_scheme: csv/tsv only (see :func:`~.sources.read_format`).
        neutral_band: vader only: a mean rating up to this far from 0 is Neutral.

    Raises:
        InputError: the file cannot be read, 5 classes asked of another format, or nothing is left.
    """
    if classes == 5 and fmt not in _SST_FORMATS:
        raise InputError(f"5 classes need SST labels (--format sst), not --format {fmt}")
    texts, labels = read_format("sst-sentences" if fmt in _SST_FORMATS else fmt, path, text_column=text_column,
                                label_column=label_column, label_scheme=label_scheme, neutral_band=neutral_band)
    if fmt in _SST_FORMATS and classes != 5:
        labels = [SST_3CLASS_NAMES[SST_3CLASS[fine]] for fine in labels]
    labels = [NEUTRAL if label is None else label for label in labels]  # untagged product sentences (SOURCE.md)
    if classes == 2:
        kept = [(t, label) for t, label in zip(texts, labels, strict=True) if label != NEUTRAL]
        texts, labels = [t for t, _ in kept], [label for _, label in kept]
    if not texts:
        raise InputError(f"{path} has no example left to score with {classes} classes")
    return texts, labels


def lexicon_predictions(texts: list[str], classes: int, threshold: float | str = "seed") -> list[str]:
    """The lexicon rule's labels: at ``threshold`` for 3 classes, Positive for compound >= 0 for 2."""
    if classes == 2:  # compound >= 0 is Positive: the seed rule's 0 goes to the majority polarity of reviews
        return [POSITIVE if vader_scores(t)["compound"] >= 0 else NEGATIVE for t in texts]
    value = resolve_threshold(threshold)
    return [review_rating(t, value) for t in texts]


def model_predictions(analyzer: SentimentAnalyzer, texts: list[str], classes: int) -> list[Any]:
    """A learned analyzer's labels: its rating (3), the likelier of Negative/Positive (2), SST's 0-4 (5)."""
    if classes == 3:
        return analyzer.rate_many(texts)
    if classes == 5:
        return [int(k) for k in analyzer.model.fine_probabilities(texts).argmax(axis=1)]
    probs = analyzer.model.probabilities(texts)  # columns Negative, Neutral, Positive
    return [POSITIVE if pos >= neg else NEGATIVE for neg, pos in zip(probs[:, 0], probs[:, 2], strict=True)]


def evaluate_sentiment(path: str | os.PathLike[str], fmt: str | None = None, classes: int = 3,
                       analyzer: SentimentAnalyzer | None = None, threshold: float | str = "seed", *,
                       text_column: str = "text", label_column: str = "label", label_scheme: str = "names",
                       neutral_band: float = VADER_NEUTRAL_BAND) -> SentimentEvaluation:
    """Score the lexicon rule and a learned model on the same labelled file.

    Args:
        path: the labelled file or dataset folder.
        fmt: one of ``SOURCE_FORMATS``; None: guessed (:func:`guess_format`).
        classes: 3, 2 or 5 (5: SST files and a learned model only; the lexicon is not scored).
        analyzer: a learned :class:`~rnnkit.apps.sentiment.analyzer.SentimentAnalyzer`, or None to
            score the lexicon rule only.
        threshold: the lexicon rule's band for 3 classes: "seed", "vader" or a number.
        text_column, label_column, label_scheme, neutral_band: how to read the labels (:func:`load_gold`).

    Raises:
        InputError: ``classes`` is not 3, 2 or 5; ``analyzer`` is the lexicon backend; 5 classes without
            SST labels or a learned model; the file cannot be read or holds nothing to score.
        ConfigError: ``threshold`` is not a known name or a number in [0, 1).
    """
    if classes not in CLASS_LABELS:
        raise InputError(f"classes must be one of {', '.join(map(str, CLASS_LABELS))}, got {classes!r}")
    if analyzer is not None and analyzer.model is None:
        raise InputError("analyzer must be a learned model; the lexicon rule is scored beside it anyway")
    fmt = fmt or guess_format(path)
    texts, gold = load_gold(path, fmt, classes, text_column=text_column, label_column=label_column,
                            label_scheme=label_scheme, neutral_band=neutral_band)
    if classes == 5 and analyzer is None:
        raise InputError("5 classes need a learned model (--model PATH): the lexicon rule has no fine classes")
    reports = {}
    if classes != 5:
        reports[_lexicon_title(classes, threshold)] = classification_report(
            gold, lexicon_predictions(texts, classes, threshold), CLASS_LABELS[classes])
    if analyzer is not None:
        reports[f"model ({analyzer.backend})"] = classification_report(
            gold, model_predictions(analyzer, texts, classes), CLASS_LABELS[classes])
    return SentimentEvaluation(fmt, classes, len(texts), reports)


def _lexicon_title(classes: int, threshold: float | str) -> str:
    """"lexicon (seed)", "lexicon (0.1)" for 3 classes; "lexicon (compound >= 0)" for 2."""
    if classes == 2:
        return "lexicon (compound >= 0)"
    return f"lexicon ({threshold if isinstance(threshold, str) else format(resolve_threshold(threshold), 'g')})"
