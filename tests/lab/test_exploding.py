"""Exploding gradients on --quick settings: clipping keeps the loss finite where the unclipped run diverges."""

from __future__ import annotations

import math

import pytest

from rnnkit.errors import ConfigError
from rnnkit.lab.exploding import ExplodingConfig, run_exploding


@pytest.fixture(scope="module")
def result():
    return run_exploding(ExplodingConfig.quick(progress=False))


def test_without_clipping_every_seed_diverges(result):
    assert all(step is not None for step in result.diverged_at["none"])
    assert result.max_grad_norm["none"][0] == math.inf


@pytest.mark.parametrize("mode", ["norm", "value"])
def test_clipping_keeps_the_loss_finite(result, mode):
    assert result.diverged_at[mode] == [None] * result.config.num_seeds
    assert all(math.isfinite(v) for v in result.logs[mode].loss)
    assert len(result.logs[mode].loss) == result.config.steps
    assert max(result.max_grad_norm[mode]) > 100  # the gradients still explode; clipping tames the update


def test_the_three_runs_start_from_the_same_weights_and_batch(result):
    first = {mode: log.grad_norm[0] for mode, log in result.logs.items()}
    assert first["none"] == first["norm"] == first["value"]


def test_writes_csv_and_plot(result, tmp_path):
    paths = result.write(tmp_path)
    assert [p.name for p in paths] == ["exploding.csv", "exploding.png"]
    assert paths[0].read_text().startswith("mode,step,loss,grad_norm")
    assert "diverged in 2/2 seeds" in result.summary()


@pytest.mark.parametrize("changes, match", [
    ({"nonlinearity": "sigmoid"}, "nonlinearity must be one of tanh, relu"),
    ({"recurrent_gain": 0}, "recurrent_gain must be a number > 0"),
    ({"clip_value": -1.0}, "clip_value must be a number > 0"),
    ({"steps": 0}, "steps must be an integer >= 1"),
])
def test_config_rejects_bad_values(changes, match):
    with pytest.raises(ConfigError, match=match):
        ExplodingConfig(**changes)
