"""NextWordSession: typing key by key equals the one-shot call, accept, bounds, the result dict, ranking ties."""

from __future__ import annotations

import json
import random
import time

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnkit import InputError, NextWordPredictor
from rnnkit.apps.nextword.session import MAX_CONTEXT_TOKENS, NextWordSession, rank_candidates


def words_of(suggestions):
    return [w for w, _ in suggestions]


def assert_same(got, want):
    assert words_of(got) == words_of(want)
    assert [p for _, p in got] == pytest.approx([p for _, p in want], rel=1e-4)


def random_typing(rng: random.Random, words: list[str], n: int) -> str:
    pieces = []
    for _ in range(n):
        roll = rng.random()
        if roll < 0.7:
            pieces.append(rng.choice(words) + " ")
        elif roll < 0.8:
            pieces.append(rng.choice(words)[: rng.randint(1, 3)])  # a word left unfinished, then more typed
        elif roll < 0.9:
            pieces.append(rng.choice([". ", ", ", "\n", "\n\n", "Zork ", "don'", "I'm "]))
        else:
            pieces.append(rng.choice(["\x00\x01", "\ud800", "😀", "  ", "\t"]))
    return "".join(pieces)


@pytest.mark.parametrize("seed", range(4))
def test_session_equals_the_full_rerun(predictor, seed):
    rng = random.Random(seed)
    text = random_typing(rng, ["I", "go", "to", "school", "the", "cat", "London", "sat", "schools"], 30)
    session, typed, i = predictor.session(), "", 0
    while i < len(text):
        step = rng.choice([1, 1, 1, 2, 5])  # keystrokes, sometimes pasted pieces
        chunk, i = text[i:i + step], i + step
        typed += chunk
        assert_same(session.type(chunk, 4), predictor.suggest(typed, 4))


def test_accept_replaces_the_word_being_typed(predictor):
    session = predictor.session("I go to (sch")
    assert session.prefix == "sch"
    session.accept("school")
    assert session.fragment == ""
    assert_same(session.suggest(3), predictor.suggest("I go to (school ", 3))


def test_huge_and_junk_text_answer_in_bounded_time(predictor):
    start = time.perf_counter()
    assert len(predictor.suggest("the cat sat on the mat . " * 40_000, 3)) == 3  # ~1 MB
    assert isinstance(predictor.suggest("\x00\xff\ufffe" * 350_000, 3), list)  # ~1 MB without a space
    assert time.perf_counter() - start < 3.0
    long_text = " ".join(["the cat sat"] * MAX_CONTEXT_TOKENS) + " "
    last = " ".join(long_text.split()[-MAX_CONTEXT_TOKENS:])
    cut = predictor.session(long_text).suggest(3)  # reads only the last MAX_CONTEXT_TOKENS tokens
    assert words_of(cut) == words_of(predictor.session(last + " ").suggest(3))


# result: the one JSON shape of the CLI and the service -----------------------------------------------

@pytest.mark.parametrize("text, prefix", [("I go to sch", "sch"), ("I go to Sch", "Sch"), ("I go to ", ""),
                                          ("", ""), ("I go to xyz", "xyz"), ("I go to (sch", "sch")])
def test_result_is_the_json_shape_of_the_suggestions(predictor, text, prefix):
    session = predictor.session(text)
    result = session.result(3)
    assert list(result) == ["completing", "prefix", "suggestions"]
    assert result["completing"] is bool(prefix) and result["prefix"] == prefix == session.prefix
    pairs = [(s["word"], s["probability"]) for s in result["suggestions"]]
    assert pairs == session.suggest(3) == predictor.suggest(text, 3)  # the same floats, not just close
    assert all(list(s) == ["word", "probability"] and type(s["word"]) is str and type(s["probability"]) is float
               for s in result["suggestions"])
    assert json.loads(json.dumps(result)) == result  # plain JSON data


def test_result_with_no_candidate_is_completing_with_no_suggestion(predictor):
    assert predictor.session("I go to xyz").result() == {"completing": True, "prefix": "xyz", "suggestions": []}


@pytest.mark.parametrize("k", [0, True, "3"])
def test_result_checks_k(predictor, k):
    with pytest.raises(InputError, match="k must be an integer >= 1, got "):
        predictor.session("I go").result(k)


# the session takes the predictor's engine ------------------------------------------------------------

