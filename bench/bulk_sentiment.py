"""Bulk sentiment scoring of a large file: ``rnnkit sentiment --input`` beside a Python loop over ``rate``.

Writes ``--lines`` lines (SST test sentences repeated; a built-in list when ../shared is absent) to a
temporary file, then in a fresh process each:

* ``bulk``: ``rnnkit sentiment --input FILE --output OUT.jsonl`` (batches of 4,096, streamed);
* ``loop``: ``for line in file: analyzer.rate(line)`` over the first ``--loop-lines`` lines (a loop
  over a million lines would take an hour; its rate is per line, so a slice measures it).

Prints lines/s, peak resident memory (the child and its worker processes together) and the ratio, with
the machine.

``--onnx`` first exports the bundled model's network to ONNX with int8 weights (``rnnkit export``) and
runs the bulk command with ``--onnx`` (ONNX Runtime); ``--threads`` is the bulk command's
``--num-threads`` (default 1; with 2, two length batches run side by side); ``--workers N`` is the
bulk command's ``--workers`` (N worker processes, each with ``--threads`` threads).

    python bench/bulk_sentiment.py [--lines 1000000] [--loop-lines 20000] [--onnx] [--threads 1] [--workers 1]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe  # noqa: E402
from sentiment_throughput import sentences  # noqa: E402

LOOP = """
import sys, time, torch
torch.set_num_threads(1)
from rnnkit import SentimentAnalyzer
analyzer = SentimentAnalyzer.load()
lines = [l.rstrip("\\n") for _, l in zip(range(int(sys.argv[2])), open(sys.argv[1], encoding="utf-8"))]
start = time.perf_counter()
for line in lines:
    analyzer.rate(line)
print(len(lines) / (time.perf_counter() - start))
"""


def child(cmd: list[str]) -> tuple[str, float, float]:
    """(stdout, seconds, peak RSS in MiB) of one child command.

    The peak is the largest sum, over samples every 0.1 s, of the resident memory of the child and
    its descendants (``--workers`` processes), read from /proc; where /proc is missing, ``ru_maxrss``
    of the largest child so far.
    """
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, stdout=out)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, tree_rss(proc.pid))
            time.sleep(0.1)
        seconds = time.perf_counter() - start
        if proc.returncode:
            raise subprocess.CalledProcessError(proc.returncode, cmd)
        out.seek(0)
        text = out.read().decode()
    if not peak:
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return text, seconds, peak / 2**20


def tree_rss(pid: int) -> int:
    """Bytes resident in ``pid`` and its descendants (0 without /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            proc_id = int(status.parent.name)
            parents[proc_id] = int(fields["PPid"])
            rss[proc_id] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
        except (OSError, KeyError, ValueError):
            continue
    tree, grew = {pid}, True
    while grew:
        more = {child for child, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(rss.get(proc_id, 0) for proc_id in tree)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--loop-lines", type=int, default=20_000)
    parser.add_argument("--data", type=Path, default=None, help="SST tree file (default: ../shared's test set)")
    parser.add_argument("--onnx", action="store_true", help="bulk: the network in ONNX Runtime, int8 weights")
    parser.add_argument("--threads", type=int, default=1, help="bulk: --num-threads (default 1)")
    parser.add_argument("--workers", type=int, default=1, help="bulk: --workers, processes (default 1)")
    args = parser.parse_args()
    texts, _, source = sentences(args.data)  # (texts, gold labels or None, where they came from)
    print(describe())
    with tempfile.TemporaryDirectory() as tmp:
        path, out = Path(tmp) / "lines.txt", Path(tmp) / "out.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for i in range(args.lines):
                fh.write(texts[i % len(texts)].replace("\n", " ") + "\n")
        size = path.stat().st_size
        print(f"{args.lines:,} lines ({size / 2**20:.0f} MiB) from {source}")
        loop_out, _, loop_rss = child([sys.executable, "-c", LOOP, str(path), str(args.loop_lines)])
        loop_rate = float(loop_out.strip())
        onnx = []
        if args.onnx:
            from rnnkit.export import export_model

            onnx = ["--onnx", str(export_model("sentiment", "onnx", Path(tmp) / "sentiment-int8.onnx",
                                               quantize="int8").path)]
        _, bulk_s, bulk_rss = child([sys.executable, "-m", "rnnkit.cli", "sentiment", "--input", str(path),
                                     "--output", str(out), "--num-threads", str(args.threads),
                                     "--workers", str(args.workers), *onnx])
        written = sum(1 for _ in out.open(encoding="utf-8"))
        first = json.loads(out.open(encoding="utf-8").readline())
    bulk_rate = args.lines / bulk_s
    path_words = (f"{'ONNX Runtime, int8' if args.onnx else 'PyTorch, float32'}, --num-threads {args.threads}, "
                  f"--workers {args.workers}")
    print(f"bulk  rnnkit sentiment --input ({path_words}): {bulk_rate:9,.0f} lines/s ({bulk_s:.0f} s, process "
          f"start and model load included), {written:,} records written, peak RSS {bulk_rss:,.0f} MiB; first: {first}")
    print(f"loop  analyzer.rate per line ({args.loop_lines:,} lines): {loop_rate:9,.0f} lines/s, "
          f"peak RSS {loop_rss:,.0f} MiB")
    print(f"bulk / loop: {bulk_rate / loop_rate:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
