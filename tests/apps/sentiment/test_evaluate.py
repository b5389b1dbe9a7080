"""Tests for rnnkit.apps.sentiment.evaluate: format guessing, gold labels, both systems side by side, suites."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from rnnkit import SentimentAnalyzer
from rnnkit.apps.sentiment.config import SentimentConfig
from rnnkit.apps.sentiment.evaluate import (
    CLASS_LABELS,
    default_data_dir,
    evaluate_many,
    evaluate_sentiment,
    format_scores,
    format_summary,
    guess_format,
    lexicon_predictions,
    load_gold,
    mean_macro_f1,
    model_predictions,
    suite_specs,
)
from rnnkit.apps.sentiment.labels import LABELS
from rnnkit.apps.sentiment.metrics import classification_report
from rnnkit.apps.sentiment.rule import VADER_THRESHOLD, review_rating, vader_scores
from rnnkit.errors import ConfigError, InputError

TEXTS = ["a good film", "great acting", "I loved it", "wonderful and fun", "a bad film", "awful acting",
         "I hated it", "dull and boring", "the film is in english", "it opens in paris"]
NAMES = ["Positive"] * 4 + ["Negative"] * 4 + ["Neutral"] * 2
TREES = "\n".join([
    "(3 (2 a) (3 (3 good) (2 film)))",
    "(4 (4 great) (2 acting))",
    "(1 (2 a) (1 (1 bad) (2 film)))",
    "(0 (0 awful) (2 acting))",
    "(2 (2 it) (2 (2 opens) (2 (2 in) (2 paris))))",
]) + "\n"
PRODUCT = "[t]\nSD500[+2]##We really enjoyed it.\n##I post under JTL at dcresource.\nscreen[-2]##It cracked.\n"


@pytest.fixture(scope="module")
def learned():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # module fixtures run before conftest's per-test thread setting
    torch.manual_seed(0)
    config = SentimentConfig(embedding_dim=8, hidden_size=8, epochs=30, batch_size=8, learning_rate=0.02,
                             dropout=0.0, word_dropout=0.0, progress=False, num_threads=1)
    yield SentimentAnalyzer.train(TEXTS, NAMES, config)
    torch.set_num_threads(threads)


@pytest.fixture
def files(tmp_path):
    (tmp_path / "test.txt").write_text(TREES, encoding="utf-8")
    rows = "\n".join(f"{t},{label}" for t, label in zip(TEXTS, NAMES, strict=True))
    (tmp_path / "reviews.csv").write_text("text,label\n" + rows + "\n", encoding="utf-8")
    (tmp_path / "gt.txt").write_bytes(b"1\t2.5\ta good film\r\n2\t-3.0\tawful acting\r\n3\t0.1\tit opens in paris")
    (tmp_path / "camera.txt").write_text(PRODUCT, encoding="utf-8")
    return tmp_path


# formats and gold labels -------------------------------------------------------------------------

@pytest.mark.parametrize("name, content, fmt", [
    ("test.txt", TREES, "sst"),
    ("x.csv", "text,label\n", "csv"),
    ("x.TSV", "text\tlabel\n", "tsv"),
    ("x.tab", "", "tsv"),
    ("gt.txt", "1\t2.5\ta good film\n", "vader"),
    ("pros.txt", "<Pros>fast</Pros>\n", "proscons"),
    ("camera.txt", PRODUCT, "product"),
])
def test_guess_format_of_files(tmp_path, name, content, fmt):
    (tmp_path / name).write_text(content, encoding="utf-8")
    assert guess_format(tmp_path / name) == fmt
    assert guess_format(str(tmp_path / name)) == fmt


@pytest.mark.parametrize("marker, fmt", [("movieReviewSnippets_GroundTruth.txt", "vader"),
                                         ("IntegratedPros.txt", "proscons"), ("plot.tok.gt9.5000", "plot"),
                                         ("Canon G3.txt", "product")])
def test_guess_format_of_folders(tmp_path, marker, fmt):
    (tmp_path / marker).write_text("", encoding="utf-8")
    assert guess_format(tmp_path) == fmt


def test_guess_format_fails_in_one_line(tmp_path):
    (tmp_path / "plain.txt").write_text("just a sentence\n", encoding="utf-8")
    with pytest.raises(InputError, match="cannot tell the format of .*plain.txt; give --format \\(sst, "):
        guess_format(tmp_path / "plain.txt")


def test_gold_sst_for_each_granularity(files):
    texts, labels = load_gold(files / "test.txt", "sst")
    assert texts[0] == "a good film" and labels == ["Positive", "Positive", "Negative", "Negative", "Neutral"]
    assert load_gold(files / "test.txt", "sst", 5)[1] == [3, 4, 1, 0, 2]
    assert load_gold(files / "test.txt", "sst", 2) == (texts[:4], labels[:4])
    assert load_gold(files / "test.txt", "sst-sentences") == (texts, labels)


def test_gold_tables_vader_and_product(files):
    assert load_gold(files / "reviews.csv", "csv") == (TEXTS, NAMES)
    (files / "sst.tsv").write_text("review\tstars\nfine\t3\nbad\t0\n", encoding="utf-8")
    assert load_gold(files / "sst.tsv", "tsv", text_column="review", label_column="stars",
                     label_scheme="sst") == (["fine", "bad"], ["Positive", "Negative"])
    assert load_gold(files / "gt.txt", "vader")[1] == ["Positive", "Negative", "Neutral"]
    assert load_gold(files / "gt.txt", "vader", neutral_band=3.0)[1] == ["Neutral"] * 3
    texts, labels = load_gold(files / "camera.txt", "product")
    assert labels == ["Positive", "Neutral", "Negative"]  # the untagged sentence counts as Neutral
    assert load_gold(files / "camera.txt", "product", 2)[1] == ["Positive", "Negative"]


@pytest.mark.parametrize("name, fmt, classes, match", [
    ("reviews.csv", "csv", 5, "5 classes need SST labels \\(--format sst\\), not --format csv"),
    ("missing.csv", "csv", 3, "file not found"),
    ("test.txt", "bogus", 3, "format must be one of sst, sst-sentences, "),
])
def test_gold_errors(files, name, fmt, classes, match):
    with pytest.raises(InputError, match=match):
        load_gold(files / name, fmt, classes)


def test_gold_with_nothing_left(tmp_path):
    (tmp_path / "neutral.csv").write_text("text,label\nit rained,Neutral\n", encoding="utf-8")
    with pytest.raises(InputError, match="has no example left to score with 2 classes"):
        load_gold(tmp_path / "neutral.csv", "csv", 2)


# predictions and reports -------------------------------------------------------------------------

def test_lexicon_predictions():
    texts = ["We went aboard.", "awful", "good", "The sky is blue."]
    assert lexicon_predictions(texts, 3) == [review_rating(t) for t in texts]
    assert lexicon_predictions(texts, 3, "vader") == [review_rating(t, VADER_THRESHOLD) for t in texts]
    assert lexicon_predictions(texts, 3, 0.05) == lexicon_predictions(texts, 3, "vader")
    assert lexicon_predictions(texts, 2) == ["Positive" if vader_scores(t)["compound"] >= 0 else "Negative"
                                             for t in texts]


def test_model_predictions(learned):
    assert model_predictions(learned, TEXTS, 3) == learned.rate_many(TEXTS)
    fine = learned.model.fine_probabilities(TEXTS).argmax(axis=1)
    assert model_predictions(learned, TEXTS, 5) == [int(k) for k in fine]
    probs = learned.model.probabilities(TEXTS)
    assert model_predictions(learned, TEXTS, 2) == ["Positive" if p[2] >= p[0] else "Negative" for p in probs]


def test_side_by_side(files, learned):
    evaluation = evaluate_sentiment(files / "test.txt", analyzer=learned)
    assert (evaluation.format, evaluation.classes, evaluation.n) == ("sst", 3, 5)
    assert list(evaluation.reports) == ["lexicon (seed)", "model (lstm)"]
    texts, gold = load_gold(files / "test.txt", "sst")
    assert evaluation.reports["lexicon (seed)"] == classification_report(gold, lexicon_predictions(texts, 3), LABELS)
    assert evaluation.reports["model (lstm)"] == classification_report(gold, learned.rate_many(texts), LABELS)
    results = evaluation.results()
    assert list(results) == ["lexicon", "model"] and results["model"]["system"] == "model (lstm)"
    assert results["lexicon"] == evaluation.reports["lexicon (seed)"].to_dict() | {"system": "lexicon (seed)"}


@pytest.mark.parametrize("name, classes, threshold, titles, n", [
    ("test.txt", 2, "seed", ["lexicon (compound >= 0)", "model (lstm)"], 4),
    ("test.txt", 5, "seed", ["model (lstm)"], 5),
    ("reviews.csv", 3, "vader", ["lexicon (vader)", "model (lstm)"], 10),
    ("reviews.csv", 3, 0.1, ["lexicon (0.1)", "model (lstm)"], 10),
    ("gt.txt", 3, "seed", ["lexicon (seed)", "model (lstm)"], 3),
])
def test_formats_classes_and_thresholds(files, learned, name, classes, threshold, titles, n):
    evaluation = evaluate_sentiment(files / name, classes=classes, analyzer=learned, threshold=threshold)
    assert list(evaluation.reports) == titles and evaluation.n == n
    assert all(report.labels == CLASS_LABELS[classes] for report in evaluation.reports.values())


def test_lexicon_only(files):
    evaluation = evaluate_sentiment(files / "reviews.csv", "csv")
    assert list(evaluation.reports) == ["lexicon (seed)"] and evaluation.n == 10


@pytest.mark.parametrize("kwargs, error, match", [
    ({"classes": 5}, InputError, "5 classes need a learned model"),
    ({"classes": 4}, InputError, "classes must be one of 3, 2, 5, got 4"),
    ({"analyzer": SentimentAnalyzer()}, InputError, "analyzer must be a learned model"),
    ({"threshold": "loose"}, ConfigError, "threshold must be a number in \\[0, 1\\) or one of seed, vader"),
    ({"threshold": 1.5}, ConfigError, "threshold must be a number in \\[0, 1\\)"),
])
def test_evaluate_errors(files, kwargs, error, match):
    with pytest.raises(error, match=match):
        evaluate_sentiment(files / "test.txt", **kwargs)


# held-back parts and several domains -------------------------------------------------------------

def test_gold_of_one_part(files):
    assert load_gold(files / "reviews.csv", "csv", part="dev") == (
        ["great acting", "wonderful and fun", "a bad film", "it opens in paris"],
        ["Positive", "Positive", "Negative", "Neutral"])  # crc32 % 5 == 1 (sources.split_part)
    assert load_gold(files / "camera.txt", "product", part="dev") == (
        ["We really enjoyed it.", "I post under JTL at dcresource."], ["Positive", "Neutral"])
    with pytest.raises(InputError, match="camera.txt#test has no example left to score with 3 classes"):
        load_gold(files / "camera.txt", "product", part="test")
    with pytest.raises(InputError, match="part must be one of train, dev, test; got 'val'"):
        evaluate_sentiment(files / "reviews.csv", part="val")


def test_evaluate_many(files, learned):
    specs = [f"sst-sentences:{files / 'test.txt'}", str(files / "reviews.csv"), f"{files / 'reviews.csv'}#dev",
             f"product:{files / 'camera.txt'}#dev"]
    evaluations = evaluate_many(specs, learned)
    assert [(e.domain, e.n, e.part) for e in evaluations] == [
        ("sst-sentences", 5, None), ("csv", 10, None), ("csv#dev", 4, "dev"), ("product#dev", 2, "dev")]
    assert evaluations[2] == evaluate_sentiment(files / "reviews.csv", "csv", analyzer=learned, part="dev")
    assert evaluations[3].path == str(files / "camera.txt")
    mean = mean_macro_f1(evaluations)
    assert list(mean) == ["lexicon", "model"]
    assert mean["model"] == pytest.approx(sum(e.reports["model (lstm)"].macro_f1 for e in evaluations) / 4)
    assert mean_macro_f1(evaluate_many(specs[:2])) == pytest.approx(
        {"lexicon": sum(e.reports["lexicon (seed)"].macro_f1 for e in evaluations[:2]) / 2})


def test_summary_and_scores_tables(files, learned):
    evaluations = evaluate_many([str(files / "test.txt"), f"{files / 'reviews.csv'}#dev"], learned)
    lines = format_summary(evaluations).splitlines()
    assert lines[0].split() == ["domain", "n", "rule", "macro-F1", "model", "macro-F1", "difference", "rule",
                                "accuracy", "model", "accuracy"]
    rule, model = evaluations[1].reports.values()
    assert lines[2].split() == ["csv#dev", "4", f"{rule.macro_f1:.3f}", f"{model.macro_f1:.3f}",
                                f"{model.macro_f1 - rule.macro_f1:+.3f}", f"{rule.accuracy:.3f}",
                                f"{model.accuracy:.3f}"]
    mean = mean_macro_f1(evaluations)
    assert lines[3].split() == ["mean", f"{mean['lexicon']:.3f}", f"{mean['model']:.3f}",
                                f"{mean['model'] - mean['lexicon']:+.3f}", "-", "-"]
    assert len(lines) == 4
    scores = format_scores(evaluations[1]).splitlines()
    assert scores[0].split() == ["lexicon", "(seed)", "model", "(lstm)"]
    assert [line.rsplit(None, 2)[0] for line in scores[1:]] == ["accuracy", "macro-F1", "Negative F1", "Neutral F1",
                                                                "Positive F1"]
    assert scores[2].split()[1:] == [f"{rule.macro_f1:.3f}", f"{model.macro_f1:.3f}"]


def test_summary_marks_systems_not_scored(files, learned):
    lexicon_only = format_summary(evaluate_many([str(files / "reviews.csv")])).splitlines()
    assert lexicon_only[1].split()[3:5] == ["-", "-"] and lexicon_only[2].split()[2:] == ["-"] * 4
    fine = format_summary(evaluate_many([str(files / "test.txt")], learned, classes=5)).splitlines()
    assert fine[1].split()[:3] == ["sst", "5", "-"] and fine[1].split()[4] == "-"


def test_suite_specs(monkeypatch, tmp_path):
    assert suite_specs("dev", tmp_path) == [
        f"sst-sentences:{tmp_path / 'sst' / 'trees' / 'dev.txt'}",
        f"tweeteval:{tmp_path / 'tweeteval_sentiment' / 'val_text.txt'}",
        f"goemotions:{tmp_path / 'goemotions_sentiment' / 'dev.tsv'}",
        f"newsmtsc:{tmp_path / 'newsmtsc_sentiment' / 'devtest_rw.jsonl'}",
        f"product:{tmp_path / 'product_reviews_2'}#dev"]
    test = suite_specs("test", tmp_path)
    assert test[1] == f"tweeteval:{tmp_path / 'tweeteval_sentiment' / 'test_text.txt'}#test"  # #train is trainable
    assert test[0].endswith("test.txt") and test[3].endswith("devtest_mt.jsonl") and test[4].endswith("#test")
    monkeypatch.setenv("RNNKIT_SHARED", str(tmp_path))
    assert default_data_dir() == tmp_path / "data"
    assert suite_specs("dev")[4] == f"product:{tmp_path / 'data' / 'product_reviews_2'}#dev"
    monkeypatch.delenv("RNNKIT_SHARED")
    assert default_data_dir() == Path("..", "shared", "data")
    with pytest.raises(InputError, match="suite must be one of dev, test; got 'train'"):
        suite_specs("train")


@pytest.mark.parametrize("specs, match", [
    ([], "give at least one labelled file to evaluate"),
    (["{files}/reviews.csv#valid"], "the part after '#' must be one of train, dev, test, got 'valid'"),
    (["{files}/reviews.csv", "csv:{files}/missing.csv"], "file not found"),
])
def test_evaluate_many_errors(files, specs, match):
    with pytest.raises(InputError, match=match):
        evaluate_many([spec.format(files=files) for spec in specs])
