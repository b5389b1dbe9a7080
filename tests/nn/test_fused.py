"""The fused path packs only when no faster exact way exists (packing is slow on CPU)."""

from __future__ import annotations

import pytest
import torch

import rnnkit.nn.fused as fused
from rnnkit.nn import Recurrent

FEW = [6, 2, 6, 4]  # 3 distinct lengths
MANY = list(range(1, fused.SEGMENT_LIMIT + 3))  # more distinct lengths than SEGMENT_LIMIT


def _count_packing(monkeypatch):
    calls = []
    real = fused.pack_padded_sequence

    def spy(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(fused, "pack_padded_sequence", spy)
    return calls


@pytest.mark.parametrize(("cell", "num_layers", "bidirectional", "lengths", "packs"), [
    ("gru", 1, False, MANY, False),  # one dense call, final h gathered
    ("rnn", 1, False, FEW, False),
    ("lstm", 1, False, FEW, False),  # dense segments
    ("gru", 2, False, FEW, False),
    ("lstm", 2, False, [5, 5, 5, 5], False),  # equal lengths: one call
    ("lstm", 2, False, MANY, True),
    ("gru", 1, True, FEW, True),  # the backward direction must start at each row's end
])
@pytest.mark.parametrize("padding", ["post", "pre"])
def test_packs_only_when_needed_and_stays_exact(monkeypatch, cell, num_layers, bidirectional, lengths, packs,
                                                padding):
    calls = _count_packing(monkeypatch)
    layer = Recurrent(cell, 3, 8, num_layers, bidirectional).eval()
    x, lengths = torch.randn(len(lengths), max(lengths) + 1, 3), torch.tensor(lengths)
    state = layer.init_state(len(lengths))
    state = tuple(torch.randn_like(s) for s in state) if cell == "lstm" else torch.randn_like(state)
    output, final = layer(x, lengths, state, padding)
    assert bool(calls) == packs
    expected_output, expected_final, _ = layer.forward_with_gates(x, lengths, state, padding)
    torch.testing.assert_close(output, expected_output, rtol=0, atol=1e-5)
    torch.testing.assert_close(final, expected_final, rtol=0, atol=1e-5)  # tensors, or (h, c) tuples
