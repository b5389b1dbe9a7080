"""The lab's figures, drawn with matplotlib's object API (no pyplot, no display needed).

Each function takes a result, writes one PNG (about 100 dpi, kept small) and returns its path.
The same colour stands for the same cell in every figure.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rnnkit.lab.tasks import ADDING_BASELINE_MSE

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from rnnkit.lab.exploding import ExplodingResult
    from rnnkit.lab.gradients import GradientFlowResult
    from rnnkit.lab.memory import MemoryResult

__all__ = ["CELL_COLORS", "plot_exploding", "plot_gradient_flow", "plot_memory"]

CELL_COLORS = {"rnn": "tab:red", "lstm": "tab:blue", "gru": "tab:green"}
CELL_NAMES = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}
DPI = 100  # keeps each PNG well under 150 KB


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


def _save(fig: Figure, path: Path) -> Path:
    """Write ``fig`` as a 256-colour PNG: the same picture at about a third of the bytes."""
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    image = Image.open(buffer).convert("RGB").quantize(colors=256, dither=Image.Dither.NONE)
    image.save(path, optimize=True)
    return path


def plot_gradient_flow(result: GradientFlowResult, path: Path) -> Path:
    """Gradient ratio against distance, log scale; one panel per stage, a line (geometric mean) and a
    band (range over seeds) per cell."""
    cfg = result.config
    stages = sorted({stage for _, stage in result.hidden}, key=("init", "trained").index)
    fig = _figure(5.2 * len(stages), 4.2)
    axes = fig.subplots(1, len(stages), sharey=True, squeeze=False)[0]
    distances = np.arange(cfg.seq_len)
    for ax, stage in zip(axes, stages, strict=True):
        for cell in cfg.cells:
            logs = np.log10(np.clip(result.ratios(cell, stage), 1e-300, None))  # (seeds, seq_len)
            color = CELL_COLORS[cell]
            ax.plot(distances, 10 ** logs.mean(0), color=color, lw=2, label=CELL_NAMES[cell])
            ax.fill_between(distances, 10 ** logs.min(0), 10 ** logs.max(0), color=color, alpha=0.2, lw=0)
        ax.set_yscale("log")
        title = "at initialisation" if stage == "init" else f"after {cfg.train_steps} training steps"
        ax.set_title(title)
        ax.set_xlabel("distance k from the last step (time steps)")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(loc="lower left")
    axes[0].set_ylabel("‖∂L/∂h(T−k)‖ / ‖∂L/∂h(T)‖  (ratio, log scale)")
    fig.suptitle(f"Gradient flow back in time: {cfg.task} task, length {cfg.seq_len}, hidden {cfg.hidden_size}, "
                 f"{cfg.num_seeds} seeds (band: range)")
    return _save(fig, path)


def plot_memory(result: MemoryResult, path: Path) -> Path:
    """Per task, the metric against sequence length per cell (mean and range over seeds), with the
    trivial baseline and the "learned" threshold; one legend below both panels."""
    cfg = result.config
    fig = _figure(5.2 * len(cfg.tasks), 4.6)
    axes = fig.subplots(1, len(cfg.tasks), squeeze=False)[0]
    shifts = np.linspace(-0.04, 0.04, len(cfg.cells))  # nudge the cells apart so their bars do not overlap
    for ax, name in zip(axes, cfg.tasks, strict=True):
        task = result.tasks[name]
        for cell, shift in zip(cfg.cells, shifts, strict=True):
            lengths = [n for n in cfg.lengths if (name, cell, n) in result.metrics]
            values = np.array([result.metrics[name, cell, n] for n in lengths]).reshape(len(lengths), -1)
            mean = values.mean(1)
            ax.errorbar(np.array(lengths) * 10 ** shift, mean, yerr=[mean - values.min(1), values.max(1) - mean],
                        color=CELL_COLORS[cell], marker="o", capsize=3, lw=2, label=CELL_NAMES[cell])
        ax.axhline(task.baseline, color="gray", ls="--", label="trivial baseline")
        ax.axhline(result.threshold(name), color="black", ls=":", label="“learned” threshold")
        ax.set_xscale("log")
        ax.minorticks_off()
        ax.set_xticks(cfg.lengths, [str(n) for n in cfg.lengths])
        ax.set_xlabel("sequence length (time steps, log scale)")
        if task.metric == "mse":
            ax.set_yscale("log")
            ax.set_ylabel("test mean squared error (log scale, lower is better)")
            ax.set_title("Adding problem: sum of two marked numbers")
        else:
            ax.set_ylabel("test accuracy (fraction, higher is better)")
            ax.set_title(f"Recall the first of {task.output_size} symbols")
        ax.grid(True, alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=len(labels))
    fig.suptitle(f"Long-range memory within {cfg.steps} steps (batch {cfg.batch_size}, hidden {cfg.hidden_size}), "
                 f"{cfg.num_seeds} seeds: mean, bars = range over seeds")
    return _save(fig, path)


def plot_exploding(result: ExplodingResult, path: Path) -> Path:
    """Loss and gradient norm per step, one line per clipping mode; divergence marked with an x."""
    cfg = result.config
    fig = _figure(10.4, 4.2)
    ax_loss, ax_grad = fig.subplots(1, 2)
    styles = {"none": "tab:red", "norm": "tab:blue", "value": "tab:green"}
    for mode, log in result.logs.items():
        label = result.label(mode)
        steps = np.arange(1, len(log.loss) + 1)
        for ax, values in ((ax_loss, log.loss), (ax_grad, log.grad_norm)):
            finite = np.array([v if np.isfinite(v) else np.nan for v in values])
            ax.plot(steps, finite, color=styles[mode], lw=1.5, label=label)
            if log.diverged_at is not None:
                last = np.nanmax(finite) if np.isfinite(finite).any() else 1.0
                ax.plot([log.diverged_at + 1], [last], marker="x", ms=12, mew=3, color=styles[mode], ls="none")
    ax_loss.axhline(ADDING_BASELINE_MSE, color="gray", ls="--", lw=1, label="trivial baseline (1/6)")
    ax_loss.set_ylabel("training loss (mean squared error, log scale)")
    ax_grad.set_ylabel("gradient norm before clipping (L2, log scale)")
    for ax in (ax_loss, ax_grad):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("optimiser step (log scale)")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small", loc="upper right")
    ax_loss.set_title("Loss (x: became inf/NaN, run stopped)")
    ax_grad.set_title("Gradient norm")
    fig.suptitle(f"Exploding gradients: {cfg.nonlinearity} RNN, recurrent gain {cfg.recurrent_gain}, "
                 f"adding task length {cfg.seq_len}, SGD lr {cfg.learning_rate}")
    return _save(fig, path)
