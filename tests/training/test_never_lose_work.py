"""Training never loses work: checkpoints by time, on SIGINT/SIGTERM, torchrun restarts; clear write errors."""

from __future__ import annotations

import errno
import os
import signal
import stat
from pathlib import Path

import pytest
import torch

from rnnkit.config import TrainConfig
from rnnkit.errors import CheckpointError, ConfigError
from rnnkit.training import LanguageModelTask, Trainer, TrainingInterrupted, load_checkpoint, save_checkpoint
from rnnkit.training import checkpoint as checkpoint_module
from rnnkit.training import files as files_module
from rnnkit.training.callbacks import Callback

from .conftest import DEVICE, TinyLM, make_stream

STEPS = 30  # a straight run's length; the stream gives 29 steps an epoch at batch 4 x seq_len 5
STREAM = make_stream()


def _config(**overrides) -> TrainConfig:
    fields = dict(progress=False, optimizer="adamw", learning_rate=0.05, max_steps=STEPS, epochs=3, batch_size=4,
                  seq_len=5, seed=7, device=DEVICE)
    return TrainConfig(**(fields | overrides))


class At(Callback):
    """Run ``action(trainer)`` once, at the end of step ``step``."""

    def __init__(self, step: int, action) -> None:
        self.step, self.action = step, action

    def on_step_end(self, trainer, state):
        if state.step == self.step:
            self.action(trainer)


class Counter(Callback):
    """Counts the steps this process ran."""

    steps = 0

    def on_step_end(self, trainer, state):
        self.steps += 1


def _train(path=None, callbacks=(), resume=None, **overrides):
    torch.manual_seed(0)
    model = TinyLM(dropout=0.3)
    result = Trainer(model, _config(**overrides), LanguageModelTask(), callbacks=callbacks,
                     checkpoint_path=path).fit(STREAM, resume_from=resume)
    return model, result


@pytest.fixture(scope="module")
def straight():
    """The uninterrupted run every resumed run must match bit for bit."""
    return _train()


