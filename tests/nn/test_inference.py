"""fast_path: oneDNN off and inference mode inside, both restored after, nested or raising."""

from __future__ import annotations

import pytest
import torch

from rnnkit.nn.inference import fast_path


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
