"""Which model to export and how: MODEL (a product name or a checkpoint) -> an :class:`ExportSpec`.

A spec holds the wrapper of :mod:`.graphs`, example inputs to trace it with, the names and dynamic
axes of its inputs and outputs, and a built-in *check*: real text encoded by the app itself, with the
app model's own outputs on it (the numbers an exported file must give back).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from rnnkit.apps.nextword.payload import CHECKPOINT_KIND as NEXTWORD
from rnnkit.apps.nextword.predictor import DEFAULT_MODEL_PATH as NEXTWORD_PATH
from rnnkit.apps.nextword.predictor import NextWordPredictor
from rnnkit.apps.nextword.text import encode_committed
from rnnkit.apps.sentiment.analyzer import DEFAULT_MODEL_PATH as SENTIMENT_PATH
from rnnkit.apps.sentiment.analyzer import SentimentAnalyzer
from rnnkit.apps.sentiment.config import CHECKPOINT_KIND as SENTIMENT
from rnnkit.apps.sentiment.model import SentimentModel
from rnnkit.apps.tagger.config import CHECKPOINT_KIND as TAGGER
from rnnkit.apps.tagger.tagger import DEFAULT_MODEL_PATH as TAGGER_PATH
from rnnkit.apps.tagger.tagger import Tagger
from rnnkit.apps.tagger.task import make_batch
from rnnkit.apps.tagger.text import split_words
from rnnkit.errors import CheckpointError, InputError
from rnnkit.export.graphs import NextWordStep, SentimentLogits, TaggerLogits
from rnnkit.training import load_checkpoint

__all__ = ["CHECK_TEXTS", "PRODUCTS", "ExportSpec", "check_inputs", "export_spec", "load_product", "product_of"]

PRODUCTS = (NEXTWORD, SENTIMENT, TAGGER)  # what `rnnkit export` takes (each checkpoint's "kind")
BUNDLED = {NEXTWORD: NEXTWORD_PATH, SENTIMENT: SENTIMENT_PATH, TAGGER: TAGGER_PATH}
# The built-in check: real texts of different lengths, encoded by each app as it encodes user text.
CHECK_TEXTS = {
    NEXTWORD: ["I go to school", "me and my friends go to the", "Where"],
    SENTIMENT: ["not bad at all", "The plot was dull and the acting worse, but the music is great!", "meh"],
    TAGGER: ["show me flights from boston to denver", "list the cheapest fare on delta airlines tomorrow", "flights"],
}

Inputs = tuple[Tensor, ...]


@dataclass(frozen=True)
class ExportSpec:
    """How to export one product's model (see the module docstring)."""

    product: str  # "nextword", "sentiment" or "tagger"
    module: nn.Module  # the wrapper of .graphs, in eval mode
    example: Inputs  # inputs to trace with
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    dynamic_axes: dict[str, dict[int, str]]  # name -> {axis: "batch" / "time" ...}
    checks: tuple[Inputs, ...]  # the built-in check inputs (real texts, several lengths)
    reference: Callable[..., tuple[Tensor, ...]]  # the app model's own outputs for a check input
    vocab_size: int  # words of the model's vocabulary (saved with the export; runtimes check their checkpoint)


def product_of(app: Any) -> str:
    """The product of a loaded app object (NextWordPredictor, SentimentModel/SentimentAnalyzer, Tagger).

    Raises:
        InputError: anything else, or a lexicon-only analyzer (no network to export).
    """
    if isinstance(app, NextWordPredictor):
        return NEXTWORD
    if isinstance(app, SentimentAnalyzer):
        if app.model is None:
            raise InputError("the lexicon sentiment backend has no network to export; load a learned model")
        return SENTIMENT
    if isinstance(app, SentimentModel):
        return SENTIMENT
    if isinstance(app, Tagger):
        return TAGGER
    raise InputError(f"can export a NextWordPredictor, SentimentModel or Tagger, got {type(app).__name__}")


