"""The learned sentiment model's configuration: vocabulary, model shape and training recipe.

No torch here: the CLI builds the flags of ``rnnkit train sentiment`` from these fields (their
``help`` metadata), so ``--help`` stays fast, and each default lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from rnnkit.apps.sentiment.labels import FINE_LABELS
from rnnkit.config import (
    CELL_TYPES,
    ModelConfig,
    TrainConfig,
    check_bool,
    check_choice,
    check_int,
    check_number,
)
from rnnkit.config import config_field as _opt  # default + CLI help in one place
from rnnkit.errors import ConfigError

__all__ = ["BACKENDS", "CHECKPOINT_KIND", "SentimentConfig"]

BACKENDS = ("lexicon", "model")  # SentimentAnalyzer.load(backend=...): VADER's rule, or a learned model file
CHECKPOINT_KIND = "sentiment"  # the kind recorded in (and required of) a learned model's checkpoint file


@dataclass(frozen=True)
class SentimentConfig:
    """Vocabulary, model shape and training recipe of a learned sentiment model.

    Raises:
        ConfigError: a field has the wrong type or is out of range (the message names it).
    """

    cell: str = _opt("lstm", "recurrent cell", CELL_TYPES)
    bidirectional: bool = _opt(True, "read each text both ways")
    embedding_dim: int = _opt(200, "learned word vector size (the lexicon adds 5 more)")
    hidden_size: int = _opt(150, "recurrent state per direction")
    num_layers: int = _opt(1, "stacked recurrent layers")
    dropout: float = _opt(0.5, "on word vectors and before the output layer")
    word_dropout: float = _opt(0.2, "chance of hiding a token's learned vector (not its lexicon vector) in training")
    min_freq: int = _opt(1, "keep training words seen at least this often (lexicon words are always kept)")
    rule_tokens: bool = _opt(False, "read VADER's compound for the whole text as a first token (xxvader-4..+4)")
    negation_window: int = _opt(0, "tokens after a negation (not, n't, never ...) marked as negated, with their "
                                   "valence, as two more features; 0 = off")
    epochs: int = _opt(4, "passes over the training data")
    batch_size: int = _opt(64, "texts per step (length-bucketed)")
    learning_rate: float = _opt(2e-3, "AdamW step size")
    weight_decay: float = _opt(0.0, "AdamW decoupled weight decay")
    clip_norm: float = _opt(5.0, "max gradient norm")
    seed: int = _opt(0, "same seed, same model")
    progress: bool = _opt(True, "progress bar on stderr")
    num_threads: int = _opt(0, "torch CPU threads; 0 leaves torch's default")
    checkpoint_minutes: float = _opt(5.0, "write the resumable checkpoint every this many minutes; 0 = off")

    def __post_init__(self) -> None:
        check_choice("cell", self.cell, CELL_TYPES)
        check_bool("bidirectional", self.bidirectional)
        check_bool("progress", self.progress)
        check_bool("rule_tokens", self.rule_tokens)
        for name in ("embedding_dim", "hidden_size", "num_layers", "min_freq", "epochs", "batch_size"):
            check_int(name, getattr(self, name), 1)
        for name in ("seed", "num_threads"):
            check_int(name, getattr(self, name), 0)
        check_int("negation_window", self.negation_window, 0, 10)
        for name in ("dropout", "word_dropout"):
            check_number(name, getattr(self, name), 0.0, 1.0)
            if getattr(self, name) >= 1.0:
                raise ConfigError(f"{name} must be below 1.0, got {getattr(self, name)!r}")
        check_number("learning_rate", self.learning_rate, 0.0, low_inclusive=False)
        check_number("weight_decay", self.weight_decay, 0.0)
        check_number("checkpoint_minutes", self.checkpoint_minutes, 0.0)
        check_number("clip_norm", self.clip_norm, 0.0, low_inclusive=False)

    def model_config(self, vocab_size: int) -> ModelConfig:
        """The :class:`~rnnkit.config.ModelConfig` of a five-class model over ``vocab_size`` ids."""
        return ModelConfig(vocab_size=vocab_size, cell=self.cell, embedding_dim=self.embedding_dim,
                           hidden_size=self.hidden_size, num_layers=self.num_layers, dropout=self.dropout,
                           bidirectional=self.bidirectional, num_classes=len(FINE_LABELS))

    def train_config(self) -> TrainConfig:
        """The :class:`~rnnkit.config.TrainConfig` for the :class:`~rnnkit.training.Trainer` (AdamW, cosine)."""
        return TrainConfig(epochs=self.epochs, batch_size=self.batch_size, optimizer="adamw",
                           learning_rate=self.learning_rate, weight_decay=self.weight_decay, clip_norm=self.clip_norm,
                           lr_schedule="cosine", seed=self.seed, progress=self.progress, num_threads=self.num_threads,
                           checkpoint_minutes=self.checkpoint_minutes)
