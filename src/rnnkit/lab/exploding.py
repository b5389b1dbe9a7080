"""Exploding gradients: one RNN, trained three times, without clipping, clipped by norm and by value.

The set-up makes gradients explode on purpose: a tanh RNN whose recurrent weights start as ``gain``
times a random orthogonal matrix (every eigenvalue has modulus ``gain`` > 1, the regime in which
Pascanu, Mikolov & Bengio 2013 show back-propagated gradients can grow exponentially with length),
trained with plain SGD on the adding problem. The three runs share the initial weights and the
batches, so clipping is the only difference::

    result = run_exploding(ExplodingConfig())      # ExplodingConfig.quick() runs in seconds
    result.diverged_at["none"]                     # per seed: step the loss became inf/NaN, or None
    result.write("lab_results")                    # exploding.csv and exploding.png
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch

from rnnkit.config import TrainConfig, config_field
from rnnkit.errors import ConfigError
from rnnkit.lab.common import (
    check_bool,
    check_int,
    check_number,
    out_dir,
    progress_bar,
    threads,
    ticker,
    write_csv,
)
from rnnkit.lab.model import LabModel, TrainLog, train
from rnnkit.lab.tasks import task_spec

__all__ = ["MODES", "ExplodingConfig", "ExplodingResult", "run_exploding"]

MODES = ("none", "norm", "value")  # the three runs: TrainConfig.clip values


@dataclass(frozen=True)
class ExplodingConfig:
    """Settings of :func:`run_exploding`; :meth:`quick` gives a seconds-long version for tests.

    Raises:
        ConfigError: a value out of range.
    """

    seq_len: int = config_field(50, "adding-problem length (time steps)")
    hidden_size: int = config_field(32, "size of the RNN state")
    nonlinearity: str = config_field("tanh", "'tanh' or 'relu'")
    recurrent_gain: float = config_field(2.0, "recurrent weights start as gain x orthogonal: spectral radius = gain")
    steps: int = config_field(300, "SGD steps per run (a run stops when its loss or gradient becomes inf/NaN)")
    batch_size: int = config_field(32, "fresh sequences per step")
    learning_rate: float = config_field(0.1, "plain SGD step size, the same for the three runs")
    clip_norm: float = config_field(1.0, "'norm' run: rescale the gradient to at most this global L2 norm")
    clip_value: float = config_field(0.1, "'value' run: clamp every gradient entry to [-clip_value, clip_value]")
    num_seeds: int = config_field(3, "seeds seed, seed + 1, ...; the plot shows the first, the summary all")
    seed: int = config_field(0, "first seed")
    num_threads: int = config_field(1, "torch CPU threads; 0 leaves torch's default")
    progress: bool = config_field(True, "show a progress bar on stderr")

    def __post_init__(self) -> None:
        check_int("seq_len", self.seq_len, 2)
        for name in ("hidden_size", "steps", "batch_size", "num_seeds"):
            check_int(name, getattr(self, name), 1)
        for name in ("seed", "num_threads"):
            check_int(name, getattr(self, name), 0)
        if self.nonlinearity not in ("tanh", "relu"):
            raise ConfigError(f"nonlinearity must be one of tanh, relu; got {self.nonlinearity!r}")
        for name in ("recurrent_gain", "learning_rate", "clip_norm", "clip_value"):
            check_number(name, getattr(self, name), 0.0, low_inclusive=False)
        check_bool("progress", self.progress)

    @classmethod
    def quick(cls, **changes: object) -> ExplodingConfig:
        """A version that runs in seconds (tests, a first look); ``changes`` override its fields."""
        quick = {"steps": 40, "num_seeds": 2}
        return cls(**(quick | changes))


@dataclass
class ExplodingResult:
    """Per clipping mode ("none", "norm", "value"): the first seed's curves and every seed's outcome."""

    config: ExplodingConfig
    logs: dict[str, TrainLog] = field(default_factory=dict)  # the first seed's per-step curves
    diverged_at: dict[str, list[int | None]] = field(default_factory=dict)  # per seed: first non-finite step
    final_loss: dict[str, list[float]] = field(default_factory=dict)  # per seed: mean loss of the last 10 steps
    max_grad_norm: dict[str, list[float]] = field(default_factory=dict)  # per seed: largest norm before clipping
    elapsed: float = 0.0  # seconds the whole run took

    def label(self, mode: str) -> str:
        """The legend text of ``mode``."""
        cfg = self.config
        return {"none": "no clipping", "norm": f"clip by norm ({cfg.clip_norm:g})",
                "value": f"clip by value ({cfg.clip_value:g})"}[mode]

    def rows(self) -> list[list[object]]:
        """CSV rows (first seed): mode, step, loss, grad_norm."""
        return [[mode, step + 1, loss, norm] for mode, log in self.logs.items()
                for step, (loss, norm) in enumerate(zip(log.loss, log.grad_norm, strict=True))]

    def summary(self) -> str:
        """Per mode: seeds that diverged (and at which step), final loss, largest gradient norm."""
        lines = [f"{self.config.nonlinearity} RNN, gain {self.config.recurrent_gain:g}, adding task length "
                 f"{self.config.seq_len}, SGD lr {self.config.learning_rate:g}, {self.config.steps} steps, "
                 f"{self.config.num_seeds} seed(s):"]
        for mode in self.logs:
            steps = self.diverged_at[mode]
            diverged = [s for s in steps if s is not None]
            finals = [f"{v:.3g}" if s is None else "inf" for v, s in zip(self.final_loss[mode], steps, strict=True)]
            lines.append(f"  {self.label(mode):<22} diverged in {len(diverged)}/{len(steps)} seeds"
                         + (f" (at steps {', '.join(str(s + 1) for s in diverged)})" if diverged else "")
                         + f"; final loss {', '.join(finals)}; max gradient norm "
                         + ", ".join(f"{v:.2g}" for v in self.max_grad_norm[mode]))
        lines.append(f"took {self.elapsed:.1f} s")
        return "\n".join(lines)

    def write(self, folder: str | Path) -> list[Path]:
        """Write ``exploding.csv`` and ``exploding.png`` into ``folder``; return their paths."""
        from rnnkit.lab.plots import plot_exploding

        folder = out_dir(folder)
        csv_path = write_csv(folder / "exploding.csv", ["mode", "step", "loss", "grad_norm"], self.rows())
        return [csv_path, plot_exploding(self, folder / "exploding.png")]


def run_exploding(config: ExplodingConfig | None = None) -> ExplodingResult:
    """Train the same exploding RNN without clipping, clipped by norm and clipped by value, per seed.

    Returns:
        An :class:`ExplodingResult`; :meth:`ExplodingResult.write` saves its CSV and plot.

    Raises:
        ConfigError: ``config`` is not an ExplodingConfig.
    """
    config = config if config is not None else ExplodingConfig()
    if not isinstance(config, ExplodingConfig):
        raise ConfigError(f"config must be an ExplodingConfig, got {type(config).__name__}")
    result = ExplodingResult(config)
    started = time.perf_counter()
    total = len(MODES) * config.num_seeds * config.steps
    with threads(config.num_threads), progress_bar(total, "exploding", config.progress) as bar:
        for seed in range(config.seed, config.seed + config.num_seeds):
            for mode in MODES:
                log = _one_run(config, mode, seed, bar)
                bar.update(config.steps - len(log.loss) + (log.diverged_at is not None))
                if seed == config.seed:
                    result.logs[mode] = log
                result.diverged_at.setdefault(mode, []).append(log.diverged_at)
                tail = log.loss[-10:]
                result.final_loss.setdefault(mode, []).append(sum(tail) / len(tail) if tail else math.nan)
                result.max_grad_norm.setdefault(mode, []).append(max(log.grad_norm))
    result.elapsed = time.perf_counter() - started
    return result


def _one_run(config: ExplodingConfig, mode: str, seed: int, bar) -> TrainLog:
    task = task_spec("adding")
    torch.manual_seed(seed)
    model = LabModel("rnn", task.input_size, config.hidden_size, task.output_size,
                     nonlinearity=config.nonlinearity, recurrent_gain=config.recurrent_gain)
    train_config = TrainConfig(optimizer="sgd", learning_rate=config.learning_rate, batch_size=config.batch_size,
                               clip=mode, clip_norm=config.clip_norm, clip_value=config.clip_value,
                               progress=False, seed=seed)
    return train(model, task, train_config, config.steps, config.seq_len, torch.Generator().manual_seed(seed),
                 on_step=ticker(bar))
