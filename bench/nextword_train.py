"""Training tokens/s of rnnkit's Trainer on the ``small`` word LM beside a plain-PyTorch reference loop.

The reference is written the way pytorch/examples' ``word_language_model`` does it: ``nn.Embedding``
-> ``nn.LSTM`` -> ``nn.Linear`` with sequence-first batches, ``repackage_hidden``, ``clip_grad_norm_``
and a manual SGD update. Both train the same model size on the same Penn Treebank stream
(V=10k, E=H=200, 2 layers, seq_len 35, batch 20, SGD, clip 0.25) in alternating
rounds, each loop in a fresh process; medians are reported. Also printed: achieved GFLOP/s (~15.8 MFLOP per trained
token, 3x the forward multiply-adds) against this machine's float32 matmul peak measured here.

    python bench/nextword_train.py [--data ../shared/data] [--steps 150] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe  # noqa: E402
from rnnkit import LanguageModel, LanguageModelTask, ModelConfig, TrainConfig, Trainer, Vocabulary  # noqa: E402
from rnnkit.data import read_ptb  # noqa: E402
from rnnkit.training import Callback  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
E = H = 200
LAYERS, SEQ_LEN, BATCH, CLIP, WARMUP = 2, 35, 20, 0.25, 10


def flops_per_token(vocab: int) -> float:
    """Training FLOPs per token: 3 x forward (2 FLOPs per multiply-add) of 2 LSTM layers + decoder."""
    lstm = LAYERS * 4 * H * (E + H)
    decoder = H * vocab
    return 3 * 2 * (lstm + decoder)


def matmul_peak() -> float:
    """Median GFLOP/s of a 1024^3 float32 torch.mm (MKL) on this machine, now."""
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    times = []
    for _ in range(10):
        start = time.perf_counter()
        torch.mm(a, b)
        times.append(time.perf_counter() - start)
    return 2 * 1024**3 / statistics.median(times) / 1e9


class RefModel(nn.Module):
    """pytorch/examples RNNModel, LSTM, no dropout."""

    def __init__(self, vocab: int) -> None:
        super().__init__()
        self.encoder = nn.Embedding(vocab, E)
        self.rnn = nn.LSTM(E, H, LAYERS)
        self.decoder = nn.Linear(H, vocab)

    def forward(self, x, hidden):
        output, hidden = self.rnn(self.encoder(x), hidden)
        return self.decoder(output).view(-1, self.decoder.out_features), hidden


def reference_tokens_per_sec(stream: torch.Tensor, vocab: int, steps: int) -> float:
    nbatch = stream.numel() // BATCH
    data = stream[: nbatch * BATCH].view(BATCH, -1).t().contiguous()  # (width, batch): examples' layout
    model = RefModel(vocab)
    criterion = nn.CrossEntropyLoss()
    hidden = None
    start = 0.0
    for step, i in enumerate(range(0, data.size(0) - 1, SEQ_LEN)):
        if step == WARMUP:
            start = time.perf_counter()
        if step == WARMUP + steps:
            break
        seq_len = min(SEQ_LEN, data.size(0) - 1 - i)
        x, y = data[i : i + seq_len], data[i + 1 : i + 1 + seq_len].reshape(-1)
        hidden = None if hidden is None else tuple(h.detach() for h in hidden)  # repackage_hidden
        model.zero_grad()
        output, hidden = model(x, hidden)
        loss = criterion(output, y)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-20.0)
    return steps * SEQ_LEN * BATCH / (time.perf_counter() - start)


class _Timer(Callback):
    def __init__(self) -> None:
        self.start = 0.0

    def on_step_end(self, trainer, state) -> None:
        if state.step == WARMUP:
            self.start = time.perf_counter()


def rnnkit_tokens_per_sec(stream: torch.Tensor, vocab: int, steps: int) -> float:
    model = LanguageModel(ModelConfig(vocab_size=vocab, embedding_dim=E, hidden_size=H, num_layers=LAYERS))
    config = TrainConfig(optimizer="sgd", learning_rate=20.0, clip_norm=CLIP, batch_size=BATCH, seq_len=SEQ_LEN,
                         max_steps=WARMUP + steps, progress=False, device="cpu")
    timer = _Timer()
    Trainer(model, config, LanguageModelTask(), callbacks=[timer]).fit(stream)
    return steps * SEQ_LEN * BATCH / (time.perf_counter() - timer.start)


LOOPS = {"reference": "reference", "reference+malloc": "reference", "rnnkit": "rnnkit"}
MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": "268435456", "MALLOC_TRIM_THRESHOLD_": "1073741824"}


def run_one(loop: str, data: Path, steps: int, seed: int) -> float:
    """tokens/s of one loop in this process (the worker side of ``--only``)."""
    lines = read_ptb(data / "ptb" / "ptb.train.txt")
    vocab = Vocabulary.build(lines)
    stream = torch.tensor([i for line in lines for i in vocab.encode(line)], dtype=torch.int64)
    torch.manual_seed(seed)
    if loop == "rnnkit":
        return rnnkit_tokens_per_sec(stream, len(vocab), steps)
    return reference_tokens_per_sec(stream, len(vocab), steps)


def spawn(name: str, args: argparse.Namespace, seed: int) -> float:
    """Run one loop in a fresh process: the Trainer's allocator setting is process-wide."""
    env = {**os.environ, **(MALLOC_ENV if name == "reference+malloc" else {})}
    cmd = [sys.executable, __file__, "--only", LOOPS[name], "--data", str(args.data), "--steps", str(args.steps),
           "--seed", str(seed)]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    return float(out.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--steps", type=int, default=150, help="timed steps per round and loop")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", choices=["reference", "rnnkit"], help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    path = args.data / "ptb" / "ptb.train.txt"
    if not path.exists():
        print(f"needs {path}", file=sys.stderr)
        return 2
    if args.only:
        print(run_one(args.only, args.data, args.steps, args.seed))
        return 0
    print(describe())
    print(f"PTB train, vocabulary 10k; LSTM {LAYERS}x{H}, E {E}, seq_len {SEQ_LEN}, batch {BATCH}, SGD, clip {CLIP}; "
          f"{args.steps} timed steps after {WARMUP} warm-up; {args.rounds} rounds, each loop in a fresh process")
    print("rnnkit's Trainer raises glibc's malloc thresholds itself (training/allocator.py); 'reference+malloc' "
          "is the reference given the same setting through MALLOC_*_ environment variables")
    peak = matmul_peak()
    rates: dict[str, list[float]] = {name: [] for name in LOOPS}
    for r in range(args.rounds):
        for name in LOOPS:
            rates[name].append(spawn(name, args, seed=r))
        print(f"round {r + 1}: " + "   ".join(f"{n} {v[-1]:6.0f}" for n, v in rates.items()) + "  tok/s")
    med = {name: statistics.median(v) for name, v in rates.items()}
    fpt = flops_per_token(10_001)
    print("median tok/s: " + ", ".join(f"{n} {v:.0f}" for n, v in med.items()))
    print(f"ratio rnnkit / reference: {med['rnnkit'] / med['reference']:.2f}x; "
          f"rnnkit / reference+malloc: {med['rnnkit'] / med['reference+malloc']:.2f}x")
    achieved = med["rnnkit"] * fpt / 1e9
    print(f"achieved: rnnkit {achieved:.1f} GFLOP/s ({fpt / 1e6:.1f} MFLOP/token); "
          f"float32 matmul peak (torch.mm 1024^3, this run) {peak:.0f} GFLOP/s -> {achieved / peak:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
