"""Hostile checkpoints are refused in bounded time and memory, before the model is built, naming the problem."""

from __future__ import annotations

import resource
import time
import zipfile

import pytest
import torch

from rnnkit.config import ModelConfig
from rnnkit.errors import CheckpointError
from rnnkit.models import LanguageModel
from rnnkit.training import bounds as bounds_module
from rnnkit.training import build_checked_model, build_checkpoint, load_checkpoint, save_checkpoint

SMALL = ModelConfig(vocab_size=50, embedding_dim=8, hidden_size=8, num_layers=1)
BUDGET_S = 1.0  # each hostile file is refused within this
BUDGET_MB = 100  # ... and with less extra peak memory than this


def _saved(tmp_path, config=SMALL, state_dict=None):
    state_dict = LanguageModel(SMALL).state_dict() if state_dict is None else state_dict
    payload = build_checkpoint("language_model", state_dict, model_config=config.__dict__ if isinstance(
        config, ModelConfig) else config)
    return save_checkpoint(tmp_path / "model.pt", payload)


def _load_model(path):
    payload = load_checkpoint(path)
    config = ModelConfig(**payload["model_config"])
    return build_checked_model(path, lambda: LanguageModel(config), payload["state_dict"], payload["model_config"])


def _refused(path, match):
    """Load ``path``: a one-line CheckpointError matching ``match``, fast and without a big allocation."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    started = time.perf_counter()
    with pytest.raises(CheckpointError, match=match) as err:
        _load_model(path)
    assert time.perf_counter() - started < BUDGET_S
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak < BUDGET_MB * 1024
    assert "\n" not in str(err.value) and str(path) in str(err.value)


def test_a_good_checkpoint_loads_with_the_same_weights(tmp_path):
    torch.manual_seed(0)
    model = LanguageModel(SMALL)
    loaded = _load_model(_saved(tmp_path, state_dict=model.state_dict()))
    for name, value in model.state_dict().items():
        assert torch.equal(value, loaded.state_dict()[name])


def test_a_huge_vocabulary_with_no_weights_is_refused_by_its_size(tmp_path):
    config = SMALL.__dict__ | {"vocab_size": 2_000_000}
    _refused(_saved(tmp_path, config, state_dict={}),
             r"not a usable model: it asks for vocab_size 2,000,000; .* up to 1,000,000")


def test_a_large_vocabulary_with_no_weights_names_the_missing_weight(tmp_path):
    config = SMALL.__dict__ | {"vocab_size": 900_000}
    _refused(_saved(tmp_path, config, state_dict={}),
             r"weight 'encoder.weight' \(\(900000, 8\) float32\) that its config implies is missing")


def test_a_large_network_over_small_weights_names_the_first_mismatched_weight(tmp_path):
    config = SMALL.__dict__ | {"hidden_size": 2000, "num_layers": 3}
    _refused(_saved(tmp_path, config),
             r"weight 'rnn.fused.weight_ih_l0' has shape \(32, 8\), but its config implies \(8000, 8\)")


def test_a_config_implying_too_many_parameters_is_refused_before_building(tmp_path):
    config = SMALL.__dict__ | {"hidden_size": 5000, "num_layers": 8}  # 1.5 billion LSTM weights
    _refused(_saved(tmp_path, config),
             r"its config describes 1,500,730,450 parameters; rnnkit loads models of up to 500,000,000")


def test_integer_weights_are_refused_where_floats_are_expected(tmp_path):
    state = LanguageModel(SMALL).state_dict()
    state["decoder.bias"] = torch.zeros(50, dtype=torch.int64)
    _refused(_saved(tmp_path, state_dict=state),
             r"weight 'decoder.bias' is int64, but its config implies \(50,\) float32")


def test_an_unexpected_weight_is_named(tmp_path):
    state = LanguageModel(SMALL).state_dict() | {"backdoor": torch.zeros(3)}
    _refused(_saved(tmp_path, state_dict=state), "weight 'backdoor' is not used by its config")


def test_a_deflated_entry_is_refused_before_torch_reads_it(tmp_path):
    good = _saved(tmp_path)
    bomb = tmp_path / "deflated.pt"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(entry.filename, source.read(entry))
    assert bomb.stat().st_size < good.stat().st_size  # it does inflate
    _refused(bomb, r"has a compressed entry '.*'; torch.save never compresses")


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path, monkeypatch):
    path = _saved(tmp_path)
    monkeypatch.setattr(bounds_module, "MAX_CHECKPOINT_BYTES", 1000)
    monkeypatch.setattr(bounds_module.check_archive, "__defaults__", (1000,))
    _refused(path, r"is 0 MiB; rnnkit loads checkpoints up to 0 MiB")


def test_a_legacy_non_zip_torch_file_is_refused(tmp_path):
    path = tmp_path / "legacy.pt"
    torch.save({"format": "rnnkit-checkpoint"}, path, _use_new_zipfile_serialization=False)
    _refused(path, "cannot be read safely")
