"""Seq2Seq beam search: greedy at width 1, the exhaustive best at a wide beam, every cell, bad arguments."""

import itertools

import pytest
import torch

from rnnkit import InputError
from rnnkit.config import ModelConfig
from rnnkit.models import Seq2Seq

BOS, EOS = 2, 3


def _model(cell: str, attention: bool = True, output_size: int = 6) -> Seq2Seq:
    torch.manual_seed(0)
    config = ModelConfig(vocab_size=10, output_size=output_size, cell=cell, embedding_dim=8, hidden_size=8,
                         num_layers=1, bidirectional=True, attention=attention)
    return Seq2Seq(config).eval()


@torch.no_grad()
def _log_prob(model: Seq2Seq, src: torch.Tensor, ids: list[int]) -> float:
    tgt = torch.tensor([[BOS, *ids]])
    logits = model(src, None, tgt[:, :-1]).log_softmax(-1)[0]
    return float(sum(logits[t, i] for t, i in enumerate(ids)))


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_width_one_is_greedy(cell):
    model = _model(cell)
    src = torch.tensor([[4, 5, 6, 7], [5, 6, 8, 9]])
    greedy = model.greedy_decode(src, None, 7, BOS, EOS).tolist()
    beam = model.beam_decode(src, None, 7, BOS, EOS, beam=1, length_penalty=0.0)
    for g, b in zip(greedy, beam, strict=True):
        cut = g[:g.index(EOS) + 1] if EOS in g else g
        assert b == cut


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("alpha", [0.0, 1.0])
def test_a_wide_beam_finds_the_exhaustive_best(cell, alpha):
    model, max_len = _model(cell), 3
    src = torch.tensor([[4, 5, 6]])
    words = [0, 1, 2, 4, 5]  # every id but <eos>
    candidates = [[*w, EOS] for n in range(max_len) for w in itertools.product(words, repeat=n)]
    candidates += [list(w) for w in itertools.product(words, repeat=max_len)]  # cut at max_len
    best = max(candidates, key=lambda ids: _log_prob(model, src, ids) / len(ids) ** alpha)
    assert model.beam_decode(src, None, max_len, BOS, EOS, beam=6 ** max_len, length_penalty=alpha)[0] == best


def test_rows_of_a_batch_decode_as_they_would_alone():
    model = _model("gru")
    src = torch.tensor([[4, 5, 6, 0], [7, 8, 9, 4]])
    both = model.beam_decode(src, None, 6, BOS, EOS, beam=3)
    assert both[0] == model.beam_decode(src[:1, :3], None, 6, BOS, EOS, beam=3)[0]
    assert both[1] == model.beam_decode(src[1:], None, 6, BOS, EOS, beam=3)[0]


def test_without_attention_and_output_lengths_are_bounded():
    model = _model("lstm", attention=False)
    out = model.beam_decode(torch.tensor([[4, 5]]), None, 4, BOS, EOS, beam=4)
    assert 1 <= len(out[0]) <= 4


@pytest.mark.parametrize(("kwargs", "match"), [({"beam": 0}, "beam"), ({"length_penalty": -1.0}, "length_penalty"),
                                               ({"max_len": 0}, "max_len")])
def test_bad_arguments_raise(kwargs, match):
    args = {"max_len": 5, "beam": 2, "length_penalty": 1.0} | kwargs
    with pytest.raises(InputError, match=match):
        _model("gru").beam_decode(torch.tensor([[4]]), None, args.pop("max_len"), BOS, EOS, **args)


@pytest.mark.parametrize("beam", [1, 3])
def test_banned_ids_are_never_produced(beam):
    model = _model("gru")
    src = torch.tensor([[4, 5, 6, 7], [5, 6, 8, 9]])
    free = model.beam_decode(src, None, 8, BOS, EOS, beam=beam)
    banned = sorted({i for row in free for i in row} - {EOS})[:2]
    out = model.beam_decode(src, None, 8, BOS, EOS, beam=beam, banned=banned)
    greedy = model.greedy_decode(src, None, 8, BOS, EOS, banned=banned).tolist()
    assert banned and not {i for row in out + greedy for i in row} & set(banned)
