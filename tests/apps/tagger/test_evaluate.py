"""Evaluation: the most-frequent-tag baseline, per-tag scores and confusions, the report."""

from __future__ import annotations

import pytest

from rnnkit.apps.tagger.evaluate import MostFrequentTag, evaluate_tagger, format_report, tag_scores
from rnnkit.data.conllu import TaggedSentence, read_conllu
from rnnkit.errors import InputError

TRAIN = [
    TaggedSentence(("book", "a", "flight"), ("VERB", "DET", "NOUN")),
    TaggedSentence(("the", "book"), ("DET", "NOUN")),
    TaggedSentence(("Flight", "flight"), ("NOUN", "NOUN")),
]


def test_baseline_takes_each_words_most_frequent_tag_first_seen_on_ties_and_the_top_tag_for_unseen():
    baseline = MostFrequentTag.fit(TRAIN)
    assert baseline.default == "NOUN"  # 4 NOUN, 2 DET, 1 VERB
    assert baseline.by_word["book"] == "VERB"  # 1 VERB, 1 NOUN: the tag seen first wins
    assert baseline.tag_words(["Book", "a", "zebra"]) == ["VERB", "DET", "NOUN"]
    with pytest.raises(InputError, match="at least one tagged training word"):
        MostFrequentTag.fit([])


def test_tag_scores_counts_precision_recall_f1_and_confusions():
    gold = ["NOUN", "NOUN", "VERB", "DET", "NOUN"]
    predicted = ["NOUN", "VERB", "VERB", "DET", "VERB"]
    scores = tag_scores(gold, predicted)
    assert scores["accuracy"] == pytest.approx(0.6) and (scores["correct"], scores["words"]) == (3, 5)
    assert list(scores["per_tag"]) == ["NOUN", "DET", "VERB"]  # by support, then name
    verb = scores["per_tag"]["VERB"]
    assert (verb["precision"], verb["recall"], verb["support"]) == (pytest.approx(1 / 3), 1.0, 1)
    assert verb["f1"] == pytest.approx(0.5)
    assert scores["per_tag"]["NOUN"]["precision"] == 1.0 and scores["per_tag"]["NOUN"]["recall"] == pytest.approx(1 / 3)
    assert scores["confusions"] == [{"gold": "NOUN", "predicted": "VERB", "count": 2}]
    with pytest.raises(InputError, match="aligned"):
        tag_scores(["NOUN"], [])


def test_evaluate_and_report(trained, tiny_path):
    sentences = read_conllu(tiny_path)
    result = evaluate_tagger(trained(), sentences, sentences)
    assert (result["sentences"], result["words"], result["unseen_words"]) == (10, 73, 0)
    assert result["model"]["accuracy"] >= 0.95 and result["baseline"]["default_tag"] == "ADP"
    report = format_report(result)
    assert report.splitlines()[0] == "10 sentences, 73 words (0 unseen in training)"
    assert "UPOS accuracy" in report and "most-frequent-tag baseline" in report
    assert "tag      precision  recall     F1  support" in report and "most confused" in report
    assert evaluate_tagger(trained(), sentences)["baseline"] is None
    with pytest.raises(InputError, match="holds no sentence"):
        evaluate_tagger(trained(), [])
