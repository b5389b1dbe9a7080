"""Tests for rnnkit.text.vocab."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rnnkit.errors import InputError
from rnnkit.text import Tokenizer, Vocabulary

CORPUS = [["b", "a", "c", "a"], ["c", "b", "a", "d"]]  # a:3, b:2, c:2, d:1


def test_specials_have_fixed_ids():
    vocab = Vocabulary.build(CORPUS)
    assert vocab.tokens[:2] == ("<pad>", "<unk>")
    assert (vocab.pad_id, vocab.unk_id, vocab.bos_id, vocab.eos_id) == (0, 1, None, None)
    assert not vocab.has_bos_eos


def test_bos_eos_get_ids_2_and_3_when_enabled():
    vocab = Vocabulary.build(CORPUS, add_bos_eos=True)
    assert vocab.tokens[:4] == ("<pad>", "<unk>", "<bos>", "<eos>")
    assert (vocab.bos_id, vocab.eos_id) == (2, 3)
    assert vocab.token_to_id("a") == 4


def test_build_orders_by_frequency_then_token():
    assert Vocabulary.build(CORPUS).tokens == ("<pad>", "<unk>", "a", "b", "c", "d")


def test_build_tie_break_does_not_depend_on_corpus_order():
    assert Vocabulary.build([["z", "y", "x"]]) == Vocabulary.build([["x", "y", "z"]])
    assert Vocabulary.build([["z", "y", "x"]]).tokens[2:] == ("x", "y", "z")


def test_min_freq_drops_rare_tokens():
    assert Vocabulary.build(CORPUS, min_freq=2).tokens[2:] == ("a", "b", "c")


def test_max_size_counts_the_special_tokens():
    vocab = Vocabulary.build(CORPUS, max_size=4)
    assert len(vocab) == 4 and vocab.tokens[2:] == ("a", "b")
    assert len(Vocabulary.build(CORPUS, max_size=5, add_bos_eos=True)) == 5


def test_max_size_equal_to_specials_keeps_only_specials():
    assert Vocabulary.build(CORPUS, max_size=2).tokens == ("<pad>", "<unk>")


def test_max_size_larger_than_corpus_keeps_everything():
    assert len(Vocabulary.build(CORPUS, max_size=100)) == 6


def test_empty_corpus_gives_only_the_specials():
    assert Vocabulary.build([]).tokens == ("<pad>", "<unk>")
    assert Vocabulary.build([[], []], add_bos_eos=True).tokens == ("<pad>", "<unk>", "<bos>", "<eos>")


def test_corpus_tokens_spelled_like_specials_map_to_them():
    # PTB text holds "<unk>"; read_ptb appends "<eos>".
    vocab = Vocabulary.build([["<unk>", "x", "<eos>", "<pad>"]], add_bos_eos=True)
    assert vocab.tokens == ("<pad>", "<unk>", "<bos>", "<eos>", "x")
    assert vocab.encode(["<unk>", "<eos>"]) == [1, 3]


def test_eos_is_an_ordinary_token_without_bos_eos():
    vocab = Vocabulary.build([["x", "<eos>", "<eos>"]])
    assert vocab.tokens == ("<pad>", "<unk>", "<eos>", "x")
    assert vocab.eos_id is None


def test_encode_maps_unknown_tokens_to_unk():
    vocab = Vocabulary.build(CORPUS)
    assert vocab.encode(["a", "zzz", "d"]) == [2, 1, 5]
    assert vocab.encode(()) == []


def test_decode_inverts_encode():
    vocab = Vocabulary.build(CORPUS)
    assert vocab.decode(vocab.encode(["d", "a", "b"])) == ["d", "a", "b"]
    assert vocab.decode(np.array([0, 1, 2])) == ["<pad>", "<unk>", "a"]


def test_lookups_len_and_contains():
    vocab = Vocabulary.build(CORPUS)
    assert len(vocab) == 6
    assert "a" in vocab and "zzz" not in vocab and "<pad>" in vocab and 3 not in vocab
    assert vocab.token_to_id("c") == 4 and vocab.token_to_id("nope") == 1
    assert vocab.id_to_token(5) == "d" and vocab.id_to_token(np.int64(2)) == "a"


def test_build_from_tokenized_tiny_texts(tiny_texts):
    tokenize = Tokenizer(lower=True)
    vocab = Vocabulary.build([tokenize(t) for t in tiny_texts])
    assert vocab.tokens[2] == "the"  # 4 times, the most frequent word
    assert vocab.decode(vocab.encode(tokenize("I go to school"))) == ["i", "go", "to", "school"]


@pytest.mark.parametrize("add_bos_eos", [False, True])
def test_dict_and_json_round_trip_exactly(add_bos_eos):
    vocab = Vocabulary.build([["café", "日本", "😀", "\ud800", '"q"', "a"]], add_bos_eos=add_bos_eos)
    assert Vocabulary.from_dict(vocab.to_dict()) == vocab
    assert Vocabulary.from_dict(json.loads(json.dumps(vocab.to_dict()))) == vocab
    again = Vocabulary.from_json(vocab.to_json())
    assert again == vocab and again.tokens == vocab.tokens and again.has_bos_eos == add_bos_eos


def test_save_load_round_trip(tmp_path):
    vocab = Vocabulary.build(CORPUS + [["😀", "\ud800"]], add_bos_eos=True)
    path = tmp_path / "vocab.json"
    vocab.save(path)
    assert Vocabulary.load(path) == vocab
    assert Vocabulary.load(str(path)).encode(["😀"]) == vocab.encode(["😀"])


def test_load_rejects_a_non_path():
    with pytest.raises(InputError, match="path must be a str or os.PathLike, got NoneType"):
        Vocabulary.load(None)


def test_load_missing_file_names_the_path(tmp_path):
    with pytest.raises(InputError, match="cannot read vocabulary file .*missing.json"):
        Vocabulary.load(tmp_path / "missing.json")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json {", "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not valid JSON"),
        ('{"model": "gpt"}', "not an rnnkit vocabulary"),
        ("[1, 2]", "not an rnnkit vocabulary"),
        ('{"format": "rnnkit.vocabulary", "version": 99}', "unsupported vocabulary version 99"),
    ],
)
def test_load_bad_or_foreign_json_raises_input_error(tmp_path, content, message):
    path = tmp_path / "v.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(InputError, match=message) as info:
        Vocabulary.load(path)
    assert "\n" not in str(info.value) and "v.json" in str(info.value)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"add_bos_eos": "no", "tokens": []}, "add_bos_eos must be a bool"),
        ({"add_bos_eos": False, "tokens": "abc"}, "must be a list of tokens, got a str"),
        ({"add_bos_eos": False, "tokens": ["<pad>", "<unk>", 3]}, "must hold only str tokens, got int"),
        ({"add_bos_eos": False, "tokens": ["<unk>", "<pad>"]}, "must start with"),
        ({"add_bos_eos": True, "tokens": ["<pad>", "<unk>", "x"]}, "must start with"),
        ({"add_bos_eos": False, "tokens": ["<pad>", "<unk>", "x", "x"]}, "token 'x' appears twice"),
    ],
)
def test_from_dict_rejects_inconsistent_data(data, message):
    with pytest.raises(InputError, match=message):
        Vocabulary.from_dict({"format": "rnnkit.vocabulary", "version": 1, **data})


def test_from_json_rejects_non_str():
    with pytest.raises(InputError, match="JSON text must be a str, got NoneType"):
        Vocabulary.from_json(None)


@pytest.mark.parametrize(
    ("token_lists", "message"),
    [
        (None, "token_lists must be a list of token lists, got NoneType"),
        ("a b", "token_lists must be a list of token lists, got str"),
        ([["a"], "b c"], r"token_lists\[1\] must be a list of tokens, got a str"),
        ([["a", None]], r"token_lists\[0\] must hold only str tokens, got NoneType"),
        ([["a"], 7], r"token_lists\[1\] must be a list of str tokens, got int"),
    ],
)
def test_build_rejects_bad_corpus(token_lists, message):
    with pytest.raises(InputError, match=message):
        Vocabulary.build(token_lists)


@pytest.mark.parametrize("min_freq", [0, -1, 1.5, None, True])
def test_build_rejects_min_freq_below_one(min_freq):
    with pytest.raises(InputError, match="min_freq must be an integer >= 1, got"):
        Vocabulary.build(CORPUS, min_freq=min_freq)


@pytest.mark.parametrize(("max_size", "add_bos_eos", "minimum"), [(1, False, 2), (0, False, 2), (3, True, 4)])
def test_build_rejects_max_size_below_number_of_specials(max_size, add_bos_eos, minimum):
    with pytest.raises(InputError, match=f"max_size must be an integer >= {minimum}, got {max_size}"):
        Vocabulary.build(CORPUS, max_size=max_size, add_bos_eos=add_bos_eos)


def test_encode_refuses_a_plain_string():
    with pytest.raises(InputError, match="tokens must be a list of tokens, got a str; tokenize the text first"):
        Vocabulary.build(CORPUS).encode("abc")


@pytest.mark.parametrize(("tokens", "message"), [(None, "got NoneType"), (["a", 1], "must hold only str tokens")])
def test_encode_rejects_non_token_lists(tokens, message):
    with pytest.raises(InputError, match=message):
        Vocabulary.build(CORPUS).encode(tokens)


@pytest.mark.parametrize("bad_id", [6, -1, 100])
def test_decode_out_of_range_id_raises(bad_id):
    with pytest.raises(InputError, match=f"token id {bad_id} is out of range for a vocabulary of size 6"):
        Vocabulary.build(CORPUS).decode([0, bad_id])


@pytest.mark.parametrize(("ids", "message"), [(None, "ids must be a list of ints"), ([1.0], "must be an integer")])
def test_decode_rejects_non_int_ids(ids, message):
    with pytest.raises(InputError, match=message):
        Vocabulary.build(CORPUS).decode(ids)


def test_decode_rejects_2d_arrays():
    with pytest.raises(InputError, match=r"ids must be one-dimensional, got shape \(1, 2\)"):
        Vocabulary.build(CORPUS).decode(np.zeros((1, 2), dtype=int))


def test_token_to_id_rejects_non_str():
    with pytest.raises(InputError, match="token must be a str, got int"):
        Vocabulary.build(CORPUS).token_to_id(3)


def test_constructor_rejects_duplicates_and_specials():
    with pytest.raises(InputError, match="token 'a' appears twice"):
        Vocabulary(["a", "a"])
    with pytest.raises(InputError, match="token '<pad>' appears twice"):
        Vocabulary(["<pad>"])
    with pytest.raises(InputError, match="add_bos_eos must be a bool, got int"):
        Vocabulary(add_bos_eos=1)
