"""WorkerPool: objects built in worker processes, chunks mapped in order, errors brought back as one line."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

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


PARENT = """
import sys, time
from functools import partial
from rnnkit.nn.workers import WorkerPool
from rnnkit.text import Vocabulary
pool = WorkerPool(partial(Vocabulary, ["a"]), workers=2)
pool.map_split("encode", ["a", "b"], chunk_size=1)
print(" ".join(str(pid) for pid in pool._executor._processes), flush=True)
time.sleep(60)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")  # a zombie (ended, not yet reaped) counts as gone
    return not (status.exists() and "\tZ" in status.read_text().split("State:")[1][:4])


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc and sends POSIX signals")
def test_workers_end_when_their_parent_is_killed():
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    try:
        pids = [int(pid) for pid in parent.stdout.readline().split()]
        assert len(pids) == 2 and all(_alive(pid) for pid in pids)
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in pids)


def test_a_worker_that_dies_is_one_clear_error():
    import importlib

    with WorkerPool(partial(importlib.import_module, "os"), workers=1) as pool, \
            pytest.raises(RnnkitError, match="a worker process died"):
        list(pool.map("_exit", [3]))  # the worker's os._exit(3): as if it were killed


def test_a_factory_that_cannot_be_pickled_is_refused_at_once():
    with pytest.raises(InputError, match="factory must be picklable"):
        WorkerPool(lambda: Vocabulary(WORDS), workers=2)
