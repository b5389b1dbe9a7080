"""generate()'s bounds (named once, for the service to import), its argument checks and its filters."""

from __future__ import annotations

import inspect
import math

import pytest
import torch

from rnnkit import InputError, NextWordPredictor
from rnnkit.apps.nextword.sampling import MAX_SEED, TOP_K_OFF, TOP_P_OFF, check_generate, filtered_probs

GOOD = {"text": "I go", "n_words": 3, "temperature": 1.0, "top_k": TOP_K_OFF, "top_p": TOP_P_OFF, "seed": None}


def test_max_seed_is_what_torch_generators_take():
    assert MAX_SEED == 2**64 - 1
    assert torch.Generator().manual_seed(MAX_SEED).initial_seed() == MAX_SEED
    with pytest.raises((ValueError, RuntimeError)):
        torch.Generator().manual_seed(MAX_SEED + 1)


def test_max_seed_is_accepted_and_one_more_refused(predictor):
    check_generate(**GOOD | {"seed": MAX_SEED})
    check_generate(**GOOD | {"seed": 0})
    assert predictor.generate("I go", 3, seed=MAX_SEED) == predictor.generate("I go", 3, seed=MAX_SEED)
    refused = r"seed must be None or an integer in \[0, 2\*\*64\), got 18446744073709551616"
    with pytest.raises(InputError, match=refused):
        predictor.generate("I go", 3, seed=MAX_SEED + 1)
    with pytest.raises(InputError, match=refused):
        check_generate(**GOOD | {"seed": MAX_SEED + 1})


def test_the_off_values_are_the_defaults_and_the_bounds():
    defaults = inspect.signature(NextWordPredictor.generate).parameters
    assert (defaults["top_k"].default, defaults["top_p"].default) == (TOP_K_OFF, TOP_P_OFF) == (0, 1.0)
    with pytest.raises(InputError, match="top_k must be an integer >= 0"):
        check_generate(**GOOD | {"top_k": TOP_K_OFF - 1})
    with pytest.raises(InputError, match=r"top_p must be a number in \(0, 1\]"):
        check_generate(**GOOD | {"top_p": TOP_P_OFF + 1e-9})
    with pytest.raises(InputError, match="temperature must be a number > 0"):
        check_generate(**GOOD | {"temperature": math.inf})


def test_filters_off_leave_the_softmax():
    logits = torch.tensor([2.0, 0.5, -1.0, 1.5], dtype=torch.float64)
    torch.testing.assert_close(filtered_probs(logits, 1.0, TOP_K_OFF, TOP_P_OFF), torch.softmax(logits, dim=0))


def test_top_k_and_top_p_keep_the_most_likely_words():
    logits = torch.tensor([2.0, 0.5, -1.0, 1.5], dtype=torch.float64)
    assert filtered_probs(logits, 1.0, 2, TOP_P_OFF).nonzero().flatten().tolist() == [0, 3]
    probs = torch.softmax(logits, dim=0)  # 0.52, 0.07, 0.02, 0.38 (ids 0, 1, 2, 3)
    assert filtered_probs(logits, 1.0, TOP_K_OFF, 0.6).nonzero().flatten().tolist() == [0, 3]
    assert filtered_probs(logits, 1.0, TOP_K_OFF, float(probs[0]) / 2).nonzero().flatten().tolist() == [0]
    assert filtered_probs(logits, 1e-308, TOP_K_OFF, TOP_P_OFF).tolist() == [1.0, 0.0, 0.0, 0.0]  # greedy
