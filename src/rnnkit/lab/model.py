"""The lab's model (one recurrent layer read at the last step), its training loop and gradient probes.

Training runs on the fused layer; the probes replay the same weights through the transparent cells
(:func:`~rnnkit.nn.cells.cell_step`) in float64, so gradients as small as 1e-300 stay measurable.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import Tensor, nn

from rnnkit.config import TrainConfig
from rnnkit.lab.tasks import Task, make_batch
from rnnkit.nn import Recurrent, cell_step
from rnnkit.training.optim import build_optimizer, clip_gradients

__all__ = ["LabModel", "TrainLog", "evaluate", "hidden_gradient_norms", "train"]

WEIGHT_NAMES = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")


class LabModel(nn.Module):
    """A one-layer RNN, LSTM or GRU followed by a linear read-out of the last hidden state.

    Args:
        cell: ``"rnn"``, ``"lstm"`` or ``"gru"``.
        input_size, hidden_size, output_size: feature sizes.
        nonlinearity: ``"tanh"`` or ``"relu"`` for the plain RNN.
        forget_bias: added to the LSTM's forget-gate bias at initialisation (0 keeps torch's
            initialisation; Gers et al. 2000 and Jozefowicz et al. 2015 recommend 1).
        recurrent_gain: if > 0, the recurrent weights start as ``gain`` times a random orthogonal
            matrix per gate block (spectral radius = gain); 0 keeps torch's U(-1/sqrt(H), 1/sqrt(H)).
    """

    def __init__(self, cell: str, input_size: int, hidden_size: int, output_size: int, *,
                 nonlinearity: str = "tanh", forget_bias: float = 0.0, recurrent_gain: float = 0.0) -> None:
        super().__init__()
        self.cell = cell
        self.rnn = Recurrent(cell, input_size, hidden_size, nonlinearity=nonlinearity)
        self.head = nn.Linear(hidden_size, output_size)
        with torch.no_grad():
            if cell == "lstm" and forget_bias:
                self.rnn.fused.bias_ih_l0[hidden_size:2 * hidden_size] += forget_bias  # gate order i, f, g, o
            if recurrent_gain:
                for block in self.rnn.fused.weight_hh_l0.split(hidden_size):
                    nn.init.orthogonal_(block, gain=recurrent_gain)

    def forward(self, x: Tensor) -> Tensor:
        """``x`` (batch, seq_len, input_size) -> read-out of the last step (batch, output_size)."""
        output, _ = self.rnn(x)  # (batch, seq_len, hidden_size)
        return self.head(output[:, -1])


@dataclass
class TrainLog:
    """Per-step loss and gradient norm (before clipping) of one run; ``diverged_at`` is the first
    step whose loss or gradient was not finite (training stops there), else None."""

    loss: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    diverged_at: int | None = None


def train(model: LabModel, task: Task, config: TrainConfig, steps: int, seq_len: int, generator: torch.Generator,
          on_step: Callable[[int], bool | None] | None = None) -> TrainLog:
    """Train on fresh batches of ``task`` for ``steps`` steps with ``config``'s optimiser and clipping.

    ``on_step(steps_done)`` is called after each optimiser step; returning True stops training.
    Unlike :class:`~rnnkit.training.Trainer`, a non-finite loss or gradient does not raise: the run
    stops and records the step, because watching a run diverge is the point of some experiments.
    """
    optimizer = build_optimizer(model.parameters(), config)
    log = TrainLog()
    for step in range(steps):
        model.train()
        batch = make_batch(task, config.batch_size, seq_len, generator)
        optimizer.zero_grad(set_to_none=True)
        loss = task.loss(model(batch.x), batch.y)
        loss.backward()
        grad_norm = clip_gradients(model.parameters(), config)
        log.loss.append(float(loss.detach()))
        log.grad_norm.append(grad_norm)
        if not (math.isfinite(log.loss[-1]) and math.isfinite(grad_norm)):
            log.diverged_at = step
            break
        optimizer.step()
        if on_step is not None and on_step(step + 1):
            break
    return log


def evaluate(model: LabModel, task: Task, batch_x: Tensor, batch_y: Tensor) -> float:
    """The task's metric of ``model`` on a fixed evaluation set."""
    model.eval()
    with torch.no_grad():
        return task.score(model(batch_x), batch_y)


def hidden_gradient_norms(model: LabModel, task: Task, x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    """How strongly the loss at the last step depends on each earlier step.

    Unrolls the model's own weights through the transparent cells in float64, adding a zero probe
    to each hidden state so that the probe's gradient is the total derivative ``dL/dh_t`` (every
    path through later steps, the LSTM's cell state included). The loss is summed over the batch,
    so each row's gradient is that example's own.

    Returns:
        ``(hidden, inputs)``, each (seq_len,): the mean over the batch of ``||dL/dh_{T-1-k}||`` and
        of ``||dL/dx_{T-1-k}||``, indexed by the distance ``k`` from the last step.
    """
    weights = [getattr(model.rnn.fused, name).detach().double() for name in WEIGHT_NAMES]
    head_w, head_b = model.head.weight.detach().double(), model.head.bias.detach().double()
    x = x.double().requires_grad_(True)
    batch, seq_len, hidden_size = x.size(0), x.size(1), model.rnn.hidden_size
    h = x.new_zeros(batch, hidden_size)
    state = (h, h.clone()) if model.cell == "lstm" else h
    probes = []
    for t in range(seq_len):
        state, _ = cell_step(model.cell, x[:, t], state, *weights, model.rnn.nonlinearity)
        probe = x.new_zeros(batch, hidden_size, requires_grad=True)  # (batch, hidden_size)
        probes.append(probe)
        state = (state[0] + probe, state[1]) if model.cell == "lstm" else state + probe
    last = state[0] if model.cell == "lstm" else state
    output = torch.nn.functional.linear(last, head_w, head_b)
    task.loss(output, y.double() if y.is_floating_point() else y, reduction="sum").backward()
    hidden = torch.stack([p.grad.norm(dim=1).mean() for p in probes])  # (seq_len,) by position
    inputs = x.grad.norm(dim=2).mean(dim=0)  # (seq_len,)
    return hidden.flip(0), inputs.flip(0)
