"""The lab model, its training loop and the gradient probe that measures dL/dh through the transparent cells."""

from __future__ import annotations

import math

import pytest
import torch

from rnnkit.config import TrainConfig
from rnnkit.lab.model import LabModel, hidden_gradient_norms, train
from rnnkit.lab.tasks import make_batch, task_spec

CELLS = ("rnn", "lstm", "gru")


@pytest.mark.parametrize("cell", CELLS)
def test_probe_input_gradients_match_autograd_through_the_fused_layer(cell):
    """The float64 transparent unroll sees the same model as the fused layer: same dL/dx per step."""
    task = task_spec("adding")
    model = LabModel(cell, task.input_size, 16, task.output_size).double()
    batch = make_batch(task, 8, 12, torch.Generator().manual_seed(0))
    x = batch.x.double().requires_grad_(True)
    task.loss(model(x), batch.y.double(), reduction="sum").backward()
    expected = x.grad.norm(dim=2).mean(0).flip(0)  # by distance from the last step
    _, inputs = hidden_gradient_norms(model, task, batch.x, batch.y)
    torch.testing.assert_close(inputs, expected, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("cell", CELLS)
def test_probe_at_distance_zero_is_the_read_out_gradient(cell):
    task = task_spec("adding")
    model = LabModel(cell, task.input_size, 16, task.output_size).double()
    batch = make_batch(task, 8, 12, torch.Generator().manual_seed(0))
    hidden, _ = hidden_gradient_norms(model, task, batch.x, batch.y)
    with torch.no_grad():
        residual = model(batch.x.double()).squeeze(-1) - batch.y.double()  # dL/dout = 2 * residual
        expected = (2 * residual.abs() * model.head.weight.norm()).mean()
    assert float(hidden[0]) == pytest.approx(float(expected), rel=1e-9)
    assert hidden.shape == (12,)


def test_forget_bias_and_recurrent_gain_set_the_initial_weights():
    torch.manual_seed(0)
    plain = LabModel("lstm", 2, 8, 1)
    torch.manual_seed(0)
    biased = LabModel("lstm", 2, 8, 1, forget_bias=1.0)
    shift = biased.rnn.fused.bias_ih_l0 - plain.rnn.fused.bias_ih_l0
    torch.testing.assert_close(shift, torch.tensor([0.0] * 8 + [1.0] * 8 + [0.0] * 16))
    rnn = LabModel("rnn", 2, 8, 1, recurrent_gain=2.0)
    singular = torch.linalg.svdvals(rnn.rnn.fused.weight_hh_l0.detach())
    torch.testing.assert_close(singular, torch.full((8,), 2.0))


def test_train_records_the_step_at_which_the_loss_stops_being_finite():
    task = task_spec("adding")
    torch.manual_seed(0)
    model = LabModel("rnn", 2, 16, 1, recurrent_gain=2.0)
    config = TrainConfig(optimizer="sgd", learning_rate=0.1, batch_size=16, clip="none", progress=False)
    log = train(model, task, config, 200, 50, torch.Generator().manual_seed(0))
    assert log.diverged_at is not None and log.diverged_at < 199
    assert len(log.loss) == log.diverged_at + 1
    assert not (math.isfinite(log.loss[-1]) and math.isfinite(log.grad_norm[-1]))


def test_train_stops_when_the_callback_says_so():
    task = task_spec("recall")
    model = LabModel("gru", task.input_size, 8, task.output_size)
    config = TrainConfig(optimizer="adamw", learning_rate=1e-2, batch_size=4, progress=False)
    log = train(model, task, config, 50, 5, torch.Generator().manual_seed(0), on_step=lambda done: done == 7)
    assert len(log.loss) == 7 and log.diverged_at is None
