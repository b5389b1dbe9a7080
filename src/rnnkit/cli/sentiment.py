"""The sentiment commands of the CLI: ``sentiment``, ``train sentiment`` and ``eval sentiment``.

``rnnkit sentiment "TEXT"`` rates one text (``-`` reads it from stdin) with the bundled learned model,
or with VADER's rule when there is none (a note on stderr says so) or ``--backend lexicon`` is given
(:func:`~rnnkit.apps.sentiment.analyzer.load_analyzer` applies these rules).
``rnnkit train sentiment`` trains a learned model from named data sources, for example (the bundled
model's command is in ``src/rnnkit/pretrained/sentiment.md``)::

    rnnkit train sentiment --train sst:$D/sst/trees/train.txt --train proscons:$D/pros_cons \\
        --valid sst-sentences:$D/sst/trees/dev.txt --exclude sst-sentences:$D/sst/trees/test.txt \\
        --opinion-lexicon $D/opinion_lexicon --out sentiment.pt

``rnnkit eval sentiment SPEC [SPEC ...]`` scores the lexicon rule and the learned model side by side on
each labelled file, then (two or more) sums up one row per file and the mean macro-F1; ``--suite dev``
or ``--suite test`` names a file per kind of text (:mod:`rnnkit.apps.sentiment.evaluate`)::

    rnnkit eval sentiment --suite dev --model sentiment.pt
    rnnkit eval sentiment tweeteval:$D/tweeteval_sentiment/test_text.txt#test $D/sst/trees/test.txt

Building the parsers imports only torch-free modules (the config, the rule's thresholds, the format
list); the handlers import the models.
"""

from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path
from typing import Any

from rnnkit.cli.bulk import (
    SENTIMENT_BATCH,
    SENTIMENT_COLUMNS,
    add_bulk_flags,
    check_bulk_args,
    flatten_sentiment,
    run_bulk_command,
    sentiment_predictor,
)
from rnnkit.cli.common import (
    SENTIMENT_QUANTIZE_CHOICES,
    add_config_flags,
    add_quantize_flag,
    add_resume_flags,
    add_threads_flag,
    check_outputs,
    config_from_args,
    is_main_process,
    print_json,
    read_text_arg,
    run_training,
    set_threads,
)
from rnnkit.errors import InputError

__all__ = ["add_eval_sentiment", "add_sentiment", "add_train_sentiment"]

DEFAULT_OUT = "sentiment.pt"  # where `rnnkit train sentiment` writes the model
QUANTIZE_HELP = ("int8: the learned model's LSTM and output layer with int8 weights (dynamic quantization; "
                 "slower than float32 with oneDNN); bf16: the whole network in bfloat16 (about 1.3x faster on "
                 "a CPU with AVX-512 BF16, slower without); see docs/sentiment.md")
ONNX_HELP = ("run the learned model's network in ONNX Runtime from FILE, written by `rnnkit export sentiment "
             "--format onnx [--quantize int8] --out FILE` (give --model too if FILE was exported from a model "
             "other than the bundled one); int8 weights there are the fastest path (docs/deploy.md). Needs the "
             "onnx extra")


# sentiment -------------------------------------------------------------------------------------------

def add_sentiment(parser: argparse.ArgumentParser) -> None:
    from rnnkit.apps.sentiment.config import BACKENDS
    from rnnkit.apps.sentiment.rule import THRESHOLD_NAMES

    parser.add_argument("text", nargs="?", help='the text to rate, or "-" to read it from stdin (or give --input)')
    parser.add_argument("--backend", choices=BACKENDS,
                        help="lexicon: VADER's rule; model: a learned model (default: the bundled model if "
                             "there is one, else the lexicon; --threshold alone picks the lexicon)")
    parser.add_argument("--model", type=Path, help="a model from `rnnkit train sentiment` (default: the bundled one)")
    parser.add_argument("--threshold", choices=tuple(THRESHOLD_NAMES),
                        help="lexicon band: seed (compound 0 is Neutral; the default) or vader (|compound| < 0.05)")
    add_quantize_flag(parser, QUANTIZE_HELP, SENTIMENT_QUANTIZE_CHOICES)
    parser.add_argument("--onnx", type=Path, metavar="FILE", help=ONNX_HELP)
    parser.add_argument("--json", action="store_true",
                        help="print the backend, label, scores, compound and explanation as JSON")
    parser.add_argument("--explain", action="store_true", help="also show each token's push towards Positive")
    add_threads_flag(parser, 1)
    add_bulk_flags(parser, SENTIMENT_BATCH)
    parser.set_defaults(func=_cmd_sentiment)


