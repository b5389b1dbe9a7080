"""Readers for tweets, Reddit comments and news sentences: tiny files of our own, then the real ones."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from rnnkit.apps.sentiment.evaluate import guess_format
from rnnkit.apps.sentiment.sources import read_format
from rnnkit.data import read_goemotions, read_newsmtsc, read_tweeteval
from rnnkit.errors import InputError


def test_tweeteval_pairs_text_and_labels_files(tmp_path):
    (tmp_path / "val_text.txt").write_text("I love it \nmeh \nworst day ever \n", encoding="utf-8")
    (tmp_path / "val_labels.txt").write_text("2\n1\n0\n", encoding="utf-8")
    assert read_tweeteval(tmp_path / "val_text.txt") == (["I love it", "meh", "worst day ever"],
                                                         ["Positive", "Neutral", "Negative"])
    assert guess_format(tmp_path / "val_text.txt") == "tweeteval"


@pytest.mark.parametrize("labels, match", [("2\n1\n", "3 tweets but"), ("2\n1\n7\n", "label must be 0, 1 or 2")])
def test_tweeteval_mismatches_are_input_errors(tmp_path, labels, match):
    (tmp_path / "test_text.txt").write_text("a \nb \nc \n", encoding="utf-8")
    (tmp_path / "test_labels.txt").write_text(labels, encoding="utf-8")
    with pytest.raises(InputError, match=match):
        read_tweeteval(tmp_path)
    with pytest.raises(InputError, match="not a TweetEval text file"):
        read_tweeteval(tmp_path / "test_labels.txt")


def test_goemotions_keeps_one_group_of_three_and_reads_quoted_text(tmp_path):
    rows = ['great stuff\t3\tid1', 'no idea?\t0\tid2', 'sad but funny\t1,3\tid3', '"he said ""hi"""\t2\tid4',
            'awful\t1\tid5']
    path = tmp_path / "dev.tsv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert read_goemotions(path) == (["great stuff", 'he said "hi"', "awful"], ["Positive", "Neutral", "Negative"])
    assert guess_format(path) == "goemotions"
    path.write_text("only one field\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 1: expected text<TAB>group indices"):
        read_goemotions(path)


def test_newsmtsc_keeps_sentences_whose_targets_agree(tmp_path):
    def item(sentence, *polarities):
        return json.dumps({"sentence_normalized": sentence, "targets": [{"polarity": p} for p in polarities]})

    path = tmp_path / "devtest_rw.jsonl"
    path.write_text("\n".join([item("A praised B.", 6.0), item("C met D.", 4.0, 4.0), item("E hit F.", 2.0, 6.0),
                               item("G lost.", 2.0)]) + "\n", encoding="utf-8")
    assert read_newsmtsc(path) == (["A praised B.", "C met D.", "G lost."], ["Positive", "Neutral", "Negative"])
    assert read_format("newsmtsc", path) == read_newsmtsc(path) and guess_format(path) == "newsmtsc"
    path.write_text('{"sentence": "no targets"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="line 1: not a NewsMTSC object"):
        read_newsmtsc(path)


@pytest.mark.data
@pytest.mark.parametrize("reader, parts, counts", [
    (read_tweeteval, ("tweeteval_sentiment", "test_text.txt"), {"Negative": 3972, "Neutral": 5937, "Positive": 2375}),
    (read_tweeteval, ("tweeteval_sentiment", "val_text.txt"), {"Negative": 312, "Neutral": 869, "Positive": 819}),
    (read_goemotions, ("goemotions_sentiment", "train.tsv"), {"Negative": 8133, "Neutral": 12823, "Positive": 15216}),
    (read_newsmtsc, ("newsmtsc_sentiment", "train.jsonl"), {"Negative": 2679, "Neutral": 2661, "Positive": 2016}),
    (read_newsmtsc, ("newsmtsc_sentiment", "devtest_rw.jsonl"), {"Negative": 382, "Neutral": 413, "Positive": 242}),
])
def test_the_real_files_give_the_counts_of_their_source_md(shared_data, reader, parts, counts):
    texts, labels = reader(shared_data(*parts))
    assert Counter(labels) == counts and all(t == t.strip() and t for t in texts)
