"""Sentences per second: the learned sentiment model's ``rate_many`` vs VADER's ``polarity_scores``.

Both rate the same sentences (SST test, whole sentences; a built-in list when the data are absent)
in this one process, rounds taken in turn. The model gets the whole list in one ``rate_many`` call (batched,
length-bucketed); VADER is called once per sentence, as its users do. Several rounds each, after a
warm-up; the median round is reported, with the ratio model / VADER. ``--quantize int8`` loads the
model with int8 weights in its LSTM and output layer, ``--quantize bf16`` with the whole network in
bfloat16 (``SentimentAnalyzer.load(quantize=...)``); ``--onnx`` exports the network to ONNX
(``--quantize int8``: int8 weights) and runs it in ONNX Runtime (``rnnkit.export.OnnxSentiment``).
The model computes VADER's scores itself, with rnnkit's FastVader (the same numbers); the peer is
the vaderSentiment package's own analyzer. With SST, the three-class macro-F1 of the path is printed
beside the float32 model's, on the same sentences.

``--processes N`` rates each round in N worker processes instead (``rnnkit.nn.workers.WorkerPool``,
the same model in each, one torch / ONNX Runtime thread each, the sentences split in N equal
chunks): tokens and VADER's scores are Python, which threads of one process cannot run at once.
The pool starts (and loads its models) before the timed rounds.

    python bench/sentiment_throughput.py [--model PATH] [--quantize int8|bf16] [--onnx] [--data FILE]
                                         [--rounds 5] [--threads N] [--processes N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import torch
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe  # noqa: E402
from rnnkit import SentimentAnalyzer  # noqa: E402
from rnnkit.apps.sentiment.labels import FINE_TO_COARSE, LABELS  # noqa: E402
from rnnkit.apps.sentiment.metrics import classification_report  # noqa: E402
from rnnkit.apps.sentiment.rule import vader_analyzer  # noqa: E402
from rnnkit.data import read_sst  # noqa: E402
from rnnkit.nn.workers import WorkerPool  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SST_TEST = REPO.parent / "shared" / "data" / "sst" / "trees" / "test.txt"
FALLBACK = [
    "The battery lasts all day and the screen is gorgeous.",
    "Not bad at all, though the ending drags.",
    "I would NOT buy this again; it broke after a week!",
    "The hotel is two blocks from the station.",
    "Good acting but a dull, predictable plot.",
    "Absolutely loved it :)",
    "Service was slow and the food arrived cold.",
    "It does what it says, nothing more.",
] * 250  # 2,000 sentences


def sentences(path: Path | None) -> tuple[list[str], list[str] | None, str]:
    """The sentences to rate, their gold three-class labels (None for the built-in list), where they came from."""
    path = path or SST_TEST
    if path.is_file():
        pairs = read_sst(path)
        gold = [LABELS[FINE_TO_COARSE[label]] for _, label in pairs]
        return [text for text, _ in pairs], gold, f"{path} (whole sentences)"
    return list(FALLBACK), None, "built-in list (SST test not found)"


def load(args: argparse.Namespace, tmp: str) -> tuple[object, str, Callable[[], object]]:
    """(the analyzer to time, its network path in words, a picklable factory of the same for worker processes)."""
    onednn = "on" if torch.backends.mkldnn.is_available() and torch.backends.mkldnn.enabled else "off"
    if args.onnx:
        from rnnkit.export import OnnxSentiment, export_model

        onnx = Path(tmp) / "sentiment.onnx"
        export_model(args.model or "sentiment", "onnx", onnx, quantize=args.quantize)
        return (OnnxSentiment(onnx, args.model).analyzer, f"ONNX Runtime, {args.quantize or 'float32'} weights",
                partial(OnnxSentiment, onnx, args.model))
    path = {"int8": "int8 (dynamic quantization: LSTM and output layer)",
            "bf16": f"bfloat16 network (oneDNN {onednn})"}.get(args.quantize, f"float32 (oneDNN {onednn})")
    factory = partial(SentimentAnalyzer.load, args.model, quantize=args.quantize)
    return factory(), path, factory


def rate_per_second(run, n: int, rounds: int) -> tuple[float, list[float]]:
    """Median sentences/s over ``rounds`` timed calls of ``run()``, and every round's rate."""
    rates = [n / seconds(run) for _ in range(rounds)]
    return statistics.median(rates), rates


