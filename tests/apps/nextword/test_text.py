"""Next-word text handling: PTB conventions, sentence ends, joining words."""

from __future__ import annotations

from rnnkit.apps.nextword.text import TextSettings, encode_committed, join_words


def test_ptb_settings_meet_the_ptb_vocabulary():
    assert TextSettings(corpus_format="ptb").tokens("I don't have 3.5 cats, it's N") == [
        "i", "do", "n't", "have", "N", "cats", ",", "it", "'s", "n"]


def test_line_breaks_are_sentence_ends_never_twice(predictor):
    vocab, eos = predictor.vocab, predictor.vocab.eos_id
    ids, last = encode_committed("the cat\n\nthe dog\n", vocab, predictor.text_settings, eos)
    assert ids == vocab.encode(["the", "cat", "<eos>", "the", "dog", "<eos>"]) and last == "<eos>"
    assert encode_committed("\n", vocab, predictor.text_settings, eos)[0] == []


def test_join_words_glues_punctuation():
    assert join_words(["I", "go", "to", "school", ",", "do", "n't", "I", "?"]) == "I go to school, don't I?"
