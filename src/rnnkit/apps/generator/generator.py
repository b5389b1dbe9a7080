"""The user-facing generator: :class:`CharGenerator` writes text one character at a time.

Three private steps, as every app: the prompt becomes ids (after ``<eos> <Label>`` for a conditioned
model), the model reads them and then feeds back what it samples, and the ids become text. Sampling
draws from a ``torch.Generator`` seeded by ``seed``, so the same prompt and seed give the same text.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from rnnkit.apps.generator.config import GeneratorConfig
from rnnkit.apps.generator.payload import CHECKPOINT_KIND, GeneratorParts, build_payload, read_payload
from rnnkit.apps.generator.sampling import (
    DEFAULT_GUIDANCE,
    GUIDANCE_OFF,
    MAX_GUIDANCE,
    TOP_K_OFF,
    TOP_P_OFF,
    check_sampling,
    filtered_probs,
)
from rnnkit.apps.generator.text import encode_chars, label_token
from rnnkit.apps.generator.train import Labelled, train_parts
from rnnkit.config import check_choice, check_int, check_number
from rnnkit.errors import InputError, StoppedError
from rnnkit.nn.quantize import QUANTIZE_CHOICES, int8_copy
from rnnkit.training import load_product, save_checkpoint

__all__ = ["DEFAULT_MODEL_PATH", "MAX_BATCH", "REVIEW_MODEL_PATH", "CharGenerator"]

PRETRAINED = Path(__file__).resolve().parents[2] / "pretrained"
DEFAULT_MODEL_PATH = PRETRAINED / "generator.pt"  # bundled: Tiny Shakespeare characters
REVIEW_MODEL_PATH = PRETRAINED / "review_generator.pt"  # bundled: product-review phrases by sentiment label
MAX_BATCH = 1_000  # most texts generate_many writes in one call
START_CHAR = "\n"  # what a plain model reads before an empty prompt (a new paragraph)


@dataclass(frozen=True)
class _Draw:
    """How to sample (checked by the public methods)."""

    length: int
    temperature: float
    top_k: int
    top_p: float
    seed: int | None
    guidance: float
    should_stop: Callable[[], bool] | None = None


class CharGenerator:
    """A character-level generator, plain or conditioned on a label ("write a Positive review").

    Build one with :meth:`load` or :meth:`train`; :attr:`labels` is () for a plain model.
    """

    def __init__(self, parts: GeneratorParts) -> None:
        self.parts = parts
        self.model = parts.model.eval()
        self.vocab = parts.vocab
        self.quantized: str | None = None  # "int8" after quantize()
        self._network = self.model  # what sampling and evaluation run: the model, or its int8 copy
        self._banned = self._banned_ids()

    def __repr__(self) -> str:
        c = self.model.config
        labels = f", labels {'/'.join(self.labels)}" if self.labels else ""
        int8 = ", int8" if self.quantized else ""
        return f"CharGenerator({c.cell} {c.num_layers}x{c.hidden_size}, {len(self.vocab)} symbols{labels}{int8})"

    @property
    def network(self) -> torch.nn.Module:
        """The module generation and :func:`~.evaluate.evaluate_text` run: :attr:`model`, or its int8 copy."""
        return self._network

    @property
    def labels(self) -> tuple[str, ...]:
        """The labels a conditioned model writes for (() for a plain one)."""
        return self.parts.labels

    @property
    def metrics(self) -> dict[str, Any]:
        """Training metrics (``val_nats_per_char`` ...), as stored in the checkpoint."""
        return self.parts.metrics

    @classmethod
    def load(cls, path: str | os.PathLike | None = None, *, conditioned: bool = False,
             quantize: str | None = None) -> CharGenerator:
        """Load a generator saved by :meth:`save` or by the Trainer during :meth:`train`.

        Args:
            path: the checkpoint; None loads a bundled model: :data:`DEFAULT_MODEL_PATH` (Shakespeare),
                or :data:`REVIEW_MODEL_PATH` (reviews by label) when ``conditioned`` is true.
            conditioned: with ``path`` None, which bundled model.
            quantize: "int8" samples and scores with int8 weights (:meth:`quantize`); None keeps float32.

        Raises:
            NotTrainedError: ``path`` is None and the bundled model is missing.
            CheckpointError: unreadable, or another product's checkpoint.
            ConfigError: ``quantize`` is not "int8" or None.
        """
        payload, path = load_product(path, REVIEW_MODEL_PATH if conditioned else DEFAULT_MODEL_PATH, "generator",
                                     "rnnkit train generator --data FILE", CHECKPOINT_KIND, quantize)
        generator = cls(read_payload(payload, path))
        if quantize is not None:
            generator.quantize(quantize)
        return generator

    def quantize(self, scheme: str = "int8") -> None:
        """Sample and score with int8 weights: the LSTM/GRU and the output layer (:func:`~.nn.quantize.quantize_int8`).

        :attr:`model` keeps its float weights (:meth:`save` writes them); an int8 copy that shares its
        embeddings runs :meth:`generate`, :meth:`generate_many` and :func:`~.evaluate.evaluate_text`. A
        plain-RNN cell (``cell="rnn"``) has no int8 kernel in torch and stays float32; so do the
        embeddings, which are looked up, not multiplied. Calling it again changes nothing.

        Raises:
            ConfigError: an unknown scheme.
        """
        check_choice("quantize", scheme, QUANTIZE_CHOICES)
        if self.quantized == scheme:
            return
        embeddings = [self.model.encoder.weight]  # also the decoder's weight when tie_weights: copied into int8
        if hasattr(self.model, "label_embedding"):
            embeddings.append(self.model.label_embedding.weight)
        self._network = int8_copy(self.model, ("rnn.fused", "decoder"), shared=embeddings)
        self.quantized = scheme

    @classmethod
    def train(cls, data: str | Labelled, config: GeneratorConfig | None = None, **kwargs: Any) -> CharGenerator:
        """Train on a text (plain) or on ``(texts, labels)`` (conditioned); see :func:`.train.train_parts`."""
        return cls(train_parts(data, config or GeneratorConfig(), **kwargs))

    def save(self, path: str | os.PathLike) -> Path:
        """Write the generator to one checkpoint file (atomic); returns the path."""
        return save_checkpoint(path, build_payload(self.parts))

    def generate(self, prompt: str = "", length: int = 200, temperature: float = 1.0, top_k: int = TOP_K_OFF,
                 top_p: float = TOP_P_OFF, seed: int | None = None, label: str | None = None,
                 guidance: float | None = None, should_stop: Callable[[], bool] | None = None) -> dict[str, Any]:
        """Continue ``prompt`` with up to ``length`` sampled characters.

        Args:
            prompt: the start (up to ``MAX_PROMPT_CHARS``); "" starts a new paragraph, or a new text
                of ``label``.
            length: the most characters to write, 1 to ``MAX_LENGTH`` (:mod:`.sampling`); a conditioned
                model stops earlier where its text ends.
            temperature: divides the logits; below 1 is more conservative, above 1 more random.
            top_k: sample among the k most likely characters only; 0 = all.
            top_p: sample among the most likely characters whose probabilities add up to top_p, in (0, 1].
            seed: an integer in [0, 2**64) makes the result repeatable; None draws from torch's global generator.
            label: required by a conditioned model (one of :attr:`labels`), refused by a plain one.
            guidance: a conditioned model only, 0 to ``MAX_GUIDANCE``: how far to push each character's
                log-probability away from the other labels' (``log p(c | label) + g * (log p(c | label) -
                mean log p(c | other label))``, classifier-free guidance); 0 samples the model as it is.
                None: ``DEFAULT_GUIDANCE`` for a conditioned model, 0 for a plain one.
            should_stop: called before each character; when it returns True, sampling stops with
                :class:`~rnnkit.errors.StoppedError` (a server uses it for time limits and lost clients).

        Returns:
            ``{"prompt": prompt, "label": label, "text": the continuation alone, "finished": bool}``;
            ``finished`` is true when a conditioned model ended its text before ``length``.

        Raises:
            InputError: a bad argument.
            StoppedError: ``should_stop`` returned True.
        """
        check_sampling(prompt, length, temperature, top_k, top_p, seed)
        guidance = self._guidance(guidance)
        copies = self._copies(prompt, label, guidance)
        draw = _Draw(length, temperature, top_k, top_p, seed, guidance, should_stop)
        text, finished = self._sample(copies, 1, draw)[0]
        return {"prompt": prompt, "label": label, "text": text, "finished": finished}

    def generate_many(self, n: int, label: str | None = None, prompt: str = "", length: int = 200,
                      temperature: float = 1.0, top_k: int = TOP_K_OFF, top_p: float = TOP_P_OFF,
                      seed: int | None = None, guidance: float | None = None) -> list[str]:
        """``n`` texts sampled side by side (one batch), e.g. 200 reviews of one label; arguments as :meth:`generate`.

        Raises:
            InputError: a bad argument, or ``n`` outside 1 to ``MAX_BATCH``.
        """
        check_int("n", n, 1, MAX_BATCH, error=InputError)
        check_sampling(prompt, length, temperature, top_k, top_p, seed)
        guidance = self._guidance(guidance)
        copies = self._copies(prompt, label, guidance)
        return [text for text, _ in self._sample(copies, n, _Draw(length, temperature, top_k, top_p, seed, guidance))]

    def _guidance(self, guidance: float | None) -> float:
        if guidance is None:
            return DEFAULT_GUIDANCE if self.labels else GUIDANCE_OFF
        return check_number("guidance", guidance, GUIDANCE_OFF, MAX_GUIDANCE, error=InputError)

    def _copies(self, prompt: str, label: str | None, guidance: float) -> list[tuple[list[int], int]]:
        """Step 1: (model ids read before sampling, block shift) of the label, then of the others if guided."""
        if not self.labels:
            if label is not None:
                raise InputError(f"this generator is not conditioned on labels; leave label unset (got {label!r})")
            if guidance:
                raise InputError("guidance needs a generator conditioned on labels; leave it at 0")
            return [(encode_chars(prompt or START_CHAR, self.vocab), 0)]
        if label not in self.labels:
            raise InputError(f"label must be one of {', '.join(self.labels)}; got {label!r}")
        others = [other for other in self.labels if other != label] if guidance else []
        return [self._start_ids(prompt, name) for name in (label, *others)]

    def _start_ids(self, prompt: str, label: str) -> tuple[list[int], int]:
        shift = self.labels.index(label) * len(self.vocab)
        ids = [self.vocab.eos_id, self.vocab.token_to_id(label_token(label)), *encode_chars(prompt, self.vocab)]
        return [i + shift for i in ids], shift

    def _sample(self, copies: list[tuple[list[int], int]], n: int, draw: _Draw) -> list[tuple[str, bool]]:
        """Step 2 and 3: read the start ids, sample ``length`` characters per row in the label's block, decode."""
        with torch.inference_mode():  # one-character steps run by the cell kernels (rnnkit.nn.fused.run_module)
            return self._sample_loop(copies, n, draw)

    def _sample_loop(self, copies: list[tuple[list[int], int]], n: int, draw: _Draw) -> list[tuple[str, bool]]:
        """Rows are copy-major: copy c of text i is row c * n + i (copy 0: the label, then the others)."""
        generator = torch.Generator().manual_seed(draw.seed) if draw.seed is not None else None
        shifts = torch.tensor([shift for _, shift in copies]).repeat_interleave(n)  # (C * n,)
        logits, state = self._network(torch.tensor([ids for ids, _ in copies for _ in range(n)], dtype=torch.int64))
        out = torch.zeros(n, draw.length, dtype=torch.int64)
        done = torch.zeros(n, dtype=torch.bool)
        for t in range(draw.length):
            if draw.should_stop is not None and draw.should_stop():
                raise StoppedError(f"generation stopped after {t} of {draw.length} characters")
            scores = torch.log_softmax(logits[:, -1].double(), dim=-1).view(len(copies), n, -1)  # (C, n, V)
            step = scores[0]
            if len(copies) > 1:
                step = step + draw.guidance * (scores[0] - scores[1:].mean(dim=0))
            step = step.masked_fill(self._banned, -torch.inf)
            probs = filtered_probs(step, draw.temperature, draw.top_k, draw.top_p)
            ids = torch.multinomial(probs, 1, generator=generator).squeeze(1).masked_fill(done, self.vocab.eos_id)
            out[:, t] = ids
            done |= ids == self.vocab.eos_id
            if bool(done.all()):
                break
            logits, state = self._network((ids.repeat(len(copies)) + shifts).unsqueeze(1), state)
        return [self._decode(row) for row in out.tolist()]

    def _decode(self, ids: list[int]) -> tuple[str, bool]:
        eos = self.vocab.eos_id
        finished = eos in ids
        kept = ids[: ids.index(eos)] if finished else ids
        return "".join(self.vocab.decode(kept)), finished  # <pad> is banned: never sampled

    def _banned_ids(self) -> torch.Tensor:
        """Ids never sampled: <pad>, <unk>, <bos>, the label markers, and <eos> for a plain model."""
        banned = torch.zeros(len(self.vocab), dtype=torch.bool)
        banned[[self.vocab.pad_id, self.vocab.unk_id, self.vocab.bos_id]] = True
        banned[[self.vocab.token_to_id(label_token(label)) for label in self.labels]] = True
        if not self.labels:
            banned[self.vocab.eos_id] = True
        return banned
