"""Issue 13's hostile copies of the bundled next-word model: each refused fast, in one line, naming the problem."""

from __future__ import annotations

import copy
import resource
import time
import zipfile

import pytest
import torch

from rnnkit.apps.nextword.predictor import DEFAULT_MODEL_PATH, NextWordPredictor
from rnnkit.cli import main
from rnnkit.errors import CheckpointError

BUDGET_S = 1.0  # refused within a second
BUDGET_MB = 100  # with less extra peak memory than this (the unchecked loader took +3.0 GB and +6.4 GB)


@pytest.fixture(scope="module")
def bundled() -> dict:
    if not DEFAULT_MODEL_PATH.is_file():
        pytest.skip("no bundled next-word model")
    return torch.load(DEFAULT_MODEL_PATH, weights_only=True)


def _copy(bundled, tmp_path, change) -> str:
    payload = copy.copy(bundled) | {"model_config": dict(bundled["model_config"]),
                                    "state_dict": dict(bundled["state_dict"])}
    change(payload)
    path = tmp_path / "hostile.pt"
    torch.save(payload, path)
    return path


def _deflated(tmp_path) -> str:
    path = tmp_path / "deflated.pt"
    with zipfile.ZipFile(DEFAULT_MODEL_PATH) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(entry.filename, source.read(entry))
    return path


CASES = {
    "vocab 2,000,000, no weights": (
        lambda p: (p["model_config"].update(vocab_size=2_000_000), p.update(state_dict={})),
        "it asks for vocab_size 2,000,000; rnnkit loads models with vocab_size up to 1,000,000"),
    "hidden 5000 x 8 layers": (
        lambda p: p["model_config"].update(hidden_size=5000, num_layers=8, embedding_dim=5000),
        r"its config describes [\d,]+ parameters; rnnkit loads models of up to 500,000,000"),
    "hidden 1500": (
        lambda p: p["model_config"].update(hidden_size=1500, embedding_dim=1500),
        r"weight 'encoder.weight' has shape \(8004, 200\), but its config implies \(8004, 1500\)"),
    "int64 weights": (
        lambda p: p["state_dict"].update({"decoder.bias": p["state_dict"]["decoder.bias"].long()}),
        r"weight 'decoder.bias' is int64, but its config implies \(\d+,\) float32"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_copies_are_refused_in_bounded_time_and_memory(bundled, tmp_path, case):
    change, match = CASES[case]
    path = _copy(bundled, tmp_path, change)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB
    started = time.perf_counter()
    with pytest.raises(CheckpointError, match=f"is not a usable next-word model: {match}") as err:
        NextWordPredictor.load(path)
    assert time.perf_counter() - started < BUDGET_S
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak < BUDGET_MB * 1024
    assert "\n" not in str(err.value)


def test_a_deflated_copy_is_refused_before_it_inflates(tmp_path):
    if not DEFAULT_MODEL_PATH.is_file():
        pytest.skip("no bundled next-word model")
    path = _deflated(tmp_path)
    started = time.perf_counter()
    with pytest.raises(CheckpointError, match="has a compressed entry .*; torch.save never compresses"):
        NextWordPredictor.load(path)
    assert time.perf_counter() - started < BUDGET_S


def test_the_cli_says_one_line_and_exits_1(bundled, tmp_path, capsys):
    path = _copy(bundled, tmp_path, CASES["vocab 2,000,000, no weights"][0])
    assert main(["suggest", "the ", "--model", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "vocab_size 2,000,000" in err
