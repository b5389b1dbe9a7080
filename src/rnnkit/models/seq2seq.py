"""Encoder-decoder (unaligned many-to-many): translate, reverse, summarise a sequence."""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import Tensor, nn

from rnnkit.config import ModelConfig
from rnnkit.models._common import PAD_ID, State, check_ids, greedy_loop, merge_directions, resolve_lengths
from rnnkit.nn import Recurrent, valid_mask

__all__ = ["Seq2Seq"]


class LuongAttention(nn.Module):
    """Luong et al. (2015) "general" attention, applied after the decoder RNN (no input feeding).

    For each decoder output h_t: scores_s = h_t . W_a m_s over the encoder outputs m_s (pads masked),
    context_t = softmax(scores) @ m, and the decoder emits tanh(W_c [context_t; h_t]).
    """

    def __init__(self, memory_size: int, hidden_size: int) -> None:
        super().__init__()
        self.key = nn.Linear(memory_size, hidden_size, bias=False)  # W_a
        self.combine = nn.Linear(memory_size + hidden_size, hidden_size)  # W_c

    def forward(self, output: Tensor, memory: Tensor, src_mask: Tensor) -> tuple[Tensor, Tensor]:
        """(B, T, H) decoder outputs, (B, S, M) memory, (B, S) mask -> ((B, T, H) outputs, (B, T, S) weights)."""
        scores = output @ self.key(memory).transpose(1, 2)  # (B, T, S)
        weights = scores.masked_fill(~src_mask.unsqueeze(1), float("-inf")).softmax(dim=-1)
        context = weights @ memory  # (B, T, M)
        return torch.tanh(self.combine(torch.cat([context, output], dim=-1))), weights


