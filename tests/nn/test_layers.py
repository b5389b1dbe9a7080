"""Recurrent: same numbers as torch, fused and transparent paths agree, pads never leak."""

from __future__ import annotations

import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from rnnkit.nn import Recurrent

CELLS = ("rnn", "lstm", "gru")
SHAPES = [(1, False), (2, False), (1, True), (2, True)]  # (num_layers, bidirectional)
INPUT, HIDDEN = 5, 16
LENGTHS = [7, 3, 1, 5]  # one full row, one single-token row; seq_len 7
TORCH_LAYERS = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}


def _layer(cell, num_layers=1, bidirectional=False, **kwargs):
    return Recurrent(cell, INPUT, HIDDEN, num_layers, bidirectional, **kwargs).eval()


def _parts(state):
    """The tensors of a state: (h,) or (h, c)."""
    return state if isinstance(state, tuple) else (state,)


def _random_state(layer, batch_size):
    state = layer.init_state(batch_size)
    return tuple(torch.randn_like(s) for s in state) if isinstance(state, tuple) else torch.randn_like(state)


def _assert_same(got, expected, atol=1e-5):
    """Compare (output, state) pairs, or single tensors."""
    got_tensors = [got[0], *_parts(got[1])] if isinstance(got, tuple) else [got]
    expected_tensors = [expected[0], *_parts(expected[1])] if isinstance(expected, tuple) else [expected]
    assert len(got_tensors) == len(expected_tensors)
    for a, b in zip(got_tensors, expected_tensors, strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=atol)


def _torch_twin(layer):
    """A torch.nn.RNN/LSTM/GRU holding a copy of the layer's weights."""
    kwargs = {"nonlinearity": layer.nonlinearity} if layer.cell == "rnn" else {}
    twin = TORCH_LAYERS[layer.cell](INPUT, HIDDEN, layer.num_layers, batch_first=True,
                                    bidirectional=layer.bidirectional, **kwargs).eval()
    twin.load_state_dict({name.removeprefix("fused."): value for name, value in layer.state_dict().items()})
    return twin


def _pad_row(row, seq_len, padding, fill=0.0):
    """Pad one (length, features) sequence to (seq_len, features) on the given side."""
    pad = torch.full((seq_len - row.size(0), row.size(1)), fill)
    return torch.cat([row, pad] if padding == "post" else [pad, row])


def _split(row, length, padding):
    """(real steps, pad steps) of one (seq_len, ...) row."""
    cut = length if padding == "post" else row.size(0) - length
    return (row[:cut], row[cut:]) if padding == "post" else (row[cut:], row[:cut])


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize(("num_layers", "bidirectional"), SHAPES)
def test_matches_torch_on_full_length_batches(cell, num_layers, bidirectional):
    layer = _layer(cell, num_layers, bidirectional, nonlinearity="relu" if cell == "rnn" else "tanh")
    x, state = torch.randn(3, 6, INPUT), _random_state(layer, 3)
    _assert_same(layer(x, state=state), _torch_twin(layer)(x, state))
    _assert_same(layer(x, lengths=torch.tensor([6, 6, 6])), _torch_twin(layer)(x))


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize(("num_layers", "bidirectional"), SHAPES)
@pytest.mark.parametrize("lengths", [[7, 3, 1, 5, 3, 7], [4, 9, 1, 7, 2, 10, 5, 8, 3, 6]],
                         ids=["few-lengths", "many-lengths"])  # dense segments / packing (SEGMENT_LIMIT)
def test_matches_torch_packed_on_variable_lengths(cell, num_layers, bidirectional, lengths):
    layer = _layer(cell, num_layers, bidirectional)
    lengths = torch.tensor(lengths)
    x, state = torch.randn(len(lengths), int(lengths.max()), INPUT), _random_state(layer, len(lengths))
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    output, final = _torch_twin(layer)(packed, state)
    expected = (pad_packed_sequence(output, batch_first=True, total_length=x.size(1))[0], final)
    _assert_same(layer(x, lengths, state), expected)
    layer.transparent = True
    _assert_same(layer(x, lengths, state), expected)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize(("num_layers", "bidirectional"), SHAPES)
