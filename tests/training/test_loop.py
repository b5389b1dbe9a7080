"""The Trainer: learning, determinism, clipping, NaN handling, validation, schedules, callbacks, checkpoints."""

from __future__ import annotations

import dataclasses

import pytest
import torch
from torch import nn

from rnnkit.config import TrainConfig
from rnnkit.errors import ConfigError, InputError, TrainingError
from rnnkit.training import (
    Callback,
    ClassificationTask,
    LanguageModelTask,
    ProgressBar,
    Trainer,
    TrainState,
    load_checkpoint,
)

from .conftest import DEVICE, VOCAB, TinyClassifier, TinyLM, make_stream


def config(**overrides) -> TrainConfig:
    base = {"progress": False, "batch_size": 4, "seq_len": 5, "epochs": 1, "learning_rate": 0.01, "device": DEVICE}
    return TrainConfig(**(base | overrides))


def weights(model: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}


def flat(model: nn.Module) -> torch.Tensor:
    return torch.cat([p.detach().cpu().reshape(-1) for p in model.parameters()])


def test_language_model_learns_and_reports(stream):
    model = TinyLM()
    result = Trainer(model, config(epochs=2), LanguageModelTask()).fit(stream, make_stream(200, seed=1))
    assert result.steps == 60 and result.epochs == 2  # 600 tokens / 4 rows = 150 columns -> 30 chunks of 5
    assert len(result.history["loss"]) == len(result.history["grad_norm"]) == len(result.history["lr"]) == 60
    validations = result.history["validation"]
    assert [v["step"] for v in validations] == [30, 60]
    assert validations[-1]["perplexity"] < validations[0]["perplexity"] < VOCAB
    assert result.metric_name == "perplexity" and result.best_metric == validations[-1]["perplexity"]
    assert result.tokens_per_sec > 0 and result.elapsed > 0
    assert result.checkpoint_path is None and result.best_checkpoint_path is None


def test_classifier_trains_and_reports_accuracy(labelled):
    result = Trainer(TinyClassifier(), config(epochs=3, batch_size=8), ClassificationTask()).fit(labelled, labelled)
    assert result.steps == 18 and result.metric_name == "accuracy"
    assert all(0.0 <= v["accuracy"] <= 1.0 for v in result.history["validation"])
    assert result.history["loss"][-1] < result.history["loss"][0]


def _run(seed: int, labelled) -> tuple[list[float], dict]:
    torch.manual_seed(0)
    model = TinyClassifier(dropout=0.3)
    result = Trainer(model, config(seed=seed, epochs=2), ClassificationTask()).fit(labelled)
    return result.history["loss"], weights(model)


def test_same_seed_same_run_other_seed_other_run(labelled):
    losses_a, weights_a = _run(5, labelled)
    losses_b, weights_b = _run(5, labelled)
    losses_c, _ = _run(6, labelled)
    assert losses_a == losses_b
    assert all(torch.equal(weights_a[k], weights_b[k]) for k in weights_a)
    assert losses_a != losses_c


