"""Resume is exact: N steps + resume for N more == 2N steps straight, bit for bit."""

from __future__ import annotations

import pytest
import torch

from rnnkit.config import TrainConfig
from rnnkit.errors import CheckpointError
from rnnkit.training import ClassificationTask, LanguageModelTask, Trainer, load_checkpoint

from .conftest import DEVICE, TinyClassifier, TinyLM, make_labelled, make_stream

CASES = {
    # name: (model factory, task factory, train data, val data, extra config); N = 13 lands mid-epoch
    "classifier": (lambda: TinyClassifier(dropout=0.3), ClassificationTask, make_labelled(), None,
                   {"batch_size": 5, "epochs": 3}),
    "language_model": (lambda: TinyLM(dropout=0.3), LanguageModelTask, make_stream(), None,
                       {"batch_size": 4, "seq_len": 5, "epochs": 2}),
    "classifier_validating": (lambda: TinyClassifier(dropout=0.3), ClassificationTask, make_labelled(),
                              make_labelled(20, seed=1),
                              {"batch_size": 5, "epochs": 3, "eval_every": 4, "lr_schedule": "plateau"}),
}
N = 13


def _train(case, optimizer, tmp_path, *, max_steps, name=None, resume=None, init_seed=0):
    make_model, make_task, train, val, extra = CASES[case]
    cfg = TrainConfig(progress=False, optimizer=optimizer, learning_rate=0.05, momentum=0.9 * (optimizer == "sgd"),
                      max_steps=max_steps, seed=7, device=DEVICE, **extra)
    torch.manual_seed(init_seed)
    model = make_model()
    path = tmp_path / name if name else None
    result = Trainer(model, cfg, make_task(), checkpoint_path=path).fit(train, val, resume_from=resume)
    return model, result


@pytest.mark.parametrize("optimizer", ["sgd", "adamw"])
@pytest.mark.parametrize("case", list(CASES))
def test_resumed_run_matches_the_straight_run_bit_for_bit(tmp_path, case, optimizer):
    straight, straight_result = _train(case, optimizer, tmp_path, max_steps=2 * N)
    _, first = _train(case, optimizer, tmp_path, max_steps=N, name="half.pt")
    position = load_checkpoint(first.checkpoint_path)["trainer_state"]
    assert position["step"] == N and position["batch_in_epoch"] > 0  # really mid-epoch
    resumed, result = _train(case, optimizer, tmp_path, max_steps=2 * N, name="rest.pt",
                             resume=first.checkpoint_path, init_seed=123)
    assert result.steps == 2 * N
    assert result.history == straight_result.history
    for name, value in straight.state_dict().items():
        assert torch.equal(value, resumed.state_dict()[name]), name


def test_language_model_checkpoint_carries_the_hidden_state(tmp_path):
    _, result = _train("language_model", "sgd", tmp_path, max_steps=N, name="lm.pt")
    carry = load_checkpoint(result.checkpoint_path)["trainer_state"]["ranks"][0]["carry"]
    h, c = carry
    assert h.shape == c.shape == (1, 4, 12) and not h.requires_grad


def test_resuming_a_finished_run_trains_no_more(tmp_path):
    _, done = _train("classifier", "sgd", tmp_path, max_steps=N, name="done.pt")
    model, again = _train("classifier", "sgd", tmp_path, max_steps=N, name="again.pt", resume=done.checkpoint_path)
    assert again.steps == N and again.history == done.history


def test_resume_refuses_checkpoints_that_do_not_fit(tmp_path):
    _, lm = _train("language_model", "sgd", tmp_path, max_steps=2, name="lm.pt")
    with pytest.raises(CheckpointError, match="holds a 'language_model' model, expected 'classifier'"):
        _train("classifier", "sgd", tmp_path, max_steps=4, resume=lm.checkpoint_path)
    cfg = TrainConfig(progress=False, batch_size=4, seq_len=5, device=DEVICE)
    wider = Trainer(TinyLM(hidden=16), cfg, LanguageModelTask())
    with pytest.raises(CheckpointError, match="does not fit this model or optimizer") as err:
        wider.fit(make_stream(), resume_from=lm.checkpoint_path)
    assert "\n" not in str(err.value)


def test_resume_refuses_a_best_model_checkpoint(tmp_path):
    _, result = _train("classifier_validating", "sgd", tmp_path, max_steps=8, name="clf.pt")
    with pytest.raises(CheckpointError, match="holds no trainer state"):
        _train("classifier_validating", "sgd", tmp_path, max_steps=12, resume=result.best_checkpoint_path)
