"""The English-to-French translator: text in, French text out, by beam search or greedy decoding.

Three steps, each testable on its own: :meth:`Translator.prepare` (text -> source ids, capped at
:data:`~.config.MAX_SOURCE_TOKENS`), the model (:meth:`~rnnkit.models.Seq2Seq.beam_decode` or
:meth:`~rnnkit.models.Seq2Seq.greedy_decode`), and :meth:`Translator.format` (ids -> French text).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from rnnkit.apps.translator.config import (
    DEFAULT_BEAM,
    LENGTH_PENALTY,
    MAX_OUTPUT_TOKENS,
    MAX_SOURCE_TOKENS,
    TranslatorConfig,
)
from rnnkit.apps.translator.payload import CHECKPOINT_KIND, TranslatorParts, build_payload, read_payload
from rnnkit.apps.translator.text import detokenize, tokenize
from rnnkit.apps.translator.train import Pairs, train_parts
from rnnkit.config import check_choice, check_int
from rnnkit.errors import InputError
from rnnkit.nn.quantize import QUANTIZE_CHOICES, int8_copy
from rnnkit.training import load_product, save_checkpoint

__all__ = ["DEFAULT_MODEL_PATH", "MAX_BEAM", "MAX_TEXTS", "Translator"]

DEFAULT_MODEL_PATH = Path(__file__).resolve().parents[2] / "pretrained" / "translator.pt"  # the bundled model
MAX_BEAM = 20  # widest beam accepted (time grows with the width)
MAX_TEXTS = 1000  # most texts one translate_many call takes
DECODE_BATCH = 256  # decoder rows per batch (sentences x beam width)


def _until_eos(ids: list[int], eos_id: int) -> list[int]:
    """The ids before the first ``eos_id`` (greedy rows go on with <pad> after it)."""
    return ids[:ids.index(eos_id)] if eos_id in ids else ids


class Translator:
    """Translate English sentences to French with a trained encoder-decoder.

    Build one with :meth:`load` (the bundled model by default) or :meth:`train`.
    """

    def __init__(self, parts: TranslatorParts) -> None:
        self.parts = parts
        self.model = parts.model.eval()
        self.quantized: str | None = None  # "int8" after quantize()
        self._network = self.model  # what decode_ids runs: the model, or its int8 copy

    @classmethod
    def train(cls, pairs: Pairs, config: TranslatorConfig | None = None, **options: Any) -> Translator:
        """Train a translator on a pairs file or a list of pairs (default config: the bundled model's recipe).

        ``options`` are :func:`~.train.train_parts`'s keywords (valid, split, checkpoint_path,
        resume_from, callbacks); see it for the errors.
        """
        return cls(train_parts(pairs, config if config is not None else TranslatorConfig(), **options))

    @classmethod
    def load(cls, path: str | os.PathLike | None = None, quantize: str | None = None) -> Translator:
        """Load a translator saved by :meth:`save` (or a Trainer checkpoint of :meth:`train`).

        Args:
            path: the checkpoint; None loads the bundled model, :data:`DEFAULT_MODEL_PATH`.
            quantize: "int8" translates with int8 weights (:meth:`quantize`); None keeps float32.

        Raises:
            NotTrainedError: ``path`` is None and no model is bundled.
            CheckpointError: the file is missing, unreadable, not a translator checkpoint or inconsistent.
            ConfigError: ``quantize`` is not "int8" or None.
        """
        payload, path = load_product(path, DEFAULT_MODEL_PATH, "translator", "rnnkit train translator --data fra.txt",
                                     CHECKPOINT_KIND, quantize)
        translator = cls(read_payload(payload, path))
        if quantize is not None:
            translator.quantize(quantize)
        return translator

    def quantize(self, scheme: str = "int8") -> None:
        """Translate with int8 weights (:func:`~rnnkit.nn.quantize.quantize_int8`).

        Swapped: the encoder and decoder GRU/LSTM, the bridge, both attention layers and the output
        layer, every weight matrix of a decoding step. A plain-RNN cell (``cell="rnn"``) has no int8
        kernel in torch and stays float32; so do the embeddings (looked up, not multiplied) and the
        attention's score and context products, which multiply activations, not weights. :attr:`model`
        keeps its float weights (:meth:`save` writes them); an int8 copy that shares its embeddings runs
        the decoding. Calling it again changes nothing.

        Each input is quantized on the fly with a scale taken from its whole batch, so a sentence can
        come out slightly differently alone and among others (287 of 300 Tatoeba test sentences
        identical, greedy); float32 translates it the same either way.

        Raises:
            ConfigError: an unknown scheme.
        """
        check_choice("quantize", scheme, QUANTIZE_CHOICES)
        if self.quantized == scheme:
            return
        embeddings = (self.model.src_embedding.weight, self.model.tgt_embedding.weight)
        # the attention module: its key and combine layers; absent layers (no attention, no bridge) are skipped
        self._network = int8_copy(self.model, ("encoder.fused", "decoder.fused", "bridge_h", "bridge_c", "head",
                                               "attention"), shared=embeddings)
        self.quantized = scheme

    def save(self, path: str | os.PathLike, *, weights_dtype: str = "float32") -> Path:
        """Write the translator to one checkpoint file (atomically); ``weights_dtype="float16"`` halves it.

        Raises:
            CheckpointError: the file cannot be written.
            InputError: ``weights_dtype`` is not float32 or float16.
        """
        return save_checkpoint(path, build_payload(self.parts, weights_dtype=weights_dtype))

    @property
    def metrics(self) -> dict[str, Any]:
        """Training metrics recorded in the checkpoint."""
        return self.parts.metrics

    def translate(self, text: str, beam: int = DEFAULT_BEAM, max_len: int | None = None) -> dict[str, Any]:
        """Translate one English text.

        Args:
            text: the English sentence (at most :data:`~.text.MAX_INPUT_CHARS` characters; words after the
                first :data:`~.config.MAX_SOURCE_TOKENS` are not read).
            beam: beam width; 1 decodes greedily.
            max_len: most French tokens; None allows twice the source plus 10, at most
                :data:`~.config.MAX_OUTPUT_TOKENS`.

        Returns:
            ``{"text", "translation", "beam", "tokens", "unknown", "truncated"}``: the input, the French
            text, the beam width used, the French tokens, the input words the model does not know, and
            whether the input was cut.

        Raises:
            InputError: ``text`` is not a str, is empty or has no words, is too long, or bad ``beam``/``max_len``.
        """
        return self.translate_many([text], beam=beam, max_len=max_len)[0]

    def translate_many(self, texts: Sequence[str], beam: int = DEFAULT_BEAM,
                       max_len: int | None = None) -> list[dict[str, Any]]:
        """:meth:`translate` each of ``texts`` (at most :data:`MAX_TEXTS`); one result per text, in order.

        Raises:
            InputError: as :meth:`translate`, naming the bad text's index; or ``texts`` is not a list of str.
        """
        if isinstance(texts, str) or not isinstance(texts, list | tuple):
            raise InputError(f"texts must be a list of str, got {type(texts).__name__}")
        if len(texts) > MAX_TEXTS:
            raise InputError(f"at most {MAX_TEXTS} texts per call, got {len(texts)}")
        check_int("beam", beam, 1, MAX_BEAM, error=InputError)
        if max_len is not None:
            check_int("max_len", max_len, 1, MAX_OUTPUT_TOKENS, error=InputError)
        prepared = []
        for i, text in enumerate(texts):
            try:
                prepared.append(self.prepare(text))
            except InputError as err:
                raise InputError(f"text {i}: {err}" if len(texts) > 1 else str(err)) from err
        outputs = self.decode_ids([ids for ids, _ in prepared], beam, max_len)
        results = []
        for text, (ids, tokens), output in zip(texts, prepared, outputs, strict=True):
            unknown = [t for t in tokens[:len(ids)] if t not in self.parts.source_vocab]
            results.append(self.format(text, output, beam, unknown=list(dict.fromkeys(unknown)),
                                       truncated=len(tokens) > len(ids)))
        return results

    def prepare(self, text: str) -> tuple[list[int], list[str]]:
        """(source ids, at most MAX_SOURCE_TOKENS; all the tokens of ``text``).

        Raises:
            InputError: ``text`` is not a str, too long, or holds no words.
        """
        tokens = tokenize(text)
        if not tokens:
            raise InputError("text is empty; give an English sentence to translate")
        return self.parts.source_vocab.encode(tokens[:MAX_SOURCE_TOKENS]), tokens

    @torch.no_grad()
    def decode_ids(self, sources: Sequence[list[int]], beam: int = DEFAULT_BEAM,
                   max_len: int | None = None) -> list[list[int]]:
        """French ids (no <bos>/<eos>) for each list of source ids, decoded in batches of equal length.

        Sentences of the same length share a batch (no padding, one output limit), so a sentence is
        translated the same alone or among others (in float32; nearly so after :meth:`quantize`).
        ``max_len`` None allows twice the source plus 10 tokens, at most :data:`~.config.MAX_OUTPUT_TOKENS`.
        """
        vocab = self.parts.target_vocab
        banned = (vocab.pad_id, vocab.unk_id, vocab.bos_id)  # never write <unk>: the next best word reads better
        outputs: list[list[int]] = [[] for _ in sources]
        by_length: dict[int, list[int]] = {}
        for i, ids in enumerate(sources):
            by_length.setdefault(len(ids), []).append(i)
        size = max(1, DECODE_BATCH // beam)
        for length, rows in sorted(by_length.items()):
            limit = max_len or min(MAX_OUTPUT_TOKENS, 2 * length + 10)
            for start in range(0, len(rows), size):
                chunk = rows[start:start + size]
                src = torch.tensor([sources[i] for i in chunk], dtype=torch.int64)
                if beam == 1:
                    found = self._network.greedy_decode(src, None, limit, vocab.bos_id, vocab.eos_id, banned).tolist()
                else:
                    found = self._network.beam_decode(src, None, limit, vocab.bos_id, vocab.eos_id, beam=beam,
                                                   length_penalty=LENGTH_PENALTY, banned=banned)
                for i, ids in zip(chunk, found, strict=True):
                    outputs[i] = _until_eos(ids, vocab.eos_id)
        return outputs

    def format(self, text: str, ids: list[int], beam: int, *, unknown: list[str] | None = None,
               truncated: bool = False) -> dict[str, Any]:
        """The JSON-ready result for French ``ids`` (no <bos>/<eos>)."""
        tokens = self.parts.target_vocab.decode(ids)
        return {"text": text, "translation": detokenize(tokens), "beam": beam, "tokens": tokens,
                "unknown": unknown or [], "truncated": truncated}

    def __repr__(self) -> str:
        cfg = self.model.config
        int8 = ", int8" if self.quantized else ""
        return (f"Translator({cfg.cell.upper()} {cfg.hidden_size}, attention={cfg.attention}, "
                f"{len(self.parts.source_vocab):,} English / {len(self.parts.target_vocab):,} French words{int8})")
