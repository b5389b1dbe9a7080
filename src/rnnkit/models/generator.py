"""One-to-many: one vector in (an image feature, a class code, a sentence encoding), a token sequence out."""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import Tensor, nn

from rnnkit.config import ModelConfig
from rnnkit.errors import InputError
from rnnkit.models._common import PAD_ID, State, check_ids, greedy_loop, recurrent_from_config, require_unidirectional

__all__ = ["Generator"]


class Generator(nn.Module):
    """Sequence generator (one-to-many) conditioned on a vector, e.g. captions from image features.

    ::

        vectors (B, D) -> Linear -> tanh -> initial state (L, B, H) of every layer (and c for an LSTM)
        targets_in (B, T) -> Embedding -> (B, T, E) -> dropout -> Recurrent (from that state)
                          -> dropout -> Linear -> logits (B, T, V)

    D is ``config.input_dim`` (0 means hidden_size), kept in the config so a checkpoint rebuilds the
    model from its config alone. V is the token vocabulary, ``config.output_size`` or, when that is 0,
    ``config.vocab_size``; it is both what the decoder reads (the previous token) and what it predicts.

    Args:
        config: uses input_dim, vocab_size, output_size, cell, embedding_dim, hidden_size,
            num_layers, dropout and nonlinearity.

    Raises:
        ConfigError: config.bidirectional is True (generation runs left to right).
    """

    kind: ClassVar[str] = "generator"

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        require_unidirectional(config, "a generator")
        self.config = config
        self.input_dim = config.input_dim or config.hidden_size
        self.vocab_size = config.output_size or config.vocab_size
        parts = 2 if config.cell == "lstm" else 1  # an LSTM starts from h and c
        self.bridge = nn.Linear(self.input_dim, parts * config.num_layers * config.hidden_size)
        self.embedding = nn.Embedding(self.vocab_size, config.embedding_dim, padding_idx=PAD_ID)
        self.dropout = nn.Dropout(config.dropout)
        self.rnn = recurrent_from_config(config)
        self.head = nn.Linear(config.hidden_size, self.vocab_size)

    def initial_state(self, vectors: Tensor) -> State:
        """Map input vectors (batch, input_dim) to the decoder's state: h (L, B, H), or (h, c) for an LSTM."""
        if not isinstance(vectors, Tensor) or vectors.dim() != 2 or vectors.shape[1] != self.input_dim:
            shape = tuple(vectors.shape) if isinstance(vectors, Tensor) else type(vectors).__name__
            raise InputError(f"vectors must have shape (batch, {self.input_dim}), got {shape}")
        batch = vectors.shape[0]
        layers, hidden = self.config.num_layers, self.config.hidden_size
        flat = torch.tanh(self.bridge(vectors))  # (B, parts*L*H)
        parts = flat.view(batch, -1, layers, hidden).permute(1, 2, 0, 3).contiguous()  # (parts, L, B, H)
        return (parts[0], parts[1]) if self.config.cell == "lstm" else parts[0]

    def forward(self, vectors: Tensor, targets_in: Tensor) -> Tensor:
        """Teacher-forced logits: the decoder reads the gold previous tokens.

        Args:
            vectors: (batch, input_dim) float conditioning vectors.
            targets_in: (batch, seq_len) int64 ids, <bos> then the target sequence minus its last token.

        Returns:
            logits (batch, seq_len, V) predicting the target sequence (targets_in shifted left by one).

        Raises:
            InputError: vectors or targets_in have the wrong shape, or ids are out of range.
        """
        state = self.initial_state(vectors)
        logits, _ = self._step(targets_in, state)
        return logits

    def _step(self, ids: Tensor, state: State) -> tuple[Tensor, State]:
        check_ids(ids, self.vocab_size, name="targets_in")
        x = self.dropout(self.embedding(ids))  # (B, T, E)
        output, state = self.rnn(x, state=state)  # (B, T, H)
        return self.head(self.dropout(output)), state

    @torch.no_grad()
    def generate(self, vectors: Tensor, max_len: int, bos_id: int, eos_id: int | None = None) -> Tensor:
        """Greedy decoding: feed back the most likely token until ``eos_id`` or ``max_len`` tokens.

        Runs without gradients; call ``.eval()`` first so dropout is off.

        Args:
            vectors: (batch, input_dim) conditioning vectors.
            max_len: most tokens to produce per row (>= 1).
            bos_id: token fed in first.
            eos_id: token that ends a row (kept in the output, then <pad>); None never stops early.

        Returns:
            ids (batch, n) int64 with n <= max_len, <bos> not included.

        Raises:
            InputError: vectors have the wrong shape or max_len < 1.
        """
        state = self.initial_state(vectors)
        return greedy_loop(self._step, state, vectors.shape[0], max_len, bos_id, eos_id, vectors.device)
