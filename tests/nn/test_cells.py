"""Transparent cells: same numbers as torch's cells, readable gates, checked arguments."""

from __future__ import annotations

import math

import pytest
import torch

from rnnkit.errors import ConfigError, InputError
from rnnkit.nn import GRUCell, LSTMCell, RNNCell, gru_step, lstm_step, make_cell, rnn_step

INPUT, HIDDEN, BATCH = 5, 16, 3
TORCH_CELLS = {"rnn": torch.nn.RNNCell, "lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell}
GATE_NAMES = {"rnn": {"hidden"}, "lstm": {"forget", "input", "output", "candidate", "cell"},
              "gru": {"reset", "update", "candidate"}}


def _twin(cell, nonlinearity="tanh"):
    """Our cell and a torch cell holding a copy of its weights."""
    ours = make_cell(cell, INPUT, HIDDEN, nonlinearity=nonlinearity)
    kwargs = {"nonlinearity": nonlinearity} if cell == "rnn" else {}
    theirs = TORCH_CELLS[cell](INPUT, HIDDEN, **kwargs)
    theirs.load_state_dict(ours.state_dict())
    return ours, theirs


def _parts(state):
    """The tensors of a state: (h,) or (h, c)."""
    return state if isinstance(state, tuple) else (state,)


def _random_state(cell):
    h = torch.randn(BATCH, HIDDEN)
    return (h, torch.randn(BATCH, HIDDEN)) if cell == "lstm" else h


@pytest.mark.parametrize(("cell", "nonlinearity"), [("rnn", "tanh"), ("rnn", "relu"), ("lstm", "tanh"),
                                                    ("gru", "tanh")])
def test_cell_matches_torch_with_copied_weights(cell, nonlinearity):
    ours, theirs = _twin(cell, nonlinearity)
    state_ours = state_theirs = _random_state(cell)
    for _ in range(4):
        x = torch.randn(BATCH, INPUT)
        state_ours, state_theirs = ours(x, state_ours), theirs(x, state_theirs)
        for a, b in zip(_parts(state_ours), _parts(state_theirs), strict=True):
            torch.testing.assert_close(a, b, rtol=0, atol=1e-6)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_none_state_means_zeros(cell):
    ours = make_cell(cell, INPUT, HIDDEN)
    x = torch.randn(BATCH, INPUT)
    zeros = torch.zeros(BATCH, HIDDEN)
    expected = ours(x, (zeros, zeros) if cell == "lstm" else zeros)
    got = ours(x)
    for a, b in zip(_parts(got), _parts(expected), strict=True):
        assert torch.equal(a, b)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_parameters_are_named_shaped_and_initialised_like_torch(cell):
    ours = make_cell(cell, INPUT, HIDDEN)
    theirs = TORCH_CELLS[cell](INPUT, HIDDEN)
    assert {n: p.shape for n, p in ours.named_parameters()} == {n: p.shape for n, p in theirs.named_parameters()}
    bound = 1 / math.sqrt(HIDDEN)
    for weight in ours.parameters():
        assert weight.abs().max() <= bound
        assert weight.std() > bound / 4  # drawn, not left at zero


def test_cells_without_bias_have_no_bias_parameters():
    cell = LSTMCell(INPUT, HIDDEN, bias=False)
    assert cell.bias_ih is None and cell.bias_hh is None
    theirs = torch.nn.LSTMCell(INPUT, HIDDEN, bias=False)
    theirs.load_state_dict(cell.state_dict())
    x = torch.randn(BATCH, INPUT)
    torch.testing.assert_close(cell(x)[0], theirs(x)[0], rtol=0, atol=1e-6)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_forward_with_gates_returns_named_gates_and_the_same_state(cell):
    ours = make_cell(cell, INPUT, HIDDEN)
    x, state = torch.randn(BATCH, INPUT), _random_state(cell)
    new_state, gates = ours.forward_with_gates(x, state)
    assert set(gates) == GATE_NAMES[cell]
    assert all(g.shape == (BATCH, HIDDEN) for g in gates.values())
    plain = ours(x, state)
    for a, b in zip(_parts(new_state), _parts(plain), strict=True):
        assert torch.equal(a, b)


def test_lstm_gates_follow_the_equations():
    cell = LSTMCell(INPUT, HIDDEN)
    h, c = _random_state("lstm")
    (h_new, c_new), g = cell.forward_with_gates(torch.randn(BATCH, INPUT), (h, c))
    for name in ("forget", "input", "output"):
        assert ((g[name] > 0) & (g[name] < 1)).all()
    assert (g["candidate"].abs() < 1).all()
    torch.testing.assert_close(g["cell"], c_new)
    torch.testing.assert_close(c_new, g["forget"] * c + g["input"] * g["candidate"])
    torch.testing.assert_close(h_new, g["output"] * torch.tanh(c_new))


def test_gru_gates_follow_the_equations():
    cell = GRUCell(INPUT, HIDDEN)
    h = torch.randn(BATCH, HIDDEN)
    h_new, g = cell.forward_with_gates(torch.randn(BATCH, INPUT), h)
    torch.testing.assert_close(h_new, (1 - g["update"]) * g["candidate"] + g["update"] * h)


def test_step_functions_return_no_gates_unless_asked():
    x, h, c = torch.randn(BATCH, INPUT), torch.randn(BATCH, HIDDEN), torch.randn(BATCH, HIDDEN)
    w = {k: torch.randn(k * HIDDEN, INPUT) for k in (1, 3, 4)}
    u = {k: torch.randn(k * HIDDEN, HIDDEN) for k in (1, 3, 4)}
    assert rnn_step(x, h, w[1], u[1])[1] == {}
    assert lstm_step(x, h, c, w[4], u[4])[2] == {}
    assert gru_step(x, h, w[3], u[3])[1] == {}
    assert torch.all(rnn_step(x, h, w[1], u[1], nonlinearity="relu")[0] >= 0)


def test_make_cell_builds_each_kind():
    assert isinstance(make_cell("rnn", INPUT, HIDDEN, nonlinearity="relu"), RNNCell)
    assert make_cell("rnn", INPUT, HIDDEN, nonlinearity="relu").nonlinearity == "relu"
    assert isinstance(make_cell("lstm", INPUT, HIDDEN), LSTMCell)
    assert isinstance(make_cell("gru", INPUT, HIDDEN, nonlinearity="relu"), GRUCell)  # ignored by gru


@pytest.mark.parametrize(("args", "kwargs", "match"), [
    (("transformer", 5, 16), {}, r"^cell must be one of rnn, lstm, gru; got 'transformer'$"),
    (("lstm", 5, 0), {}, r"hidden_size must be an integer >= 1, got 0"),
    (("gru", 0, 16), {}, r"input_size must be an integer >= 1, got 0"),
    (("gru", 5, 2.5), {}, r"hidden_size must be an integer >= 1, got 2.5"),
    (("rnn", 5, 16), {"nonlinearity": "sigmoid"}, r"nonlinearity must be one of tanh, relu; got 'sigmoid'"),
])
def test_make_cell_rejects_bad_arguments(args, kwargs, match):
    with pytest.raises(ConfigError, match=match):
        make_cell(*args, **kwargs)


@pytest.mark.parametrize("shape", [(BATCH, INPUT + 1), (2, BATCH, INPUT)])
def test_cell_rejects_input_of_the_wrong_shape(shape):
    with pytest.raises(InputError, match=r"cell input must have shape \(batch, 5\), got"):
        GRUCell(INPUT, HIDDEN)(torch.randn(*shape))
