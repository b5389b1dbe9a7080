"""Recurrent: constructor and input checks, init_state, gates, and the masking helpers."""

from __future__ import annotations

import warnings

import pytest
import torch

from rnnkit.errors import ConfigError, InputError
from rnnkit.nn import Recurrent, roll_rows, valid_mask

INPUT, HIDDEN = 5, 16
GATE_NAMES = {"rnn": {"hidden"}, "lstm": {"forget", "input", "output", "candidate", "cell"},
              "gru": {"reset", "update", "candidate"}}


def test_attributes_describe_the_layer():
    layer = Recurrent("gru", INPUT, HIDDEN, num_layers=2, bidirectional=True, dropout=0.25)
    assert (layer.cell, layer.input_size, layer.hidden_size, layer.num_layers) == ("gru", INPUT, HIDDEN, 2)
    assert (layer.bidirectional, layer.num_directions, layer.output_size) == (True, 2, 2 * HIDDEN)
    assert layer.transparent is False
    assert isinstance(layer.fused, torch.nn.GRU) and layer.fused.batch_first and layer.fused.dropout == 0.25


def test_dropout_with_one_layer_is_accepted_silently():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layer = Recurrent("lstm", INPUT, HIDDEN, num_layers=1, dropout=0.5)
    assert layer.dropout == 0.5 and layer.fused.dropout == 0.0


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"cell": "transformer"}, r"^cell must be one of rnn, lstm, gru; got 'transformer'$"),
    ({"hidden_size": 0}, r"hidden_size must be an integer >= 1, got 0"),
    ({"input_size": -3}, r"input_size must be an integer >= 1, got -3"),
    ({"num_layers": 0}, r"num_layers must be an integer >= 1, got 0"),
    ({"dropout": 1.0}, r"dropout must be a number >= 0 and < 1, got 1.0"),
    ({"dropout": -0.1}, r"dropout must be a number >= 0 and < 1, got -0.1"),
    ({"nonlinearity": "sigmoid"}, r"nonlinearity must be one of tanh, relu; got 'sigmoid'"),
])
def test_bad_arguments_raise_config_error(kwargs, match):
    args = {"cell": "lstm", "input_size": INPUT, "hidden_size": HIDDEN, **kwargs}
    with pytest.raises(ConfigError, match=match):
        Recurrent(**args)


@pytest.mark.parametrize(("call", "match"), [
    ({"x": torch.randn(4, INPUT)}, r"x must be a 3-D tensor \(batch, seq_len, input_size\), got \(4, 5\)"),
    ({"x": [[1.0]]}, r"x must be a 3-D tensor .*, got list"),
    ({"x": torch.randn(2, 3, 4)}, r"x must have input_size=5 features, got 4"),
    ({"x": torch.ones(2, 3, INPUT, dtype=torch.long)}, r"x must be a float tensor, got dtype torch.int64"),
    ({"x": torch.randn(2, 0, INPUT)}, r"x must hold at least one sequence of one step, got shape \(2, 0, 5\)"),
    ({"lengths": torch.tensor([3, 2, 1])}, r"lengths must have shape \(2,\) to match the batch, got \(3,\)"),
    ({"lengths": torch.tensor([[3, 2]])}, r"lengths must have shape \(2,\) to match the batch, got \(1, 2\)"),
    ({"lengths": torch.tensor([3, 0])}, r"lengths must be between 1 and seq_len=3, got 0"),
    ({"lengths": torch.tensor([4, 2])}, r"lengths must be between 1 and seq_len=3, got 4"),
    ({"lengths": torch.tensor([3.0, 2.0])}, r"lengths must hold integers, got dtype torch.float32"),
    ({"lengths": "long"}, r"lengths must be a 1-D integer tensor, got str"),
    ({"padding": "middle"}, r"padding must be one of post, pre; got 'middle'"),
    ({"state": torch.zeros(1, 2, HIDDEN)}, r"state of an lstm must be a tuple \(h, c\), got Tensor"),
    ({"state": (torch.zeros(1, 2, HIDDEN),) * 3}, r"state of an lstm must be a tuple \(h, c\), got tuple"),
    ({"state": (torch.zeros(1, 2, HIDDEN), torch.zeros(2, 2, HIDDEN))},
     r"state c must have shape \(1, 2, 16\), got \(2, 2, 16\)"),
])
def test_bad_input_raises_input_error(call, match):
    layer = Recurrent("lstm", INPUT, HIDDEN)
    call = {"x": torch.randn(2, 3, INPUT), **call}
    with pytest.raises(InputError, match=match):
        layer(**call)
    with pytest.raises(InputError, match=match):
        layer.forward_with_gates(**call)


