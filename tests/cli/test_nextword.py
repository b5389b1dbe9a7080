"""The next-word commands through main([...]): train, suggest (one-shot and interactive), eval."""

from __future__ import annotations

import io
import json

import pytest
import torch

import rnnkit.apps.nextword.predictor as nextword_module
from rnnkit import NextWordPredictor
from rnnkit.cli import main

CORPUS = ["I go to school", "me and my friends go to school", "the cat sat on the mat .",
          "the dog sat on the log .", "my school has a scheme for the cat ."] * 4
TINY = ["--embedding-dim", "16", "--hidden-size", "16", "--num-layers", "1", "--batch-size", "4",
        "--seq-len", "8", "--optimizer", "adamw", "--learning-rate", "0.02", "--lr-schedule", "constant",
        "--no-progress"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """(folder, model path) of a tiny model trained through the CLI."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # module fixtures run before conftest's per-test thread setting
    folder = tmp_path_factory.mktemp("nextword")
    (folder / "train.txt").write_text("\n".join(CORPUS) + "\n", encoding="utf-8")
    (folder / "valid.txt").write_text("I go to school\nthe cat sat on the mat .\n" * 3, encoding="utf-8")
    (folder / "test.txt").write_text("I go to school .\nthe dog sat on the mat\n", encoding="utf-8")
    out = folder / "nw.pt"
    argv = ["train", "nextword", "--corpus", str(folder / "train.txt"), "--valid", str(folder / "valid.txt"),
            "--out", str(out), "--epochs", "15", *TINY]
    assert main(argv) == 0
    yield folder, out
    torch.set_num_threads(threads)


def test_train_writes_the_model_and_a_resumable_checkpoint(trained, capsys):
    folder, out = trained
    assert out.is_file() and (folder / "nw.train.pt").is_file() and (folder / "nw.train.best.pt").is_file()
    best = NextWordPredictor.load(folder / "nw.train.best.pt")  # the Trainer's files load as predictors too
    assert best.suggest("I go to ", 3) == NextWordPredictor.load(out).suggest("I go to ", 3)
    argv = ["train", "nextword", "--corpus", str(folder / "train.txt"), "--valid", str(folder / "valid.txt"),
            "--out", str(folder / "more.pt"), "--resume", str(folder / "nw.train.pt"), "--epochs", "16", *TINY]
    assert main(argv) == 0  # one more epoch on top of the 15 done
    assert "wrote" in capsys.readouterr().out and (folder / "more.pt").is_file()


@pytest.mark.parametrize("argv, match", [
    (["--corpus", "/nonexistent/train.txt"], "file not found"),
    (["--corpus", "CORPUS", "--hidden-size", "0"], "hidden_size must be an integer >= 1"),
    (["--corpus", "CORPUS", "--preset", "large"], "invalid choice"),
])
def test_train_usage_errors_exit_2(trained, capsys, argv, match):
    argv = [str(trained[0] / "train.txt") if a == "CORPUS" else a for a in argv]
    assert main(["train", "nextword", *argv]) == 2
    assert match in capsys.readouterr().err


def test_suggest_prints_words_and_probabilities(trained, capsys):
    assert main(["suggest", "I go to sch", "--model", str(trained[1])]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("\t")[0] == "school" and 1 <= len(lines) <= 3
    assert main(["suggest", "I go to ", "-k", "2", "--json", "--model", str(trained[1])]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == ["text", "completing", "prefix", "suggestions"]
    assert data["text"] == "I go to " and data["completing"] is False and data["prefix"] == ""
    assert len(data["suggestions"]) == 2 and set(data["suggestions"][0]) == {"word", "probability"}


def test_suggest_json_is_the_session_result(trained, capsys):
    """`--json` prints {"text": TEXT} | NextWordSession.result(k): the shape the service answers with too."""
    assert main(["suggest", "I go to Sch", "-k", "3", "--json", "--model", str(trained[1])]) == 0
    data = json.loads(capsys.readouterr().out)
    want = NextWordPredictor.load(trained[1]).session("I go to Sch").result(3)
    assert data == {"text": "I go to Sch"} | want and data["completing"] is True and data["prefix"] == "Sch"


def test_suggest_errors(trained, capsys, monkeypatch, tmp_path):
    assert main(["suggest", "I go", "-k", "0", "--model", str(trained[1])]) == 2
    assert "k must be an integer >= 1, got 0" in capsys.readouterr().err
    assert main(["suggest", "--model", str(trained[1])]) == 2
    assert "give the TEXT to complete, --interactive or --input FILE" in capsys.readouterr().err
    assert main(["suggest", "I go", "--model", str(tmp_path / "absent.pt")]) == 1
    assert "does not exist" in capsys.readouterr().err
    monkeypatch.setattr(nextword_module, "DEFAULT_MODEL_PATH", tmp_path / "absent.pt")
    assert main(["suggest", "I go"]) == 1
    assert "no bundled next-word model" in capsys.readouterr().err


def test_interactive_session(trained, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("I go to sch\n1\n\nthe c\n"))
    assert main(["suggest", "--interactive", "--model", str(trained[1])]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 5  # the empty start, then one line per input line
    assert out[1].startswith("I go to sch|") and "1) school" in out[1]
    assert out[2].startswith("I go to school |")
    assert out[4].startswith("the c|")


def test_interactive_json_prints_one_result_per_line(trained, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("I go to sch\n1\n"))
    assert main(["suggest", "--interactive", "--json", "--model", str(trained[1])]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["text"], r["completing"], r["prefix"]) for r in lines] == [
        ("", False, ""), ("I go to sch", True, "sch"), ("I go to school ", False, "")]
    assert lines[1]["suggestions"][0]["word"] == "school" and len(lines[0]["suggestions"]) == 3


def test_eval_prints_a_table_or_json(trained, capsys):
    folder, model = trained
    assert main(["eval", "nextword", str(folder / "test.txt"), "--model", str(model), "--ngram-order", "3"]) == 0
    out = capsys.readouterr().out
    assert "keystroke savings" in out and "Kneser-Ney 3-gram" in out
    argv = ["eval", "nextword", str(folder / "test.txt"), "--model", str(model), "--json", "--max-tokens", "5"]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["tokens"] == 5 and {"lstm", "kneser_ney", "characters", "file", "model"} <= set(data)
    assert main(["eval", "nextword", str(folder / "test.txt"), "--model", str(model),
                 "--train-corpus", str(folder / "absent.txt")]) == 2
    assert "file not found" in capsys.readouterr().err


def test_bare_train_and_eval_print_their_help(capsys):
    assert main(["train"]) == 2
    assert "nextword" in capsys.readouterr().err
    assert main(["eval"]) == 2
