"""``rnnkit demo``: the seed's walk-through (tokens, vocabulary, one-hot, padding, an LSTM's gates)."""

from __future__ import annotations

import argparse

__all__ = ["add_demo"]


def add_demo(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=0, help="random seed for the demo LSTM (default 0)")
    parser.set_defaults(func=_cmd_demo)


def _cmd_demo(args: argparse.Namespace) -> int:
    from rnnkit.apps.demo import run_demo

    print(run_demo(seed=args.seed))
    return 0
