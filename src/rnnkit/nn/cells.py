"""Transparent RNN, LSTM and GRU cells, written from the equations.

This is the place to read how the three recurrent cells work. Each cell exists twice, sharing one
piece of maths:

* a pure step function (:func:`rnn_step`, :func:`lstm_step`, :func:`gru_step`) that takes the
  weights as arguments; :class:`~rnnkit.nn.layers.Recurrent` calls it on the weights of its fused
  ``torch.nn.LSTM``/``GRU``/``RNN`` when it runs its transparent path;
* an ``nn.Module`` (:class:`RNNCell`, :class:`LSTMCell`, :class:`GRUCell`) that owns its weights.

Weights use torch's names, shapes, gate order and initialisation, so a cell and the matching
``torch.nn.*Cell`` compute the same thing from the same weights::

    weight_ih  (gates * hidden_size, input_size)    LSTM gates i, f, g, o; GRU gates r, z, n
    weight_hh  (gates * hidden_size, hidden_size)
    bias_ih    (gates * hidden_size,)
    bias_hh    (gates * hidden_size,)

Notation in the docstrings: ``x`` is the input at this step, ``h``/``c`` the previous state,
``σ`` the logistic sigmoid, ``*`` the element-wise product and ``W_ii`` the rows of ``weight_ih``
belonging to gate ``i`` (likewise ``W_hi``, ``b_ii``, ``b_hi``).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rnnkit.config import CELL_TYPES, check_choice, check_int
from rnnkit.errors import InputError

__all__ = [
    "GRUCell", "LSTMCell", "RNNCell", "cell_step", "detach_state", "gru_step", "lstm_step", "make_cell", "rnn_step",
]

NONLINEARITIES = ("tanh", "relu")  # activations torch.nn.RNN offers for the plain cell
GATE_COUNT = {"rnn": 1, "lstm": 4, "gru": 3}  # blocks of hidden_size rows in weight_ih/weight_hh

State = Tensor | tuple[Tensor, Tensor]  # h for rnn/gru, (h, c) for lstm


def detach_state(state):
    """Cut a carried recurrent state from its autograd history; the values stay (truncated BPTT).

    ``state`` may be None, a tensor ``h``, or (nested) tuples/lists of tensors such as ``(h, c)``;
    the same structure comes back with every tensor detached.
    """
    if state is None:
        return None
    if isinstance(state, Tensor):
        return state.detach()
    return type(state)(detach_state(s) for s in state)


def rnn_step(x: Tensor, h: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
             b_hh: Tensor | None = None, nonlinearity: str = "tanh",
             with_gates: bool = False) -> tuple[Tensor, dict[str, Tensor]]:
    """One step of the plain (Elman) RNN::

        h' = tanh(W_ih x + b_ih + W_hh h + b_hh)      (or relu instead of tanh)

    Args:
        x: input, ``(batch, input_size)``.
        h: previous hidden state, ``(batch, hidden_size)``.
        w_ih, w_hh, b_ih, b_hh: weights laid out as in ``torch.nn.RNNCell``; biases may be None.
        nonlinearity: ``"tanh"`` or ``"relu"``.
        with_gates: also return ``{"hidden": h'}`` (the plain RNN has no gates).

    Returns:
        ``(h', gates)``; ``gates`` is empty unless ``with_gates``.
    """
    pre = F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh)  # (batch, hidden_size)
    h_new = torch.tanh(pre) if nonlinearity == "tanh" else torch.relu(pre)
    return h_new, ({"hidden": h_new} if with_gates else {})


def lstm_step(x: Tensor, h: Tensor, c: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
              b_hh: Tensor | None = None, with_gates: bool = False) -> tuple[Tensor, Tensor, dict[str, Tensor]]:
    """One step of the LSTM (Hochreiter & Schmidhuber 1997, with a forget gate)::

        i  = σ(W_ii x + b_ii + W_hi h + b_hi)      input gate: how much new content to write
        f  = σ(W_if x + b_if + W_hf h + b_hf)      forget gate: how much old memory to keep
        g  = tanh(W_ig x + b_ig + W_hg h + b_hg)   candidate: the new content
        o  = σ(W_io x + b_io + W_ho h + b_ho)      output gate: how much memory to show
        c' = f * c + i * g                         the cell (memory) is updated additively
        h' = o * tanh(c')

    Args:
        x: input, ``(batch, input_size)``.
        h, c: previous hidden and cell state, each ``(batch, hidden_size)``.
        w_ih, w_hh, b_ih, b_hh: weights in torch's gate order i, f, g, o; biases may be None.
        with_gates: also return the gates.

    Returns:
        ``(h', c', gates)``; ``gates`` holds ``forget``, ``input``, ``output``, ``candidate`` and
        ``cell`` (= c'), each ``(batch, hidden_size)``, and is empty unless ``with_gates``.
    """
    pre = F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh)  # (batch, 4 * hidden_size)
    pre_i, pre_f, pre_g, pre_o = pre.chunk(4, dim=-1)
    i, f, g, o = torch.sigmoid(pre_i), torch.sigmoid(pre_f), torch.tanh(pre_g), torch.sigmoid(pre_o)
    c_new = f * c + i * g
    h_new = o * torch.tanh(c_new)
    gates = {"forget": f, "input": i, "output": o, "candidate": g, "cell": c_new} if with_gates else {}
    return h_new, c_new, gates


def gru_step(x: Tensor, h: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
             b_hh: Tensor | None = None, with_gates: bool = False) -> tuple[Tensor, dict[str, Tensor]]:
    """One step of the GRU (Cho et al. 2014), as torch computes it::

        r  = σ(W_ir x + b_ir + W_hr h + b_hr)          reset gate: how much past to use in n
        z  = σ(W_iz x + b_iz + W_hz h + b_hz)          update gate: how much old state to keep
        n  = tanh(W_in x + b_in + r * (W_hn h + b_hn)) candidate (r applies after W_hn, as in torch)
        h' = (1 - z) * n + z * h

    Args:
        x: input, ``(batch, input_size)``.
        h: previous hidden state, ``(batch, hidden_size)``.
        w_ih, w_hh, b_ih, b_hh: weights in torch's gate order r, z, n; biases may be None.
        with_gates: also return the gates.

    Returns:
        ``(h', gates)``; ``gates`` holds ``reset``, ``update`` and ``candidate``, each
        ``(batch, hidden_size)``, and is empty unless ``with_gates``.
    """
    x_r, x_z, x_n = F.linear(x, w_ih, b_ih).chunk(3, dim=-1)  # each (batch, hidden_size)
    h_r, h_z, h_n = F.linear(h, w_hh, b_hh).chunk(3, dim=-1)
    r = torch.sigmoid(x_r + h_r)
    z = torch.sigmoid(x_z + h_z)
    n = torch.tanh(x_n + r * h_n)
    h_new = (1 - z) * n + z * h
    return h_new, ({"reset": r, "update": z, "candidate": n} if with_gates else {})


def cell_step(cell: str, x: Tensor, state: State, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
              b_hh: Tensor | None = None, nonlinearity: str = "tanh",
              with_gates: bool = False) -> tuple[State, dict[str, Tensor]]:
    """Run one step of ``cell`` ("rnn", "lstm" or "gru"); ``state`` is h, or (h, c) for "lstm".

    Returns:
        ``(new_state, gates)`` with ``new_state`` shaped like ``state``.
    """
    if cell == "lstm":
        h, c = state
        h, c, gates = lstm_step(x, h, c, w_ih, w_hh, b_ih, b_hh, with_gates)
        return (h, c), gates
    if cell == "gru":
        return gru_step(x, state, w_ih, w_hh, b_ih, b_hh, with_gates)
    return rnn_step(x, state, w_ih, w_hh, b_ih, b_hh, nonlinearity, with_gates)


class _Cell(nn.Module):
    """Weights and checks shared by the three cells; subclasses set ``kind`` and the step."""

    kind = "rnn"
    nonlinearity = "tanh"  # only RNNCell offers another

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True) -> None:
        super().__init__()
        check_int("input_size", input_size, 1)
        check_int("hidden_size", hidden_size, 1)
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        rows = GATE_COUNT[self.kind] * hidden_size
        self.weight_ih = nn.Parameter(torch.empty(rows, input_size))
        self.weight_hh = nn.Parameter(torch.empty(rows, hidden_size))
        self.bias_ih = nn.Parameter(torch.empty(rows)) if bias else None
        self.bias_hh = nn.Parameter(torch.empty(rows)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw every weight from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as torch does."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            nn.init.uniform_(weight, -bound, bound)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, bias={self.bias}"

    def zero_state(self, x: Tensor) -> State:
        """The all-zero state for the batch of ``x``."""
        h = x.new_zeros(x.size(0), self.hidden_size)  # (batch, hidden_size)
        return (h, h.clone()) if self.kind == "lstm" else h

    def forward(self, x: Tensor, state: State | None = None) -> State:
        """One step: input ``x`` ``(batch, input_size)``, ``state`` (None means zeros) -> new state.

        Raises:
            InputError: ``x`` is not ``(batch, input_size)``.
        """
        return self._step(x, state, with_gates=False)[0]

    def forward_with_gates(self, x: Tensor, state: State | None = None) -> tuple[State, dict[str, Tensor]]:
        """One step that also returns the gates: ``(new_state, gates)``; see the step function.

        Raises:
            InputError: ``x`` is not ``(batch, input_size)``.
        """
        return self._step(x, state, with_gates=True)

    def _step(self, x: Tensor, state: State | None, with_gates: bool) -> tuple[State, dict[str, Tensor]]:
        if x.dim() != 2 or x.size(1) != self.input_size:
            raise InputError(f"cell input must have shape (batch, {self.input_size}), got {tuple(x.shape)}")
        if state is None:
            state = self.zero_state(x)
        return cell_step(self.kind, x, state, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh,
                         self.nonlinearity, with_gates)


class RNNCell(_Cell):
    """Plain RNN cell, ``h' = tanh(W_ih x + b_ih + W_hh h + b_hh)``; same weights as ``torch.nn.RNNCell``.

    ``forward(x, h) -> h'``; ``forward_with_gates(x, h) -> (h', {"hidden": h'})``.
    """

    kind = "rnn"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh") -> None:
        check_choice("nonlinearity", nonlinearity, NONLINEARITIES)
        super().__init__(input_size, hidden_size, bias)
        self.nonlinearity = nonlinearity

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, nonlinearity={self.nonlinearity!r}"


class LSTMCell(_Cell):
    """LSTM cell (gates i, f, g, o; see :func:`lstm_step`); same weights as ``torch.nn.LSTMCell``.

    ``forward(x, (h, c)) -> (h', c')``; ``forward_with_gates`` also returns forget, input, output,
    candidate and cell.
    """

    kind = "lstm"


class GRUCell(_Cell):
    """GRU cell (gates r, z, n; see :func:`gru_step`); same weights as ``torch.nn.GRUCell``.

    ``forward(x, h) -> h'``; ``forward_with_gates`` also returns reset, update and candidate.
    """

    kind = "gru"


_CELLS = {"rnn": RNNCell, "lstm": LSTMCell, "gru": GRUCell}


def make_cell(cell: str, input_size: int, hidden_size: int, bias: bool = True,
              nonlinearity: str = "tanh") -> RNNCell | LSTMCell | GRUCell:
    """Build a transparent cell by name.

    Args:
        cell: ``"rnn"``, ``"lstm"`` or ``"gru"``.
        input_size, hidden_size: feature sizes, each at least 1.
        bias: whether the cell has ``bias_ih``/``bias_hh``.
        nonlinearity: ``"tanh"`` or ``"relu"``; used by ``"rnn"`` only (checked for every cell,
            so one model config fits all three).

    Raises:
        ConfigError: unknown cell, bad sizes or bad nonlinearity.
    """
    check_choice("cell", cell, CELL_TYPES)
    check_choice("nonlinearity", nonlinearity, NONLINEARITIES)
    if cell == "rnn":
        return RNNCell(input_size, hidden_size, bias, nonlinearity)
    return _CELLS[cell](input_size, hidden_size, bias)
