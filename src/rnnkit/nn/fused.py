"""Running torch's fused RNN/LSTM/GRU over padded batches of variable-length sequences, fast on CPU.

``pack_padded_sequence`` is the textbook answer, but on CPU packed input falls off oneDNN onto slower
per-step code: training measured 1.5-4x slower than padded input on this project's 2-core machine
(``bench/fused_paths.py`` re-measures it: ``packed`` beside ``run_fused``). So :func:`run_fused`
packs only when nothing better is exact::

    columns that are pads in every row      trimmed off first, put back as zeros at the end
    all rows of equal length                one dense call
    "pre" padding                           rows rotated to "post" (roll_rows), outputs rotated back
    1 layer, 1 direction, rnn/gru           one dense call, final h gathered at lengths-1, pads zeroed:
                                            the pads come after the real tokens, so cannot reach them
    1 direction, <= SEGMENT_LIMIT lengths,  one dense call per time span between distinct lengths,
    on CPU                                  over the rows still going, carrying their state (cuDNN
                                            runs packed input natively, so GPUs pack instead)
    2 directions, on CPU, when autograd     each layer and direction as its own one-direction call on
    records: <= SEGMENT_LIMIT lengths;      that direction's weights, in segments as above; the
    without: lstm only, <= INFERENCE_       backward direction reads each row reversed within its
    DIRECTION_LIMIT lengths                 length (pads stay at the end) and its output is turned back
    otherwise (more lengths, GPUs)          pack_padded_sequence: lower layers' final h and an LSTM's c
                                            are not in the output, so every row must stop at its end

Batches bucketed by length therefore run near the padded speed. ``python bench/fused_paths.py``
(bidirectional ``nn.LSTM`` E 300 H 150, batch 64, 1 thread, 2-core Xeon, ms per batch, medians of 5)::

    distinct lengths            training fwd+bwd                  inference
                             padded packed  this module    padded packed  this module
    2 (19-20, bucketed)        47     70     48 (1.47x)       11.5   14.9   12.9 (1.16x)
    3 (30-32, bucketed)        70    125     70 (1.78x)       18.5   24.3   21.3 (1.14x)
    4 (10-13, bucketed)        24     38     31 (1.21x)        7.8    9.1    8.9 (packs)
    8 (40-47)                 107    215    120 (1.79x)       27.0   34.5   33.3 (packs)
    ~30 (random 2-55)         122    185    185 (packs)       32.7   26.2   25.7 (packs)

Direction by direction beyond those limits (``--segment-limit 64 --inference-limit 64``): training
still won at 12-16 lengths (1.40x) and random 2-55 (1.16x) but lost with all 32 lengths distinct at
E 100 H 128 batch 32 (0.71x: one-step segments); inference lost from 4 lengths at that size (0.90x),
and at 12 lengths here (0.88x). A GRU (no oneDNN kernel on CPU) trained 1.2-1.7x faster direction by
direction at 2-8 lengths but inferred 0.92-0.98x as fast as packed, so it packs without autograd.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import torch
import torch.nn.functional as F
from torch import _VF, Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from rnnkit.nn.cells import State
from rnnkit.nn.masking import roll_rows, valid_mask

__all__ = ["INFERENCE_DIRECTION_LIMIT", "SEGMENT_LIMIT", "run_fused", "run_module"]

# Most distinct lengths run as dense segments; beyond this packing wins. Measured with an LSTM
# (batch 32, 60 steps, 100 -> 128): training 13-15 ms segmented vs 36-41 ms packed at 4-8 lengths,
# about even at 14-16 lengths, where inference was already slower segmented. Since segments are cut
# with split (see _run_segments), training won at 12-16 lengths too (2 layers, E 100 H 128, batch 32:
# 1.4x) but inference lost (0.77x), and one-step segments lost both; bidirectional: the table above.
SEGMENT_LIMIT = 8
# Most distinct lengths a bidirectional LSTM runs direction by direction without autograd: twice the
# calls of one direction, so oneDNN's fixed cost per call shows sooner (1.14-1.21x faster than packed
# at 2-3 lengths, 0.90-1.04x at 4-8).
INFERENCE_DIRECTION_LIMIT = 3

Step = Callable[[Tensor, State | None], tuple[Tensor, State]]  # (x, state or None) -> (output, final state)

# The fused kernels nn.RNNBase.forward itself calls, by nn.RNNBase.mode. Given one direction's weight
# list they run that direction alone on the module's own parameters (no copies; gradients reach
# them) through the same oneDNN path. torch.func.functional_call on a one-direction module per
# (layer, direction) is exact too but measured no faster (bench/fused_paths.py, column functional).
_KERNELS = {"LSTM": _VF.lstm, "GRU": _VF.gru, "RNN_TANH": _VF.rnn_tanh, "RNN_RELU": _VF.rnn_relu}
# One time step of one layer, on the module's own weights (what the plain CPU kernels run per step).
_CELLS = {"LSTM": _VF.lstm_cell, "GRU": _VF.gru_cell, "RNN_TANH": _VF.rnn_tanh_cell, "RNN_RELU": _VF.rnn_relu_cell}
_FLOAT_MODULES = (nn.LSTM, nn.GRU, nn.RNN)  # exactly these types: an int8 module runs its own kernels


def run_module(module: nn.RNNBase, x: Tensor, state: State | None) -> tuple[Tensor, State]:
    """``module(x, state)`` for batch-first ``x``; one time step on a CPU without autograd goes layer by layer.

    oneDNN, torch's default CPU path for a float ``nn.LSTM``, re-lays-out the weights on every call,
    which costs more than a single step's arithmetic. The cell kernels (``lstm_cell``, ``gru_cell``
    ...) on the module's own weights give the same numbers (up to float rounding) without it, and
    without switching oneDNN off for the whole process. On the bundled next-word model (2 x 200, 1
    thread, 2-core AMD EPYC, medians): a keystroke step 117 us against 303 us through the module
    with oneDNN and 128 us with it switched off; 32 rows, one step: 656 against 1,008 us. Longer
    inputs stay with the module, where oneDNN is the faster (20 steps of one row: 822 us against
    2,493 us step by step).
    """
    if x.size(1) == 1 and _steps_by_cell(module, x):
        return _one_step(module, x, state)
    return module(x, state)


def _steps_by_cell(module: nn.RNNBase, x: Tensor) -> bool:
    return (type(module) in _FLOAT_MODULES and not module.training and module.batch_first
            and not module.bidirectional and not module.proj_size and x.device.type == "cpu"
            and not torch.is_grad_enabled())


def _one_step(module: nn.RNNBase, x: Tensor, state: State | None) -> tuple[Tensor, State]:
    """One step ``x`` (batch, 1, features) of a forward, batch-first stack, by the cell kernels."""
    cell, lstm = _CELLS[module.mode], module.mode == "LSTM"
    if state is None:
        zeros = x.new_zeros(module.num_layers, x.size(0), module.hidden_size)
        state = (zeros, zeros) if lstm else zeros
    h_in, c_in = state if lstm else (state, None)
    layer_input, hs, cs = x[:, 0], [], []
    for layer, weights in enumerate(module.all_weights):
        if lstm:
            h, c = cell(layer_input, (h_in[layer], c_in[layer]), *weights)
            cs.append(c)
        else:
            h = cell(layer_input, h_in[layer], *weights)
        hs.append(h)
        layer_input = h  # eval mode: no dropout between layers
    final = torch.stack(hs)
    return layer_input.unsqueeze(1), ((final, torch.stack(cs)) if lstm else final)


def run_fused(module: nn.RNNBase, x: Tensor, lengths: Tensor | None, state: State | None,
              padding: str, final: bool = True) -> tuple[Tensor, State | None]:
    """Run batch-first ``module`` over ``x`` ``(batch, seq_len, features)`` padded on side ``padding``.

    ``lengths`` is None or an int64 CPU tensor ``(batch,)`` already checked to lie in ``[1, seq_len]``.
    Returns torch's ``(output, final_state)``, output exactly 0 at pads and the final state taken at
    each row's true end.

    ``final=False``: the caller needs only the output (a classifier that pools it). Then, on CPU
    without autograd, a batch of mixed lengths runs each layer and direction as one dense call over
    the padded rows (the backward direction reversed within each row's length), whatever the number
    of lengths: the output at every real token is exact, since pads come after the real tokens in
    both directions, and pads are zeroed afterwards. Eight sentiment texts of eight lengths took
    0.54 ms this way against 0.87 ms packed (bundled model, 1 thread). The final state may then be None.
    """
    if lengths is None:
        return run_module(module, x, state)
    seq_len, longest = x.size(1), int(lengths.max())
    if longest < seq_len:  # drop the columns that are pads in every row
        x = x[:, :longest] if padding == "post" else x[:, seq_len - longest:]
    if int(lengths.min()) == longest:
        output, final = module(x, state)
    else:
        if padding == "pre":
            x = roll_rows(x, lengths - longest)  # pads move to the end
        output, final = _run_post(module, x, lengths, state, need_final=final)
        if padding == "pre":
            output = roll_rows(output, longest - lengths)
    if longest < seq_len:
        gap = seq_len - longest
        output = F.pad(output, (0, 0, 0, gap) if padding == "post" else (0, 0, gap, 0))
    return output, final


def _run_post(module: nn.RNNBase, x: Tensor, lengths: Tensor, state: State | None,
              need_final: bool = True) -> tuple[Tensor, State | None]:
    """A post-padded batch whose lengths differ; picks the fastest exact way (see the module docstring)."""
    if (not need_final and x.device.type == "cpu" and isinstance(module, nn.RNNBase)
            and not getattr(module, "proj_size", 0) and not torch.is_grad_enabled()):
        output, _ = _run_directions(module, x, lengths, state, run=_run_dense)
        pads = ~valid_mask(lengths, x.size(1), "post", x.device)[..., None]  # (batch, seq_len, 1)
        return output.masked_fill(pads, 0.0), None
    if module.num_layers == 1 and not module.bidirectional and module.mode != "LSTM":  # int8 LSTMs too
        return _run_gathered(module, x, lengths, state)
    if x.device.type == "cpu":
        distinct = len(set(lengths.tolist()))
        if not module.bidirectional and distinct <= SEGMENT_LIMIT:
            return _run_sorted(partial(_run_segments, module), x, lengths, state)
        if module.bidirectional and distinct <= _direction_limit(module, x) and not getattr(module, "proj_size", 0):
            return _run_sorted(partial(_run_directions, module), x, lengths, state)
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    output, final = module(packed, state)
    output, _ = pad_packed_sequence(output, batch_first=True, total_length=x.size(1))
    return output, final


def _direction_limit(module: nn.RNNBase, x: Tensor) -> int:
    """Most distinct lengths for which a bidirectional module runs direction by direction (else it packs)."""
    if torch.is_grad_enabled() and (x.requires_grad or module.weight_ih_l0.requires_grad):
        return SEGMENT_LIMIT  # training: the backward pass through packed input is the slow part
    return INFERENCE_DIRECTION_LIMIT if isinstance(module, nn.LSTM) else 0


def _run_sorted(run: Callable[[Tensor, Tensor, State | None], tuple[Tensor, State]], x: Tensor,
                lengths: Tensor, state: State | None) -> tuple[Tensor, State]:
    """``run(x, lengths, state)`` on the rows sorted longest first, then the rows put back in order."""
    if bool((lengths[:-1] >= lengths[1:]).all()):  # already sorted, as rnnkit.text.bucket_batches makes them
        return run(x, lengths, state)
    order = lengths.argsort(descending=True, stable=True)
    rows = order.to(x.device)
    output, final = run(x[rows], lengths[order], None if state is None else _rows(state, rows))
    unsort = order.argsort().to(x.device)
    return output[unsort], _rows(final, unsort)


def _run_gathered(module: nn.RNNBase, x: Tensor, lengths: Tensor, state: State | None) -> tuple[Tensor, Tensor]:
    """One-layer forward rnn/gru: the final h is the output at each row's last real token."""
    output, _ = module(x, state)  # (batch, seq_len, hidden_size), exact before each row's end
    last = output[torch.arange(x.size(0), device=x.device), lengths.to(x.device) - 1]  # (batch, hidden_size)
    pads = ~valid_mask(lengths, x.size(1), "post", x.device)[..., None]  # (batch, seq_len, 1)
    return output.masked_fill(pads, 0.0), last.unsqueeze(0)


def _run_segments(step: Step, x: Tensor, lengths: Tensor, state: State | None) -> tuple[Tensor, State]:
    """Forward-only stack over rows sorted longest first: one dense call per span between distinct lengths.

    The rows still going form a prefix of the batch::

        lengths 5 5 3 2  ->  steps 0-1: all 4 rows, steps 2: rows 0-2, steps 3-4: rows 0-1
    """
    batch, lengths = x.size(0), lengths.tolist()
    ends = sorted(set(lengths))
    # split, not x[:, start:end]: the backward pass then joins the pieces' gradients once instead of
    # adding one zero-filled gradient the size of x per segment
    pieces = x.split([end - start for start, end in zip([0, *ends], ends, strict=False)], dim=1)
    outputs, finished = [], []
    for piece, end in zip(pieces, ends, strict=True):
        active = sum(n >= end for n in lengths)  # rows still going: a prefix
        if active < batch:  # never in the first span, which every row reaches: state is set by then
            piece, state = piece[:active], _rows(state, slice(active))
        output, state = step(piece, state)
        outputs.append(F.pad(output, (0, 0, 0, 0, 0, batch - active)))  # (batch, end - start, hidden)
        going = sum(n > end for n in lengths)
        finished.append(_rows(state, slice(going, active)))  # rows whose last token was step end - 1
    parts = zip(*(f if isinstance(f, tuple) else (f,) for f in reversed(finished)), strict=True)
    final = [torch.cat(part, dim=1) for part in parts]  # back to longest-first order
    return torch.cat(outputs, dim=1), (tuple(final) if isinstance(state, tuple) else final[0])


def _run_dense(step: Step, x: Tensor, lengths: Tensor, state: State | None) -> tuple[Tensor, State]:
    """One call over every row as if full: exact outputs before each row's end, no exact final state."""
    return step(x, state)


def _run_directions(module: nn.RNNBase, x: Tensor, lengths: Tensor, state: State | None,
                    run: Callable[..., tuple[Tensor, State]] = _run_segments) -> tuple[Tensor, State]:
    """Each layer and direction as its own one-layer forward call, rows sorted longest first.

    The backward direction reads each row reversed within its length, so its pads stay at the end::

        x  a b c .  ->  c b a .  ->  forward pass  ->  output reversed back the same way
    """
    directions = 2 if module.bidirectional else 1
    flip = _flip_index(lengths.to(x.device), x.size(1))  # (batch * seq_len,)
    finals, layer_input = [], x  # layer_input (batch, seq_len, features)
    for layer in range(module.num_layers):
        if layer and module.dropout and module.training:  # like torch: between layers, when training
            layer_input = F.dropout(layer_input, module.dropout, training=True)
        outputs = []
        for direction in range(directions):
            index = slice(layer * directions + direction, layer * directions + direction + 1)
            start = None if state is None else _layers(state, index)
            step = _direction_step(module, layer, reverse=direction == 1)
            if direction:
                output, final = run(step, _flip(layer_input, flip), lengths, start)
                output = _flip(output, flip)
            else:
                output, final = run(step, layer_input, lengths, start)
            outputs.append(output)  # (batch, seq_len, hidden_size)
            finals.append(final if isinstance(final, tuple) else (final,))
        layer_input = torch.cat(outputs, dim=-1)  # (batch, seq_len, directions * hidden_size)
    final = [torch.cat(part) for part in zip(*finals, strict=True)]  # torch's order: l0, l0 reverse, l1, ...
    return layer_input, (tuple(final) if isinstance(module, nn.LSTM) else final[0])


def _direction_step(module: nn.RNNBase, layer: int, reverse: bool) -> Step:
    """Run one layer in one direction of ``module`` forward, on that direction's own weights."""
    suffix = f"_l{layer}" + ("_reverse" if reverse else "")
    names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh") if module.bias else ("weight_ih", "weight_hh")
    weights = [getattr(module, name + suffix) for name in names]
    kernel = _KERNELS[module.mode]

    def step(x: Tensor, state: State | None) -> tuple[Tensor, State]:
        if state is None:
            h = x.new_zeros(1, x.size(0), module.hidden_size)
            state = (h, h) if module.mode == "LSTM" else h
        # positional: (input, hx, weights, has_biases, num_layers, dropout, train, bidirectional, batch_first)
        result = kernel(x, state, weights, module.bias, 1, 0.0, module.training, False, True)
        return (result[0], tuple(result[1:])) if module.mode == "LSTM" else result

    return step


def _flip_index(lengths: Tensor, seq_len: int) -> Tensor:
    """``(batch * seq_len,)`` source positions reversing each row within its length, pads left in place."""
    steps = torch.arange(seq_len, device=lengths.device)  # (seq_len,)
    ends = lengths[:, None]  # (batch, 1)
    source = torch.where(steps < ends, ends - 1 - steps, steps)  # (batch, seq_len): step within the row
    return (source + seq_len * torch.arange(len(lengths), device=lengths.device)[:, None]).flatten()


def _flip(x: Tensor, index: Tensor) -> Tensor:
    """Reverse each row of ``x`` ``(batch, seq_len, features)`` within its length (its own inverse)."""
    # whole feature rows: index_select copies them faster than gather copies elements
    return x.reshape(-1, x.size(2)).index_select(0, index).view(x.shape)


def _rows(state: State, index: Tensor | slice) -> State:
    """Select batch rows (dim 1) of h, or of both h and c."""
    if isinstance(state, tuple):
        return tuple(part[:, index] for part in state)
    return state[:, index]


def _layers(state: State, index: slice) -> State:
    """Select layer-directions (dim 0) of h, or of both h and c."""
    if isinstance(state, tuple):
        return tuple(part[index] for part in state)
    return state[index]
