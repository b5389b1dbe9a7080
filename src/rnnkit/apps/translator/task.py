"""How the Trainer trains a translator: pairs of id lists in, teacher-forced cross-entropy out.

Each example is ``(source ids, target ids)`` where the target is ``<bos> French words <eos>``. A
batch holds pairs of similar target length (:func:`rnnkit.text.bucket_batches`, reshuffled each
epoch), post-padded with ``<pad>``::

    src      I     go    to    school  .               encoder reads the source (B, S)
    tgt_in   <bos> Je    vais  à       l'    école .   decoder reads tgt[:, :-1] (B, T)
    tgt_out  Je    vais  à     l'      école .   <eos> and predicts tgt[:, 1:]  (B, T)

The output layer runs only at the true target positions (pads are cut out before it), and with
``mixed_precision`` the forward pass runs under bfloat16 autocast; the loss is float32.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rnnkit.errors import InputError
from rnnkit.models import Seq2Seq
from rnnkit.text import bucket_batches
from rnnkit.training.tasks import StepOutput

__all__ = ["TranslationTask"]

PAD_ID = 0
MAX_LOG_PERPLEXITY = 700.0  # exp() of more overflows a float


@dataclass(frozen=True)
class _Pairs:
    sources: list[Tensor]
    targets: list[Tensor]
    lengths: np.ndarray  # target lengths, which batching groups by


class TranslationTask:
    """Unaligned many-to-many for the :class:`~rnnkit.training.Trainer`: ``Seq2Seq`` on (source, target) pairs.

    Args:
        mixed_precision: run the forward pass under bfloat16 autocast (CPU or CUDA).
    """

    kind = "seq2seq"
    metric_name = "perplexity"
    higher_is_better = False

    def __init__(self, *, mixed_precision: bool = False) -> None:
        self.mixed_precision = mixed_precision

    def prepare(self, data: Any, *, batch_size: int = 1, rank: int = 0, world_size: int = 1,
                name: str = "data") -> _Pairs:
        """Check ``[(source ids, target ids), ...]`` and turn it into tensors.

        Raises:
            InputError: empty, not pairs, a source shorter than 1 or a target shorter than 2 ids.
        """
        if isinstance(data, _Pairs):
            return data
        if not isinstance(data, list | tuple) or not data:
            raise InputError(f"{name} must be a non-empty list of (source ids, target ids) pairs")
        sources, targets = [], []
        for i, pair in enumerate(data):
            if not isinstance(pair, list | tuple) or len(pair) != 2 or len(pair[0]) < 1 or len(pair[1]) < 2:
                raise InputError(f"{name} item {i} must be (source ids, <bos> target ids <eos>) with a non-empty "
                                 "source and at least 2 target ids")
            sources.append(torch.as_tensor(pair[0], dtype=torch.int64))
            targets.append(torch.as_tensor(pair[1], dtype=torch.int64))
        return _Pairs(sources, targets, np.array([t.numel() for t in targets], dtype=np.int64))

    def train_batches(self, data: _Pairs, *, batch_size: int, seq_len: int = 0, epoch: int = 0, seed: int = 0,
                      rank: int = 0, world_size: int = 1) -> list[np.ndarray]:
        """This rank's batches of similar-length pairs for ``epoch`` (the same for the same arguments)."""
        batches = bucket_batches(data.lengths, batch_size, seed=seed + epoch)
        if len(batches) < world_size:
            raise InputError(f"training data gives {len(batches)} batch(es), fewer than the {world_size} ranks")
        batches = batches[: len(batches) // world_size * world_size]
        return [np.asarray(b, dtype=np.int64) for b in batches[rank::world_size]]

    def eval_batches(self, data: _Pairs, *, batch_size: int, seq_len: int = 0, rank: int = 0,
                     world_size: int = 1) -> list[np.ndarray]:
        """Length-sorted batches, every pair once across the ranks."""
        order = np.argsort(data.lengths, kind="stable")
        return [order[i:i + batch_size] for i in range(0, len(order), batch_size)][rank::world_size]

    def make_batch(self, data: _Pairs, key: np.ndarray, device: torch.device) -> tuple[Tensor, Tensor, Tensor]:
        """(src (B, S), src_lengths (B,), tgt (B, T + 1)) on ``device``, post-padded."""
        src = nn.utils.rnn.pad_sequence([data.sources[i] for i in key], batch_first=True, padding_value=PAD_ID)
        tgt = nn.utils.rnn.pad_sequence([data.targets[i] for i in key], batch_first=True, padding_value=PAD_ID)
        lengths = torch.tensor([data.sources[i].numel() for i in key], dtype=torch.int64)
        return src.to(device), lengths.to(device), tgt.to(device)

    def _loss(self, model: nn.Module, batch: tuple[Tensor, Tensor, Tensor], reduction: str) -> tuple[Tensor, int]:
        src, lengths, tgt = batch
        seq2seq: Seq2Seq = getattr(model, "module", model)  # DDP wraps the model
        tgt_out = tgt[:, 1:]
        keep = tgt_out != PAD_ID  # (B, T) true target positions
        with self._autocast(src.device):
            memory, src_mask, state = seq2seq.encode(src, lengths)
            features, _ = seq2seq.decode_features(tgt[:, :-1], state, memory, src_mask)  # (B, T, H)
            logits = seq2seq.head(features[keep])  # (N, V) at the N true positions only
        return F.cross_entropy(logits.float(), tgt_out[keep], reduction=reduction), int(keep.sum())

    def _autocast(self, device: torch.device) -> contextlib.AbstractContextManager:
        if not self.mixed_precision or device.type not in ("cpu", "cuda"):
            return contextlib.nullcontext()
        return torch.autocast(device.type, dtype=torch.bfloat16)

    def train_step(self, model: nn.Module, batch: tuple[Tensor, Tensor, Tensor], state: Any = None) -> StepOutput:
        loss, tokens = self._loss(model, batch, "mean")
        return StepOutput(loss, None, tokens, batch[0].shape[0])

    @torch.no_grad()
    def eval_sums(self, model: nn.Module, data: _Pairs, keys: list[np.ndarray], device: torch.device) -> Tensor:
        """[summed loss, target tokens] over this rank's batches (float64, to be all-reduced)."""
        sums = torch.zeros(2, dtype=torch.float64)
        for key in keys:
            loss, tokens = self._loss(model, self.make_batch(data, key, device), "sum")
            sums[0] += float(loss)
            sums[1] += tokens
        return sums

    def metrics(self, sums: Tensor) -> dict[str, float]:
        loss = float(sums[0]) / max(float(sums[1]), 1.0)
        return {"loss": loss, "perplexity": math.exp(loss) if loss < MAX_LOG_PERPLEXITY else math.inf}

    def step_metric(self, loss: float, out: StepOutput) -> float:
        """Perplexity of the batch just trained."""
        return math.exp(loss) if loss < MAX_LOG_PERPLEXITY else math.inf
