"""Classifier (many-to-one): shapes, padding invariance, a toy task it must learn, errors, round trip."""

from __future__ import annotations

import io

import pytest
import torch
import torch.nn.functional as F

from rnnkit.config import ModelConfig
from rnnkit.errors import InputError
from rnnkit.models import Classifier

CELLS = ("rnn", "lstm", "gru")
VOCAB = 10
TARGET_TOKEN = 5  # the toy task: does the sequence contain this id?


def tiny_config(**overrides) -> ModelConfig:
    fields = dict(vocab_size=VOCAB, embedding_dim=16, hidden_size=16, num_layers=1, num_classes=2)
    return ModelConfig(**(fields | overrides))


def pad(rows: list[list[int]], side: str = "post") -> tuple[torch.Tensor, torch.Tensor]:
    """Pad rows of ids with 0 to the longest; return ids (B, T) and lengths (B,)."""
    width = max(len(r) for r in rows)
    padded = [r + [0] * (width - len(r)) if side == "post" else [0] * (width - len(r)) + r for r in rows]
    return torch.tensor(padded), torch.tensor([len(r) for r in rows])


def contains_batch(gen: torch.Generator, batch: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Random rows of ids 1..9 of length 3..8, half of them holding TARGET_TOKEN; label 1 if they do."""
    rows, labels = [], []
    for _ in range(batch):
        length = int(torch.randint(3, 9, (1,), generator=gen))
        row = torch.randint(1, VOCAB, (length,), generator=gen)
        row[row == TARGET_TOKEN] = 1
        label = int(torch.rand(1, generator=gen) < 0.5)
        if label:
            row[int(torch.randint(0, length, (1,), generator=gen))] = TARGET_TOKEN
        rows.append(row.tolist())
        labels.append(label)
    ids, lengths = pad(rows)
    return ids, lengths, torch.tensor(labels)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("pooling", ["last", "mean", "max"])
def test_logits_shape(cell, bidirectional, pooling):
    config = tiny_config(
        cell=cell, bidirectional=bidirectional, pooling=pooling, num_layers=2, num_classes=3, dropout=0.2
    )
    model = Classifier(config)
    ids, lengths = pad([[1, 2, 3], [4, 5], [6, 7, 8, 9]])
    assert model(ids, lengths).shape == (3, 3)
    assert model.config is config
    assert model.embedding.padding_idx == 0


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("pooling", ["last", "mean", "max"])
@pytest.mark.parametrize("side", ["post", "pre"])
def test_padding_does_not_change_logits(cell, bidirectional, pooling, side):
    model = Classifier(tiny_config(cell=cell, bidirectional=bidirectional, pooling=pooling, num_layers=2)).eval()
    seq = [3, 1, 4, 1, 5]
    alone = model(torch.tensor([seq]))
    ids, lengths = pad([[2, 7, 1, 8, 2, 8, 1, 8, 2], seq, [6]], side=side)
    batched = model(ids, lengths, padding=side)
    torch.testing.assert_close(batched[1:2], alone, atol=1e-5, rtol=1e-5)
    # lengths=None counts the non-pad ids: same answer
    torch.testing.assert_close(model(ids, padding=side), batched)


@pytest.mark.parametrize("cell", CELLS)
def test_last_pooling_is_forward_end_and_backward_start_of_the_top_layer(cell):
    model = Classifier(tiny_config(cell=cell, bidirectional=True, num_layers=2)).eval()
    ids, lengths = pad([[1, 2, 3], [4, 5], [6, 7, 8, 9]])
    output, state = model.rnn(model.embedding(ids), lengths=lengths)
    pooled = model._pool(output, state, lengths, "post")  # (B, 2H)
    rows = torch.arange(3)
    torch.testing.assert_close(pooled[:, :16], output[rows, lengths - 1, :16])  # forward, at the last token
    torch.testing.assert_close(pooled[:, 16:], output[:, 0, 16:])  # backward, at the first token


@pytest.mark.parametrize("cell", CELLS)
def test_learns_whether_a_token_occurs(cell):
    gen = torch.Generator().manual_seed(1)
    model = Classifier(tiny_config(cell=cell, pooling="max"))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
    for _ in range(150):
        ids, lengths, labels = contains_batch(gen, 32)
        loss = F.cross_entropy(model(ids, lengths), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    ids, lengths, labels = contains_batch(gen, 256)
    with torch.no_grad():
        accuracy = (model.eval()(ids, lengths).argmax(-1) == labels).float().mean().item()
    assert accuracy > 0.95


def test_last_pooling_learns_too():
    gen = torch.Generator().manual_seed(2)
    model = Classifier(tiny_config(cell="gru", pooling="last", bidirectional=True))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
    for _ in range(150):
        ids, lengths, labels = contains_batch(gen, 32)
        loss = F.cross_entropy(model(ids, lengths), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    ids, lengths, labels = contains_batch(gen, 256)
    with torch.no_grad():
        accuracy = (model.eval()(ids, lengths).argmax(-1) == labels).float().mean().item()
    assert accuracy > 0.95


@pytest.mark.parametrize(
    ("ids", "lengths", "padding", "match"),
    [
        (torch.ones(2, 3), None, "post", "2-D integer tensor"),
        (torch.ones(3, dtype=torch.long), None, "post", "2-D integer tensor"),
        (torch.tensor([[1, VOCAB]]), None, "post", r"must lie in \[0, 10\)"),
        (torch.tensor([[1, 2]]), torch.tensor([3]), "post", "lengths must be between 1 and seq_len=2"),
        (torch.tensor([[0, 0]]), None, "post", "row 0 of ids holds only <pad>"),
        (torch.tensor([[1, 2]]), torch.tensor([2, 2]), "post", r"lengths must have shape \(1,\)"),
        (torch.tensor([[1, 2]]), None, "middle", "padding must be one of post, pre"),
    ],
)
def test_bad_input_raises(ids, lengths, padding, match):
    model = Classifier(tiny_config())
    with pytest.raises(InputError, match=match):
        model(ids, lengths, padding=padding)


@pytest.mark.parametrize("cell", CELLS)
def test_state_dict_round_trip(cell):
    config = tiny_config(cell=cell, bidirectional=True, num_layers=2, pooling="mean")
    model = Classifier(config).eval()
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    buffer.seek(0)
    loaded = Classifier(config).eval()
    loaded.load_state_dict(torch.load(buffer, weights_only=True))
    ids, lengths = pad([[1, 2, 3], [4, 5]])
    torch.testing.assert_close(loaded(ids, lengths), model(ids, lengths), rtol=0, atol=0)
