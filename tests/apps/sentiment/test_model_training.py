"""Training a sentiment model never loses work: a signal leaves a checkpoint that resumes bit for bit."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest

from rnnkit.apps.sentiment.config import SentimentConfig
from rnnkit.apps.sentiment.model import SentimentModel
from rnnkit.errors import CheckpointError
from rnnkit.training import Callback, TrainingInterrupted, load_checkpoint

TEXTS = ["a good film", "great acting", "I loved it", "a bad film", "awful acting", "I hated it", "it opens in paris",
         "he is a doctor"] * 2
LABELS = ["Positive"] * 3 + ["Negative"] * 3 + ["Neutral"] * 2
TINY = SentimentConfig(embedding_dim=8, hidden_size=8, epochs=3, batch_size=4, dropout=0.3, word_dropout=0.2,
                       progress=False, num_threads=1)


class SignalAt(Callback):
    def __init__(self, step: int) -> None:
        self.step = step

    def on_step_end(self, trainer, state):
        if state.step == self.step:
            os.kill(os.getpid(), signal.SIGTERM)


def test_sigterm_then_resume_gives_the_straight_model(tmp_path):
    straight = SentimentModel.train(TEXTS, LABELS * 2, TINY)
    path = tmp_path / "s.train.pt"
    with pytest.raises(TrainingInterrupted, match="stopped by SIGTERM after step 6"):
        SentimentModel.train(TEXTS, LABELS * 2, TINY, checkpoint_path=path, callbacks=[SignalAt(5)])
    assert load_checkpoint(path)["trainer_state"]["step"] == 6
    resumed = SentimentModel.train(TEXTS, LABELS * 2, TINY, checkpoint_path=path, resume_from=path)
    np.testing.assert_array_equal(resumed.probabilities(TEXTS), straight.probabilities(TEXTS))
    assert resumed.metrics["steps"] == straight.metrics["steps"] == 12


def test_resume_refuses_a_checkpoint_of_other_texts(tmp_path):
    path = tmp_path / "s.train.pt"
    SentimentModel.train(TEXTS, LABELS * 2, TINY, checkpoint_path=path)
    with pytest.raises(CheckpointError, match="was trained with another vocabulary"):
        SentimentModel.train(["entirely new words", "nothing alike"], ["Positive", "Negative"], TINY,
                             resume_from=path)
