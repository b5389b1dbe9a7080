"""TranslatorConfig: defaults are valid, bad values raise ConfigError, the model and training configs follow."""

import pytest

from rnnkit import ConfigError
from rnnkit.apps.translator import TranslatorConfig
from rnnkit.config import config_from_dict


def test_defaults_build_a_bidirectional_attention_gru_trained_with_adam():
    config = TranslatorConfig()
    model = config.model_config(vocab_size=100, output_size=120)
    assert (model.cell, model.bidirectional, model.attention, model.output_size) == ("gru", True, True, 120)
    train = config.train_config()
    assert (train.optimizer, train.clip, train.learning_rate) == ("adamw", "norm", 2e-3)


def test_round_trip_through_a_dict():
    config = TranslatorConfig(cell="lstm", attention=False, max_minutes=5.0)
    assert config_from_dict(TranslatorConfig, config.to_dict()) == config


@pytest.mark.parametrize(("field", "value", "match"), [
    ("min_freq", 0, "min_freq"), ("max_train_tokens", 0, "max_train_tokens"), ("max_minutes", -1.0, "max_minutes"),
    ("cell", "transformer", "cell"), ("attention", "yes", "attention"), ("hidden_size", 0, "hidden_size"),
    ("learning_rate", 0.0, "learning_rate"), ("max_valid_pairs", -1, "max_valid_pairs"),
])
def test_bad_values_raise(field, value, match):
    with pytest.raises(ConfigError, match=match):
        TranslatorConfig(**{field: value})
