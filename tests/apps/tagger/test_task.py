"""The tagging task: batches are post-padded, padding is ignored by the loss, metrics count words."""

from __future__ import annotations

import pytest
import torch

from rnnkit.apps.tagger.model import TaggerNet
from rnnkit.apps.tagger.task import IGNORE, TaggingTask, char_ids, encode_sentences, make_batch
from rnnkit.errors import InputError
from rnnkit.text import Vocabulary

WORDS = [["show", "me", "boston"], ["list", "flights"]]
TAGS = [["VERB", "PRON", "PROPN"], ["VERB", "NOUN"]]


@pytest.fixture
def data():
    vocab = Vocabulary.build(WORDS)
    chars = Vocabulary.build([list(w) for s in WORDS for w in s])
    tag_ids = {"VERB": 0, "PRON": 1, "PROPN": 2, "NOUN": 3}
    return encode_sentences(WORDS, TAGS, vocab, chars, tag_ids, max_word_len=4), vocab, chars


def test_make_batch_pads_words_chars_and_tags(data):
    ids, vocab, chars = data
    words, char_batch, lengths, tags = make_batch(ids, [0, 1])
    assert words.shape == (2, 3) and char_batch.shape == (2, 3, 4) and lengths.tolist() == [3, 2]
    assert words[1, 2] == 0 and tags[1].tolist() == [0, 3, IGNORE] and char_batch[1, 2].tolist() == [0, 0, 0, 0]
    assert char_batch[0, 2].tolist() == char_ids("boston", chars, 4) == chars.encode(list("boon"))  # "bo" + "on"


def test_unknown_tags_raise_or_are_ignored(data):
    _, vocab, chars = data
    with pytest.raises(InputError, match="tag 'SYM', unknown to this model"):
        encode_sentences([["x"]], [["SYM"]], vocab, chars, {"NOUN": 0}, 4)
    ignored = encode_sentences([["x"]], [["SYM"]], vocab, chars, {"NOUN": 0}, 4, ignore_unknown_tags=True)
    assert ignored.tags == [[IGNORE]]
    with pytest.raises(InputError, match="sentence 1 has no words"):
        encode_sentences([[]], None, vocab, chars, {}, 4)


def test_task_step_and_eval_count_real_words_only(data, trained):
    ids, vocab, chars = data
    task = TaggingTask()
    config = trained().config
    net = TaggerNet(config, len(vocab), len(chars), 4)
    out = task.train_step(net, make_batch(ids, [0, 1]))
    assert out.tokens == out.examples == 5 and out.loss.requires_grad
    sums = task.eval_sums(net.eval(), ids, task.eval_batches(ids, batch_size=8), torch.device("cpu"))
    assert sums[1] == 5 and 0 <= task.metrics(sums)["accuracy"] <= 1
    with pytest.raises(InputError, match="must be tagged TaggedIds"):
        task.prepare([1, 2], name="training data")
