"""NextWordPredictor: suggestions, completions, capitals, save/load, generate, perplexity, errors.

Sessions are in test_session.py, the engine in test_engine.py, the checkpoint payload in test_payload.py.
"""

from __future__ import annotations

import math

import pytest
import torch

import rnnkit.apps.nextword.predictor as nextword_module
from rnnkit import CheckpointError, ConfigError, InputError, NextWordPredictor, NotTrainedError
from rnnkit.apps.nextword.text import TextSettings
from rnnkit.models import LanguageModel
from rnnkit.training import build_checkpoint, save_checkpoint

SPECIALS = {"<pad>", "<unk>", "<bos>", "<eos>"}


def words_of(suggestions):
    return [w for w, _ in suggestions]


def assert_same(got, want):
    assert words_of(got) == words_of(want)
    assert [p for _, p in got] == pytest.approx([p for _, p in want], rel=1e-4)


def capitalised(suggestions) -> bool:
    return all(w[0].isupper() or not w[0].isalpha() for w in words_of(suggestions))


# suggestions -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "I go to ", "the cat ", "zzz qqq ", "the cat sat on the m", "Hello,sch"])
def test_suggest_returns_k_pairs_best_first(predictor, text):
    suggestions = predictor.suggest(text, k=3)
    assert 1 <= len(suggestions) <= 3
    probs = [p for _, p in suggestions]
    assert all(isinstance(w, str) and isinstance(p, float) and 0 < p <= 1 for w, p in suggestions)
    assert probs == sorted(probs, reverse=True)


def test_next_word_is_learned(predictor):
    assert predictor.suggest("I go to ", 1)[0][0] == "school"
    assert predictor.suggest("the dog ", 1)[0][0] == "sat"


def test_completion_ranks_the_words_with_the_prefix_renormalised(predictor):
    suggestions = predictor.suggest("I go to sch", k=5)
    assert sorted(words_of(suggestions)) == ["scheme", "school", "schools"]
    assert suggestions[0][0] == "school"
    assert sum(p for _, p in suggestions) == pytest.approx(1.0)  # all candidates shown: they sum to one
    assert predictor.suggest("I go to xyz", 3) == []  # no vocabulary word starts with it


def test_capitals_follow_the_user_and_the_sentence(predictor):
    assert predictor.truecase == {"i": "I", "london": "London", "may": "May"}
    assert capitalised(predictor.suggest("", 5))  # a sentence start
    assert capitalised(predictor.suggest("It is.\n", 3))
    assert capitalised(predictor.suggest("the cat sat . ", 3))
    assert not capitalised(predictor.suggest("the cat ", 3))
    assert predictor.suggest("I go to Sch", 1)[0][0] == "School"
    assert predictor.suggest("I go to SCH", 1)[0][0] == "SCHOOL"
    assert predictor.suggest("we go to lon", 1)[0][0] == "London"  # its usual spelling
    assert predictor.suggest("me and my friends go to sch", 1)[0][0] == "school"


def test_specials_are_never_suggested(predictor):
    every = len(predictor.vocab)
    for text in ["", "I go to ", "the cat sat .\n", "<", "<e", "zzz "]:
        assert not SPECIALS & {w.lower() for w in words_of(predictor.suggest(text, every))}
    assert len(predictor.suggest("the ", every)) == every - 4


# save / load -----------------------------------------------------------------------------------------

def test_save_load_round_trip_gives_the_same_suggestions(predictor, tmp_path):
    path = predictor.save(tmp_path / "nw.pt")
    loaded = NextWordPredictor.load(path)
    for text in ["", "I go to ", "I go to Sch", "we go to lon"]:
        assert_same(loaded.suggest(text, 3), predictor.suggest(text, 3))
    assert loaded.vocab == predictor.vocab and loaded.truecase == predictor.truecase
    assert loaded.config == predictor.config and loaded.metrics == predictor.metrics
    assert loaded.text_settings == predictor.text_settings


def test_load_without_a_bundled_model_says_how_to_get_one(monkeypatch, tmp_path):
    monkeypatch.setattr(nextword_module, "DEFAULT_MODEL_PATH", tmp_path / "absent.pt")
    with pytest.raises(NotTrainedError, match="no bundled next-word model .*rnnkit train nextword"):
        NextWordPredictor.load()


def test_load_rejects_foreign_and_broken_checkpoints(predictor, tmp_path):
    with pytest.raises(CheckpointError, match="does not exist"):
        NextWordPredictor.load(tmp_path / "missing.pt")
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="cannot be read safely"):
        NextWordPredictor.load(tmp_path / "junk.pt")
    lm = build_checkpoint("language_model", predictor.model.state_dict(), vocab=predictor.vocab.to_dict())
    save_checkpoint(tmp_path / "lm.pt", lm)
    with pytest.raises(CheckpointError, match="expected 'nextword'"):
        NextWordPredictor.load(tmp_path / "lm.pt")
    broken = build_checkpoint("nextword", predictor.model.state_dict(), vocab=predictor.vocab.to_dict(),
                              model_config={"vocab_size": 5}, extra={"text": TextSettings().to_dict()})
    save_checkpoint(tmp_path / "broken.pt", broken)
    with pytest.raises(CheckpointError, match="not a usable next-word model"):
        NextWordPredictor.load(tmp_path / "broken.pt")


# generate --------------------------------------------------------------------------------------------

