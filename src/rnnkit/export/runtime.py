"""ONNX Runtime inference: exported graphs behind the apps' own text handling.

The network runs in ONNX Runtime; everything around it is the app's own code, read from the model's
checkpoint (vocabulary, tokenisation, rule head, capitals), so results are the app's within float
rounding::

    OnnxNextWord("nextword.onnx").suggest("I go to sch")        # the predictor's sessions, on ORT steps
    OnnxSentiment("sentiment.onnx").probabilities(["great!"])    # SentimentModel, its network on ORT
    OnnxTagger("tagger.onnx").tag("show me flights")             # a Tagger whose forward step is ORT

``checkpoint`` must be the file that was exported (None: the bundled model); its vocabulary size is
checked against the one saved in the ONNX file. ONNX Runtime uses ``num_threads`` intra-op threads
(default 1: fastest for batch-1 steps, and fair on a shared machine).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import Tensor

from rnnkit.apps.nextword.predictor import NextWordPredictor
from rnnkit.apps.nextword.session import NextWordSession
from rnnkit.apps.nextword.text import PrefixIndex, TextSettings
from rnnkit.apps.sentiment.analyzer import DEFAULT_MODEL_PATH as SENTIMENT_PATH
from rnnkit.apps.sentiment.analyzer import SentimentAnalyzer
from rnnkit.apps.sentiment.model import SentimentModel
from rnnkit.apps.tagger.tagger import Tagger
from rnnkit.apps.tagger.task import TaggedIds, make_batch
from rnnkit.errors import CheckpointError, InputError, first_line
from rnnkit.export.onnx import METADATA_KEY, VOCAB_KEY, require_onnx
from rnnkit.text import Vocabulary

__all__ = ["OnnxGraph", "OnnxNextWord", "OnnxSentiment", "OnnxTagger"]


class OnnxGraph:
    """An ONNX file of ``rnnkit export`` in an ONNX Runtime session: ``run({name: array}) -> [array, ...]``.

    Args:
        path: the .onnx file.
        product: if given, the file must hold this product's graph.
        num_threads: ONNX Runtime intra-op threads (0: its own choice).

    Attributes:
        product, vocab_size: read from the file's metadata; input_names: the graph's inputs.

    Raises:
        RnnkitError: onnxruntime is not installed.
        CheckpointError: the file is missing, not ONNX, not from rnnkit export, or another product's.
    """

    def __init__(self, path: str | os.PathLike, product: str | None = None, num_threads: int = 1) -> None:
        require_onnx()
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = num_threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # errors only
        try:
            self.session = ort.InferenceSession(os.fspath(path), options, providers=["CPUExecutionProvider"])
        except Exception as err:  # ORT raises its own types for missing and foreign files
            raise CheckpointError(f"{path} cannot be loaded by ONNX Runtime: {first_line(err)}") from err
        meta = self.session.get_modelmeta().custom_metadata_map
        self.product = meta.get(METADATA_KEY)
        if self.product is None:
            raise CheckpointError(f"{path} is an ONNX model but not one that rnnkit export wrote")
        if product is not None and self.product != product:
            raise CheckpointError(f"{path} holds an exported {self.product!r} model, expected {product!r}")
        self.vocab_size = int(meta.get(VOCAB_KEY, "0"))
        self.input_names = [i.name for i in self.session.get_inputs()]
        self.path = path

    def run(self, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        """The graph's outputs for ``feeds`` (inputs the graph does not read, e.g. unused chars, are dropped)."""
        return self.session.run(None, {name: feeds[name] for name in self.input_names})

    def check_vocab(self, size: int, checkpoint: Any) -> None:
        """Raise CheckpointError unless the exported model's vocabulary had ``size`` words."""
        if self.vocab_size != size:
            raise CheckpointError(f"{self.path} was exported from a model of {self.vocab_size} words but the "
                                  f"checkpoint {checkpoint or '(bundled)'} has {size}; pass the exported checkpoint")


# next word ---------------------------------------------------------------------------------------------

class _OnnxEngine:
    """What a :class:`~rnnkit.apps.nextword.session.NextWordSession` reads from an engine, on ORT steps.

    ``run`` returns the next-token logits themselves as its "output" (the graph ends with the
    decoder), so ``logits`` is the identity; the state is the graph's h (and c) arrays.
    """

    def __init__(self, graph: OnnxGraph, predictor: NextWordPredictor) -> None:
        self.graph = graph
        self.vocab, self.tokens = predictor.vocab, predictor.vocab.tokens
        self.text_settings, self.truecase = predictor.text_settings, predictor.truecase
        self.prefix_index: PrefixIndex = predictor.prefix_index
        self.quantized = None
        state = predictor.model.init_state(1)
        self._zeros = tuple(s.numpy() for s in (state if isinstance(state, tuple) else (state,)))
        self.start = self.run([self.vocab.eos_id], None)

    def run(self, ids: list[int], state: Any) -> tuple[Tensor, tuple[np.ndarray, ...]]:
        names = self.graph.input_names[1:]  # h0 (and c0)
        feeds = {"ids": np.asarray([ids], dtype=np.int64), **dict(zip(names, state or self._zeros, strict=True))}
        logits, *final = self.graph.run(feeds)
        return torch.from_numpy(logits[0]), tuple(final)

    def logits(self, output: Tensor) -> Tensor:
        return output


