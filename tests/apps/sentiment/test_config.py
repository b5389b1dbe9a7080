"""Tests for rnnkit.apps.sentiment.config: SentimentConfig's checks and the configs it builds."""

from __future__ import annotations

import pytest

from rnnkit import SentimentConfig
from rnnkit.config import ModelConfig, TrainConfig, config_from_dict
from rnnkit.errors import ConfigError


def test_defaults_and_built_configs():
    config = SentimentConfig()
    model = config.model_config(vocab_size=100)
    assert isinstance(model, ModelConfig)
    assert (model.vocab_size, model.cell, model.embedding_dim, model.hidden_size, model.num_classes,
            model.bidirectional, model.dropout) == (100, "lstm", 200, 150, 5, True, 0.5)
    train = config.train_config()
    assert isinstance(train, TrainConfig)
    assert (train.optimizer, train.lr_schedule, train.learning_rate, train.batch_size) == ("adamw", "cosine", 2e-3, 64)
    assert config_from_dict(SentimentConfig, {"cell": "gru"}) == SentimentConfig(cell="gru")


@pytest.mark.parametrize("kwargs, match", [
    ({"cell": "transformer"}, "cell must be one of rnn, lstm, gru; got 'transformer'"),
    ({"bidirectional": 1}, "bidirectional must be True or False, got 1"),
    ({"progress": "yes"}, "progress must be True or False, got 'yes'"),
    ({"hidden_size": 0}, "hidden_size must be an integer >= 1, got 0"),
    ({"epochs": 2.0}, "epochs must be an integer >= 1, got 2.0"),
    ({"seed": -1}, "seed must be an integer >= 0, got -1"),
    ({"dropout": 1.0}, "dropout must be below 1.0, got 1.0"),
    ({"word_dropout": -0.1}, "word_dropout must be a number >= 0.0 and <= 1.0, got -0.1"),
    ({"learning_rate": 0.0}, "learning_rate must be a number > 0.0, got 0.0"),
    ({"clip_norm": float("nan")}, "clip_norm must be a number > 0.0, got nan"),
    ({"negation_window": 11}, "negation_window must be an integer >= 0 and <= 10, got 11"),
])
def test_bad_values_are_one_line_config_errors(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        SentimentConfig(**kwargs)