def _cmd_sentiment(args: argparse.Namespace) -> int:
    set_threads(args.num_threads)
    check_bulk_args(args, "rate")
    if args.input is not None and args.explain:
        raise InputError("--explain rates one text at a time; it does not go with --input")
    text = read_text_arg(args.text) if args.text is not None else ""
    analyzer, note = _load_analyzer(args.model, args.onnx, args.quantize, backend=args.backend,
                                       threshold=args.threshold)
    if note:
        print(f"rnnkit: note: {note}", file=sys.stderr)
    if args.input is not None:
        make_predict = partial(bulk_predictor, args.model, args.onnx, args.quantize, backend=args.backend,
                               threshold=args.threshold)
        predict = sentiment_predictor(analyzer)
        del analyzer  # with --workers, run_bulk_command drops predict, and with it the model
        return run_bulk_command(args, make_predict, flatten_sentiment, SENTIMENT_COLUMNS, "rated", predict=predict)
    result = analyzer.result(text, explain=args.explain)
    if args.json:
        print_json({"backend": analyzer.backend} | result)
        return 0
    print(result["label"])
    for item in result["explanation"] or []:
        print(f"{item['token']}\t{item['contribution']:+.4f}")
    return 0


def bulk_predictor(model: Path | None, onnx: Path | None, quantize: str | None, **options: Any) -> Any:
    """A bulk predictor (also a worker's, with ``--workers``): the analyzer the flags name, on batches of texts."""
    return sentiment_predictor(_load_analyzer(model, onnx, quantize, **options)[0])


def _load_analyzer(model: Path | None, onnx: Path | None, quantize: str | None,
                      **options: Any) -> tuple[Any, str | None]:
    """(analyzer, note): ``load_analyzer`` of ``model``, or with ``onnx`` the model's network in ONNX Runtime.

    Raises:
        InputError: ``onnx`` with a lexicon-only option or ``quantize`` (the ONNX file carries its weights).
        CheckpointError: a missing, foreign or mismatched ONNX file.
        RnnkitError: onnxruntime is not installed.
    """
    from rnnkit.apps.sentiment.analyzer import load_analyzer

    if onnx is None:
        return load_analyzer(model, quantize=quantize, **options)
    if options.get("backend") == "lexicon" or options.get("threshold") or quantize:
        raise InputError("--onnx runs the learned model's network as exported: it does not go with --backend "
                         "lexicon, --threshold or --quantize (int8 weights: `rnnkit export sentiment --format onnx "
                         "--quantize int8 --out FILE`)")
    from rnnkit.export import OnnxSentiment

    return OnnxSentiment(onnx, model).analyzer, None


# train sentiment -------------------------------------------------------------------------------------

def add_train_sentiment(parser: argparse.ArgumentParser) -> None:
    from rnnkit.apps.sentiment.config import SentimentConfig
    from rnnkit.apps.sentiment.sources import SOURCE_FORMATS

    parser.add_argument("--train", action="append", default=[], metavar="FORMAT:PATH[#PART]",
                        help=f"training data, repeatable; FORMAT is one of {', '.join(SOURCE_FORMATS)}; #train, "
                             "#dev or #test keeps one held-back part (by CRC-32 of each text, 60/20/20)")
    parser.add_argument("--valid", action="append", default=[], metavar="FORMAT:PATH[#PART]",
                        help="validation data, repeatable (one pool over every domain given); the best epoch's "
                             "weights are kept")
    parser.add_argument("--exclude", action="append", default=[], metavar="FORMAT:PATH[#PART]",
                        help="evaluation data whose sentences must not be trained on (the validation data is "
                             "always excluded too); overlapping training texts are dropped and counted")
    parser.add_argument("--opinion-lexicon", type=Path, metavar="DIR",
                        help="folder with Hu & Liu's positive-words.txt and negative-words.txt, used as features")
    parser.add_argument("--rule-head", action="append", default=[], metavar="FORMAT:PATH[#PART]",
                        help="after the network, fit the rule head (the network's classes joined with VADER's scores) "
                             "on these labelled sources, one domain each, equally weighted; never test data")
    parser.add_argument("--base", type=Path, metavar="MODEL",
                        help="start from this trained model instead of training a network (with --rule-head: "
                             "fit only the head); --train and the model flags are then not used")
    parser.add_argument("--out", type=Path, default=Path(DEFAULT_OUT), help=f"the model file (default {DEFAULT_OUT})")
    add_resume_flags(parser, DEFAULT_OUT)
    parser.add_argument("--json", action="store_true", help="print the training summary as JSON")
    add_config_flags(parser, SentimentConfig, "model and training")
    parser.set_defaults(func=_cmd_train_sentiment)


