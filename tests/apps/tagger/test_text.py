"""Raw text to words the UD way: clitics split, punctuation apart, st. and a.m. whole, bounded input."""

from __future__ import annotations

import pytest

from rnnkit.apps.tagger.text import MAX_TEXT_CHARS, is_punctuation, pieces, split_words
from rnnkit.errors import InputError


@pytest.mark.parametrize("text, words", [
    ("show me flights from boston to denver", "show me flights from boston to denver"),
    ("Show me flights, please!", "Show me flights , please !"),
    ("I'd like to fly", "I 'd like to fly"),
    ("I don't want it, I can't", "I do n't want it , I ca n't"),
    ("boston's airport", "boston 's airport"),
    ("we're here and they'll go, I'm in, you've got", "we 're here and they 'll go , I 'm in , you 've got"),
    ("at 8 o'clock to O'Hare", "at 8 o'clock to O'Hare"),
    ("to St. Louis at 5:30 p.m.", "to St. Louis at 5:30 p.m."),
    ("I\u2019d go... really?!", "I 'd go ... really ? !"),
    ("   ", ""),
    ("", ""),
])
def test_split_words(text, words):
    assert split_words(text) == words.split()


def test_split_words_refuses_non_str_and_huge_text():
    with pytest.raises(InputError, match="text must be a str, got bytes"):
        split_words(b"hi")
    with pytest.raises(InputError, match="the tagger reads at most 100,000"):
        split_words("a" * (MAX_TEXT_CHARS + 1))


@pytest.mark.parametrize("word, expected", [(",", True), ("...", True), ("$", True), ("'d", False), ("5", False),
                                            ("a", False), ("_", False)])
def test_is_punctuation(word, expected):
    assert is_punctuation(word) is expected


def test_pieces_cut_after_sentence_ends_and_at_the_limit():
    words = ["a", "b", ".", "c", "d", "e", "f", "!", "g"]
    assert pieces(words, limit=3) == [(0, 3), (3, 6), (6, 8), (8, 9)]
    assert pieces([]) == []
    spans = pieces(["w"] * 450)
    assert [end - start for start, end in spans] == [200, 200, 50]
