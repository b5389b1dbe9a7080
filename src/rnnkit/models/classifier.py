"""Many-to-one: read a whole sequence, predict one label."""

from __future__ import annotations

from typing import ClassVar

from torch import Tensor, nn

from rnnkit.config import ModelConfig
from rnnkit.models._common import (
    PAD_ID,
    check_ids,
    hidden_of,
    merge_directions,
    pool_outputs,
    recurrent_from_config,
    resolve_lengths,
)

__all__ = ["Classifier"]


class Classifier(nn.Module):
    """Sequence classifier (many-to-one), e.g. sentiment.

    ::

        ids (B, T) -> Embedding -> (B, T, E) -> dropout -> Recurrent -> (B, T, dirs*H)
                   -> pool (config.pooling) -> (B, dirs*H) -> dropout -> Linear -> logits (B, num_classes)

    Pooling: ``"last"`` takes the last layer's final state, for a bidirectional model the forward
    state at the last true token concatenated with the backward state at the first; ``"mean"`` and
    ``"max"`` pool the outputs of the true tokens only, so padding never changes a row's logits.

    Args:
        config: uses vocab_size, cell, embedding_dim, hidden_size, num_layers, dropout,
            bidirectional, nonlinearity, num_classes and pooling.
    """

    kind: ClassVar[str] = "classifier"

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        self.embedding = nn.Embedding(config.vocab_size, config.embedding_dim, padding_idx=PAD_ID)
        self.dropout = nn.Dropout(config.dropout)
        self.rnn = recurrent_from_config(config, bidirectional=config.bidirectional)
        self.head = nn.Linear(self.rnn.output_size, config.num_classes)

    def forward(self, ids: Tensor, lengths: Tensor | None = None, padding: str = "post") -> Tensor:
        """Class logits for each sequence.

        Args:
            ids: (batch, seq_len) int64 token ids, ``<pad>`` = 0.
            lengths: (batch,) true lengths; None counts the non-pad ids of each row.
            padding: where the pads are, "post" (after the tokens) or "pre" (before them).

        Returns:
            logits (batch, num_classes).

        Raises:
            InputError: ids are not a 2-D integer tensor of known ids, or a length is outside [1, seq_len].
        """
        check_ids(ids, self.config.vocab_size)
        lengths = resolve_lengths(ids, lengths, padding)
        x = self.dropout(self.embedding(ids))  # (B, T, E)
        output, state = self.rnn(x, lengths=lengths, padding=padding)  # (B, T, dirs*H)
        pooled = self._pool(output, state, lengths, padding)  # (B, dirs*H)
        return self.head(self.dropout(pooled))

    def _pool(self, output: Tensor, state, lengths: Tensor, padding: str) -> Tensor:
        pooling = self.config.pooling
        if pooling == "last":
            h = merge_directions(hidden_of(state), self.config.num_layers, self.rnn.num_directions)
            return h[-1]  # (B, dirs*H): last layer, forward then backward
        return pool_outputs(output, lengths, padding, pooling)  # "mean" or "max"
