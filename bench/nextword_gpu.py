"""Next-word training tokens/s on a CUDA GPU: rnnkit's Trainer beside a plain loop, float32 and bf16.

The model is ``bench/nextword_train.py``'s ``small`` word LM (PTB, V=10k, E=H=200, 2 LSTM layers,
seq_len 35); on the GPU the LSTM runs on cuDNN. Three loops at each batch size:

* ``rnnkit``: the project's Trainer (``TrainConfig(device="cuda")``, float32);
* ``plain fp32``: pytorch/examples' loop (embedding -> nn.LSTM -> linear, SGD, clip) on the GPU;
* ``plain bf16``: the same loop under ``torch.autocast("cuda", torch.bfloat16)`` (mixed precision).

Steps are timed after a warm-up, with ``torch.cuda.synchronize()`` around the timed steps.

    python bench/nextword_gpu.py [--data ../shared/data] [--steps 200] [--batches 20,128]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nextword_train import CLIP, SEQ_LEN, WARMUP, RefModel  # noqa: E402
from rnnkit import LanguageModel, LanguageModelTask, ModelConfig, TrainConfig, Trainer, Vocabulary  # noqa: E402
from rnnkit.data import read_ptb  # noqa: E402
from rnnkit.training import Callback  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def plain(stream: torch.Tensor, vocab: int, batch: int, steps: int, bf16: bool) -> float:
    device = torch.device("cuda")
    width = stream.numel() // batch
    data = stream[: width * batch].view(batch, -1).t().contiguous().to(device)  # (time, batch)
    model = RefModel(vocab).to(device)
    criterion = nn.CrossEntropyLoss()
    hidden, start = None, 0.0
    for step, i in enumerate(range(0, data.size(0) - 1 - SEQ_LEN, SEQ_LEN)):
        if step == WARMUP:
            torch.cuda.synchronize()
            start = time.perf_counter()
        if step == WARMUP + steps:
            break
        x, y = data[i:i + SEQ_LEN], data[i + 1:i + 1 + SEQ_LEN].reshape(-1)
        hidden = None if hidden is None else tuple(h.detach() for h in hidden)
        model.zero_grad(set_to_none=True)
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=bf16):
            output, hidden = model(x, hidden)
            loss = criterion(output.float(), y)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        with torch.no_grad():
            for p in model.parameters():
                p.add_(p.grad, alpha=-20.0)
    torch.cuda.synchronize()
    return steps * SEQ_LEN * batch / (time.perf_counter() - start)


class _Timer(Callback):
    def __init__(self) -> None:
        self.start = 0.0

    def on_step_end(self, trainer, state) -> None:
        if state.step == WARMUP:
            torch.cuda.synchronize()
            self.start = time.perf_counter()


def rnnkit_loop(stream: torch.Tensor, vocab: int, batch: int, steps: int) -> float:
    model = LanguageModel(ModelConfig(vocab_size=vocab, embedding_dim=200, hidden_size=200, num_layers=2))
    config = TrainConfig(optimizer="sgd", learning_rate=20.0, clip_norm=CLIP, batch_size=batch, seq_len=SEQ_LEN,
                         max_steps=WARMUP + steps, progress=False, device="cuda")
    timer = _Timer()
    Trainer(model, config, LanguageModelTask(), callbacks=[timer]).fit(stream)
    torch.cuda.synchronize()
    return steps * SEQ_LEN * batch / (time.perf_counter() - timer.start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--batches", default="20,128", help="batch sizes, comma-separated (default 20,128)")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print("no CUDA device: this benchmark needs a GPU", file=sys.stderr)
        return 2
    lines = read_ptb(args.data / "ptb" / "ptb.train.txt")
    vocab = Vocabulary.build(lines)
    stream = torch.tensor([i for line in lines for i in vocab.encode(line)], dtype=torch.int64)
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}, cuDNN {torch.backends.cudnn.version()}; "
          f"PTB small LM (V={len(vocab):,}, 2x200 LSTM, seq_len {SEQ_LEN}); {args.steps} timed steps after {WARMUP}")
    for batch in (int(b) for b in args.batches.split(",")):
        torch.manual_seed(0)
        rates = {"rnnkit fp32": rnnkit_loop(stream, len(vocab), batch, args.steps),
                 "plain fp32": plain(stream, len(vocab), batch, args.steps, bf16=False),
                 "plain bf16": plain(stream, len(vocab), batch, args.steps, bf16=True)}
        print(f"batch {batch:4d}: " + "   ".join(f"{name} {rate:9,.0f} tok/s" for name, rate in rates.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
