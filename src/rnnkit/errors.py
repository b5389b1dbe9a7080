"""Errors raised by rnnkit.

Every error rnnkit raises on purpose is an ``RnnkitError``; each subclass also
extends the built-in exception a caller would naturally catch::

    RnnkitError(Exception)
    ├── ConfigError(RnnkitError, ValueError)       a config field has a bad value
    ├── InputError(RnnkitError, ValueError)        bad data passed to a function
    ├── CheckpointError(RnnkitError, ValueError)   missing, truncated or foreign checkpoint
    ├── NotTrainedError(RnnkitError, RuntimeError) a model used before it was trained/loaded
    ├── TrainingError(RnnkitError, RuntimeError)   training cannot go on (e.g. loss is NaN)
    └── StoppedError(RnnkitError, RuntimeError)    work stopped on request (``should_stop`` said so)

Messages are one sentence naming the bad value and, where it helps, what to do.
"""

from __future__ import annotations

__all__ = [
    "CheckpointError",
    "ConfigError",
    "InputError",
    "NotTrainedError",
    "RnnkitError",
    "StoppedError",
    "TrainingError",
]


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