def seconds(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def paired_rates(model_run, vader_run, n: int, rounds: int) -> tuple[list[float], list[float]]:
    """Rounds taken in turn (model, VADER, model, ...), so a slow spell of a shared machine hits both."""
    pairs = [(n / seconds(model_run), n / seconds(vader_run)) for _ in range(rounds)]
    return [m for m, _ in pairs], [v for _, v in pairs]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="model file (default: the bundled model)")
    parser.add_argument("--quantize", choices=("int8", "bf16"), default=None,
                        help="int8: the model's LSTM and output layer with int8 weights; bf16: the network in "
                             "bfloat16 (default float32)")
    parser.add_argument("--onnx", action="store_true",
                        help="export the network to ONNX (int8 with --quantize int8) and run it in ONNX Runtime")
    parser.add_argument("--data", type=Path, default=None, help=f"SST tree file (default {SST_TEST})")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per system (default 5)")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch threads for the model (default: torch's own, one per core, as rate_many runs "
                             "out of the box; with several, rate_many runs its length batches side by side). "
                             "VADER's polarity_scores is pure Python: one core whatever this says")
    parser.add_argument("--processes", type=int, default=1,
                        help="rate in N worker processes, one thread each (default 1: rate_many in this process)")
    args = parser.parse_args()
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    if args.onnx and args.quantize == "bf16":
        parser.error("--onnx takes --quantize int8 or nothing")
    with tempfile.TemporaryDirectory() as tmp:
        analyzer, path, factory = load(args, tmp)
        pool = WorkerPool(factory, args.processes) if args.processes > 1 else None
        try:
            return measure(args, analyzer, path, pool)
        finally:
            if pool is not None:
                pool.close()


def measure(args: argparse.Namespace, analyzer: Any, path: str, pool: WorkerPool | None) -> int:
    """Print the machine, the path, the timed rounds and (with SST) the path's macro-F1 beside float32's."""
    vader = SentimentIntensityAnalyzer()
    texts, gold, source = sentences(args.data)
    print(describe())
    print(f"model {args.model or 'bundled default'}: {analyzer!r}")
    where = (f"{pool.workers} worker processes, 1 thread each" if pool is not None
             else f"{torch.get_num_threads()} thread(s)")
    print(f"network path: {path}; torch {torch.__version__}, {where}")
    print(f"{len(texts):,} sentences from {source}; {args.rounds} rounds each, median reported")
    rate_many = analyzer.rate_many if pool is None else partial(pool.map_split, "rate_many")
    rate_many(texts)  # warm-up, not timed: every batch shape once (and the workers started)
    for text in texts[:256]:
        vader.polarity_scores(text)
    model_rounds, vader_rounds = paired_rates(lambda: rate_many(texts),
                                              lambda: [vader.polarity_scores(t) for t in texts], len(texts),
                                              args.rounds)
    model_rate, vader_rate = statistics.median(model_rounds), statistics.median(vader_rounds)
    print(f"model rate_many        {model_rate:10,.0f} sentences/s   rounds: "
          + ", ".join(f"{r:,.0f}" for r in model_rounds))
    print(f"VADER polarity_scores  {vader_rate:10,.0f} sentences/s   rounds: "
          + ", ".join(f"{r:,.0f}" for r in vader_rounds))
    ratios = [m / v for m, v in zip(model_rounds, vader_rounds, strict=True)]
    print(f"model / VADER: {model_rate / vader_rate:.2f}x (medians); round by round "
          f"{min(ratios):.2f}-{max(ratios):.2f}x, median {statistics.median(ratios):.2f}x")
    fast = vader_analyzer()  # what the model and the lexicon backend call: the same numbers, checked here too
    assert all(fast.polarity_scores(t) == vader.polarity_scores(t) for t in texts[:500])
    fast_rate, _ = rate_per_second(lambda: [fast.polarity_scores(t) for t in texts], len(texts), args.rounds)
    print(f"rnnkit FastVader       {fast_rate:10,.0f} sentences/s   ({fast_rate / vader_rate:.2f}x VADER's, "
          "the same scores)")
    if gold is not None:
        scored = classification_report(gold, rate_many(texts), LABELS).macro_f1
        base = (classification_report(gold, SentimentAnalyzer.load(args.model).rate_many(texts), LABELS).macro_f1
                if args.onnx or args.quantize or pool is not None else scored)
        print(f"three-class macro-F1 on these sentences: this path {scored:.4f}, float32 PyTorch {base:.4f} "
              f"(difference {scored - base:+.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
