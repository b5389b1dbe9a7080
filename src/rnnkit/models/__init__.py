"""rnnkit.models: one module per RNN shape, all built from a ModelConfig.

many-to-one :class:`Classifier`, many-to-many :class:`LanguageModel`, one-to-many :class:`Generator`,
encoder-decoder :class:`Seq2Seq`, one-to-one :class:`FeedForward`; the count-based peer
:class:`KneserNeyLM`; :func:`build_model` by kind name.
"""

from rnnkit.models.classifier import Classifier
from rnnkit.models.feedforward import FeedForward
from rnnkit.models.generator import Generator
from rnnkit.models.language_model import LanguageModel, detach_state
from rnnkit.models.ngram import KneserNeyLM
from rnnkit.models.registry import MODEL_KINDS, build_model, model_kind
from rnnkit.models.seq2seq import Seq2Seq

__all__ = [
    "MODEL_KINDS",
    "Classifier",
    "FeedForward",
    "KneserNeyLM",
    "Generator",
    "LanguageModel",
    "Seq2Seq",
    "build_model",
    "detach_state",
    "model_kind",
]
