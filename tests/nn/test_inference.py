"""map_batches: order, one intra-op thread per worker, the caller's autograd mode, errors."""

from __future__ import annotations

import threading

import pytest
import torch

from rnnkit.nn.inference import map_batches


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
