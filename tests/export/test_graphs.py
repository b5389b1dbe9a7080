"""The exported wrappers give their models' own numbers (pure torch, every cell, several lengths)."""

from __future__ import annotations

import pytest
import torch

from rnnkit.export.graphs import NextWordStep, SentimentLogits, TaggerLogits
from rnnkit.export.products import check_inputs

from .conftest import TEXTS, tiny_nextword, tiny_sentiment, tiny_tagger

TOL = 1e-5


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("steps", [1, 3, 17])
def test_nextword_step_equals_the_language_model_from_any_state(cell, steps):
    model = tiny_nextword(cell).model
    ids = torch.randint(0, model.config.vocab_size, (2, steps))
    state = tuple(torch.randn(2, 2, 12) for _ in range(2 if cell == "lstm" else 1))
    got = NextWordStep(model).eval()(ids, *state)
    logits, final = model(ids, state if cell == "lstm" else state[0])
    expected = (logits[:, -1], *(final if cell == "lstm" else (final,)))
    assert len(got) == len(expected) == (3 if cell == "lstm" else 2)
    for g, e in zip(got, expected, strict=True):
        assert (g - e).abs().max() < TOL


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_sentiment_logits_equal_the_classifier_on_equal_length_rows(cell):
    net = tiny_sentiment(cell).model.eval()
    for steps in (1, 4, 30):
        ids = torch.randint(1, net.config.vocab_size, (3, steps))
        expected = net(ids, torch.full((3,), steps))
        assert (SentimentLogits(net).eval()(ids) - expected).abs().max() < TOL


@pytest.mark.parametrize("cell, chars", [("rnn", 6), ("lstm", 6), ("gru", 6), ("lstm", 0)])
def test_tagger_logits_equal_the_network_on_real_sentences(cell, chars):
    tagger = tiny_tagger(cell, chars)
    wrapper = TaggerLogits(tagger.model).eval()
    for words, char_ids in check_inputs(tagger, TEXTS):  # words of different lengths, unknown ones included
        expected = tagger.model(words, char_ids, torch.tensor([words.size(1)]))
        assert (wrapper(words, char_ids) - expected).abs().max() < TOL
