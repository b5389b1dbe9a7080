"""Tests for rnnkit.text.tokenize."""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnkit.errors import ConfigError, InputError
from rnnkit.text import Tokenizer

word = Tokenizer()


@pytest.mark.parametrize("contraction", ["don't", "I'm", "can't", "they'll", "o'clock", "we've", "she'd", "it’s"])
def test_word_level_keeps_contractions_together(contraction):
    assert word(f"{contraction} go") == [contraction, "go"]


def test_word_level_splits_punctuation_into_tokens(tiny_texts):
    assert word("Hello, world! (really?)") == ["Hello", ",", "world", "!", "(", "really", "?", ")"]
    assert word(tiny_texts[2]) == ["I", "don't", "like", "rainy", "days", ",", "but", "I", "love", "snow", "!"]


def test_seed_sentence_is_four_words():
    assert word("I go to school") == ["I", "go", "to", "school"]


@pytest.mark.parametrize("number", ["3.5", "1,000", "1,000.25", "42", "2024"])
def test_numbers_stay_together(number):
    assert word(f"pay {number}.") == ["pay", number, "."]


def test_time_is_not_a_number_or_emoticon():
    assert word("at 10:30") == ["at", "10", ":", "30"]


@pytest.mark.parametrize("emoticon", [":)", ":-(", ":D", ";)", ":P", ":'(", "<3"])
def test_emoticons_stay_together(emoticon):
    assert word(f"so fun {emoticon} ok") == ["so", "fun", emoticon, "ok"]


def test_emoticon_letter_mouth_needs_a_word_boundary():
    assert word(":Data <30") == [":", "Data", "<", "30"]


def test_each_emoji_is_its_own_token():
    assert word("great😀😀 👍") == ["great", "😀", "😀", "👍"]


@pytest.mark.parametrize(
    "emoji",
    [
        "👍🏽",  # skin tone modifier
        "👨\u200d👩\u200d👧",  # ZWJ family sequence
        "❤️",  # variation selector 16
        "🇫🇷",  # regional-indicator flag
        "1️⃣",  # keycap
        "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",  # England: tag sequence
    ],
)
def test_emoji_sequences_are_one_token(emoji):
    assert word(f"a {emoji} b") == ["a", emoji, "b"]


def test_two_flags_side_by_side_are_two_tokens():
    assert word("🇫🇷🇩🇪") == ["🇫🇷", "🇩🇪"]


def test_accents_cjk_and_indic_words_stay_whole():
    assert word("café cafe\u0301 日本語 हिन्दी") == ["café", "cafe\u0301", "日本語", "हिन्दी"]


def test_already_split_clitics_from_ptb_and_sst_text_stay_whole():
    assert word("it 's good , does n't he") == ["it", "'s", "good", ",", "does", "n't", "he"]


def test_control_chars_zero_width_spaces_and_lone_surrogates_act_as_spaces():
    assert word("a\x00b\ud800c\u200bd\ufeffe") == ["a", "b", "c", "d", "e"]


@pytest.mark.parametrize(
    "text", ["\ud800", "\udfff x", "\x00\x1f\x7f", "\u200d", "\U000e0067", "\u0301", "\U0010ffff", "ǅ\u0345"]
)
def test_odd_unicode_never_crashes(text):
    for tokenizer in (word, Tokenizer(lower=True), Tokenizer(level="char")):
        assert isinstance(tokenizer(text), list)


def _dropped(ch: str) -> bool:
    """The characters the word tokenizer treats as spaces (module docstring)."""
    cat = unicodedata.category(ch)
    joiner_or_tag = ch in "\u200c\u200d" or 0xE0020 <= ord(ch) <= 0xE007F
    return cat == "Cs" or (cat == "Cc" and not ch.isspace()) or (cat == "Cf" and not joiner_or_tag)


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(exclude_categories=()), max_size=40))
def test_property_word_tokens_cover_every_kept_character(text):
    tokens = word(text)
    assert all(tokens) and not any(any(ch.isspace() for ch in t) for t in tokens)
    assert "".join(tokens) == "".join(ch for ch in text if not ch.isspace() and not _dropped(ch))
    assert isinstance(Tokenizer(lower=True)(text), list)


def test_char_level_is_every_character():
    assert Tokenizer(level="char")("Hi, 😀\n") == ["H", "i", ",", " ", "😀", "\n"]


def test_lower_lowercases_tokens():
    assert Tokenizer(lower=True)("Don't SHOUT") == ["don't", "shout"]
    assert Tokenizer(level="char", lower=True)("Ab") == ["a", "b"]


def test_tokenize_and_call_agree():
    assert word.tokenize("a b") == word("a b") == ["a", "b"]


@pytest.mark.parametrize("level", ["word", "char"])
def test_empty_string_gives_no_tokens(level):
    assert Tokenizer(level=level)("") == []
    assert Tokenizer(level="word")("  \n\t ") == []


@pytest.mark.parametrize(("bad", "name"), [(None, "NoneType"), (42, "int"), (b"bytes", "bytes"), (["a"], "list")])
def test_non_str_text_raises_input_error_naming_the_type(bad, name):
    with pytest.raises(InputError, match=f"text must be a str, got {name}"):
        word(bad)


def test_unknown_level_raises_config_error():
    with pytest.raises(ConfigError, match="level must be one of 'word', 'char', got 'sentence'"):
        Tokenizer(level="sentence")


def test_non_bool_lower_raises_config_error():
    with pytest.raises(ConfigError, match="lower must be a bool, got str"):
        Tokenizer(lower="yes")


def test_tokenizer_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        word.level = "char"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
def test_ascii_fast_path_equals_the_full_rules(text):
    from rnnkit.text.tokenize import _patterns

    token, drop = _patterns()
    assert Tokenizer().tokenize(text) == token.findall(drop.sub(" ", text))
    assert Tokenizer().tokenize(text + "\x1c:)") == token.findall(drop.sub(" ", text + "\x1c:)"))
