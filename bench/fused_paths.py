"""Milliseconds per batch of :func:`rnnkit.nn.fused.run_fused` against packing, at a BiLSTM classifier's shapes.

A torch ``nn.LSTM`` (default E 300, H 150, bidirectional, batch_first) over batches of 64 post-padded
rows, with lengths as length-bucketing makes them (SST batches from ``bucket_batches`` hold 1-4
distinct lengths, longest first), more distinct lengths (around ``SEGMENT_LIMIT``), and lengths as
random batches make them (2-55: about 30 distinct; all distinct). Methods, timed in alternating rounds
in this one process, medians reported:

* ``padded``: the module on the padded batch, ignoring lengths (not exact: the speed to aim for);
* ``packed``: ``pack_padded_sequence`` -> module -> ``pad_packed_sequence`` (exact, torch's way);
* ``run_fused``: what rnnkit runs (exact);
* ``functional``: run_fused with each direction run by ``torch.func.functional_call`` on a
  one-direction module instead of ``torch._VF`` (exact; the alternative that was not kept).

Training is forward + backward of ``output.sum() + h.sum()`` with the input requiring grad; inference
runs under ``torch.inference_mode()``. Usage::

    python bench/fused_paths.py [--threads 1] [--rounds 5] [--cell lstm] [--layers 1] [--unidirectional]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))
import rnnkit.nn.fused as fused  # noqa: E402
from machine import describe  # noqa: E402

MODULES = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


def length_sets(batch: int, seed: int = 0) -> dict[str, list[int]]:
    """Name -> ``batch`` lengths."""
    def span(low: int, count: int) -> list[int]:  # count consecutive lengths, longest first like bucket_batches
        return [low + count - 1 - i * count // batch for i in range(batch)]

    rng = torch.Generator().manual_seed(seed)
    return {
        "bucketed 2 (19-20)": span(19, 2),
        "bucketed 3 (30-32)": span(30, 3),
        "bucketed 4 (10-13)": span(10, 4),
        "8 lengths (40-47)": span(40, 8),
        "12 lengths (20-31)": span(20, 12),
        "16 lengths (20-35)": span(20, 16),
        "random 2-55": torch.randint(2, 56, (batch,), generator=rng).tolist(),
        f"{batch} lengths (1-{batch})": torch.randperm(batch, generator=rng).add(1).tolist(),
    }


def padded(module, x, lengths):
    return module(x)


def packed(module, x, lengths):
    output, final = module(pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False))
    return pad_packed_sequence(output, batch_first=True, total_length=x.size(1))[0], final


def run_fused(module, x, lengths):
    return fused.run_fused(module, x, lengths, None, "post")


def functional(module, x, lengths):
    real = fused._direction_step
    fused._direction_step = _functional_step
    try:
        return fused.run_fused(module, x, lengths, None, "post")
    finally:
        fused._direction_step = real


_SHELLS: dict[tuple, nn.RNNBase] = {}


def _functional_step(module, layer, reverse):
    """One layer, one direction of ``module``: a one-layer shell module called on its weights."""
    suffix = f"_l{layer}" + ("_reverse" if reverse else "")
    input_size = module.input_size if layer == 0 else module.hidden_size * (1 + module.bidirectional)
    key = (type(module), input_size, module.hidden_size)
    shell = _SHELLS.setdefault(key, type(module)(input_size, module.hidden_size, batch_first=True))
    shell.train(module.training)
    weights = {name: getattr(module, name.removesuffix("_l0") + suffix) for name in shell._flat_weights_names}
    return lambda x, state: torch.func.functional_call(shell, weights, (x, state))


METHODS = {"padded": padded, "packed": packed, "run_fused": run_fused, "functional": functional}


def time_once(method, module, x, lengths, train: bool, repeats: int) -> float:
    """Milliseconds per batch over ``repeats`` batches."""
    start = time.perf_counter()
    for _ in range(repeats):
        if train:
            x.grad = None
            output, final = method(module, x, lengths)
            h = final[0] if isinstance(final, tuple) else final
            (output.sum() + h.sum()).backward()
        else:
            with torch.inference_mode():
                method(module, x, lengths)
    return (time.perf_counter() - start) / repeats * 1e3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1: steadier on a shared machine)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3, help="batches per timing")
    parser.add_argument("--cell", choices=sorted(MODULES), default="lstm")
    parser.add_argument("--layers", type=int, default=1)
    parser.add_argument("--unidirectional", action="store_true")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--embedding-dim", type=int, default=300)
    parser.add_argument("--hidden-size", type=int, default=150)
    parser.add_argument("--segment-limit", type=int, default=fused.SEGMENT_LIMIT, help="try another SEGMENT_LIMIT")
    parser.add_argument("--inference-limit", type=int, default=fused.INFERENCE_DIRECTION_LIMIT,
                        help="try another INFERENCE_DIRECTION_LIMIT")
    args = parser.parse_args()
    fused.SEGMENT_LIMIT, fused.INFERENCE_DIRECTION_LIMIT = args.segment_limit, args.inference_limit
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    print(describe())
    module = MODULES[args.cell](args.embedding_dim, args.hidden_size, args.layers, batch_first=True,
                                bidirectional=not args.unidirectional)
    print(f"{args.cell} E{args.embedding_dim} H{args.hidden_size} layers {args.layers}, "
          f"bidirectional {not args.unidirectional}, batch {args.batch_size}, SEGMENT_LIMIT {fused.SEGMENT_LIMIT}, "
          f"INFERENCE_DIRECTION_LIMIT {fused.INFERENCE_DIRECTION_LIMIT}; "
          f"ms per batch, median of {args.rounds} rounds x {args.repeats}")
    print(f"{'lengths':>20} {'mode':>5} " + " ".join(f"{m:>10}" for m in METHODS) + "  packed/run_fused")
    for name, lengths in length_sets(args.batch_size).items():
        lengths = torch.tensor(lengths)
        x = torch.randn(args.batch_size, int(lengths.max()), args.embedding_dim, requires_grad=True)
        for train in (True, False):
            module.train(train)
            times = {m: [] for m in METHODS}
            for _ in range(args.rounds):
                for method_name, method in METHODS.items():
                    times[method_name].append(time_once(method, module, x, lengths, train, args.repeats))
            ms = {m: statistics.median(t) for m, t in times.items()}
            print(f"{name:>20} {'train' if train else 'infer':>5} " + " ".join(f"{ms[m]:10.2f}" for m in METHODS)
                  + f"  {ms['packed'] / ms['run_fused']:.2f}x", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
