"""The translator commands through main([...]): train, translate (text, stdin, --json, --greedy), eval, errors."""

from __future__ import annotations

import io
import json

import pytest
import torch

from rnnkit.cli import main

PAIRS = [("I go to school.", "Je vais à l'école."), ("I go home.", "Je vais à la maison."),
         ("We go to school.", "Nous allons à l'école."), ("I am happy.", "Je suis heureux."),
         ("You are happy.", "Tu es heureux."), ("I am tired.", "Je suis fatigué."), ("He is tired.", "Il est fatigué."),
         ("She is tired.", "Elle est fatiguée.")]

TINY_FLAGS = ["--min-freq", "1", "--embedding-dim", "16", "--hidden-size", "16", "--batch-size", "4",
              "--epochs", "80", "--learning-rate", "0.02", "--lr-schedule", "constant", "--dropout", "0",
              "--no-progress", "--no-mixed-precision", "--num-threads", "1", "--no-split"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """(folder, model path) of a tiny translator trained through the CLI on a pairs file."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # module fixtures run before conftest's per-test thread setting
    folder = tmp_path_factory.mktemp("translator")
    data = folder / "pairs.txt"
    data.write_text("".join(f"{e}\t{f}\n" for e, f in PAIRS), encoding="utf-8")
    out = folder / "tr.pt"
    assert main(["train", "translator", "--data", str(data), "--out", str(out), "--cell", "lstm", *TINY_FLAGS]) == 0
    yield folder, out
    torch.set_num_threads(threads)


def test_train_writes_the_model_and_a_resumable_checkpoint(trained, capsys):
    folder, out = trained
    assert out.is_file() and (folder / "tr.train.pt").is_file()


def test_train_prints_a_summary_and_stores_float16(tmp_path, capsys):
    data = tmp_path / "pairs.txt"
    data.write_text("".join(f"{e}\t{f}\n" for e, f in PAIRS), encoding="utf-8")
    argv = ["train", "translator", "--data", str(data), "--out", str(tmp_path / "t.pt"), "--float16", "--cell", "rnn",
            *TINY_FLAGS, "--epochs", "1", "--max-minutes", "1"]
    assert main(argv) == 0
    line = capsys.readouterr().out
    assert line.startswith(f"wrote {tmp_path / 't.pt'}: Translator(RNN 16") and "resumable checkpoint" in line
    assert main([*argv, "--json", "--out", str(tmp_path / "t2.pt")]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert metrics["model"] == str(tmp_path / "t2.pt") and metrics["steps"] == 2 and metrics["train_pairs"] == 8


def test_translate_text_json_greedy_and_stdin(trained, capsys, monkeypatch):
    _, model = trained
    assert main(["translate", "I go to school.", "--model", str(model)]) == 0
    assert capsys.readouterr().out == "Je vais à l'école.\n"
    assert main(["translate", "I am tired.", "--model", str(model), "--greedy", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["translation"] == "Je suis fatigué." and result["beam"] == 1
    monkeypatch.setattr("sys.stdin", io.StringIO("I go home.\n\nYou are happy.\n"))
    assert main(["translate", "-", "--model", str(model), "--beam", "3"]) == 0
    assert capsys.readouterr().out == "Je vais à la maison.\nTu es heureux.\n"


@pytest.mark.parametrize(("argv", "match"), [
    (["translate", ""], "text is empty"),
    (["translate", "x" * 1_000_000], "characters long"),
    (["translate", "I go home.", "--beam", "0"], "beam must be"),
])
def test_bad_input_exits_2_with_one_line(trained, capsys, argv, match):
    _, model = trained
    assert main([*argv, "--model", str(model)]) == 2
    err = capsys.readouterr().err
    assert match in err and err.count("\n") == 1 and err.startswith("rnnkit: error:")


def test_empty_stdin_and_junk_stdin(trained, capsys, monkeypatch):
    _, model = trained
    monkeypatch.setattr("sys.stdin", io.StringIO("\n \n"))
    assert main(["translate", "-", "--model", str(model)]) == 2
    assert "stdin is empty" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"\xff\xfe\x00junk"), encoding="utf-8"))
    assert main(["translate", "-", "--model", str(model)]) == 2
    assert "not UTF-8" in capsys.readouterr().err


def test_beam_and_greedy_cannot_be_combined(capsys):
    assert main(["translate", "I go.", "--beam", "2", "--greedy"]) == 2
    assert "not allowed with" in capsys.readouterr().err


def test_another_products_model_is_refused_with_exit_1(tmp_path, capsys):
    from rnnkit.config import ModelConfig
    from rnnkit.models import LanguageModel
    from rnnkit.training import build_checkpoint, save_checkpoint

    model = LanguageModel(ModelConfig(vocab_size=8, embedding_dim=4, hidden_size=4, num_layers=1))
    path = save_checkpoint(tmp_path / "nw.pt", build_checkpoint("nextword", model.state_dict()))
    assert main(["translate", "I go.", "--model", str(path)]) == 1
    err = capsys.readouterr().err
    assert "nextword" in err and err.count("\n") == 1


def test_eval_prints_bleu_chrf_and_signatures(trained, capsys, tmp_path):
    folder, model = trained
    data = tmp_path / "pairs.txt"
    data.write_text("".join(f"I see {i} cats.\tJe vois {i} chats.\n" for i in range(100)), encoding="utf-8")
    assert main(["eval", "translator", "--data", str(data), "--model", str(model), "--greedy"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("greedy: BLEU ") and "chrF" in lines[0]
    assert lines[1].startswith("BLEU signature: nrefs:1|case:mixed")
    examples = tmp_path / "examples.jsonl"
    argv = ["eval", "translator", "--data", str(data), "--model", str(model), "--json", "--examples", str(examples)]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["beam"] == 5 and result["part"] == "test" and {"bleu", "chrf", "bleu_signature"} <= set(result)
    assert len(examples.read_text(encoding="utf-8").splitlines()) == result["sentences"]


def test_eval_with_missing_data_exits_2(trained, capsys, tmp_path):
    _, model = trained
    assert main(["eval", "translator", "--data", str(tmp_path / "none.txt"), "--model", str(model)]) == 2
    assert capsys.readouterr().err.count("\n") == 1
