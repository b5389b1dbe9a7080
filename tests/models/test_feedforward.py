"""FeedForward (one-to-one baseline): shapes, padding, a bag-of-words task it must learn, round trip."""

from __future__ import annotations

import io

import pytest
import torch
import torch.nn.functional as F

from rnnkit.config import ModelConfig
from rnnkit.errors import InputError
from rnnkit.models import FeedForward

VOCAB = 20
POSITIVE, NEGATIVE = (2, 3, 4), (5, 6, 7)  # the toy task: more positive than negative words -> class 1


def tiny_config(**overrides) -> ModelConfig:
    fields = dict(vocab_size=VOCAB, embedding_dim=16, hidden_size=16, num_layers=1, num_classes=2)
    return ModelConfig(**(fields | overrides))


def sentiment_batch(gen: torch.Generator, batch: int):
    """Post-padded rows of 4..10 ids mixing neutral words (8..19) with a clear majority of one polarity."""
    width = 10
    ids = torch.zeros(batch, width, dtype=torch.long)
    lengths = torch.randint(4, width + 1, (batch,), generator=gen)
    labels = torch.randint(0, 2, (batch,), generator=gen)
    for row, (n, label) in enumerate(zip(lengths.tolist(), labels.tolist(), strict=True)):
        major, minor = (POSITIVE, NEGATIVE) if label else (NEGATIVE, POSITIVE)
        n_major = int(torch.randint(2, n + 1, (1,), generator=gen))
        n_minor = int(torch.randint(0, min(n_major, n - n_major + 1), (1,), generator=gen))
        words = [major[int(i)] for i in torch.randint(0, 3, (n_major,), generator=gen)]
        words += [minor[int(i)] for i in torch.randint(0, 3, (n_minor,), generator=gen)]
        words += torch.randint(8, VOCAB, (n - n_major - n_minor,), generator=gen).tolist()
        ids[row, :n] = torch.tensor(words)[torch.randperm(n, generator=gen)]
    return ids, lengths, labels


def test_shapes_and_single_token():
    config = tiny_config(num_layers=2, num_classes=4)
    model = FeedForward(config)
    assert model.config is config
    assert model(torch.randint(1, VOCAB, (3, 7))).shape == (3, 4)
    assert model(torch.tensor([[5], [9]])).shape == (2, 4)  # the strict one-to-one case


@pytest.mark.parametrize("side", ["post", "pre"])
def test_padding_does_not_change_logits(side):
    model = FeedForward(tiny_config()).eval()
    alone = model(torch.tensor([[3, 9, 4]]))
    row = [3, 9, 4, 0, 0] if side == "post" else [0, 0, 3, 9, 4]
    ids, lengths = torch.tensor([row, [1, 2, 3, 4, 5]]), torch.tensor([3, 5])
    torch.testing.assert_close(model(ids, padding=side)[:1], alone)
    torch.testing.assert_close(model(ids, lengths, padding=side)[:1], alone)


def test_learns_bag_of_words_sentiment():
    gen = torch.Generator().manual_seed(5)
    model = FeedForward(tiny_config())
    optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
    for _ in range(150):
        ids, lengths, labels = sentiment_batch(gen, 32)
        loss = F.cross_entropy(model(ids, lengths), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    ids, lengths, labels = sentiment_batch(gen, 500)
    with torch.no_grad():
        accuracy = (model.eval()(ids, lengths).argmax(-1) == labels).float().mean().item()
    assert accuracy > 0.95


def test_bad_input_raises():
    model = FeedForward(tiny_config())
    with pytest.raises(InputError, match=r"must lie in \[0, 20\)"):
        model(torch.tensor([[3, -1]]))
    with pytest.raises(InputError, match="lengths must be between 1 and seq_len=2"):
        model(torch.tensor([[3, 4]]), torch.tensor([0]))


def test_state_dict_round_trip():
    config = tiny_config(num_layers=2)
    model = FeedForward(config).eval()
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    buffer.seek(0)
    loaded = FeedForward(config).eval()
    loaded.load_state_dict(torch.load(buffer, weights_only=True))
    ids = torch.randint(1, VOCAB, (3, 6))
    torch.testing.assert_close(loaded(ids), model(ids), rtol=0, atol=0)
