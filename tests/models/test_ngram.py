"""KneserNeyLM: normalisation, the Kneser-Ney idea, Chen & Goodman discounts, a brute-force
cross-check, save/load, errors, and the PTB perplexity.

PTB figures measured with ``pytest tests/models/test_ngram.py -m data -s`` (2-core EPYC, order
3/4/5, fit about 1-2.5 s and evaluation about 0.2 s each): across sentences 148.4 / 142.7 / 141.1,
per sentence 148.3 / 142.7 / 141.2 (Mikolov et al. 2011 report 141.2 for KN5).
"""

from __future__ import annotations

import functools
import math
import random
import time
from collections import Counter, defaultdict

import numpy as np
import pytest

from rnnkit.data.text import read_ptb
from rnnkit.errors import ConfigError, InputError, NotTrainedError
from rnnkit.models.ngram import KneserNeyLM
from rnnkit.models.ngram_counts import FALLBACK_DISCOUNTS
from rnnkit.text.vocab import Vocabulary

BOS = KneserNeyLM.BOS
WORDS = ["<pad>", "<unk>", "<eos>", "san", "francisco", "glasgow", "in", "to", "from", "near", "never"]
ID = {w: i for i, w in enumerate(WORDS)}
V = len(WORDS)
TEXT = [
    "san francisco <eos>",
    "in san francisco <eos>",
    "to san francisco <eos>",
    "san francisco <unk> <eos>",
    "in glasgow <eos>",
    "to glasgow <eos>",
    "from glasgow <unk> <eos>",
    "near glasgow <eos>",
]
CORPUS = [[ID[w] for w in line.split()] for line in TEXT]
MODES = (True, False)


def contexts() -> list[list[int]]:
    """Seen, unseen, sentence-initial and over-long contexts."""
    return [
        [],
        [BOS],
        [ID["san"]],
        [ID["in"], ID["san"]],
        [ID["never"]],
        [ID["never"], ID["san"]],
        [BOS, ID["to"], ID["glasgow"]],
        CORPUS[1] + CORPUS[2] + CORPUS[3],
        [ID["glasgow"], BOS],
    ]


@pytest.mark.parametrize("cross_sentence", MODES)
@pytest.mark.parametrize("order", [2, 3, 4, 5, 6])
def test_distribution_sums_to_one_and_agrees_with_prob(order, cross_sentence):
    model = KneserNeyLM(order, cross_sentence=cross_sentence).fit(CORPUS, V)
    for ctx in contexts():
        dist = model.distribution(ctx)
        assert dist.dtype == np.float64 and dist.shape == (V,)
        assert abs(dist.sum() - 1.0) < 1e-9
        assert dist[0] == 0.0 and (dist[1:] > 0).all()  # <pad> gets nothing; unseen "never" keeps some
        assert [model.prob(w, ctx) for w in range(V)] == pytest.approx(dist, abs=1e-15)


@pytest.mark.parametrize("cross_sentence", MODES)
def test_log_probs_and_perplexity_follow_prob(cross_sentence):
    model = KneserNeyLM(3, cross_sentence=cross_sentence).fit(CORPUS, V)
    ids = CORPUS[3] + CORPUS[6]
    expected = [math.log(model.prob(w, [BOS, *ids[:i]])) for i, w in enumerate(ids)]
    assert model.log_probs(ids) == pytest.approx(expected, abs=1e-12)
    assert model.log_probs([]).shape == (0,)
    assert model.perplexity(np.array(ids)) == pytest.approx(math.exp(-np.mean(expected)))
    per_sentence = [model.log_probs(s) for s in CORPUS[:3]]
    joined = model.log_probs(sum(CORPUS[:3], []))
    expected_ppl = np.exp(-np.mean(joined if cross_sentence else np.concatenate(per_sentence)))
    assert model.perplexity(CORPUS[:3]) == pytest.approx(expected_ppl)


def test_context_is_cut_at_a_sentence_start():
    model = KneserNeyLM(3, cross_sentence=False).fit(CORPUS, V)
    np.testing.assert_array_equal(
        model.distribution([ID["near"], ID["glasgow"], BOS, ID["to"]]), model.distribution([BOS, ID["to"]])
    )


