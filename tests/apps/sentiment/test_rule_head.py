"""The rule head: a logistic layer over the network's classes and VADER's scores, fitted per domain."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from rnnkit.apps.sentiment.config import SentimentConfig
from rnnkit.apps.sentiment.model import SentimentModel
from rnnkit.apps.sentiment.rule import vader_scores
from rnnkit.apps.sentiment.rule_head import HEAD_FEATURES, RuleHead, vader_matrix
from rnnkit.errors import InputError

TEXTS = ["a good film", "great acting", "I loved it", "a bad film", "awful acting", "I hated it",
         "the film is in english", "it opens in paris"]
LABELS = ["Positive"] * 3 + ["Negative"] * 3 + ["Neutral"] * 2
TINY = SentimentConfig(embedding_dim=8, hidden_size=8, epochs=3, batch_size=4, dropout=0.0, word_dropout=0.0,
                       progress=False, num_threads=1)


def test_vader_matrix_is_vaders_scores():
    m = vader_matrix(["great!", "awful", ""])
    assert m.shape == (3, 4)
    assert m[0].tolist() == [vader_scores("great!")[k] for k in ("neg", "neu", "pos", "compound")]


def test_a_head_that_only_trusts_vader_follows_the_rule():
    weights = np.zeros((len(HEAD_FEATURES), 3))
    weights[HEAD_FEATURES.index("vader_compound")] = [-20.0, 0.0, 20.0]
    head = RuleHead(weights, np.zeros(3))
    probs = head.apply(np.full((2, 3), 1 / 3), vader_matrix(["wonderful", "terrible"]))
    assert probs.argmax(axis=1).tolist() == [2, 0]
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    again = RuleHead.from_dict(head.to_dict())
    assert np.array_equal(again.weights, head.weights) and np.array_equal(again.bias, head.bias)


def test_fit_weighs_each_domain_the_same_and_learns_the_rule():
    texts = ["wonderful", "terrible", "great", "awful", "nice", "horrible"] * 5
    gold = [2, 0] * 15
    uniform = np.full((len(texts), 3), 1 / 3)  # a network that knows nothing: the head must lean on VADER
    head = RuleHead.fit([(uniform, vader_matrix(texts), gold), (uniform[:2], vader_matrix(texts[:2]), gold[:2])])
    assert head.apply(uniform, vader_matrix(texts)).argmax(axis=1).tolist() == gold


@pytest.mark.parametrize("data, match", [
    (None, "must be a dict"), ({"features": ["x"], "weights": [], "bias": []}, "must be a dict with the features"),
    ({"features": list(HEAD_FEATURES), "weights": [[0.0]], "bias": [0.0]}, "finite weights"),
])
def test_bad_heads_are_input_errors(data, match):
    with pytest.raises(InputError, match=match):
        RuleHead.from_dict(data)
    with pytest.raises(InputError, match="at least one domain"):
        RuleHead.fit([])


def test_a_model_with_a_head_round_trips_and_explains(tmp_path):
    model = SentimentModel.train(TEXTS, LABELS, dataclasses.replace(TINY, rule_tokens=True))
    before = model.probabilities(TEXTS)
    np.testing.assert_allclose(before, model.network_probabilities(TEXTS))  # no head yet
    head = model.fit_rule_head([(TEXTS[:6], LABELS[:6]), (TEXTS[6:], [2, 2])])  # SST's 2 is Neutral
    assert model.rule_head is head
    after = model.probabilities(TEXTS)
    assert not np.allclose(after, before)
    np.testing.assert_allclose(after, head.apply(model.network_probabilities(TEXTS), vader_matrix(TEXTS)))
    path = tmp_path / "head.pt"
    model.save(path)
    again = SentimentModel.load(path)
    np.testing.assert_allclose(again.probabilities(TEXTS), after, atol=1e-6)
    assert [token for token, _ in again.explain("a good film")] == ["a", "good", "film"]
    with pytest.raises(InputError, match="2 texts but 1 labels"):
        model.fit_rule_head([(["a", "b"], ["Positive"])])
