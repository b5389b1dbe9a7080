"""Tests for rnnkit.apps.sentiment.metrics against hand-computed values."""

from __future__ import annotations

import json

import pytest

from rnnkit.apps.sentiment.metrics import classification_report, format_comparison, format_report, plot_confusion
from rnnkit.errors import InputError

#          true       predicted
PAIRS = [("Positive", "Positive"), ("Positive", "Positive"), ("Positive", "Neutral"), ("Positive", "Negative"),
         ("Negative", "Negative"), ("Negative", "Negative"), ("Negative", "Positive"),
         ("Neutral", "Neutral"), ("Neutral", "Positive")]
TRUE = [t for t, _ in PAIRS]
PRED = [p for _, p in PAIRS]


def test_three_classes_by_hand():
    r = classification_report(TRUE, PRED)
    assert r.labels == ("Negative", "Neutral", "Positive")
    assert r.confusion == ((2, 0, 1), (0, 1, 1), (1, 1, 2))  # rows true, columns predicted
    assert r.support == (3, 2, 4) and r.total == 9
    assert r.accuracy == pytest.approx(5 / 9)
    # Negative: P 2/3, R 2/3; Neutral: P 1/2, R 1/2; Positive: P 2/4, R 2/4
    assert r.precision == pytest.approx((2 / 3, 1 / 2, 1 / 2))
    assert r.recall == pytest.approx((2 / 3, 1 / 2, 1 / 2))
    assert r.f1 == pytest.approx((2 / 3, 1 / 2, 1 / 2))
    assert r.macro_f1 == pytest.approx((2 / 3 + 1 / 2 + 1 / 2) / 3)


def test_two_classes_and_a_class_never_predicted():
    r = classification_report(["Negative", "Negative", "Positive", "Positive"],
                              ["Positive", "Positive", "Positive", "Positive"], ("Negative", "Positive"))
    assert r.confusion == ((0, 2), (0, 2))
    assert r.precision == (0.0, 0.5) and r.recall == (0.0, 1.0)
    assert r.f1 == pytest.approx((0.0, 2 / 3))
    assert r.macro_f1 == pytest.approx(1 / 3) and r.accuracy == 0.5


def test_five_integer_classes():
    r = classification_report([0, 1, 2, 3, 4, 4], [0, 1, 2, 4, 4, 3], (0, 1, 2, 3, 4))
    assert r.accuracy == pytest.approx(4 / 6)
    assert r.f1 == pytest.approx((1.0, 1.0, 1.0, 0.0, 0.5))
    assert r.confusion[4] == (0, 0, 0, 1, 1)
    assert json.loads(json.dumps(r.to_dict()))["per_class"]["4"]["support"] == 2


def test_to_dict_is_json():
    d = json.loads(json.dumps(classification_report(TRUE, PRED).to_dict()))
    assert d["labels"] == ["Negative", "Neutral", "Positive"] and d["n"] == 9
    assert d["per_class"]["Neutral"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert d["confusion"] == [[2, 0, 1], [0, 1, 1], [1, 1, 2]]


def test_text_tables():
    r = classification_report(TRUE, PRED)
    text = format_report(r, "lexicon")
    assert text.splitlines()[0] == "lexicon"
    assert "accuracy 0.556   macro-F1 0.556   n 9" in text
    assert "confusion (rows true, columns predicted):" in text
    assert text.splitlines()[-1].split() == ["Positive", "1", "1", "2"]
    both = format_comparison({"lexicon": r, "model": classification_report(TRUE, TRUE)})
    assert both.splitlines()[0].split() == ["lexicon", "model"]
    assert both.splitlines()[1].split() == ["accuracy", "0.556", "1.000"]
    assert "model, confusion" in both


def test_plot_confusion_writes_a_png(tmp_path):
    path = tmp_path / "cm.png"
    plot_confusion(classification_report(TRUE, PRED), path, "SST test")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("y_true, y_pred, labels, match", [
    ([], [], ("Negative", "Positive"), "empty"),
    (["Negative"], [], ("Negative", "Positive"), "1 labels but y_pred 0"),
    (["Negative"], ["Good"], ("Negative", "Positive"), "y_pred holds 'Good'"),
    (["bad"], ["Negative"], ("Negative", "Positive"), "y_true holds 'bad'"),
    ([["x"]], ["Negative"], ("Negative", "Positive"), r"y_true holds \['x'\]"),
    (["Negative"], ["Negative"], ("Negative",), "at least 2 distinct"),
    ("Negative", "Negative", ("Negative", "Positive"), "not a str"),
])
def test_bad_input(y_true, y_pred, labels, match):
    with pytest.raises(InputError, match=match):
        classification_report(y_true, y_pred, labels)


def test_comparison_needs_the_same_labels():
    a = classification_report(TRUE, PRED)
    b = classification_report(["Negative"], ["Negative"], ("Negative", "Positive"))
    with pytest.raises(InputError, match="different labels"):
        format_comparison({"a": a, "b": b})