def _same_weights(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    return all(torch.equal(value, b.state_dict()[name]) for name, value in a.state_dict().items())


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_writes_a_resumable_checkpoint_and_resuming_is_exact(tmp_path, straight, signum):
    path = tmp_path / "lm.pt"
    before = signal.getsignal(signum)  # default, or SIG_IGN when the suite runs in the background (nohup)
    # the signal lands after step 11; every rank learns of it with step 12's loss, and all stop after step 12
    with pytest.raises(TrainingInterrupted, match=rf"stopped by {signum.name} after step 12: checkpoint .*lm.pt "
                       "holds it") as err:
        _train(path, [At(11, lambda _: os.kill(os.getpid(), signum))], checkpoint_minutes=0)
    assert err.value.step == 12 and err.value.checkpoint_path == path and "\n" not in str(err.value)
    assert load_checkpoint(path)["trainer_state"]["step"] == 12
    assert signal.getsignal(signum) == before  # the handler is restored
    resumed, result = _train(tmp_path / "rest.pt", resume=path)
    assert result.steps == STEPS and result.history == straight[1].history
    assert _same_weights(resumed, straight[0])


def test_checkpoints_are_written_by_time(tmp_path, straight):
    path = tmp_path / "lm.pt"

    def crash(_):
        raise RuntimeError("power cut")

    # every step is "due" at this interval; the crash at step 9 comes before step 9's save
    with pytest.raises(RuntimeError, match="power cut"):
        _train(path, [At(9, crash)], checkpoint_minutes=1e-9)
    assert load_checkpoint(path)["trainer_state"]["step"] == 8
    resumed, result = _train(tmp_path / "rest.pt", resume=path)
    assert _same_weights(resumed, straight[0]) and result.history == straight[1].history


def test_time_based_checkpoints_are_on_by_default_and_can_be_turned_off(tmp_path):
    assert TrainConfig().checkpoint_minutes == 5.0
    with pytest.raises(ConfigError, match="checkpoint_minutes must be a number >= 0.0"):
        TrainConfig(checkpoint_minutes=-1)
    path = tmp_path / "lm.pt"
    with pytest.raises(RuntimeError):
        _train(path, [At(9, lambda _: (_ for _ in ()).throw(RuntimeError("crash")))], checkpoint_minutes=0)
    assert not path.exists()


def test_torchrun_restart_resumes_from_this_runs_checkpoint(tmp_path, straight, monkeypatch):
    path = tmp_path / "lm.pt"
    monkeypatch.setenv("TORCHELASTIC_RUN_ID", "job-1")
    monkeypatch.setenv("TORCHELASTIC_RESTART_COUNT", "0")
    with pytest.raises(RuntimeError):
        _train(path, [At(12, lambda _: (_ for _ in ()).throw(RuntimeError("rank died")))], checkpoint_minutes=1e-9)
    monkeypatch.setenv("TORCHELASTIC_RESTART_COUNT", "1")  # torchrun --max-restarts starts the script again
    counter = Counter()
    resumed, result = _train(path, [counter])
    assert counter.steps == STEPS - 11  # step 12 crashed before its save: it and the rest ran again
    assert result.history == straight[1].history and _same_weights(resumed, straight[0])
    monkeypatch.setenv("TORCHELASTIC_RUN_ID", "job-2")  # another job's file is never taken for this one's
    _train(path, max_steps=3)
    assert load_checkpoint(path)["trainer_state"]["step"] == 3


def _read_only(monkeypatch, code=errno.EROFS):
    real_open = files_module.os.open

    def refuse(path, flags, mode=0o777):
        if flags & os.O_CREAT:
            raise OSError(code, os.strerror(code), str(path))
        return real_open(path, flags, mode)

    monkeypatch.setattr(files_module.os, "open", refuse)


def test_an_unwritable_folder_fails_before_the_first_step(tmp_path, monkeypatch):
    _read_only(monkeypatch)
    steps = []
    with pytest.raises(CheckpointError, match=r"cannot write checkpoint .*lm.pt: .* is on a read-only file system"):
        _train(tmp_path / "lm.pt", [At(1, lambda t: steps.append(1))])
    assert steps == []


def test_a_real_permission_error_is_one_clear_line():
    if not Path("/sys/kernel").is_dir():
        pytest.skip("no /sys here")
    with pytest.raises(CheckpointError, match=r"cannot write checkpoint /sys/kernel/lm.pt: permission denied in "
                       "/sys/kernel; write to a folder you own"):
        _train(Path("/sys/kernel/lm.pt"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_fails_before_the_first_step(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.raises(CheckpointError, match="permission denied"):
            _train(folder / "lm.pt")
    finally:
        folder.chmod(stat.S_IRWXU)


def test_a_full_disk_says_so_and_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "lm.pt"
    _, result = _train(path, max_steps=2)
    good = path.read_bytes()
    real_fdopen = checkpoint_module.os.fdopen

    class Full:
        def __init__(self, fd, mode):
            self.handle = real_fdopen(fd, mode)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(checkpoint_module.os, "fdopen", Full)
    with pytest.raises(CheckpointError, match=r"cannot write checkpoint .*lm.pt: no space left on the device of "):
        save_checkpoint(path, load_checkpoint(path))
    assert path.read_bytes() == good and [p.name for p in tmp_path.iterdir()] == ["lm.pt"]


def test_too_little_free_space_is_refused_before_writing(tmp_path, monkeypatch):
    monkeypatch.setattr(files_module.shutil, "disk_usage", lambda _: type("Usage", (), {"free": 10})())
    with pytest.raises(CheckpointError, match=r"it needs [\d.]+ MiB but the device of .* has 0.0 MiB free"):
        _train(tmp_path / "lm.pt", max_steps=1)


def test_stale_temp_files_of_killed_writes_are_removed(tmp_path):
    path = tmp_path / "lm.pt"
    dead = tmp_path / ".lm.pt.999999999.ab12cd34.tmp"  # no such process
    old_style = tmp_path / ".lm.pt.k2j3h4x9.tmp"  # written by an rnnkit before process ids were in the name
    alive = tmp_path / f".lm.pt.{os.getppid()}.ab12cd34.tmp"  # a live writer's: left alone
    other = tmp_path / ".other.pt.999999999.ab12cd34.tmp"  # another checkpoint's
    for tmp in (dead, old_style, alive, other):
        tmp.write_bytes(b"half")
    _train(path, max_steps=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([alive.name, other.name, "lm.pt"])


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_files_follow_the_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        _, result = _train(tmp_path / "lm.pt", max_steps=1)
    finally:
        os.umask(old)
    assert stat.S_IMODE(result.checkpoint_path.stat().st_mode) == mode
