"""Training never loses work: kill -9 at random moments, SIGINT/SIGTERM, an unwritable --out.

Runs the real command (``python -m rnnkit.cli train nextword``, a tiny LSTM on a small corpus, 1 thread)
as a subprocess and prints one line per check:

1. ``--kills N`` times: start the run (``--resume`` from its checkpoint once one exists) and ``kill -9``
   it at a random moment within a second after it first rewrote its checkpoint (one per step); check
   that the checkpoint left behind loads and holds trainer state. Then run it to the end and compare
   the final weights with an uninterrupted run's (bit for bit), and look for temporary files left.
2. ``--signals N`` times each for SIGINT and SIGTERM, with the default time-based checkpoints only
   (every 5 minutes, so none has been written yet): seconds from the signal to the exit, the exit
   status, and whether the checkpoint written on the way out resumes.
3. ``--out`` in a folder nobody can write (``/sys/kernel``): seconds until the one-line error.

Usage::

    python bench/kill_resume.py [--kills 20] [--signals 3] [--steps 400] [--seed 0]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe  # noqa: E402
from rnnkit.errors import CheckpointError  # noqa: E402
from rnnkit.training import load_checkpoint  # noqa: E402

SENTENCES = ["I go to school", "me and my friends go to school", "the cat sat on the mat .",
             "the dog sat on the log .", "my school has a scheme for the cat .", "we go to London in May ."]
MODEL = ["--embedding-dim", "32", "--hidden-size", "64", "--num-layers", "2", "--batch-size", "4", "--seq-len", "8",
         "--optimizer", "adamw", "--learning-rate", "0.01", "--lr-schedule", "constant", "--dropout", "0.2",
         "--no-progress", "--num-threads", "1", "--epochs", "100000"]
ENV = {**os.environ, "OMP_NUM_THREADS": "1"}


def command(folder: Path, name: str, steps: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "rnnkit.cli", "train", "nextword", "--corpus", str(folder / "corpus.txt"),
            "--out", str(folder / f"{name}.pt"), "--max-steps", str(steps), *MODEL, *extra]


def resumable(path: Path) -> bool:
    try:
        return load_checkpoint(path)["trainer_state"] is not None
    except CheckpointError:
        return False


def weights(path: Path) -> dict[str, torch.Tensor]:
    return load_checkpoint(path)["state_dict"]


def kills(folder: Path, count: int, steps: int, rng: random.Random) -> None:
    checkpoint = folder / "killed.train.pt"
    ok, temps_seen, at_steps = 0, 0, []
    for _ in range(count):
        resume = ["--resume", str(checkpoint)] if checkpoint.exists() else []
        before = checkpoint.stat().st_mtime_ns if checkpoint.exists() else 0
        proc = subprocess.Popen(command(folder, "killed", steps, "--checkpoint-every", "1", *resume), env=ENV,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while proc.poll() is None and (checkpoint.stat().st_mtime_ns if checkpoint.exists() else 0) == before:
            time.sleep(0.01)  # start-up (torch's import) is over: training and saving every step
        time.sleep(rng.uniform(0.0, 1.0))
        proc.kill()
        proc.wait()
        temps_seen += len(list(folder.glob(".killed*.tmp")))
        ok += resumable(checkpoint)
        at_steps.append(load_checkpoint(checkpoint)["trainer_state"]["step"] if checkpoint.exists() else 0)
    last = subprocess.run(command(folder, "killed", steps, "--resume", str(checkpoint)), env=ENV,
                          capture_output=True, text=True)
    if last.returncode:
        raise SystemExit(f"the last resume failed ({last.returncode}): {last.stderr.strip()[-2000:]}")
    subprocess.run(command(folder, "straight", steps), env=ENV, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    final, straight = weights(folder / "killed.pt"), weights(folder / "straight.pt")
    same = all(torch.equal(value, final[name]) for name, value in straight.items())
    left = [p.name for p in folder.glob(".*.tmp")]
    print(f"kill -9: {ok}/{count} left a resumable checkpoint (steps at the kills: {at_steps}); "
          f"temp files seen right after kills: {temps_seen}, left at the end: {len(left)}; "
          f"final weights {'equal' if same else 'DIFFER from'} an uninterrupted run's ({steps} steps)")


def default_sigint() -> None:
    """In the child: Ctrl-C acts even when this script runs in the background (where SIGINT is ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def signals(folder: Path, count: int, rng: random.Random) -> None:
    for signum in (signal.SIGINT, signal.SIGTERM):
        results = []
        for i in range(count):
            name = f"{signum.name.lower()}{i}"
            checkpoint, log = folder / f"{name}.train.pt", folder / f"{name}.log"
            with log.open("w") as err:  # the progress bar shows when training has started
                proc = subprocess.Popen(command(folder, name, 10**9, "--progress"), env=ENV, stdout=subprocess.DEVNULL,
                                        stderr=err, preexec_fn=default_sigint)
                while "step" not in log.read_text() and proc.poll() is None:
                    time.sleep(0.05)
                time.sleep(rng.uniform(0.5, 3.0))
                sent = time.perf_counter()
                proc.send_signal(signum)
                proc.wait(timeout=60)
            seconds = time.perf_counter() - sent
            last = log.read_text().replace("\r", "\n").strip().splitlines()[-1]
            results.append((seconds, proc.returncode, resumable(checkpoint), last))
        worst = max(r[0] for r in results)
        print(f"{signum.name}: {sum(r[2] for r in results)}/{count} resumable checkpoints, exit status "
              f"{sorted({r[1] for r in results})}, at most {worst:.2f} s from signal to exit; "
              f"last line: {results[-1][3]}")


def unwritable(folder: Path) -> None:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "rnnkit.cli", "train", "nextword", "--corpus",
                           str(folder / "corpus.txt"), "--out", "/sys/kernel/rnnkit/model.pt", *MODEL], env=ENV,
                          capture_output=True, text=True)
    print(f"--out in /sys/kernel: exit {proc.returncode} after {time.perf_counter() - started:.2f} s "
          f"(start-up included): {proc.stderr.strip()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--signals", type=int, default=3)
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(describe())
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        lines = [rng.choice(SENTENCES) for _ in range(400)]
        (folder / "corpus.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        unwritable(folder)
        if args.signals:
            signals(folder, args.signals, rng)
        if args.kills:
            kills(folder, args.kills, args.steps, rng)


if __name__ == "__main__":
    main()
