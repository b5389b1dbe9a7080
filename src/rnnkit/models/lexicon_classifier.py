"""Many-to-one with a lexicon: a sequence classifier that reads fixed word features beside learned vectors."""

from __future__ import annotations

from typing import ClassVar

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rnnkit.config import ModelConfig
from rnnkit.errors import ConfigError
from rnnkit.models._common import PAD_ID, check_ids, pool_outputs, resolve_lengths
from rnnkit.nn import Recurrent

__all__ = ["LexiconClassifier"]


class LexiconClassifier(nn.Module):
    """Sequence classifier whose input is a learned word vector joined with a fixed lexicon vector.

    ::

        ids (B, T) -> Embedding (B, T, E) -> word dropout, dropout --+
                   -> features[ids] (B, T, F)  (fixed buffer) -------+-> concat (B, T, E + F)
                   -> Recurrent -> (B, T, dirs*H) -> max and mean over true tokens (B, 2*dirs*H)
                   -> dropout -> Linear -> logits (B, num_classes)

    The feature table holds what a lexicon knows about each vocabulary word (polarity, negation ...),
    so a word whose learned vector is untrained, or dropped, still says whether it is good or bad.

    *Negation scope* (``negation_window`` > 0) adds two features that depend on context, as VADER's
    rule reads it: 1 for a token within ``negation_window`` tokens after a negation (a token whose
    ``negation_column`` feature is set: "not", "n't", "never" ...), and that token's valence
    (``valence_column``) there, 0 elsewhere. "no complaints" then says that a negative word is
    negated, which max and mean pooling would otherwise blur.
    *Word dropout* zeroes a token's learned vector (not its lexicon vector) with probability
    ``word_dropout`` while training: the model learns to fall back on the lexicon, as it must for
    words it never saw.

    Args:
        config: uses vocab_size, cell, embedding_dim, hidden_size, num_layers, dropout, bidirectional,
            nonlinearity and num_classes (pooling is always max and mean).
        features: (vocab_size, F) float lexicon vectors, one row per id; saved with the weights.
        word_dropout: probability of dropping a token's learned vector during training.
        negation_window: tokens after a negation that are in its scope; 0 adds no scope features.
        negation_column, valence_column: the feature columns that mark a negation and hold a valence.

    Raises:
        ConfigError: ``features`` is not a (vocab_size, F) float tensor, or word_dropout not in [0, 1).
    """

    kind: ClassVar[str] = "lexicon_classifier"

    def __init__(self, config: ModelConfig, features: Tensor, word_dropout: float = 0.0, negation_window: int = 0,
                 negation_column: int = 3, valence_column: int = 0) -> None:
        super().__init__()
        if not isinstance(features, Tensor) or features.dim() != 2 or features.shape[0] != config.vocab_size \
                or not features.dtype.is_floating_point:
            shape = tuple(features.shape) if isinstance(features, Tensor) else type(features).__name__
            raise ConfigError(f"features must be a float tensor ({config.vocab_size}, F), got {shape}")
        if not 0.0 <= word_dropout < 1.0:
            raise ConfigError(f"word_dropout must be in [0, 1), got {word_dropout!r}")
        width = features.shape[1]
        if negation_window and not (0 <= negation_column < width and 0 <= valence_column < width):
            raise ConfigError(f"negation and valence columns must be < {width}, "
                              f"got {negation_column} and {valence_column}")
        self.negation_window = negation_window
        self.negation_column, self.valence_column = negation_column, valence_column
        self.config = config
        self.word_dropout = word_dropout
        self.embedding = nn.Embedding(config.vocab_size, config.embedding_dim, padding_idx=PAD_ID)
        self.register_buffer("features", features.detach().to(torch.float32).clone())
        self.dropout = nn.Dropout(config.dropout)
        scope_features = 2 if negation_window else 0
        self.rnn = Recurrent(config.cell, config.embedding_dim + features.shape[1] + scope_features, config.hidden_size,
                             num_layers=config.num_layers, bidirectional=config.bidirectional,
                             dropout=config.dropout, nonlinearity=config.nonlinearity)
        self.head = nn.Linear(2 * self.rnn.output_size, config.num_classes)

    def inputs(self, ids: Tensor) -> Tensor:
        """The recurrent layer's input for ``ids``: (B, T, E + F) learned vectors joined with lexicon vectors."""
        vectors = self.embedding(ids)  # (B, T, E)
        if self.training and self.word_dropout > 0:
            keep = torch.rand(ids.shape, device=ids.device).ge(self.word_dropout)  # (B, T)
            vectors = vectors * keep.unsqueeze(-1).to(vectors.dtype)
        lexicon = self.features[ids]  # (B, T, F)
        parts = [self.dropout(vectors), lexicon]
        if self.negation_window:
            negation = (lexicon[..., self.negation_column] > 0).to(lexicon.dtype)  # (B, T)
            length = ids.shape[1]
            shifted = [F.pad(negation, (distance, 0))[:, :length] for distance in range(1, self.negation_window + 1)]
            scope = torch.stack(shifted).amax(dim=0)  # 1 within the window after a negation (exports to ONNX)
            parts.append(torch.stack([scope, scope * lexicon[..., self.valence_column]], dim=-1))  # (B, T, 2)
        return torch.cat(parts, dim=-1)

    def forward(self, ids: Tensor, lengths: Tensor | None = None, padding: str = "post") -> Tensor:
        """Class logits for each sequence.

        Args:
            ids: (batch, seq_len) int64 token ids, ``<pad>`` = 0.
            lengths: (batch,) true lengths; None counts the non-pad ids of each row.
            padding: where the pads are, "post" or "pre".

        Returns:
            logits (batch, num_classes).

        Raises:
            InputError: ids are not a 2-D integer tensor of known ids, or a length is outside [1, seq_len].
        """
        check_ids(ids, self.config.vocab_size)
        lengths = resolve_lengths(ids, lengths, padding)
        output, _ = self.rnn(self.inputs(ids), lengths=lengths, padding=padding, final=False)  # (B, T, dirs*H)
        pooled = [pool_outputs(output, lengths, padding, how) for how in ("max", "mean")]  # 2 x (B, dirs*H)
        return self.head(self.dropout(torch.cat(pooled, dim=1)))