def test_continuation_counts_favour_the_word_seen_after_many_words():
    """Chen & Goodman's example: "francisco" is frequent but follows only "san"; "glasgow" follows many words."""
    model = KneserNeyLM(2, cross_sentence=False).fit(CORPUS, V)
    unseen = model.distribution([ID["never"]])  # no bigram evidence: the continuation unigram decides
    assert unseen[ID["glasgow"]] > 2 * unseen[ID["francisco"]]
    assert model.prob(ID["francisco"], [ID["san"]]) > 0.5  # the bigram still knows "san francisco"
    assert unseen[ID["<unk>"]] > unseen[ID["near"]]  # PTB's <unk> (id 1) is an ordinary word: it keeps its mass


def test_discounts_match_chen_goodman_on_a_hand_checked_example():
    # Bigrams (<s>, w) only, raw counts 1,1,1,1 (ids 2-5), 2,2 (6, 7), 3 (8), 4 (9): n1..n4 = 4, 2, 1, 1.
    sentences = [[w] for w, n in zip(range(2, 10), (1, 1, 1, 1, 2, 2, 3, 4), strict=True) for _ in range(n)]
    model = KneserNeyLM(2, cross_sentence=False).fit(sentences, 10)
    y = 4 / (4 + 2 * 2)  # Y = n1 / (n1 + 2 n2) = 0.5
    assert model.discounts[1] == pytest.approx((1 - 2 * y * 2 / 4, 2 - 3 * y * 1 / 2, 3 - 4 * y * 1 / 1))
    assert model.discounts[1] == pytest.approx((0.5, 1.25, 1.0))
    assert model.discounts[0] == FALLBACK_DISCOUNTS  # every continuation count is 1: n2 = 0
    # p(9 | <s>) = (4 - D3+) / 15 + gamma * p1(9), gamma = (4 D1 + 2 D2 + 2 D3+) / 15,
    # p1(9) = (1 - 0.5) / 8 + (8 * 0.5 / 8) / 9 (continuation count 1 for all 8 words, uniform over 9 ids)
    p1 = 0.5 / 8 + 0.5 / 9
    assert model.prob(9, [BOS]) == pytest.approx(3 / 15 + 6.5 / 15 * p1)
    assert model.prob(9, []) == pytest.approx(p1)


@pytest.mark.parametrize("order", [2, 3, 5])
def test_discounts_lie_between_zero_and_the_count(order):
    rng = random.Random(1)
    sentences = [[rng.choice([2, 3, 3, 4, 5, 5, 5, 6, 7]) for _ in range(rng.randint(1, 9))] + [8] for _ in range(300)]
    for d1, d2, d3 in KneserNeyLM(order).fit(sentences, 9).discounts:
        assert 0 < d1 < 1 and 0 < d2 < 2 and 0 < d3 < 3


def reference_prob(sentences, order, vocab_size, cross_sentence):
    """A slow, dict-based interpolated modified KN written straight from the formulas."""
    streams = [["<s>", *(w for s in sentences for w in s)]] if cross_sentence else [["<s>", *s] for s in sentences]
    raw = [Counter() for _ in range(order + 1)]
    for st in streams:
        for k in range(1, order + 1):
            raw[k].update(tuple(st[i : i + k]) for i in range(len(st) - k + 1) if k > 1 or st[i] != "<s>")
    adjusted = {order: raw[order]}
    for k in range(1, order):
        left = defaultdict(set)
        for gram in raw[k + 1]:
            left[gram[1:]].add(gram[0])
        adjusted[k] = {g: (c if g[0] == "<s>" else len(left[g])) for g, c in raw[k].items()}
    disc = {}
    for k, counts in adjusted.items():
        n1, n2, n3, n4 = (sum(c == r for c in counts.values()) for r in (1, 2, 3, 4))
        disc[k] = FALLBACK_DISCOUNTS
        if min(n1, n2, n3, n4) > 0:
            y = n1 / (n1 + 2 * n2)
            d = (1 - 2 * y * n2 / n1, 2 - 3 * y * n3 / n2, 3 - 4 * y * n4 / n3)
            disc[k] = d if 0 < d[0] < 1 and 0 < d[1] < 2 and 0 < d[2] < 3 else disc[k]
    by_context = defaultdict(dict)
    for counts in adjusted.values():
        for gram, c in counts.items():
            by_context[gram[:-1]][gram[-1]] = c

    def prob(word, history):
        history = tuple(history)[-(order - 1) :] if order > 1 else ()
        p = 1 / (vocab_size - 1)
        for k in range(1, len(history) + 2):
            ctx = history[len(history) - k + 1 :]
            grams = by_context.get(ctx, {})
            if grams:
                total, d = sum(grams.values()), disc[k]
                gamma = sum(d[min(c, 3) - 1] for c in grams.values()) / total
                c = grams.get(word, 0)
                p = gamma * p + (c - d[min(c, 3) - 1] if c else 0) / total
        return p

    return prob


