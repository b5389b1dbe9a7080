"""The heatmap of :class:`~rnnkit.lab.gates.GateReport`: an LSTM's forget, input and output gates or a
GRU's reset and update gates, unit by token, and their mean per token (matplotlib's object API)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rnnkit.lab.plots import _figure, _save

if TYPE_CHECKING:
    from rnnkit.lab.gates import GateReport

__all__ = ["plot_gate_report"]

GATE_COLORS = ("tab:blue", "tab:orange", "tab:green")  # one per shown gate, in order


def plot_gate_report(report: GateReport, path: Path) -> Path:
    """Each shown gate as a unit-by-token heatmap, then their means per token; returns ``path``."""
    names, tokens = report.gate_names, report.tokens
    fig = _figure(max(6.0, 0.5 * len(tokens) + 2.5), 1.9 * len(names) + 1.9)
    axes = fig.subplots(len(names) + 1, 1, height_ratios=[1] * len(names) + [0.9], sharex=True)
    image = None
    order = np.argsort(-report.gates[report.memory_gate].mean(0))  # units by mean memory gate, most open on top
    for ax, name in zip(axes[:-1], names, strict=True):
        values = report.gates[name].T[order]  # (hidden_size, tokens)
        image = ax.imshow(values, aspect="auto", cmap="viridis", vmin=0.0, vmax=1.0, interpolation="nearest")
        ax.set_ylabel(f"{name} gate\nunit (of {values.shape[0]})")
    fig.colorbar(image, ax=list(axes[:-1]), label="gate activation (0 = closed, 1 = open)", shrink=0.8)
    x = np.arange(len(tokens))
    for name, color in zip(names, GATE_COLORS, strict=False):
        axes[-1].plot(x, report.gates[name].mean(1), marker="o", color=color, label=f"{name} gate")
    axes[-1].set_ylabel("mean over units\n(0 to 1)")
    axes[-1].set_ylim(0, 1)
    axes[-1].grid(True, alpha=0.3)
    axes[-1].legend(fontsize="small", ncol=3, loc="upper center")
    axes[-1].set_xticks(x, tokens, rotation=45, ha="right")
    axes[-1].set_xlabel("token (read left to right)")
    fig.suptitle(f"{report.cell.upper()} gates per token, layer {report.layer} of {report.num_layers} "
                 f"({report.model_name})\nunits sorted by mean {report.memory_gate} gate, most open on top")
    return _save(fig, path)
