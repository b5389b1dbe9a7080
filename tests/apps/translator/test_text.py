"""Translator text: normalising, tokens of both sides, French detokenisation."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnnkit import InputError
from rnnkit.apps.translator.text import MAX_INPUT_CHARS, detokenize, normalise, tokenize


@pytest.mark.parametrize(("text", "tokens"), [
    ("I don't know.", ["I", "don'", "t", "know", "."]),
    ("Qu'est-ce que c'est\u202f?", ["Qu'", "est-ce", "que", "c'", "est", "?"]),
    ("J’ai 20 ans, l'homme.", ["J'", "ai", "20", "ans", ",", "l'", "homme", "."]),
    ("Il a dit «\u00a0oui\u00a0».", ["Il", "a", "dit", "«", "oui", "»", "."]),
    ("", []),
    ("  \t\n ", []),
])
def test_tokenize(text, tokens):
    assert tokenize(text) == tokens


@pytest.mark.parametrize("french", ["Je vais à l'école.", "Qu'est-ce que c'est ?", "Va !", "Aujourd'hui, il pleut.",
                                    "Il a dit « oui ».", "Il a 20 ans (je crois)."])
def test_detokenize_undoes_tokenize_on_french(french):
    assert detokenize(tokenize(french)) == french


def test_normalise_spaces_apostrophes_and_control_characters():
    assert normalise(" a\u202f!\u00a0b\x00c\u200b d’e ") == "a ! bc d'e"


def test_text_too_long_or_not_a_str_is_refused():
    with pytest.raises(InputError, match="characters long"):
        tokenize("a" * (MAX_INPUT_CHARS + 1))
    with pytest.raises(InputError, match="must be a str, got bytes"):
        tokenize(b"I go")


@given(st.text(max_size=200))
def test_any_text_gives_tokens_without_spaces(text):
    assert all(token and not any(ch.isspace() for ch in token) for token in tokenize(text))