@pytest.mark.parametrize("cross_sentence", MODES)
@pytest.mark.parametrize("order", [2, 3, 4])
def test_matches_a_brute_force_reference(order, cross_sentence):
    rng = random.Random(order)
    sentences = [[rng.choice([2, 3, 3, 4, 5, 5, 5, 6, 7]) for _ in range(rng.randint(1, 9))] + [8] for _ in range(300)]
    model = KneserNeyLM(order, cross_sentence=cross_sentence).fit(sentences, 10)
    reference = reference_prob(sentences, order, 10, cross_sentence)
    for sentence in sentences[:4] + [[9, 2, 9, 8]]:
        for t in range(len(sentence)):
            expected = [0.0] + [reference(w, ["<s>", *sentence[:t]]) for w in range(1, 10)]
            assert model.distribution([BOS, *sentence[:t]]) == pytest.approx(expected, abs=1e-12)
            expected = [0.0] + [reference(w, sentence[:t]) for w in range(1, 10)]
            assert model.distribution(sentence[:t]) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("as_lists", [False, True])
def test_to_dict_round_trip_gives_identical_probs(as_lists):
    model = KneserNeyLM(4, cross_sentence=False).fit(CORPUS, V)
    data = model.to_dict()
    if as_lists:  # e.g. after JSON
        data = {k: [np.asarray(a).tolist() for a in v] if k in ("codes", "counts") else v for k, v in data.items()}
        data["unigram_counts"] = data["unigram_counts"].tolist()
    loaded = KneserNeyLM.from_dict(data)
    assert (loaded.order, loaded.cross_sentence, loaded.vocab_size) == (4, False, V)
    assert loaded.discounts == model.discounts
    for ctx in contexts():
        np.testing.assert_array_equal(loaded.distribution(ctx), model.distribution(ctx))
    assert loaded.perplexity(CORPUS) == model.perplexity(CORPUS)


def test_from_dict_rejects_foreign_or_inconsistent_data():
    with pytest.raises(InputError, match="not a KneserNeyLM dict"):
        KneserNeyLM.from_dict({"format": "something else"})
    data = KneserNeyLM(3).fit(CORPUS, V).to_dict()
    with pytest.raises(InputError, match="unsupported KneserNeyLM dict version 9"):
        KneserNeyLM.from_dict(data | {"version": 9})
    with pytest.raises(InputError, match="order must be an int in"):
        KneserNeyLM.from_dict(data | {"order": 7})
    with pytest.raises(InputError, match="order-3 codes/counts are inconsistent"):
        KneserNeyLM.from_dict(data | {"codes": [data["codes"][0], data["codes"][1][::-1]]})
    with pytest.raises(InputError, match="discounts must satisfy"):
        KneserNeyLM.from_dict(data | {"discounts": [[0.5, 1.0, 3.5]] * 3})


@pytest.mark.parametrize("order", [1, 7, "5", True, 2.0])
def test_bad_order_raises_config_error(order):
    with pytest.raises(ConfigError, match="order must be an int from 2 to 6"):
        KneserNeyLM(order)


