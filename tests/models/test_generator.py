"""Generator (one-to-many): shapes, initial state, greedy generation, a mapping it must learn."""

from __future__ import annotations

import io

import pytest
import torch
import torch.nn.functional as F

from rnnkit.config import ModelConfig
from rnnkit.errors import ConfigError, InputError
from rnnkit.models import Generator

CELLS = ("rnn", "lstm", "gru")
BOS, EOS = 1, 2
VOCAB = 10
INPUT_DIM = 8
# the toy task: class k (a noisy code vector) -> its own token sequence, then <eos>
SEQUENCES = [[3, 4, 5, 6], [7, 7, 8], [9, 3, 9, 3, 9], [5, 8]]


def tiny_config(**overrides) -> ModelConfig:
    fields = dict(vocab_size=VOCAB, embedding_dim=16, hidden_size=16, num_layers=1, input_dim=INPUT_DIM)
    return ModelConfig(**(fields | overrides))


def toy_batch(gen: torch.Generator, codes: torch.Tensor, batch: int):
    """vectors (B, INPUT_DIM), targets_in (B, 6) starting with <bos>, targets (B, 6) ending with <eos>, classes."""
    classes = torch.randint(0, len(SEQUENCES), (batch,), generator=gen)
    vectors = codes[classes] + 0.1 * torch.randn(batch, INPUT_DIM, generator=gen)
    width = max(len(s) for s in SEQUENCES) + 1
    targets = torch.zeros(batch, width, dtype=torch.long)  # <pad> after <eos>, ignored by the loss
    for row, k in enumerate(classes.tolist()):
        seq = SEQUENCES[k] + [EOS]
        targets[row, : len(seq)] = torch.tensor(seq)
    targets_in = torch.cat([torch.full((batch, 1), BOS), targets[:, :-1]], dim=1)
    return vectors, targets_in, targets, classes


@pytest.mark.parametrize("cell", CELLS)
def test_shapes_and_initial_state(cell):
    model = Generator(tiny_config(cell=cell, num_layers=2, output_size=13))
    vectors = torch.randn(3, INPUT_DIM)
    assert model(vectors, torch.randint(0, 13, (3, 5))).shape == (3, 5, 13)
    state = model.initial_state(vectors)
    parts = state if isinstance(state, tuple) else (state,)
    assert len(parts) == (2 if cell == "lstm" else 1)
    assert all(p.shape == (2, 3, 16) for p in parts)


def test_input_dim_defaults_to_hidden_size():
    model = Generator(tiny_config(input_dim=0, hidden_size=12))
    assert model.input_dim == 12
    assert model(torch.randn(2, 12), torch.ones(2, 3, dtype=torch.long)).shape == (2, 3, VOCAB)


def test_bidirectional_is_refused():
    with pytest.raises(ConfigError, match="bidirectional must be False for a generator"):
        Generator(tiny_config(bidirectional=True))


def test_wrong_vector_size_raises():
    model = Generator(tiny_config())
    with pytest.raises(InputError, match=r"vectors must have shape \(batch, 8\)"):
        model(torch.randn(2, 5), torch.ones(2, 3, dtype=torch.long))


def test_generate_respects_max_len_and_pads_after_eos():
    model = Generator(tiny_config()).eval()
    with torch.no_grad():
        model.head.weight.zero_()
        model.head.bias.zero_()
        model.head.bias[EOS] = 1.0  # always says <eos>
    ids = model.generate(torch.randn(3, INPUT_DIM), max_len=6, bos_id=BOS, eos_id=EOS)
    assert ids.tolist() == [[EOS]] * 3  # every row stopped at once
    with torch.no_grad():
        model.head.bias[EOS] = 0.0
        model.head.bias[4] = 1.0  # always says 4, never <eos>
    ids = model.generate(torch.randn(3, INPUT_DIM), max_len=6, bos_id=BOS, eos_id=EOS)
    assert ids.shape == (3, 6) and bool((ids == 4).all())
    with pytest.raises(InputError, match="max_len must be an integer >= 1"):
        model.generate(torch.randn(3, INPUT_DIM), max_len=0, bos_id=BOS)


@pytest.mark.parametrize("cell", CELLS)
def test_learns_a_sequence_per_class(cell):
    gen = torch.Generator().manual_seed(3)
    codes = torch.randn(len(SEQUENCES), INPUT_DIM, generator=gen)
    model = Generator(tiny_config(cell=cell))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
    for _ in range(150):
        vectors, targets_in, targets, _ = toy_batch(gen, codes, 32)
        logits = model(vectors, targets_in)
        loss = F.cross_entropy(logits.reshape(-1, VOCAB), targets.reshape(-1), ignore_index=0)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    vectors, _, targets, classes = toy_batch(gen, codes, 64)
    ids = model.eval().generate(vectors, max_len=8, bos_id=BOS, eos_id=EOS)
    assert ids.shape[1] == targets.shape[1]  # every row stopped at its <eos>
    exact = (ids == targets).all(dim=1).float().mean().item()
    assert exact > 0.95


@pytest.mark.parametrize("cell", CELLS)
def test_generate_agrees_with_teacher_forcing_on_its_own_output(cell):
    model = Generator(tiny_config(cell=cell, num_layers=2)).eval()
    vectors = torch.randn(3, INPUT_DIM)
    ids = model.generate(vectors, max_len=6, bos_id=BOS)  # no eos: always 6 tokens
    targets_in = torch.cat([torch.full((3, 1), BOS), ids[:, :-1]], dim=1)
    with torch.no_grad():
        assert torch.equal(model(vectors, targets_in).argmax(-1), ids)


@pytest.mark.parametrize("cell", CELLS)
def test_state_dict_round_trip(cell):
    config = tiny_config(cell=cell, num_layers=2)
    model = Generator(config).eval()
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    buffer.seek(0)
    loaded = Generator(config).eval()
    loaded.load_state_dict(torch.load(buffer, weights_only=True))
    vectors = torch.randn(2, INPUT_DIM)
    targets_in = torch.randint(0, VOCAB, (2, 4))
    torch.testing.assert_close(loaded(vectors, targets_in), model(vectors, targets_in), rtol=0, atol=0)
    torch.testing.assert_close(loaded.generate(vectors, 5, BOS, EOS), model.generate(vectors, 5, BOS, EOS))