class Seq2Seq(nn.Module):
    """Encoder-decoder (Sutskever et al. 2014, Cho et al. 2014), with optional attention.

    ::

        src (B, S) -> Embedding -> dropout -> encoder Recurrent (optionally bidirectional)
                   -> memory (B, S, dirs*H) and final state per layer (L, B, dirs*H)
                   -> bridge: Linear (+ tanh on h) -> decoder initial state (L, B, H)
        tgt_in (B, T) -> Embedding -> dropout -> decoder Recurrent (from the bridged state) -> (B, T, H)
                      -> [config.attention: LuongAttention over the memory] -> dropout -> Linear
                      -> logits (B, T, V_out)

    Without attention the whole source reaches the decoder only through the final state, which is
    enough for short sequences; with it every decoder step also reads a weighted mix of the encoder
    outputs. Source ids are in ``vocab_size``; target ids (read by the decoder and predicted by it)
    are in ``output_size``, or ``vocab_size`` when that is 0. For an LSTM the bridge maps c too,
    with its own Linear and no tanh (c is not bounded).

    Args:
        config: uses vocab_size, output_size, cell, embedding_dim, hidden_size, num_layers, dropout,
            bidirectional (encoder only; the decoder reads left to right), nonlinearity and attention.
    """

    kind: ClassVar[str] = "seq2seq"

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        self.target_vocab_size = config.output_size or config.vocab_size
        self.src_embedding = nn.Embedding(config.vocab_size, config.embedding_dim, padding_idx=PAD_ID)
        self.tgt_embedding = nn.Embedding(self.target_vocab_size, config.embedding_dim, padding_idx=PAD_ID)
        self.dropout = nn.Dropout(config.dropout)
        shared = dict(num_layers=config.num_layers, dropout=config.dropout, nonlinearity=config.nonlinearity)
        self.encoder = Recurrent(
            config.cell, config.embedding_dim, config.hidden_size, bidirectional=config.bidirectional, **shared
        )
        self.decoder = Recurrent(config.cell, config.embedding_dim, config.hidden_size, **shared)
        memory_size = self.encoder.output_size
        self.bridge_h = nn.Linear(memory_size, config.hidden_size)
        self.bridge_c = nn.Linear(memory_size, config.hidden_size) if config.cell == "lstm" else None
        self.attention = LuongAttention(memory_size, config.hidden_size) if config.attention else None
        self.head = nn.Linear(config.hidden_size, self.target_vocab_size)

    def encode(self, src: Tensor, src_lengths: Tensor | None = None) -> tuple[Tensor, Tensor, State]:
        """Read the source.

        Args:
            src: (batch, src_len) int64 source ids, post-padded with <pad> = 0.
            src_lengths: (batch,) true lengths; None counts the non-pad ids.

        Returns:
            (memory (B, S, dirs*H) encoder outputs, src_mask (B, S) True at true tokens,
            the decoder's initial state h (L, B, H), or (h, c) for an LSTM).
        """
        check_ids(src, self.config.vocab_size, name="src")
        lengths = resolve_lengths(src, src_lengths)
        x = self.dropout(self.src_embedding(src))  # (B, S, E)
        memory, state = self.encoder(x, lengths=lengths)  # (B, S, dirs*H)
        src_mask = valid_mask(lengths, src.shape[1], "post", src.device)
        layers, dirs = self.config.num_layers, self.encoder.num_directions
        if isinstance(state, tuple):
            h, c = (merge_directions(s, layers, dirs) for s in state)  # (L, B, dirs*H) each
            return memory, src_mask, (torch.tanh(self.bridge_h(h)).contiguous(), self.bridge_c(c).contiguous())
        return memory, src_mask, torch.tanh(self.bridge_h(merge_directions(state, layers, dirs))).contiguous()

    def decode(self, tgt_in: Tensor, state: State, memory: Tensor, src_mask: Tensor) -> tuple[Tensor, State]:
        """Run the decoder over target ids from ``state``; returns (logits (B, T, V_out), state)."""
        check_ids(tgt_in, self.target_vocab_size, name="tgt_in")
        x = self.dropout(self.tgt_embedding(tgt_in))  # (B, T, E)
        output, state = self.decoder(x, state=state)  # (B, T, H)
        if self.attention is not None:
            output, _ = self.attention(output, memory, src_mask)
        return self.head(self.dropout(output)), state

    def forward(self, src: Tensor, src_lengths: Tensor | None, tgt_in: Tensor) -> Tensor:
        """Teacher-forced logits.

        Args:
            src: (batch, src_len) int64 source ids, post-padded.
            src_lengths: (batch,) true source lengths, or None to count the non-pad ids.
            tgt_in: (batch, tgt_len) int64, <bos> then the target minus its last token.

        Returns:
            logits (batch, tgt_len, V_out) predicting the target (tgt_in shifted left by one).

        Raises:
            InputError: ids are not 2-D integer tensors of known ids, or lengths are out of range.
        """
        memory, src_mask, state = self.encode(src, src_lengths)
        logits, _ = self.decode(tgt_in, state, memory, src_mask)
        return logits

    @torch.no_grad()
    def greedy_decode(
        self, src: Tensor, src_lengths: Tensor | None, max_len: int, bos_id: int, eos_id: int | None
    ) -> Tensor:
        """Translate by feeding back the most likely token; call ``.eval()`` first so dropout is off.

        Args:
            src: (batch, src_len) int64 source ids, post-padded.
            src_lengths: (batch,) true source lengths, or None to count the non-pad ids.
            max_len: most target tokens per row (>= 1).
            bos_id: token the decoder starts from.
            eos_id: token that ends a row (kept, then <pad>); None never stops early.

        Returns:
            ids (batch, n) int64 with n <= max_len, <bos> not included.

        Raises:
            InputError: bad source ids or lengths, or max_len < 1.
        """
        memory, src_mask, state = self.encode(src, src_lengths)

        def step(tokens: Tensor, state: State) -> tuple[Tensor, State]:
            return self.decode(tokens, state, memory, src_mask)

        return greedy_loop(step, state, src.shape[0], max_len, bos_id, eos_id, src.device)
