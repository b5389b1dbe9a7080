"""Gradient flow: how much the loss at the last step feels each earlier step, for RNN, LSTM and GRU.

For every cell and seed the model is measured at initialisation, trained on the task for
``train_steps`` steps at length ``seq_len``, and measured again. A measurement is the norm of
``dL/dh_{T-1-k}`` (and of ``dL/dx_{T-1-k}``) against the distance ``k``, through the transparent
cells in float64 (:func:`~rnnkit.lab.model.hidden_gradient_norms`)::

    config = GradientFlowConfig()                 # or GradientFlowConfig.quick() for a few seconds
    result = run_gradient_flow(config)
    result.ratio("rnn", "init", 50)               # ||dL/dh_{T-51}|| / ||dL/dh_{T-1}||, geometric mean over seeds
    result.write("lab_results")                   # gradient_flow.csv and gradient_flow.png
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from rnnkit.config import TrainConfig, config_field
from rnnkit.errors import ConfigError
from rnnkit.lab.common import (
    check_bool,
    check_cells,
    check_int,
    check_number,
    out_dir,
    progress_bar,
    threads,
    ticker,
    write_csv,
)
from rnnkit.lab.model import LabModel, evaluate, hidden_gradient_norms, train
from rnnkit.lab.tasks import TASKS, make_batch, task_spec

__all__ = ["STAGES", "GradientFlowConfig", "GradientFlowResult", "run_gradient_flow"]

STAGES = ("init", "trained")  # when the gradients are measured
TRAIN_CLIP_NORM = 1.0  # clipping keeps these short training runs stable; the exploding experiment studies it
EVAL_SEED_OFFSET = 10_000  # the measurement batch's generator: seed + this, apart from training batches
REPORT_DISTANCES = (1, 10, 25, 50, 100, 200)  # distances the text summary quotes (those below seq_len)


@dataclass(frozen=True)
class GradientFlowConfig:
    """Settings of :func:`run_gradient_flow`; :meth:`quick` gives a seconds-long version for tests.

    Raises:
        ConfigError: a value out of range.
    """

    cells: tuple[str, ...] = config_field(("rnn", "lstm", "gru"), "cells compared, same hidden size")
    seq_len: int = config_field(100, "steps per sequence: distances 0 to seq_len - 1 are measured")
    hidden_size: int = config_field(32, "size of each cell's state")
    batch_size: int = config_field(64, "sequences per training step, and in the measurement batch")
    task: str = config_field("adding", "the loss measured and trained on: 'adding' or 'recall' (first token)")
    train_steps: int = config_field(1000, "optimiser steps between the two measurements (AdamW); 0 skips training")
    learning_rate: float = config_field(1e-2, "AdamW step size")
    forget_bias: float = config_field(1.0, "added to the LSTM forget-gate bias at init (Keras' default; torch's is 0)")
    num_seeds: int = config_field(3, "seeds seed, seed + 1, ...: curves are their geometric mean, bands their range")
    seed: int = config_field(0, "first seed")
    num_threads: int = config_field(1, "torch CPU threads; 0 leaves torch's default")
    progress: bool = config_field(True, "show a progress bar on stderr")

    def __post_init__(self) -> None:
        check_cells(self.cells)
        check_int("seq_len", self.seq_len, 2)
        for name in ("hidden_size", "batch_size", "num_seeds"):
            check_int(name, getattr(self, name), 1)
        for name in ("train_steps", "seed", "num_threads"):
            check_int(name, getattr(self, name), 0)
        if self.task not in TASKS:
            raise ConfigError(f"task must be one of {', '.join(TASKS)}; got {self.task!r}")
        check_number("learning_rate", self.learning_rate, 0.0, low_inclusive=False)
        check_number("forget_bias", self.forget_bias, -10.0)
        check_bool("progress", self.progress)

    @classmethod
    def quick(cls, **changes: object) -> GradientFlowConfig:
        """A version that runs in seconds (tests, a first look); ``changes`` override its fields."""
        quick = {"seq_len": 60, "hidden_size": 16, "batch_size": 16, "train_steps": 20, "num_seeds": 2}
        return cls(**(quick | changes))


@dataclass
class GradientFlowResult:
    """Gradient norms by cell and stage, each (num_seeds, seq_len) indexed by distance from the last step."""

    config: GradientFlowConfig
    hidden: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)  # ||dL/dh|| per (cell, stage)
    inputs: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)  # ||dL/dx|| per (cell, stage)
    metric: dict[str, list[float]] = field(default_factory=dict)  # task metric after training, per seed
    elapsed: float = 0.0  # seconds the whole run took

    def ratios(self, cell: str, stage: str) -> np.ndarray:
        """(num_seeds, seq_len): ``||dL/dh_{T-1-k}|| / ||dL/dh_{T-1}||`` per seed."""
        norms = self.hidden[cell, stage]
        return norms / norms[:, :1]

    def ratio(self, cell: str, stage: str, distance: int) -> float:
        """The geometric mean over seeds of the gradient ratio at ``distance`` steps from the end."""
        return float(np.exp(np.log(self.ratios(cell, stage)[:, distance]).mean()))

    def rows(self) -> list[list[object]]:
        """CSV rows: cell, stage, seed, distance, grad_hidden, grad_input, ratio_hidden."""
        rows: list[list[object]] = []
        for (cell, stage), norms in self.hidden.items():
            ratios = self.ratios(cell, stage)
            for i in range(norms.shape[0]):
                for k in range(norms.shape[1]):
                    rows.append([cell, stage, self.config.seed + i, k, float(norms[i, k]),
                                 float(self.inputs[cell, stage][i, k]), float(ratios[i, k])])
        return rows

    def summary(self) -> str:
        """A few lines: the ratio at chosen distances per cell and stage, and the trained metric."""
        distances = [d for d in REPORT_DISTANCES if d < self.config.seq_len - 1] + [self.config.seq_len - 1]
        lines = [f"gradient ratio ||dL/dh(T-k)|| / ||dL/dh(T)||, geometric mean of {self.config.num_seeds} seed(s), "
                 f"{self.config.task} task, length {self.config.seq_len}:",
                 "cell  stage    " + "".join(f"k={d:<9}" for d in distances)]
        for (cell, stage) in self.hidden:
            lines.append(f"{cell:<5} {stage:<8} " + "".join(f"{self.ratio(cell, stage, d):<11.1e}" for d in distances))
        for cell, values in self.metric.items():
            name = "mse" if self.config.task == "adding" else "accuracy"
            lines.append(f"{cell} after {self.config.train_steps} steps: {name} "
                         + ", ".join(f"{v:.3f}" for v in values))
        lines.append(f"took {self.elapsed:.1f} s")
        return "\n".join(lines)

    def write(self, folder: str | Path) -> list[Path]:
        """Write ``gradient_flow.csv`` and ``gradient_flow.png`` into ``folder``; return their paths."""
        from rnnkit.lab.plots import plot_gradient_flow

        folder = out_dir(folder)
        header = ["cell", "stage", "seed", "distance", "grad_hidden", "grad_input", "ratio_hidden"]
        csv_path = write_csv(folder / "gradient_flow.csv", header, self.rows())
        return [csv_path, plot_gradient_flow(self, folder / "gradient_flow.png")]


def run_gradient_flow(config: GradientFlowConfig | None = None) -> GradientFlowResult:
    """Measure gradient norms against distance at initialisation and after training, for each cell and seed.

    Returns:
        A :class:`GradientFlowResult`; :meth:`GradientFlowResult.write` saves its CSV and plot.

    Raises:
        ConfigError: ``config`` is not a GradientFlowConfig.
    """
    config = config if config is not None else GradientFlowConfig()
    if not isinstance(config, GradientFlowConfig):
        raise ConfigError(f"config must be a GradientFlowConfig, got {type(config).__name__}")
    result = GradientFlowResult(config)
    started = time.perf_counter()
    total = len(config.cells) * config.num_seeds * (config.train_steps + 2)
    with threads(config.num_threads), progress_bar(total, "gradient flow", config.progress) as bar:
        for cell in config.cells:
            per_stage = {stage: ([], []) for stage in STAGES if stage == "init" or config.train_steps}
            for seed in range(config.seed, config.seed + config.num_seeds):
                metric = _one_seed(config, cell, seed, per_stage, bar)
                if config.train_steps:
                    result.metric.setdefault(cell, []).append(metric)
            for stage, (hidden, inputs) in per_stage.items():
                result.hidden[cell, stage] = np.stack(hidden)
                result.inputs[cell, stage] = np.stack(inputs)
    result.elapsed = time.perf_counter() - started
    return result


def _one_seed(config: GradientFlowConfig, cell: str, seed: int, per_stage: dict, bar) -> float:
    """Measure, train, measure again; append to ``per_stage`` and return the trained metric."""
    task = task_spec(config.task)
    torch.manual_seed(seed)
    model = LabModel(cell, task.input_size, config.hidden_size, task.output_size, forget_bias=config.forget_bias)
    probe = make_batch(task, config.batch_size, config.seq_len, torch.Generator().manual_seed(seed + EVAL_SEED_OFFSET))
    for stage in per_stage:
        if stage == "trained":
            train_config = TrainConfig(optimizer="adamw", learning_rate=config.learning_rate,
                                       batch_size=config.batch_size, clip="norm", clip_norm=TRAIN_CLIP_NORM,
                                       progress=False, seed=seed)
            train(model, task, train_config, config.train_steps, config.seq_len,
                  torch.Generator().manual_seed(seed), on_step=ticker(bar))
        hidden, inputs = hidden_gradient_norms(model, task, probe.x, probe.y)
        per_stage[stage][0].append(hidden.numpy())
        per_stage[stage][1].append(inputs.numpy())
        bar.update(1)
    return evaluate(model, task, probe.x, probe.y)