def test_bad_cross_sentence_raises_config_error():
    with pytest.raises(ConfigError, match="cross_sentence must be a bool"):
        KneserNeyLM(3, cross_sentence="yes")


@pytest.mark.parametrize(
    ("sentences", "vocab_size", "match"),
    [
        ([], V, "the corpus holds no tokens"),
        ([[], []], V, "the corpus holds no tokens"),
        ([[2, 3], [4, V]], V, r"sentences\[1\] must lie in \[1, 11\)"),
        ([[2, -1]], V, r"must lie in \[1, 11\) \(0 is <pad>.*from -1 to 2"),
        ([[0, 2]], V, "0 is <pad>, never a token"),
        ([[2, 3.5]], V, "int token ids"),
        (["san francisco"], V, "sentences\\[0\\] must be a sequence of int token ids, got a str"),
        ("san francisco", V, "must be sentences of int ids"),
        (CORPUS, 1, "vocab_size must be an int >= 2"),
        (CORPUS, 11.0, "vocab_size must be an int >= 2"),
    ],
)
def test_fit_rejects_bad_input(sentences, vocab_size, match):
    with pytest.raises(InputError, match=match):
        KneserNeyLM(3).fit(sentences, vocab_size)


def test_queries_reject_bad_ids():
    model = KneserNeyLM(3).fit(CORPUS, V)
    with pytest.raises(InputError, match=r"word must be an int id in \[0, 11\)"):
        model.prob(V, [2])
    with pytest.raises(InputError, match=r"context must lie in \[1, 11\)"):
        model.distribution([2, 0])
    with pytest.raises(InputError, match="ids must lie in"):
        model.log_probs([2, -3])
    with pytest.raises(InputError, match="perplexity needs at least one token"):
        model.perplexity([[]])


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.prob(2, []),
        lambda m: m.distribution([2]),
        lambda m: m.log_probs([2]),
        lambda m: m.perplexity(CORPUS),
        lambda m: m.to_dict(),
        lambda m: m.discounts,
    ],
)
def test_unfitted_model_raises_not_trained(call):
    with pytest.raises(NotTrainedError, match="not fitted; call fit"):
        call(KneserNeyLM(3))


@functools.cache
def ptb_ids(folder: str) -> tuple[int, list[list[int]], list[list[int]]]:
    train, test = read_ptb(f"{folder}/ptb.train.txt"), read_ptb(f"{folder}/ptb.test.txt")
    vocab = Vocabulary.build(train)  # 10,000 words (<unk> and <eos> among them) + <pad>
    return len(vocab), [vocab.encode(s) for s in train], [vocab.encode(s) for s in test]


@pytest.mark.data
@pytest.mark.slow
@pytest.mark.parametrize(
    ("order", "cross_sentence", "low", "high"),
    [(3, True, 140, 156), (4, True, 136, 152), (5, True, 135, 150), (5, False, 135, 150)],
)
def test_ptb_perplexity_matches_the_published_kn5(shared_data, order, cross_sentence, low, high):
    vocab_size, train, test = ptb_ids(str(shared_data("ptb", "ptb.train.txt").parent))
    assert vocab_size == 10_001 and sum(map(len, test)) == 82_430
    start = time.perf_counter()
    model = KneserNeyLM(order, cross_sentence=cross_sentence).fit(train, vocab_size)
    fitted = time.perf_counter()
    ppl = model.perplexity(test)
    done = time.perf_counter()
    print(
        f"\nPTB test, KN order {order}, cross_sentence={cross_sentence}: perplexity {ppl:.2f} "
        f"(fit {fitted - start:.1f} s, eval {done - fitted:.2f} s)"
    )
    assert low <= ppl <= high
    assert fitted - start < 60
    # distribution() at test positions agrees with the vectorised scoring (the context keeps its last order - 1 ids)
    stream = [w for s in test for w in s][:2000]
    got = [math.log(model.distribution([BOS, *stream[max(0, i - order) : i]])[w]) for i, w in enumerate(stream)]
    assert got == pytest.approx(model.log_probs(stream), abs=1e-9)
