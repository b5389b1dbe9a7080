"""The next-word predictor with int8 weights: same API, near-identical suggestions, float model kept."""

from __future__ import annotations

import pytest

from rnnkit import ConfigError, NextWordPredictor


@pytest.fixture(scope="module")
def both():
    return NextWordPredictor.load(), NextWordPredictor.load(quantize="int8")


def test_int8_suggestions_mostly_agree_with_float(both):
    exact, q = both
    assert q.engine.quantized == "int8" and exact.engine.quantized is None
    prefixes = ["I go to ", "I go to sch", "Thank you for the ", "She wants to ", "Where is the ", "He is a very go"]
    same_first = sum(exact.suggest(p, 3)[0][0] == q.suggest(p, 3)[0][0] for p in prefixes)
    assert same_first >= len(prefixes) - 1
    overlap = [len({w for w, _ in exact.suggest(p, 3)} & {w for w, _ in q.suggest(p, 3)}) for p in prefixes]
    assert sum(overlap) >= 3 * len(prefixes) - 3


def test_int8_generation_is_repeatable_and_the_float_model_is_unchanged(both):
    exact, q = both
    assert q.generate("I go to", 5, seed=3) == q.generate("I go to", 5, seed=3)
    assert type(q.model.decoder).__name__ == "Linear"  # saving writes the float weights
    assert exact.generate("I go to", 5, seed=3) == NextWordPredictor.load().generate("I go to", 5, seed=3)


def test_an_unknown_scheme_is_a_config_error():
    with pytest.raises(ConfigError, match="quantize must be one of int8"):
        NextWordPredictor.load(quantize="int4")


def test_rnnkit_suggest_takes_quantize_int8(capsys):
    from rnnkit.cli import main

    assert main(["suggest", "I go to ", "--quantize", "int8", "--json"]) == 0
    assert '"suggestions"' in capsys.readouterr().out
    assert main(["suggest", "I go to ", "--quantize", "int4"]) == 2