def test_state_of_a_gru_must_be_one_tensor_of_torchs_shape():
    layer = Recurrent("gru", INPUT, HIDDEN, num_layers=2)
    x = torch.randn(2, 3, INPUT)
    with pytest.raises(InputError, match=r"state of a gru must be a tensor h, got tuple"):
        layer(x, state=(torch.zeros(2, 2, HIDDEN), torch.zeros(2, 2, HIDDEN)))
    with pytest.raises(InputError, match=r"state h must have shape \(2, 2, 16\), got \(1, 2, 16\)"):
        layer(x, state=torch.zeros(1, 2, HIDDEN))


def test_lengths_may_be_a_list_and_lstm_state_a_list():
    layer = Recurrent("lstm", INPUT, HIDDEN).eval()
    x = torch.randn(2, 3, INPUT)
    state = layer.init_state(2)
    output, _ = layer(x, lengths=[3, 1], state=list(state))
    torch.testing.assert_close(output, layer(x, torch.tensor([3, 1]), state)[0])


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_init_state_is_zeros_in_torchs_layout(cell):
    layer = Recurrent(cell, INPUT, HIDDEN, num_layers=2, bidirectional=True)
    state = layer.init_state(3, dtype=torch.float64)
    parts = state if cell == "lstm" else (state,)
    assert isinstance(state, tuple) == (cell == "lstm")
    assert all(p.shape == (4, 3, HIDDEN) and p.dtype == torch.float64 and not p.any() for p in parts)
    x = torch.randn(3, 2, INPUT)
    layer.eval()
    torch.testing.assert_close(layer(x)[0], layer(x, state=layer.init_state(3))[0])


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("padding", ["post", "pre"])
def test_forward_with_gates_gives_every_gate_per_layer_and_direction(cell, padding):
    layer = Recurrent(cell, INPUT, HIDDEN, num_layers=2, bidirectional=True).eval()
    x, lengths = torch.randn(3, 4, INPUT), torch.tensor([4, 2, 1])
    output, final, gates = layer.forward_with_gates(x, lengths, padding=padding)
    assert len(gates) == 2 and all(len(per_layer) == 2 for per_layer in gates)
    pads = ~valid_mask(lengths, 4, padding)  # (batch, seq_len)
    for per_layer in gates:
        for per_direction in per_layer:
            assert set(per_direction) == GATE_NAMES[cell]
            for value in per_direction.values():
                assert value.shape == (3, 4, HIDDEN)
                assert torch.all(value[pads] == 0)
    if cell == "lstm":  # the forward direction's cell at each row's last real token is its final c
        last = lengths - 1 if padding == "post" else torch.full((3,), 3)
        torch.testing.assert_close(gates[1][0]["cell"][torch.arange(3), last], final[1][2])


def test_roll_rows_turns_pre_padding_into_post_padding_and_back():
    lengths = torch.tensor([3, 1, 4])
    pre = torch.tensor([[0, 1, 2, 3], [0, 0, 0, 1], [1, 2, 3, 4]])
    post = roll_rows(pre, lengths - 4)
    assert post.tolist() == [[1, 2, 3, 0], [1, 0, 0, 0], [1, 2, 3, 4]]
    assert torch.equal(roll_rows(post, 4 - lengths), pre)
    assert valid_mask(lengths, 4, "post").tolist() == (post != 0).tolist()
    assert valid_mask(lengths, 4, "pre").tolist() == (pre != 0).tolist()
