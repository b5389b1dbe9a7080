"""The generators with int8 weights: repeatable text, near-float log-likelihood, the float model kept, the CLI flag."""

from __future__ import annotations

import json

import pytest

from rnnkit import ConfigError
from rnnkit.apps.generator.evaluate import evaluate_text
from rnnkit.apps.generator.generator import CharGenerator
from rnnkit.cli import main

from .conftest import TEXT, tiny_config

PASSAGE = ("KING RICHARD II:\nNo matter where; of comfort no man speak:\n"
           "Let's talk of graves, of worms, and epitaphs;\nMake dust our paper and with rainy eyes\n"
           "Write sorrow on the bosom of the earth.\n\n") * 3


@pytest.fixture(scope="module")
def both() -> tuple[CharGenerator, CharGenerator]:
    return CharGenerator.load(), CharGenerator.load(quantize="int8")


def test_int8_log_likelihood_is_close_to_float(both):
    exact, q = both
    assert q.quantized == "int8" and exact.quantized is None and repr(q).endswith("symbols, int8)")
    want, got = evaluate_text(exact, PASSAGE)["nats_per_char"], evaluate_text(q, PASSAGE)["nats_per_char"]
    assert abs(got - want) < 0.03 * want


def test_int8_sampling_is_repeatable_and_reads_like_its_model(both):
    exact, q = both
    first = q.generate("ROMEO:", 80, temperature=0.8, seed=3)
    assert first == q.generate("ROMEO:", 80, temperature=0.8, seed=3) and len(first["text"]) == 80
    greedy = [g.generate("KING RICHARD II:\nNo matter where; of comfort", 12, top_k=1, seed=0)["text"] for g in both]
    assert greedy[0][:6] == greedy[1][:6]


def test_the_conditioned_model_quantizes_too():
    q = CharGenerator.load(conditioned=True, quantize="int8")
    assert q.quantized == "int8" and type(q.model.decoder).__name__ == "Linear"
    texts = q.generate_many(3, "Positive", length=40, seed=1)
    assert len(texts) == 3 and texts == q.generate_many(3, "Positive", length=40, seed=1)


def test_the_float_model_is_kept_and_saved(both, tmp_path):
    exact, q = both
    assert type(q.model.decoder).__name__ == "Linear" and q.network is not q.model and exact.network is exact.model
    saved = CharGenerator.load(q.save(tmp_path / "g.pt"))
    assert saved.quantized is None
    assert saved.generate("ROMEO:", 30, seed=1) == exact.generate("ROMEO:", 30, seed=1)
    q.quantize("int8")  # again: nothing changes
    assert q.quantized == "int8"


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_every_cell_quantizes(cell):
    tiny = CharGenerator.train(TEXT, tiny_config(cell=cell, epochs=8))
    want = evaluate_text(tiny, TEXT)["nats_per_char"]
    tiny.quantize()
    assert abs(evaluate_text(tiny, TEXT)["nats_per_char"] - want) < 0.05 * want
    assert tiny.generate("ROMEO:", 20, seed=2) == tiny.generate("ROMEO:", 20, seed=2)


def test_an_unknown_scheme_is_a_config_error(both):
    with pytest.raises(ConfigError, match="quantize must be one of int8; got 'int4'"):
        CharGenerator.load(quantize="int4")
    with pytest.raises(ConfigError, match="quantize must be one of int8; got 'fp8'"):
        both[0].quantize("fp8")


def test_rnnkit_generate_and_eval_take_quantize_int8(capsys, tmp_path):
    assert main(["generate", "ROMEO:", "--length", "30", "--seed", "1", "--quantize", "int8", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["text"]) == 30
    assert main(["generate", "--label", "Negative", "--length", "30", "--seed", "1", "--quantize", "int8"]) == 0
    assert capsys.readouterr().out.strip()
    assert main(["generate", "I go to", "--words", "--length", "3", "--seed", "1", "--quantize", "int8"]) == 0
    assert capsys.readouterr().out.startswith("I go to ")
    passage = tmp_path / "passage.txt"
    passage.write_text(PASSAGE, encoding="utf-8")
    assert main(["eval", "generator", str(passage), "--valid-fraction", "1", "--quantize", "int8", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["quantize"] == "int8" and 0 < result["nats_per_char"] < 3
    assert main(["generate", "ROMEO:", "--quantize", "int4"]) == 2
    assert "invalid choice: 'int4'" in capsys.readouterr().err
