"""fast_path: oneDNN off and inference mode inside, both restored after, nested or raising."""

from __future__ import annotations

import threading

import pytest
import torch

from rnnkit.nn.inference import fast_path, map_batches


def test_fast_path_turns_onednn_and_autograd_off_and_restores_them():
    before = torch.backends.mkldnn.enabled
    with fast_path():
        assert not torch.backends.mkldnn.enabled and torch.is_inference_mode_enabled()
        with fast_path():
            assert not torch.backends.mkldnn.enabled
        assert not torch.backends.mkldnn.enabled  # the inner block restores the outer block's setting
    assert torch.backends.mkldnn.enabled == before and not torch.is_inference_mode_enabled()


def test_fast_path_restores_after_an_error():
    before = torch.backends.mkldnn.enabled
    with pytest.raises(ValueError), fast_path():
        raise ValueError("inside")
    assert torch.backends.mkldnn.enabled == before and not torch.is_inference_mode_enabled()


def test_fast_path_gives_the_same_numbers():
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(8, 16, batch_first=True)
    x = torch.randn(1, 5, 8)
    with torch.no_grad():
        want = lstm(x)[0]
    with fast_path():
        got = lstm(x)[0]
    assert torch.allclose(got, want, atol=1e-6)


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


def test_fast_path_blocks_that_overlap_in_two_threads_restore_onednn_in_any_order():
    before = torch.backends.mkldnn.enabled
    first, second = fast_path(), fast_path()
    entered, first_closed, seen = threading.Event(), threading.Event(), []

    def other_thread() -> None:  # opens while the first block is open, closes after it
        second.__enter__()
        entered.set()
        first_closed.wait()
        seen.append(torch.backends.mkldnn.enabled)  # still off: this block is open
        second.__exit__(None, None, None)

    first.__enter__()
    thread = threading.Thread(target=other_thread)
    thread.start()
    entered.wait()
    first.__exit__(None, None, None)
    first_closed.set()
    thread.join()
    assert seen == [False]
    assert torch.backends.mkldnn.enabled == before  # the old code left oneDNN off here
