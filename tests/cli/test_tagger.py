"""The tagger commands through main([...]): tag, train tagger, eval tagger; stdin, --json, one-line errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from rnnkit.cli import main

TINY = Path(__file__).resolve().parents[1] / "apps" / "tagger" / "tiny.conllu"
TINY_FLAGS = ["--embedding-dim", "16", "--char-embedding-dim", "8", "--char-hidden-size", "8", "--hidden-size", "16",
              "--num-layers", "1", "--dropout", "0", "--word-dropout", "0", "--batch-size", "4", "--learning-rate",
              "0.02", "--lr-schedule", "constant", "--no-progress", "--num-threads", "1"]


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("tagger") / "tiny.pt"
    assert main(["train", "tagger", "--train", str(TINY), "--valid", str(TINY), "--out", str(out), "--epochs", "25",
                 "--cell", "gru", *TINY_FLAGS]) == 0
    return str(out)


def test_train_tagger_writes_the_model_and_its_checkpoints(model, capsys):
    assert Path(model).is_file() and Path(model).with_suffix(".train.pt").is_file()
    assert Path(model).with_suffix(".train.best.pt").is_file()


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_train_tagger_takes_every_cell_and_eval_says_when_there_is_no_baseline(cell, tmp_path, capsys):
    out, train = tmp_path / f"{cell}.pt", tmp_path / "train.conllu"
    train.write_text(TINY.read_text())
    assert main(["train", "tagger", "--train", str(train), "--out", str(out), "--epochs", "1", "--cell", cell,
                 *TINY_FLAGS]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {out}: {cell.upper()} 1x16 bidirectional, 9 tags")
    train.unlink()  # the recorded training file is gone: no baseline unless --train names one
    assert main(["eval", "tagger", str(TINY), "--model", str(out)]) == 0
    out_text = capsys.readouterr().out
    assert "most-frequent-tag baseline" not in out_text
    assert out_text.endswith("(no baseline: give --train FILE.conllu)\n")


def test_tag_prints_word_slash_tag(model, capsys):
    assert main(["tag", "Show me flights from Boston to Denver!", "--model", model]) == 0
    shown = "Show/VERB me/PRON flights/NOUN from/ADP Boston/PROPN to/ADP Denver/PROPN !/PUNCT\n"
    assert capsys.readouterr().out == shown


def test_tag_json_and_stdin_one_result_per_line(model, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("list flights\n\nshow me boston\n"))
    assert main(["tag", "-", "--model", model, "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines == [{"tokens": [{"word": "list", "tag": "VERB"}, {"word": "flights", "tag": "NOUN"}]},
                     {"tokens": []},
                     {"tokens": [{"word": "show", "tag": "VERB"}, {"word": "me", "tag": "PRON"},
                                 {"word": "boston", "tag": "PROPN"}]}]


def test_eval_tagger_prints_accuracy_beside_the_baseline(model, capsys):
    assert main(["eval", "tagger", str(TINY), "--model", model]) == 0  # the recorded training file is the baseline's
    out = capsys.readouterr().out
    assert out.startswith(f"{TINY}: 10 sentences, 73 words (0 unseen in training)\nUPOS accuracy ")
    assert "most-frequent-tag baseline" in out and "most confused (gold -> predicted: count)" in out


def test_eval_tagger_json_from_stdin(model, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(TINY.read_text()))
    assert main(["eval", "tagger", "-", "--model", model, "--train", str(TINY), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["file"] == "-" and result["baseline_train"] == str(TINY) and result["words"] == 73
    assert set(result["model"]) == {"accuracy", "words", "correct", "per_tag", "confusions"}
    assert 0 < result["baseline"]["accuracy"] <= 1


def test_eval_with_a_missing_baseline_file_exits_2(model, tmp_path, capsys):
    assert main(["eval", "tagger", str(TINY), "--model", model, "--train", str(tmp_path / "none.conllu")]) == 2
    assert capsys.readouterr().err == f"rnnkit: error: --train file not found: {tmp_path / 'none.conllu'}\n"


@pytest.mark.parametrize("argv, match", [
    (["tag", "hi", "--num-threads", "-1"], "--num-threads must be an integer >= 0"),
    (["train", "tagger", "--train", "none.conllu", "--epochs", "0"], "epochs must be an integer >= 1"),
    (["train", "tagger", "--train", "none.conllu", "--cell", "cnn"], "invalid choice"),
    (["train", "tagger", "--train", "none.conllu", "--epochs", "1"], "file not found: none.conllu"),
    (["eval", "tagger", "none.conllu"], "file not found: none.conllu"),
])
def test_usage_and_input_errors_exit_2_with_one_line(argv, match, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert match in err


def test_malformed_conllu_names_file_and_line(model, tmp_path, capsys):
    bad = tmp_path / "bad.conllu"
    bad.write_text("# sent_id = 1\n1\tshow\tshow\tVERB\n")
    assert main(["eval", "tagger", str(bad), "--model", model]) == 2
    assert capsys.readouterr().err == f"rnnkit: error: {bad}:2: expected 10 tab-separated columns, got 4\n"


def test_huge_text_and_wrong_model_kind(tmp_path, capsys):
    from rnnkit.apps.nextword.predictor import DEFAULT_MODEL_PATH

    assert main(["tag", "a" * 100_001]) == 2
    assert "reads at most 100,000" in capsys.readouterr().err
    assert main(["tag", "hi", "--model", str(DEFAULT_MODEL_PATH)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "holds a 'nextword' model, expected 'tagger'" in err
