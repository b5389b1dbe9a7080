"""The fused path packs only when no faster exact way exists (packing is slow on CPU), and stays exact."""

from __future__ import annotations

import contextlib

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

import rnnkit.nn.fused as fused
from rnnkit.nn import Recurrent
from rnnkit.nn.masking import roll_rows

CELLS = ("rnn", "lstm", "gru")
FEW = [6, 2, 6, 4]  # 3 distinct lengths, unsorted
SOME = [6, 2, 5, 4, 6]  # 4 distinct: over INFERENCE_DIRECTION_LIMIT, within SEGMENT_LIMIT
MANY = list(range(1, fused.SEGMENT_LIMIT + 3))  # more distinct lengths than SEGMENT_LIMIT
INPUT, HIDDEN = 3, 8


def _count_packing(monkeypatch):
    calls = []
    real = fused.pack_padded_sequence

    def spy(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(fused, "pack_padded_sequence", spy)
    return calls


def _parts(state):
    """The tensors of a state: (h,) or (h, c)."""
    return state if isinstance(state, tuple) else (state,)


def _random_state(layer, batch_size):
    state = layer.init_state(batch_size)
    return tuple(torch.randn_like(s) for s in state) if isinstance(state, tuple) else torch.randn_like(state)


def _packed_reference(layer, x, lengths, state, padding):
    """torch's own answer: the same module over packed input (pre padding rotated to post and back)."""
    longest = x.size(1)
    if padding == "pre":
        x = roll_rows(x, lengths - longest)
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    output, final = layer.fused(packed, state)
    output, _ = pad_packed_sequence(output, batch_first=True, total_length=longest)
    return (roll_rows(output, longest - lengths) if padding == "pre" else output), final


def _assert_same(got, expected, atol):
    for a, b in zip([got[0], *_parts(got[1])], [expected[0], *_parts(expected[1])], strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=atol)


@pytest.mark.parametrize(("cell", "num_layers", "bidirectional", "lengths", "grad", "packs"), [
    ("gru", 1, False, MANY, True, False),  # one dense call, final h gathered
    ("rnn", 1, False, FEW, True, False),
    ("lstm", 1, False, FEW, True, False),  # dense segments
    ("gru", 2, False, FEW, False, False),
    ("lstm", 2, False, [5, 5, 5, 5], True, False),  # equal lengths: one call
    ("lstm", 2, False, MANY, True, True),
    ("lstm", 1, True, FEW, True, False),  # directions one by one, in segments
    ("lstm", 2, True, SOME, True, False),
    ("lstm", 2, True, FEW, False, False),  # inference: up to INFERENCE_DIRECTION_LIMIT lengths
    ("lstm", 1, True, SOME, False, True),
    ("lstm", 1, True, MANY, True, True),
    ("gru", 1, True, FEW, True, False),
    ("gru", 1, True, FEW, False, True),  # torch's packed rnn/gru infer as fast
    ("rnn", 2, True, SOME, True, False),
    ("rnn", 2, True, MANY, True, True),
])
@pytest.mark.parametrize("padding", ["post", "pre"])
def test_packs_only_when_needed_and_stays_exact(monkeypatch, cell, num_layers, bidirectional, lengths, grad, packs,
                                                padding):
    calls = _count_packing(monkeypatch)
    layer = Recurrent(cell, INPUT, HIDDEN, num_layers, bidirectional).eval()
    x, lengths = torch.randn(len(lengths), max(lengths) + 1, INPUT), torch.tensor(lengths)
    state = _random_state(layer, len(lengths))
    with contextlib.nullcontext() if grad else torch.no_grad():
        output, final = layer(x, lengths, state, padding)
    assert bool(calls) == packs
    expected_output, expected_final, _ = layer.forward_with_gates(x, lengths, state, padding)
    _assert_same((output, final), (expected_output, expected_final), atol=1e-5)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize(("num_layers", "bidirectional"), [(1, False), (2, False), (1, True), (2, True)])
@pytest.mark.parametrize("lengths", [FEW, [6, 6, 4, 2, 2]], ids=["unsorted", "longest-first"])
@pytest.mark.parametrize("padding", ["post", "pre"])
@pytest.mark.parametrize("given_state", [False, True])
def test_matches_torch_packed_outputs_and_gradients(monkeypatch, cell, num_layers, bidirectional, lengths, padding,
                                                    given_state):
    calls = _count_packing(monkeypatch)
    layer = Recurrent(cell, INPUT, HIDDEN, num_layers, bidirectional).train()
    lengths = torch.tensor(lengths)
    x = torch.randn(len(lengths), int(lengths.max()), INPUT, requires_grad=True)
    state = _random_state(layer, len(lengths)) if given_state else None
    got = layer(x, lengths, state, padding)
    assert not calls  # the fast paths ran
    expected = _packed_reference(layer, x, lengths, state, padding)
    _assert_same(got, expected, atol=1e-5)

    def gradients(output_and_state):
        torch.manual_seed(1)  # the same random weighting of every output, both times
        output, final = output_and_state
        loss = sum((part * torch.randn_like(part)).sum() for part in [output, *_parts(final)])
        return torch.autograd.grad(loss, [x, *layer.parameters()])

    for a, b in zip(gradients(got), gradients(expected), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-4)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_plain_rnn_directions_use_the_modules_nonlinearity(nonlinearity):
    layer = Recurrent("rnn", INPUT, HIDDEN, 2, True, nonlinearity=nonlinearity)
    x, lengths = torch.randn(4, 6, INPUT), torch.tensor(FEW)
    _assert_same(layer(x, lengths), _packed_reference(layer, x, lengths, None, "post"), atol=1e-5)


@pytest.mark.parametrize("cell", CELLS)
def test_dropout_between_layers_of_a_bidirectional_stack(monkeypatch, cell):
    calls = _count_packing(monkeypatch)
    layer = Recurrent(cell, INPUT, HIDDEN, 2, True, dropout=0.5).train()
    x, lengths = torch.randn(4, 6, INPUT, requires_grad=True), torch.tensor(FEW)
    output, final = layer(x, lengths)
    (output.sum() + sum(part.sum() for part in _parts(final))).backward()
    assert not calls and output.shape == (4, 6, 2 * HIDDEN)
    assert torch.all(output[1, 2:] == 0) and torch.all(x.grad[1, 2:] == 0)  # pads stay out
    expected = _packed_reference(layer.eval(), x, lengths, None, "post")
    for part, expected_part in zip(_parts(final), _parts(expected[1]), strict=True):
        torch.testing.assert_close(part[:2], expected_part[:2], rtol=0, atol=1e-5)  # layer 0: before any dropout
        assert not torch.allclose(part[2:], expected_part[2:])  # layer 1 read a dropped-out input
    _assert_same(layer(x, lengths), expected, atol=1e-5)  # eval mode: no dropout, exact


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize(("num_layers", "bidirectional"), [(1, True), (2, True), (2, False)])
@pytest.mark.parametrize("padding", ["post", "pre"])
def test_outputs_only_runs_dense_and_equals_the_exact_path(cell, num_layers, bidirectional, padding):
    torch.manual_seed(0)
    layer = Recurrent(cell, 5, 6, num_layers=num_layers, bidirectional=bidirectional).eval()
    lengths = torch.tensor([3, 9, 1, 7, 9, 2, 5, 4])  # 7 distinct lengths: the exact path packs
    x = torch.randn(len(lengths), 11, 5)  # two columns of pads in every row, trimmed and put back
    with torch.no_grad():
        want, want_final = layer(x, lengths, padding=padding)
        got, final = layer(x, lengths, padding=padding, final=False)
    assert final is None and want_final is not None
    torch.testing.assert_close(got, want, atol=1e-6, rtol=1e-5)
    pads = ~torch.arange(11).lt(lengths[:, None]) if padding == "post" else torch.arange(11).lt(11 - lengths[:, None])
    assert bool((got[pads] == 0).all())


def test_outputs_only_keeps_the_exact_path_when_autograd_records():
    layer = Recurrent("lstm", 5, 6, bidirectional=True)
    x = torch.randn(3, 4, 5, requires_grad=True)
    output, final = layer(x, torch.tensor([4, 2, 3]), final=False)
    assert final is not None  # training: the module's usual exact path, final state included
    output.sum().backward()
    assert x.grad is not None


# run_module: one step by the cell kernels -------------------------------------------------------------------

def _step_calls(monkeypatch):
    """Count _one_step's calls (the cell-kernel path) while letting it run."""
    calls = []
    real = fused._one_step

    def spy(*args):
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(fused, "_one_step", spy)
    return calls


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("num_layers", [1, 3])
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("given_state", [True, False])
def test_run_module_one_step_by_cells_equals_the_module(monkeypatch, cell, num_layers, nonlinearity, given_state):
    torch.manual_seed(0)
    layer = Recurrent(cell, INPUT, HIDDEN, num_layers=num_layers, dropout=0.5, nonlinearity=nonlinearity).eval()
    x = torch.randn(4, 1, INPUT)
    state = _random_state(layer, 4) if given_state else None
    with torch.inference_mode():
        expected = layer.fused(x, state)
        calls = _step_calls(monkeypatch)
        got = fused.run_module(layer.fused, x, state)
        via_layer = layer(x, state=state)
    assert calls == [1, 1]  # run_module, then the layer's forward (run_fused without lengths)
    _assert_same(got, expected, atol=1e-6)
    _assert_same(via_layer, expected, atol=1e-6)
    assert torch.backends.mkldnn.enabled  # nothing switched off for the process


@pytest.mark.parametrize("case", ["two steps", "training mode", "autograd", "bidirectional", "int8"])
def test_run_module_leaves_everything_else_to_the_module(monkeypatch, case):
    torch.manual_seed(0)
    layer = Recurrent("lstm", INPUT, HIDDEN, num_layers=2, bidirectional=case == "bidirectional").eval()
    module = layer.fused
    x = torch.randn(2, 2 if case == "two steps" else 1, INPUT)
    if case == "training mode":
        module.train()
    if case == "int8":
        from rnnkit.nn.quantize import quantize_int8

        module = quantize_int8(module)
    calls = _step_calls(monkeypatch)
    with contextlib.nullcontext() if case == "autograd" else torch.no_grad():
        got = fused.run_module(module, x, None)
        expected = module(x)
    assert calls == []
    if case != "training mode":  # dropout draws differ between the two calls
        _assert_same(got, expected, atol=0)


@settings(max_examples=40, deadline=None)
@given(cell=st.sampled_from(["lstm", "gru", "rnn_tanh", "rnn_relu"]), layers=st.integers(1, 3),
       batch=st.integers(1, 6), features=st.integers(1, 9), hidden=st.integers(1, 9), bias=st.booleans(),
       with_state=st.booleans(), seed=st.integers(0, 2**16))
def test_run_module_one_step_equals_the_module_for_any_shape(cell, layers, batch, features, hidden, bias,
                                                               with_state, seed):
    torch.manual_seed(seed)
    kind, _, nonlinearity = cell.partition("_")
    cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[kind]
    extra = {"nonlinearity": nonlinearity} if kind == "rnn" else {}
    module = cls(features, hidden, num_layers=layers, bias=bias, batch_first=True, **extra).eval()
    x = torch.randn(batch, 1, features)
    state = None
    if with_state:
        h = torch.randn(layers, batch, hidden)
        state = (h, torch.randn_like(h)) if kind == "lstm" else h
    with torch.inference_mode():
        assert fused._steps_by_cell(module, x)
        _assert_same(fused.run_module(module, x, state), module(x, state), atol=1e-5)
