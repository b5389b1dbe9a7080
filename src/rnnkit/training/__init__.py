"""Model-agnostic training: the :class:`Trainer`, tasks, callbacks, checkpoints and DDP helpers."""

from rnnkit.training.callbacks import Callback, ProgressBar
from rnnkit.training.checkpoint import (
    CHECKPOINT_FORMAT,
    CHECKPOINT_VERSION,
    best_checkpoint_path,
    build_checkpoint,
    load_checkpoint,
    save_checkpoint,
)
from rnnkit.training.distributed import DistInfo, dist_info_from_env, select_device
from rnnkit.training.loop import Trainer
from rnnkit.training.state import TrainResult, TrainState
from rnnkit.training.tasks import ClassificationTask, LanguageModelTask, StepOutput, Task, batchify, detach_state

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
    "batchify",
    "best_checkpoint_path",
    "build_checkpoint",
    "detach_state",
    "dist_info_from_env",
    "load_checkpoint",
    "save_checkpoint",
    "select_device",
]
