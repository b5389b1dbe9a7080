"""Shared fixtures: tiny corpora, the shared data folder, a fixed seed, CPU only."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[1]
# ../shared/data beside the clone (present in CI, absent in a user's fresh clone); RNNKIT_SHARED overrides.
SHARED_DATA = Path(os.environ.get("RNNKIT_SHARED", REPO.parent / "shared")) / "data"

TINY_TEXTS = [
    "I go to school",
    "me and my friends go to school",
    "I don't like rainy days , but I love snow !",
    "the cat sat on the mat .",
    "the dog sat on the log .",
]


def _shared_data(*parts: str) -> Path:
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path} (the shared datasets beside the clone); absent here")
    return path


@pytest.fixture
def shared_data():
    """``shared_data("sst", "trees", "train.txt")``: a path under ../shared/data, or skip with the reason."""
    return _shared_data


@pytest.fixture(autouse=True)
def _seed_and_one_thread():
    """Fixed seed; one torch thread: tiny models run fastest on one, and two threads on a busy
    2-core machine ran tiny RNN steps 15-100x slower (OpenMP threads spinning against each other)."""
    torch.manual_seed(0)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def tiny_texts() -> list[str]:
    return list(TINY_TEXTS)
