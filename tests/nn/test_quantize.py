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
