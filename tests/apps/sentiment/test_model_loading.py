"""Hostile copies of the bundled sentiment model are refused in one line, before the network is built, in no more
time than reading the file takes (its 70k-word vocabulary is most of that: torch's safe unpickler is pure Python)."""

from __future__ import annotations

import copy
import time

import pytest
import torch

from rnnkit.apps.sentiment.analyzer import DEFAULT_MODEL_PATH
from rnnkit.apps.sentiment.model import SentimentModel
from rnnkit.errors import CheckpointError

CASES = {
    "vocab 2,000,000, no weights": (
        lambda p: (p["model_config"].update(vocab_size=2_000_000), p.update(state_dict={})),
        "it asks for vocab_size 2,000,000"),
    "hidden 5000 x 8 layers": (
        lambda p: p["model_config"].update(hidden_size=5000, num_layers=8),
        r"its config describes [\d,]+ parameters; rnnkit loads models of up to 500,000,000"),
    "int64 weights": (
        lambda p: p["state_dict"].update({"head.bias": p["state_dict"]["head.bias"].long()}),
        r"weight 'head.bias' is int64, but its config implies \(5,\) float32"),
}


@pytest.fixture(scope="module")
def bundled() -> dict:
    if not DEFAULT_MODEL_PATH.is_file():
        pytest.skip("no bundled sentiment model")
    return torch.load(DEFAULT_MODEL_PATH, weights_only=True)


@pytest.fixture(scope="module")
def read_time(bundled) -> float:
    """Seconds to read the bundled file safely, without building anything."""
    started = time.perf_counter()
    torch.load(DEFAULT_MODEL_PATH, weights_only=True)
    return time.perf_counter() - started


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_copies_are_refused_fast(bundled, read_time, tmp_path, case):
    change, match = CASES[case]
    payload = copy.copy(bundled) | {"model_config": dict(bundled["model_config"]),
                                    "state_dict": dict(bundled["state_dict"])}
    change(payload)
    path = tmp_path / "hostile.pt"
    torch.save(payload, path)
    started = time.perf_counter()
    with pytest.raises(CheckpointError, match=f"is not a usable sentiment model: {match}") as err:
        SentimentModel.load(path)
    assert time.perf_counter() - started < read_time + 1.0 and "\n" not in str(err.value)
