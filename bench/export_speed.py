"""ONNX Runtime vs PyTorch on the bundled models: one next-word step, sentiment batches, int8 accuracy.

Every path runs in this one process on the same inputs, one thread each (torch and ONNX Runtime):

* next-word step: one token from a carried state, then the next-token logits (the keystroke that ends
  a word). PyTorch is the predictor's own engine (``Engine.run`` + ``Engine.logits``, the step by the cell kernels),
  float32 and ``quantize="int8"``; ONNX Runtime is :class:`rnnkit.export.OnnxNextWord` on the float
  and the int8 export. p50/p99/mean in microseconds over ``--steps`` steps.
* sentiment: the network alone on batches of 256 texts of 20 tokens (PyTorch ``LexiconClassifier``
  vs the ONNX graph), then ``fine_probabilities`` (tokens + network, the app's own batching) on the
  SST test sentences, sentences/s, median of ``--rounds``.
* int8 accuracy beside float32 on small real samples (``--accuracy``): next-word top-3 on Tatoeba test
  sentences, sentiment three-class accuracy (through the rule head) on SST test, tagger UPOS accuracy
  on UD English-Atis test.

    python bench/export_speed.py [--steps 2000] [--rounds 5] [--accuracy] [--out-dir data/export]
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
from nextword_latency import accuracy_sentences, top3  # noqa: E402
from rnnkit.apps.nextword.predictor import NextWordPredictor  # noqa: E402
from rnnkit.apps.sentiment.analyzer import DEFAULT_MODEL_PATH as SENTIMENT_PATH  # noqa: E402
from rnnkit.apps.sentiment.labels import coarse_of  # noqa: E402
from rnnkit.apps.sentiment.model import SentimentModel  # noqa: E402
from rnnkit.apps.tagger.tagger import Tagger  # noqa: E402
from rnnkit.data import read_sst  # noqa: E402
from rnnkit.data.conllu import read_conllu  # noqa: E402
from rnnkit.export import OnnxNextWord, OnnxSentiment, OnnxTagger, export_model  # noqa: E402
from rnnkit.export.runtime import OnnxGraph  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
SST_TEST = SHARED / "sst" / "trees" / "test.txt"
ATIS_TEST = SHARED / "ud_english_atis" / "en_atis-ud-test.conllu"
TATOEBA = SHARED / "tatoeba_eng_fra" / "fra.txt"
TOP3_SENTENCES = 500  # Tatoeba test sentences for the int8 top-3 check (each word is one step per path)
BATCH, TOKENS = 256, 20  # the raw sentiment batch


def percentiles(seconds: list[float]) -> str:
    us = np.array(seconds) * 1e6
    return f"p50 {np.percentile(us, 50):6.0f} us  p99 {np.percentile(us, 99):6.0f} us  mean {us.mean():6.0f} us"


def time_steps(steps: dict, ids: list[int]) -> dict[str, list[float]]:
    """Seconds per call of ``state = step(token, state)`` for each ``name: (step, state)``, over ``ids``.

    The paths take turns token by token, so a busy machine slows each of them alike (20 untimed first).
    """
    states = {name: state for name, (_, state) in steps.items()}
    times: dict[str, list[float]] = {name: [] for name in steps}
    for i, token in enumerate(ids[:20] + ids):
        for name, (step, _) in steps.items():
            start = time.perf_counter()
            states[name] = step(token, states[name])
            if i >= 20:
                times[name].append(time.perf_counter() - start)
    return times


def torch_step(engine):
    def step(token, state):
        output, state = engine.run([token], state)
        engine.logits(output)
        return state
    return step


def ort_step(onnx: OnnxNextWord):
    return lambda token, state: onnx.step([token], state)[1]


def median_rate(run, n: int, rounds: int) -> float:
    rates = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        rates.append(n / (time.perf_counter() - start))
    return statistics.median(rates)


def nextword(folder: Path, steps: int, accuracy: bool) -> None:
    float_path = export_model("nextword", "onnx", folder / "nextword.onnx").path
    int8_path = export_model("nextword", "onnx", folder / "nextword.int8.onnx", quantize="int8").path
    predictor, quantized = NextWordPredictor.load(), NextWordPredictor.load(quantize="int8")
    onnx, onnx8 = OnnxNextWord(float_path), OnnxNextWord(int8_path)
    rng = np.random.default_rng(0)
    ids = rng.integers(4, len(predictor.vocab), steps).tolist()
    rows = time_steps({"PyTorch float32 (engine)": (torch_step(predictor.engine), predictor.engine.start[1]),
                       "PyTorch int8 (engine)": (torch_step(quantized.engine), quantized.engine.start[1]),
                       "ONNX Runtime float32": (ort_step(onnx), None),
                       "ONNX Runtime int8": (ort_step(onnx8), None)}, ids)
    print(f"\nnext-word step (1 token + logits over {len(predictor.vocab):,} words), {steps} steps:")
    base = statistics.median(rows["PyTorch float32 (engine)"])
    for name, times in rows.items():
        print(f"  {name:26} {percentiles(times)}   p50 ratio to PyTorch float32 {statistics.median(times) / base:.2f}")
    if accuracy:
        sentences, source = accuracy_sentences(TATOEBA)
        sentences = sentences[:TOP3_SENTENCES]
        scores = {name: top3(p, sentences) for name, p in
                  (("PyTorch float32", predictor), ("PyTorch int8", quantized), ("ONNX float32", onnx),
                   ("ONNX int8", onnx8))}
        print(f"  top-3 on {len(sentences)} {source}: " + ", ".join(f"{k} {v:.2%}" for k, v in scores.items()))


def sentiment(folder: Path, rounds: int, accuracy: bool) -> None:
    float_path = export_model("sentiment", "onnx", folder / "sentiment.onnx").path
    int8_path = export_model("sentiment", "onnx", folder / "sentiment.int8.onnx", quantize="int8").path
    model = SentimentModel.load(SENTIMENT_PATH)
    onnx, onnx8 = OnnxSentiment(float_path), OnnxSentiment(int8_path)
    ids = torch.randint(4, len(model.vocab), (BATCH, TOKENS))
    lengths = torch.full((BATCH,), TOKENS)
    graphs = {"ONNX Runtime float32": OnnxGraph(float_path), "ONNX Runtime int8": OnnxGraph(int8_path)}
    with torch.no_grad():
        rates = {"PyTorch float32": median_rate(lambda: model.model(ids, lengths), BATCH, rounds)}
    rates |= {name: median_rate(lambda g=g: g.run({"ids": ids.numpy()}), BATCH, rounds) for name, g in graphs.items()}
    print(f"\nsentiment network, batches of {BATCH} texts x {TOKENS} tokens, median of {rounds} rounds:")
    for name, rate in rates.items():
        print(f"  {name:22} {rate:9,.0f} texts/s   ratio to PyTorch {rate / rates['PyTorch float32']:.2f}")
    if not SST_TEST.is_file():
        print(f"  (no {SST_TEST}: skipping the SST sentences)")
        return
    pairs = read_sst(SST_TEST)
    texts = [t for t, _ in pairs]
    runs = {"PyTorch float32": model, "ONNX Runtime float32": onnx.model, "ONNX Runtime int8": onnx8.model}
    print(f"  fine_probabilities on {len(texts):,} SST test sentences (tokens + network):")
    base = None
    for name, m in runs.items():
        rate = median_rate(lambda m=m: m.fine_probabilities(texts), len(texts), rounds)
        base = base or rate
        print(f"    {name:22} {rate:9,.0f} sentences/s   ratio {rate / base:.2f}")
    if accuracy:
        gold = coarse_of(torch.tensor([label for _, label in pairs])).numpy()
        labels = {name: m.probabilities(texts).argmax(1) for name, m in runs.items()}
        first = labels["PyTorch float32"]
        print("  three-class accuracy on SST test (rule head on): " + ", ".join(
            f"{k} {(v == gold).mean():.2%} ({int((v != first).sum())} labels differ)" for k, v in labels.items()))


def tagger(folder: Path) -> None:
    if not ATIS_TEST.is_file():
        print(f"\n(no {ATIS_TEST}: skipping the tagger)")
        return
    test = read_conllu(ATIS_TEST)
    gold = [t for s in test for t in s.tags]
    words = [list(s.words) for s in test]
    runs = {"PyTorch float32": Tagger.load()}
    for name, quantize in (("ONNX Runtime float32", None), ("ONNX Runtime int8", "int8")):
        path = export_model("tagger", "onnx", folder / f"tagger.{quantize or 'float'}.onnx", quantize=quantize).path
        runs[name] = OnnxTagger(path)
    print(f"\ntagger UPOS accuracy on {len(test)} UD English-Atis test sentences:")
    first = None
    for name, t in runs.items():
        predicted = np.array([tag for tags in t.tag_sentences(words) for tag in tags])
        first = predicted if first is None else first
        print(f"  {name:22} {np.mean(predicted == np.array(gold)):.2%}  ({int((predicted != first).sum())} of "
              f"{len(gold):,} tags differ from PyTorch float32)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000, help="next-word steps timed per path")
    parser.add_argument("--rounds", type=int, default=5, help="timed sentiment rounds per path")
    parser.add_argument("--accuracy", action="store_true", help="also int8 vs float32 accuracy on real samples")
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(describe())
    print("one thread for torch and for ONNX Runtime; all paths in this one process, same inputs")
    with tempfile.TemporaryDirectory() as tmp:
        nextword(Path(tmp), args.steps, args.accuracy)
        sentiment(Path(tmp), args.rounds, args.accuracy)
        if args.accuracy:
            tagger(Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
