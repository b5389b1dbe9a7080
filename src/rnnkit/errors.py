"""Errors raised by rnnkit.

Every error rnnkit raises on purpose is an ``RnnkitError``; each subclass also
extends the built-in exception a caller would naturally catch::

    RnnkitError(Exception)
    ├── ConfigError(RnnkitError, ValueError)       a config field has a bad value
    ├── InputError(RnnkitError, ValueError)        bad data passed to a function
    ├── CheckpointError(RnnkitError, ValueError)   missing, truncated or foreign checkpoint
    ├── NotTrainedError(RnnkitError, RuntimeError) a model used before it was trained/loaded
    ├── TrainingError(RnnkitError, RuntimeError)   training cannot go on (e.g. loss is NaN)
    │   └── TrainingInterrupted(TrainingError)     SIGINT/SIGTERM stopped it after a resumable checkpoint
    └── StoppedError(RnnkitError, RuntimeError)    work stopped on request (``should_stop`` said so)

Messages are one sentence naming the bad value and, where it helps, what to do.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "CheckpointError",
    "ConfigError",
    "InputError",
    "NotTrainedError",
    "RnnkitError",
    "StoppedError",
    "TrainingError",
    "TrainingInterrupted",
    "error_line",
    "first_line",
]


def first_line(err: BaseException, limit: int = 200) -> str:
    """The first line of ``err``'s message, at most ``limit`` characters (its type's name when it has none).

    What an error becomes when it is quoted inside a one-line rnnkit message.
    """
    text = str(err).strip().splitlines()
    return (text[0] if text else type(err).__name__)[:limit]


def error_line(err: BaseException) -> str:
    """What rnnkit says of an error that ends a command, after ``rnnkit: ``, in one line.

    ``error: <message>`` for an :class:`RnnkitError` (bad input, a bad file: the user's to fix), and
    ``internal error: <type>: <first line> (please report it; ...)`` for anything else (a bug). The
    CLI's ``main`` and a ``rnnkit serve --workers`` process that cannot start both print it.
    """
    if isinstance(err, RnnkitError):
        return f"error: {err}"
    return (f"internal error: {type(err).__name__}: {first_line(err)} "
            "(please report it; RNNKIT_TRACEBACK=1 shows where)")


class RnnkitError(Exception):
    """Base class of every error rnnkit raises on purpose."""


class ConfigError(RnnkitError, ValueError):
    """A configuration value is out of range or of the wrong type."""


class InputError(RnnkitError, ValueError):
    """Input data (text, ids, arrays, files) cannot be used as given."""


class CheckpointError(RnnkitError, ValueError):
    """A checkpoint file is missing, truncated, corrupt or not an rnnkit checkpoint."""


class NotTrainedError(RnnkitError, RuntimeError):
    """A model was used before it was trained or loaded."""


class TrainingError(RnnkitError, RuntimeError):
    """Training cannot continue, e.g. the loss became NaN or infinite."""


class StoppedError(RnnkitError, RuntimeError):
    """Long work (generation, a batch) stopped between steps because its ``should_stop`` returned True."""


class TrainingInterrupted(TrainingError):
    """Training stopped on a signal after writing its resumable checkpoint.

    Attributes:
        signal_name: "SIGINT" or "SIGTERM".
        step: optimiser steps done (all in the checkpoint).
        checkpoint_path: the resumable checkpoint, or None when the Trainer had none to write.
    """

    def __init__(self, signal_name: str, step: int, checkpoint_path: Path | None) -> None:
        self.signal_name, self.step, self.checkpoint_path = signal_name, step, checkpoint_path
        if checkpoint_path is None:
            where = "no checkpoint was written (the Trainer has no checkpoint_path)"
        else:
            where = f"checkpoint {checkpoint_path} holds it; go on with resume_from={str(checkpoint_path)!r}"
        super().__init__(f"training stopped by {signal_name} after step {step}: {where}")
