"""The translator with int8 weights: mostly the same French, the float model kept for saving, the CLI flag."""

from __future__ import annotations

import json

import pytest

from rnnkit import ConfigError
from rnnkit.apps.translator import Translator
from rnnkit.cli import main

from .conftest import PAIRS, tiny_config

SENTENCES = ["I go to school.", "How are you?", "I don't know.", "I am hungry.", "Where is the train station?",
             "My dog follows me wherever I go.", "She is reading a book in the garden."]


@pytest.fixture(scope="module")
def both() -> tuple[Translator, Translator]:
    return Translator.load(), Translator.load(quantize="int8")


def _words(result: dict) -> set[str]:
    return set(result["tokens"])


@pytest.mark.parametrize("beam", [1, 5])
def test_int8_translates_mostly_the_same_words(both, beam):
    exact, q = both
    assert q.quantized == "int8" and exact.quantized is None and repr(q).endswith("French words, int8)")
    want, got = exact.translate_many(SENTENCES, beam=beam), q.translate_many(SENTENCES, beam=beam)
    assert all(r["translation"] for r in got)
    assert sum(w["translation"] == g["translation"] for w, g in zip(want, got, strict=True)) >= len(SENTENCES) - 2
    shared = sum(len(_words(w) & _words(g)) for w, g in zip(want, got, strict=True))
    assert shared >= 0.8 * sum(len(_words(w)) for w in want)
    assert q.translate("I go to school.", beam=beam)["translation"] == "Je vais à l'école."


def test_the_float_model_is_kept_and_saved(both, tmp_path):
    exact, q = both
    assert type(q.model.head).__name__ == "Linear" and q.model is q.parts.model
    saved = Translator.load(q.save(tmp_path / "t.pt"))
    assert saved.quantized is None
    assert saved.translate(SENTENCES[-1], beam=1) == exact.translate(SENTENCES[-1], beam=1)
    q.quantize("int8")  # again: nothing changes
    assert q.quantized == "int8"


@pytest.mark.parametrize("changes", [{"cell": "rnn"}, {"cell": "lstm", "bidirectional": False},
                                     {"cell": "gru", "attention": False, "num_layers": 2}])
def test_every_shape_quantizes_and_still_decodes(changes):
    tiny = Translator.train(PAIRS, tiny_config(epochs=40, **changes))
    want = [r["translation"] for r in tiny.translate_many([e for e, _ in PAIRS], beam=2)]
    tiny.quantize()
    got = [r["translation"] for r in tiny.translate_many([e for e, _ in PAIRS], beam=2)]
    assert all(got) and sum(w == g for w, g in zip(want, got, strict=True)) >= len(PAIRS) - 2


def test_an_unknown_scheme_is_a_config_error(both):
    with pytest.raises(ConfigError, match="quantize must be one of int8; got 'int4'"):
        Translator.load(quantize="int4")
    with pytest.raises(ConfigError, match="quantize must be one of int8; got None"):
        both[0].quantize(None)


def test_rnnkit_translate_and_eval_take_quantize_int8(capsys, tmp_path):
    assert main(["translate", "I go to school.", "--quantize", "int8"]) == 0
    assert capsys.readouterr().out.strip() == "Je vais à l'école."
    lines = tmp_path / "in.txt"
    lines.write_text("How are you?\nI am hungry.\n", encoding="utf-8")
    assert main(["translate", "--input", str(lines), "--greedy", "--quantize", "int8"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2
    data = tmp_path / "pairs.txt"
    data.write_text("".join(f"I see {i} cats.\tJe vois {i} chats.\n" for i in range(100)), encoding="utf-8")
    assert main(["eval", "translator", "--data", str(data), "--greedy", "--max-sentences", "3", "--quantize", "int8",
                 "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["quantize"] == "int8" and result["sentences"] >= 1 and result["bleu"] >= 0
    assert main(["translate", "I go.", "--quantize", "int4"]) == 2
    assert "invalid choice: 'int4'" in capsys.readouterr().err
