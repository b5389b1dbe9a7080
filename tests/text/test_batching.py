"""Tests for rnnkit.text.batching."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnkit.errors import InputError
from rnnkit.text import bucket_batches, collate, naive_batches, padding_fraction

DOC_LENGTHS = [5, 1, 9, 2, 8, 3, 7, 4]


def test_module_docstring_example_is_what_the_code_does():
    assert bucket_batches(DOC_LENGTHS, 2, bucket_size=4, seed=0) == [[6, 3], [0, 7], [2, 4], [5, 1]]


def test_without_shuffle_buckets_are_consecutive_and_sorted_longest_first():
    assert bucket_batches(DOC_LENGTHS, 2, bucket_size=4, shuffle=False) == [[2, 0], [3, 1], [4, 6], [7, 5]]


def test_one_big_bucket_sorts_everything():
    batches = bucket_batches(DOC_LENGTHS, 2, bucket_size=8, shuffle=False)
    assert batches == [[2, 4], [6, 0], [7, 5], [3, 1]]


def test_equal_lengths_keep_their_order():
    assert bucket_batches([3, 3, 3], 2, shuffle=False) == [[0, 1], [2]]


@settings(max_examples=100, deadline=None)
@given(
    lengths=st.lists(st.integers(0, 50), max_size=120),
    batch_size=st.integers(1, 9),
    buckets=st.integers(1, 6),
    shuffle=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_property_every_index_exactly_once_and_deterministic(lengths, batch_size, buckets, shuffle, seed):
    kwargs = {"shuffle": shuffle, "seed": seed, "bucket_size": buckets * batch_size}
    batches = bucket_batches(lengths, batch_size, **kwargs)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    assert sum(len(b) < batch_size for b in batches) <= 1 and all(0 < len(b) <= batch_size for b in batches)
    assert all(lengths[a] >= lengths[b] for batch in batches for a, b in zip(batch, batch[1:], strict=False))
    assert bucket_batches(lengths, batch_size, **kwargs) == batches


@settings(max_examples=50, deadline=None)
@given(lengths=st.lists(st.integers(0, 50), max_size=60), batch_size=st.integers(1, 7), seed=st.integers(0, 99))
def test_property_drop_last_keeps_only_full_batches(lengths, batch_size, seed):
    batches = bucket_batches(lengths, batch_size, seed=seed, bucket_size=2 * batch_size, drop_last=True)
    assert all(len(b) == batch_size for b in batches)
    flat = [i for b in batches for i in b]
    assert len(flat) == len(set(flat)) == len(lengths) - len(lengths) % batch_size


def test_different_seeds_give_different_batches():
    lengths = list(range(100))
    assert bucket_batches(lengths, 4, seed=1, bucket_size=8) != bucket_batches(lengths, 4, seed=2, bucket_size=8)


def test_default_bucket_size_is_fifty_batches():
    lengths = np.random.default_rng(0).integers(1, 100, size=250).tolist()
    assert bucket_batches(lengths, 2, seed=3) == bucket_batches(lengths, 2, seed=3, bucket_size=100)


def test_bucketing_cuts_padding_compared_with_naive_batches():
    lengths = np.random.default_rng(0).integers(1, 100, size=2000).tolist()
    bucketed = padding_fraction(bucket_batches(lengths, 32), lengths)
    naive = padding_fraction(naive_batches(len(lengths), 32), lengths)
    assert bucketed < 0.05 < 0.3 < naive


def test_padding_fraction_by_hand():
    # batch [0, 1]: longest 3, real 3 + 1 -> 2 padded of 6; batch [2]: 0 padded of 2.
    assert padding_fraction([[0, 1], [2]], [3, 1, 2]) == pytest.approx(2 / 8)
    assert padding_fraction([], []) == 0.0
    assert padding_fraction([[0]], [0]) == 0.0


def test_naive_batches_in_order_and_shuffled():
    assert naive_batches(5, 2, shuffle=False) == [[0, 1], [2, 3], [4]]
    assert naive_batches(5, 2, shuffle=False, drop_last=True) == [[0, 1], [2, 3]]
    shuffled = naive_batches(10, 3, seed=0)
    assert sorted(i for b in shuffled for i in b) == list(range(10)) and shuffled == naive_batches(10, 3, seed=0)
    assert naive_batches(0, 4) == []


def test_collate_pads_post_to_the_batch_longest():
    ids, lengths = collate([[5, 6, 7], [8], []])
    assert ids.dtype == np.int64 and ids.tolist() == [[5, 6, 7], [8, 0, 0], [0, 0, 0]]
    assert lengths.tolist() == [3, 1, 0]


def test_collate_pre_padding_and_value():
    ids, lengths = collate([[5, 6], [8]], padding="pre", value=9)
    assert ids.tolist() == [[5, 6], [9, 8]] and lengths.tolist() == [2, 1]


def test_collate_rejects_an_empty_batch():
    with pytest.raises(InputError, match="sequences is empty"):
        collate([])


@pytest.mark.parametrize("batch_size", [0, -1, 1.5, None, True])
def test_bad_batch_size_raises(batch_size):
    with pytest.raises(InputError, match="batch_size must be a positive integer, got"):
        bucket_batches([1, 2], batch_size)
    with pytest.raises(InputError, match="batch_size must be a positive integer, got"):
        naive_batches(2, batch_size)


def test_bucket_size_must_be_a_positive_multiple_of_batch_size():
    with pytest.raises(InputError, match="bucket_size must be a multiple of batch_size=4, got 10"):
        bucket_batches([1, 2], 4, bucket_size=10)
    with pytest.raises(InputError, match="bucket_size must be a positive integer, got 0"):
        bucket_batches([1, 2], 4, bucket_size=0)


@pytest.mark.parametrize(
    ("lengths", "message"),
    [
        (None, "lengths must be a list of non-negative integers, got NoneType"),
        ("12", "lengths must be a list of non-negative integers, got str"),
        ([1, 2.5], "lengths must be a flat list of integers, got float64"),
        ([3, -1], "lengths must be non-negative, got -1"),
    ],
)
def test_bad_lengths_raise(lengths, message):
    with pytest.raises(InputError, match=message):
        bucket_batches(lengths, 2)
    with pytest.raises(InputError, match=message):
        padding_fraction([[0]], lengths)


def test_naive_batches_rejects_negative_n():
    with pytest.raises(InputError, match="n must be a non-negative integer, got -1"):
        naive_batches(-1, 2)


@pytest.mark.parametrize(
    ("batches", "message"),
    [
        ([[0, 3]], r"batch 0 holds an index outside 0..2: \[0, 3\]"),
        ([["a"]], "batch 0 must be a flat list of integer indices"),
        ([None], "batch 0 must be a flat list of integer indices"),
        (None, "batches must be a list of index lists, got NoneType"),
    ],
)
def test_padding_fraction_rejects_bad_batches(batches, message):
    with pytest.raises(InputError, match=message):
        padding_fraction(batches, [1, 2, 3])
