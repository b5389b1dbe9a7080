"""``rnnkit serve``: run the HTTP API and web page (:mod:`rnnkit.serve`) with uvicorn.

FastAPI and uvicorn are the ``serve`` extra; they are imported inside the handler, so the rest of
the CLI works without them and ``rnnkit serve`` says how to install them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rnnkit.cli.common import add_threads_flag, set_threads
from rnnkit.config import check_int
from rnnkit.errors import InputError

__all__ = ["add_serve"]

DEFAULT_HOST = "127.0.0.1"  # loopback: reachable from this machine only; --host 0.0.0.0 opens it to the network
DEFAULT_PORT = 8000
DEFAULT_THREADS = 1  # torch threads: batch-1 steps gain little from more, and requests already run in parallel


def add_serve(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument("--nextword-model", type=Path, help="a model from `rnnkit train nextword` "
                        "(default: the bundled one)")
    parser.add_argument("--sentiment-model", type=Path, help="a sentiment model (default: the bundled one, "
                        "or the lexicon backend when none is bundled)")
    add_threads_flag(parser, DEFAULT_THREADS)
    parser.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"),
                        help="uvicorn's log level (default info)")
    parser.set_defaults(func=_cmd_serve)


def _cmd_serve(args: argparse.Namespace) -> int:
    check_int("--port", args.port, 0, 65535, error=InputError)
    check_int("--num-threads", args.num_threads, 0, error=InputError)
    try:
        import uvicorn

        from rnnkit.serve import create_app
    except ImportError as err:
        print(f"rnnkit: error: rnnkit serve needs the serve extra ({err.name} is missing): "
              "pip install 'rnnkit[serve]'", file=sys.stderr)
        return 1
    set_threads(args.num_threads)
    app = create_app(nextword=args.nextword_model, sentiment=args.sentiment_model)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    return 0
