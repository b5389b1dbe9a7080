"""One-to-one: no recurrence at all, the baseline every recurrent model should beat."""

from __future__ import annotations

from typing import ClassVar

from torch import Tensor, nn

from rnnkit.config import ModelConfig
from rnnkit.models._common import PAD_ID, check_ids, resolve_lengths
from rnnkit.nn import valid_mask

__all__ = ["FeedForward"]


class FeedForward(nn.Module):
    """Bag-of-words classifier: mean of the token embeddings of the true tokens, then an MLP.

    ::

        ids (B, T) -> Embedding -> (B, T, E) -> mean over true tokens -> (B, E) -> dropout
                   -> [Linear -> ReLU -> dropout] x num_layers -> (B, H) -> Linear -> logits (B, num_classes)

    Word order is ignored, which is what makes it a baseline. A single token in, one label out (the
    strict one-to-one case) is just ``seq_len = 1``.

    Args:
        config: uses vocab_size, embedding_dim, hidden_size, num_layers (hidden layers of the MLP),
            dropout and num_classes; the recurrent fields are ignored.
    """

    kind: ClassVar[str] = "feedforward"

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        self.embedding = nn.Embedding(config.vocab_size, config.embedding_dim, padding_idx=PAD_ID)
        layers: list[nn.Module] = [nn.Dropout(config.dropout)]
        size = config.embedding_dim
        for _ in range(config.num_layers):
            layers += [nn.Linear(size, config.hidden_size), nn.ReLU(), nn.Dropout(config.dropout)]
            size = config.hidden_size
        layers.append(nn.Linear(size, config.num_classes))
        self.mlp = nn.Sequential(*layers)

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
        mask = valid_mask(lengths, ids.shape[1], padding, ids.device).unsqueeze(-1)  # (B, T, 1)
        embedded = self.embedding(ids) * mask  # (B, T, E)
        bag = embedded.sum(dim=1) / lengths.to(embedded.device, embedded.dtype).unsqueeze(1)  # (B, E)
        return self.mlp(bag)
