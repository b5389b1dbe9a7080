"""The lab commands through main([...]): lab gradients / memory / exploding and explain gates."""

from __future__ import annotations

import pytest

from rnnkit.cli import main


def test_lab_exploding_quick_prints_a_summary_and_writes_its_files(tmp_path, capsys):
    assert main(["lab", "exploding", "--quick", "--out", str(tmp_path), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "no clipping            diverged in 2/2 seeds" in out and "wrote" in out
    assert (tmp_path / "exploding.png").is_file() and (tmp_path / "exploding.csv").is_file()


def test_lab_flags_override_the_quick_config(tmp_path, capsys):
    argv = ["lab", "memory", "--quick", "--tasks", "recall", "--cells", "lstm", "--lengths", "5", "--num-seeds", "1",
            "--out", str(tmp_path), "--no-progress"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "| LSTM | **1/1** · " in out and "T = 5" in out and "GRU" not in out
    assert (tmp_path / "memory.md").read_text() in out


def test_lab_gradients_quick_without_training(tmp_path, capsys):
    argv = ["lab", "gradients", "--quick", "--train-steps", "0", "--seq-len", "12", "--out", str(tmp_path),
            "--no-progress"]
    assert main(argv) == 0
    assert "rnn   init" in capsys.readouterr().out and (tmp_path / "gradient_flow.png").is_file()


def test_explain_gates_prints_the_summary_and_writes_the_heatmap(tmp_path, capsys):
    assert main(["explain", "gates", "I go to school", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "forget gate (1 = keep the old memory): most open at" in out
    assert (tmp_path / "gates.png").is_file()


@pytest.mark.parametrize("argv, match", [
    (["lab", "memory", "--lengths", "10,x"], "expected comma-separated int values"),
    (["lab", "memory", "--quick", "--hidden-size", "0"], "hidden_size must be an integer >= 1"),
    (["lab", "gradients", "--quick", "--cells", "rnn,cnn"], "cells must come from rnn, lstm, gru"),
    (["lab", "teleport"], "invalid choice"),
    (["explain", "gates", "hello", "--layer", "5"], "layer must be an integer from 1 to 2"),
    (["explain", "gates", "   "], "text must hold 1 to"),
    (["explain", "gates", "hi", "--num-threads", "-1"], "--num-threads must be an integer >= 0"),
])
def test_usage_and_input_errors_exit_2(argv, match, capsys):
    assert main(argv) == 2
    assert match in capsys.readouterr().err


@pytest.mark.parametrize("command", [["lab"], ["explain"]])
def test_bare_group_prints_help_and_exits_2(command, capsys):
    assert main(command) == 2
    assert "usage" in capsys.readouterr().err


def test_missing_model_file_exits_1(tmp_path, capsys):
    assert main(["explain", "gates", "hi", "--model", str(tmp_path / "none.pt")]) == 1
    assert "rnnkit: error:" in capsys.readouterr().err
