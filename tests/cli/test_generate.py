"""The generator commands through main([...]): train generator (plain and labelled), generate, eval generator."""

from __future__ import annotations

import io
import json

import pytest
import torch

from rnnkit.apps.generator.generator import CharGenerator
from rnnkit.cli import main

TEXT = ("ROMEO:\nBut soft, what light through yonder window breaks?\n\n"
        "JULIET:\nO Romeo, Romeo, wherefore art thou Romeo?\n\n") * 12
TINY = ["--embedding-dim", "8", "--hidden-size", "32", "--num-layers", "1", "--dropout", "0", "--batch-size", "4",
        "--seq-len", "16", "--learning-rate", "0.02", "--lr-schedule", "constant", "--eval-every", "0",
        "--checkpoint-every", "0", "--no-progress", "--num-threads", "1"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """(folder, plain model, labelled model) trained through the CLI."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # module fixtures run before conftest's per-test thread setting
    folder = tmp_path_factory.mktemp("generator")
    (folder / "input.txt").write_text(TEXT, encoding="utf-8")
    (folder / "reviews.tsv").write_text("text\tlabel\n" + "great price\tpositive\nlove it\tpositive\n"
                                        "too heavy\tnegative\nit broke\tnegative\n" * 6, encoding="utf-8")
    plain, labelled = folder / "plain.pt", folder / "labelled.pt"
    assert main(["train", "generator", "--data", str(folder / "input.txt"), "--out", str(plain), "--epochs", "20",
                 *TINY]) == 0
    assert main(["train", "generator", "--labelled", f"table:{folder / 'reviews.tsv'}", "--out", str(labelled),
                 "--epochs", "40", "--valid-fraction", "0.2", *TINY]) == 0
    yield folder, plain, labelled
    torch.set_num_threads(threads)


def test_train_writes_models_that_load(trained, capsys):
    folder, plain, labelled = trained
    assert plain.is_file() and (folder / "plain.train.pt").is_file() and (folder / "plain.train.best.pt").is_file()
    assert CharGenerator.load(plain).labels == ()
    assert CharGenerator.load(labelled).labels == ("Negative", "Positive")
    best = CharGenerator.load(folder / "plain.train.best.pt")  # the Trainer's files load as generators too
    assert best.generate("RO", 20, seed=1) == CharGenerator.load(plain).generate("RO", 20, seed=1)


def test_train_json_and_every_cell(trained, capsys):
    folder = trained[0]
    for cell in ("rnn", "lstm", "gru"):
        argv = ["train", "generator", "--data", str(folder / "input.txt"), "--out", str(folder / f"{cell}.pt"),
                "--cell", cell, "--epochs", "1", "--json", *TINY]
        assert main(argv) == 0
        result = json.loads(capsys.readouterr().out)
        assert result["steps"] > 0 and result["val_nats_per_char"] > 0 and result["labels"] == []
        assert CharGenerator.load(folder / f"{cell}.pt").model.config.cell == cell


def test_generate_is_repeatable_with_a_seed(trained, capsys):
    plain = str(trained[1])
    argv = ["generate", "ROMEO:", "--model", plain, "--length", "40", "--temperature", "0.8", "--top-k", "20",
            "--top-p", "0.95", "--seed", "1"]
    assert main(argv) == 0
    first = capsys.readouterr().out
    assert main(argv) == 0
    assert capsys.readouterr().out == first and first.startswith("ROMEO:") and len(first) == len("ROMEO:") + 41
    assert main([*argv, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result == {"prompt": "ROMEO:", "label": None, "text": first[len("ROMEO:"):-1], "finished": False}


def test_generate_reads_stdin(trained, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("JULIET:"))
    assert main(["generate", "-", "--model", str(trained[1]), "--length", "5", "--seed", "0"]) == 0
    assert capsys.readouterr().out.startswith("JULIET:")


def test_generate_with_a_label(trained, capsys):
    argv = ["generate", "--model", str(trained[2]), "--label", "Positive", "--temperature", "0.3", "--seed", "2",
            "--guidance", "0", "--json"]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["label"] == "Positive" and result["finished"] and result["text"] in {"great price", "love it"}


def test_generate_words_with_the_next_word_model(capsys):
    argv = ["generate", "I go to", "--words", "--length", "5", "--seed", "3", "--json"]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["prompt"] == "I go to" and len(result["text"].split()) >= 3 and result["text"].startswith(" ")
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out) == result


@pytest.mark.parametrize("extra, match", [
    (["--length", "0"], "length must be an integer from 1"),
    (["--temperature", "0"], "temperature must be a number > 0"),
    (["--top-k", "-2"], "top_k must be an integer >= 0"),
    (["--top-p", "2"], "top_p must be a number in"),
    (["--seed", "-1"], "seed must be None"),
    (["--label", "Positive"], "not conditioned on labels"),
    (["--words", "--label", "Positive"], "--label needs the review model"),
    (["--num-threads", "-1"], "--num-threads must be"),
])
def test_generate_bad_arguments_exit_2_with_one_line(trained, capsys, extra, match):
    assert main(["generate", "RO", "--model", str(trained[1]), *extra]) == 2
    err = capsys.readouterr().err
    assert match in err and err.count("\n") == 1


def test_generate_refuses_another_products_model(trained, capsys):
    from rnnkit.apps.nextword.predictor import DEFAULT_MODEL_PATH

    assert main(["generate", "RO", "--model", str(DEFAULT_MODEL_PATH)]) == 1
    err = capsys.readouterr().err
    assert "expected 'generator'" in err and err.count("\n") == 1


@pytest.mark.parametrize("argv, match", [
    (["train", "generator", "--data", "/no/such/file.txt"], "file not found"),
    (["train", "generator", "--labelled", "nope:/x"], "FORMAT:PATH"),
    (["train", "generator", "--data", "x.txt", "--hidden-size", "0"], "hidden_size must be"),
    (["train", "generator", "--data", "x.txt", "--max-minutes", "-1"], "max_minutes must be"),
])
def test_train_bad_input_exits_2(capsys, argv, match):
    assert main(argv) == 2
    assert match in capsys.readouterr().err


def test_eval_scores_nats_per_char(trained, capsys):
    folder, plain, _ = trained
    argv = ["eval", "generator", str(folder / "input.txt"), "--model", str(plain), "--valid-fraction", "0.5"]
    assert main([*argv, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert 0 < result["nats_per_char"] < 1.5 and result["chars"] > 500
    assert main(argv) == 0
    assert "nats/char" in capsys.readouterr().out


def test_eval_labels_measures_agreement(trained, capsys, monkeypatch):
    from rnnkit.apps.sentiment.analyzer import SentimentAnalyzer

    class Rater:  # the bundled sentiment model is slow to load for a unit test; any rater will do
        @staticmethod
        def rate_many(texts):
            return ["Positive" if t in {"great price", "love it"} else "Negative" for t in texts]

    monkeypatch.setattr(SentimentAnalyzer, "load", classmethod(lambda cls, *a, **k: Rater()))
    argv = ["eval", "generator", "--labels", "--model", str(trained[2]), "-n", "20", "--temperature", "0.3",
            "--guidance", "0", "--json"]
    assert main(argv) == 0
    rows = {row["label"]: row for row in json.loads(capsys.readouterr().out)["labels"]}
    assert set(rows) == {"Negative", "Positive"} and rows["Positive"]["agreement"] >= 0.9
    assert rows["Positive"]["train_distinct_2"] is not None
    assert main(["eval", "generator", "--labels", "Positive", "--model", str(trained[2]), "-n", "5"]) == 0
    assert "agreement" in capsys.readouterr().out


def test_eval_needs_a_file_or_labels(capsys):
    assert main(["eval", "generator"]) == 2
    assert "give the FILE" in capsys.readouterr().err
