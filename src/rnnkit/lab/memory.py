"""Long-range memory: does each cell learn the adding problem and first-token recall at growing lengths?

Every (task, cell, length, seed) run trains a fresh model on fresh batches for at most ``steps``
optimiser steps, evaluating on a fixed held-out set every ``eval_every`` steps and stopping as soon
as the run counts as learned (:func:`~rnnkit.lab.tasks.learned`: R^2 >= 0.9 on the adding problem,
accuracy >= 0.9 on recall). A run that never gets there keeps its final metric::

    result = run_memory(MemoryConfig())            # MemoryConfig.quick() runs in seconds
    result.learned_count("recall", "lstm", 50)     # seeds (of num_seeds) that learned
    result.write("lab_results")                    # memory.csv, memory.md and memory.png
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch

from rnnkit.config import TrainConfig, config_field
from rnnkit.errors import ConfigError
from rnnkit.lab.common import (
    check_bool,
    check_cells,
    check_int,
    check_ints,
    check_number,
    out_dir,
    progress_bar,
    threads,
    write_csv,
)
from rnnkit.lab.model import LabModel, evaluate, train
from rnnkit.lab.tasks import LEARNED_FRACTION, TASKS, Task, learned, make_batch, task_spec

__all__ = ["MemoryConfig", "MemoryResult", "run_memory"]

TRAIN_CLIP_NORM = 1.0  # clipping keeps these runs stable; the exploding experiment studies it
EVAL_SEED_OFFSET = 10_000  # the held-out set's generator: seed + this, apart from training batches

Key = tuple[str, str, int]  # (task, cell, length)


@dataclass(frozen=True)
class MemoryConfig:
    """Settings of :func:`run_memory`; :meth:`quick` gives a seconds-long version for tests.

    Raises:
        ConfigError: a value out of range.
    """

    tasks: tuple[str, ...] = config_field(TASKS, "'adding' and/or 'recall'")
    cells: tuple[str, ...] = config_field(("rnn", "lstm", "gru"), "cells compared, same hidden size")
    lengths: tuple[int, ...] = config_field((10, 25, 50, 100, 200), "sequence lengths (time steps), each >= 2")
    steps: int = config_field(1000, "budget of AdamW steps per run (a run stops early once it has learned)")
    batch_size: int = config_field(64, "fresh sequences per step")
    hidden_size: int = config_field(32, "size of each cell's state")
    learning_rate: float = config_field(1e-2, "AdamW step size")
    forget_bias: float = config_field(1.0, "added to the LSTM forget-gate bias at init (Keras' default; torch's is 0)")
    num_symbols: int = config_field(8, "recall: symbols to remember (chance accuracy 1/8) and distractor symbols")
    eval_every: int = config_field(100, "steps between evaluations on the held-out set")
    eval_size: int = config_field(512, "held-out sequences per (task, length, seed)")
    num_seeds: int = config_field(3, "seeds seed, seed + 1, ...")
    skip_after: int = config_field(2, "a cell that no seed taught at this many lengths in a row is not run at longer "
                                "ones; 0 runs them all")
    seed: int = config_field(0, "first seed")
    num_threads: int = config_field(1, "torch CPU threads; 0 leaves torch's default")
    progress: bool = config_field(True, "show a progress bar on stderr")

    def __post_init__(self) -> None:
        if not isinstance(self.tasks, tuple) or not self.tasks or any(t not in TASKS for t in self.tasks):
            raise ConfigError(f"tasks must be a non-empty tuple of names from {', '.join(TASKS)}, got {self.tasks!r}")
        check_cells(self.cells)
        check_ints("lengths", self.lengths, 2)
        for name in ("steps", "batch_size", "hidden_size", "eval_every", "eval_size", "num_seeds"):
            check_int(name, getattr(self, name), 1)
        check_int("num_symbols", self.num_symbols, 2)
        for name in ("seed", "num_threads", "skip_after"):
            check_int(name, getattr(self, name), 0)
        check_number("learning_rate", self.learning_rate, 0.0, low_inclusive=False)
        check_number("forget_bias", self.forget_bias, -10.0)
        check_bool("progress", self.progress)

    @classmethod
    def quick(cls, **changes: object) -> MemoryConfig:
        """A version that runs in seconds (tests, a first look); ``changes`` override its fields."""
        quick = {"lengths": (5, 30), "steps": 100, "hidden_size": 16, "batch_size": 32, "learning_rate": 2e-2,
                 "eval_every": 25, "eval_size": 256, "num_seeds": 2}
        return cls(**(quick | changes))


@dataclass
class MemoryResult:
    """Per (task, cell, length): the final test metric and the steps to learn (None: never), per seed."""

    config: MemoryConfig
    tasks: dict[str, Task] = field(default_factory=dict)
    metrics: dict[Key, list[float]] = field(default_factory=dict)
    steps_to_learn: dict[Key, list[int | None]] = field(default_factory=dict)
    seconds: dict[Key, list[float]] = field(default_factory=dict)  # wall-clock seconds per run
    steps_run: dict[Key, list[int]] = field(default_factory=dict)  # optimiser steps each run took
    skipped: list[Key] = field(default_factory=list)  # not run: the cell had failed at shorter lengths
    elapsed: float = 0.0  # seconds the whole run took

    def learned_count(self, task: str, cell: str, length: int) -> int:
        """How many seeds learned ``task`` at ``length`` within the budget (0 when it was not run)."""
        return sum(s is not None for s in self.steps_to_learn.get((task, cell, length), []))

    def threshold(self, task: str) -> float:
        """The metric value at which a run counts as learned (an MSE ceiling, or an accuracy floor)."""
        spec = self.tasks[task]
        return spec.baseline * (1 - LEARNED_FRACTION) if spec.metric == "mse" else LEARNED_FRACTION

    def rows(self) -> list[list[object]]:
        """CSV rows: task, cell, length, seed, metric, learned, steps_to_learn, steps_run, seconds."""
        rows: list[list[object]] = []
        for (task, cell, length), values in self.metrics.items():
            for i, value in enumerate(values):
                steps = self.steps_to_learn[task, cell, length][i]
                rows.append([task, cell, length, self.config.seed + i, value, int(steps is not None),
                             "" if steps is None else steps, self.steps_run[task, cell, length][i],
                             self.seconds[task, cell, length][i]])
        return rows

    def table(self) -> str:
        """A Markdown table per task: cells by length, each entry ``learned/seeds, mean metric, steps``."""
        cfg, parts = self.config, []
        for name in cfg.tasks:
            spec = self.tasks[name]
            what = "test MSE" if spec.metric == "mse" else "test accuracy"
            parts.append(f"**{name}** ({what}; trivial baseline {spec.baseline:.3g}, learned = "
                         f"{'MSE <=' if spec.metric == 'mse' else 'accuracy >='} {self.threshold(name):.3g})\n")
            parts.append("| cell | " + " | ".join(f"T = {n}" for n in cfg.lengths) + " |")
            parts.append("|---|" + "---|" * len(cfg.lengths))
            for cell in cfg.cells:
                entries = " | ".join(self._entry(name, cell, n) for n in cfg.lengths)
                parts.append(f"| {cell.upper()} | {entries} |")
            parts.append("")
        parts.append(f"Each entry: seeds that learned / {cfg.num_seeds} · mean final test metric · median steps to "
                     f"learn (of {cfg.steps} at most) among the seeds that learned. \"not run\": no seed learned at "
                     f"the {cfg.skip_after} shorter lengths before it (skip_after = {cfg.skip_after}).")
        return "\n".join(parts) + "\n"

    def _entry(self, task: str, cell: str, length: int) -> str:
        if (task, cell, length) in self.skipped:
            return "not run"
        count, seeds = self.learned_count(task, cell, length), self.config.num_seeds
        mean = statistics.fmean(self.metrics[task, cell, length])
        steps = [s for s in self.steps_to_learn[task, cell, length] if s is not None]
        fraction = f"**{count}/{seeds}**" if count == seeds else f"{count}/{seeds}"
        return f"{fraction} · {mean:.3f}" + (f" · {statistics.median(steps):.0f} steps" if steps else "")

    def summary(self) -> str:
        """The tables and the time taken, for the terminal."""
        return self.table() + f"took {self.elapsed:.1f} s"

    def write(self, folder: str | Path) -> list[Path]:
        """Write ``memory.csv``, ``memory.md`` and ``memory.png`` into ``folder``; return their paths."""
        from rnnkit.lab.plots import plot_memory

        folder = out_dir(folder)
        header = ["task", "cell", "length", "seed", "metric", "learned", "steps_to_learn", "steps_run", "seconds"]
        csv_path = write_csv(folder / "memory.csv", header, self.rows())
        md_path = folder / "memory.md"
        md_path.write_text(self.table(), encoding="utf-8")
        return [csv_path, md_path, plot_memory(self, folder / "memory.png")]


def run_memory(config: MemoryConfig | None = None) -> MemoryResult:
    """Train every cell on every task and length for every seed, within the step budget.

    Returns:
        A :class:`MemoryResult`; :meth:`MemoryResult.write` saves its CSV, table and plot.

    Raises:
        ConfigError: ``config`` is not a MemoryConfig.
    """
    config = config if config is not None else MemoryConfig()
    if not isinstance(config, MemoryConfig):
        raise ConfigError(f"config must be a MemoryConfig, got {type(config).__name__}")
    result = MemoryResult(config, {name: task_spec(name, config.num_symbols, config.num_symbols)
                                   for name in config.tasks})
    runs = len(config.tasks) * len(config.cells) * len(config.lengths) * config.num_seeds
    started = time.perf_counter()
    with threads(config.num_threads), progress_bar(runs * config.steps, "memory", config.progress) as bar:
        for name in config.tasks:
            for cell in config.cells:
                failures = 0  # lengths in a row at which no seed learned
                for length in config.lengths:
                    if config.skip_after and failures >= config.skip_after:
                        result.skipped.append((name, cell, length))
                        bar.update(config.num_seeds * config.steps)
                        continue
                    for seed in range(config.seed, config.seed + config.num_seeds):
                        bar.set_postfix_str(f"{name} {cell} T={length} seed {seed}", refresh=False)
                        run = _one_run(config, result.tasks[name], cell, length, seed, bar)
                        key = (name, cell, length)
                        for store, value in zip((result.metrics, result.steps_to_learn, result.steps_run,
                                                 result.seconds), run, strict=True):
                            store.setdefault(key, []).append(value)
                    failures = failures + 1 if result.learned_count(name, cell, length) == 0 else 0
    result.elapsed = time.perf_counter() - started
    return result


def _one_run(config: MemoryConfig, task: Task, cell: str, length: int, seed: int,
             bar) -> tuple[float, int | None, int, float]:
    """Train one model, evaluating every ``eval_every`` steps: (final metric, steps to learn or None,
    steps taken, seconds)."""
    started = time.perf_counter()
    held_out = make_batch(task, config.eval_size, length, torch.Generator().manual_seed(seed + EVAL_SEED_OFFSET))
    torch.manual_seed(seed)
    model = LabModel(cell, task.input_size, config.hidden_size, task.output_size, forget_bias=config.forget_bias)
    train_config = TrainConfig(optimizer="adamw", learning_rate=config.learning_rate, batch_size=config.batch_size,
                               clip="norm", clip_norm=TRAIN_CLIP_NORM, progress=False, seed=seed)
    held_out_metric: list[float] = []

    def check(done: int) -> bool:
        bar.update(1)
        if done % config.eval_every and done != config.steps:
            return False
        held_out_metric.append(evaluate(model, task, held_out.x, held_out.y))
        return learned(task, held_out_metric[-1])

    log = train(model, task, train_config, config.steps, length, torch.Generator().manual_seed(seed), on_step=check)
    done = len(log.loss) - (log.diverged_at is not None)  # optimiser steps taken
    bar.update(config.steps - done)
    if not held_out_metric or log.diverged_at is not None:  # diverged: score the model as it is
        held_out_metric.append(evaluate(model, task, held_out.x, held_out.y))
    steps = done if learned(task, held_out_metric[-1]) else None
    return held_out_metric[-1], steps, done, time.perf_counter() - started
