"""rnnkit: recurrent neural networks on text."""

from rnnkit.errors import CheckpointError, ConfigError, InputError, NotTrainedError, RnnkitError, TrainingError

__version__ = "0.1.0"

__all__ = [
    "CheckpointError",
    "ConfigError",
    "InputError",
    "NotTrainedError",
    "RnnkitError",
    "TrainingError",
    "__version__",
]
