"""The next-word engine: one language model ready for batch-1 steps, and what a typing session reads.

A :class:`~rnnkit.apps.nextword.NextWordPredictor` holds one :class:`Engine`; each
:class:`~rnnkit.apps.nextword.session.NextWordSession` takes it and keeps its own recurrent state.
The engine holds no per-session state, so any number of sessions share one.

The step is the model's own weights (embedding, ``nn.LSTM``, decoder) called directly under
``torch.inference_mode()``; a one-token step runs the LSTM layer by layer through torch's cell
kernels (:func:`~rnnkit.nn.fused.run_module`), ~2.6x faster at batch 1 than the module through oneDNN,
which re-lays-out the weights on every call.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from rnnkit.apps.nextword.text import PrefixIndex, TextSettings
from rnnkit.config import check_choice
from rnnkit.models import LanguageModel
from rnnkit.nn.fused import run_module
from rnnkit.nn.quantize import QUANTIZE_CHOICES, quantize_int8
from rnnkit.text import Vocabulary

__all__ = ["Engine"]


class Engine:
    """Runs a :class:`~rnnkit.models.LanguageModel` one token stream at a time (batch 1).

    Args:
        model: the language model (put in eval mode; its device is where the steps run).
        vocab: its vocabulary, with ``<bos>``/``<eos>``.
        text_settings: how text becomes tokens; default TextSettings().
        truecase: display forms of lower-cased words ("i" -> "I").

    Attributes (read by sessions, never written after construction):
        model, vocab, text_settings, truecase: as given.
        tokens: id -> token (kept: ``Vocabulary.tokens`` builds a new tuple per call).
        prefix_index: the vocabulary's words in spelling order (completions, specials left out).
        start: ``(output, state)`` after one ``<eos>``, where every session starts (a sentence start).
    """

    def __init__(self, model: LanguageModel, vocab: Vocabulary, text_settings: TextSettings | None = None,
                 truecase: dict[str, str] | None = None) -> None:
        self.model = model.eval()
        self.vocab = vocab
        self.tokens = vocab.tokens
        self.text_settings = text_settings = text_settings or TextSettings()
        self.truecase = dict(truecase or {})
        self.prefix_index = PrefixIndex(vocab, text_settings.lower)
        self._embedding = model.encoder.weight  # (vocab_size, embedding_dim)
        self._rnn = model.rnn.fused  # batch-first nn.LSTM / nn.GRU / nn.RNN holding the weights
        self._decoder = model.decoder
        self.quantized: str | None = None
        self.start = self.run([vocab.eos_id], None)

    def quantize(self, scheme: str = "int8") -> None:
        """Run the steps with int8 weights (the LSTM and the decoder; the model itself is unchanged).

        Calling it again changes nothing.

        Raises:
            ConfigError: an unknown scheme.
        """
        check_choice("quantize", scheme, QUANTIZE_CHOICES)
        if self.quantized == scheme:  # already: quantizing int8 modules again would only copy them
            return
        self._rnn = quantize_int8(self._rnn)
        self._decoder = quantize_int8(self._decoder)
        self.quantized = scheme
        self.start = self.run([self.vocab.eos_id], None)

    def run(self, ids: list[int], state: Any) -> tuple[Tensor, Any]:
        """Feed ``ids`` from ``state`` (None: zeros); return (last output (hidden_size,), new state)."""
        with torch.inference_mode():
            if len(ids) == 1:  # the common keystroke: a view of one row, no index tensor to build
                x = self._embedding[ids[0]].view(1, 1, -1)  # (1, 1, embedding_dim)
            else:
                x = F.embedding(torch.tensor([ids]), self._embedding)  # (1, T, embedding_dim)
            output, state = run_module(self._rnn, x, state)  # (1, T, hidden_size)
            return output[0, -1], state

    def run_many(self, id_lists: list[list[int]]) -> Tensor:
        """The last output (N, hidden_size) after feeding each id list from :attr:`start` (batched).

        Lists of similar length run as one batch, shorter ones padded at the end (a batch's longest list is
        at most twice its shortest plus 8 ids, which bounds the padding): the network reads left to right, so
        a row's output at its own last id is what its own :meth:`run` gives, up to float rounding (one
        call for a service's mixed batch instead of one per length). An empty list gives the start output.
        """
        outputs = self.start[0].expand(len(id_lists), -1).clone()
        groups: list[list[int]] = []  # rows in length order; a group's longest at most 2 x its shortest + 8
        for row in sorted((r for r, ids in enumerate(id_lists) if ids), key=lambda r: len(id_lists[r])):
            if groups and len(id_lists[row]) <= 2 * len(id_lists[groups[-1][0]]) + 8:
                groups[-1].append(row)
            else:
                groups.append([row])
        with torch.inference_mode():
            for rows in groups:
                lengths = [len(id_lists[r]) for r in rows]
                padded = [id_lists[r] + [0] * (lengths[-1] - n) for r, n in zip(rows, lengths, strict=True)]
                x = F.embedding(torch.tensor(padded), self._embedding)  # (B, T, E)
                output = run_module(self._rnn, x, _expand_state(self.start[1], len(rows)))[0]  # (B, T, H)
                outputs[rows] = output[torch.arange(len(rows)), torch.tensor(lengths) - 1]
        return outputs

    def logits(self, output: Tensor) -> Tensor:
        """Next-token logits (vocab_size,) from one output of :meth:`run`."""
        with torch.inference_mode():
            return self._decoder(output.unsqueeze(0))[0]  # (1, H): the int8 linear layer takes only batches

    def logits_many(self, outputs: Tensor) -> Tensor:
        """Next-token logits (N, vocab_size) from (N, hidden_size) outputs: one matrix product for all."""
        with torch.inference_mode():
            return self._decoder(outputs)


def _expand_state(state: Any, batch: int) -> Any:
    """A batch-1 recurrent state ((layers, 1, H), or an LSTM's pair of them) repeated for ``batch`` rows."""
    if isinstance(state, tuple):
        return tuple(part.expand(-1, batch, -1).contiguous() for part in state)
    return state.expand(-1, batch, -1).contiguous()
