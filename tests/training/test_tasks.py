"""Tasks: batching layouts, determinism, DDP shares, padding, losses, metrics and input checks."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from rnnkit.errors import InputError
from rnnkit.training import ClassificationTask, LanguageModelTask, Task, batchify, detach_state

from .conftest import TinyClassifier, TinyLM, make_labelled, make_stream

CPU = torch.device("cpu")


def test_tasks_follow_the_protocol():
    assert isinstance(ClassificationTask(), Task)
    assert isinstance(LanguageModelTask(), Task)


def test_batchify_cuts_contiguous_rows_and_drops_the_tail():
    rows = batchify(torch.arange(26), 4)
    assert rows.tolist() == [list(range(r * 6, r * 6 + 6)) for r in range(4)]


def test_language_model_chunks_pair_inputs_with_next_tokens():
    task = LanguageModelTask()
    data = task.prepare(list(range(1, 27)), batch_size=4)  # rows of 6 ids
    keys = task.train_batches(data, seq_len=2)
    assert keys == [(0, 2), (2, 2), (4, 1)]  # the last column is only a target
    ids, targets = task.make_batch(data, keys[0], CPU)
    assert ids.tolist() == [[1, 2], [7, 8], [13, 14], [19, 20]]
    assert targets.tolist() == [[2, 3], [8, 9], [14, 15], [20, 21]]


def test_language_model_ranks_take_contiguous_disjoint_streams():
    task = LanguageModelTask()
    shares = [task.prepare(list(range(32)), batch_size=2, rank=r, world_size=2) for r in range(2)]
    assert shares[0].tolist() == [list(range(0, 8)), list(range(8, 16))]
    assert shares[1].tolist() == [list(range(16, 24)), list(range(24, 32))]


def test_detach_state_cuts_history_and_keeps_structure():
    h = torch.ones(2, requires_grad=True) * 2
    c = torch.ones(2, requires_grad=True) * 3
    detached = detach_state((h, [c]))
    assert isinstance(detached, tuple) and isinstance(detached[1], list)
    assert not detached[0].requires_grad and not detached[1][0].requires_grad
    assert torch.equal(detached[0], h)
    assert detach_state(None) is None
    assert not detach_state(h).requires_grad


def test_classification_batches_are_deterministic_and_cover_every_example(labelled):
    task = ClassificationTask()
    data = task.prepare(labelled)
    epoch0 = task.train_batches(data, batch_size=5, epoch=0, seed=3)
    again = task.train_batches(data, batch_size=5, epoch=0, seed=3)
    epoch1 = task.train_batches(data, batch_size=5, epoch=1, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(epoch0, again, strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(epoch0, epoch1, strict=False))
    assert sorted(np.concatenate(epoch0).tolist()) == list(range(len(labelled[0])))


def test_bucketing_groups_similar_lengths():
    sequences, labels = make_labelled(n=200)
    spread = {}
    for bucketing in (True, False):
        task = ClassificationTask(bucketing=bucketing)
        data = task.prepare((sequences, labels))
        batches = task.train_batches(data, batch_size=8)
        spread[bucketing] = np.mean([np.ptp(data.lengths[b]) for b in batches])
    assert spread[True] < spread[False] / 2


def test_custom_batches_fn_is_used(labelled):
    calls = []

    def in_order(lengths, batch_size, seed):
        calls.append(batch_size)
        return [list(range(i, min(i + batch_size, len(lengths)))) for i in range(0, len(lengths), batch_size)]

    task = ClassificationTask(batches_fn=in_order)
    batches = task.train_batches(task.prepare(labelled), batch_size=10)
    assert calls == [10] and batches[1].tolist() == list(range(10, 20))


def test_classification_ranks_get_disjoint_equal_shares(labelled):
    task = ClassificationTask()
    data = task.prepare(labelled)  # 48 examples, batch 5 -> 10 batches
    shares = [task.train_batches(data, batch_size=5, rank=r, world_size=3) for r in range(3)]
    assert [len(s) for s in shares] == [3, 3, 3]
    seen = [i for share in shares for batch in share for i in batch.tolist()]
    assert len(seen) == len(set(seen))
    evals = [task.eval_batches(data, batch_size=5, rank=r, world_size=3) for r in range(3)]
    assert sorted(i for share in evals for b in share for i in b.tolist()) == list(range(48))


def test_classification_pads_each_batch_to_its_longest():
    task = ClassificationTask(pad_id=0)
    data = task.prepare(([[3, 4, 5], [6], [7, 8]], [1, 0, 1]))
    ids, lengths, labels = task.make_batch(data, np.array([1, 2]), CPU)
    assert ids.tolist() == [[6, 0], [7, 8]]
    assert lengths.tolist() == [1, 2] and labels.tolist() == [0, 1]


def test_classification_loss_and_metrics(labelled):
    task = ClassificationTask()
    data = task.prepare(labelled)
    model = TinyClassifier()
    out = task.train_step(model, task.make_batch(data, np.arange(6), CPU))
    assert out.loss.requires_grad and out.examples == 6 and 0 <= out.correct <= 6
    sums = task.eval_sums(model.eval(), data, task.eval_batches(data, batch_size=7), CPU)
    metrics = task.metrics(sums)
    assert sums[1] == 48 and 0.0 <= metrics["accuracy"] <= 1.0 and metrics["loss"] > 0


def test_perplexity_is_exp_of_mean_loss():
    task = LanguageModelTask()
    data = task.prepare(make_stream(200), batch_size=4)
    sums = task.eval_sums(TinyLM().eval(), data, task.eval_batches(data, seq_len=5), CPU)
    metrics = task.metrics(sums)
    assert sums[1] == 4 * 49
    assert metrics["perplexity"] == pytest.approx(math.exp(metrics["loss"]))
    assert task.metrics(torch.tensor([1e6, 1.0], dtype=torch.float64))["perplexity"] == math.inf


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (([], []), "training data is empty"),
        (([[1, 2], [3]], [0]), "2 sequences but 1 labels"),
        (([[1, 2], []], [0, 1]), "sequence 1 must be a non-empty"),
        (([[1, 2.5]], [0]), "must hold integer ids"),
        (([[1, -2]], [0]), "negative id -2"),
        (([[1, 2]], [-1]), "labels holds a negative id"),
        ([[1, 2]], "must be a pair"),
    ],
)
def test_classification_rejects_bad_data(data, match):
    with pytest.raises(InputError, match=match):
        ClassificationTask().prepare(data, name="training data")


def test_classification_rejects_labels_beyond_the_model():
    task = ClassificationTask()
    data = task.prepare(([[1, 2], [3, 4]], [0, 7]))
    with pytest.raises(InputError, match="label 7 is out of range for a model with 2 classes"):
        task.train_step(TinyClassifier(), task.make_batch(data, np.arange(2), CPU))


def test_too_few_batches_for_the_ranks(labelled):
    task = ClassificationTask()
    with pytest.raises(InputError, match="fewer than the 2 ranks"):
        task.train_batches(task.prepare(([[1]], [0])), batch_size=4, rank=0, world_size=2)


@pytest.mark.parametrize(
    ("stream", "match"),
    [
        ([], "non-empty 1-D"),
        (list(range(7)), "7 tokens; a language model needs at least 8"),
        ([[1, 2], [3, 4]], "1-D sequence"),
        ([0.5] * 20, "integer ids"),
    ],
)
def test_language_model_rejects_bad_streams(stream, match):
    with pytest.raises(InputError, match=match):
        LanguageModelTask().prepare(stream, batch_size=4, name="training data")
