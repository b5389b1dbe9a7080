"""The sentiment commands through main([...]): ``sentiment``, ``train sentiment`` and ``eval sentiment``."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest
import torch

import rnnkit.apps.sentiment.analyzer as sentiment_module
from rnnkit import SentimentAnalyzer
from rnnkit.apps.sentiment.config import SentimentConfig
from rnnkit.cli import main

TEXTS = ["a good film", "great acting", "I loved it", "wonderful and fun", "a bad film", "awful acting",
         "I hated it", "dull and boring", "the film is in english", "it opens in paris"]
LABELS = ["Positive"] * 4 + ["Negative"] * 4 + ["Neutral"] * 2
TREES = "\n".join([
    "(3 (2 a) (3 (3 good) (2 film)))",
    "(4 (4 great) (2 acting))",
    "(1 (2 a) (1 (1 bad) (2 film)))",
    "(0 (0 awful) (2 acting))",
    "(2 (2 it) (2 (2 opens) (2 (2 in) (2 paris))))",
]) + "\n"


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # module fixtures run before conftest's per-test thread setting
    torch.manual_seed(0)
    config = SentimentConfig(embedding_dim=8, hidden_size=8, epochs=30, batch_size=8, learning_rate=0.02,
                             dropout=0.0, word_dropout=0.0, progress=False, num_threads=1)
    path = tmp_path_factory.mktemp("sentiment") / "tiny.pt"
    SentimentAnalyzer.train(TEXTS, LABELS, config).save(path)
    yield path
    torch.set_num_threads(threads)


@pytest.fixture
def no_bundled(monkeypatch, tmp_path):
    monkeypatch.setattr(sentiment_module, "DEFAULT_MODEL_PATH", tmp_path / "none.pt")


@pytest.fixture
def bundled(monkeypatch, model_path):
    monkeypatch.setattr(sentiment_module, "DEFAULT_MODEL_PATH", model_path)


# sentiment -------------------------------------------------------------------------------------------

def test_lexicon_label(capsys):
    assert main(["sentiment", "not bad at all", "--backend", "lexicon"]) == 0
    assert capsys.readouterr().out == "Positive\n"


def test_json_with_explanation(capsys):
    assert main(["sentiment", "The movie was not good", "--backend", "lexicon", "--json", "--explain"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert list(result) == ["backend", "label", "scores", "compound", "explanation"]
    assert result["label"] == "Negative" and result["backend"] == "lexicon"
    assert list(result["scores"]) == ["Negative", "Neutral", "Positive"] and -1 <= result["compound"] < 0
    assert [e["token"] for e in result["explanation"]] == ["The", "movie", "was", "not", "good"]


def test_json_is_the_result_shape(capsys, model_path):
    for argv, analyzer in ((["--backend", "lexicon"], SentimentAnalyzer()),
                           (["--model", str(model_path)], SentimentAnalyzer.load(model_path))):
        assert main(["sentiment", "The food was good", "--json", *argv]) == 0
        printed = json.loads(capsys.readouterr().out)
        assert printed == {"backend": analyzer.backend} | analyzer.result("The food was good")
        assert printed["explanation"] is None  # always present; null without --explain


def test_help_imports_no_torch():
    code = ("import contextlib, io, sys; from rnnkit.cli import main\n"
            "for argv in (['train', 'sentiment', '--help'], ['eval', 'sentiment', '--help'], "
            "['sentiment', '--help']):\n"
            "    with contextlib.redirect_stdout(io.StringIO()) as out:\n"
            "        assert main(argv) == 0 and '--' in out.getvalue()\n"
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_explain_lines(capsys):
    assert main(["sentiment", "not bad", "--backend", "lexicon", "--explain"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Positive" and lines[1].startswith("not\t+")


def test_stdin(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("I hated every minute.\nTerrible.\n"))
    assert main(["sentiment", "-", "--backend", "lexicon"]) == 0
    assert capsys.readouterr().out == "Negative\n"


def test_threshold_alone_picks_the_lexicon(capsys, bundled):
    assert main(["sentiment", "We went aboard."]) == 0  # the bundled (here: tiny) model
    assert main(["sentiment", "We went aboard.", "--threshold", "seed"]) == 0
    assert main(["sentiment", "We went aboard.", "--threshold", "vader"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == ["Positive", "Neutral"]  # compound 0.0258


def test_learned_model(capsys, model_path):
    assert main(["sentiment", "a good film", "--model", str(model_path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["backend"] == "lstm" and result["label"] == "Positive"


def test_no_bundled_model_falls_back_to_the_lexicon(capsys, no_bundled):
    assert main(["sentiment", "great"]) == 0
    out = capsys.readouterr()
    assert out.out == "Positive\n" and "no bundled sentiment model; using the lexicon backend" in out.err
    assert main(["sentiment", "great", "--backend", "model"]) == 1
    assert "no bundled sentiment model" in capsys.readouterr().err


@pytest.mark.parametrize("argv, match", [
    (["--backend", "lexicon", "--model", "m.pt"], "the lexicon backend reads no model file"),
    (["--backend", "model", "--threshold", "vader"], "threshold applies to the lexicon backend only"),
    (["--model", "m.pt", "--threshold", "vader"], "threshold applies to the lexicon backend only"),
    (["--backend", "vader"], "invalid choice"),
    (["--model", "/nonexistent/m.pt"], ""),
])
def test_sentiment_errors(capsys, argv, match):
    code = main(["sentiment", "good", *argv])
    assert code == (1 if "nonexistent" in argv[-1] else 2)
    last = capsys.readouterr().err.strip().splitlines()[-1]  # argparse prints its usage lines first
    assert last.startswith("rnnkit") and match in last


# eval sentiment --------------------------------------------------------------------------------------

@pytest.fixture
def files(tmp_path):
    (tmp_path / "test.txt").write_text(TREES, encoding="utf-8")
    rows = "\n".join(f"{t},{label}" for t, label in zip(TEXTS, LABELS, strict=True))
    (tmp_path / "reviews.csv").write_text("text,label\n" + rows + "\n", encoding="utf-8")
    (tmp_path / "gt.txt").write_bytes(b"1\t2.5\ta good film\r\n2\t-3.0\tawful acting\r\n3\t0.1\tit opens in paris")
    return tmp_path


def test_eval_side_by_side(capsys, files, model_path):
    assert main(["eval", "sentiment", str(files / "test.txt"), "--model", str(model_path)]) == 0
    out = capsys.readouterr().out
    assert "(sst, 3 classes, 5 examples)" in out
    assert out.splitlines()[1].split() == ["lexicon", "(seed)", "model", "(lstm)"]
    assert "lexicon (seed), confusion (rows true, columns predicted):" in out and "model (lstm), confusion" in out


@pytest.mark.parametrize("name, classes, n", [("test.txt", 2, 4), ("test.txt", 5, 5), ("reviews.csv", 3, 10),
                                              ("gt.txt", 3, 3), ("reviews.csv", 2, 8)])
def test_eval_json_formats_and_classes(capsys, files, model_path, name, classes, n):
    argv = ["eval", "sentiment", str(files / name), "--model", str(model_path), "--classes", str(classes), "--json"]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["n"] == n and result["classes"] == classes
    assert set(result["results"]) == ({"model"} if classes == 5 else {"lexicon", "model"})
    assert len(result["results"]["model"]["confusion"]) == classes


def test_eval_png(capsys, files, model_path):
    prefix = files / "cm"
    argv = ["eval", "sentiment", str(files / "reviews.csv"), "--model", str(model_path), "--confusion-png",
            str(prefix)]
    assert main(argv) == 0
    for system in ("lexicon", "model"):
        assert (files / f"cm-{system}.png").read_bytes()[:4] == b"\x89PNG"
    assert f"wrote {prefix}-model.png" in capsys.readouterr().out


def test_eval_without_a_model_scores_the_lexicon(capsys, files, no_bundled):
    assert main(["eval", "sentiment", str(files / "reviews.csv"), "--json"]) == 0
    out = capsys.readouterr()
    assert set(json.loads(out.out)["results"]) == {"lexicon"} and "lexicon rule only" in out.err
    assert main(["eval", "sentiment", str(files / "test.txt"), "--classes", "5"]) == 2
    assert "5 classes need a learned model" in capsys.readouterr().err


@pytest.mark.parametrize("argv, match", [
    (["reviews.csv", "--classes", "5"], "5 classes need SST labels"),
    (["missing.csv"], "file not found"),
    (["bad.csv"], "bad.csv, line 3: unknown label 'great'"),
    (["reviews.csv", "--classes", "4"], "invalid choice"),
    (["plain.txt"], "cannot tell the format"),
])
def test_eval_errors_exit_2(capsys, files, model_path, argv, match):
    (files / "bad.csv").write_text("text,label\nfine,pos\nnice,great\n", encoding="utf-8")
    (files / "plain.txt").write_text("just a sentence\n", encoding="utf-8")
    argv = [str(files / argv[0]), *argv[1:]]
    assert main(["eval", "sentiment", *argv, "--model", str(model_path)]) == 2
    assert match in capsys.readouterr().err


def test_eval_one_part(capsys, files, model_path):
    spec = f"{files / 'reviews.csv'}#dev"
    assert main(["eval", "sentiment", spec, "--model", str(model_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{spec} (csv, 3 classes, 4 examples)\n") and "confusion" in out  # one file: as before
    assert main(["eval", "sentiment", spec, "--model", str(model_path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["file"], result["format"], result["part"], result["n"]) == (str(files / "reviews.csv"), "csv",
                                                                              "dev", 4)
    assert main(["eval", "sentiment", str(files / "gt.txt"), "--format", "vader", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["part"] is None


def test_eval_several_files(capsys, files, model_path):
    specs = [str(files / "test.txt"), f"csv:{files / 'reviews.csv'}#dev"]
    assert main(["eval", "sentiment", *specs, "--model", str(model_path)]) == 0
    out = capsys.readouterr().out
    blocks = out.split("\n\n")
    assert blocks[0].startswith(f"{specs[0]} (sst, 3 classes, 5 examples)\n")
    assert blocks[1].startswith(f"{files / 'reviews.csv'}#dev (csv, 3 classes, 4 examples)\n")
    assert [line.split()[0] for line in blocks[0].splitlines()[2:]] == ["accuracy", "macro-F1", "Negative",
                                                                         "Neutral", "Positive"]
    summary = blocks[2].splitlines()
    assert summary[0].startswith("domain") and [line.split()[0] for line in summary[1:]] == ["sst", "csv#dev", "mean"]
    assert "confusion" not in out  # in --json and --confusion-png


def test_eval_several_files_json(capsys, files, model_path):
    specs = [str(files / "test.txt"), f"csv:{files / 'reviews.csv'}#dev", str(files / "gt.txt")]
    singles = []
    for spec in specs:
        assert main(["eval", "sentiment", spec, "--model", str(model_path), "--json"]) == 0
        singles.append(json.loads(capsys.readouterr().out))
    assert main(["eval", "sentiment", *specs, "--model", str(model_path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert list(result) == ["files", "mean_macro_f1"] and result["files"] == singles
    for system in ("lexicon", "model"):
        mean = sum(one["results"][system]["macro_f1"] for one in singles) / 3
        assert result["mean_macro_f1"][system] == pytest.approx(mean)


def test_eval_several_files_lexicon_only_and_pngs(capsys, files, no_bundled):
    prefix = files / "cm"
    specs = [str(files / "reviews.csv"), str(files / "reviews.csv"), f"{files / 'reviews.csv'}#dev"]
    assert main(["eval", "sentiment", *specs, "--json", "--confusion-png", str(prefix)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["mean_macro_f1"]["model"] is None and result["mean_macro_f1"]["lexicon"] > 0
    assert [one["confusion_png"] for one in result["files"]] == [
        [f"{prefix}-csv-lexicon.png"], [f"{prefix}-csv-2-lexicon.png"], [f"{prefix}-csv-dev-lexicon.png"]]
    assert (files / "cm-csv-dev-lexicon.png").read_bytes()[:4] == b"\x89PNG"


TWEETS = ["@user loving this sunny day!!", "worst service ever #fail", "the match starts at 8"]
GOEMOTIONS = ["Thanks, this is great!\t3\tc1", "I hate this so much\t1\tc2", "Where is it?\t0\tc3",
              "It is on Tuesday.\t2\tc4", "Wow, awful but funny\t1,3\tc5"]
NEWS = [("Smith praised the plan.", [6.0]), ("Jones lied again.", [2.0, 2.0]), ("Lee met Kim.", [4.0, 6.0])]
PRODUCT = "[t]\nSD500[+2]##We really enjoyed it.\n##I post under JTL at dcresource.\n"  # both in part dev


@pytest.fixture
def suite_data(tmp_path):
    """A tiny shared data folder laid out like ../shared/data for ``--suite dev``."""
    data = tmp_path / "shared" / "data"
    news = [json.dumps({"sentence_normalized": text, "targets": [{"polarity": p} for p in polarities]})
            for text, polarities in NEWS]
    files = {"sst/trees/dev.txt": TREES,
             "tweeteval_sentiment/val_text.txt": "".join(f"{t} \n" for t in TWEETS),
             "tweeteval_sentiment/val_labels.txt": "2\n0\n1\n",
             "goemotions_sentiment/dev.tsv": "\n".join(GOEMOTIONS) + "\n",
             "newsmtsc_sentiment/devtest_rw.jsonl": "\n".join(news) + "\n",
             "product_reviews_2/camera.txt": PRODUCT}
    for name, text in files.items():
        (data / name).parent.mkdir(parents=True, exist_ok=True)
        (data / name).write_text(text, encoding="utf-8")
    return data


def test_eval_suite(capsys, suite_data, model_path, monkeypatch):
    argv = ["eval", "sentiment", "--suite", "dev", "--model", str(model_path), "--json"]
    assert main([*argv, "--data", str(suite_data)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [(one["format"], one["part"], one["n"]) for one in result["files"]] == [
        ("sst-sentences", None, 5), ("tweeteval", None, 3), ("goemotions", None, 3), ("newsmtsc", None, 2),
        ("product", "dev", 2)]  # GoEmotions: ambiguous and two-group comments dropped; NewsMTSC: mixed targets
    monkeypatch.setenv("RNNKIT_SHARED", str(suite_data.parent))  # the default --data
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out) == result
    assert main(argv[:-1]) == 0
    summary = capsys.readouterr().out.split("\n\n")[-1].splitlines()
    assert [line.split()[0] for line in summary] == ["domain", "sst-sentences", "tweeteval", "goemotions",
                                                     "newsmtsc", "product#dev", "mean"]


@pytest.mark.parametrize("argv, match", [
    (["--suite", "dev", "{files}/reviews.csv"], "give either --suite or SPECs"),
    (["--suite", "dev", "--format", "csv"], "give either --suite or SPECs"),
    (["--suite", "train"], "invalid choice: 'train'"),
    (["{files}/reviews.csv", "--data", "{files}"], "--data applies to --suite only"),
    ([], "give a labelled file to score (or several, or --suite dev|test)"),
    (["{files}/reviews.csv", "{files}/gt.txt", "--format", "csv"], "--format applies to one bare file"),
    (["csv:{files}/reviews.csv", "--format", "csv"], "--format applies to one bare file"),
    (["{files}/reviews.csv#valid"], "the part after '#' must be one of train, dev, test, got 'valid'"),
    (["{files}/reviews.csv", "{files}/missing.csv"], "file not found"),
])
def test_eval_several_errors_exit_2(capsys, files, model_path, argv, match):
    argv = [arg.format(files=files) for arg in argv]
    assert main(["eval", "sentiment", *argv, "--model", str(model_path)]) == 2
    assert match in capsys.readouterr().err


@pytest.mark.data
def test_dev_suite_on_shared_data(capsys, shared_data, no_bundled):
    from rnnkit.apps.sentiment.evaluate import suite_specs
    from rnnkit.apps.sentiment.sources import parse_spec

    data = shared_data()
    specs = [parse_spec(spec) for spec in suite_specs("dev", data)]
    assert [fmt for fmt, _, _ in specs] == ["sst-sentences", "tweeteval", "goemotions", "newsmtsc", "product"]
    assert all(Path(path).exists() for _, path, _ in specs)
    assert all(Path(parse_spec(spec)[1]).exists() for spec in suite_specs("test", data))
    assert main(["eval", "sentiment", "--suite", "dev", "--data", str(data), "--json"]) == 0  # the lexicon: seconds
    result = json.loads(capsys.readouterr().out)
    assert [one["part"] for one in result["files"]] == [None] * 4 + ["dev"]
    assert [one["n"] for one in result["files"]][:2] == [1101, 2000] and all(one["n"] > 500 for one in result["files"])
    assert 0.3 < result["mean_macro_f1"]["lexicon"] < 0.8 and result["mean_macro_f1"]["model"] is None


@pytest.mark.data
def test_lexicon_on_sst_test_matches_the_issue(capsys, shared_data, no_bundled):
    path = str(shared_data("sst", "trees", "test.txt"))
    assert main(["eval", "sentiment", path, "--json"]) == 0
    lexicon = json.loads(capsys.readouterr().out)["results"]["lexicon"]
    assert lexicon["n"] == 2210
    assert round(lexicon["accuracy"], 3) == 0.536 and round(lexicon["macro_f1"], 3) == 0.473
    assert main(["eval", "sentiment", path, "--classes", "2", "--json"]) == 0
    assert round(json.loads(capsys.readouterr().out)["results"]["lexicon"]["accuracy"], 3) == 0.657


def test_train_sentiment_command(tmp_path, capsys):
    table = tmp_path / "train.csv"
    rows = ["a good film,Positive", "great acting,Positive", "a bad film,Negative", "awful acting,Negative",
            "it opens in paris,Neutral"]
    table.write_text("text,label\n" + "\n".join(rows) + "\n", encoding="utf-8")
    valid = tmp_path / "valid.csv"
    valid.write_text("text,label\nsuch a good film,Positive\nawful,Negative\n", encoding="utf-8")
    out = tmp_path / "s.pt"
    code = main(["train", "sentiment", "--train", f"csv:{table}", "--valid", f"csv:{valid}", "--epochs", "2",
                 "--embedding-dim", "8", "--hidden-size", "8", "--no-progress", "--num-threads", "1",
                 "--out", str(out), "--json"])
    captured = capsys.readouterr()
    assert code == 0 and out.is_file()
    assert '"overlap_removed": 0' in captured.out and "training on 5 texts" in captured.err
    assert main(["sentiment", "--model", str(out), "--json", "a good film"]) == 0


def test_train_sentiment_bad_source(capsys):
    assert main(["train", "sentiment", "--train", "bogus:/x"]) == 2
    assert "must be FORMAT:PATH" in capsys.readouterr().err


def test_train_sentiment_validates_on_several_domains_pooled(tmp_path, capsys):
    table = tmp_path / "train.csv"
    table.write_text("text,label\na good film,Positive\na bad film,Negative\nit opens in paris,Neutral\n",
                     encoding="utf-8")
    first, second = tmp_path / "v1.csv", tmp_path / "v2.csv"
    first.write_text("text,label\nsuch a good film,Positive\n", encoding="utf-8")
    second.write_text("text,label\nawful,Negative\nit opens,Neutral\n", encoding="utf-8")
    out = tmp_path / "s.pt"
    assert main(["train", "sentiment", "--train", f"csv:{table}", "--valid", f"csv:{first}", "--valid",
                 f"csv:{second}", "--epochs", "1", "--embedding-dim", "8", "--hidden-size", "8", "--no-progress",
                 "--num-threads", "1", "--out", str(out), "--json"]) == 0
    from rnnkit.apps.sentiment.model import SentimentModel

    assert SentimentModel.load(out).card["valid"] == [f"csv:{first}", f"csv:{second}"]
    assert json.loads(capsys.readouterr().out)["val_accuracy3"] in (0.0, 1 / 3, 2 / 3, 1.0)


def test_train_sentiment_fits_a_rule_head_on_a_base_model(tmp_path, capsys):
    table = tmp_path / "train.csv"
    table.write_text("text,label\na good film,Positive\ngreat,Positive\na bad film,Negative\nawful,Negative\n"
                     "it opens in paris,Neutral\n", encoding="utf-8")
    base, out = tmp_path / "base.pt", tmp_path / "head.pt"
    flags = ["--epochs", "1", "--embedding-dim", "8", "--hidden-size", "8", "--no-progress", "--num-threads", "1"]
    assert main(["train", "sentiment", "--train", f"csv:{table}", *flags, "--out", str(base)]) == 0
    assert main(["train", "sentiment", "--base", str(base), "--rule-head", f"csv:{table}", "--out", str(out)]) == 0
    assert "rule head fitted on 1 source(s)" in capsys.readouterr().out
    from rnnkit.apps.sentiment.model import SentimentModel

    model = SentimentModel.load(out)
    assert model.rule_head is not None and model.card["rule_head"] == [f"csv:{table}"]
    assert model.card["base"] == str(base) and SentimentModel.load(base).rule_head is None


@pytest.mark.parametrize("argv", [[], ["--train", "csv:x.csv", "--base", "m.pt"]])
def test_train_sentiment_needs_sources_or_a_base_not_both(argv, capsys):
    assert main(["train", "sentiment", *argv]) == 2
    assert "give --train sources to train a network, or --base MODEL" in capsys.readouterr().err


# --onnx ----------------------------------------------------------------------------------------------

needs_ort = pytest.mark.skipif(find_spec("onnxruntime") is None or find_spec("onnx") is None,
                               reason="onnx/onnxruntime not installed (pip install 'rnnkit[onnx]'; CI has them)")


@pytest.fixture(scope="module")
def onnx_path(model_path):
    path = model_path.with_name("tiny.onnx")
    assert main(["export", str(model_path), "--format", "onnx", "--out", str(path)]) == 0
    return path


def _json_lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


@needs_ort
def test_onnx_rates_one_text_and_a_file_as_the_model_it_came_from(capsys, tmp_path, model_path, onnx_path):
    capsys.readouterr()
    for extra in (["--onnx", str(onnx_path)], []):
        assert main(["sentiment", "I loved it, a good film", "--model", str(model_path), "--json", *extra]) == 0
    onnx, torch_ = _json_lines(capsys.readouterr().out)
    assert onnx["label"] == torch_["label"]
    assert all(abs(onnx["scores"][k] - torch_["scores"][k]) < 1e-4 for k in torch_["scores"])
    reviews = tmp_path / "reviews.txt"
    reviews.write_text("\n".join(TEXTS) + "\n\n", encoding="utf-8")  # a blank line: an error record
    for extra in (["--onnx", str(onnx_path)], []):
        assert main(["sentiment", "--input", str(reviews), "--model", str(model_path), *extra]) == 0
    records = _json_lines(capsys.readouterr().out)
    onnx, torch_ = records[:len(records) // 2], records[len(records) // 2:]
    assert [r.get("label") for r in onnx] == [r.get("label") for r in torch_] and onnx[-1]["error"] == "blank line"
    assert all(abs(a["compound"] - b["compound"]) < 1e-4 for a, b in zip(onnx[:-1], torch_[:-1], strict=True))


@needs_ort
def test_eval_with_onnx_scores_as_the_model(capsys, files, model_path, onnx_path):
    capsys.readouterr()
    for extra in (["--onnx", str(onnx_path)], []):
        argv = ["eval", "sentiment", str(files / "reviews.csv"), "--model", str(model_path), "--json", *extra]
        assert main(argv) == 0
    out, decoder = capsys.readouterr().out, json.JSONDecoder()
    onnx, end = decoder.raw_decode(out)
    torch_, _ = decoder.raw_decode(out[end:].lstrip())
    assert onnx["results"] == torch_["results"] and onnx["n"] == 10


@pytest.mark.parametrize("extra, code, match", [
    (["--quantize", "int8"], 2, "--onnx runs the learned model's network as exported"),
    (["--backend", "lexicon"], 2, "does not go with --backend lexicon"),
    (["--threshold", "vader"], 2, "does not go with --backend lexicon, --threshold"),
])
def test_onnx_refuses_flags_of_other_paths(capsys, tmp_path, extra, code, match):
    assert main(["sentiment", "good", "--onnx", str(tmp_path / "s.onnx"), *extra]) == code
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and match in err[0]


@needs_ort
@pytest.mark.parametrize("content", [None, b"not onnx at all"])
def test_onnx_missing_or_foreign_file_is_one_line(capsys, tmp_path, content):
    path = tmp_path / "s.onnx"
    if content is not None:
        path.write_bytes(content)
    assert main(["sentiment", "good", "--onnx", str(path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"rnnkit: error: {path} cannot be loaded by ONNX Runtime")


@needs_ort
def test_onnx_of_another_model_is_refused(capsys, onnx_path):
    assert main(["sentiment", "good", "--onnx", str(onnx_path)]) == 1  # exported from the tiny model, not the bundled
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pass the exported checkpoint" in err[0]