def _cmd_train_sentiment(args: argparse.Namespace) -> int:
    from rnnkit.apps.sentiment.config import SentimentConfig

    if (args.base is None) == (not args.train):
        raise InputError("give --train sources to train a network, or --base MODEL to start from one (not both)")
    if args.base is not None and args.resume is not None:
        raise InputError("--resume goes on training a network; --base starts from a trained one: give one of them")
    checkpoint = args.checkpoint or args.out.with_suffix(".train.pt")
    config = config_from_args(args, SentimentConfig) if args.base is None else None
    check_outputs(args.out, *([checkpoint] if config else []))  # before torch and the sources: fails in a second
    from rnnkit.apps.sentiment.model import SentimentModel
    from rnnkit.apps.sentiment.sources import read_opinion_lexicon, read_source, read_sources, remove_overlap

    if config is None:
        model, removed = SentimentModel.load(args.base), 0
        model.card.update({"base": str(args.base)})
    else:
        texts, labels = read_sources(args.train)
        valid = read_sources(args.valid) if args.valid else None
        held_out = [t for spec in args.exclude for t in read_source(spec)[0]] + (valid[0] if valid else [])
        texts, labels, removed = remove_overlap(texts, labels, held_out)
        opinion = read_opinion_lexicon(args.opinion_lexicon) if args.opinion_lexicon else ((), ())
        if is_main_process():
            print(f"training on {len(texts):,} texts ({removed:,} dropped for overlapping evaluation sentences)",
                  file=sys.stderr)
        model, status = run_training(lambda: SentimentModel.train(
            texts, labels, config, valid=valid, opinion_words=opinion, checkpoint_path=checkpoint,
            resume_from=args.resume))
        if model is None or not is_main_process():  # stopped on a signal, or a torchrun worker other than rank 0
            return status
        model.card.update({"train_sources": args.train, "valid": args.valid, "excluded": args.exclude,
                           "overlap_removed": removed, "opinion_lexicon": bool(args.opinion_lexicon)})
    if args.rule_head:
        model.fit_rule_head([read_source(spec) for spec in args.rule_head])
        model.card.update({"rule_head": args.rule_head})
    model.save(args.out)
    summary = {"out": str(args.out), **model.metrics, "overlap_removed": removed}
    if args.json:
        print_json(summary, indent=2)
    else:
        head = f", rule head fitted on {len(args.rule_head)} source(s)" if args.rule_head else ""
        print(f"wrote {args.out}: {model!r}, validation 3-class accuracy {model.metrics.get('val_accuracy3')}, "
              f"{model.metrics.get('elapsed_s', 0):.0f} s of training{head}")
    return 0


# eval sentiment --------------------------------------------------------------------------------------

