"""``rnnkit serve``: run the HTTP API and web page (:mod:`rnnkit.serve`) with uvicorn.

FastAPI and uvicorn are the ``serve`` extra; they are imported inside the handler, so the rest of
the CLI works without them and ``rnnkit serve`` says how to install them.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import sys
from pathlib import Path
from typing import Any

from rnnkit.cli.common import add_quantize_flag, add_threads_flag, set_threads
from rnnkit.config import check_int, check_number
from rnnkit.errors import InputError
from rnnkit.serve.limits import DEFAULT_LANES, ServerLimits
from rnnkit.serve.processes import MAX_SERVER_WORKERS

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
    parser.add_argument("--sentiment-onnx", type=Path, metavar="FILE",
                        help="run the sentiment network in ONNX Runtime from FILE, written by `rnnkit export "
                             "sentiment --format onnx [--quantize int8]` from the sentiment model (with int8 "
                             "weights the fastest sentiment path; docs/serve.md). Needs the onnx extra")
    add_quantize_flag(parser, "run the models with int8 weights (faster on a CPU; scores move slightly, and with "
                      "batching a request's probabilities depend a little on its batch); default float32")
    add_threads_flag(parser, DEFAULT_THREADS)
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="server processes, each with its own models, all answering on one port (default 1; "
                             "2 on two cores serves more requests: docs/serve.md)")
    limits = parser.add_argument_group("limits (docs/serve.md)")
    for kind, lane in DEFAULT_LANES.items():
        limits.add_argument(f"--{kind}-queue", type=int, default=lane.queue, metavar="N",
                            help=f"{kind} requests that may wait beyond the one running; one more gets 503 "
                                 f"(default {lane.queue})")
        limits.add_argument(f"--{kind}-timeout", type=float, default=lane.timeout_s, metavar="S",
                            help=f"a {kind} request's time limit in seconds, waiting included; past it 504 "
                                 f"and the work stops (default {lane.timeout_s:g})")
    batching = [kind for kind, lane in DEFAULT_LANES.items() if lane.batch_window_ms > 0]
    window = DEFAULT_LANES[batching[0]].batch_window_ms
    limits.add_argument("--batch-window-ms", type=float, default=window, metavar="MS",
                        help=f"{' and '.join(batching)}: requests arriving within MS of the first (or while a "
                             f"batch runs) are scored as one batch; 0 turns batching off (default {window:g})")
    limits.add_argument("--max-batch", type=int, default=DEFAULT_LANES[batching[0]].max_batch, metavar="N",
                        help=f"the most texts in one batch (default {DEFAULT_LANES[batching[0]].max_batch})")
    server = ServerLimits()
    limits.add_argument("--header-timeout", type=float, default=server.header_timeout_s, metavar="S",
                        help="close a connection whose request head is not complete in S seconds "
                             f"(default {server.header_timeout_s:g})")
    limits.add_argument("--max-connections", type=int, default=server.max_connections, metavar="N",
                        help=f"open connections beyond which the server answers 503 (default {server.max_connections})")
    limits.add_argument("--drain-timeout", type=float, default=server.drain_s, metavar="S",
                        help="on SIGINT/SIGTERM, the most seconds requests in progress get to finish "
                             f"(default {server.drain_s:g})")
    parser.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"),
                        help="uvicorn's log level (default info)")
    parser.set_defaults(func=_cmd_serve)


def _cmd_serve(args: argparse.Namespace) -> int:
    check_int("--port", args.port, 0, 65535, error=InputError)
    check_int("--num-threads", args.num_threads, 0, error=InputError)
    check_int("--workers", args.workers, 1, MAX_SERVER_WORKERS, error=InputError)
    for kind in DEFAULT_LANES:
        check_int(f"--{kind}-queue", getattr(args, f"{kind}_queue"), 0, 100_000, error=InputError)
        check_number(f"--{kind}-timeout", getattr(args, f"{kind}_timeout"), 0.0, 3600.0, low_inclusive=False,
                     error=InputError)
    check_number("--batch-window-ms", args.batch_window_ms, 0.0, 1000.0, error=InputError)
    check_int("--max-batch", args.max_batch, 1, 4096, error=InputError)
    check_number("--header-timeout", args.header_timeout, 0.0, 3600.0, low_inclusive=False, error=InputError)
    check_int("--max-connections", args.max_connections, 1, 1_000_000, error=InputError)
    check_number("--drain-timeout", args.drain_timeout, 0.0, 3600.0, error=InputError)
    lanes = {kind: dataclasses.replace(lane, queue=getattr(args, f"{kind}_queue"),
                                       timeout_s=getattr(args, f"{kind}_timeout"),
                                       **({"batch_window_ms": args.batch_window_ms, "max_batch": args.max_batch}
                                          if lane.batch_window_ms > 0 else {}))
             for kind, lane in DEFAULT_LANES.items()}
    server = ServerLimits(header_timeout_s=args.header_timeout, max_connections=args.max_connections,
                          drain_s=args.drain_timeout)
    try:
        import fastapi  # noqa: F401  (the serve extra: say what to install before loading any model)
        import uvicorn  # noqa: F401

        from rnnkit.serve.server import run_server
    except ImportError as err:
        print(f"rnnkit: error: rnnkit serve needs the serve extra ({err.name} is missing): "
              "pip install 'rnnkit[serve]'", file=sys.stderr)
        return 1
    if args.workers > 1:
        from rnnkit.serve.processes import listen, run_workers

        listener = listen(args.host, args.port)
        return run_workers(functools.partial(_load_worker, args, lanes, server), listener, args.workers,
                           server.drain_s)
    app = _app(args, lanes)
    run_server(app, args.host, args.port, server, log_level=args.log_level)
    return 0


def _app(args: argparse.Namespace, lanes: dict[str, Any]) -> Any:
    """The service's app with the models the flags name, loaded."""
    from rnnkit.serve import create_app

    set_threads(args.num_threads)
    sentiment, source = _sentiment(args.sentiment_model, args.sentiment_onnx)
    return create_app(nextword=args.nextword_model, sentiment=sentiment, lanes=lanes, quantize=args.quantize,
                      sentiment_source=source)


def _load_worker(args: argparse.Namespace, lanes: dict[str, Any], server: ServerLimits) -> Any:
    """In a process of ``rnnkit serve --workers N``: load the models; return what serves them on a socket."""
    from rnnkit.serve.server import run_server

    app = _app(args, lanes)
    return lambda channel: run_server(app, args.host, args.port, server, log_level=args.log_level, handoff=channel)


def _sentiment(model: Path | None, onnx: Path | None) -> tuple[Any, tuple[str, str | None] | None]:
    """(what create_app takes as ``sentiment``, its source and card): the model path, or with ``--sentiment-onnx``
    an analyzer whose network runs in ONNX Runtime (:class:`~rnnkit.export.OnnxSentiment`).

    Raises:
        CheckpointError: a missing, foreign or mismatched ONNX file.
        RnnkitError: onnxruntime is not installed.
    """
    if onnx is None:
        return model, None
    from rnnkit.apps.sentiment.analyzer import DEFAULT_MODEL_PATH
    from rnnkit.export import OnnxSentiment
    from rnnkit.serve.models import model_source

    source, card = model_source(model, DEFAULT_MODEL_PATH)
    return OnnxSentiment(onnx, model).analyzer, (f"{source}, its network on ONNX Runtime from {onnx}", card)