class OnnxNextWord:
    """Next-word suggestions whose recurrent step and output layer run in ONNX Runtime.

    Args:
        onnx_path: a file from ``rnnkit export nextword --format onnx`` (float or int8).
        checkpoint: the next-word checkpoint it was exported from; None: the bundled model.
        num_threads: ONNX Runtime threads.

    Raises:
        CheckpointError: a foreign or mismatched file.
    """

    def __init__(self, onnx_path: str | os.PathLike, checkpoint: str | os.PathLike | None = None,
                 num_threads: int = 1) -> None:
        graph = OnnxGraph(onnx_path, "nextword", num_threads)
        predictor = NextWordPredictor.load(checkpoint)
        graph.check_vocab(len(predictor.vocab), checkpoint)
        self.engine = _OnnxEngine(graph, predictor)

    @property
    def vocab(self) -> Vocabulary:
        """The exported model's vocabulary (from its checkpoint)."""
        return self.engine.vocab

    @property
    def text_settings(self) -> TextSettings:
        """How text becomes tokens (from its checkpoint)."""
        return self.engine.text_settings

    def step(self, ids: Sequence[int], state: tuple[np.ndarray, ...] | None = None
             ) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        """Feed token ids from ``state`` (None: zeros): (next-token logits (vocab_size,), new state)."""
        ids = list(ids)
        if not ids or not all(isinstance(i, int | np.integer) and 0 <= i < len(self.engine.vocab) for i in ids):
            raise InputError(f"ids must be a non-empty list of ids in [0, {len(self.engine.vocab)})")
        logits, state = self.engine.run(ids, state)
        return logits.numpy(), state

    def session(self, text: str = "") -> NextWordSession:
        """A typing session (the app's own) starting with ``text``."""
        return NextWordSession(self.engine, text)

    def suggest(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        """Like :meth:`NextWordPredictor.suggest <rnnkit.apps.nextword.NextWordPredictor.suggest>`."""
        return self.session(text).suggest(k)


# sentiment ---------------------------------------------------------------------------------------------

class _OnnxNetwork:
    """Stands in for a LexiconClassifier inside a SentimentModel: ``(ids, lengths) -> logits`` on ORT."""

    takes_padding = False  # the graph has no lengths input: the model sends rows of one length

    def __init__(self, graph: OnnxGraph) -> None:
        self.graph = graph

    def eval(self) -> _OnnxNetwork:
        return self

    def __call__(self, ids: Tensor, lengths: Tensor) -> Tensor:
        return torch.from_numpy(self.graph.run({"ids": ids.numpy()})[0])  # rows of equal length: lengths = T

    def state_dict(self) -> dict:
        raise InputError("an ONNX-backed sentiment model cannot be saved; save the model it was exported from")


class OnnxSentiment:
    """Sentiment probabilities whose network runs in ONNX Runtime; tokens, VADER and the rule head are the app's.

    Attributes:
        model: a :class:`~rnnkit.apps.sentiment.model.SentimentModel` whose network is the ONNX graph
            (``SentimentAnalyzer(model)`` rates, scores and explains with it).

    Raises:
        CheckpointError: a foreign or mismatched file.
    """

    def __init__(self, onnx_path: str | os.PathLike, checkpoint: str | os.PathLike | None = None,
                 num_threads: int = 1) -> None:
        graph = OnnxGraph(onnx_path, "sentiment", num_threads)
        loaded = SentimentModel.load(checkpoint if checkpoint is not None else SENTIMENT_PATH)
        graph.check_vocab(len(loaded.vocab), checkpoint)
        self.model = SentimentModel(_OnnxNetwork(graph), loaded.vocab, loaded.config, loaded.metrics,  # type: ignore[arg-type]
                                    loaded.card, loaded.rule_head)
        self.analyzer = SentimentAnalyzer(self.model)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """(N, 3) probabilities of Negative, Neutral, Positive, as SentimentModel.probabilities gives them."""
        return self.model.probabilities(texts)

    def rate_many(self, texts: Sequence[str]) -> list[str]:
        """One label per text, as SentimentAnalyzer.rate_many gives them."""
        return self.analyzer.rate_many(texts)


# tagger ------------------------------------------------------------------------------------------------

class OnnxTagger(Tagger):
    """A :class:`~rnnkit.apps.tagger.Tagger` whose network runs in ONNX Runtime, one sentence per call.

    Text splitting, ids, punctuation by rule and tag names are the Tagger's own (:meth:`tag`,
    :meth:`tag_many`, :meth:`tag_sentences`, :meth:`result`).

    Raises:
        CheckpointError: a foreign or mismatched file.
    """

    def __init__(self, onnx_path: str | os.PathLike, checkpoint: str | os.PathLike | None = None,
                 num_threads: int = 1) -> None:
        graph = OnnxGraph(onnx_path, "tagger", num_threads)
        parts = Tagger.load(checkpoint).parts
        graph.check_vocab(len(parts.vocab), checkpoint)
        super().__init__(parts)
        self.graph = graph

    def _forward(self, data: TaggedIds) -> list[np.ndarray]:
        best = []
        for i in range(len(data.words)):
            words, chars, _, _ = make_batch(data, [i])  # (1, T), (1, T, W)
            logits = self.graph.run({"words": words.numpy(), "chars": chars.numpy()})[0]  # (1, T, num_tags)
            best.append(logits[0].argmax(-1))
        return best
