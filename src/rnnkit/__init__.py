"""rnnkit: recurrent neural networks on text.

Text preparation (:class:`Tokenizer`, :class:`Vocabulary`, :func:`one_hot`, Keras-compatible
:func:`pad_sequences`, :func:`bucket_batches`), recurrent layers (:class:`Recurrent` and the
transparent cells), the model shapes, the :class:`Trainer`, and the products
(:class:`NextWordPredictor`, :class:`SentimentAnalyzer`). Deeper modules hold more; this is the
supported surface.

Each name is imported from its module on first use (PEP 562 ``__getattr__``), so ``import rnnkit``
and ``rnnkit --help`` do not load torch; ``from rnnkit import Trainer`` works as usual. The imports
under ``TYPE_CHECKING`` are the same list for type checkers and readers; a test keeps the two equal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rnnkit._lazy import lazy_attributes as _lazy_attributes
from rnnkit._version import __version__

if TYPE_CHECKING:
    from rnnkit.apps.generator.config import GeneratorConfig
    from rnnkit.apps.generator.generator import CharGenerator
    from rnnkit.apps.nextword.config import NextWordConfig
    from rnnkit.apps.nextword.evaluate import evaluate_nextword
    from rnnkit.apps.nextword.predictor import NextWordPredictor
    from rnnkit.apps.sentiment.analyzer import SentimentAnalyzer, review_rating
    from rnnkit.apps.sentiment.config import SentimentConfig
    from rnnkit.apps.tagger.config import TaggerConfig
    from rnnkit.apps.tagger.evaluate import evaluate_tagger
    from rnnkit.apps.tagger.tagger import Tagger
    from rnnkit.apps.translator.config import TranslatorConfig
    from rnnkit.apps.translator.evaluate import evaluate_translator
    from rnnkit.apps.translator.translator import Translator
    from rnnkit.config import ModelConfig, TrainConfig
    from rnnkit.errors import (
        CheckpointError,
        ConfigError,
        InputError,
        NotTrainedError,
        RnnkitError,
        StoppedError,
        TrainingError,
        TrainingInterrupted,
    )
    from rnnkit.export import ExportResult, OnnxNextWord, OnnxSentiment, OnnxTagger, export_model, load_torchscript
    from rnnkit.models import Classifier, FeedForward, Generator, KneserNeyLM, LanguageModel, Seq2Seq, build_model
    from rnnkit.nn import GRUCell, LSTMCell, Recurrent, RNNCell
    from rnnkit.nn.workers import WorkerPool
    from rnnkit.text import Tokenizer, Vocabulary, bucket_batches, one_hot, pad_sequences, pad_sequences_with_lengths
    from rnnkit.training import ClassificationTask, LanguageModelTask, Trainer, load_checkpoint, save_checkpoint

# public name -> the module that defines it
_EXPORTS = {
    "CharGenerator": "rnnkit.apps.generator.generator",
    "CheckpointError": "rnnkit.errors",
    "ClassificationTask": "rnnkit.training",
    "Classifier": "rnnkit.models",
    "ConfigError": "rnnkit.errors",
    "ExportResult": "rnnkit.export",
    "FeedForward": "rnnkit.models",
    "GRUCell": "rnnkit.nn",
    "Generator": "rnnkit.models",
    "GeneratorConfig": "rnnkit.apps.generator.config",
    "InputError": "rnnkit.errors",
    "KneserNeyLM": "rnnkit.models",
    "LSTMCell": "rnnkit.nn",
    "LanguageModel": "rnnkit.models",
    "LanguageModelTask": "rnnkit.training",
    "ModelConfig": "rnnkit.config",
    "NextWordConfig": "rnnkit.apps.nextword.config",
    "NextWordPredictor": "rnnkit.apps.nextword.predictor",
    "NotTrainedError": "rnnkit.errors",
    "OnnxNextWord": "rnnkit.export",
    "OnnxSentiment": "rnnkit.export",
    "OnnxTagger": "rnnkit.export",
    "RNNCell": "rnnkit.nn",
    "Recurrent": "rnnkit.nn",
    "RnnkitError": "rnnkit.errors",
    "SentimentAnalyzer": "rnnkit.apps.sentiment.analyzer",
    "SentimentConfig": "rnnkit.apps.sentiment.config",
    "Seq2Seq": "rnnkit.models",
    "StoppedError": "rnnkit.errors",
    "Tagger": "rnnkit.apps.tagger.tagger",
    "TaggerConfig": "rnnkit.apps.tagger.config",
    "Tokenizer": "rnnkit.text",
    "TrainConfig": "rnnkit.config",
    "Trainer": "rnnkit.training",
    "TrainingError": "rnnkit.errors",
    "TrainingInterrupted": "rnnkit.errors",
    "Translator": "rnnkit.apps.translator.translator",
    "TranslatorConfig": "rnnkit.apps.translator.config",
    "Vocabulary": "rnnkit.text",
    "WorkerPool": "rnnkit.nn.workers",
    "bucket_batches": "rnnkit.text",
    "build_model": "rnnkit.models",
    "evaluate_nextword": "rnnkit.apps.nextword.evaluate",
    "evaluate_tagger": "rnnkit.apps.tagger.evaluate",
    "evaluate_translator": "rnnkit.apps.translator.evaluate",
    "export_model": "rnnkit.export",
    "load_checkpoint": "rnnkit.training",
    "load_torchscript": "rnnkit.export",
    "one_hot": "rnnkit.text",
    "pad_sequences": "rnnkit.text",
    "pad_sequences_with_lengths": "rnnkit.text",
    "review_rating": "rnnkit.apps.sentiment.analyzer",
    "save_checkpoint": "rnnkit.training",
}

__all__ = [
    "CharGenerator",
    "CheckpointError",
    "ClassificationTask",
    "Classifier",
    "ConfigError",
    "ExportResult",
    "FeedForward",
    "GRUCell",
    "Generator",
    "GeneratorConfig",
    "InputError",
    "KneserNeyLM",
    "LSTMCell",
    "LanguageModel",
    "LanguageModelTask",
    "ModelConfig",
    "NextWordConfig",
    "NextWordPredictor",
    "NotTrainedError",
    "OnnxNextWord",
    "OnnxSentiment",
    "OnnxTagger",
    "RNNCell",
    "Recurrent",
    "RnnkitError",
    "SentimentAnalyzer",
    "SentimentConfig",
    "Seq2Seq",
    "StoppedError",
    "Tagger",
    "TaggerConfig",
    "Tokenizer",
    "TrainConfig",
    "Trainer",
    "TrainingError",
    "TrainingInterrupted",
    "Translator",
    "TranslatorConfig",
    "Vocabulary",
    "WorkerPool",
    "__version__",
    "bucket_batches",
    "build_model",
    "evaluate_nextword",
    "evaluate_tagger",
    "evaluate_translator",
    "export_model",
    "load_checkpoint",
    "load_torchscript",
    "one_hot",
    "pad_sequences",
    "pad_sequences_with_lengths",
    "review_rating",
    "save_checkpoint",
]


__getattr__, __dir__ = _lazy_attributes("rnnkit", _EXPORTS, globals(), __all__)
