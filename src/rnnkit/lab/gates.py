"""Explain a gated RNN on a text: an LSTM's forget, input and output gates, or a GRU's reset and update
gates, per token, from the real model.

The gates come from the model's own weights run through the transparent cells
(:meth:`~rnnkit.nn.layers.Recurrent.forward_with_gates`, which calls the same
:func:`~rnnkit.nn.cells.lstm_step` / :func:`~rnnkit.nn.cells.gru_step` as the cells); the report also
carries how far those hidden states are from the fused layer's, which should be ~1e-7::

    p = NextWordPredictor.load()                  # any loaded LSTM or GRU language model and its vocabulary
    report = explain_gates(p.text_settings.tokens("I go to school"), p.model, p.vocab)
    print(report.summary())                       # which words open or close each gate
    report.write("lab_results")                   # gates.png (heatmaps) and gates.csv

A GRU's update gate plays the LSTM forget gate's part (near 1: the unit keeps its state, as torch
computes ``h' = (1 - z) * n + z * h``); its reset gate says how much of the old state shapes the
new candidate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from rnnkit.errors import ConfigError, InputError
from rnnkit.lab.common import out_dir, write_csv
from rnnkit.models import LanguageModel
from rnnkit.text import Vocabulary

__all__ = ["CELL_GATES", "GATE_NAMES", "GRU_GATE_NAMES", "MAX_TOKENS", "GateReport", "explain_gates"]

GATE_NAMES = ("forget", "input", "output")  # an LSTM's gates shown; "candidate" and "cell" are in report.gates too
GRU_GATE_NAMES = ("reset", "update")  # a GRU's gates shown; "candidate" is in report.gates too
CELL_GATES = {"lstm": GATE_NAMES, "gru": GRU_GATE_NAMES}  # a plain RNN has no gate to show
# The gate whose value near 1 keeps a unit's memory: h' = (1 - z) * n + z * h for the GRU (torch's form).
MEMORY_GATE = {"lstm": "forget", "gru": "update"}
_ARTICLE = {"lstm": "an", "gru": "a"}  # "an LSTM", "a GRU", as they are read aloud
MAX_TOKENS = 60  # more would make the heatmap's columns unreadable
LATCH_THRESHOLD = 0.9  # a unit whose memory gate stays above this at every token keeps its memory
GATE_MEANING = {"forget": "1 = keep the old memory", "input": "1 = write the new word in",
                "output": "1 = show the memory", "reset": "1 = let the old state shape the new candidate",
                "update": "1 = keep the old state, 0 = take the new candidate"}


@dataclass(frozen=True)
class GateReport:
    """Gate activations of one LSTM or GRU layer over a text.

    ``gates`` maps forget, input, output, candidate and cell (LSTM) or reset, update and candidate
    (GRU) to (tokens, hidden_size) arrays; ``hidden`` is the layer's output (tokens, hidden_size);
    ``max_difference`` the largest |transparent - fused| over the last layer's outputs and every
    layer's final state.
    """

    tokens: list[str]  # as the model reads them; "?" marks a word outside its vocabulary (<unk>)
    gates: dict[str, np.ndarray]
    hidden: np.ndarray
    layer: int  # 1-based
    num_layers: int
    model_name: str
    max_difference: float
    cell: str = "lstm"  # "lstm" or "gru": which gates ``gates`` holds

    @property
    def gate_names(self) -> tuple[str, ...]:
        """The gates shown: forget, input, output (LSTM) or reset, update (GRU)."""
        return CELL_GATES[self.cell]

    @property
    def memory_gate(self) -> str:
        """The gate whose value near 1 keeps a unit's memory: forget (LSTM) or update (GRU)."""
        return MEMORY_GATE[self.cell]

    def means(self) -> dict[str, np.ndarray]:
        """The mean over units of each shown gate, per token: name -> (tokens,)."""
        return {name: self.gates[name].mean(axis=1) for name in self.gate_names}

    def summary(self) -> str:
        """A per-token table of mean gate values and one line per gate: where it opens and closes most."""
        means, width, names = self.means(), max(8, *(len(t) for t in self.tokens)) + 2, self.gate_names
        units = self.gates[self.memory_gate].shape[1]
        lines = [f"{self.cell.upper()} gates of {self.model_name}, layer {self.layer} of {self.num_layers} "
                 f"({units} units); mean over units per token:",
                 f"{'token':<{width}}" + "".join(f"{n:>8}" for n in names)]
        for i, token in enumerate(self.tokens):
            lines.append(f"{token:<{width}}" + "".join(f"{means[n][i]:8.3f}" for n in names))
        lines.append("")
        for name in names:
            hi, lo = int(means[name].argmax()), int(means[name].argmin())
            lines.append(f"{name} gate ({GATE_MEANING[name]}): most open at {self.tokens[hi]!r} "
                         f"({means[name][hi]:.2f}), most closed at {self.tokens[lo]!r} ({means[name][lo]:.2f})")
        latched = int((self.gates[self.memory_gate] > LATCH_THRESHOLD).all(axis=0).sum())
        lines.append(f"units whose {self.memory_gate} gate stays above {LATCH_THRESHOLD} at every token (they keep "
                     f"their memory across the whole text): {latched} of {units}")
        lines.append(f"fused layer vs transparent cells: max |hidden state difference| = {self.max_difference:.1e}")
        return "\n".join(lines)

    def rows(self) -> list[list[object]]:
        """CSV rows: position, token, then mean, min and max of each shown gate over the units."""
        rows: list[list[object]] = []
        for i, token in enumerate(self.tokens):
            row: list[object] = [i + 1, token]
            for name in self.gate_names:
                values = self.gates[name][i]
                row += [float(values.mean()), float(values.min()), float(values.max())]
            rows.append(row)
        return rows

    def write(self, folder: str | Path) -> list[Path]:
        """Write ``gates.csv`` and ``gates.png`` into ``folder``; return their paths."""
        from rnnkit.lab.gates_plot import plot_gate_report

        folder = out_dir(folder)
        header = ["position", "token"] + [f"{n}_{s}" for n in self.gate_names for s in ("mean", "min", "max")]
        csv_path = write_csv(folder / "gates.csv", header, self.rows())
        return [csv_path, plot_gate_report(self, folder / "gates.png")]


