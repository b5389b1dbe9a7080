"""build_model / MODEL_KINDS / model_kind, and what rnnkit.models exports."""

from __future__ import annotations

from inspect import ismodule

import pytest
from torch import nn

import rnnkit.models
from rnnkit.config import ModelConfig
from rnnkit.errors import ConfigError
from rnnkit.models import (
    MODEL_KINDS,
    Classifier,
    FeedForward,
    Generator,
    LanguageModel,
    Seq2Seq,
    build_model,
    model_kind,
)

CLASSES = {
    "classifier": Classifier,
    "feedforward": FeedForward,
    "generator": Generator,
    "language_model": LanguageModel,
    "seq2seq": Seq2Seq,
}
CONFIG = ModelConfig(vocab_size=12, embedding_dim=8, hidden_size=8, num_layers=1)


def test_model_kinds_are_the_five_shapes():
    assert tuple(sorted(CLASSES)) == MODEL_KINDS


@pytest.mark.parametrize("kind", sorted(CLASSES))
def test_build_model_builds_each_kind(kind):
    model = build_model(kind, CONFIG)
    assert type(model) is CLASSES[kind]
    assert model.config is CONFIG
    assert model_kind(model) == kind
    assert model.__doc__ and "(B, T)" in model.__doc__  # the docstring draws the tensor shapes


def test_unknown_kind_raises():
    with pytest.raises(ConfigError, match="unknown model kind 'transformer'; choose one of classifier"):
        build_model("transformer", CONFIG)


def test_config_must_be_a_model_config():
    with pytest.raises(ConfigError, match="config must be a ModelConfig, got dict"):
        build_model("classifier", {"vocab_size": 12})


def test_model_rejecting_its_config_raises_config_error():
    with pytest.raises(ConfigError, match="bidirectional must be False"):
        build_model("language_model", ModelConfig(vocab_size=12, bidirectional=True))


def test_model_kind_of_a_foreign_module_raises():
    with pytest.raises(ConfigError, match="Linear is not an rnnkit model"):
        model_kind(nn.Linear(2, 2))


@pytest.mark.parametrize("value", [1, "yes"])
def test_attention_must_be_a_bool(value):
    with pytest.raises(ConfigError, match="attention must be True or False"):
        ModelConfig(attention=value)


@pytest.mark.parametrize("value", [-1, 2.5])
def test_input_dim_must_be_a_count(value):
    with pytest.raises(ConfigError, match="input_dim must be an integer >= 0"):
        ModelConfig(input_dim=value)


def test_all_matches_the_public_names():
    public = {
        name for name, value in vars(rnnkit.models).items() if not name.startswith("_") and not ismodule(value)
    }
    assert set(rnnkit.models.__all__) == public
    assert len(rnnkit.models.__all__) == len(public)
