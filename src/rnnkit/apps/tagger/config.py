"""The part-of-speech tagger's configuration: vocabulary, model shape and training recipe.

No torch here: the CLI builds the flags of ``rnnkit train tagger`` from these fields (their ``help``
metadata), so ``--help`` stays fast and each default lives in one place. The defaults are the
recipe of the bundled model (see ``src/rnnkit/pretrained/tagger.md``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from rnnkit.config import CELL_TYPES, LR_SCHEDULES, TrainConfig, check_bool, check_choice, check_int, check_number
from rnnkit.config import config_field as _opt  # default + CLI help in one place
from rnnkit.errors import ConfigError

__all__ = ["CHECKPOINT_KIND", "TaggerConfig"]

CHECKPOINT_KIND = "tagger"  # the kind recorded in (and required of) every tagger checkpoint


@dataclass(frozen=True)
class TaggerConfig:
    """How to build and train a tagger: vocabulary, word and character encoders, training.

    Raises:
        ConfigError: a field has the wrong type or is out of range (the message names it).
    """

    lower: bool = _opt(True, "lower-case words before reading them (UD English-Atis is all lower-case)")
    cell: str = _opt("lstm", "recurrent cell of the sentence and character encoders", CELL_TYPES)
    embedding_dim: int = _opt(100, "learned word vector size")
    char_embedding_dim: int = _opt(32, "character vector size; 0 turns character features off")
    char_hidden_size: int = _opt(32, "character encoder state per direction (a word's features are both ends)")
    max_word_len: int = _opt(20, "characters read per word (the first and last halves of longer words)")
    hidden_size: int = _opt(128, "sentence encoder state per direction")
    num_layers: int = _opt(2, "stacked bidirectional sentence layers")
    dropout: float = _opt(0.3, "on word features, between layers and before the output layer")
    word_dropout: float = _opt(0.1, "chance of reading a training word as <unk>, so unseen words learn from "
                                    "their characters")
    min_freq: int = _opt(1, "keep training words seen at least this often")
    epochs: int = _opt(30, "passes over the training sentences")
    batch_size: int = _opt(32, "sentences per step (length-bucketed)")
    learning_rate: float = _opt(2e-3, "AdamW step size")
    weight_decay: float = _opt(0.0, "AdamW decoupled weight decay")
    clip_norm: float = _opt(5.0, "max gradient norm")
    lr_schedule: str = _opt("plateau", "learning-rate schedule (plateau: halve after a validation that does not "
                                       "improve)", LR_SCHEDULES)
    patience: int = _opt(6, "stop after this many validations without improvement; 0 = off")
    seed: int = _opt(0, "same seed, same model")
    progress: bool = _opt(True, "progress bar on stderr")
    num_threads: int = _opt(0, "torch CPU threads; 0 leaves torch's default")
    checkpoint_minutes: float = _opt(5.0, "write the resumable checkpoint every this many minutes; 0 = off")
    device: str = _opt("", "'cpu', 'cuda', 'cuda:N' or 'mps'; '' picks CUDA when available")

    def __post_init__(self) -> None:
        check_choice("cell", self.cell, CELL_TYPES)
        check_bool("lower", self.lower)
        check_bool("progress", self.progress)
        for name in ("embedding_dim", "char_hidden_size", "max_word_len", "hidden_size", "num_layers", "min_freq"):
            check_int(name, getattr(self, name), 1)
        check_int("char_embedding_dim", self.char_embedding_dim, 0)
        for name in ("dropout", "word_dropout"):
            check_number(name, getattr(self, name), 0.0, 1.0)
            if getattr(self, name) >= 1.0:
                raise ConfigError(f"{name} must be below 1.0, got {getattr(self, name)!r}")
        self.train_config()  # TrainConfig checks the training fields (epochs, batch size, learning rate, ...)

    def train_config(self) -> TrainConfig:
        """The :class:`~rnnkit.config.TrainConfig` for the :class:`~rnnkit.training.Trainer` (AdamW)."""
        return TrainConfig(epochs=self.epochs, batch_size=self.batch_size, optimizer="adamw",
                           learning_rate=self.learning_rate, weight_decay=self.weight_decay, clip_norm=self.clip_norm,
                           lr_schedule=self.lr_schedule, lr_decay=0.5, patience=self.patience, seed=self.seed,
                           progress=self.progress, num_threads=self.num_threads,
                           checkpoint_minutes=self.checkpoint_minutes, device=self.device)

    def to_dict(self) -> dict[str, Any]:
        """Plain data, the inverse of ``config_from_dict(TaggerConfig, data)``."""
        return dataclasses.asdict(self)