def load_product(model: str | os.PathLike) -> tuple[str, Any]:
    """(product, loaded app) for MODEL: a product name (its bundled model) or a checkpoint file.

    Raises:
        InputError: MODEL is neither a product name nor an existing file.
        CheckpointError: the file is not an rnnkit checkpoint, or holds a model that cannot be exported.
    """
    name = os.fspath(model)
    if name in PRODUCTS and not Path(name).is_file():
        product, path = name, BUNDLED[name]
    elif Path(name).is_file():
        product, path = load_checkpoint(name)["kind"], Path(name)
        if product not in PRODUCTS:
            raise CheckpointError(f"checkpoint {name} holds a {product!r} model; rnnkit export takes "
                                  f"{', '.join(PRODUCTS)} models")
    else:
        raise InputError(f"MODEL must be {', '.join(PRODUCTS)} or a checkpoint file, got {name!r} "
                         "(no such product or file)")
    loaders = {NEXTWORD: NextWordPredictor.load, SENTIMENT: SentimentModel.load, TAGGER: Tagger.load}
    return product, loaders[product](path)


def export_spec(app: Any) -> ExportSpec:
    """The :class:`ExportSpec` of a loaded app object (see :func:`product_of`)."""
    product = product_of(app)
    if product == NEXTWORD:
        return _nextword_spec(app)
    if product == SENTIMENT:
        return _sentiment_spec(_sentiment_model(app))
    return _tagger_spec(app)


def check_inputs(app: Any, texts: list[str]) -> tuple[Inputs, ...]:
    """The exported graph's inputs for ``texts``, encoded as the app encodes them (one input tuple per text)."""
    product = product_of(app)
    if product == NEXTWORD:
        return tuple(_nextword_inputs(app, text) for text in texts)
    if product == SENTIMENT:
        return tuple((torch.tensor([ids]),) for ids in _sentiment_model(app).encode(texts))
    data = app.prepare([split_words(t) for t in texts])  # the tagger's own words -> ids (lower-casing, characters)
    return tuple(make_batch(data, [i])[:2] for i in range(len(texts)))


def _sentiment_model(app: SentimentModel | SentimentAnalyzer) -> SentimentModel:
    return app.model if isinstance(app, SentimentAnalyzer) else app


def _nextword_inputs(predictor: NextWordPredictor, text: str) -> Inputs:
    """``<eos>`` and the text's ids (as a typing session reads them) from the zero state, in one call."""
    eos = predictor.vocab.eos_id
    ids = torch.tensor([[eos, *encode_committed(text + " ", predictor.vocab, predictor.text_settings, eos)[0]]])
    state = predictor.model.init_state(1)
    return (ids, *state) if isinstance(state, tuple) else (ids, state)


def _nextword_spec(predictor: NextWordPredictor) -> ExportSpec:
    model = predictor.model
    step = NextWordStep(model).eval()
    states = ("h0", "c0") if step.is_lstm else ("h0",)
    outputs = ("logits", "h1", "c1") if step.is_lstm else ("logits", "h1")
    axes = {"ids": {0: "batch", 1: "time"}, "logits": {0: "batch"}}
    axes |= {name: {1: "batch"} for name in (*states, *outputs[1:])}
    example = _nextword_inputs(predictor, "I go to")

    def reference(ids: Tensor, *state: Tensor) -> tuple[Tensor, ...]:
        logits, final = model(ids, state if step.is_lstm else state[0])  # (B, T, V)
        return (logits[:, -1], *final) if step.is_lstm else (logits[:, -1], final)

    return ExportSpec(NEXTWORD, step, example, ("ids", *states), outputs, axes,
                      check_inputs(predictor, CHECK_TEXTS[NEXTWORD]), reference, len(predictor.vocab))


def _sentiment_spec(model: SentimentModel) -> ExportSpec:
    net = model.model

    def reference(ids: Tensor) -> tuple[Tensor]:
        return (net(ids, torch.full((ids.size(0),), ids.size(1))),)

    return ExportSpec(SENTIMENT, SentimentLogits(net).eval(), (torch.tensor([[1, 2, 3], [3, 2, 1]]),), ("ids",),
                      ("logits",), {"ids": {0: "batch", 1: "time"}, "logits": {0: "batch"}},
                      check_inputs(model, CHECK_TEXTS[SENTIMENT]), reference, len(model.vocab))


def _tagger_spec(tagger: Tagger) -> ExportSpec:
    net = tagger.model

    def reference(words: Tensor, chars: Tensor) -> tuple[Tensor]:
        return (net(words, chars, torch.tensor([words.size(1)])),)

    checks = check_inputs(tagger, CHECK_TEXTS[TAGGER])
    return ExportSpec(TAGGER, TaggerLogits(net).eval(), checks[0], ("words", "chars"), ("logits",),
                      {"words": {1: "time"}, "chars": {1: "time", 2: "chars"}, "logits": {1: "time"}},
                      checks, reference, len(tagger.parts.vocab))
