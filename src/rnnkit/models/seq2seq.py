"""Encoder-decoder (unaligned many-to-many): translate, reverse, summarise a sequence."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import torch
from torch import Tensor, nn

from rnnkit.config import ModelConfig, check_int, check_number
from rnnkit.errors import InputError
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
        features, state = self.decode_features(tgt_in, state, memory, src_mask)
        return self.head(features), state

    def decode_features(self, tgt_in: Tensor, state: State, memory: Tensor, src_mask: Tensor) -> tuple[Tensor, State]:
        """:meth:`decode` up to the output layer: ((B, T, H) features after dropout, state).

        Training on long batches applies ``self.head`` only at the true (non-pad) target positions,
        which saves most of the cost of a large output vocabulary.
        """
        check_ids(tgt_in, self.target_vocab_size, name="tgt_in")
        x = self.dropout(self.tgt_embedding(tgt_in))  # (B, T, E)
        output, state = self.decoder(x, state=state)  # (B, T, H)
        if self.attention is not None:
            output, _ = self.attention(output, memory, src_mask)
        return self.dropout(output), state

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
        self, src: Tensor, src_lengths: Tensor | None, max_len: int, bos_id: int, eos_id: int | None,
        banned: Sequence[int] = (),
    ) -> Tensor:
        """Translate by feeding back the most likely token; call ``.eval()`` first so dropout is off.

        Args:
            src: (batch, src_len) int64 source ids, post-padded.
            src_lengths: (batch,) true source lengths, or None to count the non-pad ids.
            max_len: most target tokens per row (>= 1).
            bos_id: token the decoder starts from.
            eos_id: token that ends a row (kept, then <pad>); None never stops early.
            banned: ids never produced (e.g. <unk>, <pad>, <bos>).

        Returns:
            ids (batch, n) int64 with n <= max_len, <bos> not included.

        Raises:
            InputError: bad source ids or lengths, or max_len < 1.
        """
        memory, src_mask, state = self.encode(src, src_lengths)

        def step(tokens: Tensor, state: State) -> tuple[Tensor, State]:
            logits, state = self.decode(tokens, state, memory, src_mask)
            return _ban(logits, banned), state

        return greedy_loop(step, state, src.shape[0], max_len, bos_id, eos_id, src.device)

    @torch.no_grad()
    def beam_decode(self, src: Tensor, src_lengths: Tensor | None, max_len: int, bos_id: int, eos_id: int, *,
                    beam: int = 5, length_penalty: float = 1.0, banned: Sequence[int] = ()) -> list[list[int]]:
        """Translate by beam search, every row of the batch at once; call ``.eval()`` first.

        Each row keeps its ``beam`` best prefixes by summed log-probability. A prefix that emits
        ``eos_id`` among the row's ``beam`` best candidates is finished with the score
        ``log p / length ** length_penalty`` (length counts ``eos_id``; 0 ranks by log p alone, 1 by the
        mean per token). A row stops once ``beam`` prefixes have finished; at ``max_len`` the live
        prefixes finish too. ``beam=1`` gives the greedy output.

        Args:
            src: (batch, src_len) int64 source ids, post-padded.
            src_lengths: (batch,) true source lengths, or None to count the non-pad ids.
            max_len: most target tokens per row (>= 1), ``eos_id`` included.
            bos_id: token the decoder starts from.
            eos_id: token that ends a hypothesis.
            beam: hypotheses kept per row (>= 1).
            length_penalty: the exponent on the length (>= 0).
            banned: ids never produced (e.g. <unk>, <pad>, <bos>).

        Returns:
            One list of ids per row: the best hypothesis, without ``<bos>``, ending in ``eos_id`` when it finished.

        Raises:
            InputError: bad source ids or lengths, or bad ``max_len``, ``beam`` or ``length_penalty``.
        """
        check_int("max_len", max_len, 1, error=InputError)
        check_int("beam", beam, 1, error=InputError)
        check_number("length_penalty", length_penalty, 0, error=InputError)
        memory, src_mask, state = self.encode(src, src_lengths)
        batch, k = src.shape[0], beam
        memory, src_mask = memory.repeat_interleave(k, 0), src_mask.repeat_interleave(k, 0)  # (B*K, S, M)
        state = _select_rows(state, torch.arange(batch, device=src.device).repeat_interleave(k))
        search = _BeamSearch(batch, k, max_len, eos_id, length_penalty, src.device)
        tokens = torch.full((batch * k, 1), bos_id, dtype=torch.long, device=src.device)
        for step in range(max_len):
            logits, state = self.decode(tokens, state, memory, src_mask)
            rows, tokens = search.advance(_ban(logits[:, -1], banned).float().log_softmax(dim=-1), step)
            if search.done():
                break
            state = _select_rows(state, rows)
            tokens = tokens.view(-1, 1)
        return search.best()


def _ban(logits: Tensor, banned: Sequence[int]) -> Tensor:
    """``logits`` (..., V) with the ``banned`` ids at -inf, so they are never chosen."""
    if not banned:
        return logits
    logits = logits.clone()
    logits[..., list(banned)] = float("-inf")
    return logits


def _select_rows(state: State, rows: Tensor) -> State:
    """The decoder state of ``rows`` (batch is dim 1 of (L, B, H)); for an LSTM both h and c."""
    if isinstance(state, tuple):
        return tuple(s.index_select(1, rows) for s in state)
    return state.index_select(1, rows)


class _BeamSearch:
    """The bookkeeping of :meth:`Seq2Seq.beam_decode`: scores, back-pointers and each row's best finished hypothesis.

    ::

        step t:  scores (B, K, 1) + log p (B, K, V) -> the 2K best candidates per row (parent beam, token)
                 -> <eos> candidates among the first K finish (score / (t + 1) ** alpha, kept if the row's best)
                 -> the K best other candidates are the beams of step t + 1
    """

    def __init__(self, batch: int, beam: int, max_len: int, eos_id: int, length_penalty: float,
                 device: torch.device) -> None:
        self.batch, self.beam, self.max_len, self.eos_id, self.alpha = batch, beam, max_len, eos_id, length_penalty
        self.scores = torch.full((batch, beam), float("-inf"), device=device)
        self.scores[:, 0] = 0.0  # one live prefix (<bos>) per row at first
        self.candidates: list[tuple[Tensor, Tensor]] = []  # (parent, token), each (B, 2K), per step
        self.beams: list[tuple[Tensor, Tensor]] = []  # (parent, token), each (B, K): the beams kept, per step
        self.best_score = torch.full((batch,), float("-inf"), device=device)
        self.best_at = torch.zeros((batch, 2), dtype=torch.long, device=device)  # (step, candidate) of the best
        self.finished = torch.zeros(batch, dtype=torch.long, device=device)
        self.offsets = torch.arange(batch, device=device).unsqueeze(1) * beam  # (B, 1)

    def advance(self, log_probs: Tensor, step: int) -> tuple[Tensor, Tensor]:
        """Take one step from ``log_probs`` (B*K, V); returns (flat parent rows (B*K,), new tokens (B, K))."""
        vocab = log_probs.shape[-1]
        candidates = self.scores.unsqueeze(-1) + log_probs.view(self.batch, self.beam, vocab)  # (B, K, V)
        top, index = candidates.view(self.batch, -1).topk(min(2 * self.beam, self.beam * vocab), dim=1)
        parent, token = index // vocab, index % vocab  # (B, 2K)
        self.candidates.append((parent, token))
        ends = torch.isfinite(top)
        if step < self.max_len - 1:  # at the last step every live prefix finishes
            ends &= token == self.eos_id
            ends[:, self.beam:] = False  # only candidates that would have made the beam
        self._finish(top, ends, step)
        self.scores, pick = top.masked_fill(token == self.eos_id, float("-inf")).topk(self.beam, dim=1)  # (B, K)
        parent, token = parent.gather(1, pick), token.gather(1, pick)
        self.beams.append((parent, token))
        return (parent + self.offsets).view(-1), token

    def _finish(self, top: Tensor, ends: Tensor, step: int) -> None:
        normalised = (top / float(step + 1) ** self.alpha).masked_fill(~ends, float("-inf"))  # (B, 2K)
        value, where = normalised.max(dim=1)
        better = value > self.best_score
        self.best_score = torch.where(better, value, self.best_score)
        chosen = torch.stack([torch.full_like(where, step), where], dim=1)
        self.best_at = torch.where(better.unsqueeze(1), chosen, self.best_at)
        self.finished += ends.sum(dim=1)

    def done(self) -> bool:
        """Every row has finished ``beam`` hypotheses."""
        return bool((self.finished >= self.beam).all())

    def best(self) -> list[list[int]]:
        """Each row's best finished hypothesis, traced back through the kept beams."""
        out = []
        for row in range(self.batch):
            step, slot = (int(v) for v in self.best_at[row])
            parent, token = (t[row, slot] for t in self.candidates[step])
            ids, beam = [int(token)], int(parent)
            for kept_parent, kept_token in reversed(self.beams[:step]):
                ids.append(int(kept_token[row, beam]))
                beam = int(kept_parent[row, beam])
            out.append(ids[::-1])
        return out
