"""The sentiment commands of the CLI: ``sentiment`` and ``eval sentiment``.

``rnnkit sentiment "TEXT"`` rates one text (``-`` reads it from stdin) with the bundled learned model,
or with VADER's rule when there is none (a note on stderr says so) or ``--backend lexicon`` is given.
``rnnkit eval sentiment FILE`` scores the lexicon rule and the learned model side by side on the same
labelled file. ``train sentiment`` is in its own module.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rnnkit.cli.common import add_threads_flag, read_text_arg, set_threads
from rnnkit.errors import CheckpointError, InputError

__all__ = ["EVAL_FORMATS", "add_eval_sentiment", "add_sentiment", "load_gold"]

THRESHOLD_CHOICES = ("seed", "vader")  # --threshold: SEED_THRESHOLD (0) or VADER_THRESHOLD (0.05)
EVAL_FORMATS = ("sst", "csv", "tsv", "vader", "proscons", "product", "plot")
_SUFFIX_FORMATS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv"}


# sentiment -------------------------------------------------------------------------------------------

def add_sentiment(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("text", help='the text to rate, or "-" to read it from stdin')
    parser.add_argument("--backend", choices=("lexicon", "model"),
                        help="lexicon: VADER's rule; model: a learned model (default: the bundled model if "
                             "there is one, else the lexicon; --threshold alone picks the lexicon)")
    parser.add_argument("--model", type=Path, help="a model from `rnnkit train sentiment` (default: the bundled one)")
    parser.add_argument("--threshold", choices=THRESHOLD_CHOICES,
                        help="lexicon band: seed (compound 0 is Neutral; the default) or vader (|compound| < 0.05)")
    parser.add_argument("--json", action="store_true", help="print the label, scores and backend as JSON")
    parser.add_argument("--explain", action="store_true", help="also show each token's push towards Positive")
    add_threads_flag(parser, 1)
    parser.set_defaults(func=_cmd_sentiment)


def _analyzer(backend: str | None, model: Path | None, threshold: str | None) -> Any:
    """The analyzer the flags ask for; with no choice made, the bundled model or else the lexicon."""
    from rnnkit.apps.sentiment.analyzer import SentimentAnalyzer

    if backend == "lexicon" and model is not None:
        raise InputError("--model is for --backend model; the lexicon backend reads no file")
    if backend == "model" and threshold is not None:
        raise InputError("--threshold is for --backend lexicon; a learned model has no threshold")
    if backend == "lexicon" or (backend is None and model is None and threshold is not None):
        return SentimentAnalyzer.load(backend="lexicon", threshold=threshold)
    if backend is None and model is None:
        try:
            return SentimentAnalyzer.load()
        except CheckpointError:
            print("rnnkit: note: no bundled sentiment model; using the lexicon backend (VADER's rule)",
                  file=sys.stderr)
            return SentimentAnalyzer.load(backend="lexicon")
    return SentimentAnalyzer.load(model)


def _cmd_sentiment(args: argparse.Namespace) -> int:
    set_threads(args.num_threads)
    text = read_text_arg(args.text)
    analyzer = _analyzer(args.backend, args.model, args.threshold)
    label = analyzer.rate(text)
    explanation = analyzer.explain(text) if args.explain else []
    if args.json:
        result: dict[str, Any] = {"label": label, "scores": analyzer.scores(text), "backend": analyzer.backend}
        if args.explain:
            result["explanation"] = [{"token": t, "contribution": c} for t, c in explanation]
        print(json.dumps(result, ensure_ascii=False))
        return 0
    print(label)
    for token, contribution in explanation:
        print(f"{token}\t{contribution:+.4f}")
    return 0


# eval sentiment --------------------------------------------------------------------------------------

def add_eval_sentiment(parser: argparse.ArgumentParser) -> None:
    from rnnkit.data.reviews import VADER_NEUTRAL_BAND
    parser.add_argument("file", type=Path, help="labelled text (a file, or a dataset folder for vader/proscons/"
                        "product/plot)")
    parser.add_argument("--format", choices=EVAL_FORMATS,
                        help="sst: SST trees, whole sentences; csv/tsv: text and label columns; vader: VADER's "
                             "ground truth; proscons; product: product_reviews_2 (unannotated = Neutral); plot: "
                             "objective sentences, all Neutral (default: guessed from the name and first line)")
    parser.add_argument("--classes", type=int, choices=(3, 2, 5), default=3,
                        help="3; 2 (Neutral gold dropped, the likelier of Negative/Positive predicted; lexicon: "
                             "compound >= 0 is Positive); 5 (SST only, learned model only). Default 3")
    parser.add_argument("--model", type=Path, help="a model from `rnnkit train sentiment` (default: the bundled "
                        "one; without any, only the lexicon rule is scored)")
    parser.add_argument("--threshold", choices=THRESHOLD_CHOICES, default="seed",
                        help="the lexicon rule's band for 3 classes (default seed)")
    parser.add_argument("--text-column", default="text", help="csv/tsv: the text column (default text)")
    parser.add_argument("--label-column", default="label", help="csv/tsv: the label column (default label)")
    parser.add_argument("--label-scheme", choices=("names", "sst"), default="names",
                        help="csv/tsv labels: names (negative/neutral/positive, neg/neu/pos, -1/0/1) or sst (0-4)")
    parser.add_argument("--neutral-band", type=float, default=VADER_NEUTRAL_BAND,
                        help=f"vader: |mean rating| up to this is Neutral (default {VADER_NEUTRAL_BAND})")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--confusion-png", metavar="PREFIX",
                        help="write PREFIX-lexicon.png and PREFIX-model.png (confusion matrices)")
    add_threads_flag(parser, 0)
    parser.set_defaults(func=_cmd_eval_sentiment)


def _guess_format(path: Path) -> str:
    if path.suffix.lower() in _SUFFIX_FORMATS:
        return _SUFFIX_FORMATS[path.suffix.lower()]
    if path.is_dir():
        names = {p.name for p in path.iterdir()}
        for fmt, marker in (("vader", "movieReviewSnippets_GroundTruth.txt"), ("proscons", "IntegratedPros.txt"),
                            ("plot", "plot.tok.gt9.5000")):
            if marker in names:
                return fmt
        return "product"
    from rnnkit.data import read_text

    first = next((line for line in read_text(path).split("\n") if line.strip()), "")
    for fmt, test in (("sst", first.startswith("(")), ("proscons", "<Pros>" in first or "<Cons>" in first),
                      ("vader", first.count("\t") >= 2), ("product", "##" in first or first.startswith("[t]"))):
        if test:
            return fmt
    raise InputError(f"cannot tell the format of {path}; give --format ({', '.join(EVAL_FORMATS)})")


def load_gold(path: Path, fmt: str, classes: int, args: argparse.Namespace | None = None) -> tuple[list[str], list]:
    """(texts, gold labels) of a labelled file for 3, 2 or 5 classes (5: SST only, labels 0-4).

    Args:
        path: the file or folder.
        fmt: one of ``EVAL_FORMATS``.
        classes: 3 (label names), 2 (Neutral dropped) or 5 (SST fine labels).
        args: the eval command's flags (csv/tsv columns and scheme, VADER's neutral band), or None.

    Raises:
        InputError: the file cannot be read, 5 classes asked of another format, or nothing is left.
    """
    from rnnkit.data import (
        rating_to_label,
        read_labelled_table,
        read_plot_sentences,
        read_product_reviews,
        read_pros_cons,
        read_sst,
        read_vader_ground_truth,
    )
    from rnnkit.data.sst import SST_3CLASS, SST_3CLASS_NAMES

    if classes == 5 and fmt != "sst":
        raise InputError(f"5 classes need SST labels (--format sst), not --format {fmt}")
    if fmt == "sst":
        pairs = read_sst(path)
        texts = [text for text, _ in pairs]
        labels: list = [fine if classes == 5 else SST_3CLASS_NAMES[SST_3CLASS[fine]] for _, fine in pairs]
    elif fmt in ("csv", "tsv"):
        texts, labels = read_labelled_table(
            path, getattr(args, "text_column", "text"), getattr(args, "label_column", "label"),
            "," if fmt == "csv" else "\t", label_scheme=getattr(args, "label_scheme", "names"))
    elif fmt == "vader":
        texts, ratings = read_vader_ground_truth(path)
        band = getattr(args, "neutral_band", None)
        labels = [rating_to_label(r) if band is None else rating_to_label(r, band) for r in ratings]
    elif fmt == "proscons":
        texts, labels = read_pros_cons(path)
    elif fmt == "product":
        texts, labels = read_product_reviews(path)
        labels = ["Neutral" if label is None else label for label in labels]  # "approximately Neutral" (SOURCE.md)
    else:
        texts, labels = read_plot_sentences(path)
    if classes == 2:
        kept = [(t, label) for t, label in zip(texts, labels, strict=True) if label != "Neutral"]
        texts, labels = [t for t, _ in kept], [label for _, label in kept]
    if not texts:
        raise InputError(f"{path} has no example left to score with {classes} classes")
    return texts, labels


def _lexicon_predictions(texts: list[str], classes: int, threshold: str) -> list[str]:
    from rnnkit.apps.sentiment.rule import SEED_THRESHOLD, VADER_THRESHOLD, review_rating, vader_scores

    if classes == 2:  # compound >= 0 is Positive: the seed rule's 0 goes to the majority polarity of reviews
        return ["Positive" if vader_scores(t)["compound"] >= 0 else "Negative" for t in texts]
    value = VADER_THRESHOLD if threshold == "vader" else SEED_THRESHOLD
    return [review_rating(t, value) for t in texts]


def _model_predictions(analyzer: Any, texts: list[str], classes: int) -> list:
    if classes == 3:
        return analyzer.rate_many(texts)
    if classes == 5:
        return [int(k) for k in analyzer.model.fine_probabilities(texts).argmax(axis=1)]
    probs = analyzer.model.probabilities(texts)  # columns Negative, Neutral, Positive
    return ["Positive" if pos >= neg else "Negative" for neg, pos in zip(probs[:, 0], probs[:, 2], strict=True)]


def _eval_model(path: Path | None) -> Any:
    from rnnkit.apps.sentiment.analyzer import SentimentAnalyzer

    if path is not None:
        return SentimentAnalyzer.load(path)
    try:
        return SentimentAnalyzer.load()
    except CheckpointError:
        print("rnnkit: note: no bundled sentiment model and no --model; scoring the lexicon rule only",
              file=sys.stderr)
        return None


def _cmd_eval_sentiment(args: argparse.Namespace) -> int:
    from rnnkit.apps.sentiment.metrics import classification_report, format_comparison, plot_confusion
    from rnnkit.apps.sentiment.rule import LABELS

    set_threads(args.num_threads)
    fmt = args.format or _guess_format(args.file)
    texts, gold = load_gold(args.file, fmt, args.classes, args)
    analyzer = _eval_model(args.model)
    if args.classes == 5 and analyzer is None:
        raise InputError("5 classes need a learned model: give --model PATH")
    labels = {3: LABELS, 2: ("Negative", "Positive"), 5: (0, 1, 2, 3, 4)}[args.classes]
    reports = {}
    if args.classes != 5:
        reports[f"lexicon ({args.threshold if args.classes == 3 else 'compound >= 0'})"] = classification_report(
            gold, _lexicon_predictions(texts, args.classes, args.threshold), labels)
    if analyzer is not None:
        reports[f"model ({analyzer.backend})"] = classification_report(
            gold, _model_predictions(analyzer, texts, args.classes), labels)
    pngs = []
    if args.confusion_png:
        for title, report in reports.items():
            png = f"{args.confusion_png}-{title.split(' ')[0]}.png"
            plot_confusion(report, png, f"{args.file.name}: {title}, {args.classes} classes")
            pngs.append(png)
    header = {"file": str(args.file), "format": fmt, "classes": args.classes, "n": len(texts),
              "model": str(args.model) if args.model else ("bundled" if analyzer is not None else None)}
    if args.json:
        results = {title.split(" ")[0]: r.to_dict() | {"system": title} for title, r in reports.items()}
        print(json.dumps(header | {"results": results, "confusion_png": pngs}, indent=2))
        return 0
    print(f"{args.file} ({fmt}, {args.classes} classes, {len(texts):,} examples)")
    print(format_comparison(reports))
    for png in pngs:
        print(f"wrote {png}")
    return 0
