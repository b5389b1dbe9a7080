"""Evaluation: nats per character as the Trainer reports it, distinct-n, and label agreement with any rater."""

from __future__ import annotations

import math

import pytest

from rnnkit.apps.generator.evaluate import distinct_n, evaluate_text, label_agreement
from rnnkit.errors import InputError

from .conftest import LABELS, REVIEWS, TEXT


def test_evaluate_text_matches_the_trainers_validation_figure(plain):
    result = evaluate_text(plain, TEXT, valid_fraction=0.1)
    assert math.isclose(result["nats_per_char"], plain.metrics["val_nats_per_char"], rel_tol=1e-4)
    assert math.isclose(result["bits_per_char"], result["nats_per_char"] / math.log(2))
    assert evaluate_text(plain, TEXT, max_chars=500)["chars"] < 500


@pytest.mark.parametrize("kwargs, match", [
    ({"valid_fraction": 0}, "valid_fraction must be a number"),
    ({"max_chars": -1}, "max_chars must be an integer"),
    ({"text": b"bytes"}, "text must be a str"),
    ({"text": "a"}, "needs at least"),
])
def test_evaluate_text_checks_its_arguments(plain, kwargs, match):
    with pytest.raises(InputError, match=match):
        evaluate_text(plain, **({"text": TEXT} | kwargs))


def test_evaluate_text_refuses_a_conditioned_model(conditioned):
    with pytest.raises(InputError, match="plain generator"):
        evaluate_text(conditioned, TEXT)


@pytest.mark.parametrize("texts, expected", [
    (["a b c", "a b d"], 3 / 4),
    (["A b", "a B"], 1 / 2),
    (["one"], 0.0),
    ([], 0.0),
])
def test_distinct_2(texts, expected):
    assert distinct_n(texts) == expected


def test_label_agreement_counts_what_the_rater_says(conditioned, plain):
    def rater(texts):
        return ["Positive" if t in REVIEWS[:4] else "Negative" for t in texts]

    rows = label_agreement(conditioned, rater, n=30, reference=(REVIEWS, LABELS), temperature=0.3, guidance=0)
    assert [row["label"] for row in rows] == ["Negative", "Positive"]
    for row in rows:
        assert row["agreement"] >= 0.9 and sum(row["rated"].values()) == 30
        assert 0 < row["train_distinct_2"] <= 1 and len(row["samples"]) == 3
        assert row["train_agreement"] == 1.0  # the rater agrees with every training text here
    with pytest.raises(InputError, match="conditioned on labels"):
        label_agreement(plain, rater)
