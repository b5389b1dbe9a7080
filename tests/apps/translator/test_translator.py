"""The Translator API: results, batches, beam and greedy, every cell, and bad input in bounded time."""

import time

import pytest

from rnnkit import InputError, NotTrainedError
from rnnkit.apps.translator import Translator
from rnnkit.apps.translator import translator as translator_module
from rnnkit.apps.translator.config import MAX_OUTPUT_TOKENS, MAX_SOURCE_TOKENS

from .conftest import PAIRS, tiny_config

RESULT_KEYS = {"text", "translation", "beam", "tokens", "unknown", "truncated"}


def test_translate_gives_the_learnt_sentence_and_a_json_ready_result(tiny_translator):
    result = tiny_translator.translate("I go to school.")
    assert set(result) == RESULT_KEYS
    assert result == {"text": "I go to school.", "translation": "Je vais à l'école.", "beam": 5,
                      "tokens": ["Je", "vais", "à", "l'", "école", "."], "unknown": [], "truncated": False}


@pytest.mark.parametrize("beam", [1, 3])
def test_translate_many_keeps_order_and_matches_translate(tiny_translator, beam):
    texts = [english for english, _ in PAIRS]
    many = tiny_translator.translate_many(texts, beam=beam)
    assert [r["translation"] for r in many] == [french for _, french in PAIRS]
    assert many[3] == tiny_translator.translate(texts[3], beam=beam)


def test_unknown_words_are_listed_and_still_translated(tiny_translator):
    result = tiny_translator.translate("I go to Zanzibar.")
    assert result["unknown"] == ["Zanzibar"]
    assert result["translation"]


@pytest.mark.parametrize("text", ["Je vais à l'école.", "Ich gehe zur Schule.", "我去上学。", "🙂🙂🙂",
                                  "\x00\x01\x02\ufffd\ufffe junk \x7f" * 20])
def test_other_languages_and_junk_give_a_bounded_answer(tiny_translator, text):
    result = tiny_translator.translate(text)
    assert len(result["tokens"]) <= MAX_OUTPUT_TOKENS


def test_long_input_is_cut_and_flagged(tiny_translator):
    started = time.perf_counter()
    result = tiny_translator.translate("I go to school . " * 500)  # 2500 tokens, under the character cap
    assert result["truncated"] and len(result["tokens"]) <= MAX_OUTPUT_TOKENS
    assert time.perf_counter() - started < 10
    assert MAX_SOURCE_TOKENS == 100


@pytest.mark.parametrize(("text", "match"), [
    ("", "text is empty"), ("   \n\t", "text is empty"), ("\x00\x01", "text is empty"),
    ("a" * 1_000_000, "characters long"), (None, "must be a str, got NoneType"), (b"I go", "must be a str, got bytes"),
])
def test_bad_text_raises_one_line_quickly(tiny_translator, text, match):
    started = time.perf_counter()
    with pytest.raises(InputError, match=match) as info:
        tiny_translator.translate(text)
    assert "\n" not in str(info.value)
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize(("kwargs", "match"), [({"beam": 0}, "beam"), ({"beam": 21}, "beam"),
                                               ({"beam": True}, "beam"), ({"max_len": 0}, "max_len"),
                                               ({"max_len": MAX_OUTPUT_TOKENS + 1}, "max_len")])
def test_bad_decoding_arguments_raise(tiny_translator, kwargs, match):
    with pytest.raises(InputError, match=match):
        tiny_translator.translate("I go home.", **kwargs)


def test_translate_many_names_the_bad_text_and_refuses_a_str(tiny_translator):
    with pytest.raises(InputError, match="text 1: text is empty"):
        tiny_translator.translate_many(["I go home.", ""])
    with pytest.raises(InputError, match="list of str, got str"):
        tiny_translator.translate_many("I go home.")
    with pytest.raises(InputError, match="at most 1000 texts"):
        tiny_translator.translate_many(["I go home."] * 1001)


def test_max_len_bounds_the_output(tiny_translator):
    assert len(tiny_translator.translate("I go to school.", max_len=2)["tokens"]) <= 2


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("attention", [True, False])
def test_every_cell_trains_and_translates(cell, attention):
    translator = Translator.train(PAIRS, tiny_config(cell=cell, attention=attention, epochs=3))
    assert translator.model.config.cell == cell and translator.model.config.attention is attention
    result = translator.translate("I am happy.", beam=2)
    assert set(result) == RESULT_KEYS
    assert translator.metrics["steps"] == 6


def test_load_without_a_bundled_model_says_how_to_train(monkeypatch, tmp_path):
    monkeypatch.setattr(translator_module, "DEFAULT_MODEL_PATH", tmp_path / "none.pt")
    with pytest.raises(NotTrainedError, match="rnnkit train translator"):
        Translator.load()


def test_repr_names_the_shape(tiny_translator):
    assert repr(tiny_translator).startswith("Translator(GRU 16, attention=True")
