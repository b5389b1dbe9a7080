"""torchrun with 2 CPU processes, one killed mid-run, ``--max-restarts=1``: the run goes on from its checkpoint.

Runs ``torchrun --nproc_per_node=2 -m rnnkit.cli train nextword ...`` (a tiny LSTM, 1 thread per rank)
twice: once straight, once with rank 1 killed (``kill -9``) as soon as the checkpoint holds ``--kill-after``
steps. torchrun restarts both workers (``TORCHELASTIC_RESTART_COUNT=1``); the Trainer sees the restart and
resumes from the checkpoint its own run wrote. Prints the step the restarted run resumed from, whether the
final weights equal the straight run's bit for bit, and whether only rank 0 printed its summary line.

Usage::

    python bench/torchrun_restart.py [--steps 120] [--kill-after 40]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kill_resume import MODEL, SENTENCES  # noqa: E402
from machine import describe  # noqa: E402
from rnnkit.errors import CheckpointError  # noqa: E402
from rnnkit.training import load_checkpoint  # noqa: E402

ENV = {**os.environ, "OMP_NUM_THREADS": "1"}


def launch(folder: Path, name: str, steps: int, port: int) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nnodes=1", "--nproc_per_node=2", "--max-restarts=1",
           "--master_addr=127.0.0.1", f"--master_port={port}", "-m", "rnnkit.cli", "train", "nextword",
           "--corpus", str(folder / "corpus.txt"), "--out", str(folder / f"{name}.pt"), "--max-steps", str(steps),
           "--checkpoint-every", "1", *MODEL]
    return subprocess.Popen(cmd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def workers(parent: int) -> list[int]:
    """Process ids of the workers torchrun started (its children), by RANK read from their environment."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().split()
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if int(stat[3]) == parent:
            rank = next((e.split(b"=", 1)[1] for e in environ if e.startswith(b"RANK=")), None)
            if rank is not None:
                found[int(rank)] = int(entry.name)
    return [found[r] for r in sorted(found)]


def step_of(path: Path) -> int:
    try:
        return load_checkpoint(path)["trainer_state"]["step"]
    except CheckpointError:
        return -1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=120)
    parser.add_argument("--kill-after", type=int, default=40)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(describe())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        lines = [SENTENCES[i % len(SENTENCES)] for i in range(400)]
        (folder / "corpus.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        started = time.perf_counter()
        straight = launch(folder, "straight", args.steps, free_port())
        out, err = straight.communicate(timeout=900)
        print(f"straight run: exit {straight.returncode} in {time.perf_counter() - started:.0f} s; "
              f"stdout lines: {len(out.strip().splitlines())}")
        started = time.perf_counter()
        killed = launch(folder, "killed", args.steps, free_port())
        checkpoint = folder / "killed.train.pt"
        while killed.poll() is None and step_of(checkpoint) < args.kill_after:
            time.sleep(0.05)
        ranks = workers(killed.pid)
        at = step_of(checkpoint)
        if len(ranks) < 2:
            raise SystemExit(f"the run ended before rank 1 could be killed:\n{killed.communicate()[1][-4000:]}")
        os.kill(ranks[1], signal.SIGKILL)
        out, err = killed.communicate(timeout=900)
        resumed = [line for line in err.splitlines() if "resuming from" in line]
        print(f"killed run: rank 1 (pid {ranks[1]}) killed with the checkpoint at step {at}; exit {killed.returncode} "
              f"in {time.perf_counter() - started:.0f} s; {resumed[-1].strip() if resumed else 'NO RESUME LINE'}; "
              f"stdout lines: {len(out.strip().splitlines())}")
        if killed.returncode:
            raise SystemExit(f"the killed run failed:\n{err[-4000:]}")
        a, b = (load_checkpoint(folder / f"{name}.pt")["state_dict"] for name in ("straight", "killed"))
        same = all(torch.equal(value, b[name]) for name, value in a.items())
        print(f"final weights {'equal' if same else 'DIFFER from'} the straight run's; temp files left: "
              f"{len(list(folder.glob('.*.tmp')))}")
        if not same:
            print(err[-3000:])


if __name__ == "__main__":
    main()
