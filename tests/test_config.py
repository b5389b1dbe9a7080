"""Configs are frozen, checked on creation, and round-trip through plain dicts."""

import dataclasses

import pytest

from rnnkit import ConfigError
from rnnkit.config import ModelConfig, TrainConfig, config_from_dict


def test_configs_are_frozen():
    cfg = ModelConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.hidden_size = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    ("cls", "field", "value", "match"),
    [
        (ModelConfig, "cell", "transformer", "cell must be one of rnn, lstm, gru; got 'transformer'"),
        (ModelConfig, "hidden_size", 0, "hidden_size must be an integer >= 1, got 0"),
        (ModelConfig, "num_layers", 1.5, "num_layers must be an integer >= 1, got 1.5"),
        (ModelConfig, "dropout", 1.0, "dropout must be below 1.0, got 1.0"),
        (ModelConfig, "dropout", -0.1, "dropout must be a number >= 0.0"),
        (ModelConfig, "pooling", "sum", "pooling must be one of last, mean, max; got 'sum'"),
        (ModelConfig, "vocab_size", True, "vocab_size must be an integer >= 2, got True"),
        (TrainConfig, "optimizer", "adam", "optimizer must be one of sgd, adamw; got 'adam'"),
        (TrainConfig, "learning_rate", 0.0, "learning_rate must be a number > 0.0, got 0.0"),
        (TrainConfig, "clip", "both", "clip must be one of norm, value, none; got 'both'"),
        (TrainConfig, "batch_size", 0, "batch_size must be an integer >= 1, got 0"),
        (TrainConfig, "seq_len", -1, "seq_len must be an integer >= 1, got -1"),
    ],
)
def test_bad_config_values_raise_one_line_config_error(cls, field, value, match):
    with pytest.raises(ConfigError, match=match) as info:
        cls(**{field: value})
    assert "\n" not in str(info.value)


def test_tie_weights_needs_matching_sizes():
    with pytest.raises(ConfigError, match="tie_weights needs embedding_dim == hidden_size, got 100 and 200"):
        ModelConfig(embedding_dim=100, hidden_size=200, tie_weights=True)


def test_clipping_by_norm_is_on_by_default():
    assert TrainConfig().clip == "norm"


@pytest.mark.parametrize("cls", [ModelConfig, TrainConfig])
def test_config_round_trips_through_a_plain_dict(cls):
    cfg = cls()
    assert config_from_dict(cls, dataclasses.asdict(cfg)) == cfg


def test_config_from_dict_rejects_unknown_keys_and_non_dicts():
    with pytest.raises(ConfigError, match="unknown ModelConfig field\\(s\\): colour"):
        config_from_dict(ModelConfig, {"colour": "red"})
    with pytest.raises(ConfigError, match="must be built from a dict, got list"):
        config_from_dict(ModelConfig, [1, 2])
