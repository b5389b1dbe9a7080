"""int8 dynamic quantization: same shapes, close outputs, the float module left alone."""

from __future__ import annotations

import torch
from torch import nn

from rnnkit.nn.quantize import quantize_int8


def test_a_linear_layer_keeps_its_outputs_within_int8_precision():
    torch.manual_seed(0)
    layer = nn.Linear(64, 500)
    x = torch.randn(8, 64)
    q = quantize_int8(layer)
    assert type(layer) is nn.Linear and type(q) is not nn.Linear  # a new module; the float one unchanged
    with torch.inference_mode():
        exact, approx = layer(x), q(x)
    assert approx.shape == exact.shape
    assert (approx - exact).abs().max() < 0.05 * exact.abs().max()


def test_an_lstm_keeps_its_interface_and_outputs_close():
    torch.manual_seed(0)
    lstm = nn.LSTM(16, 32, num_layers=2, batch_first=True)
    x = torch.randn(3, 7, 16)
    q = quantize_int8(lstm)
    with torch.inference_mode():
        (out, (h, c)), (q_out, (q_h, q_c)) = lstm(x), q(x)
    assert q_out.shape == out.shape and q_h.shape == h.shape and q_c.shape == c.shape
    assert (q_out - out).abs().max() < 0.05


def test_an_int8_lstm_in_a_mixed_length_batch_keeps_its_cell_state():
    """run_fused's gathered path (one layer, one direction) returns no cell state: int8 LSTMs must not take it."""
    from rnnkit.nn.fused import run_fused

    torch.manual_seed(0)
    lstm = nn.LSTM(4, 6, batch_first=True)
    q = quantize_int8(lstm)
    x, lengths = torch.randn(3, 5, 4), torch.tensor([5, 3, 2])
    with torch.inference_mode():
        _, (h, c) = run_fused(q, x, lengths, None, "post")
        _, (float_h, float_c) = run_fused(lstm, x, lengths, None, "post")
    assert isinstance(c, torch.Tensor) and c.shape == float_c.shape
    assert (h - float_h).abs().max() < 0.05 and (c - float_c).abs().max() < 0.05


def test_int8_copy_swaps_the_named_layers_shares_the_tables_and_skips_absent_ones():
    from rnnkit.nn.quantize import int8_copy

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(10, 4)
            self.rnn = nn.LSTM(4, 8, batch_first=True)
            self.head = nn.Linear(8, 3)
            self.extra = None

    net = Net()
    copy_ = int8_copy(net, ("rnn", "head", "extra", "extra.fused"), shared=(net.embedding.weight,))
    assert copy_.embedding.weight is net.embedding.weight  # shared, not copied
    assert type(net.rnn) is nn.LSTM and type(net.head) is nn.Linear  # the float model unchanged
    assert type(copy_.rnn) is not nn.LSTM and type(copy_.head) is not nn.Linear and copy_.extra is None
    assert not copy_.training
