"""Training tokens/s of rnnkit's Trainer on the ``small`` word LM beside a plain-PyTorch reference loop.

The reference is written the way pytorch/examples' ``word_language_model`` does it: ``nn.Embedding``
-> ``nn.LSTM`` -> ``nn.Linear`` with sequence-first batches, ``repackage_hidden``, ``clip_grad_norm_``
and a manual SGD update. Both train the same model size on the same Penn Treebank stream
(V=10k, E=H=200, 2 layers, seq_len 35, batch 20, SGD, clip 0.25) in this one process, in
alternating rounds; medians are reported. Also printed: achieved GFLOP/s (~15.8 MFLOP per trained
token, 3x the forward multiply-adds) against this machine's float32 matmul peak measured here.

    python bench/nextword_train.py [--data ../shared/data] [--steps 150] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--steps", type=int, default=150, help="timed steps per round and loop")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    path = args.data / "ptb" / "ptb.train.txt"
    if not path.exists():
        print(f"needs {path}", file=sys.stderr)
        return 2
    lines = read_ptb(path)
    vocab = Vocabulary.build(lines)
    stream = torch.tensor([i for line in lines for i in vocab.encode(line)], dtype=torch.int64)
    print(describe())
    print(f"PTB train {stream.numel()} tokens, vocabulary {len(vocab)}; LSTM {LAYERS}x{H}, E {E}, seq_len {SEQ_LEN}, "
          f"batch {BATCH}, SGD, clip {CLIP}; {args.steps} timed steps after {WARMUP} warm-up, {args.rounds} rounds")
    peak = matmul_peak()
    ref, ours = [], []
    for r in range(args.rounds):
        torch.manual_seed(r)
        ref.append(reference_tokens_per_sec(stream, len(vocab), args.steps))
        torch.manual_seed(r)
        ours.append(rnnkit_tokens_per_sec(stream, len(vocab), args.steps))
        print(f"round {r + 1}: reference {ref[-1]:8.0f} tok/s   rnnkit {ours[-1]:8.0f} tok/s")
    ref_m, ours_m = statistics.median(ref), statistics.median(ours)
    fpt = flops_per_token(len(vocab))
    print(f"median: reference {ref_m:.0f} tok/s, rnnkit {ours_m:.0f} tok/s, ratio {ours_m / ref_m:.2f}x")
    print(f"achieved: reference {ref_m * fpt / 1e9:.1f} GFLOP/s, rnnkit {ours_m * fpt / 1e9:.1f} GFLOP/s "
          f"({fpt / 1e6:.1f} MFLOP/token); float32 matmul peak (torch.mm 1024^3) {peak:.0f} GFLOP/s "
          f"-> rnnkit at {ours_m * fpt / 1e9 / peak:.0%} of peak")
    return 0


if __name__ == "__main__":
    sys.exit(main())