def explain_gates(tokens: Sequence[str], model: LanguageModel, vocab: Vocabulary, layer: int | None = None, *,
                  model_name: str | None = None) -> GateReport:
    """Run a loaded LSTM or GRU language model over ``tokens`` (after a sentence start) and collect its gates.

    The lab takes loaded models and never reads an app's files: for the bundled next-word model,
    ``p = NextWordPredictor.load()`` and ``explain_gates(p.text_settings.tokens(text), p.model, p.vocab)``
    (what ``rnnkit explain gates`` does).

    Args:
        tokens: the words to read, as the model's vocabulary spells them; at most :data:`MAX_TOKENS`.
        model: a :class:`~rnnkit.models.LanguageModel` with an LSTM or a GRU.
        vocab: its vocabulary, with ``<bos>``/``<eos>`` (the text is read after ``<eos>``).
        layer: which layer's gates, 1-based; None: the last (closest to the prediction).
        model_name: how the summary names the model (default: "an LSTM language model", or GRU).

    Returns:
        A :class:`GateReport`.

    Raises:
        InputError: no tokens or too many, a model that is not an LSTM or GRU language model (a plain
            RNN has no gates), or a vocabulary that does not fit it.
        ConfigError: ``layer`` is out of range.
    """
    if isinstance(tokens, str) or not isinstance(tokens, list | tuple) or not all(isinstance(t, str) for t in tokens):
        raise InputError(f"tokens must be a list of str (tokenize the text first), got {type(tokens).__name__}")
    if not isinstance(model, LanguageModel) or not isinstance(vocab, Vocabulary) or not vocab.has_bos_eos:
        raise InputError("explain gates needs a LanguageModel and its Vocabulary with <bos>/<eos>")
    cell = model.config.cell
    if cell not in CELL_GATES:
        raise InputError(f"explain gates needs an LSTM or GRU model; this one is a plain {cell}, which has no gates")
    if model.config.vocab_size != len(vocab):
        raise InputError(f"the model has {model.config.vocab_size} ids but the vocabulary {len(vocab)}")
    num_layers = model.config.num_layers
    layer = num_layers if layer is None else layer
    if isinstance(layer, bool) or not isinstance(layer, int) or not 1 <= layer <= num_layers:
        raise ConfigError(f"layer must be an integer from 1 to {num_layers}, got {layer!r}")
    if not tokens or len(tokens) > MAX_TOKENS:
        raise InputError(f"text must hold 1 to {MAX_TOKENS} tokens, got {len(tokens)}")
    ids = vocab.encode(list(tokens))
    with torch.no_grad():
        x = model.encoder(torch.tensor([[vocab.eos_id, *ids]]))  # (1, 1 + tokens, embedding_dim): <eos> starts it
        fused, fused_state = model.rnn(x)
        clear, clear_state, gates = model.rnn.forward_with_gates(x)
    pairs = [(fused, clear), *zip(fused_state, clear_state, strict=True)]  # outputs, then every layer's final h, c
    difference = max(float((a - b).abs().max()) for a, b in pairs)
    shown = [w if i != vocab.unk_id else f"{w}?" for w, i in zip(tokens, ids, strict=True)]
    steps = {name: value[0].numpy() for name, value in gates[layer - 1][0].items()}  # (1 + tokens, hidden_size)
    chosen = {name: value[1:] for name, value in steps.items()}  # drop the <eos> step
    title = model_name if model_name is not None else f"{_ARTICLE[cell]} {cell.upper()} language model"
    return GateReport(shown, chosen, _layer_output(cell, steps)[1:], layer, num_layers, title, difference, cell)


def _layer_output(cell: str, gates: dict[str, np.ndarray]) -> np.ndarray:
    """The layer's output (steps, hidden_size) rebuilt from its gates, from a zero start state."""
    if cell == "lstm":
        return gates["output"] * np.tanh(gates["cell"])  # h = o * tanh(c)
    h, out = np.zeros_like(gates["update"][0]), []
    for z, n in zip(gates["update"], gates["candidate"], strict=True):
        h = (1 - z) * n + z * h  # h' = (1 - z) * n + z * h, as torch's GRU
        out.append(h)
    return np.stack(out)
