"""What a training run knows about itself (:class:`TrainState`), what it returns (:class:`TrainResult`),
and the random-number-generator snapshots that make resuming exact."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

__all__ = ["TrainResult", "TrainState", "capture_rng", "restore_rng", "seed_everything"]


def _empty_history() -> dict[str, list]:
    return {"loss": [], "grad_norm": [], "lr": [], "validation": []}


@dataclass
class TrainState:
    """The live state of a run, handed to callbacks; its plain fields go into checkpoints."""

    step: int = 0  # optimiser steps done
    epoch: int = 0  # epochs completed (also the index of the current epoch)
    batch_in_epoch: int = 0  # batches of the current epoch already trained (resume skips them)
    total_steps: int = 0  # steps this run will take unless it stops early
    best_metric: float | None = None  # best validation metric so far
    best_step: int | None = None  # step at which best_metric was reached
    bad_validations: int = 0  # validations in a row without improvement (early stopping)
    stopped_early: bool = False  # patience ran out
    tokens: int = 0  # input tokens trained on, all ranks together
    elapsed: float = 0.0  # seconds of training, across resumes
    stop: bool = False  # set by early stopping, max_steps or a callback to end training
    last: dict[str, float] = field(default_factory=dict)  # this step's step, loss, grad_norm, lr, metric
    history: dict[str, list] = field(default_factory=_empty_history)  # per-step lists; "validation" records

    @property
    def tokens_per_sec(self) -> float:
        return self.tokens / self.elapsed if self.elapsed > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """The resumable fields as plain data."""
        keys = ("step", "epoch", "batch_in_epoch", "best_metric", "best_step", "bad_validations",
                "stopped_early", "tokens", "elapsed")
        return {key: getattr(self, key) for key in keys} | {"history": self.history}

    def load_dict(self, data: dict[str, Any]) -> None:
        for key, value in data.items():
            if key != "history":
                setattr(self, key, value)
        self.history = {key: list(values) for key, values in data["history"].items()}


@dataclass
class TrainResult:
    """What :meth:`Trainer.fit` returns."""

    steps: int  # optimiser steps done in total (resumed runs included)
    epochs: int  # epochs completed
    history: dict[str, list]  # "loss", "grad_norm" (before clipping), "lr": one per step; "validation": dicts
    metric_name: str  # "accuracy" or "perplexity"
    best_metric: float | None  # best validation metric; None without validation data
    best_step: int | None  # step of best_metric; the model holds that step's weights after fit
    stopped_early: bool  # patience ran out
    elapsed: float  # seconds of training
    tokens_per_sec: float  # training throughput, all ranks together
    checkpoint_path: Path | None  # last (resumable) checkpoint, if one was written
    best_checkpoint_path: Path | None  # best-validation checkpoint, if one was written


def seed_everything(seed: int) -> None:
    """Seed python's ``random``, numpy's global generator and torch (CPU and CUDA)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def capture_rng() -> dict[str, Any]:
    """Snapshot every generator training draws from, as plain data (tuples, ints, tensors)."""
    _, keys, pos, has_gauss, cached = np.random.get_state()
    return {
        "python": random.getstate(),
        "numpy": {"keys": torch.from_numpy(keys.astype(np.int64)), "pos": int(pos),
                  "has_gauss": int(has_gauss), "cached_gaussian": float(cached)},
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
    }


def restore_rng(state: dict[str, Any]) -> None:
    """Put back the generators saved by :func:`capture_rng`."""
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    np_state = state["numpy"]
    np.random.set_state(("MT19937", np_state["keys"].numpy().astype(np.uint32), np_state["pos"],
                         np_state["has_gauss"], np_state["cached_gaussian"]))
    torch.set_rng_state(state["torch"])
    if state["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
