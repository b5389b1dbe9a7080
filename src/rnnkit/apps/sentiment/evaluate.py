"""Evaluating sentiment: the lexicon rule and a learned model side by side on labelled files.

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

Several domains at once (issue 11: the model must beat the rule on every kind of text)::

    evaluations = evaluate_many(suite_specs("dev"), analyzer)   # SST, tweets, Reddit, news, products
    print(format_summary(evaluations))                          # one row per file, then the mean macro-F1

Each spec is ``[FORMAT:]PATH[#PART]`` (:func:`~.sources.parse_spec`; ``#PART`` scores one held-back
part, :func:`~.sources.split_part`). ``SUITES`` names the files of each suite under the shared data
folder; TweetEval's test suite file is scored on its ``#test`` part only, so that its ``#train`` part
may be trained on.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rnnkit.apps.sentiment.labels import BINARY_LABELS, FINE_LABELS, LABELS, NEGATIVE, NEUTRAL, POSITIVE
from rnnkit.apps.sentiment.metrics import ClassificationReport, classification_report
from rnnkit.apps.sentiment.rule import resolve_threshold, review_rating, vader_scores
from rnnkit.apps.sentiment.sources import guess_format, parse_spec, read_format, select_part
from rnnkit.config import check_choice
from rnnkit.data.reviews import VADER_NEUTRAL_BAND
from rnnkit.data.sst import SST_3CLASS, SST_3CLASS_NAMES
from rnnkit.errors import InputError

if TYPE_CHECKING:
    from rnnkit.apps.sentiment.analyzer import SentimentAnalyzer

__all__ = ["CLASS_LABELS", "SUITES", "SentimentEvaluation", "default_data_dir", "evaluate_many", "evaluate_sentiment",
           "format_scores", "format_summary", "guess_format", "lexicon_predictions", "load_gold", "mean_macro_f1",
           "model_predictions", "suite_specs"]

CLASS_LABELS = {3: LABELS, 2: BINARY_LABELS, 5: FINE_LABELS}  # classes -> the labels scored, in display order
_SST_FORMATS = ("sst", "sst-sentences")  # both are read as whole sentences here
_SUMMARY_HEADS = ("n", "rule macro-F1", "model macro-F1", "difference", "rule accuracy", "model accuracy")
# suite -> FORMAT:PATH[#PART] under the shared data folder: one file per kind of text (movie sentences,
# tweets, Reddit comments, news, product reviews). TweetEval ships no train split here (its SOURCE.md),
# so its test file is scored on its #test part and its #train part stays free to train on.
SUITES = {
    "dev": ("sst-sentences:sst/trees/dev.txt", "tweeteval:tweeteval_sentiment/val_text.txt",
            "goemotions:goemotions_sentiment/dev.tsv", "newsmtsc:newsmtsc_sentiment/devtest_rw.jsonl",
            "product:product_reviews_2#dev"),
    "test": ("sst-sentences:sst/trees/test.txt", "tweeteval:tweeteval_sentiment/test_text.txt#test",
             "goemotions:goemotions_sentiment/test.tsv", "newsmtsc:newsmtsc_sentiment/devtest_mt.jsonl",
             "product:product_reviews_2#test"),
}


@dataclass(frozen=True)
class SentimentEvaluation:
    """The scores of each system on one labelled file.

    Attributes:
        format: the file's format (one of ``SOURCE_FORMATS``), given or guessed.
        classes: 3, 2 or 5.
        n: examples scored.
        reports: system title ("lexicon (seed)", "model (lstm)") -> its report, lexicon first.
        part: the held-back part scored ("train", "dev", "test"), or None for the whole file.
        path: the file or folder, as given.
    """

    format: str
    classes: int
    n: int
    reports: dict[str, ClassificationReport]
    part: str | None = None
    path: str = ""

    @property
    def domain(self) -> str:
        """A short name for summary rows: the format, with ``#part`` when one part was scored."""
        return self.format + (f"#{self.part}" if self.part else "")

    def results(self) -> dict[str, dict[str, Any]]:
        """JSON-ready: system ("lexicon", "model") -> its report's dict with the full title as ``system``."""
        return {title.split(" ")[0]: report.to_dict() | {"system": title} for title, report in self.reports.items()}


