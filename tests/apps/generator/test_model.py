"""LabelledLanguageModel reads the label with every character; LabelledStreamTask scores characters only."""

from __future__ import annotations

import pytest
import torch

from rnnkit.apps.generator.model import LabelledLanguageModel, LabelledStreamTask
from rnnkit.config import ModelConfig
from rnnkit.errors import InputError

CONFIG = ModelConfig(vocab_size=6, embedding_dim=4, hidden_size=8, num_layers=1)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_the_label_changes_every_step(cell):
    model = LabelledLanguageModel(ModelConfig(vocab_size=6, cell=cell, embedding_dim=4, hidden_size=8), 2).eval()
    chars = torch.tensor([[4, 5, 4]])
    first, state = model(chars)  # label 0
    second, _ = model(chars + 6)  # the same characters, label 1
    assert first.shape == (1, 3, 6) and not torch.allclose(first[:, -1], second[:, -1])
    carried, _ = model(torch.tensor([[4]]), state)
    assert carried.shape == (1, 1, 6)


@pytest.mark.parametrize("ids, lengths, match", [
    (torch.tensor([[12]]), None, r"ids must lie in \[0, 12\)"),
    (torch.tensor([[-1]]), None, "ids must lie in"),
    (torch.tensor([1, 2]), None, "2-D integer tensor"),
    (torch.tensor([[1.0]]), None, "2-D integer tensor"),
    (torch.tensor([[1, 2]]), torch.tensor([2]), "lengths are not supported"),
])
def test_bad_ids_raise(ids, lengths, match):
    with pytest.raises(InputError, match=match):
        LabelledLanguageModel(CONFIG, 2)(ids, lengths=lengths)


def test_the_task_targets_are_characters():
    stream = torch.tensor([3, 10, 11, 9, 4, 5, 3])  # V = 6: ids 10, 11, 9 are label 1's
    rows = LabelledStreamTask(6).prepare(stream, batch_size=1)
    ids, targets = LabelledStreamTask(6).make_batch(rows, (0, 6), torch.device("cpu"))
    assert ids.tolist() == [[3, 10, 11, 9, 4, 5]] and targets.tolist() == [[4, 5, 3, 4, 5, 3]]
