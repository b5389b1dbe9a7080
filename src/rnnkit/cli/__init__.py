"""Command-line interface: ``rnnkit <command> ...``.

The CLI only translates between the shell and the library: it parses flags, calls the public API and
prints. Usage and input errors print one line to stderr and exit 2; runtime errors exit 1.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from rnnkit import __version__
from rnnkit.cli.data import add_data
from rnnkit.cli.lab import add_explain, add_lab
from rnnkit.cli.nextword import add_eval_nextword, add_suggest, add_train_nextword
from rnnkit.cli.sentiment import add_eval_sentiment, add_sentiment
from rnnkit.cli.sentiment_train import add_train_sentiment
from rnnkit.cli.serve import add_serve
from rnnkit.errors import ConfigError, InputError, RnnkitError

__all__ = ["main"]

log = logging.getLogger("rnnkit")


def _cmd_demo(args: argparse.Namespace) -> int:
    from rnnkit.apps.demo import run_demo

    print(run_demo(seed=args.seed))
    return 0


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rnnkit", description="Recurrent neural networks on text.")
    parser.add_argument("--version", action="version", version=f"rnnkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = sub.add_parser("demo", help="walk through tokens, vocabulary, one-hot, padding and an LSTM's gates")
    demo.add_argument("--seed", type=int, default=0, help="random seed for the demo LSTM (default 0)")
    demo.set_defaults(func=_cmd_demo)
    add_suggest(sub)
    add_sentiment(sub)
    train = _group(sub.add_parser("train", help="train a model (train nextword, train sentiment)"), "what to train")
    add_train_nextword(train)
    add_train_sentiment(train)
    evaluate = _group(sub.add_parser("eval", help="evaluate a model (eval nextword, eval sentiment)"),
                      "what to evaluate")
    add_eval_nextword(evaluate)
    add_eval_sentiment(evaluate)
    add_data(sub)
    add_serve(sub)
    add_lab(sub)
    add_explain(sub)
    return parser


def _group(parser: argparse.ArgumentParser, title: str) -> argparse._SubParsersAction:
    """Subcommands under ``parser`` (``rnnkit train nextword``); the bare command prints its help, exit 2."""
    parser.set_defaults(func=lambda args: _usage(parser))
    return parser.add_subparsers(title=title, metavar="MODEL")


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default: ``sys.argv[1:]``) and return the exit status."""
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help/--version
        return int(exc.code or 0)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except (ConfigError, InputError) as err:
        print(f"rnnkit: error: {err}", file=sys.stderr)
        return 2
    except RnnkitError as err:
        print(f"rnnkit: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("rnnkit: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