class Exploding(nn.Module):
    """A classifier whose logits are scaled by 1e6, so its gradients are huge."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(VOCAB, 4)
        self.out = nn.Linear(4, 2)

    def forward(self, ids, lengths):
        return 1e6 * self.out(self.embed(ids).mean(dim=1))


@pytest.mark.parametrize(("clip", "bounded"), [("norm", True), ("none", False)])
def test_clipping_by_norm_bounds_the_update_while_the_norm_shows_the_explosion(labelled, clip, bounded):
    model = Exploding()
    before = flat(model)
    cfg = config(optimizer="sgd", learning_rate=0.1, clip=clip, clip_norm=1.0, max_steps=1)
    result = Trainer(model, cfg, ClassificationTask()).fit(labelled)
    update = float((flat(model) - before).norm())
    assert result.history["grad_norm"][0] > 1e4  # recorded before clipping
    if bounded:
        assert update <= 0.1 * 1.0 + 1e-6
    else:
        assert update > 100


def test_clipping_by_value_bounds_each_entry(labelled):
    model = Exploding()
    before = flat(model)
    cfg = config(optimizer="sgd", learning_rate=1.0, clip="value", clip_value=0.01, max_steps=1)
    result = Trainer(model, cfg, ClassificationTask()).fit(labelled)
    assert float((flat(model) - before).abs().max()) <= 0.01 + 1e-7
    assert result.history["grad_norm"][0] > 1e4


class TurnsNaN(TinyClassifier):
    """Gives NaN logits from its 4th training forward on."""

    calls = 0

    def forward(self, ids, lengths):
        logits = super().forward(ids, lengths)
        if self.training:
            self.calls += 1
            if self.calls >= 4:
                return logits * float("nan")
        return logits


def test_nan_loss_is_a_one_line_training_error_and_the_last_checkpoint_stays_good(tmp_path, labelled):
    path = tmp_path / "clf.pt"
    trainer = Trainer(TurnsNaN(), config(checkpoint_every=1), ClassificationTask(), checkpoint_path=path)
    with pytest.raises(TrainingError, match=r"loss became nan at step 4 \(epoch 1\)") as err:
        trainer.fit(labelled)
    assert "\n" not in str(err.value)
    good = load_checkpoint(path, kind="classifier")
    assert good["metrics"]["step"] == 3
    assert all(torch.isfinite(p).all() for p in trainer.model.parameters())
    assert [p.name for p in tmp_path.iterdir()] == ["clf.pt"]


class ScriptedLM(LanguageModelTask):
    """Reports a scripted sequence of validation perplexities."""

    def __init__(self, script):
        self.script = list(script)

    def metrics(self, sums):
        value = self.script.pop(0)
        return {"loss": value, "perplexity": value}


class Snapshots(Callback):
    def __init__(self):
        self.at_validation = {}

    def on_validation_end(self, trainer, state):
        self.at_validation[state.step] = weights(trainer.model)


def test_early_stopping_plateau_decay_and_best_weights(tmp_path, stream):
    snapshots = Snapshots()
    cfg = config(eval_every=2, patience=2, lr_schedule="plateau", lr_decay=0.5, learning_rate=0.1)
    model = TinyLM()
    trainer = Trainer(model, cfg, ScriptedLM([5.0, 4.0, 4.5, 4.6, 1.0]), callbacks=[snapshots],
                      checkpoint_path=tmp_path / "lm.pt")
    result = trainer.fit(stream, stream)
    assert result.stopped_early and result.steps == 8
    assert [v["step"] for v in result.history["validation"]] == [2, 4, 6, 8]
    assert result.best_metric == 4.0 and result.best_step == 4
    assert result.history["lr"] == [0.1] * 6 + [0.05] * 2  # halved after the stalled validation at step 6
    assert all(torch.equal(v, snapshots.at_validation[4][k]) for k, v in weights(model).items())
    best = load_checkpoint(result.best_checkpoint_path)
    assert best["metrics"]["step"] == 4 and best["trainer_state"] is None
    assert all(torch.equal(v, snapshots.at_validation[4][k]) for k, v in best["state_dict"].items())
    last = load_checkpoint(result.checkpoint_path)
    assert last["metrics"]["step"] == 8 and last["trainer_state"]["stopped_early"]
    assert all(torch.equal(v, snapshots.at_validation[8][k]) for k, v in last["state_dict"].items())


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        ("constant", lambda lr: lr == [0.1] * 9),
        ("step", lambda lr: lr == [0.1] * 3 + [0.05] * 3 + [0.025] * 3),
        ("cosine", lambda lr: lr[0] == 0.1 and all(a > b for a, b in zip(lr, lr[1:], strict=False)) and lr[-1] < 0.01),
    ],
)
def test_learning_rate_schedules(labelled, schedule, expected):
    cfg = config(epochs=3, batch_size=16, learning_rate=0.1, lr_schedule=schedule, lr_decay=0.5)
    result = Trainer(TinyClassifier(), cfg, ClassificationTask()).fit(labelled)
    assert expected(result.history["lr"]), result.history["lr"]


class Recorder(Callback):
    def __init__(self, stop_at=None):
        self.calls = []
        self.stop_at = stop_at

    def __getattribute__(self, name):
        if name.startswith("on_"):
            return lambda trainer, state: self._record(name, state)
        return super().__getattribute__(name)

    def _record(self, name, state: TrainState):
        self.calls.append(name)
        if name == "on_step_end" and state.step == self.stop_at:
            state.stop = True


def test_callbacks_see_every_event(labelled):
    recorder = Recorder()
    result = Trainer(TinyClassifier(), config(epochs=2, batch_size=16), ClassificationTask(),
                     callbacks=[recorder]).fit(labelled, labelled)
    counts = {name: recorder.calls.count(name) for name in set(recorder.calls)}
    assert counts == {"on_train_begin": 1, "on_step_end": result.steps, "on_validation_end": 2,
                      "on_epoch_end": 2, "on_train_end": 1}
    assert recorder.calls[0] == "on_train_begin" and recorder.calls[-1] == "on_train_end"


def test_a_callback_can_stop_training(labelled):
    result = Trainer(TinyClassifier(), config(epochs=5), ClassificationTask(),
                     callbacks=[Recorder(stop_at=3)]).fit(labelled)
    assert result.steps == 3


def test_progress_bar_goes_to_stderr_and_nothing_is_printed(capsys, labelled):
    trainer = Trainer(TinyClassifier(), config(progress=True, max_steps=3, eval_every=3), ClassificationTask())
    assert any(isinstance(cb, ProgressBar) for cb in trainer.callbacks)
    trainer.fit(labelled, labelled)
    captured = capsys.readouterr()
    assert captured.out == "" and "acc=" in captured.err and "tok/s=" in captured.err
    assert "validation at step 3 (epoch 0): loss " in captured.err and "accuracy" in captured.err
    quiet = Trainer(TinyClassifier(), config(progress=False), ClassificationTask())
    assert not any(isinstance(cb, ProgressBar) for cb in quiet.callbacks)


def test_device_choice():
    assert Trainer(TinyLM(), config(device="cpu"), LanguageModelTask()).device == torch.device("cpu")
    with pytest.raises(ConfigError, match="device must be"):
        config(device="gpu")
    if not torch.cuda.is_available():
        with pytest.raises(ConfigError, match="CUDA is not available"):
            Trainer(TinyLM(), config(device="cuda"), LanguageModelTask())


@dataclasses.dataclass(frozen=True)
class _ModelConfig:
    hidden_size: int = 12


def test_checkpoint_identity_from_the_model_or_the_caller(tmp_path, stream):
    model = TinyLM()
    model.kind, model.config = "language_model", _ModelConfig()
    trainer = Trainer(model, config(max_steps=2), LanguageModelTask(), checkpoint_path=tmp_path / "lm.pt",
                      extra_checkpoint_data={"vocab": {"itos": ["<pad>", "<unk>"]}, "extra": {"note": "x"}})
    result = trainer.fit(stream)
    saved = load_checkpoint(result.checkpoint_path, kind="language_model")
    assert saved["model_config"] == {"hidden_size": 12} and saved["vocab"] == {"itos": ["<pad>", "<unk>"]}
    assert saved["extra"] == {"note": "x"} and saved["train_config"]["max_steps"] == 2
    assert saved["trainer_state"]["step"] == 2 and saved["metrics"]["train_loss"] == result.history["loss"][-1]
    with pytest.raises(InputError, match="unknown key"):
        Trainer(model, config(), LanguageModelTask(), extra_checkpoint_data={"weights": 1})


def test_fit_rejects_unusable_data(labelled):
    with pytest.raises(InputError, match="training data is empty"):
        Trainer(TinyClassifier(), config(), ClassificationTask()).fit(([], []))
    with pytest.raises(InputError, match="validation data has 2 sequences but 1 labels"):
        Trainer(TinyClassifier(), config(), ClassificationTask()).fit(labelled, ([[1], [2]], [0]))
    with pytest.raises(InputError, match="training data has 5 tokens"):
        Trainer(TinyLM(), config(), LanguageModelTask()).fit([1, 2, 3, 4, 5])


def test_progress_bar_writes_the_estimated_time_after_its_first_steps(capsys, labelled):
    steps = ProgressBar.ETA_STEPS + 5
    Trainer(TinyClassifier(), config(progress=True, epochs=100, max_steps=steps), ClassificationTask()).fit(labelled)
    err = capsys.readouterr().err
    line = next(line for line in err.replace("\r", "\n").splitlines() if line.startswith("estimated time: "))
    assert "for 5 more steps at " in line and f"(measured on the first {ProgressBar.ETA_STEPS})" in line
    assert err.count("estimated time: ") == 1


def test_max_minutes_stops_at_the_step_during_which_the_time_ran_out(labelled):
    result = Trainer(TinyClassifier(), config(epochs=100, max_minutes=1e-9), ClassificationTask()).fit(labelled)
    assert result.steps == 1
    unlimited = Trainer(TinyClassifier(), config(epochs=1, max_minutes=0), ClassificationTask()).fit(labelled)
    assert unlimited.steps > 1
