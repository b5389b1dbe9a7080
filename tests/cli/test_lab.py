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


def _nextword_model(path, cell, tiny_texts):
    from rnnkit.apps.nextword.config import NextWordConfig
    from rnnkit.apps.nextword.predictor import NextWordPredictor

    config = NextWordConfig(cell=cell, embedding_dim=8, hidden_size=8, num_layers=1, epochs=1, batch_size=2,
                            seq_len=5, progress=False)
    NextWordPredictor.train(tiny_texts, config).save(path)
    return str(path)


def test_explain_gates_shows_a_gru_models_reset_and_update_gates(tmp_path, capsys, tiny_texts):
    model = _nextword_model(tmp_path / "gru.pt", "gru", tiny_texts)
    assert main(["explain", "gates", "I go to school", "--model", model, "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("GRU gates of gru.pt, layer 1 of 1 (8 units); mean over units per token:")
    assert "reset gate (" in out and "update gate (1 = keep the old state" in out and "forget" not in out
    assert (tmp_path / "gates.png").is_file()
    assert (tmp_path / "gates.csv").read_text().startswith("position,token,reset_mean,")


def test_explain_gates_refuses_a_plain_rnn_with_one_line(tmp_path, capsys, tiny_texts):
    model = _nextword_model(tmp_path / "rnn.pt", "rnn", tiny_texts)
    assert main(["explain", "gates", "I go", "--model", model, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err == ("rnnkit: error: explain gates needs an LSTM or GRU model; this one is a plain rnn, which has no "
                   "gates\n")
