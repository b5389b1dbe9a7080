"""rnnkit: recurrent neural networks on text.

Text preparation (:class:`Tokenizer`, :class:`Vocabulary`, :func:`one_hot`, Keras-compatible
:func:`pad_sequences`, :func:`bucket_batches`), recurrent layers (:class:`Recurrent` and the
transparent cells), the model shapes, and the :class:`Trainer`. Deeper modules hold more; this is
the supported surface.
"""

from rnnkit.apps.nextword.config import NextWordConfig
from rnnkit.apps.nextword.evaluate import evaluate_nextword
from rnnkit.apps.nextword.predictor import NextWordPredictor
from rnnkit.apps.sentiment.analyzer import SentimentAnalyzer, review_rating
from rnnkit.config import ModelConfig, TrainConfig
from rnnkit.errors import CheckpointError, ConfigError, InputError, NotTrainedError, RnnkitError, TrainingError
from rnnkit.models import Classifier, FeedForward, Generator, KneserNeyLM, LanguageModel, Seq2Seq, build_model
from rnnkit.nn import GRUCell, LSTMCell, Recurrent, RNNCell
from rnnkit.text import (
    Tokenizer,
    Vocabulary,
    bucket_batches,
    one_hot,
    pad_sequences,
    pad_sequences_with_lengths,
)
from rnnkit.training import ClassificationTask, LanguageModelTask, Trainer, load_checkpoint, save_checkpoint

__version__ = "0.1.0"

__all__ = [
    "CheckpointError",
    "ClassificationTask",
    "Classifier",
    "ConfigError",
    "FeedForward",
    "GRUCell",
    "Generator",
    "InputError",
    "KneserNeyLM",
    "LSTMCell",
    "LanguageModel",
    "LanguageModelTask",
    "ModelConfig",
    "NextWordConfig",
    "NextWordPredictor",
    "NotTrainedError",
    "RNNCell",
    "Recurrent",
    "RnnkitError",
    "SentimentAnalyzer",
    "Seq2Seq",
    "Tokenizer",
    "TrainConfig",
    "Trainer",
    "TrainingError",
    "Vocabulary",
    "__version__",
    "bucket_batches",
    "build_model",
    "evaluate_nextword",
    "load_checkpoint",
    "one_hot",
    "pad_sequences",
    "pad_sequences_with_lengths",
    "review_rating",
    "save_checkpoint",
]
