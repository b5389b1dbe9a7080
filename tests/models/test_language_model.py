"""LanguageModel (many-to-many): shapes, state carrying, weight tying, init, a pattern it must learn."""

from __future__ import annotations

import io
import math

import pytest
import torch
import torch.nn.functional as F

from rnnkit.config import ModelConfig
from rnnkit.errors import ConfigError, InputError
from rnnkit.models import LanguageModel, detach_state

CELLS = ("rnn", "lstm", "gru")
VOCAB = 12
PATTERN = [3, 7, 4, 9, 4, 7, 11]  # repeats; every token is predictable from the two before it


def tiny_config(**overrides) -> ModelConfig:
    fields = dict(vocab_size=VOCAB, embedding_dim=16, hidden_size=16, num_layers=1)
    return ModelConfig(**(fields | overrides))


def state_shapes(state) -> list[tuple[int, ...]]:
    return [tuple(s.shape) for s in (state if isinstance(state, tuple) else (state,))]


@pytest.mark.parametrize("cell", CELLS)
def test_shapes_and_state(cell):
    model = LanguageModel(tiny_config(cell=cell, num_layers=2))
    logits, state = model(torch.randint(1, VOCAB, (3, 5)))
    assert logits.shape == (3, 5, VOCAB)
    expected = [(2, 3, 16)] * (2 if cell == "lstm" else 1)
    assert state_shapes(state) == expected
    assert state_shapes(model.init_state(3)) == expected
    zeros = model.init_state(3)
    assert all(not s.any() for s in (zeros if isinstance(zeros, tuple) else (zeros,)))


@pytest.mark.parametrize("cell", CELLS)
def test_carrying_state_equals_one_long_pass(cell):
    model = LanguageModel(tiny_config(cell=cell, num_layers=2)).eval()
    ids = torch.randint(1, VOCAB, (2, 8))
    whole, _ = model(ids)
    first, state = model(ids[:, :5], model.init_state(2))
    second, _ = model(ids[:, 5:], state)
    torch.testing.assert_close(torch.cat([first, second], dim=1), whole, atol=1e-5, rtol=1e-5)


def test_lengths_take_state_at_last_true_token():
    model = LanguageModel(tiny_config(cell="gru")).eval()
    alone_logits, alone_state = model(torch.tensor([[4, 5, 6]]))
    logits, state = model(torch.tensor([[4, 5, 6, 0, 0], [1, 2, 3, 4, 5]]), lengths=torch.tensor([3, 5]))
    torch.testing.assert_close(state[:, :1], alone_state, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(logits[:1, :3], alone_logits, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("cell", CELLS)
def test_tied_weights_are_one_parameter(cell):
    model = LanguageModel(tiny_config(cell=cell, tie_weights=True))
    assert model.decoder.weight is model.encoder.weight
    untied = LanguageModel(tiny_config(cell=cell))
    n_params = sum(p.numel() for p in model.parameters())
    assert n_params == sum(p.numel() for p in untied.parameters()) - VOCAB * 16
    logits, _ = model(torch.randint(1, VOCAB, (2, 4)))
    logits.sum().backward()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    optimizer.step()
    assert model.decoder.weight is model.encoder.weight


def test_tie_weights_needs_equal_sizes():
    with pytest.raises(ConfigError, match="tie_weights needs embedding_dim == hidden_size"):
        tiny_config(tie_weights=True, embedding_dim=8)


def test_bidirectional_is_refused():
    with pytest.raises(ConfigError, match="bidirectional must be False for a language model"):
        LanguageModel(tiny_config(bidirectional=True))


@torch.no_grad()
def test_init_follows_word_language_model():
    model = LanguageModel(tiny_config())
    assert float(model.encoder.weight.abs().max()) <= 0.1
    assert float(model.decoder.weight.abs().max()) <= 0.1
    assert float(model.decoder.bias.abs().max()) == 0.0
    assert float(model.encoder.weight[0].abs().max()) == 0.0  # <pad> row


@pytest.mark.parametrize("cell", CELLS)
def test_detach_state_keeps_values_and_cuts_graph(cell):
    model = LanguageModel(tiny_config(cell=cell))
    _, state = model(torch.randint(1, VOCAB, (2, 3)))
    detached = detach_state(state)
    assert type(detached) is type(state)
    pairs = zip(state, detached, strict=True) if isinstance(state, tuple) else [(state, detached)]
    for before, after in pairs:
        assert before.requires_grad and not after.requires_grad
        assert torch.equal(before, after)
    assert detach_state(None) is None


def test_bad_ids_raise():
    model = LanguageModel(tiny_config())
    with pytest.raises(InputError, match=r"must lie in \[0, 12\)"):
        model(torch.tensor([[1, 12]]))


@pytest.mark.parametrize("cell", CELLS)
def test_memorises_a_repeating_pattern_with_truncated_bptt(cell):
    batch, seq_len = 8, 10
    stream = torch.tensor(PATTERN * 60)  # (420,)
    columns = stream[: batch * (len(stream) // batch)].view(batch, -1)  # (B, 52): row i starts at 52*i
    model = LanguageModel(tiny_config(cell=cell))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
    losses = []
    for _ in range(30):  # epochs over the stream: 180 steps
        state = model.init_state(batch)
        for start in range(0, columns.shape[1] - 1, seq_len):
            ids = columns[:, start : start + seq_len]
            targets = columns[:, start + 1 : start + 1 + seq_len]
            ids = ids[:, : targets.shape[1]]
            logits, state = model(ids, detach_state(state))
            loss = F.cross_entropy(logits.reshape(-1, VOCAB), targets.reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    # chance is log(12) = 2.48; with the state carried across chunks every next token is certain
    assert sum(losses[-5:]) / 5 < 0.04 * math.log(VOCAB)


@pytest.mark.parametrize("tie", [False, True])
def test_state_dict_round_trip(tie):
    config = tiny_config(cell="lstm", num_layers=2, tie_weights=tie)
    model = LanguageModel(config).eval()
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    buffer.seek(0)
    loaded = LanguageModel(config).eval()
    loaded.load_state_dict(torch.load(buffer, weights_only=True))
    assert (loaded.decoder.weight is loaded.encoder.weight) == tie
    ids = torch.randint(1, VOCAB, (2, 6))
    torch.testing.assert_close(loaded(ids)[0], model(ids)[0], rtol=0, atol=0)
