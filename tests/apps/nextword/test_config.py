"""NextWordConfig: presets fill the fields left unset, every bad value is a ConfigError, no torch import."""

from __future__ import annotations

import subprocess
import sys

import pytest

from rnnkit import ConfigError, NextWordConfig
from rnnkit.config import config_from_dict


def test_presets_fill_the_fields_left_unset():
    small, medium = NextWordConfig(), NextWordConfig(preset="medium", epochs=3)
    assert (small.hidden_size, small.dropout, small.learning_rate, small.optimizer) == (200, 0.0, 20.0, "sgd")
    assert (medium.hidden_size, medium.dropout, medium.epochs) == (650, 0.5, 3)
    assert config_from_dict(NextWordConfig, medium.to_dict()) == medium
    assert medium.train_config().clip_norm == pytest.approx(5 / 35) and medium.model_config(100).vocab_size == 100


@pytest.mark.parametrize("fields, match", [
    ({"preset": "large"}, "preset must be one of small, medium"),
    ({"corpus_format": "xml"}, "corpus_format must be one of text, ptb"),
    ({"hidden_size": 0}, "hidden_size must be an integer >= 1"),
    ({"tie_weights": True, "embedding_dim": 100}, "tie_weights needs embedding_dim == hidden_size"),
    ({"max_words": -1}, "max_words must be an integer >= 0"),
    ({"lower": "yes"}, "lower must be True or False"),
    ({"init_range": -0.1}, "init_range must be a number >= 0"),
    ({"init_range": float("nan")}, "init_range must be a number >= 0, got nan"),
    ({"min_freq": 0}, "min_freq must be an integer >= 1, got 0"),
    ({"max_words": True}, "max_words must be an integer >= 0, got True"),
    ({"progress": 1}, "progress must be True or False, got 1"),
    ({"preset": ["small"]}, r"preset must be one of small, medium; got \['small'\]"),
])
def test_bad_config_raises_config_error(fields, match):
    with pytest.raises(ConfigError, match=match):
        NextWordConfig(**fields)


def test_config_imports_no_torch():
    """The CLI builds `rnnkit train nextword --help` from this module without loading torch."""
    code = "import sys, rnnkit.apps.nextword, rnnkit.apps.nextword.config; print('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"