def test_a_session_is_made_from_the_engine_alone(predictor):
    session = NextWordSession(predictor.engine, "I go to sch")
    assert session.prefix == "sch" and session.suggest(3) == predictor.suggest("I go to sch", 3)
    with pytest.raises(InputError, match="text must be a str"):
        NextWordSession(predictor.engine, None)


def test_sessions_share_the_engine_but_not_their_state(predictor):
    a, b = predictor.session("the cat "), predictor.session()
    a.type("sat on the ")
    assert b.suggest(3) == predictor.suggest("", 3)  # b still at a sentence start
    assert_same(a.suggest(3), predictor.suggest("the cat sat on the ", 3))  # steps apart: equal up to rounding
    assert predictor.session().suggest(3) == predictor.suggest("", 3)  # engine.start was not changed


def test_ties_go_to_the_lower_id():
    values = torch.tensor([1.0, 3.0, 3.0, 2.0, 3.0])
    assert rank_candidates(values, None, 4, 2) == ([5, 6], [3.0, 3.0])
    assert rank_candidates(values, torch.tensor([9, 8, 7, 6, 5]), 0, 2) == ([5, 7], [3.0, 3.0])
    assert rank_candidates(values.numpy(), np.array([9, 8, 7, 6, 5]), 0, 2) == ([5, 7], [3.0, 3.0])


@settings(max_examples=200, deadline=None)
@given(scores=st.lists(st.integers(-3, 3), min_size=1, max_size=30), k=st.integers(1, 8),
       shuffled_ids=st.booleans(), seed=st.integers(0, 1000))
def test_rank_candidates_equals_sorting_everything(scores, k, shuffled_ids, seed):
    values = np.array(scores, dtype=np.float32) / 2  # few distinct values: many ties
    ids = np.random.default_rng(seed).permutation(100)[: len(scores)] if shuffled_ids else None
    cand = ids.tolist() if shuffled_ids else [j + 7 for j in range(len(scores))]
    expected = sorted(zip((-values).tolist(), cand, strict=True))[:k]
    assert rank_candidates(values, ids, 7, k) == ([i for _, i in expected], [-v for v, _ in expected])


# results_many: the service's batched suggestions ------------------------------------------------------

@pytest.mark.parametrize("seed", range(3))
def test_results_many_equals_one_session_per_text(predictor, seed):
    rng = random.Random(seed)
    words = ["I", "go", "to", "school", "the", "cat", "London", "sat", "schools"]
    requests = [(random_typing(rng, words, rng.randint(0, 8)), rng.randint(1, 5)) for _ in range(24)]
    requests += [("", 3), ("I go to (sch", 2), ("xyzzy", 3), ("the cat sat on the mat . " * 2_000, 3)]
    got = predictor.results_many(requests)
    assert len(got) == len(requests)
    for (text, k), result in zip(requests, got, strict=True):
        want = predictor.session(text).result(k)
        assert result["prefix"] == want["prefix"] and result["completing"] == want["completing"]
        assert_same([(s["word"], s["probability"]) for s in result["suggestions"]],
                    [(s["word"], s["probability"]) for s in want["suggestions"]])


def test_results_many_checks_every_request_before_running(predictor):
    assert predictor.results_many([]) == []
    with pytest.raises(InputError, match="k must be an integer >= 1, got 0"):
        predictor.results_many([("I go", 3), ("I go", 0)])
    with pytest.raises(InputError, match="text must be a str"):
        predictor.results_many([("I go", 3), (b"I go", 3)])


@pytest.mark.parametrize("cell", ["gru", "rnn"])
def test_results_many_runs_every_cell(corpus, tiny_config, cell):
    predictor = NextWordPredictor.train(corpus, tiny_config(cell=cell, num_layers=2, epochs=2))
    requests = [("I go to ", 3), ("the sch", 2), ("", 1), ("we go to London in", 3)]
    for (text, k), result in zip(requests, predictor.results_many(requests), strict=True):
        want = predictor.session(text).result(k)
        assert [s["word"] for s in result["suggestions"]] == [s["word"] for s in want["suggestions"]]


def test_log_sum_exp_gives_a_batch_row_what_it_gives_the_row_alone():
    from rnnkit.apps.nextword.session import log_sum_exp

    logits = torch.randn(5, 8004) * 4
    rows = log_sum_exp(logits)
    assert rows.shape == (5,)
    assert [log_sum_exp(row) for row in logits] == rows.tolist()  # exactly: one normaliser for both paths
    assert log_sum_exp(logits[0]) == pytest.approx(float(torch.logsumexp(logits[0], dim=0)), rel=1e-6)
