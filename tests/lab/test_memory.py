"""Long-range memory on --quick settings: LSTM and GRU learn short recall, far above the trivial baseline."""

from __future__ import annotations

import pytest

from rnnkit.errors import ConfigError
from rnnkit.lab.memory import MemoryConfig, run_memory
from rnnkit.lab.tasks import learned


@pytest.fixture(scope="module")
def recall():
    return run_memory(MemoryConfig.quick(tasks=("recall",), lengths=(5,), progress=False))


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_lstm_and_gru_learn_short_recall_that_the_trivial_baseline_does_not(recall, cell):
    task = recall.tasks["recall"]
    assert not learned(task, task.baseline)  # guessing one symbol: accuracy 1/8
    assert recall.learned_count("recall", cell, 5) == recall.config.num_seeds
    assert min(recall.metrics["recall", cell, 5]) >= 0.9
    assert all(steps <= recall.config.steps for steps in recall.steps_to_learn["recall", cell, 5])


def test_table_and_files(recall, tmp_path):
    table = recall.table()
    assert "| LSTM | **2/2** · " in table and "trivial baseline 0.125" in table
    paths = recall.write(tmp_path)
    assert [p.name for p in paths] == ["memory.csv", "memory.md", "memory.png"]
    assert paths[1].read_text() == table


def test_a_cell_that_fails_twice_in_a_row_is_not_run_at_longer_lengths():
    config = MemoryConfig.quick(tasks=("adding",), cells=("rnn",), lengths=(20, 30, 40), steps=2, num_seeds=1,
                                eval_every=1, progress=False)
    result = run_memory(config)
    assert result.skipped == [("adding", "rnn", 40)]
    assert ("adding", "rnn", 40) not in result.metrics and result.learned_count("adding", "rnn", 40) == 0
    assert "not run" in result.table()
    everything = run_memory(MemoryConfig.quick(tasks=("adding",), cells=("rnn",), lengths=(20, 30, 40), steps=2,
                                               num_seeds=1, skip_after=0, progress=False))
    assert everything.skipped == [] and len(everything.metrics) == 3


def test_same_seed_same_result():
    config = MemoryConfig.quick(tasks=("adding",), cells=("gru",), lengths=(6,), steps=10, num_seeds=1,
                                progress=False)
    assert run_memory(config).metrics == run_memory(config).metrics


@pytest.mark.parametrize("changes, match", [
    ({"tasks": ("adding", "copy")}, "tasks must be a non-empty tuple"),
    ({"lengths": (10, 1)}, "each of lengths must be an integer >= 2"),
    ({"lengths": []}, "lengths must be a non-empty tuple"),
    ({"num_symbols": 1}, "num_symbols must be an integer >= 2"),
    ({"skip_after": -1}, "skip_after must be an integer >= 0"),
])
def test_config_rejects_bad_values(changes, match):
    with pytest.raises(ConfigError, match=match):
        MemoryConfig(**changes)
