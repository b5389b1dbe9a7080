"""Per-keystroke suggestion latency of the next-word predictor, batch 1: incremental vs full re-run.

Types held-out English text one character at a time after a 50-token prefix. ``incremental`` is
``session.type(ch)`` (the recurrent state is kept; a letter costs no LSTM step, a space costs one);
``full re-run`` is ``predictor.suggest(prefix + typed)`` (the whole 50-token prefix is read again
every keystroke). Both run in this one process on the same keystrokes; p50/p99 in microseconds.

The same keystrokes are then typed with ``NextWordPredictor.load(quantize="int8")`` (int8 LSTM and
decoder) and, when onnxruntime is installed, with the model exported to ONNX int8 and run by ONNX
Runtime (``rnnkit.export.OnnxNextWord``: the app's own session over an ORT step), and every path's
top-3 next-word accuracy is measured on the Tatoeba test sentences (the
split of ``rnnkit data tatoeba``; the built-in paragraph when ../shared is absent): each word of each
sentence predicted from the words before it, one engine step at a time.

    python bench/nextword_latency.py [--model PATH] [--text FILE] [--keystrokes 2000] [--threads 1] [--pause-ms 0]

``--pause-ms N`` waits N ms before each timed keystroke, as a typist does (~150 ms between keys):
back to back, the model's weights stay in the CPU's caches from one keystroke to the next; after a
pause, other work on the machine may have pushed them out, and a keystroke reads them from memory.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe  # noqa: E402
from rnnkit import NextWordPredictor  # noqa: E402
from rnnkit.data.tatoeba import read_tatoeba_english, split_sentences  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
TATOEBA = REPO.parent / "shared" / "data" / "tatoeba_eng_fra" / "fra.txt"
ACCURACY_SENTENCES = 2000
PREFIX_TOKENS = 50
SAMPLE = (
    "we went to the market on saturday morning and bought fresh bread , some cheese and a bag of apples . "
    "after lunch my sister wanted to see the new film , so we walked to the cinema near the station . "
    "it was raining when we came out , but nobody minded because the story had been so good . "
)


def keystroke_text(path: Path | None) -> str:
    if path is None:
        return SAMPLE * 20
    return " ".join(path.read_text(encoding="utf-8").split())


def percentiles(samples: list[float]) -> str:
    us = np.array(samples) * 1e6
    return f"p50 {np.percentile(us, 50):7.0f} us   p99 {np.percentile(us, 99):7.0f} us   mean {us.mean():7.0f} us"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="model file (default: the bundled model)")
    parser.add_argument("--text", type=Path, default=None, help="text to type (default: a built-in paragraph)")
    parser.add_argument("--keystrokes", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (the CLI's default is 1)")
    parser.add_argument("--pause-ms", type=float, default=0.0,
                        help="wait this long before each timed keystroke, as a typist does (default 0)")
    parser.add_argument("--tatoeba", type=Path, default=TATOEBA, help=f"Tatoeba fra.txt for top-3 (default {TATOEBA})")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    predictor = NextWordPredictor.load(args.model)
    words = keystroke_text(args.text).split(" ")
    prefix = " ".join(words[:PREFIX_TOKENS]) + " "
    typed = " ".join(words[PREFIX_TOKENS:])[: args.keystrokes]
    print(describe())
    print(f"model {args.model or 'bundled default'}: {predictor!r}")
    pause = args.pause_ms / 1000
    print(f"{len(typed)} keystrokes after a {PREFIX_TOKENS}-token prefix, batch 1, {args.threads} thread(s); "
          "one-token LSTM steps by the cell kernels (rnnkit.nn.fused.run_module)"
          + (f"; {args.pause_ms:g} ms pause before each keystroke" if pause else ""))
    session = predictor.session(prefix)
    for _ in range(3):  # warm-up, not timed
        predictor.suggest(prefix + "the ")
    incremental, full = [], []
    so_far = prefix
    for ch in typed:
        so_far += ch
        if pause:
            time.sleep(pause)
        start = time.perf_counter()
        session.type(ch)
        incremental.append(time.perf_counter() - start)
        window = " ".join(so_far.split(" ")[-PREFIX_TOKENS - 1:])  # the last 50 tokens and the word being typed
        start = time.perf_counter()
        predictor.suggest(window)
        full.append(time.perf_counter() - start)
    quantized = NextWordPredictor.load(args.model, quantize="int8")
    paths = {"int8 incremental": quantized}
    with tempfile.TemporaryDirectory() as tmp:
        onnx = onnx_int8(args.model, Path(tmp) / "nextword.int8.onnx")
        if onnx is not None:
            paths["ONNX Runtime int8 incremental"] = onnx
        times = {name: type_all(p, prefix, typed, pause) for name, p in paths.items()}
    print(f"incremental  {percentiles(incremental)}")
    print(f"full re-run  {percentiles(full)}")
    for name, samples in times.items():
        print(f"{name} {percentiles(samples)}   p99 / float32 incremental p99: "
              f"{np.percentile(samples, 99) / np.percentile(incremental, 99):.2f}")
    print(f"speed-up at p50: {statistics.median(full) / statistics.median(incremental):.1f}x")
    sentences, source = accuracy_sentences(args.tatoeba)
    exact = top3(predictor, sentences)
    scores = "; ".join(f"{name.removesuffix(' incremental')} {(s := top3(p, sentences)):.2%} "
                       f"({(s - exact) * 100:+.2f} points)" for name, p in paths.items())
    print(f"top-3 next-word accuracy on {len(sentences):,} {source}: float32 {exact:.2%}; {scores}")
    return 0


def onnx_int8(model: str | None, path: Path):
    """The model exported to ONNX int8 and loaded in ONNX Runtime, or None without onnxruntime."""
    try:
        from rnnkit.export import OnnxNextWord, export_model
    except ImportError:
        return None
    try:
        export_model(model or "nextword", "onnx", path, quantize="int8")
    except ImportError:
        return None
    return OnnxNextWord(path, model)


def type_all(predictor, prefix: str, typed: str, pause: float = 0.0) -> list[float]:
    """Seconds per keystroke of ``typed`` after ``prefix`` in one session (after a warm-up), ``pause`` s apart."""
    for _ in range(3):
        predictor.session(prefix + "the ").suggest(3)
    session = predictor.session(prefix)
    times = []
    for ch in typed:
        if pause:
            time.sleep(pause)
        start = time.perf_counter()
        session.type(ch)
        times.append(time.perf_counter() - start)
    return times


def accuracy_sentences(path: Path) -> tuple[list[str], str]:
    if path.is_file():
        test = split_sentences(read_tatoeba_english(path))["test"][:ACCURACY_SENTENCES]
        return test, "Tatoeba test sentences"
    return [line.strip() + " ." for line in SAMPLE.split(" . ") if line.strip()], "built-in sentences"


def top3(predictor, sentences: list[str]) -> float:
    """Share of the words (and sentence ends) whose token is among the engine's 3 likeliest next tokens."""
    engine, vocab = predictor.engine, predictor.vocab
    hits = total = 0
    for sentence in sentences:
        ids = vocab.encode([*predictor.text_settings.tokens(sentence), vocab.EOS])
        output, state = engine.start
        for target in ids:
            hits += int(target in engine.logits(output).topk(3).indices.tolist())
            total += 1
            output, state = engine.run([target], state)
    return hits / total


if __name__ == "__main__":
    sys.exit(main())
