"""What gets exported: one small ``nn.Module`` per product, built from the trained model's own pieces.

Each wrapper calls torch's ``nn.LSTM``/``nn.GRU``/``nn.RNN`` modules directly (the ``fused`` module of
a :class:`~rnnkit.nn.Recurrent`), with explicit initial states, so both exporters see plain recurrent
ops (ONNX ``LSTM``/``GRU``/``RNN``) instead of :mod:`rnnkit.nn.fused`'s Python-side length handling::

    NextWordStep      ids (B, T), h0 (L, B, H)[, c0]  ->  logits (B, V) at the last position, h1[, c1]
    SentimentLogits   ids (B, T), every row T real tokens (no padding)  ->  logits (B, 5)
    TaggerLogits      words (1, T), chars (1, T, W) of one sentence  ->  logits (1, T, num_tags)

Each gives its model's own numbers (tests check 1e-4 against the model's ``forward``).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from rnnkit.apps.tagger.model import PAD_ID, TaggerNet
from rnnkit.models import LanguageModel
from rnnkit.models.lexicon_classifier import LexiconClassifier

__all__ = ["NextWordStep", "SentimentLogits", "TaggerLogits", "zero_state"]


def zero_state(rnn: nn.Module, x: Tensor) -> Tensor | tuple[Tensor, Tensor]:
    """The explicit all-zero initial state of ``rnn`` for the batch of ``x`` (B, T, F): h, or (h, c).

    ``rnn`` is a torch RNN module or its int8 twin (:func:`rnnkit.nn.quantize.quantize_int8`), which is
    not an ``nn.LSTM`` instance but has the same ``mode``.
    """
    layers = rnn.num_layers * (2 if rnn.bidirectional else 1)
    h = x.new_zeros(layers, x.size(0), rnn.hidden_size)  # (layers * directions, B, H)
    return (h, h) if rnn.mode == "LSTM" else h


class NextWordStep(nn.Module):
    """One next-word step from a given state: ``(ids, h0[, c0]) -> (logits of the last position, h1[, c1])``.

    The embedding, recurrent module and decoder of a :class:`~rnnkit.models.LanguageModel`, as the
    next-word engine runs them (dropout is off at inference). ``c0``/``c1`` exist for an LSTM only.
    """

    def __init__(self, model: LanguageModel) -> None:
        super().__init__()
        self.embedding = model.encoder
        self.rnn = model.rnn.fused  # batch-first nn.LSTM / nn.GRU / nn.RNN
        self.decoder = model.decoder
        self.is_lstm = isinstance(self.rnn, nn.LSTM)

    def forward(self, ids: Tensor, h0: Tensor, c0: Tensor | None = None) -> tuple[Tensor, ...]:
        state = (h0, c0) if self.is_lstm else h0
        output, state = self.rnn(self.embedding(ids), state)  # (B, T, H)
        logits = self.decoder(output[:, -1])  # (B, V)
        return (logits, *state) if self.is_lstm else (logits, state)


class SentimentLogits(nn.Module):
    """A :class:`~rnnkit.models.lexicon_classifier.LexiconClassifier` on rows of equal length: ids -> logits.

    The sentiment app runs its texts in batches of one exact length (no padding), so pooling over the
    true tokens is pooling over every position: ``[max over T ; mean over T]`` of the recurrent output.
    """

    def __init__(self, model: LexiconClassifier) -> None:
        super().__init__()
        self.model = model.eval()  # its inputs(): word and lexicon vectors, and negation-scope features if any
        self.rnn = model.rnn.fused
        self.head = model.head

    def forward(self, ids: Tensor) -> Tensor:
        x = self.model.inputs(ids)  # (B, T, E + F [+ 2])
        output, _ = self.rnn(x, zero_state(self.rnn, x))  # (B, T, dirs * H)
        # max over T as GlobalMaxPool: ONNX Runtime's ReduceMax over the time axis took 6x as long
        # (305 vs 40 + 28 us for the transpose, a batch of 43 x 21 tokens), 14% of the whole graph
        channels = output.transpose(1, 2)  # (B, dirs * H, T)
        top = torch.nn.functional.adaptive_max_pool1d(channels, 1).flatten(1)  # (B, dirs * H)
        return self.head(torch.cat([top, output.mean(dim=1)], dim=1))  # (B, num_classes)


def _one_direction(rnn: nn.RNNBase, reverse: bool) -> nn.RNNBase:
    """A one-layer, one-direction copy of ``rnn``'s layer 0 (its reverse direction if ``reverse``)."""
    kwargs = {"batch_first": True, "bias": rnn.bias}
    if isinstance(rnn, nn.RNN):
        kwargs["nonlinearity"] = rnn.nonlinearity
    copy = type(rnn)(rnn.input_size, rnn.hidden_size, **kwargs)
    suffix = "_l0_reverse" if reverse else "_l0"
    with torch.no_grad():
        for name, _ in copy.named_parameters():
            getattr(copy, name).copy_(getattr(rnn, name.removesuffix("_l0") + suffix))
    return copy.eval()


class TaggerLogits(nn.Module):
    """A :class:`~rnnkit.apps.tagger.model.TaggerNet` on one sentence: ``(words, chars) -> tag logits``.

    The character features are computed inside the graph, each word's characters read in both
    directions and the final states joined, as the tagger does. Words are post-padded with
    ``<pad>`` to the longest word W; the backward direction reads each word reversed within its own
    length, so both final states are exact without packing::

        chars  s h o w .  ->  forward reads s h o w, its state after "w" (position length - 1)
               w o h s .  ->  backward weights read the reversed word, state after "s" likewise
    """

    def __init__(self, net: TaggerNet) -> None:
        super().__init__()
        self.embedding = net.embedding
        self.char_embedding = net.char_embedding
        if net.char_encoder is not None:
            self.char_forward = _one_direction(net.char_encoder.fused, reverse=False)
            self.char_backward = _one_direction(net.char_encoder.fused, reverse=True)
        self.encoder = net.encoder.fused  # bidirectional, num_layers deep
        self.output = net.output

    def forward(self, words: Tensor, chars: Tensor) -> Tensor:
        features = self.embedding(words)  # (1, T, E)
        if self.char_embedding is not None:
            features = torch.cat([features, self._char_features(chars[0]).unsqueeze(0)], dim=-1)  # (1, T, E + 2C)
        hidden, _ = self.encoder(features, zero_state(self.encoder, features))  # (1, T, 2H)
        return self.output(hidden)  # (1, T, num_tags)

    def _char_features(self, chars: Tensor) -> Tensor:
        """(T, W) character ids -> (T, 2C): [forward's last state ; backward's last state] per word."""
        lengths = (chars != PAD_ID).sum(dim=1).clamp(min=1)  # (T,)
        steps = torch.arange(chars.size(1)).unsqueeze(0)  # (1, W)
        ends = lengths.unsqueeze(1)  # (T, 1)
        reverse = torch.where(steps < ends, ends - 1 - steps, steps)  # (T, W): each word reversed, pads stay
        last = (ends - 1).unsqueeze(2)  # (T, 1, 1)
        finals = []
        for rnn, ids in ((self.char_forward, chars), (self.char_backward, chars.gather(1, reverse))):
            x = self.char_embedding(ids)  # (T, W, char_embedding_dim)
            output, _ = rnn(x, zero_state(rnn, x))  # (T, W, C)
            finals.append(output.gather(1, last.expand(-1, 1, output.size(2))).squeeze(1))  # (T, C)
        return torch.cat(finals, dim=1)
