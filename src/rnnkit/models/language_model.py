"""Many-to-many (aligned): predict the next token at every position.

Truncated back-propagation through time, as in pytorch/examples ``word_language_model`` but
batch-first: the corpus is one long id stream cut into ``batch_size`` rows, and each step reads
the next ``seq_len`` columns, carrying the state over from the previous step::

    stream: a b c d e f g h i j k l m n o p q r s t u v w x      batch_size = 4, seq_len = 2

    ids (B=4, 6):  a b | c d | e f        step 1 reads columns "a b / g h / m n / s t",
                   g h | i j | k l        its targets are the next columns "b c / h i / n o / t u";
                   m n | o p | q r        step 2 reads "c d / i j / o p / u v" starting from
                   s t | u v | w x        step 1's final state, and so on.

The state links the steps, but gradients must not flow back into step 1 from step 2, or the
graph would grow with the whole stream: :func:`detach_state` cuts it between steps.
"""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import Tensor, nn

from rnnkit.config import ModelConfig
from rnnkit.models._common import (
    PAD_ID,
    State,
    check_ids,
    recurrent_from_config,
    require_unidirectional,
    resolve_lengths,
)
from rnnkit.nn import detach_state

__all__ = ["LanguageModel", "detach_state"]

INIT_RANGE = 0.1  # uniform(-0.1, 0.1) on embedding and decoder, as pytorch/examples word_language_model


class LanguageModel(nn.Module):
    """Next-token language model (many-to-many, aligned), unidirectional.

    ::

        ids (B, T) -> Embedding -> (B, T, E) -> dropout -> Recurrent -> (B, T, H)
                   -> dropout -> Linear (decoder) -> logits (B, T, vocab_size)

    With ``config.tie_weights`` the decoder's weight *is* the embedding matrix (Press & Wolf 2017,
    Inan et al. 2017); the config checks embedding_dim == hidden_size.

    Args:
        config: uses vocab_size, cell, embedding_dim, hidden_size, num_layers, dropout,
            nonlinearity and tie_weights.

    Raises:
        ConfigError: config.bidirectional is True (a left-to-right model cannot read the future).
    """

    kind: ClassVar[str] = "language_model"

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        require_unidirectional(config, "a language model")
        self.config = config
        self.encoder = nn.Embedding(config.vocab_size, config.embedding_dim, padding_idx=PAD_ID)
        self.dropout = nn.Dropout(config.dropout)
        self.rnn = recurrent_from_config(config)
        self.decoder = nn.Linear(config.hidden_size, config.vocab_size)
        self._init_weights()
        if config.tie_weights:
            self.decoder.weight = self.encoder.weight

    def _init_weights(self) -> None:
        nn.init.uniform_(self.encoder.weight, -INIT_RANGE, INIT_RANGE)
        nn.init.uniform_(self.decoder.weight, -INIT_RANGE, INIT_RANGE)
        nn.init.zeros_(self.decoder.bias)
        with torch.no_grad():
            self.encoder.weight[PAD_ID].zero_()  # keep the <pad> row zero, as padding_idx promises

    def forward(
        self, ids: Tensor, state: State | None = None, lengths: Tensor | None = None
    ) -> tuple[Tensor, State]:
        """Next-token logits at every position, and the state to carry on with.

        Args:
            ids: (batch, seq_len) int64 token ids.
            state: initial state from a previous call or :meth:`init_state`; None means zeros.
                A tensor h (num_layers, batch, hidden_size), or (h, c) for an LSTM.
            lengths: optional (batch,) true lengths of post-padded rows; the returned state is then
                taken at each row's last true token. None uses every position (a contiguous stream).

        Returns:
            (logits (batch, seq_len, vocab_size), state) with state shaped like the input state.

        Raises:
            InputError: ids are not a 2-D integer tensor of known ids, or lengths are out of range.
        """
        check_ids(ids, self.config.vocab_size)
        if lengths is not None:
            lengths = resolve_lengths(ids, lengths)
        x = self.dropout(self.encoder(ids))  # (B, T, E)
        output, state = self.rnn(x, lengths=lengths, state=state)  # (B, T, H)
        return self.decoder(self.dropout(output)), state

    def init_state(self, batch_size: int) -> State:
        """Zero state for ``batch_size`` sequences, on the model's device and dtype."""
        weight = self.decoder.weight
        return self.rnn.init_state(batch_size, device=weight.device, dtype=weight.dtype)
