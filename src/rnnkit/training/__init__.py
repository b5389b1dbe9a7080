"""Model-agnostic training: the :class:`Trainer`, tasks, callbacks, checkpoints and DDP helpers.

Each name is imported from its module on first use (PEP 562 ``__getattr__``, as in :mod:`rnnkit`), so
a torch-free module such as :mod:`rnnkit.training.files` loads without torch: the CLI checks that
``--out`` can be written before importing it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rnnkit._lazy import lazy_attributes as _lazy_attributes

if TYPE_CHECKING:
    from rnnkit.errors import TrainingInterrupted
    from rnnkit.training.bounds import build_checked_model
    from rnnkit.training.callbacks import Callback, ProgressBar
    from rnnkit.training.checkpoint import (
        CHECKPOINT_FORMAT,
        CHECKPOINT_VERSION,
        best_checkpoint_path,
        build_checkpoint,
        bundled_or_given,
        load_checkpoint,
        load_product,
        save_checkpoint,
    )
    from rnnkit.training.distributed import DistInfo, dist_info_from_env, select_device
    from rnnkit.training.files import check_writable
    from rnnkit.training.loop import Trainer
    from rnnkit.training.state import TrainResult, TrainState
    from rnnkit.training.tasks import ClassificationTask, LanguageModelTask, StepOutput, Task, batchify, detach_state

# public name -> the module that defines it
_EXPORTS = {
    "CHECKPOINT_FORMAT": "rnnkit.training.checkpoint",
    "CHECKPOINT_VERSION": "rnnkit.training.checkpoint",
    "Callback": "rnnkit.training.callbacks",
    "ClassificationTask": "rnnkit.training.tasks",
    "DistInfo": "rnnkit.training.distributed",
    "LanguageModelTask": "rnnkit.training.tasks",
    "ProgressBar": "rnnkit.training.callbacks",
    "StepOutput": "rnnkit.training.tasks",
    "Task": "rnnkit.training.tasks",
    "TrainResult": "rnnkit.training.state",
    "TrainState": "rnnkit.training.state",
    "Trainer": "rnnkit.training.loop",
    "TrainingInterrupted": "rnnkit.errors",
    "batchify": "rnnkit.training.tasks",
    "best_checkpoint_path": "rnnkit.training.checkpoint",
    "build_checked_model": "rnnkit.training.bounds",
    "build_checkpoint": "rnnkit.training.checkpoint",
    "bundled_or_given": "rnnkit.training.checkpoint",
    "check_writable": "rnnkit.training.files",
    "detach_state": "rnnkit.training.tasks",
    "dist_info_from_env": "rnnkit.training.distributed",
    "load_checkpoint": "rnnkit.training.checkpoint",
    "load_product": "rnnkit.training.checkpoint",
    "save_checkpoint": "rnnkit.training.checkpoint",
    "select_device": "rnnkit.training.distributed",
}

__all__ = [
    "CHECKPOINT_FORMAT",
    "CHECKPOINT_VERSION",
    "Callback",
    "ClassificationTask",
    "DistInfo",
    "LanguageModelTask",
    "ProgressBar",
    "StepOutput",
    "Task",
    "TrainResult",
    "TrainState",
    "Trainer",
    "TrainingInterrupted",
    "batchify",
    "best_checkpoint_path",
    "build_checked_model",
    "build_checkpoint",
    "bundled_or_given",
    "check_writable",
    "detach_state",
    "dist_info_from_env",
    "load_checkpoint",
    "load_product",
    "save_checkpoint",
    "select_device",
]


__getattr__, __dir__ = _lazy_attributes("rnnkit.training", _EXPORTS, globals(), __all__)
