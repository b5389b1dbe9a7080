"""Tests for rnnkit.apps.sentiment.model: the learned model's training, prediction, explanation and files."""

import dataclasses
import subprocess
import sys

import numpy as np
import pytest

from rnnkit.apps.sentiment.config import SentimentConfig
from rnnkit.apps.sentiment.model import SentimentModel
from rnnkit.errors import CheckpointError, ConfigError, InputError

POSITIVE = ["a good film", "great acting", "I loved it", "wonderful and fun", "really good", "a great story"]
NEGATIVE = ["a bad film", "awful acting", "I hated it", "dull and boring", "really bad", "a terrible story"]
NEUTRAL = ["the film is in english", "it opens in paris", "he is a doctor", "they drive to town"]
TINY = SentimentConfig(embedding_dim=8, hidden_size=8, epochs=30, batch_size=8, learning_rate=0.02, dropout=0.0,
                       word_dropout=0.0, progress=False, num_threads=1)


@pytest.fixture(scope="module")
def tiny_model():
    texts = POSITIVE + NEGATIVE + NEUTRAL
    labels = ["Positive"] * 6 + [0, 1, 0, 1, 0, 1] + ["neutral"] * 4  # names and SST ints mixed
    return SentimentModel.train(texts, labels, TINY, valid=(texts, labels))


def test_learns_and_generalises_through_the_lexicon(tiny_model):
    probs = tiny_model.probabilities(POSITIVE + NEGATIVE + NEUTRAL)
    assert probs.shape == (16, 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-6)
    assert list(probs.argmax(axis=1)) == [2] * 6 + [0] * 6 + [1] * 4
    # words never seen in training, known to VADER's lexicon only
    unseen = tiny_model.probabilities(["a superb film", "a horrid film"])
    assert unseen[0, 2] > unseen[1, 2] and unseen[1, 0] > unseen[0, 0]


def test_fine_probabilities_sum_to_the_three_classes(tiny_model):
    fine = tiny_model.fine_probabilities(["a good film", "a bad film"])
    coarse = tiny_model.probabilities(["a good film", "a bad film"])
    assert fine.shape == (2, 5)
    np.testing.assert_allclose(np.stack([fine[:, :2].sum(1), fine[:, 2], fine[:, 3:].sum(1)], 1), coarse, atol=1e-6)


def test_batching_does_not_change_results(tiny_model):
    texts = ["good", "a really really bad film that I hated", "fun", "it opens in paris"]
    together = tiny_model.probabilities(texts)
    alone = np.concatenate([tiny_model.probabilities([t]) for t in texts])
    np.testing.assert_allclose(together, alone, atol=1e-5)


def test_explain_occlusion(tiny_model):
    contributions = tiny_model.explain("a good film")
    assert [t for t, _ in contributions] == ["a", "good", "film"]
    scores = dict(contributions)
    assert scores["good"] > 0 and scores["good"] == max(scores.values())
    assert tiny_model.explain("bad")[0][1] < 0
    assert tiny_model.explain("") == []


def test_save_load_round_trip(tiny_model, tmp_path):
    path = tiny_model.save(tmp_path / "s.pt")
    loaded = SentimentModel.load(path)
    texts = ["a good film", "awful", ""]
    np.testing.assert_array_equal(loaded.probabilities(texts), tiny_model.probabilities(texts))
    assert loaded.config == tiny_model.config and loaded.vocab == tiny_model.vocab


def test_load_rejects_other_files(tmp_path):
    (tmp_path / "junk.pt").write_bytes(b"\x00\x01 not a checkpoint")
    with pytest.raises(CheckpointError):
        SentimentModel.load(tmp_path / "junk.pt")
    with pytest.raises(CheckpointError):
        SentimentModel.load(tmp_path / "missing.pt")


def test_empty_and_huge_texts(tiny_model):
    probs = tiny_model.probabilities(["", "   ", "good " * 300_000])
    assert probs.shape == (3, 3) and np.isfinite(probs).all()


@pytest.mark.parametrize(("texts", "match"), [
    ("a good film", "texts must be a list of strings, got str"),
    ([b"good"], "text 0 must be a string, got bytes"),
    (["ok", None], "text 1 must be a string, got NoneType"),
])
def test_bad_texts(tiny_model, texts, match):
    with pytest.raises(InputError, match=match):
        tiny_model.probabilities(texts)


