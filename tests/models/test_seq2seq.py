"""Seq2Seq (encoder-decoder): shapes, bridge, source padding, a reversal task it must learn, round trip."""

from __future__ import annotations

import io

import pytest
import torch
import torch.nn.functional as F

from rnnkit.config import ModelConfig
from rnnkit.errors import InputError
from rnnkit.models import Seq2Seq

CELLS = ("rnn", "lstm", "gru")
BOS, EOS = 1, 2
DIGITS = range(3, 9)  # six "digit" tokens
VOCAB = 9


def tiny_config(**overrides) -> ModelConfig:
    fields = dict(vocab_size=VOCAB, embedding_dim=16, hidden_size=32, num_layers=1)
    return ModelConfig(**(fields | overrides))


def reverse_batch(gen: torch.Generator, batch: int, longest: int = 5):
    """src (B, longest) post-padded digits of length 2..longest, lengths, tgt_in = <bos> + reversed, tgt."""
    src = torch.zeros(batch, longest, dtype=torch.long)
    tgt = torch.zeros(batch, longest + 1, dtype=torch.long)
    lengths = torch.randint(2, longest + 1, (batch,), generator=gen)
    for row, n in enumerate(lengths.tolist()):
        digits = torch.randint(DIGITS.start, DIGITS.stop, (n,), generator=gen)
        src[row, :n] = digits
        tgt[row, : n + 1] = torch.cat([digits.flip(0), torch.tensor([EOS])])
    tgt_in = torch.cat([torch.full((batch, 1), BOS), tgt[:, :-1]], dim=1)
    return src, lengths, tgt_in, tgt


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_shapes_with_separate_target_vocab(cell, bidirectional):
    model = Seq2Seq(tiny_config(cell=cell, bidirectional=bidirectional, num_layers=2, output_size=7))
    src, lengths = torch.tensor([[3, 4, 5], [6, 7, 0]]), torch.tensor([3, 2])
    assert model(src, lengths, torch.randint(0, 7, (2, 4))).shape == (2, 4, 7)
    memory, src_mask, state = model.encode(src, lengths)
    assert memory.shape == (2, 3, 32 * (2 if bidirectional else 1))
    assert src_mask.tolist() == [[True, True, True], [True, True, False]]
    parts = state if isinstance(state, tuple) else (state,)
    assert [tuple(p.shape) for p in parts] == [(2, 2, 32)] * len(parts)
    assert model.decoder.num_directions == 1
    with pytest.raises(InputError, match=r"tgt_in must lie in \[0, 7\)"):
        model(src, lengths, torch.tensor([[1, 8]]))


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("attention", [False, True])
def test_source_padding_does_not_change_logits(cell, attention):
    model = Seq2Seq(tiny_config(cell=cell, bidirectional=True, attention=attention)).eval()
    tgt_in = torch.tensor([[BOS, 5, 6]])
    alone = model(torch.tensor([[3, 4, 5]]), None, tgt_in)
    batched = model(torch.tensor([[3, 4, 5, 0, 0], [8, 7, 6, 5, 4]]), torch.tensor([3, 5]), tgt_in.repeat(2, 1))
    torch.testing.assert_close(batched[:1], alone, atol=1e-5, rtol=1e-5)


def test_bad_lengths_raise():
    model = Seq2Seq(tiny_config())
    with pytest.raises(InputError, match="lengths must be between 1 and seq_len=2"):
        model(torch.tensor([[3, 4]]), torch.tensor([4]), torch.tensor([[BOS]]))


@pytest.mark.parametrize("cell", CELLS)
def test_greedy_decode_agrees_with_teacher_forcing_on_its_own_output(cell):
    model = Seq2Seq(tiny_config(cell=cell, bidirectional=True, num_layers=2, attention=True)).eval()
    src, lengths = torch.tensor([[3, 4, 5], [6, 7, 0]]), torch.tensor([3, 2])
    ids = model.greedy_decode(src, lengths, max_len=5, bos_id=BOS, eos_id=None)
    tgt_in = torch.cat([torch.full((2, 1), BOS), ids[:, :-1]], dim=1)
    with torch.no_grad():
        assert torch.equal(model(src, lengths, tgt_in).argmax(-1), ids)


def reversal_exact_match(config: ModelConfig, longest: int, steps: int) -> float:
    """Train on random digit reversals (Adam, clipped gradients); exact-match rate of greedy decoding."""
    gen = torch.Generator().manual_seed(4)
    model = Seq2Seq(config)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(steps):
        src, lengths, tgt_in, tgt = reverse_batch(gen, 32, longest)
        logits = model(src, lengths, tgt_in)
        loss = F.cross_entropy(logits.reshape(-1, VOCAB), tgt.reshape(-1), ignore_index=0)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)  # Adam at 0.01 spikes now and then without it
        optimizer.step()
    src, lengths, _, tgt = reverse_batch(gen, 200, longest)
    ids = model.eval().greedy_decode(src, lengths, max_len=longest + 3, bos_id=BOS, eos_id=EOS)
    width = tgt.shape[1]
    ids = F.pad(ids, (0, max(0, width - ids.shape[1])))[:, :width]  # a longer answer is wrong anyway
    return (ids == tgt).all(dim=1).float().mean().item()


@pytest.mark.parametrize(("cell", "bidirectional"), [("rnn", True), ("lstm", False), ("gru", True)])
def test_learns_to_reverse_digits_with_attention(cell, bidirectional):
    config = tiny_config(cell=cell, bidirectional=bidirectional, attention=True)
    assert reversal_exact_match(config, longest=5, steps=300) > 0.9


def test_learns_to_reverse_short_digits_through_the_final_state_alone():
    config = tiny_config(cell="lstm")  # no attention: the source reaches the decoder only via the bridge
    assert reversal_exact_match(config, longest=4, steps=400) > 0.9


@torch.no_grad()
def test_attention_ignores_source_padding():
    model = Seq2Seq(tiny_config(cell="gru", attention=True)).eval()
    memory, src_mask, state = model.encode(torch.tensor([[3, 4, 0], [5, 6, 7]]))
    output, weights = model.attention(torch.randn(2, 4, 32), memory, src_mask)
    assert output.shape == (2, 4, 32)
    assert float(weights[0, :, 2].abs().max()) == 0.0  # no weight on the <pad> of row 0
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 4))


@pytest.mark.parametrize("cell", CELLS)
def test_state_dict_round_trip(cell):
    config = tiny_config(cell=cell, bidirectional=True, num_layers=2, output_size=11, attention=cell != "rnn")
    model = Seq2Seq(config).eval()
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    buffer.seek(0)
    loaded = Seq2Seq(config).eval()
    loaded.load_state_dict(torch.load(buffer, weights_only=True))
    src, lengths = torch.tensor([[3, 4, 5], [6, 7, 0]]), torch.tensor([3, 2])
    tgt_in = torch.randint(0, 11, (2, 4))
    torch.testing.assert_close(loaded(src, lengths, tgt_in), model(src, lengths, tgt_in), rtol=0, atol=0)
    torch.testing.assert_close(
        loaded.greedy_decode(src, lengths, 5, BOS, EOS), model.greedy_decode(src, lengths, 5, BOS, EOS)
    )
