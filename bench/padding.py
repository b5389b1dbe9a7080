"""Naive padding vs length-bucketed batches for an LSTM classifier on SST training sentences.

Three ways to batch the same 8,544 sentences for a BiLSTM sentence classifier (E 300, H 150, batch 64):

* ``global``: every sentence padded to the longest in the set (Keras's ``pad_sequences`` default
  use), random batches;
* ``per-batch``: random batches, each padded to its own longest sentence;
* ``bucketed``: :func:`rnnkit.text.bucket_batches` (sort within buckets, shuffle batches).

For each: the fraction of padded positions, and training sentences/s (forward, backward, AdamW step)
over one epoch, measured in this one run. Usage::

    python bench/padding.py [--data ../shared/data] [--epochs 1] [--batch-size 64]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe  # noqa: E402
from rnnkit.config import ModelConfig  # noqa: E402
from rnnkit.data import read_sst, sst_to_3class  # noqa: E402
from rnnkit.models import Classifier  # noqa: E402
from rnnkit.text import Tokenizer, Vocabulary, bucket_batches, naive_batches, padding_fraction  # noqa: E402
from rnnkit.text import pad_sequences_with_lengths as pad  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def load(data_dir: Path) -> tuple[list[list[int]], np.ndarray, int]:
    rows = read_sst(data_dir / "sst" / "trees" / "train.txt")
    tokenizer = Tokenizer(lower=True)
    tokens = [tokenizer(text) for text, _ in rows]
    vocab = Vocabulary.build(tokens)
    ids = [vocab.encode(t) for t in tokens]
    labels = np.array([sst_to_3class(label) for _, label in rows], dtype=np.int64)
    return ids, labels, len(vocab)


def batches_for(mode: str, ids: list[list[int]], batch_size: int, seed: int) -> tuple[list[list[int]], int | None]:
    lengths = [len(s) for s in ids]
    if mode == "bucketed":
        return bucket_batches(lengths, batch_size, seed=seed), None
    return naive_batches(len(ids), batch_size, seed=seed), (max(lengths) if mode == "global" else None)


def train_epoch(model, optimizer, ids, labels, batches, maxlen) -> float:
    """Seconds for one pass over ``batches``."""
    model.train()
    start = time.perf_counter()
    for batch in batches:
        x, lengths = pad([ids[i] for i in batch], maxlen=maxlen, padding="post")
        logits = model(torch.from_numpy(x), torch.from_numpy(lengths))
        loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(labels[batch]))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--epochs", type=int, default=1, help="timed epochs per mode (median reported)")
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()
    if not (args.data / "sst").exists():
        print(f"needs the SST trees under {args.data / 'sst'}", file=sys.stderr)
        return 2
    ids, labels, vocab_size = load(args.data)
    lengths = [len(s) for s in ids]
    print(describe())
    print(f"SST train: {len(ids)} sentences, {sum(lengths)} tokens, lengths {min(lengths)}-{max(lengths)}, "
          f"vocabulary {vocab_size}; BiLSTM E300 H150, batch {args.batch_size}, AdamW")
    config = ModelConfig(vocab_size=vocab_size, embedding_dim=300, hidden_size=150, num_layers=1,
                         bidirectional=True, num_classes=3)
    results = {}
    for mode in ("global", "per-batch", "bucketed"):
        torch.manual_seed(0)
        model = Classifier(config)
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
        times, fractions = [], []
        for epoch in range(args.epochs):
            batches, maxlen = batches_for(mode, ids, args.batch_size, seed=epoch)
            widths = [maxlen] * len(batches) if maxlen else None
            fractions.append(_fraction(batches, lengths, widths))
            times.append(train_epoch(model, optimizer, ids, labels, batches, maxlen))
        rate = len(ids) / statistics.median(times)
        results[mode] = rate
        print(f"{mode:>9}: padded positions {statistics.median(fractions):6.1%}, training {rate:7.0f} sentences/s")
    print(f"bucketed / global padding: {results['bucketed'] / results['global']:.2f}x; "
          f"bucketed / per-batch padding: {results['bucketed'] / results['per-batch']:.2f}x")
    return 0


def _fraction(batches, lengths, widths) -> float:
    if widths is None:
        return padding_fraction(batches, lengths)
    total = sum(w * len(b) for w, b in zip(widths, batches, strict=True))
    return 1.0 - sum(lengths[i] for b in batches for i in b) / total


if __name__ == "__main__":
    sys.exit(main())