def add_eval_sentiment(parser: argparse.ArgumentParser) -> None:
    from rnnkit.apps.sentiment.evaluate import SUITES
    from rnnkit.apps.sentiment.rule import THRESHOLD_NAMES
    from rnnkit.apps.sentiment.sources import SOURCE_FORMATS
    from rnnkit.data.reviews import LABEL_SCHEMES, VADER_NEUTRAL_BAND

    parser.add_argument("specs", nargs="*", metavar="SPEC",
                        help="labelled text: a file, or a dataset folder for vader/proscons/product/plot (format "
                             "guessed), or FORMAT:PATH; #train, #dev or #test at the end scores one held-back part "
                             "(by CRC-32 of each text); two or more add a summary table")
    parser.add_argument("--suite", choices=tuple(SUITES),
                        help="score a named set of files, one per kind of text (SST, TweetEval, GoEmotions, "
                             "NewsMTSC, product reviews), instead of SPECs")
    parser.add_argument("--data", type=Path, metavar="DIR",
                        help="--suite: the shared data folder (default: $RNNKIT_SHARED/data if set, else "
                             "../shared/data)")
    parser.add_argument("--format", choices=SOURCE_FORMATS,
                        help="the format of one bare SPEC (several: prefix each with FORMAT:). sst or sst-sentences: "
                             "SST trees, whole sentences; csv/tsv: text and label columns; vader: VADER's ground "
                             "truth; proscons; product: product_reviews_2 (unannotated = Neutral); plot: objective "
                             "sentences, all Neutral; tweeteval, goemotions, newsmtsc (default: guessed from the name "
                             "and first line)")
    parser.add_argument("--classes", type=int, choices=(3, 2, 5), default=3,
                        help="3; 2 (Neutral gold dropped, the likelier of Negative/Positive predicted; lexicon: "
                             "compound >= 0 is Positive); 5 (SST only, learned model only). Default 3")
    parser.add_argument("--model", type=Path, help="a model from `rnnkit train sentiment` (default: the bundled "
                        "one; without any, only the lexicon rule is scored)")
    parser.add_argument("--threshold", choices=tuple(THRESHOLD_NAMES), default="seed",
                        help="the lexicon rule's band for 3 classes (default seed)")
    add_quantize_flag(parser, QUANTIZE_HELP, SENTIMENT_QUANTIZE_CHOICES)
    parser.add_argument("--onnx", type=Path, metavar="FILE", help=ONNX_HELP)
    parser.add_argument("--text-column", default="text", help="csv/tsv: the text column (default text)")
    parser.add_argument("--label-column", default="label", help="csv/tsv: the label column (default label)")
    parser.add_argument("--label-scheme", choices=tuple(LABEL_SCHEMES), default="names",
                        help="csv/tsv labels: names (negative/neutral/positive, neg/neu/pos, -1/0/1) or sst (0-4)")
    parser.add_argument("--neutral-band", type=float, default=VADER_NEUTRAL_BAND,
                        help=f"vader: |mean rating| up to this is Neutral (default {VADER_NEUTRAL_BAND})")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--confusion-png", metavar="PREFIX",
                        help="write PREFIX-lexicon.png and PREFIX-model.png (confusion matrices); several files: "
                             "PREFIX-DOMAIN-lexicon.png ... (DOMAIN: the format, -PART)")
    add_threads_flag(parser, 0)
    parser.set_defaults(func=_cmd_eval_sentiment)


def _cmd_eval_sentiment(args: argparse.Namespace) -> int:
    from rnnkit.apps.sentiment.evaluate import evaluate_many

    set_threads(args.num_threads)
    specs = _eval_specs(args)
    if args.confusion_png:  # before minutes of scoring: a folder that cannot take the PNGs fails at once
        from rnnkit.training.files import check_writable

        check_writable(Path(f"{args.confusion_png}-probe.png"), "confusion matrix")
    analyzer, note = _load_analyzer(args.model, args.onnx, args.quantize)
    if note:  # the lexicon stood in for a missing bundled model: it is scored anyway, alone
        print("rnnkit: note: no bundled sentiment model and no --model; scoring the lexicon rule only",
              file=sys.stderr)
        analyzer = None
    evaluations = evaluate_many(specs, analyzer, args.classes, args.threshold, text_column=args.text_column,
                                label_column=args.label_column, label_scheme=args.label_scheme,
                                neutral_band=args.neutral_band)
    pngs: list[list[str]] = [[] for _ in evaluations]  # per file, the PNGs written
    if args.confusion_png:
        prefixes = _png_prefixes(evaluations, args.confusion_png)
        pngs = [_confusion_pngs(e, prefix) for e, prefix in zip(evaluations, prefixes, strict=True)]
    if args.json:
        model = str(args.model) if args.model else ("bundled" if analyzer is not None else None)
        _print_eval_json(evaluations, model, pngs)
    else:
        _print_eval_text(evaluations, pngs)
    return 0