def load_gold(path: str | os.PathLike[str], fmt: str, classes: int = 3, *, part: str | None = None,
              text_column: str = "text", label_column: str = "label", label_scheme: str = "names",
              neutral_band: float = VADER_NEUTRAL_BAND) -> tuple[list[str], list[Any]]:
    """(texts, gold labels) of a labelled file for 3, 2 or 5 classes (5: SST only, labels 0-4).

    Args:
        path: the file or folder.
        fmt: one of ``SOURCE_FORMATS``.
        classes: 3 (label names), 2 (Neutral dropped) or 5 (SST fine labels).
        part: "train", "dev" or "test" to keep one held-back part (:func:`~.sources.split_part`);
            None for every example.
        text_column, label_column, label_scheme: csv/tsv only (see :func:`~.sources.read_format`).
        neutral_band: vader only: a mean rating up to this far from 0 is Neutral.

    Raises:
        InputError: the file cannot be read, 5 classes asked of another format, an unknown part, or
            nothing is left.
    """
    if classes == 5 and fmt not in _SST_FORMATS:
        raise InputError(f"5 classes need SST labels (--format sst), not --format {fmt}")
    read_as = "sst-sentences" if fmt in _SST_FORMATS else "product3" if fmt == "product" else fmt  # untagged: Neutral
    texts, labels = select_part(*read_format(read_as, path, text_column=text_column, label_column=label_column,
                                             label_scheme=label_scheme, neutral_band=neutral_band), part)
    if fmt in _SST_FORMATS and classes != 5:
        labels = [SST_3CLASS_NAMES[SST_3CLASS[fine]] for fine in labels]
    if classes == 2:
        kept = [(t, label) for t, label in zip(texts, labels, strict=True) if label != NEUTRAL]
        texts, labels = [t for t, _ in kept], [label for _, label in kept]
    if not texts:
        where = f"{path}#{part}" if part else path
        raise InputError(f"{where} has no example left to score with {classes} classes")
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
                       part: str | None = None, text_column: str = "text", label_column: str = "label",
                       label_scheme: str = "names", neutral_band: float = VADER_NEUTRAL_BAND) -> SentimentEvaluation:
    """Score the lexicon rule and a learned model on the same labelled file.

    Args:
        path: the labelled file or dataset folder.
        fmt: one of ``SOURCE_FORMATS``; None: guessed (:func:`guess_format`).
        classes: 3, 2 or 5 (5: SST files and a learned model only; the lexicon is not scored).
        analyzer: a learned :class:`~rnnkit.apps.sentiment.analyzer.SentimentAnalyzer`, or None to
            score the lexicon rule only.
        threshold: the lexicon rule's band for 3 classes: "seed", "vader" or a number.
        part, text_column, label_column, label_scheme, neutral_band: which examples and how to read
            their labels (:func:`load_gold`).

    Raises:
        InputError: ``classes`` is not 3, 2 or 5; ``analyzer`` is the lexicon backend; 5 classes without
            SST labels or a learned model; an unknown part; the file cannot be read or holds nothing to score.
        ConfigError: ``threshold`` is not a known name or a number in [0, 1).
    """
    if classes not in CLASS_LABELS:
        raise InputError(f"classes must be one of {', '.join(map(str, CLASS_LABELS))}, got {classes!r}")
    if analyzer is not None and analyzer.model is None:
        raise InputError("analyzer must be a learned model; the lexicon rule is scored beside it anyway")
    fmt = fmt or guess_format(path)
    texts, gold = load_gold(path, fmt, classes, part=part, text_column=text_column, label_column=label_column,
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
    return SentimentEvaluation(fmt, classes, len(texts), reports, part, os.fspath(path))


def _lexicon_title(classes: int, threshold: float | str) -> str:
    """"lexicon (seed)", "lexicon (0.1)" for 3 classes; "lexicon (compound >= 0)" for 2."""
    if classes == 2:
        return "lexicon (compound >= 0)"
    return f"lexicon ({threshold if isinstance(threshold, str) else format(resolve_threshold(threshold), 'g')})"


# several domains -------------------------------------------------------------------------------------

def default_data_dir() -> Path:
    """The shared data folder: ``$RNNKIT_SHARED/data`` when that variable is set, else ``../shared/data``."""
    shared = os.environ.get("RNNKIT_SHARED")
    return Path(shared) / "data" if shared else Path("..", "shared", "data")


def suite_specs(name: str, data: str | os.PathLike[str] | None = None) -> list[str]:
    """The ``FORMAT:PATH[#PART]`` specs of suite ``name`` ("dev" or "test"), under ``data``.

    Args:
        name: a key of ``SUITES``.
        data: the shared data folder (default: :func:`default_data_dir`).

    Raises:
        InputError: an unknown suite.
    """
    check_choice("suite", name, tuple(SUITES), error=InputError)
    folder = Path(data) if data is not None else default_data_dir()
    specs = []
    for spec in SUITES[name]:
        fmt, path, part = parse_spec(spec)
        specs.append(f"{fmt}:{folder / path}" + (f"#{part}" if part else ""))
    return specs


def evaluate_many(specs: Sequence[str], analyzer: SentimentAnalyzer | None = None, classes: int = 3,
                  threshold: float | str = "seed", **read_options: Any) -> list[SentimentEvaluation]:
    """Score the lexicon rule and a learned model on each of several labelled files.

    Args:
        specs: ``[FORMAT:]PATH[#PART]`` each (:func:`~.sources.parse_spec`); a missing format is guessed.
        analyzer, classes, threshold: as in :func:`evaluate_sentiment`.
        read_options: ``text_column``, ``label_column``, ``label_scheme``, ``neutral_band`` for every file.

    Returns:
        One :class:`SentimentEvaluation` per spec, in order (:func:`mean_macro_f1` averages them).

    Raises:
        InputError: no spec, a bad spec, or any error of :func:`evaluate_sentiment`.
    """
    if not specs:
        raise InputError("give at least one labelled file to evaluate")
    evaluations = []
    for spec in specs:
        fmt, path, part = parse_spec(spec, need_format=False)
        evaluations.append(evaluate_sentiment(path, fmt, classes, analyzer, threshold, part=part, **read_options))
    return evaluations


def mean_macro_f1(evaluations: Sequence[SentimentEvaluation]) -> dict[str, float]:
    """System ("lexicon", "model") -> its macro-F1 averaged over the files (each file weighs the same)."""
    per_system: dict[str, list[float]] = {}
    for evaluation in evaluations:
        for system, report in _by_system(evaluation).items():
            per_system.setdefault(system, []).append(report.macro_f1)
    return {system: sum(scores) / len(scores) for system, scores in per_system.items()}


def format_scores(evaluation: SentimentEvaluation) -> str:
    """The systems side by side on one file: accuracy, macro-F1 and each class's F1 (no confusion)."""
    col = max(14, *(len(title) for title in evaluation.reports))
    reports = list(evaluation.reports.values())
    rows = [("accuracy", [r.accuracy for r in reports]), ("macro-F1", [r.macro_f1 for r in reports])]
    rows += [(f"{label} F1", [r.f1[k] for r in reports]) for k, label in enumerate(reports[0].labels)]
    lines = [" " * 14 + "".join(f"  {title:>{col}}" for title in evaluation.reports)]
    return "\n".join(lines + [f"{name:<14}" + "".join(f"  {v:>{col}.3f}" for v in values) for name, values in rows])


def format_summary(evaluations: Sequence[SentimentEvaluation]) -> str:
    """One row per file (domain, n, rule and model macro-F1, their difference, both accuracies), then the mean.

    A system not scored (the model without one; the rule at 5 classes) shows "-".
    """
    width = max(6, *(len(e.domain) for e in evaluations))
    lines = [f"{'domain':<{width}}" + "".join(f"  {h:>{max(7, len(h))}}" for h in _SUMMARY_HEADS)]
    for e in evaluations:
        rule, model = (_by_system(e).get(system) for system in ("lexicon", "model"))
        rule_f1, model_f1 = _score(rule, "macro_f1"), _score(model, "macro_f1")
        values = [rule_f1, model_f1, _gain(rule_f1, model_f1), _score(rule, "accuracy"), _score(model, "accuracy")]
        lines.append(_summary_row(e.domain, width, f"{e.n:,}", values))
    mean = mean_macro_f1(evaluations)
    rule_mean, model_mean = mean.get("lexicon"), mean.get("model")
    lines.append(_summary_row("mean", width, "", [rule_mean, model_mean, _gain(rule_mean, model_mean), None, None]))
    return "\n".join(lines)


def _summary_row(name: str, width: int, n: str, values: list[float | None]) -> str:
    cells = [n] + ["-" if v is None else format(v, "+.3f" if head == "difference" else ".3f")
                   for head, v in zip(_SUMMARY_HEADS[1:], values, strict=True)]
    return f"{name:<{width}}" + "".join(f"  {c:>{max(7, len(h))}}" for h, c in zip(_SUMMARY_HEADS, cells, strict=True))


def _score(report: ClassificationReport | None, metric: str) -> float | None:
    return None if report is None else getattr(report, metric)


def _gain(rule: float | None, model: float | None) -> float | None:
    """The model's score minus the rule's, or None when either is missing."""
    return None if rule is None or model is None else model - rule


def _by_system(evaluation: SentimentEvaluation) -> dict[str, ClassificationReport]:
    """"lexicon" / "model" -> report (the first word of each title)."""
    return {title.split(" ")[0]: report for title, report in evaluation.reports.items()}
