"""The recurrent layer every rnnkit model uses: fused torch kernels, the same maths unrolled on demand.

:class:`Recurrent` keeps its weights in one ``torch.nn.LSTM``/``GRU``/``RNN`` (``batch_first=True``)
called ``fused``, with torch's names ``weight_ih_l{k}`` / ``weight_ih_l{k}_reverse``. Two paths read
those same weights:

* the fused path (``forward``): torch's kernels, fast;
* the transparent path (``forward_with_gates``, or ``forward`` when ``transparent`` is True): a
  Python loop over time calling :func:`~rnnkit.nn.cells.cell_step`, which also returns the gates.

How the fused path runs batches with ``lengths`` without packing where it can: :mod:`rnnkit.nn.fused`.
The transparent path needs none of this: a mask freezes the state on pads, whichever side they are.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rnnkit.config import CELL_TYPES, check_choice, check_int
from rnnkit.errors import ConfigError, InputError
from rnnkit.nn.cells import NONLINEARITIES, State, cell_step
from rnnkit.nn.fused import run_fused
from rnnkit.nn.masking import check_lengths, check_padding, valid_mask

__all__ = ["Recurrent"]

Gates = list[list[dict[str, Tensor]]]  # [layer][direction] -> name -> (batch, seq_len, hidden_size)


def _fused_module(cell: str, input_size: int, hidden_size: int, num_layers: int, bidirectional: bool,
                  dropout: float, nonlinearity: str) -> nn.RNNBase:
    # torch warns about dropout with one layer; here that is normal (models also drop out elsewhere).
    kwargs = {"num_layers": num_layers, "bidirectional": bidirectional, "batch_first": True,
              "dropout": dropout if num_layers > 1 else 0.0}
    if cell == "rnn":
        return nn.RNN(input_size, hidden_size, nonlinearity=nonlinearity, **kwargs)
    return (nn.LSTM if cell == "lstm" else nn.GRU)(input_size, hidden_size, **kwargs)


class Recurrent(nn.Module):
    """A stack of RNN, LSTM or GRU layers over batch-first input, with variable lengths on either side.

    Args:
        cell: ``"rnn"``, ``"lstm"`` or ``"gru"``.
        input_size: features per step of the input.
        hidden_size: size of the state per direction.
        num_layers: stacked layers; layer k+1 reads layer k's output.
        bidirectional: also read each sequence right to left; outputs are ``[forward, backward]``.
        dropout: dropout on each layer's output except the last, in training mode only. Allowed
            with one layer, where it does nothing (torch would warn; rnnkit models use the same
            ``dropout`` on embeddings too, so this is a normal configuration).
        nonlinearity: ``"tanh"`` or ``"relu"`` for ``"rnn"``; checked but unused by lstm/gru.

    The arguments are kept as attributes, with ``num_directions`` (1 or 2), ``output_size``
    (``num_directions * hidden_size``, the last dimension of the output), ``fused`` (the torch
    module holding every weight) and ``transparent`` (False; set it to True to make ``forward``
    run the unrolled cells, slower but the same maths).

    Example::

        layer = Recurrent("lstm", input_size=50, hidden_size=64, num_layers=2, bidirectional=True)
        output, (h, c) = layer(x, lengths)  # x (batch, seq_len, 50) -> output (batch, seq_len, 128)

    Raises:
        ConfigError: any argument is out of range.
    """

    def __init__(self, cell: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bidirectional: bool = False, dropout: float = 0.0, nonlinearity: str = "tanh") -> None:
        super().__init__()
        check_choice("cell", cell, CELL_TYPES)
        check_int("input_size", input_size, 1)
        check_int("hidden_size", hidden_size, 1)
        check_int("num_layers", num_layers, 1)
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0.0 <= dropout < 1.0:
            raise ConfigError(f"dropout must be a number >= 0 and < 1, got {dropout!r}")
        check_choice("nonlinearity", nonlinearity, NONLINEARITIES)
        self.cell = cell
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bool(bidirectional)
        self.num_directions = 2 if bidirectional else 1
        self.output_size = hidden_size * self.num_directions
        self.dropout = float(dropout)
        self.nonlinearity = nonlinearity
        self.transparent = False  # True: forward() runs the unrolled cells (for tests and teaching)
        self.fused = _fused_module(cell, input_size, hidden_size, num_layers, self.bidirectional,
                                   self.dropout, nonlinearity)

    def extra_repr(self) -> str:
        return (f"{self.cell!r}, {self.input_size}, {self.hidden_size}, num_layers={self.num_layers}, "
                f"bidirectional={self.bidirectional}, transparent={self.transparent}")

    def init_state(self, batch_size: int, device: torch.device | None = None,
                   dtype: torch.dtype | None = None) -> State:
        """All-zero state: h ``(num_layers * num_directions, batch, hidden_size)``, or (h, c) for lstm.

        ``device`` and ``dtype`` default to those of the weights.
        """
        weight = self.fused.weight_ih_l0
        shape = (self.num_layers * self.num_directions, batch_size, self.hidden_size)
        h = torch.zeros(shape, device=device or weight.device, dtype=dtype or weight.dtype)
        return (h, h.clone()) if self.cell == "lstm" else h

    def forward(self, x: Tensor, lengths: Any = None, state: State | None = None,
                padding: str = "post", final: bool = True) -> tuple[Tensor, State | None]:
        """Run the layers over a batch.

        Args:
            x: ``(batch, seq_len, input_size)`` float.
            lengths: None (every row is full) or ``(batch,)`` integers in ``[1, seq_len]``.
            state: None (zeros), or torch's layout: h ``(num_layers * num_directions, batch,
                hidden_size)``, or a tuple (h, c) for lstm.
            padding: ``"post"`` (pads at the end) or ``"pre"`` (pads at the start).
            final: False when only the output is needed; the fused path may then skip the work of
                exact final states for mixed lengths (:func:`~rnnkit.nn.fused.run_fused`) and return None.

        Returns:
            ``(output, final_state)``: output ``(batch, seq_len, num_directions * hidden_size)``,
            exactly 0 at pads; final_state laid out like ``state``, taken at each row's last real
            token (the backward direction's at its first).

        Raises:
            InputError: bad shapes, lengths, state or padding.
        """
        lengths, state = self._check_inputs(x, lengths, state, padding)
        if self.transparent:
            output, final, _ = self._run_transparent(x, lengths, state, padding, with_gates=False)
            return output, final
        return run_fused(self.fused, x, lengths, state, padding, final)

    def forward_with_gates(self, x: Tensor, lengths: Any = None, state: State | None = None,
                           padding: str = "post") -> tuple[Tensor, State, Gates]:
        """Like :meth:`forward` through the transparent cells, also returning every gate.

        Returns:
            ``(output, final_state, gates)``; ``gates[layer][direction]`` maps a gate name (lstm:
            forget, input, output, candidate, cell; gru: reset, update, candidate; rnn: hidden)
            to ``(batch, seq_len, hidden_size)``, indexed by position in the input and 0 at pads.

        Raises:
            InputError: bad shapes, lengths, state or padding.
        """
        lengths, state = self._check_inputs(x, lengths, state, padding)
        return self._run_transparent(x, lengths, state, padding, with_gates=True)

    def _check_inputs(self, x: Any, lengths: Any, state: Any, padding: Any) -> tuple[Tensor | None, State | None]:
        check_padding(padding)
        if not isinstance(x, Tensor) or x.dim() != 3:
            shape = tuple(x.shape) if isinstance(x, Tensor) else type(x).__name__
            raise InputError(f"x must be a 3-D tensor (batch, seq_len, input_size), got {shape}")
        if x.size(2) != self.input_size:
            raise InputError(f"x must have input_size={self.input_size} features, got {x.size(2)}")
        if not x.is_floating_point():
            raise InputError(f"x must be a float tensor, got dtype {x.dtype}")
        if x.size(0) < 1 or x.size(1) < 1:
            raise InputError(f"x must hold at least one sequence of one step, got shape {tuple(x.shape)}")
        if state is not None:
            state = self._check_state(state, x.size(0))
        if lengths is not None:
            lengths = check_lengths(lengths, x.size(0), x.size(1))
        return lengths, state

    def _check_state(self, state: Any, batch_size: int) -> State:
        if self.cell == "lstm":
            if not isinstance(state, (tuple, list)) or len(state) != 2:
                raise InputError(f"state of an lstm must be a tuple (h, c), got {type(state).__name__}")
            state = tuple(state)
        elif not isinstance(state, Tensor):
            raise InputError(f"state of a {self.cell} must be a tensor h, got {type(state).__name__}")
        expected = (self.num_layers * self.num_directions, batch_size, self.hidden_size)
        for name, part in zip("hc", state if self.cell == "lstm" else (state,), strict=False):
            if not isinstance(part, Tensor) or tuple(part.shape) != expected:
                got = tuple(part.shape) if isinstance(part, Tensor) else type(part).__name__
                raise InputError(f"state {name} must have shape {expected}, got {got}")
        return state

    # -- transparent path ------------------------------------------------------------------------

    def _weights(self, layer: int, direction: int) -> tuple[Tensor, ...]:
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        return tuple(getattr(self.fused, name + suffix) for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))

    def _run_transparent(self, x: Tensor, lengths: Tensor | None, state: State | None, padding: str,
                         with_gates: bool) -> tuple[Tensor, State, Gates]:
        mask = None if lengths is None else valid_mask(lengths, x.size(1), padding, x.device)  # (batch, seq_len)
        if state is None:
            state = self.init_state(x.size(0), x.device, x.dtype)
        parts = state if self.cell == "lstm" else (state,)
        finals: list[list[Tensor]] = [[] for _ in parts]  # per state part: one (batch, hidden) per layer*dir
        gates: Gates = []
        layer_input = x  # (batch, seq_len, features)
        for layer in range(self.num_layers):
            outputs, layer_gates = [], []
            for direction in range(self.num_directions):
                index = layer * self.num_directions + direction
                start = tuple(p[index] for p in parts) if self.cell == "lstm" else parts[0][index]
                out, end, step_gates = self._unroll(layer_input, mask, start, self._weights(layer, direction),
                                                    reverse=direction == 1, with_gates=with_gates)
                outputs.append(out)
                layer_gates.append(step_gates)
                for kept, value in zip(finals, end if self.cell == "lstm" else (end,), strict=True):
                    kept.append(value)
            layer_input = torch.cat(outputs, dim=-1)  # (batch, seq_len, num_directions * hidden_size)
            if layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.fused.dropout, self.training)
            gates.append(layer_gates)
        stacked = [torch.stack(kept) for kept in finals]  # each (num_layers * num_directions, batch, hidden)
        final = tuple(stacked) if self.cell == "lstm" else stacked[0]
        return layer_input, final, gates

    def _unroll(self, x: Tensor, mask: Tensor | None, state: State, weights: tuple[Tensor, ...], reverse: bool,
                with_gates: bool) -> tuple[Tensor, State, dict[str, Tensor]]:
        """One layer in one direction, step by step; pads leave the state as it was and output 0."""
        seq_len = x.size(1)
        outputs: list[Tensor] = [x] * seq_len  # placeholders, each replaced by (batch, hidden_size)
        step_gates: list[dict[str, Tensor]] = [{}] * seq_len
        for t in (reversed(range(seq_len)) if reverse else range(seq_len)):
            new, gates = cell_step(self.cell, x[:, t], state, *weights, self.nonlinearity, with_gates)
            if mask is not None:
                keep = mask[:, t, None]  # (batch, 1)
                new = _where(keep, new, state)
                gates = {name: value.masked_fill(~keep, 0.0) for name, value in gates.items()}
            state = new
            h = state[0] if self.cell == "lstm" else state
            outputs[t] = h if mask is None else h.masked_fill(~keep, 0.0)
            step_gates[t] = gates
        stacked = {name: torch.stack([g[name] for g in step_gates], dim=1) for name in step_gates[0]}
        return torch.stack(outputs, dim=1), state, stacked


def _where(keep: Tensor, new: State, old: State) -> State:
    if isinstance(new, tuple):
        return tuple(torch.where(keep, n, o) for n, o in zip(new, old, strict=True))
    return torch.where(keep, new, old)