def _print_eval_json(evaluations: list[Any], model: str | None, pngs: list[list[str]]) -> None:
    """One file: its results; several: ``{"files": [...], "mean_macro_f1": {"lexicon": x, "model": y}}``."""
    from rnnkit.apps.sentiment.evaluate import mean_macro_f1

    files = [_evaluation_json(e, model, e_pngs) for e, e_pngs in zip(evaluations, pngs, strict=True)]
    mean = mean_macro_f1(evaluations)
    print_json(files[0] if len(files) == 1 else
               {"files": files, "mean_macro_f1": {"lexicon": mean.get("lexicon"), "model": mean.get("model")}},
               indent=2)


def _print_eval_text(evaluations: list[Any], pngs: list[list[str]]) -> None:
    """One file: the full comparison with confusion matrices; several: short blocks, then the summary table."""
    from rnnkit.apps.sentiment.evaluate import format_scores, format_summary
    from rnnkit.apps.sentiment.metrics import format_comparison

    for e in evaluations:
        print(f"{_where(e)} ({e.format}, {e.classes} classes, {e.n:,} examples)")
        print(format_comparison(e.reports) if len(evaluations) == 1 else format_scores(e) + "\n")
    if len(evaluations) > 1:
        print(format_summary(evaluations))
    for png in (png for e_pngs in pngs for png in e_pngs):
        print(f"wrote {png}")


def _eval_specs(args: argparse.Namespace) -> list[str]:
    """The ``[FORMAT:]PATH[#PART]`` specs to score: the suite's, or the given ones with ``--format`` applied."""
    from rnnkit.apps.sentiment.evaluate import suite_specs
    from rnnkit.apps.sentiment.sources import parse_spec

    if args.suite:
        if args.specs or args.format:
            raise InputError("--suite names its own files and formats; give either --suite or SPECs")
        return suite_specs(args.suite, args.data)
    if args.data:
        raise InputError("--data applies to --suite only; give each file's path")
    if not args.specs:
        raise InputError("give a labelled file to score (or several, or --suite dev|test)")
    if not args.format:
        return list(args.specs)
    if len(args.specs) > 1 or parse_spec(args.specs[0], need_format=False)[0] is not None:
        raise InputError("--format applies to one bare file; with several, write each as FORMAT:PATH")
    return [f"{args.format}:{args.specs[0]}"]


def _where(evaluation: Any) -> str:
    return evaluation.path + (f"#{evaluation.part}" if evaluation.part else "")


def _evaluation_json(evaluation: Any, model: str | None, pngs: list[str]) -> dict[str, Any]:
    """One file's results: the shape of ``eval sentiment FILE --json``."""
    return {"file": evaluation.path, "format": evaluation.format, "part": evaluation.part,
            "classes": evaluation.classes, "n": evaluation.n, "model": model, "results": evaluation.results(),
            "confusion_png": pngs}


def _png_prefixes(evaluations: list[Any], prefix: str) -> list[str]:
    """``PREFIX`` for one file; ``PREFIX-DOMAIN`` for several (``-2``, ``-3`` ... where a domain repeats)."""
    if len(evaluations) == 1:
        return [prefix]
    prefixes: list[str] = []
    seen: dict[str, int] = {}
    for evaluation in evaluations:
        name = f"{prefix}-{evaluation.domain.replace('#', '-')}"
        seen[name] = seen.get(name, 0) + 1
        prefixes.append(name if seen[name] == 1 else f"{name}-{seen[name]}")
    return prefixes


def _confusion_pngs(evaluation: Any, prefix: str) -> list[str]:
    """Write ``PREFIX-lexicon.png`` and ``PREFIX-model.png`` (one per system scored); their paths."""
    from rnnkit.apps.sentiment.metrics import plot_confusion

    pngs = []
    for title, report in evaluation.reports.items():
        pngs.append(f"{prefix}-{title.split(' ')[0]}.png")
        try:
            plot_confusion(report, pngs[-1], f"{Path(_where(evaluation)).name}: {title}, {evaluation.classes} classes")
        except OSError as err:
            raise InputError(f"cannot write {pngs[-1]}: {err.strerror or err}") from err
    return pngs
