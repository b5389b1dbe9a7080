"""Next-word evaluation: the keystroke rule on a hand-worked example, agreement with real typing, results."""

from __future__ import annotations

import json
import math

import pytest
import torch

from rnnkit import ConfigError, InputError, NextWordConfig, NextWordPredictor, evaluate_nextword
from rnnkit.apps.nextword.evaluate import SuggestionTally, format_table
from rnnkit.apps.nextword.text import PrefixIndex
from rnnkit.text import Vocabulary

TRAIN = [
    "I go to school",
    "me and my friends go to school",
    "the cat sat on the mat .",
    "the dog sat on the log .",
    "my school has a scheme for the cat .",
    "we go to London in May .",
] * 4
TEST = ["I go to school .", "the dog sat on the mat", "my friends like the zebra ."]


@pytest.fixture(scope="module")
def predictor():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # module fixtures run before conftest's per-test thread setting
    config = NextWordConfig(embedding_dim=16, hidden_size=16, num_layers=1, epochs=20, batch_size=4, seq_len=8,
                            optimizer="adamw", learning_rate=0.02, lr_schedule="constant", progress=False)
    yield NextWordPredictor.train(TRAIN, config)
    torch.set_num_threads(threads)


def test_keystrokes_on_a_hand_worked_example():
    words = ["the", "then", "there", "cat", "car", "cart", "care", "cars", "carton"]
    vocab = Vocabulary(words, add_bos_eos=True)  # ids 4..12 in this order
    idx = {w: vocab.token_to_id(w) for w in words}

    def row(**scores):  # a score per word, -9 for the rest; any order-preserving scores rank alike
        values = torch.full((len(vocab),), -9.0)
        for word, score in scores.items():
            values[idx[word]] = score
        return values

    rows = torch.stack([
        # "the" ranks first with nothing typed: accepted at once, 1 keystroke for 4 characters
        row(the=-0.5, cat=-1, car=-2),
        # "carton": 8 words beat it with nothing typed, 5 after "c" and "ca", 4 after "car",
        # 1 after "cart" -> shown after 4 letters: 4 + 1 = 5 keystrokes for 7 characters
        row(cart=-1, car=-1.1, cars=-1.2, care=-1.3, cat=-1.4, carton=-3, the=-0.1, then=-2, there=-2),
        # "there" ties "then"; the lower id (then) wins the tie: 3 words above with nothing typed,
        # 1 after "t" -> 1 + 1 = 2 keystrokes for 6 characters
        row(cat=-0.1, car=-0.2, then=-1, there=-1, the=-5),
        # "then" with the same scores: only cat and car above -> third, shown at once: 1 for 5
        row(cat=-0.1, car=-0.2, then=-1, there=-1, the=-5),
        # an out-of-vocabulary word (<unk>) is never suggested: typed in full, 6 for 6 ("zebra" + space)
        row(the=-1),
        # <eos> is scored for perplexity but not typed
        row(the=-1),
    ])
    targets = [idx["the"], idx["carton"], idx["there"], idx["then"], vocab.unk_id, vocab.eos_id]
    log_probs = torch.log_softmax(rows, dim=1)
    tally = SuggestionTally(PrefixIndex(vocab, lower=True), vocab.eos_id, shown=3)
    tally.add(log_probs, targets, ["the", "carton", "there", "then", "zebra", None])
    result = tally.result()
    assert result["keystrokes"] == 1 + 5 + 2 + 1 + 6
    assert tally.characters == 4 + 7 + 6 + 5 + 6
    assert result["keystroke_savings"] == pytest.approx(1 - 15 / 28)
    assert (result["top1"], result["top3"], result["top5"]) == pytest.approx((1 / 5, 2 / 5, 3 / 5))
    nll = -log_probs[torch.arange(6), torch.tensor(targets)].mean()
    assert result["perplexity"] == pytest.approx(math.exp(float(nll)))


def typed_by_hand(predictor: NextWordPredictor, lines: list[str]) -> tuple[int, int]:
    """(keystrokes, top-1 hits) by really typing each word into a session, key by key."""
    session, keystrokes, top1 = predictor.session(), 0, 0
    for line in lines:
        for word in predictor.text_settings.tokens(line):
            cost = len(word) + 1
            for j in range(len(word) + 1):
                shown = [w.lower() for w, _ in session.suggest(3)]
                top1 += j == 0 and shown[:1] == [word]
                if j < len(word) and word in shown:
                    cost = j + 1
                    break
                session.feed(word[j] if j < len(word) else "")
            session.feed(word[len(session.fragment):] + " ")
            keystrokes += cost
        session.feed("\n")
    return keystrokes, top1


def test_vectorised_keystrokes_equal_real_typing(predictor):
    result = evaluate_nextword(TEST, predictor, train_corpus=TRAIN, ngram_order=3)
    keystrokes, top1 = typed_by_hand(predictor, TEST)
    assert result["lstm"]["keystrokes"] == keystrokes
    assert result["lstm"]["top1"] == pytest.approx(top1 / result["words"])


def test_evaluation_gives_sane_numbers_and_json(predictor, tmp_path):
    path = tmp_path / "test.txt"
    path.write_text("\n".join(TEST) + "\n", encoding="utf-8")
    result = evaluate_nextword(path, predictor, train_corpus=TRAIN, ngram_order=3)
    json.loads(json.dumps(result))
    words = sum(len(predictor.text_settings.tokens(line)) for line in TEST)
    assert (result["tokens"], result["words"], result["oov_words"]) == (words + len(TEST), words, 2)  # like, zebra
    assert result["lstm"]["perplexity"] == pytest.approx(predictor.perplexity(TEST), rel=1e-5)
    for key in ("lstm", "kneser_ney"):
        r = result[key]
        assert {"model", "perplexity", "top1", "top3", "top5", "keystrokes", "keystroke_savings", "seconds"} <= set(r)
        assert r["perplexity"] >= 1 and 0 <= r["top1"] <= r["top3"] <= r["top5"] <= 1
        assert 0 < r["keystroke_savings"] < 1
    assert result["kneser_ney"]["order"] == 3
    table = format_table(result)
    assert "keystroke savings" in table and "Kneser-Ney 3-gram" in table and "LSTM 1x16" in table


def test_max_tokens_scores_a_prefix_of_the_text(predictor):
    assert evaluate_nextword(TEST, predictor, train_corpus=TRAIN, ngram_order=3, max_tokens=7)["tokens"] == 7


def test_evaluation_errors(predictor, tmp_path):
    with pytest.raises(InputError, match="the n-gram peer needs the training text"):
        evaluate_nextword(TEST, predictor)  # trained from a list: no file recorded
    with pytest.raises(ConfigError, match="order must be an int from 2 to 6"):
        evaluate_nextword(TEST, predictor, train_corpus=TRAIN, ngram_order=7)
    with pytest.raises(InputError, match="max_tokens must be an integer >= 0"):
        evaluate_nextword(TEST, predictor, train_corpus=TRAIN, max_tokens=-1)
    (tmp_path / "empty.txt").write_text("\n\n", encoding="utf-8")
    with pytest.raises(InputError, match="evaluation text holds no words"):
        evaluate_nextword(tmp_path / "empty.txt", predictor, train_corpus=TRAIN)
    with pytest.raises(InputError, match="file not found"):
        evaluate_nextword(tmp_path / "absent.txt", predictor, train_corpus=TRAIN)