def test_bad_training_input():
    with pytest.raises(InputError, match="label 1 is 'Good'; use Negative, Neutral, Positive or an SST label 0-4"):
        SentimentModel.train(["a", "b"], ["Positive", "Good"], TINY)
    with pytest.raises(InputError, match="2 texts but 1 labels"):
        SentimentModel.train(["a", "b"], ["Positive"], TINY)
    with pytest.raises(InputError, match="text 1 holds no words"):
        SentimentModel.train(["a", " "], ["Positive", "Negative"], TINY)
    with pytest.raises(ConfigError, match="SentimentConfig"):
        SentimentModel.train(["a"], ["Positive"], {"epochs": 1})
    with pytest.raises(ConfigError, match="word_dropout"):
        SentimentConfig(word_dropout=1.0)



def test_prediction_never_imports_the_training_module(tiny_model, tmp_path):
    path = tiny_model.save(tmp_path / "s.pt")
    code = ("import sys; from rnnkit.apps.sentiment.analyzer import SentimentAnalyzer; "
            f"SentimentAnalyzer.load({str(path)!r}).rate_many(['a good film', 'awful']); "
            "print('rnnkit.apps.sentiment.train' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_rule_tokens_round_trip_and_explain_only_the_words(tmp_path):
    texts = POSITIVE + NEGATIVE + NEUTRAL
    labels = ["Positive"] * 6 + ["Negative"] * 6 + ["Neutral"] * 4
    model = SentimentModel.train(texts, labels, dataclasses.replace(TINY, rule_tokens=True))
    assert "xxvader+0" in model.vocab and "xxvader-4" in model.vocab
    assert model.encode(["really good"])[0][0] == model.vocab.encode(["xxvader+2"])[0]
    assert [token for token, _ in model.explain("really good")] == ["really", "good"]
    path = tmp_path / "rule.pt"
    model.save(path)
    again = SentimentModel.load(path)
    assert again.config.rule_tokens
    np.testing.assert_allclose(again.probabilities(texts), model.probabilities(texts), atol=1e-6)


def test_negation_scope_round_trip(tmp_path):
    texts = POSITIVE + NEGATIVE + NEUTRAL
    labels = ["Positive"] * 6 + ["Negative"] * 6 + ["Neutral"] * 4
    model = SentimentModel.train(texts, labels, dataclasses.replace(TINY, negation_window=3))
    assert model.model.negation_window == 3
    assert model.model.rnn.input_size == TINY.embedding_dim + 5 + 2  # lexicon vector and the two scope features
    path = tmp_path / "scope.pt"
    model.save(path)
    again = SentimentModel.load(path)
    assert again.config.negation_window == 3 and again.model.negation_window == 3
    np.testing.assert_allclose(again.probabilities(texts), model.probabilities(texts), atol=1e-6)


def test_length_batches_run_common_lengths_dense_and_merge_rare_ones():
    from rnnkit.apps.sentiment.model import DENSE_MIN, PADDED_BATCH, _length_batches

    rng = np.random.default_rng(0)
    id_lists = [[1] * n for n in [*[5] * 300, *[7] * DENSE_MIN, *rng.integers(10, 60, 200).tolist()]]
    for pad in (True, False):
        batches = _length_batches(id_lists, pad)
        assert sorted(np.concatenate(batches).tolist()) == list(range(len(id_lists)))  # each text once
        for rows in batches:
            lengths = [len(id_lists[i]) for i in rows]
            assert lengths == sorted(lengths)  # in length order: the last is the longest
            if len(set(lengths)) > 1:  # padded: only lengths rarer than DENSE_MIN, at most PADDED_BATCH
                assert pad and len(rows) <= PADDED_BATCH
                assert all(sum(len(ids) == n for ids in id_lists) < DENSE_MIN for n in lengths)
        assert {len(id_lists[i]) for rows in batches for i in rows if len(rows) > 1} >= {5, 7}
        assert [len(rows) for rows in batches if len(id_lists[rows[0]]) == 5] == [256, 44]
    assert not any(len({len(id_lists[i]) for i in rows}) > 1 for rows in _length_batches(id_lists, False))


def test_padded_and_dense_batches_agree(tiny_model):
    texts = ["good", "a really really bad film that I hated", "fun", "it opens in paris", "bad", "ok then"]
    mixed = tiny_model.probabilities(texts)  # all rare lengths: padded batches
    alone = np.concatenate([tiny_model.probabilities([t]) for t in texts])  # one text: dense
    np.testing.assert_allclose(mixed, alone, atol=1e-6)
