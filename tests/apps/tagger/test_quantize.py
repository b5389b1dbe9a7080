"""The tagger with int8 weights: near-identical tags, the float model kept for saving, the CLI flag."""

from __future__ import annotations

import json

import pytest

from rnnkit import ConfigError
from rnnkit.apps.tagger.tagger import Tagger
from rnnkit.cli import main
from rnnkit.data.conllu import read_conllu

from .conftest import TINY

SENTENCES = [
    "show me the cheapest flights from boston to st. louis on monday morning",
    "i'd like to leave at 8 o'clock and arrive in denver before noon",
    "what is the fare for a round trip ticket from dallas to atlanta",
    "list all american airlines flights that stop in pittsburgh",
    "does continental fly from chicago to seattle on saturday evening",
    "which airline serves breakfast on the first flight to miami",
]


@pytest.fixture(scope="module")
def both() -> tuple[Tagger, Tagger]:
    return Tagger.load(), Tagger.load(quantize="int8")


def test_int8_tags_agree_with_float(both):
    exact, q = both
    assert q.quantized == "int8" and exact.quantized is None and repr(q).endswith(", int8)")
    words = [s.split() for s in SENTENCES] + [list(s.words) for s in read_conllu(TINY)]
    pairs = [(a, b) for e, i in zip(exact.tag_sentences(words), q.tag_sentences(words), strict=True)
             for a, b in zip(e, i, strict=True)]
    assert sum(a == b for a, b in pairs) >= 0.97 * len(pairs)


def test_the_float_model_is_kept_and_saved(both, tmp_path):
    exact, q = both
    assert type(q.model.output).__name__ == "Linear" and q.model is q.parts.model
    saved = Tagger.load(q.save(tmp_path / "t.pt"))
    assert saved.quantized is None and saved.tag(SENTENCES[0]) == exact.tag(SENTENCES[0])
    q.quantize("int8")  # again: nothing changes
    assert q.quantized == "int8"


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_every_cell_quantizes_and_tags_as_before(trained, cell):
    tagger = trained(cell)
    sentences = [list(s.words) for s in read_conllu(TINY)]
    expected = tagger.tag_sentences(sentences)
    q = Tagger(tagger.parts)  # a second tagger on the same parts: the session fixture stays float
    q.quantize()
    got = q.tag_sentences(sentences)
    pairs = [(a, b) for e, g in zip(expected, got, strict=True) for a, b in zip(e, g, strict=True)]
    assert sum(a == b for a, b in pairs) >= 0.9 * len(pairs)
    assert tagger.quantized is None and tagger.tag_sentences(sentences) == expected


def test_an_unknown_scheme_is_a_config_error(both):
    with pytest.raises(ConfigError, match="quantize must be one of int8; got 'int4'"):
        Tagger.load(quantize="int4")
    with pytest.raises(ConfigError, match="quantize must be one of int8; got 'float16'"):
        both[0].quantize("float16")


def test_rnnkit_tag_and_eval_take_quantize_int8(capsys, tmp_path):
    assert main(["tag", "show me flights from boston to denver", "--quantize", "int8"]) == 0
    assert capsys.readouterr().out.strip() == ("show/VERB me/PRON flights/NOUN from/ADP boston/PROPN to/ADP "
                                               "denver/PROPN")
    lines = tmp_path / "in.txt"
    lines.write_text("list flights\ni want to fly to miami\n", encoding="utf-8")
    assert main(["tag", "--input", str(lines), "--quantize", "int8"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2
    assert main(["eval", "tagger", str(TINY), "--quantize", "int8", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["quantize"] == "int8" and result["model"]["accuracy"] >= 0.95
    assert main(["tag", "list flights", "--quantize", "int4"]) == 2
    assert "invalid choice: 'int4'" in capsys.readouterr().err
