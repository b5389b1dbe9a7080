"""Running torch's fused RNN/LSTM/GRU over padded batches of variable-length sequences, fast on CPU.

``pack_padded_sequence`` is the textbook answer, but on CPU packed input falls off oneDNN onto slower
per-step code: training measured 1.5-4x slower than padded input on this project's 2-core machine
(``/work/shared/BASELINES.md``). So :func:`run_fused` packs only when nothing better is exact::

    columns that are pads in every row      trimmed off first, put back as zeros at the end
    all rows of equal length                one dense call
    "pre" padding                           rows rotated to "post" (roll_rows), outputs rotated back
    1 layer, 1 direction, rnn/gru           one dense call, final h gathered at lengths-1, pads zeroed:
                                            the pads come after the real tokens, so cannot reach them
    1 direction, <= SEGMENT_LIMIT lengths,  one dense call per time span between distinct lengths,
    on CPU                                  over the rows still going, carrying their state (cuDNN
                                            runs packed input natively, so GPUs pack instead)
    otherwise (bidirectional, or many       pack_padded_sequence: the backward direction would read
    distinct lengths)                       pads first; lower layers' final h and an LSTM's c are not
                                            in the output, so every row must stop at its own end

Batches bucketed by length therefore run near the padded speed.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from rnnkit.nn.cells import State
from rnnkit.nn.masking import roll_rows, valid_mask

__all__ = ["SEGMENT_LIMIT", "run_fused"]

# Most distinct lengths run as dense segments; beyond this packing wins. Measured with an LSTM
# (batch 32, 60 steps, 100 -> 128): training 13-15 ms segmented vs 36-41 ms packed at 4-8 lengths,
# about even at 14-16 lengths, where inference was already slower segmented.
SEGMENT_LIMIT = 8


def run_fused(module: nn.RNNBase, x: Tensor, lengths: Tensor | None, state: State | None,
              padding: str) -> tuple[Tensor, State]:
    """Run batch-first ``module`` over ``x`` ``(batch, seq_len, features)`` padded on side ``padding``.

    ``lengths`` is None or an int64 CPU tensor ``(batch,)`` already checked to lie in ``[1, seq_len]``.
    Returns torch's ``(output, final_state)``, output exactly 0 at pads and the final state taken at
    each row's true end.
    """
    if lengths is None:
        return module(x, state)
    seq_len, longest = x.size(1), int(lengths.max())
    if longest < seq_len:  # drop the columns that are pads in every row
        x = x[:, :longest] if padding == "post" else x[:, seq_len - longest:]
    if int(lengths.min()) == longest:
        output, final = module(x, state)
    else:
        if padding == "pre":
            x = roll_rows(x, lengths - longest)  # pads move to the end
        output, final = _run_post(module, x, lengths, state)
        if padding == "pre":
            output = roll_rows(output, longest - lengths)
    if longest < seq_len:
        gap = seq_len - longest
        output = F.pad(output, (0, 0, 0, gap) if padding == "post" else (0, 0, gap, 0))
    return output, final


def _run_post(module: nn.RNNBase, x: Tensor, lengths: Tensor, state: State | None) -> tuple[Tensor, State]:
    """A post-padded batch whose lengths differ; picks the fastest exact way (see the module docstring)."""
    if not module.bidirectional:
        if module.num_layers == 1 and not isinstance(module, nn.LSTM):
            return _run_gathered(module, x, lengths, state)
        if x.device.type == "cpu" and len(set(lengths.tolist())) <= SEGMENT_LIMIT:
            return _run_segments(module, x, lengths, state)
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    output, final = module(packed, state)
    output, _ = pad_packed_sequence(output, batch_first=True, total_length=x.size(1))
    return output, final


def _run_gathered(module: nn.RNNBase, x: Tensor, lengths: Tensor, state: State | None) -> tuple[Tensor, Tensor]:
    """One-layer forward rnn/gru: the final h is the output at each row's last real token."""
    output, _ = module(x, state)  # (batch, seq_len, hidden_size), exact before each row's end
    last = output[torch.arange(x.size(0), device=x.device), lengths.to(x.device) - 1]  # (batch, hidden_size)
    pads = ~valid_mask(lengths, x.size(1), "post", x.device)[..., None]  # (batch, seq_len, 1)
    return output.masked_fill(pads, 0.0), last.unsqueeze(0)


def _run_segments(module: nn.RNNBase, x: Tensor, lengths: Tensor, state: State | None) -> tuple[Tensor, State]:
    """Forward-only stack: one dense call per time span between consecutive distinct lengths.

    Rows are sorted longest first, so the rows still going form a prefix of the batch::

        lengths 5 5 3 2  ->  steps 0-1: all 4 rows, steps 2: rows 0-2, steps 3-4: rows 0-1
    """
    batch = x.size(0)
    order = lengths.argsort(descending=True, stable=True)
    sorted_lengths = lengths[order].tolist()
    x = x[order.to(x.device)]
    state = None if state is None else _rows(state, order.to(x.device))
    outputs, finished, start = [], [], 0
    for end in sorted(set(sorted_lengths)):
        active = sum(n >= end for n in sorted_lengths)  # rows still going: a prefix
        output, state = module(x[:active, start:end], None if state is None else _rows(state, slice(active)))
        outputs.append(F.pad(output, (0, 0, 0, 0, 0, batch - active)))  # (batch, end - start, hidden)
        going = sum(n > end for n in sorted_lengths)
        finished.append(_rows(state, slice(going, active)))  # rows whose last token was step end - 1
        start = end
    unsort = order.argsort().to(x.device)
    output = torch.cat(outputs, dim=1)[unsort]  # (batch, longest, hidden_size)
    parts = zip(*(f if isinstance(f, tuple) else (f,) for f in reversed(finished)), strict=True)
    final = [torch.cat(part, dim=1)[:, unsort] for part in parts]  # back from longest-first order
    return output, (tuple(final) if isinstance(state, tuple) else final[0])


def _rows(state: State, index: Tensor | slice) -> State:
    """Select batch rows (dim 1) of h, or of both h and c."""
    if isinstance(state, tuple):
        return tuple(part[:, index] for part in state)
    return state[:, index]
