"""The model-agnostic training loop: optimiser, clipping, validation, checkpoints, resume, DDP.

::

    trainer = Trainer(model, TrainConfig(epochs=3), LanguageModelTask(), checkpoint_path="lm.pt")
    result = trainer.fit(train_ids, val_ids)             # or resume_from="lm.pt" to go on exactly

Run the same script under ``torchrun --nproc_per_node=N`` for DistributedDataParallel training.

Training never loses more than a few minutes of work: with a ``checkpoint_path`` the resumable
checkpoint is written every ``config.checkpoint_minutes`` (5 by default), every ``checkpoint_every``
steps if set, at the end, and on SIGINT or SIGTERM (then :class:`~rnnkit.training.signals.TrainingInterrupted`
is raised). Its folder is checked for writing before the first step, and a run that torchrun restarts
(``--max-restarts``) goes on from that checkpoint by itself.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import torch
from torch import nn

from rnnkit.config import TrainConfig
from rnnkit.errors import CheckpointError, ConfigError, InputError, TrainingError, first_line
from rnnkit.training import distributed as ddp
from rnnkit.training.allocator import keep_freed_memory
from rnnkit.training.callbacks import ProgressBar
from rnnkit.training.checkpoint import (
    best_checkpoint_path,
    build_checkpoint,
    check_writable,
    cpu_copy,
    load_checkpoint,
    remove_stale_temp_files,
    save_checkpoint,
)
from rnnkit.training.optim import LRSchedule, build_optimizer, clip_gradients
from rnnkit.training.signals import StopRequests, TrainingInterrupted
from rnnkit.training.state import TrainResult, TrainState, capture_rng, restore_rng, seed_everything
from rnnkit.training.tasks import Task, detach_state

__all__ = ["EXTRA_CHECKPOINT_KEYS", "Trainer"]

logger = logging.getLogger(__name__)

EXTRA_CHECKPOINT_KEYS = ("kind", "model_config", "vocab", "extra")  # what extra_checkpoint_data may set


class Trainer:
    """Train any ``nn.Module`` on a :class:`~rnnkit.training.tasks.Task`.

    Args:
        model: the model; moved to the device (``config.device``, else CUDA if available, else CPU).
        config: optimiser, schedule, clipping, validation and checkpoint settings.
        task: turns data into batches and batches into a loss (classification, language model).
        callbacks: objects with ``on_*`` hooks (see :mod:`rnnkit.training.callbacks`); a tqdm
            :class:`ProgressBar` is added when ``config.progress`` is true on rank 0.
        checkpoint_path: where to write the last, resumable checkpoint (every ``checkpoint_minutes``,
            every ``checkpoint_every`` steps if set, on SIGINT/SIGTERM and at the end); the best one goes
            beside it (``model.best.pt``). None: no files.
        extra_checkpoint_data: ``kind``, ``model_config``, ``vocab`` and ``extra`` to store in checkpoints
            (``kind`` and ``model_config`` default to ``model.kind`` / ``model.config``).

    Raises:
        ConfigError: config is not a TrainConfig or the device is unavailable.
        InputError: extra_checkpoint_data has unknown keys.
    """

    def __init__(self, model: nn.Module, config: TrainConfig, task: Task, *, callbacks: Iterable[Any] = (),
                 checkpoint_path: str | os.PathLike | None = None,
                 extra_checkpoint_data: dict[str, Any] | None = None) -> None:
        if not isinstance(config, TrainConfig):
            raise ConfigError(f"config must be a TrainConfig, got {type(config).__name__}")
        unknown = sorted(set(extra_checkpoint_data or {}) - set(EXTRA_CHECKPOINT_KEYS))
        if unknown:
            raise InputError(f"extra_checkpoint_data has unknown key(s) {', '.join(unknown)}; "
                             f"allowed: {', '.join(EXTRA_CHECKPOINT_KEYS)}")
        self.config = config
        self.task = task
        self.dist = ddp.dist_info_from_env()
        self.device = ddp.select_device(config.device, self.dist)
        ddp.setup_distributed(self.dist, self.device)
        self.model = model.to(self.device)
        self.train_model = ddp.wrap_ddp(self.model, self.dist, self.device)  # what forward/backward use
        self.optimizer = build_optimizer(self.model.parameters(), config)
        self.schedule = LRSchedule(self.optimizer, config, total_steps=1)
        self.callbacks = list(callbacks)
        if config.progress and self.dist.is_main:
            self.callbacks.append(ProgressBar())
        self.checkpoint_path = Path(checkpoint_path) if checkpoint_path is not None else None
        self.best_checkpoint_path = best_checkpoint_path(self.checkpoint_path) if self.checkpoint_path else None
        self.kind, self.model_config, self._extra = self._checkpoint_identity(extra_checkpoint_data or {})
        self.state = TrainState()
        self._carry: Any = None  # recurrent state carried between language-model batches
        self._best_weights: dict[str, torch.Tensor] | None = None
        self._saved_step = -1
        self._stops = StopRequests()
        self._last_save = time.monotonic()
        self._stop_requested = self._save_due = self._out_of_time = False

    def fit(self, train_data: Any, val_data: Any = None,
            resume_from: str | os.PathLike | None = None) -> TrainResult:
        """Train on ``train_data``, validating on ``val_data``, optionally resuming a checkpoint exactly.

        Under torchrun, a restarted run (``TORCHELASTIC_RESTART_COUNT`` > 0) with no ``resume_from``
        resumes from its own checkpoint, if this run (``TORCHELASTIC_RUN_ID``) wrote one.

        Returns:
            A :class:`TrainResult`; with validation data the model ends with its best weights.

        Raises:
            InputError: the data cannot be used (empty, mismatched, too short ...).
            CheckpointError: ``resume_from`` is unreadable or does not fit this model/optimizer; the
                checkpoint folder cannot be written (checked before the first step).
            TrainingError: the loss or gradient norm became NaN/Inf (nothing broken is saved).
            TrainingInterrupted: SIGINT or SIGTERM arrived; the resumable checkpoint holds every step done.
        """
        cfg, dist = self.config, self.dist
        self._prepare_output()
        resume_from = self._auto_resume(resume_from)
        if cfg.num_threads:
            torch.set_num_threads(cfg.num_threads)
        if self.device.type == "cpu":
            keep_freed_memory()  # ~1.3x on CPU: no fresh pages for every step's buffers (allocator.py)
        seed_everything(cfg.seed + dist.rank)
        shape = {"batch_size": cfg.batch_size, "rank": dist.rank, "world_size": dist.world_size}
        train = self.task.prepare(train_data, name="training data", **shape)
        val = None if val_data is None else self.task.prepare(val_data, name="validation data", **shape)
        val_keys = [] if val is None else self.task.eval_batches(val, seq_len=cfg.seq_len, **shape)
        per_epoch = len(self._epoch_keys(train, 0))
        total = cfg.epochs * per_epoch if not cfg.max_steps else min(cfg.max_steps, cfg.epochs * per_epoch)
        self.state = TrainState(total_steps=total)
        self.schedule = LRSchedule(self.optimizer, cfg, total)
        self._carry, self._best_weights, self._saved_step = None, None, -1
        self._stops, self._stop_requested, self._save_due, self._out_of_time = StopRequests(), False, False, False
        if resume_from is not None:
            self._resume(Path(resume_from))
        self._started = time.perf_counter() - self.state.elapsed
        self._call("on_train_begin")
        try:
            with self._stops:
                self._run(train, val, val_keys)
        except BaseException:
            for callback in self.callbacks:
                if isinstance(callback, ProgressBar):
                    callback.on_train_end(self, self.state)
            raise
        return self._finish()

    def _epoch_keys(self, train: Any, epoch: int) -> list[Any]:
        cfg = self.config
        return self.task.train_batches(train, batch_size=cfg.batch_size, seq_len=cfg.seq_len, epoch=epoch,
                                       seed=cfg.seed, rank=self.dist.rank, world_size=self.dist.world_size)

    def _run(self, train: Any, val: Any, val_keys: list[Any]) -> None:
        cfg, st = self.config, self.state
        st.stop = st.stopped_early or bool(cfg.max_steps and st.step >= cfg.max_steps)
        self._last_save = time.monotonic()
        while st.epoch < cfg.epochs and not st.stop:
            keys = self._epoch_keys(train, st.epoch)
            for key in keys[st.batch_in_epoch:]:
                self._step(train, key)
                if val is not None and cfg.eval_every and st.step % cfg.eval_every == 0:
                    self._validate(val, val_keys)
                if self._save_due or self._stop_requested or (
                        cfg.checkpoint_every and st.step % cfg.checkpoint_every == 0):
                    self._save_last()
                if self._stop_requested:
                    signal_name = self._stops.received or "a signal to another rank"
                    raise TrainingInterrupted(signal_name, st.step, self.checkpoint_path)
                st.stop = st.stop or self._out_of_time or bool(cfg.max_steps and st.step >= cfg.max_steps)
                if st.stop:
                    break
            if st.batch_in_epoch >= len(keys):
                self._end_epoch(val, val_keys)

    def _step(self, train: Any, key: Any) -> None:
        st = self.state
        batch = self.task.make_batch(train, key, self.device)
        self.train_model.train()
        lr = self.schedule.before_step(st.step)
        self.optimizer.zero_grad(set_to_none=True)
        out = self.task.train_step(self.train_model, batch, self._carry)
        loss = self._reduce_loss_and_requests(out.loss)
        where = f"at step {st.step + 1} (epoch {st.epoch + 1})"
        if not math.isfinite(loss):
            raise TrainingError(f"loss became {loss} {where}; lower learning_rate, keep clip='norm' or check "
                                "the data (no checkpoint was written for this step)")
        out.loss.backward()
        grad_norm = clip_gradients(self.model.parameters(), self.config)
        if not math.isfinite(grad_norm):
            raise TrainingError(f"gradient norm became {grad_norm} {where}; lower learning_rate or check the data")
        self.optimizer.step()
        self._carry = detach_state(out.state)
        st.step += 1
        st.batch_in_epoch += 1
        st.tokens += out.tokens * self.dist.world_size
        st.elapsed = time.perf_counter() - self._started
        metric = self.task.step_metric(loss, out)
        st.last = {"step": st.step, "loss": loss, "grad_norm": grad_norm, "lr": lr, "metric": metric}
        for name in ("loss", "grad_norm", "lr"):
            st.history[name].append(st.last[name])
        self._call("on_step_end")

    def _reduce_loss_and_requests(self, loss: torch.Tensor) -> float:
        """The mean loss over ranks; also sets ``_stop_requested`` / ``_save_due`` / ``_out_of_time`` if any rank
        asks (one all-reduce), so every rank saves and stops at the same step."""
        cfg = self.config
        minutes = cfg.checkpoint_minutes
        due = self.checkpoint_path is not None and minutes > 0 and time.monotonic() - self._last_save >= 60 * minutes
        late = cfg.max_minutes > 0 and time.perf_counter() - self._started >= 60 * cfg.max_minutes  # last step
        requests = torch.tensor([self._stops.received is not None, due, late], dtype=torch.float64, device=loss.device)
        sums = ddp.all_reduce_sum(torch.cat([loss.detach().double().reshape(1), requests]), self.dist).tolist()
        self._stop_requested, self._save_due, self._out_of_time = sums[1] > 0, sums[2] > 0, sums[3] > 0
        return sums[0] / self.dist.world_size

    def _end_epoch(self, val: Any, val_keys: list[Any]) -> None:
        st = self.state
        if val is not None and not self.config.eval_every:
            self._validate(val, val_keys)
        st.epoch += 1
        st.batch_in_epoch = 0
        self._carry = None  # each epoch reads the stream from its start
        self.schedule.after_epoch(st.epoch)
        self._call("on_epoch_end")

    def _validate(self, val: Any, val_keys: list[Any]) -> None:
        st, task = self.state, self.task
        self.model.eval()  # the bare module: DDP's forward would sync buffers across uneven shares
        sums = task.eval_sums(self.model, val, val_keys, self.device)
        metrics = task.metrics(ddp.all_reduce_sum(sums.to(self.device), self.dist).cpu())
        self.model.train()
        value = metrics[task.metric_name]
        improved = st.best_metric is None or (
            value > st.best_metric if task.higher_is_better else value < st.best_metric)
        st.history["validation"].append({"step": st.step, "epoch": st.epoch, **metrics, "lr": self.schedule.lr})
        if improved:
            st.best_metric, st.best_step, st.bad_validations = value, st.step, 0
            self._best_weights = cpu_copy(self.model.state_dict())
            if self.best_checkpoint_path is not None and self.dist.is_main:
                save_checkpoint(self.best_checkpoint_path, self._payload(self._best_weights, None))
        else:
            st.bad_validations += 1
        self.schedule.after_validation(improved)
        if self.config.patience and st.bad_validations >= self.config.patience:
            logger.info("early stopping at step %d: no better %s in %d validations",
                        st.step, task.metric_name, st.bad_validations)
            st.stop = st.stopped_early = True
        self._call("on_validation_end")

    def _finish(self) -> TrainResult:
        st = self.state
        if self.checkpoint_path is not None and self._saved_step != st.step:
            self._save_last()
        if self._best_weights is not None:
            self.model.load_state_dict(self._best_weights)
        self._call("on_train_end")
        wrote = self.checkpoint_path is not None and self.dist.is_main
        has_best = wrote and st.best_step is not None
        return TrainResult(
            steps=st.step, epochs=st.epoch, history=st.history, metric_name=self.task.metric_name,
            best_metric=st.best_metric, best_step=st.best_step, stopped_early=st.stopped_early,
            elapsed=st.elapsed, tokens_per_sec=st.tokens_per_sec,
            checkpoint_path=self.checkpoint_path if wrote else None,
            best_checkpoint_path=self.best_checkpoint_path if has_best else None,
        )

    # checkpoints -------------------------------------------------------------------------------

    def _checkpoint_identity(self, extra: dict[str, Any]) -> tuple[str, dict, dict]:
        kind = extra.get("kind") or getattr(self.model, "kind", None) or self.task.kind
        config = extra.get("model_config")
        if config is None:
            model_config = getattr(self.model, "config", None)
            is_config = dataclasses.is_dataclass(model_config) and not isinstance(model_config, type)
            config = dataclasses.asdict(model_config) if is_config else {}
        return str(kind), dict(config), {"vocab": extra.get("vocab"), "extra": extra.get("extra")}

    def _payload(self, state_dict: dict[str, torch.Tensor], trainer_state: dict | None) -> dict[str, Any]:
        st = self.state
        metrics = {"step": st.step, "epoch": st.epoch, "train_loss": st.last.get("loss"),
                   "metric_name": self.task.metric_name, "best_metric": st.best_metric, "best_step": st.best_step}
        if st.history["validation"]:
            last_val = st.history["validation"][-1]
            metrics.update({f"val_{k}": v for k, v in last_val.items() if k not in ("step", "epoch")})
        return build_checkpoint(self.kind, state_dict, model_config=self.model_config, vocab=self._extra["vocab"],
                                train_config=dataclasses.asdict(self.config), metrics=metrics,
                                trainer_state=trainer_state, extra=self._extra["extra"])

    def _prepare_output(self) -> None:
        """Before any work: the checkpoint folder must be writable; killed writes' temp files go (rank 0)."""
        if self.checkpoint_path is None or not self.dist.is_main:
            return
        check_writable(self.checkpoint_path)
        for path in (self.checkpoint_path, self.best_checkpoint_path):
            for tmp in remove_stale_temp_files(path):
                logger.info("removed %s, left by an interrupted checkpoint write", tmp)

    def _auto_resume(self, resume_from: str | os.PathLike | None) -> str | os.PathLike | None:
        """Under a torchrun restart, this run's own last checkpoint (if it wrote one); else ``resume_from``."""
        path = self.checkpoint_path
        if resume_from is not None or path is None or ddp.restart_count() == 0 or not path.is_file():
            return resume_from
        trainer_state = load_checkpoint(path, kind=self.kind)["trainer_state"] or {}
        if trainer_state.get("run_id") != ddp.run_id():
            logger.warning("torchrun restart: %s was written by another run; starting from step 0", path)
            return None
        logger.warning("torchrun restart %d: resuming from %s", ddp.restart_count(), path)
        return path

    def _save_last(self) -> None:
        """Write the resumable checkpoint (rank 0); every rank contributes its RNG and carried state."""
        if self.checkpoint_path is None:
            return
        carry = _to_cpu(detach_state(self._carry))
        ranks = ddp.all_gather_objects({"rng": capture_rng(), "carry": carry}, self.dist)
        self._saved_step = self.state.step
        self._last_save = time.monotonic()
        self._save_due = False
        if not self.dist.is_main:
            return
        trainer_state = self.state.to_dict() | {
            "optimizer": self.optimizer.state_dict(), "schedule": self.schedule.state_dict(),
            "ranks": ranks, "world_size": self.dist.world_size, "run_id": ddp.run_id(),
            "best_path": str(self.best_checkpoint_path) if self.best_checkpoint_path else None,
        }
        save_checkpoint(self.checkpoint_path, self._payload(self.model.state_dict(), trainer_state))
        logger.debug("wrote checkpoint %s at step %d", self.checkpoint_path, self.state.step)

    def _resume(self, path: Path) -> None:
        payload = load_checkpoint(path, kind=self.kind)
        ts = payload["trainer_state"]
        if ts is None:
            raise CheckpointError(f"checkpoint {path} holds no trainer state (a best-model file?); "
                                  "resume from the last checkpoint instead")
        try:
            self.model.load_state_dict(payload["state_dict"])
            self.optimizer.load_state_dict(ts["optimizer"])
            self.schedule.load_state_dict(ts["schedule"])
            self.state.load_dict({k: ts[k] for k in self.state.to_dict()})
            ranks = ts["ranks"]
        except (KeyError, RuntimeError, ValueError, TypeError) as err:
            raise CheckpointError(f"checkpoint {path} does not fit this model or optimizer: "
                                  f"{first_line(err)}") from err
        if len(ranks) == self.dist.world_size:
            restore_rng(ranks[self.dist.rank]["rng"])
            self._carry = _to_device(ranks[self.dist.rank]["carry"], self.device)
        else:
            logger.warning("resuming %s written by %d rank(s) on %d: random streams are reseeded",
                           path, len(ranks), self.dist.world_size)
        self._load_best(ts.get("best_path"))
        logger.info("resumed %s at step %d (epoch %d, batch %d)", path, self.state.step,
                    self.state.epoch, self.state.batch_in_epoch)

    def _load_best(self, best_path: str | None) -> None:
        """Reload the best weights so far from the best checkpoint, if it matches this run's best step."""
        if not best_path or self.state.best_step is None or not Path(best_path).is_file():
            return
        best = load_checkpoint(best_path, kind=self.kind)
        if best["metrics"].get("step") == self.state.best_step:
            self._best_weights = best["state_dict"]

    def _call(self, hook: str) -> None:
        for callback in self.callbacks:
            method = getattr(callback, hook, None)
            if method is not None:
                method(self, self.state)


def _to_cpu(state: Any) -> Any:
    if state is None or isinstance(state, torch.Tensor):
        return None if state is None else state.to("cpu", copy=True)
    return tuple(_to_cpu(s) for s in state)


def _to_device(state: Any, device: torch.device) -> Any:
    if state is None or isinstance(state, torch.Tensor):
        return None if state is None else state.to(device)
    return tuple(_to_device(s, device) for s in state)
