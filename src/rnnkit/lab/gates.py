"""Explain an LSTM's gates on a text: forget, input and output activations per token, from the real model.

The gates come from the model's own weights run through the transparent cells
(:meth:`~rnnkit.nn.layers.Recurrent.forward_with_gates`, which calls the same
:func:`~rnnkit.nn.cells.lstm_step` as :class:`~rnnkit.nn.cells.LSTMCell`); the report also
carries how far those hidden states are from the fused layer's, which should be ~1e-7::

    report = explain_gates("I go to school")      # the bundled next-word LSTM; model="my.pt" for another
    print(report.summary())                       # which words open or close each gate
    report.write("lab_results")                   # gates.png (heatmaps) and gates.csv
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from rnnkit.errors import ConfigError, InputError
from rnnkit.lab.common import out_dir, write_csv

__all__ = ["GATE_NAMES", "MAX_TOKENS", "GateReport", "explain_gates"]

GATE_NAMES = ("forget", "input", "output")  # the gates shown; "candidate" and "cell" are in report.gates too
MAX_TOKENS = 60  # more would make the heatmap's columns unreadable
LATCH_THRESHOLD = 0.9  # a unit whose forget gate stays above this at every token keeps its memory
GATE_MEANING = {"forget": "1 = keep the old memory", "input": "1 = write the new word in",
                "output": "1 = show the memory"}


@dataclass(frozen=True)
class GateReport:
    """Gate activations of one LSTM layer over a text.

    ``gates`` maps forget, input, output, candidate and cell to (tokens, hidden_size) arrays;
    ``hidden`` is the layer's output (tokens, hidden_size); ``max_difference`` the largest
    |transparent - fused| over the last layer's outputs and every layer's final (h, c).
    """

    tokens: list[str]  # as the model reads them; "?" marks a word outside its vocabulary (<unk>)
    gates: dict[str, np.ndarray]
    hidden: np.ndarray
    layer: int  # 1-based
    num_layers: int
    model_name: str
    max_difference: float

    def means(self) -> dict[str, np.ndarray]:
        """The mean over units of each shown gate, per token: name -> (tokens,)."""
        return {name: self.gates[name].mean(axis=1) for name in GATE_NAMES}

    def summary(self) -> str:
        """A per-token table of mean gate values and one line per gate: where it opens and closes most."""
        means, width = self.means(), max(8, *(len(t) for t in self.tokens)) + 2
        units = self.gates["forget"].shape[1]
        lines = [f"LSTM gates of {self.model_name}, layer {self.layer} of {self.num_layers} ({units} units); "
                 "mean over units per token:", f"{'token':<{width}}" + "".join(f"{n:>8}" for n in GATE_NAMES)]
        for i, token in enumerate(self.tokens):
            lines.append(f"{token:<{width}}" + "".join(f"{means[n][i]:8.3f}" for n in GATE_NAMES))
        lines.append("")
        for name in GATE_NAMES:
            hi, lo = int(means[name].argmax()), int(means[name].argmin())
            lines.append(f"{name} gate ({GATE_MEANING[name]}): most open at {self.tokens[hi]!r} "
                         f"({means[name][hi]:.2f}), most closed at {self.tokens[lo]!r} ({means[name][lo]:.2f})")
        latched = int((self.gates["forget"] > LATCH_THRESHOLD).all(axis=0).sum())
        lines.append(f"units whose forget gate stays above {LATCH_THRESHOLD} at every token (they keep their "
                     f"memory across the whole text): {latched} of {units}")
        lines.append(f"fused layer vs transparent cells: max |hidden state difference| = {self.max_difference:.1e}")
        return "\n".join(lines)

    def rows(self) -> list[list[object]]:
        """CSV rows: position, token, then mean, min and max of each shown gate over the units."""
        rows: list[list[object]] = []
        for i, token in enumerate(self.tokens):
            row: list[object] = [i + 1, token]
            for name in GATE_NAMES:
                values = self.gates[name][i]
                row += [float(values.mean()), float(values.min()), float(values.max())]
            rows.append(row)
        return rows

    def write(self, folder: str | Path) -> list[Path]:
        """Write ``gates.csv`` and ``gates.png`` into ``folder``; return their paths."""
        from rnnkit.lab.plots import plot_gates

        folder = out_dir(folder)
        header = ["position", "token"] + [f"{n}_{s}" for n in GATE_NAMES for s in ("mean", "min", "max")]
        csv_path = write_csv(folder / "gates.csv", header, self.rows())
        return [csv_path, plot_gates(self, folder / "gates.png")]


def explain_gates(text: str, model: str | os.PathLike | None = None, layer: int | None = None) -> GateReport:
    """Run a next-word LSTM over ``text`` (after a sentence start) and collect its gates per token.

    Args:
        text: the words to read, at most :data:`MAX_TOKENS` tokens; line breaks count as spaces.
        model: a next-word model file (``rnnkit train nextword``); None: the bundled model.
        layer: which layer's gates, 1-based; None: the last (closest to the prediction).

    Returns:
        A :class:`GateReport`.

    Raises:
        InputError: ``text`` is not a str, has no tokens or too many, or the model is not an LSTM.
        ConfigError: ``layer`` is out of range.
        NotTrainedError: no model given and none bundled.
        CheckpointError: the model file cannot be used.
    """
    from rnnkit.apps.nextword.predictor import NextWordPredictor

    if not isinstance(text, str):
        raise InputError(f"text must be a str, got {type(text).__name__}")
    predictor = NextWordPredictor.load(model)
    lm, vocab = predictor.model, predictor.vocab
    if lm.config.cell != "lstm":
        raise InputError(f"explain gates needs an LSTM model; this one is a {lm.config.cell}")
    num_layers = lm.config.num_layers
    layer = num_layers if layer is None else layer
    if isinstance(layer, bool) or not isinstance(layer, int) or not 1 <= layer <= num_layers:
        raise ConfigError(f"layer must be an integer from 1 to {num_layers}, got {layer!r}")
    words = predictor.text_settings.tokens(" ".join(text.split()))
    if not words or len(words) > MAX_TOKENS:
        raise InputError(f"text must hold 1 to {MAX_TOKENS} tokens, got {len(words)}")
    ids = vocab.encode(words)
    with torch.no_grad():
        x = lm.encoder(torch.tensor([[vocab.eos_id, *ids]]))  # (1, 1 + tokens, embedding_dim): <eos> starts it
        fused, fused_state = lm.rnn(x)
        clear, clear_state, gates = lm.rnn.forward_with_gates(x)
    pairs = [(fused, clear), *zip(fused_state, clear_state, strict=True)]  # outputs, then every layer's final h, c
    difference = max(float((a - b).abs().max()) for a, b in pairs)
    tokens = [w if i != vocab.unk_id else f"{w}?" for w, i in zip(words, ids, strict=True)]
    chosen = {name: value[0, 1:].numpy() for name, value in gates[layer - 1][0].items()}  # drop the <eos> step
    hidden = chosen["output"] * np.tanh(chosen["cell"])  # h = o * tanh(c), the layer's output
    name = "the bundled next-word model" if model is None else Path(model).name
    return GateReport(tokens, chosen, hidden, layer, num_layers, name, difference)
