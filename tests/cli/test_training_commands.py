"""Training commands never lose work and fail early: signals, --resume, unwritable --out, rank 0 only; stdin."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

import rnnkit.cli.common as common_module
import rnnkit.cli.nextword as nextword_cli
from rnnkit.apps.nextword.predictor import NextWordPredictor
from rnnkit.cli import main
from rnnkit.training import load_checkpoint

CORPUS = ["I go to school", "me and my friends go to school", "the cat sat on the mat .",
          "the dog sat on the log .", "my school has a scheme for the cat ."] * 4
TINY = ["--embedding-dim", "16", "--hidden-size", "16", "--num-layers", "1", "--batch-size", "4", "--seq-len", "8",
        "--optimizer", "adamw", "--learning-rate", "0.02", "--lr-schedule", "constant", "--no-progress",
        "--num-threads", "1"]
UNWRITABLE = Path("/sys/kernel/rnnkit-test/model.pt")  # refused even to root (sysfs)
SIGNAL_BUDGET_S = 5.0  # a signalled run writes its checkpoint and exits within this


@pytest.fixture
def corpus(tmp_path) -> Path:
    path = tmp_path / "train.txt"
    path.write_text("\n".join(CORPUS) + "\n", encoding="utf-8")
    return path


def _needs_sysfs():
    if not UNWRITABLE.parent.parent.is_dir():
        pytest.skip("no /sys here")


@pytest.mark.parametrize("argv", [
    ["train", "nextword", "--corpus", "CORPUS"],
    ["train", "sentiment", "--train", "csv:CORPUS"],
    ["train", "tagger", "--train", "CORPUS"],
])
def test_an_unwritable_out_fails_in_one_line_before_training(corpus, capsys, argv):
    _needs_sysfs()
    started = time.perf_counter()
    code = main([a.replace("CORPUS", str(corpus)) for a in argv] + ["--out", str(UNWRITABLE)])
    err = capsys.readouterr().err
    assert code == 1 and time.perf_counter() - started < 2.0
    assert err.count("\n") == 1 and f"cannot write checkpoint {UNWRITABLE}: permission denied" in err


def test_sigterm_writes_a_checkpoint_and_the_same_command_resumes_exactly(tmp_path, corpus):
    out, checkpoint = tmp_path / "nw.pt", tmp_path / "nw.train.pt"
    argv = ["train", "nextword", "--corpus", str(corpus), "--out", str(out), *TINY]
    proc = subprocess.Popen([sys.executable, "-m", "rnnkit.cli", *argv, "--epochs", "10000", "--checkpoint-every", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "OMP_NUM_THREADS": "1"})
    try:
        deadline = time.monotonic() + 60
        while not checkpoint.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        _, stderr = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert time.monotonic() - sent < SIGNAL_BUDGET_S
    assert proc.returncode == 128 + signal.SIGTERM, stderr
    step = load_checkpoint(checkpoint)["trainer_state"]["step"]
    assert stderr.strip().splitlines()[-1] == (f"rnnkit: training stopped by SIGTERM after step {step}; {checkpoint} "
                                               f"holds it: run the same command with --resume {checkpoint} to go on")
    assert not out.exists() and not list(tmp_path.glob(".*.tmp"))
    torch.set_num_threads(1)
    total = ["--epochs", "10000", "--max-steps", str(step + 5)]
    assert main([*argv, *total, "--resume", str(checkpoint)]) == 0
    straight = tmp_path / "straight.pt"
    assert main([*argv, *total, "--out", str(straight), "--checkpoint", str(tmp_path / "s.train.pt")]) == 0
    resumed, expected = NextWordPredictor.load(out), NextWordPredictor.load(straight)
    assert resumed.metrics["steps"] == step + 5
    for name, value in expected.model.state_dict().items():
        assert torch.equal(value, resumed.model.state_dict()[name]), name


def test_only_rank_0_writes_and_prints(corpus, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(common_module, "is_main_process", lambda: False)
    monkeypatch.setattr(nextword_cli, "is_main_process", lambda: False)
    out = tmp_path / "nw.pt"
    assert main(["train", "nextword", "--corpus", str(corpus), "--out", str(out), "--epochs", "1", *TINY]) == 0
    assert not out.exists() and capsys.readouterr().out == ""


def _sentiment_data(tmp_path) -> Path:
    table = tmp_path / "train.csv"
    rows = ["a good film,Positive", "great acting,Positive", "a bad film,Negative", "awful acting,Negative",
            "it opens in paris,Neutral"] * 3
    table.write_text("text,label\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return table


def test_train_sentiment_resumes_and_refuses_another_vocabulary(tmp_path, capsys):
    table = _sentiment_data(tmp_path)
    flags = ["--embedding-dim", "8", "--hidden-size", "8", "--no-progress", "--num-threads", "1", "--batch-size", "4"]
    out = tmp_path / "s.pt"
    assert main(["train", "sentiment", "--train", f"csv:{table}", *flags, "--epochs", "1", "--out", str(out)]) == 0
    checkpoint = tmp_path / "s.train.pt"
    assert load_checkpoint(checkpoint)["trainer_state"]["epoch"] == 1
    assert main(["train", "sentiment", "--train", f"csv:{table}", *flags, "--epochs", "2", "--out", str(out),
                 "--resume", str(checkpoint), "--json"]) == 0
    assert '"epochs": 2' in capsys.readouterr().out
    other = tmp_path / "other.csv"
    other.write_text("text,label\nsomething else entirely,Positive\nnot this,Negative\n", encoding="utf-8")
    assert main(["train", "sentiment", "--train", f"csv:{other}", *flags, "--out", str(tmp_path / "o.pt"),
                 "--resume", str(checkpoint)]) == 1
    assert "was trained with another vocabulary" in capsys.readouterr().err


@pytest.mark.parametrize("data, match", [
    (b"\x7fELF\x02\x01\x01\x00\x00\x00\x00", "stdin holds NUL or undecodable bytes"),
    (b"\xff\xfe\x00junk", "stdin is not UTF-8 text"),
    (bytes(range(1, 32)) * 20 + b"hello", "stdin looks like binary data, not text"),
])
def test_binary_junk_on_stdin_is_refused_in_one_line(monkeypatch, capsys, data, match):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    assert main(["sentiment", "-", "--backend", "lexicon"]) == 2
    err = capsys.readouterr().err
    assert match in err and err.count("\n") == 1


def test_text_on_stdin_with_tabs_and_newlines_is_rated(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"a good film\tI loved it\r\n"),
                                                       encoding="utf-8"))
    assert main(["sentiment", "-", "--backend", "lexicon"]) == 0
    assert capsys.readouterr().out == "Positive\n"


def test_eval_nextword_with_the_bundled_model_scores_the_lstm_alone(tmp_path, capsys):
    if not NextWordPredictor.load().train_corpus:
        pytest.skip("the bundled model records no training text")
    test = tmp_path / "test.txt"
    test.write_text("I go to school .\nthe cat sat on the mat .\n", encoding="utf-8")
    assert main(["eval", "nextword", str(test), "--num-threads", "1"]) == 0
    captured = capsys.readouterr()
    assert "scoring the LSTM alone" in captured.err and "give --train-corpus FILE" in captured.err
    assert "LSTM 2x200" in captured.out and "Kneser-Ney" not in captured.out


def test_eval_sentiment_png_in_an_unwritable_folder_fails_first(tmp_path, capsys):
    _needs_sysfs()
    table = _sentiment_data(tmp_path)
    started = time.perf_counter()
    code = main(["eval", "sentiment", f"csv:{table}", "--confusion-png", str(UNWRITABLE.with_suffix(""))])
    assert code == 1 and time.perf_counter() - started < 2.0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot write confusion matrix /sys/kernel/rnnkit-test/model-probe.png" in err
