"""Tests for rnnkit.text.encode: one-hot and Keras-exact pad_sequences."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnkit.errors import InputError
from rnnkit.text import Tokenizer, Vocabulary, one_hot, pad_sequences, pad_sequences_with_lengths

SEQS = [[1, 2, 3], [4, 5, 6, 7, 8], []]


def keras_pad_sequences(sequences, maxlen=None, padding="pre", truncating="pre", value=0):
    """The algorithm of keras.utils.pad_sequences (Keras 3, sequence_utils.py) for 1-D int sequences."""
    lengths = [len(s) for s in sequences]
    if maxlen is None:
        maxlen = max(lengths)
    x = np.full((len(sequences), maxlen), value, dtype="int64")
    for idx, s in enumerate(sequences):
        if not len(s):
            continue
        trunc = s[-maxlen:] if truncating == "pre" else s[:maxlen]
        trunc = np.asarray(trunc, dtype="int64")
        if padding == "post":
            x[idx, : len(trunc)] = trunc
        else:
            x[idx, -len(trunc) :] = trunc
    return x


def test_seed_one_hot_example():
    vocab = ["I", "go", "to", "school"]
    ids = [vocab.index(w) for w in Tokenizer()("I go to school")]
    encoded = one_hot(ids, num_classes=len(vocab))
    assert encoded.dtype == np.float32 and encoded.shape == (4, 4)
    assert encoded.tolist() == [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]


def test_one_hot_keeps_the_ids_shape():
    encoded = one_hot(np.array([[0, 2], [1, 1]]), 3)
    assert encoded.shape == (2, 2, 3)
    assert encoded[0, 1].tolist() == [0, 0, 1] and encoded.sum() == 4
    assert one_hot(2, 3).tolist() == [0, 0, 1]
    assert one_hot([], 5).shape == (0, 5)


@pytest.mark.parametrize(("ids", "num_classes", "message"), [([0, 4], 4, "id 4"), ([-1], 4, "id -1")])
def test_one_hot_rejects_out_of_range_ids(ids, num_classes, message):
    with pytest.raises(InputError, match=f"{message} is out of range for num_classes={num_classes}"):
        one_hot(ids, num_classes)


@pytest.mark.parametrize("num_classes", [0, -3, 2.0, None, True])
def test_one_hot_rejects_bad_num_classes(num_classes):
    with pytest.raises(InputError, match="num_classes must be a positive integer, got"):
        one_hot([0], num_classes)


@pytest.mark.parametrize(("ids", "message"), [([0.0, 1.0], "dtype float64"), (["a"], "dtype <U1"), ([[0], [1, 2]], "")])
def test_one_hot_rejects_non_integer_ids(ids, message):
    with pytest.raises(InputError, match=f"ids must be .*{message}"):
        one_hot(ids, 3)


def test_seed_padding_example():
    texts = ["I go to school", "me and my friends go to school"]
    tokenize = Tokenizer()
    vocab = Vocabulary.build([tokenize(t) for t in texts])
    i, go, to, school = vocab.encode(["I", "go", "to", "school"])
    padded = pad_sequences([vocab.encode(tokenize(t)) for t in texts], maxlen=7)
    assert padded.dtype == np.int64 and padded.shape == (2, 7)
    assert padded[0].tolist() == [0, 0, 0, i, go, to, school]
    assert padded[1].tolist() == vocab.encode(tokenize(texts[1]))
    assert np.array_equal(pad_sequences([vocab.encode(tokenize(t)) for t in texts]), padded)  # maxlen = longest


def test_keras_padding_defaults_pre_pad_pre_truncate_to_longest():
    assert pad_sequences(SEQS).tolist() == [[0, 0, 1, 2, 3], [4, 5, 6, 7, 8], [0, 0, 0, 0, 0]]


def test_keras_padding_post():
    assert pad_sequences(SEQS, padding="post").tolist() == [[1, 2, 3, 0, 0], [4, 5, 6, 7, 8], [0, 0, 0, 0, 0]]


def test_keras_padding_pre_truncation_pre_keeps_last_items():
    assert pad_sequences(SEQS, maxlen=4).tolist() == [[0, 1, 2, 3], [5, 6, 7, 8], [0, 0, 0, 0]]


def test_keras_padding_pre_truncation_post_keeps_first_items():
    assert pad_sequences(SEQS, maxlen=4, truncating="post").tolist() == [[0, 1, 2, 3], [4, 5, 6, 7], [0, 0, 0, 0]]


def test_keras_padding_post_truncation_pre():
    assert pad_sequences(SEQS, maxlen=4, padding="post").tolist() == [[1, 2, 3, 0], [5, 6, 7, 8], [0, 0, 0, 0]]


def test_keras_padding_post_truncation_post():
    got = pad_sequences(SEQS, maxlen=2, padding="post", truncating="post")
    assert got.tolist() == [[1, 2], [4, 5], [0, 0]]


def test_keras_padding_maxlen_longer_than_every_sequence():
    assert pad_sequences([[1, 2]], maxlen=5).tolist() == [[0, 0, 0, 1, 2]]
    assert pad_sequences([[1, 2]], maxlen=5, padding="post").tolist() == [[1, 2, 0, 0, 0]]


def test_keras_padding_maxlen_one():
    assert pad_sequences(SEQS, maxlen=1).tolist() == [[3], [8], [0]]
    assert pad_sequences(SEQS, maxlen=1, truncating="post").tolist() == [[1], [4], [0]]


def test_keras_padding_value_other_than_zero():
    assert pad_sequences(SEQS, maxlen=4, value=-1).tolist() == [[-1, 1, 2, 3], [5, 6, 7, 8], [-1, -1, -1, -1]]


def test_keras_padding_all_empty_sequences_give_zero_width_rows():
    assert pad_sequences([[], []]).shape == (2, 0)


def test_keras_padding_empty_list_with_maxlen_gives_no_rows():
    assert pad_sequences([], maxlen=3).shape == (0, 3)


def test_pad_accepts_tuples_numpy_rows_and_2d_arrays():
    expected = [[0, 1, 2], [3, 4, 5]]
    assert pad_sequences(((1, 2), np.array([3, 4, 5], dtype=np.int32))).tolist() == expected
    assert pad_sequences(np.array([[1, 2], [3, 4]]), maxlen=3).tolist() == [[0, 1, 2], [0, 3, 4]]


@settings(max_examples=150, deadline=None)
@given(
    seqs=st.lists(st.lists(st.integers(-5, 1000), max_size=9), min_size=1, max_size=6),
    maxlen=st.one_of(st.none(), st.integers(1, 12)),
    padding=st.sampled_from(["pre", "post"]),
    truncating=st.sampled_from(["pre", "post"]),
    value=st.integers(-3, 3),
)
def test_property_matches_keras_algorithm(seqs, maxlen, padding, truncating, value):
    got, lengths = pad_sequences_with_lengths(seqs, maxlen, padding, truncating, value)
    assert np.array_equal(got, keras_pad_sequences(seqs, maxlen, padding, truncating, value))
    assert lengths.tolist() == [min(len(s), got.shape[1]) for s in seqs]


def test_pad_with_lengths_counts_items_after_truncation():
    padded, lengths = pad_sequences_with_lengths(SEQS, maxlen=4, padding="post")
    assert padded.tolist() == [[1, 2, 3, 0], [5, 6, 7, 8], [0, 0, 0, 0]]
    assert lengths.dtype == np.int64 and lengths.tolist() == [3, 4, 0]


@pytest.mark.parametrize("maxlen", [0, -2, 2.5, "3", True])
def test_pad_rejects_bad_maxlen(maxlen):
    with pytest.raises(InputError, match="maxlen must be a positive integer or None, got"):
        pad_sequences(SEQS, maxlen=maxlen)


@pytest.mark.parametrize("argument", ["padding", "truncating"])
def test_pad_rejects_unknown_side_naming_it_and_the_allowed_words(argument):
    with pytest.raises(InputError, match=f"{argument} must be 'pre' or 'post', got 'left'"):
        pad_sequences(SEQS, **{argument: "left"})


def test_pad_rejects_non_integer_value():
    with pytest.raises(InputError, match="value must be an integer, got 0.5"):
        pad_sequences(SEQS, value=0.5)


@pytest.mark.parametrize(
    ("sequences", "message"),
    [
        (None, "sequences must be a list of integer sequences, got NoneType"),
        ("abc", "sequences must be a list of integer sequences, got str"),
        (5, "sequences must be a list of integer sequences, got int"),
        ([[1], None], r"sequences\[1\] must be a list of integers, got NoneType"),
        ([[1], "ab"], r"sequences\[1\] must be a list of integers, got str"),
        ([[1, "a"]], r"sequences\[0\] must be a flat list of integers"),
        ([[1.5, 2.0]], r"sequences\[0\] must be a flat list of integers, got float64"),
        ([[True]], r"sequences\[0\] must be a flat list of integers, got bool"),
        ([[[1, 2], [3]]], r"sequences\[0\] must be a flat list of integers"),
        ([np.array(3)], r"sequences\[0\] must be a flat list of integers"),
    ],
)
def test_pad_rejects_non_integer_sequences(sequences, message):
    with pytest.raises(InputError, match=message):
        pad_sequences(sequences)


def test_pad_rejects_empty_list_without_maxlen():
    with pytest.raises(InputError, match="sequences is empty, so maxlen cannot be inferred"):
        pad_sequences([])
