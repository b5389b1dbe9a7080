"""TaggerConfig: defaults are valid, bad values raise ConfigError naming the field, dict round trip."""

from __future__ import annotations

import pytest

from rnnkit.apps.tagger.config import TaggerConfig
from rnnkit.config import config_from_dict
from rnnkit.errors import ConfigError


def test_defaults_and_round_trip():
    config = TaggerConfig()
    assert config.cell == "lstm" and config.lower
    assert config_from_dict(TaggerConfig, config.to_dict()) == config
    train = config.train_config()
    assert (train.optimizer, train.epochs, train.batch_size, train.patience) == ("adamw", 30, 32, 6)


@pytest.mark.parametrize("field, value, match", [
    ("cell", "cnn", "cell must be one of rnn, lstm, gru"),
    ("hidden_size", 0, "hidden_size must be an integer >= 1"),
    ("char_embedding_dim", -1, "char_embedding_dim must be an integer >= 0"),
    ("dropout", 1.0, "dropout must be below 1.0"),
    ("word_dropout", -0.1, "word_dropout must be a number >= 0.0"),
    ("lower", "yes", "lower must be True or False"),
    ("learning_rate", 0.0, "learning_rate must be a number > 0.0"),
    ("lr_schedule", "sometimes", "lr_schedule must be one of"),
    ("device", "tpu", "device must be"),
    ("epochs", True, "epochs must be an integer >= 1"),
])
def test_bad_values_are_config_errors(field, value, match):
    with pytest.raises(ConfigError, match=match):
        TaggerConfig(**{field: value})
