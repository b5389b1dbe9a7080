"""WorkerPool: objects built in worker processes, chunks mapped in order, errors brought back as one line."""

from __future__ import annotations

from functools import partial

import pytest

from rnnkit.errors import CheckpointError, InputError, RnnkitError
from rnnkit.nn.workers import WorkerPool
from rnnkit.text import Vocabulary

WORDS = ["the", "cat", "sat", "on", "mat"]


@pytest.fixture(scope="module")
def pool():
    with WorkerPool(partial(Vocabulary, WORDS), workers=2) as workers:
        yield workers


def test_map_split_equals_the_call_in_this_process(pool):
    tokens = ["the", "dog", "sat", "on", "the", "mat"] * 37 + ["cat"]
    assert pool.map_split("encode", tokens) == Vocabulary(WORDS).encode(tokens)
    assert pool.map_split("encode", tokens, chunk_size=5) == Vocabulary(WORDS).encode(tokens)
    assert pool.map_split("encode", []) == []


def test_map_keeps_the_order_of_many_chunks_with_few_in_flight(pool):
    chunks = [[WORDS[i % 5]] * (i % 3 + 1) for i in range(40)]
    assert list(pool.map("encode", chunks, ahead=3)) == [Vocabulary(WORDS).encode(c) for c in chunks]


def test_an_rnnkit_error_comes_back_as_its_own_class_and_the_pool_goes_on(pool):
    with pytest.raises(InputError, match="tokens"):
        list(pool.map("encode", ["not a list"]))  # a str chunk: encode refuses it
    with pytest.raises(RnnkitError, match="a worker failed: AttributeError"):
        list(pool.map("no_such_method", [["the"]]))
    assert pool.map_split("encode", ["cat"]) == Vocabulary(WORDS).encode(["cat"])
    assert repr(pool) == "WorkerPool(workers=2)"


def test_a_factory_that_fails_gives_one_line_on_first_use(tmp_path):
    from rnnkit.apps.sentiment.analyzer import SentimentAnalyzer

    missing = tmp_path / "missing.pt"
    with WorkerPool(partial(SentimentAnalyzer.load, missing), workers=1) as pool, \
            pytest.raises(RnnkitError, match="a worker could not start: .*missing.pt") as caught:
        pool.map_split("rate_many", ["good"])
    assert "\n" not in str(caught.value) and not isinstance(caught.value, CheckpointError)


@pytest.mark.parametrize("workers, threads", [(0, 1), (True, 1), ("2", 1), (2, -1)])
def test_bad_sizes_are_input_errors(workers, threads):
    with pytest.raises(InputError, match="must be an integer"):
        WorkerPool(partial(Vocabulary, WORDS), workers, threads)