@pytest.mark.parametrize("padding", ["post", "pre"])
def test_transparent_path_matches_fused_path(cell, num_layers, bidirectional, padding):
    layer = _layer(cell, num_layers, bidirectional)
    x, lengths, state = torch.randn(4, 7, INPUT), torch.tensor(LENGTHS), _random_state(layer, 4)
    fused = layer(x, lengths, state, padding)
    output, final, _ = layer.forward_with_gates(x, lengths, state, padding)
    _assert_same((output, final), fused)
    layer.transparent = True
    _assert_same(layer(x, lengths, state, padding), fused)
    _assert_same(layer(x), (layer.forward_with_gates(x)[:2]))


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("padding", ["post", "pre"])
@pytest.mark.parametrize("transparent", [False, True])
def test_a_sequence_gives_the_same_results_alone_and_in_a_padded_batch(cell, bidirectional, padding, transparent):
    layer = _layer(cell, 2, bidirectional)
    layer.transparent = transparent
    rows = [torch.randn(n, INPUT) for n in LENGTHS]
    batch = torch.stack([_pad_row(row, 7, padding, fill=1e3) for row in rows])  # big pads: a leak would show
    output, final = layer(batch, torch.tensor(LENGTHS), padding=padding)
    for b, row in enumerate(rows):
        alone_output, alone_final = layer(row[None])
        real, pads = _split(output[b], len(row), padding)
        torch.testing.assert_close(real, alone_output[0], rtol=0, atol=1e-5)
        assert torch.all(pads == 0)
        for part, alone_part in zip(_parts(final), _parts(alone_final), strict=True):
            torch.testing.assert_close(part[:, b], alone_part[:, 0], rtol=0, atol=1e-5)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize(("num_layers", "bidirectional"), [(1, False), (2, True)])
@pytest.mark.parametrize("padding", ["post", "pre"])
def test_pad_values_do_not_change_results(cell, num_layers, bidirectional, padding):
    layer = _layer(cell, num_layers, bidirectional)
    rows = [torch.randn(n, INPUT) for n in LENGTHS]
    lengths = torch.tensor(LENGTHS)
    zeros = torch.stack([_pad_row(row, 7, padding, 0.0) for row in rows])
    noise = torch.stack([_pad_row(row, 7, padding, -50.0) for row in rows])
    _assert_same(layer(noise, lengths, padding=padding), layer(zeros, lengths, padding=padding), atol=1e-6)
    layer.transparent = True
    _assert_same(layer(noise, lengths, padding=padding), layer(zeros, lengths, padding=padding), atol=1e-6)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("padding", ["post", "pre"])
@pytest.mark.parametrize("lengths", [[3, 2, 3], [3, 3, 3]])
def test_columns_of_pads_only_are_trimmed_and_come_back_as_zeros(cell, padding, lengths):
    layer = _layer(cell)
    short = torch.randn(3, 3, INPUT)
    wide = torch.cat([short, torch.ones(3, 4, INPUT)] if padding == "post" else [torch.ones(3, 4, INPUT), short], 1)
    output, final = layer(wide, torch.tensor(lengths), padding=padding)
    expected_output, expected_final = layer(short, torch.tensor(lengths), padding=padding)
    assert output.shape == (3, 7, HIDDEN)
    real, pads = (output[:, :3], output[:, 3:]) if padding == "post" else (output[:, 4:], output[:, :4])
    _assert_same((real, final), (expected_output, expected_final))
    assert torch.all(pads == 0)


@pytest.mark.parametrize("cell", CELLS)
def test_final_state_has_torchs_type_and_layout(cell):
    layer = _layer(cell, 2, True)
    output, final = layer(torch.randn(3, 4, INPUT), lengths=[4, 2, 1])
    assert output.shape == (3, 4, layer.output_size) and layer.output_size == 2 * HIDDEN
    assert isinstance(final, tuple) == (cell == "lstm")
    assert all(part.shape == (4, 3, HIDDEN) for part in _parts(final))


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_gradients_reach_every_weight_and_stop_at_pads(cell, bidirectional):
    layer = _layer(cell, 2, bidirectional).train()
    x = torch.randn(3, 5, INPUT, requires_grad=True)
    output, final = layer(x, torch.tensor([5, 2, 4]))
    (output.sum() + sum(part.sum() for part in _parts(final))).backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in layer.parameters())
    assert torch.all(x.grad[1, 2:] == 0) and torch.all(x.grad[2, 4:] == 0)
    assert torch.all(x.grad[1, :2] != 0)


def test_one_set_of_weights_read_by_both_paths():
    layer = _layer("gru", 2, True)
    assert all(name.startswith("fused.") for name, _ in layer.named_parameters())
    assert sum(p.numel() for p in layer.parameters()) == sum(p.numel() for p in _torch_twin(layer).parameters())
    x = torch.randn(2, 3, INPUT)
    before = layer.forward_with_gates(x)[0]
    with torch.no_grad():
        layer.fused.weight_hh_l1_reverse.zero_()
    after = layer.forward_with_gates(x)[0]
    assert torch.equal(before[..., :HIDDEN], after[..., :HIDDEN])  # forward direction untouched
    assert not torch.equal(before[..., HIDDEN:], after[..., HIDDEN:])
    _assert_same(layer(x), layer.forward_with_gates(x)[:2])


@pytest.mark.parametrize("transparent", [False, True])
def test_dropout_between_layers_applies_in_training_only(transparent):
    layer = _layer("lstm", 2, dropout=0.5)
    layer.transparent = transparent
    x = torch.randn(2, 4, INPUT)
    torch.testing.assert_close(layer(x)[0], layer(x)[0])
    layer.train()
    assert not torch.equal(layer(x)[0], layer(x)[0])