def test_generate_is_repeatable_with_a_seed(predictor):
    a = predictor.generate("the cat", 8, seed=7)
    assert a == predictor.generate("the cat", 8, seed=7)
    assert isinstance(a, str) and a and not a.startswith(" ")


def test_generate_respects_top_k_and_top_p(predictor):
    greedy = predictor.generate("I go to", 5, top_k=1, seed=0)
    assert greedy == predictor.generate("I go to", 5, top_k=1, seed=99)  # greedy: the seed does not matter
    assert greedy == predictor.generate("I go to", 5, top_p=1e-9, seed=3)
    assert greedy.split()[0] == predictor.suggest("I go to ", 1)[0][0]
    allowed = set(words_of(predictor.suggest("the cat ", 2)))
    assert {predictor.generate("the cat", 1, top_k=2, seed=s, temperature=3.0) for s in range(20)} <= allowed


# perplexity ------------------------------------------------------------------------------------------

def test_perplexity_is_exp_of_the_mean_nll(predictor):
    texts = ["I go to school", "the zebra sat on the mat ."]
    vocab, eos = predictor.vocab, predictor.vocab.eos_id
    ids = [eos]
    for text in texts:
        ids += vocab.encode(predictor.text_settings.tokens(text)) + [eos]
    with torch.no_grad():
        logits, _ = predictor.model(torch.tensor([ids[:-1]]))
    log_probs = torch.log_softmax(logits[0].double(), dim=-1)
    nll = -log_probs[torch.arange(len(ids) - 1), torch.tensor(ids[1:])].mean()
    assert predictor.perplexity(texts) == pytest.approx(math.exp(float(nll)), rel=1e-6)


# bad input -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("k", [0, -1, 2.5, True, "3", None])
def test_bad_k_is_an_input_error(predictor, k):
    with pytest.raises(InputError, match=r"k must be an integer >= 1, got "):
        predictor.suggest("I go", k)
    with pytest.raises(InputError, match=r"k must be an integer >= 1, got 0"):
        predictor.session().type("a", 0)


@pytest.mark.parametrize("text", [None, 3, b"I go", ["I go"]])
def test_non_str_text_is_an_input_error(predictor, text):
    with pytest.raises(InputError, match="text must be a str"):
        predictor.suggest(text)
    with pytest.raises(InputError, match="text must be a str"):
        predictor.session().feed(text)


def test_tiny_temperature_is_greedy(predictor):
    greedy = predictor.generate("I go", 4, temperature=1e-308, seed=0)
    assert greedy == predictor.generate("I go", 4, temperature=1e-308, seed=2**64 - 1)
    assert greedy == predictor.generate("I go", 4, top_k=1, seed=3)


@pytest.mark.parametrize("kwargs, match", [
    ({"n_words": 0}, "n_words must be an integer >= 1"),
    ({"temperature": 0}, "temperature must be a number > 0"),
    ({"top_k": -1}, "top_k must be an integer >= 0"),
    ({"top_p": 0}, r"top_p must be a number in \(0, 1\]"),
    ({"top_p": 1.5}, r"top_p must be a number in \(0, 1\]"),
    ({"seed": -1}, r"seed must be None or an integer in \[0, 2\*\*64\)"),
    ({"seed": 2**64}, r"seed must be None or an integer in \[0, 2\*\*64\), got 18446744073709551616"),
    ({"text": None}, "text must be a str"),
])
def test_bad_generate_arguments(predictor, kwargs, match):
    args = {"text": "I go", "n_words": 3} | kwargs
    with pytest.raises(InputError, match=match):
        predictor.generate(**args)


@pytest.mark.parametrize("texts, match", [
    ("I go to school", "texts must be a list of str"),
    ([], "texts hold no tokens"),
    ([None], r"texts\[0\] must be a str"),
])
def test_bad_perplexity_input(predictor, texts, match):
    with pytest.raises(InputError, match=match):
        predictor.perplexity(texts)


def test_training_errors(corpus, tiny_config):
    with pytest.raises(InputError, match="file not found"):
        NextWordPredictor.train("/nonexistent/corpus.txt", tiny_config())
    with pytest.raises(InputError, match="corpus holds no words"):
        NextWordPredictor.train(["", "  "], tiny_config())
    with pytest.raises(ConfigError, match="config must be a NextWordConfig"):
        NextWordPredictor.train(corpus, {"epochs": 1})
    with pytest.raises(InputError, match="model must be a LanguageModel"):
        NextWordPredictor(None, None)


def test_model_and_vocabulary_must_fit(predictor):
    small = LanguageModel(predictor.model.config.__class__(vocab_size=5, hidden_size=4, embedding_dim=4))
    with pytest.raises(InputError, match="the model has 5 ids but the vocabulary"):
        NextWordPredictor(small, predictor.vocab)


def test_training_lines_are_shuffled_once_with_the_seed(corpus, tiny_config):
    """A sorted plain-text file is not read in its order (shuffle_lines), reproducibly; vocabulary unchanged."""
    def weights(**overrides):
        p = NextWordPredictor.train(corpus, tiny_config(epochs=1, **overrides))
        return p.vocab, p.model.state_dict()["decoder.bias"]

    vocab_a, a = weights()
    vocab_b, b = weights()
    vocab_c, c = weights(shuffle_lines=False)
    assert vocab_a == vocab_b == vocab_c
    assert torch.equal(a, b) and not torch.equal(a, c)
