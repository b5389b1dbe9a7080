"""Recurrent building blocks: transparent cells written from the equations, and a fused layer.

``RNNCell``, ``LSTMCell`` and ``GRUCell`` (in :mod:`rnnkit.nn.cells`) show the maths one step at a
time and return their gates; :class:`Recurrent` (in :mod:`rnnkit.nn.layers`) runs stacks of them over
padded batches with torch's fused kernels, and can replay the same weights through the cells.
"""

from rnnkit.nn.cells import (
    GRUCell,
    LSTMCell,
    RNNCell,
    cell_step,
    detach_state,
    gru_step,
    lstm_step,
    make_cell,
    rnn_step,
)
from rnnkit.nn.layers import Recurrent
from rnnkit.nn.masking import PADDING_SIDES, roll_rows, valid_mask

__all__ = [
    "GRUCell",
    "LSTMCell",
    "PADDING_SIDES",
    "RNNCell",
    "Recurrent",
    "cell_step",
    "detach_state",
    "gru_step",
    "lstm_step",
    "make_cell",
    "rnn_step",
    "roll_rows",
    "valid_mask",
]
