"""map_batches: order, one intra-op thread per worker, the caller's autograd mode, errors; batch_or_each."""

from __future__ import annotations

import threading

import pytest
import torch

from rnnkit.errors import InputError
from rnnkit.nn.inference import batch_or_each, map_batches


def test_map_batches_keeps_order_and_runs_side_by_side_on_one_thread_each():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        seen = map_batches(lambda i: (i, torch.get_num_threads(), threading.current_thread().name), list(range(40)))
        assert [i for i, _, _ in seen] == list(range(40))
        assert {threads for _, threads, _ in seen} == {1}  # each worker: one intra-op thread
        assert all(name.startswith("rnnkit-batch") for _, _, name in seen)
        assert torch.get_num_threads() == 2  # the caller's count is left alone
    finally:
        torch.set_num_threads(before)


def test_map_batches_runs_in_the_caller_with_one_thread_or_one_item():
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        assert map_batches(lambda i: threading.current_thread().name, [1, 2]) == [threading.current_thread().name] * 2
        torch.set_num_threads(2)
        assert map_batches(lambda i: threading.current_thread().name, [1]) == [threading.current_thread().name]
        assert map_batches(lambda i: i, []) == []
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize("grad", [True, False])
def test_map_batches_keeps_the_callers_autograd_mode_and_raises_the_first_error(grad):
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with torch.set_grad_enabled(grad):
            assert set(map_batches(lambda i: torch.is_grad_enabled(), list(range(8)))) == {grad}

        def fail(i: int) -> int:
            if i == 3:
                raise ValueError("item 3")
            return i

        with pytest.raises(ValueError, match="item 3"):
            map_batches(fail, list(range(8)))
    finally:
        torch.set_num_threads(before)


def _upper(calls):
    def run(texts):
        calls.append(list(texts))
        if "bad" in texts:
            raise InputError("bad text")
        if "bug" in texts:
            raise KeyError("bug")
        return [text.upper() for text in texts]

    return run


def test_batch_or_each_runs_all_parts_at_once_and_splits_the_results():
    calls = []
    assert batch_or_each(_upper(calls), [["a", "b"], [], ["c"]]) == [(True, ["A", "B"]), (True, []), (True, ["C"])]
    assert calls == [["a", "b", "c"]]
    assert batch_or_each(_upper(calls), []) == []


def test_batch_or_each_keeps_a_refused_parts_error_with_that_part():
    calls = []
    outcomes = batch_or_each(_upper(calls), [["a"], ["bad", "b"], ["c"]])
    assert [ok for ok, _ in outcomes] == [True, False, True]
    assert outcomes[0][1] == ["A"] and outcomes[2][1] == ["C"] and isinstance(outcomes[1][1], InputError)
    assert calls == [["a", "bad", "b", "c"], ["a"], ["bad", "b"], ["c"]]


def test_batch_or_each_runs_a_single_part_once_and_lets_other_errors_through():
    calls = []
    [(ok, err)] = batch_or_each(_upper(calls), [["bad"]])
    assert not ok and isinstance(err, InputError) and calls == [["bad"]]
    with pytest.raises(KeyError):  # not an rnnkit error in the whole batch: a bug, never hidden
        batch_or_each(_upper(calls), [["a"], ["bug"]])
    with pytest.raises(KeyError):  # alone, only ``catch`` is kept per part
        batch_or_each(_upper(calls), [["bad"], ["bug"]])


def test_batch_or_each_alone_and_catch_as_a_service_uses_them():
    calls, alone = [], []

    def run_alone(i):
        alone.append(i)
        return _upper(calls)([["bad"], ["bug"], ["ok"]][i])

    outcomes = batch_or_each(_upper(calls), [["bad"], ["bug"], ["ok"]], alone=run_alone, catch=Exception)
    assert alone == [0, 1, 2]
    assert [type(value) for _, value in outcomes] == [InputError, KeyError, list]
    assert outcomes[2] == (True, ["OK"])
