"""Load on ``rnnkit serve`` over loopback: concurrent clients, mixed suggest / sentiment requests.

Starts ``rnnkit serve`` (bundled models) in a child process on a free port of 127.0.0.1, or uses
``--url`` of a running one. ``--clients`` asyncio clients (one keep-alive HTTP/1.1 connection each)
share ``--requests`` requests, alternately ``POST /v1/suggest`` (half next word, half completion)
and ``POST /v1/sentiment``; the run stops early at ``--max-seconds``. Prints requests/s, p50/p99
latency (overall and per endpoint), the number of errors (any non-200 or failed request) and the
machine. Exits 1 when any request failed.

The clients speak HTTP/1.1 on asyncio streams directly (~0.1 ms of CPU per request) rather than
through httpx (~1.9 ms per request measured here): on a 2-core machine the load generator shares
the cores with the server, and httpx's cost took about a third of the CPU that the server needed.
A request counts as answered when its status is 200 and its body is a JSON object.

    python bench/serve_load.py [--clients 16] [--requests 5000] [--max-seconds 120] [--url URL]
    python bench/serve_load.py --compare-batching   # batching off (--batch-window-ms 0), then on, same run
    python bench/serve_load.py --compare-batching --baseline-src /tmp/before/src   # and an older checkout first
    python bench/serve_load.py --compare-batching --quantize int8 --sentiment-onnx   # the fastest models
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe  # noqa: E402

SUGGEST_TEXTS = ["I go to ", "I go to sch", "me and my friends ", "the weather is ", "Can you help me wi",
                 "I don't know what to ", "She wants to be", "We should ", "Thank you for the ", "He is a very go"]
REVIEWS = ["I love this movie, it is wonderful!", "The plot was boring and the acting terrible.",
           "Not bad at all.", "It was okay, nothing special.", "The food was good but the service was slow.",
           "ABSOLUTELY AMAZING!!! 😍", "I would not recommend it to anyone.", "A quiet film about a family."]
START_TIMEOUT_S = 60
KINDS = ("suggest", "sentiment")
REQUEST_TIMEOUT_S = 30


def requests_plan(n: int, kinds: tuple[str, ...] = KINDS) -> Iterator[tuple[str, str, dict]]:
    """``n`` requests: (kind, path, JSON body), the ``kinds`` in turn (suggest and sentiment by default)."""
    suggest, review = itertools.cycle(SUGGEST_TEXTS), itertools.cycle(REVIEWS)
    for i in range(n):
        if kinds[i % len(kinds)] == "suggest":
            yield "suggest", "/v1/suggest", {"text": next(suggest), "k": 3}
        else:
            yield "sentiment", "/v1/sentiment", {"text": next(review)}


async def client(base: str, plan: Iterator, deadline: float, out: list) -> None:
    """One client: takes the next request from the shared plan until it is empty or time is up."""
    url = httpx.URL(base)
    connection = None
    for kind, path, body in plan:
        if time.perf_counter() > deadline:
            break
        start = time.perf_counter()
        try:
            if connection is None:
                connection = await asyncio.open_connection(url.host, url.port)
            ok = await asyncio.wait_for(post(*connection, url.host, path, body), REQUEST_TIMEOUT_S)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            ok = False
        if not ok and connection is not None:  # start the next request on a fresh connection
            connection[1].close()
            connection = None
        out.append((kind, time.perf_counter() - start, ok))
    if connection is not None:
        connection[1].close()


async def post(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, path: str, body: dict) -> bool:
    """POST ``body`` as JSON on a keep-alive connection; True if the answer is 200 with a JSON object."""
    payload = json.dumps(body).encode()
    writer.write(f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {len(payload)}\r\n\r\n".encode() + payload)
    status = int((await reader.readline()).split()[1])
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    answer = await reader.readexactly(length)
    return status == 200 and isinstance(json.loads(answer), dict)


async def run_load(base: str, clients: int, n: int, max_seconds: float,
                   kinds: tuple[str, ...] = KINDS) -> tuple[list, float]:
    plan = requests_plan(n, kinds)  # one iterator shared by every client: each request is taken once
    results: list = []
    start = time.perf_counter()
    await asyncio.gather(*(client(base, plan, start + max_seconds, results) for _ in range(clients)))
    return results, time.perf_counter() - start


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def server(threads: int, extra: list[str] | None = None, src: Path | None = None) -> Iterator[str]:
    """``rnnkit serve`` (with ``extra`` flags) in a child process; yields its URL once /v1/health answers.

    ``src``: the ``src`` folder of another rnnkit checkout to serve from (its own code and bundled models).
    """
    port = free_port()
    cmd = [sys.executable, "-m", "rnnkit.cli", "serve", "--port", str(port), "--num-threads", str(threads),
           "--log-level", "warning", *(extra or [])]
    env = dict(os.environ, OMP_NUM_THREADS=str(max(threads, 1)))
    if src is not None:
        env["PYTHONPATH"] = str(src)
    proc = subprocess.Popen(cmd, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"rnnkit serve exited with {proc.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(base + "/v1/health", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit(f"rnnkit serve did not answer within {START_TIMEOUT_S} s")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


def report(results: list, elapsed: float, args: argparse.Namespace, backend: str, label: str = "") -> int:
    errors = sum(not ok for _, _, ok in results)
    print(f"rnnkit serve{label} under load: {args.clients} clients, {len(results):,} of {args.requests:,} requests "
          f"({' and '.join(args.kinds.split(','))} in turn) in {elapsed:.1f} s on loopback; "
          f"sentiment backend: {backend}")
    print(f"  throughput: {len(results) / elapsed:,.0f} requests/s")
    for kind in ("all", "suggest", "sentiment"):
        ms = np.array([s for k, s, _ in results if kind in ("all", k)]) * 1000
        if ms.size:
            print(f"  {kind:<9} p50 {np.percentile(ms, 50):7.1f} ms   p99 {np.percentile(ms, 99):7.1f} ms   "
                  f"({ms.size:,} requests)")
    print(f"  errors: {errors}")
    print(f"  server: --num-threads {args.threads}, --workers {args.server_workers}; "
          "client: HTTP/1.1 on asyncio streams, one process")
    return 1 if errors or not results else 0


def measure(args: argparse.Namespace, extra: list[str] | None = None,
            src: Path | None = None) -> tuple[list, float, str]:
    kinds = tuple(args.kinds.split(","))
    if args.quantize and src is None:
        extra = [*(extra or []), "--quantize", args.quantize]
    if args.sentiment_onnx and src is None:
        extra = [*(extra or []), "--sentiment-onnx", args.sentiment_onnx]
    if args.server_workers > 1 and src is None:
        extra = [*(extra or []), "--workers", str(args.server_workers)]
    with contextlib.nullcontext(args.url) if args.url else server(args.threads, extra, src) as base:
        backend = httpx.get(base + "/v1/health").json()["sentiment"]
        asyncio.run(run_load(base, args.clients, 2 * args.clients, 30, kinds))  # warm-up: connections, first calls
        results, elapsed = asyncio.run(run_load(base, args.clients, args.requests, args.max_seconds, kinds))
    return results, elapsed, backend


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--requests", type=int, default=5000, help="requests in all (default 5000)")
    parser.add_argument("--max-seconds", type=float, default=120, help="stop sending after this (default 120)")
    parser.add_argument("--threads", type=int, default=1, help="the server's torch threads (default 1)")
    parser.add_argument("--server-workers", type=int, default=1, metavar="N",
                        help="start the server with --workers N: N processes on one port (not the --baseline-src "
                             "one, which predates it; default 1)")
    parser.add_argument("--url", help="load a running server instead of starting one")
    parser.add_argument("--kinds", default=",".join(KINDS), choices=("suggest,sentiment", "suggest", "sentiment"),
                        help="the requests sent, in turn (default suggest,sentiment)")
    parser.add_argument("--compare-batching", action="store_true",
                        help="run twice: batching off (--batch-window-ms 0), then the default; print the ratio")
    parser.add_argument("--quantize", choices=("int8",), default=None,
                        help="start the server with --quantize int8 (not the --baseline-src one, which predates it)")
    parser.add_argument("--sentiment-onnx", action="store_true",
                        help="export the bundled sentiment network to ONNX with int8 weights and start the server "
                             "with --sentiment-onnx (not the --baseline-src one, which predates it)")
    parser.add_argument("--baseline-src", type=Path, default=None,
                        help="with --compare-batching: first load the server of another checkout's src folder "
                             "(e.g. `git worktree add /tmp/before 21e0d9d`: rnnkit serve before batching, as "
                             "issue 14 measured it) with the same client and flags, and compare with it too")
    args = parser.parse_args()
    if args.baseline_src is not None and (not args.compare_batching or args.url):
        parser.error("--baseline-src goes with --compare-batching and without --url")
    if args.url and (args.sentiment_onnx or args.quantize or args.server_workers > 1):
        parser.error("--sentiment-onnx, --quantize and --server-workers start a server; they do not go with --url")
    print(describe())
    with tempfile.TemporaryDirectory() as tmp:
        if args.sentiment_onnx:  # the flag becomes the file the servers get
            from rnnkit.export import export_model

            args.sentiment_onnx = str(export_model("sentiment", "onnx", Path(tmp) / "sentiment-int8.onnx",
                                                   quantize="int8").path)
        return run(args)


def run(args: argparse.Namespace) -> int:
    """Measure as the flags say (main() has exported the ONNX file, if asked)."""
    if not args.compare_batching:
        results, elapsed, backend = measure(args)
        return report(results, elapsed, args, backend)
    failed, runs = 0, {}
    if args.baseline_src is not None:
        runs["baseline"] = measure(args, src=args.baseline_src.resolve())
        failed |= report(*runs["baseline"][:2], args, runs["baseline"][2], f" (baseline: {args.baseline_src})")
    runs["off"] = measure(args, ["--batch-window-ms", "0"])
    failed |= report(*runs["off"][:2], args, runs["off"][2], " (batching off)")
    runs["on"] = measure(args)
    failed |= report(*runs["on"][:2], args, runs["on"][2], " (batching on, default window)")
    for before in [name for name in ("off", "baseline") if name in runs]:
        print(f"batching on / {before}: " + compare(runs["on"], runs[before], args.kinds.split(",")))
    return failed


def compare(after: tuple, before: tuple, kinds: list[str]) -> str:
    """'2.10x requests/s; suggest p99 56.2 -> 34.2 ms; ...' from two measure() results."""
    ratio = (len(after[0]) / after[1]) / (len(before[0]) / before[1])
    p99 = {kind: [np.percentile([s for k, s, _ in run[0] if k == kind], 99) * 1000 for run in (before, after)]
           for kind in kinds}
    return f"{ratio:.2f}x requests/s; " + "; ".join(f"{kind} p99 {a:.1f} -> {b:.1f} ms" for kind, (a, b) in p99.items())

if __name__ == "__main__":
    sys.exit(main())
