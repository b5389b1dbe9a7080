"""Tests for rnnkit.apps.sentiment.labels: class order, label ids 0-7, five classes grouped into three."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch

from rnnkit.apps.sentiment.labels import (
    BINARY_LABELS,
    COARSE_OFFSET,
    FINE_LABELS,
    FINE_TO_COARSE,
    LABELS,
    coarse_of,
    encode_labels,
    group_log_probs,
)
from rnnkit.errors import InputError


def test_class_order():
    assert LABELS == ("Negative", "Neutral", "Positive")
    assert BINARY_LABELS == ("Negative", "Positive")
    assert FINE_LABELS == (0, 1, 2, 3, 4) and COARSE_OFFSET == 5
    assert [LABELS[c] for c in FINE_TO_COARSE] == ["Negative", "Negative", "Neutral", "Positive", "Positive"]


def test_encode_labels():
    assert encode_labels([0, 4, "Negative", " positive ", "NEUTRAL", np.int64(2)]) == [0, 4, 5, 7, 6, 2]
    assert encode_labels(()) == []


@pytest.mark.parametrize("bad, match", [
    ([True], "label 0 is True"),
    (["Positive", 5], "label 1 is 5; use Negative, Neutral, Positive or an SST label 0-4"),
    ([-1], "label 0 is -1"),
    (["Good"], "label 0 is 'Good'"),
    ([2.0], "label 0 is 2.0"),
    ([None], "label 0 is None"),
])
def test_encode_labels_rejects(bad, match):
    with pytest.raises(InputError, match=match):
        encode_labels(bad)


def test_group_log_probs_sums_the_groups():
    logits = torch.randn(4, 5, dtype=torch.float64)
    fine, coarse = group_log_probs(logits)
    assert fine.shape == (4, 5) and coarse.shape == (4, 3) and fine.dtype == torch.float32
    torch.testing.assert_close(fine.exp().sum(1), torch.ones(4))
    torch.testing.assert_close(coarse.exp().sum(1), torch.ones(4))
    torch.testing.assert_close(coarse[:, 0].exp(), fine[:, :2].exp().sum(1))
    torch.testing.assert_close(coarse[:, 1], fine[:, 2])
    torch.testing.assert_close(coarse[:, 2].exp(), fine[:, 3:].exp().sum(1))


def test_coarse_of_maps_every_label_id():
    ids = torch.tensor(encode_labels([0, 1, 2, 3, 4, "Negative", "Neutral", "Positive"]))
    assert coarse_of(ids).tolist() == [0, 0, 1, 2, 2, 0, 1, 2]


def test_labels_and_the_rule_import_no_torch():
    code = ("import sys; import rnnkit.apps.sentiment.labels, rnnkit.apps.sentiment.rule, "
            "rnnkit.apps.sentiment.config; print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
