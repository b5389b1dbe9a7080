"""The synthetic tasks: what the inputs hold, what the answer is, and the trivial baselines."""

from __future__ import annotations

import pytest
import torch

from rnnkit.errors import ConfigError
from rnnkit.lab.tasks import ADDING_BASELINE_MSE, learned, make_batch, task_spec


def _batch(name, batch_size=2000, seq_len=20, seed=0):
    task = task_spec(name)
    return task, make_batch(task, batch_size, seq_len, torch.Generator().manual_seed(seed))


def test_adding_marks_one_number_in_each_half_and_asks_for_their_sum():
    task, batch = _batch("adding")
    values, markers = batch.x[..., 0], batch.x[..., 1]
    assert batch.x.shape == (2000, 20, 2) and task.input_size == 2 and task.output_size == 1
    ones = torch.ones(2000)
    assert torch.equal(markers[:, :10].sum(1), ones) and torch.equal(markers[:, 10:].sum(1), ones)
    torch.testing.assert_close(batch.y, (values * markers).sum(1))


def test_adding_baseline_is_the_variance_of_the_sum():
    task, batch = _batch("adding", batch_size=20_000)
    always_one = torch.ones(20_000, 1)
    assert task.score(always_one, batch.y) == pytest.approx(ADDING_BASELINE_MSE, rel=0.03)
    assert task.baseline == ADDING_BASELINE_MSE


def test_recall_answer_is_the_first_token_and_distractors_never_repeat_it():
    task, batch = _batch("recall")
    ids = batch.x.argmax(-1)  # one-hot -> ids
    assert batch.x.shape == (2000, 20, 16) and task.output_size == 8
    assert torch.equal(ids[:, 0], batch.y)
    assert bool((ids[:, 1:] >= 8).all())  # distractors come from their own 8 symbols
    guess_zero = torch.zeros(2000, 8)
    guess_zero[:, 0] = 1.0
    assert task.score(guess_zero, batch.y) == pytest.approx(1 / 8, abs=0.03)  # the trivial baseline


def test_batches_are_deterministic_for_a_seed():
    _, a = _batch("recall", seed=3)
    _, b = _batch("recall", seed=3)
    _, c = _batch("recall", seed=4)
    assert torch.equal(a.x, b.x) and not torch.equal(a.x, c.x)


@pytest.mark.parametrize("name, metric, expected", [
    ("adding", ADDING_BASELINE_MSE, False), ("adding", 0.1 * ADDING_BASELINE_MSE, True),
    ("adding", 0.2 * ADDING_BASELINE_MSE, False), ("recall", 0.9, True), ("recall", 0.89, False),
    ("recall", 1 / 8, False),
])
def test_learned_means_ninety_percent_of_the_way(name, metric, expected):
    assert learned(task_spec(name), metric) is expected


@pytest.mark.parametrize("kwargs, match", [
    ({"name": "copy"}, "task must be one of adding, recall"),
    ({"name": "recall", "num_symbols": 1}, "num_symbols must be an integer >= 2"),
    ({"name": "recall", "num_distractors": 0}, "num_distractors must be an integer >= 1"),
])
def test_task_spec_rejects_bad_values(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        task_spec(**kwargs)
