"""Temperature, top-k and top-p filtering: one rule for every generator, rows filtered on their own."""

from __future__ import annotations

import torch

from rnnkit.models.sampling import TOP_K_OFF, TOP_P_OFF, filtered_probs


def test_off_settings_are_the_softmax():
    logits = torch.tensor([2.0, 1.0, 0.0, -1.0])
    assert torch.allclose(filtered_probs(logits, 1.0, TOP_K_OFF, TOP_P_OFF), torch.softmax(logits, 0))


def test_top_k_and_top_p_keep_the_likeliest_and_renormalise():
    logits = torch.log(torch.tensor([0.5, 0.3, 0.15, 0.05]))
    assert torch.allclose(filtered_probs(logits, 1.0, 2, TOP_P_OFF), torch.tensor([0.625, 0.375, 0.0, 0.0]))
    assert torch.allclose(filtered_probs(logits, 1.0, TOP_K_OFF, 0.7), torch.tensor([0.625, 0.375, 0.0, 0.0]))
    assert filtered_probs(logits, 1.0, TOP_K_OFF, 0.4).tolist() == [1.0, 0.0, 0.0, 0.0]


def test_a_tiny_temperature_is_greedy_and_never_nan():
    probs = filtered_probs(torch.tensor([1.0, 3.0, 2.0]), 1e-30, TOP_K_OFF, TOP_P_OFF)
    assert probs.tolist() == [0.0, 1.0, 0.0]


def test_a_batch_is_filtered_row_by_row_as_single_rows_are():
    torch.manual_seed(0)
    batch = torch.randn(5, 30)
    together = filtered_probs(batch, 0.7, 8, 0.9)
    alone = torch.stack([filtered_probs(row, 0.7, 8, 0.9) for row in batch])
    assert torch.allclose(together, alone) and torch.allclose(together.sum(-1), torch.ones(5))
