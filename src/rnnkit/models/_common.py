"""Helpers shared by the models: input checks, padding masks, state reshaping, greedy decoding.

Token ids follow one convention everywhere: ``<pad>`` is id 0 and never a real token.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from rnnkit.config import ModelConfig
from rnnkit.errors import ConfigError, InputError
from rnnkit.nn import Recurrent
from rnnkit.nn.masking import check_lengths, check_padding, valid_mask

PAD_ID = 0  # <pad>; every embedding uses it as padding_idx

State = Tensor | tuple[Tensor, Tensor]


def recurrent_from_config(config: ModelConfig, bidirectional: bool = False) -> Recurrent:
    """The model's recurrent stack over token embeddings, sized by ``config``."""
    return Recurrent(
        config.cell,
        config.embedding_dim,
        config.hidden_size,
        num_layers=config.num_layers,
        bidirectional=bidirectional,
        dropout=config.dropout,
        nonlinearity=config.nonlinearity,
    )


def check_ids(ids: Tensor, vocab_size: int, name: str = "ids") -> None:
    """Raise InputError unless ``ids`` is a (batch, seq_len) integer tensor of ids below ``vocab_size``."""
    if not isinstance(ids, Tensor) or ids.dim() != 2 or ids.dtype.is_floating_point or ids.dtype == torch.bool:
        shape = tuple(ids.shape) if isinstance(ids, Tensor) else type(ids).__name__
        raise InputError(f"{name} must be a 2-D integer tensor (batch, seq_len), got {shape}")
    if ids.shape[1] == 0:
        raise InputError(f"{name} must hold at least one time step, got shape {tuple(ids.shape)}")
    if ids.numel():
        low, high = (int(v) for v in torch.aminmax(ids))  # one pass, not two
        if low < 0 or high >= vocab_size:
            raise InputError(f"{name} must lie in [0, {vocab_size}), got values from {low} to {high}")


def resolve_lengths(ids: Tensor, lengths: Tensor | None, padding: str = "post") -> Tensor:
    """Return the true length of each row of ``ids`` (batch,) as int64 on the CPU.

    ``lengths=None`` counts the non-``<pad>`` ids of each row. Every length must be in [1, seq_len].
    """
    check_padding(padding)
    if lengths is None:
        lengths = (ids != PAD_ID).sum(dim=1)
        if ids.shape[0] and int(lengths.min()) == 0:
            empty = int((lengths == 0).nonzero()[0])
            raise InputError(f"row {empty} of ids holds only <pad>; every sequence needs at least one token")
    return check_lengths(lengths, ids.shape[0], ids.shape[1])


def hidden_of(state: State) -> Tensor:
    """The hidden tensor h (layers*dirs, batch, hidden) of a state: h itself, or h of an LSTM's (h, c)."""
    return state[0] if isinstance(state, tuple) else state


def merge_directions(h: Tensor, num_layers: int, num_directions: int) -> Tensor:
    """(layers*dirs, batch, hidden) -> (layers, batch, dirs*hidden): per layer, forward then backward."""
    _, batch, hidden = h.shape
    h = h.view(num_layers, num_directions, batch, hidden)
    return h.permute(0, 2, 1, 3).reshape(num_layers, batch, num_directions * hidden)


def require_unidirectional(config, what: str) -> None:
    """Raise ConfigError for a bidirectional config where ``what`` must read left to right."""
    if config.bidirectional:
        raise ConfigError(f"bidirectional must be False for {what}, which reads left to right; got True")


def greedy_loop(
    step: Callable[[Tensor, State], tuple[Tensor, State]],
    state: State,
    batch_size: int,
    max_len: int,
    bos_id: int,
    eos_id: int | None,
    device: torch.device,
) -> Tensor:
    """Feed the argmax token back ``max_len`` times; return ids (batch, <=max_len) without <bos>.

    ``step(tokens (batch, 1), state) -> (logits (batch, 1, vocab), state)``. A row that has produced
    ``eos_id`` keeps it and is padded with ``<pad>`` afterwards; decoding stops early once every row has.
    """
    if isinstance(max_len, bool) or not isinstance(max_len, int) or max_len < 1:
        raise InputError(f"max_len must be an integer >= 1, got {max_len!r}")
    tokens = torch.full((batch_size, 1), bos_id, dtype=torch.long, device=device)
    finished = torch.zeros(batch_size, dtype=torch.bool, device=device)
    out = []
    for _ in range(max_len):
        logits, state = step(tokens, state)
        tokens = logits[:, -1].argmax(dim=-1, keepdim=True)  # (batch, 1)
        tokens = tokens.masked_fill(finished.unsqueeze(1), PAD_ID)
        out.append(tokens)
        if eos_id is not None:
            finished |= tokens.squeeze(1) == eos_id
            if bool(finished.all()):
                break
    return torch.cat(out, dim=1)


def pool_outputs(output: Tensor, lengths: Tensor, padding: str, how: str) -> Tensor:
    """``"mean"`` or ``"max"`` of ``output`` (B, T, F) over each row's true tokens only -> (B, F).

    When every row is T tokens long (no pads), no mask is built.
    """
    if int(lengths.min()) == output.shape[1]:
        return output.mean(dim=1) if how == "mean" else output.amax(dim=1)
    mask = valid_mask(lengths, output.shape[1], padding, output.device).unsqueeze(-1)  # (B, T, 1)
    if how == "mean":
        return (output * mask).sum(dim=1) / lengths.to(output.device, output.dtype).unsqueeze(1)
    return output.masked_fill(~mask, torch.finfo(output.dtype).min).amax(dim=1)
