"""Tasks: how data becomes batches and how a batch becomes a loss and a metric.

The :class:`~rnnkit.training.loop.Trainer` knows nothing about models; a task does.
:class:`ClassificationTask` trains ``model(ids, lengths) -> logits`` on labelled sequences;
:class:`LanguageModelTask` trains ``model(ids, state=None) -> (logits, state)`` on one long
token stream with truncated back-propagation. Token ids are batch-first and ``<pad>`` is id 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rnnkit.errors import InputError, TrainingError
from rnnkit.nn import detach_state
from rnnkit.text import bucket_batches, naive_batches

__all__ = ["ClassificationTask", "LanguageModelTask", "StepOutput", "Task", "batchify", "detach_state"]

PAD_ID = 0  # <pad>, the id every rnnkit vocabulary and embedding reserves for padding
MAX_LOG_PERPLEXITY = 700.0  # exp() of more overflows a float; report inf beyond it

BatchesFn = Callable[[np.ndarray, int, int], Sequence[Sequence[int]]]  # (lengths, batch_size, seed)


@dataclass
class StepOutput:
    """What one training batch gave: the loss to back-propagate and counts for metrics."""

    loss: Tensor  # mean loss over the batch, still attached to the graph
    state: Any = None  # recurrent state to carry to the next batch (language models), else None
    tokens: int = 0  # input tokens read (for tokens/s)
    examples: int = 0  # sequences (classifier) or streams (language model) in the batch
    correct: int = 0  # correctly classified examples (classifier only)


@runtime_checkable
class Task(Protocol):
    """What the Trainer asks of a task. ``data`` is whatever :meth:`prepare` returned."""

    kind: str  # the model kind stored in checkpoints ("classifier", "language_model")
    metric_name: str  # validation metric the Trainer tracks ("accuracy", "perplexity")
    higher_is_better: bool  # direction of metric_name

    def prepare(self, data: Any, *, batch_size: int, rank: int, world_size: int, name: str) -> Any: ...

    def train_batches(self, data: Any, *, batch_size: int, seq_len: int, epoch: int, seed: int,
                      rank: int, world_size: int) -> list[Any]: ...

    def eval_batches(self, data: Any, *, batch_size: int, seq_len: int, rank: int, world_size: int) -> list[Any]: ...

    def make_batch(self, data: Any, key: Any, device: torch.device) -> Any: ...

    def train_step(self, model: nn.Module, batch: Any, state: Any) -> StepOutput: ...

    def eval_sums(self, model: nn.Module, data: Any, keys: list[Any], device: torch.device) -> Tensor: ...

    def metrics(self, sums: Tensor) -> dict[str, float]: ...

    def step_metric(self, loss: float, out: StepOutput) -> float: ...


def batchify(stream: Tensor, num_streams: int) -> Tensor:
    """Cut a 1-D token stream into ``num_streams`` contiguous rows, dropping the tail that does not fit.

    ::

        stream  a b c d e f g h i j k l m n o p q r s t u v w x y z     num_streams = 4

        rows    a b c d e f        row 0   step 1 (seq_len 2) reads "a b / g h / m n / s t"
                g h i j k l        row 1   and predicts "b c / h i / n o / t u"; step 2 reads
                m n o p q r        row 2   "c d / i j / o p / u v" starting from step 1's
                s t u v w x        row 3   state, and so on ("y z" did not fit and is dropped).

    Under DDP the stream is cut into ``world_size * batch_size`` rows and rank r takes rows
    ``r * batch_size`` to ``(r + 1) * batch_size - 1``: a contiguous share of the text.

    Returns:
        (num_streams, len(stream) // num_streams) int64 tensor.
    """
    width = stream.numel() // num_streams
    return stream[: width * num_streams].reshape(num_streams, width)


def _ddp_share(batches: list[Any], rank: int, world_size: int, *, even: bool) -> list[Any]:
    """Rank ``rank``'s disjoint share (every world_size-th batch); ``even`` drops the uneven tail."""
    if even:
        batches = batches[: len(batches) // world_size * world_size]
    return batches[rank::world_size]


def _bucketed(lengths: np.ndarray, batch_size: int, seed: int) -> list[list[int]]:
    return bucket_batches(lengths, batch_size, seed=seed)


def _shuffled(lengths: np.ndarray, batch_size: int, seed: int) -> list[list[int]]:
    return naive_batches(len(lengths), batch_size, seed=seed)


@dataclass(frozen=True)
class _Labelled:
    sequences: list[Tensor]
    labels: Tensor
    lengths: np.ndarray


class ClassificationTask:
    """Many-to-one: ``model(ids (B, T), lengths (B,)) -> logits (B, num_classes)``, cross-entropy.

    Data is ``(sequences, labels)``: token-id lists (any lengths >= 1) and integer labels.
    Each epoch's order is seeded by ``seed + epoch``; each batch is
    post-padded with ``pad_id`` to its own longest sequence.

    Args:
        bucketing: group sequences of similar length (less padding, ~2x faster on CPU); else shuffle.
        pad_id: id used for padding.
        batches_fn: custom batching ``fn(lengths, batch_size, seed) -> list of index lists``; overrides
            ``bucketing`` (default: :func:`rnnkit.text.bucket_batches`, else :func:`rnnkit.text.naive_batches`).
    """

    kind = "classifier"
    metric_name = "accuracy"
    higher_is_better = True

    def __init__(self, *, bucketing: bool = True, pad_id: int = PAD_ID, batches_fn: BatchesFn | None = None) -> None:
        self.pad_id = pad_id
        self.batches_fn = batches_fn or (_bucketed if bucketing else _shuffled)

    def prepare(self, data: Any, *, batch_size: int = 1, rank: int = 0, world_size: int = 1,
                name: str = "data") -> _Labelled:
        """Check ``(sequences, labels)`` and turn it into tensors.

        Raises:
            InputError: not a pair, empty, lengths differ, an empty or non-integer sequence, bad label.
        """
        if isinstance(data, _Labelled):
            return data
        if not isinstance(data, (tuple, list)) or len(data) != 2:
            raise InputError(f"{name} for a classifier must be a pair (sequences, labels), got {type(data).__name__}")
        sequences, labels = data
        if len(sequences) == 0:
            raise InputError(f"{name} is empty; give at least one labelled sequence")
        if len(sequences) != len(labels):
            raise InputError(f"{name} has {len(sequences)} sequences but {len(labels)} labels; they must match")
        tensors = [_id_tensor(seq, f"{name} sequence {i}") for i, seq in enumerate(sequences)]
        label_tensor = _id_tensor(labels, f"{name} labels")
        return _Labelled(tensors, label_tensor, np.array([t.numel() for t in tensors], dtype=np.int64))

    def train_batches(self, data: _Labelled, *, batch_size: int, seq_len: int = 0, epoch: int = 0, seed: int = 0,
                      rank: int = 0, world_size: int = 1) -> list[np.ndarray]:
        """This rank's batches (index arrays) for ``epoch``, the same on every call with the same arguments.

        Raises:
            InputError: fewer batches than ranks.
        """
        batches = [np.asarray(b, dtype=np.int64) for b in self.batches_fn(data.lengths, batch_size, seed + epoch)]
        if len(batches) < world_size:
            raise InputError(
                f"training data gives {len(batches)} batch(es) of {batch_size}, fewer than the {world_size} ranks"
            )
        return _ddp_share(batches, rank, world_size, even=True)

    def eval_batches(self, data: _Labelled, *, batch_size: int, seq_len: int = 0, rank: int = 0,
                     world_size: int = 1) -> list[np.ndarray]:
        """Length-sorted batches, every example once across the ranks."""
        order = np.argsort(data.lengths, kind="stable")
        batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
        return _ddp_share(batches, rank, world_size, even=False)

    def make_batch(self, data: _Labelled, key: np.ndarray, device: torch.device) -> tuple[Tensor, Tensor, Tensor]:
        """(ids (B, T) post-padded, lengths (B,), labels (B,)) on ``device``."""
        seqs = [data.sequences[i] for i in key]
        ids = nn.utils.rnn.pad_sequence(seqs, batch_first=True, padding_value=self.pad_id)
        lengths = torch.from_numpy(data.lengths[key])
        return ids.to(device), lengths.to(device), data.labels[torch.from_numpy(key)].to(device)

    def _forward(self, model: nn.Module, batch: tuple[Tensor, Tensor, Tensor]) -> tuple[Tensor, Tensor]:
        ids, lengths, labels = batch
        logits = model(ids, lengths)  # (B, num_classes)
        if not isinstance(logits, Tensor) or logits.dim() != 2 or logits.shape[0] != ids.shape[0]:
            raise TrainingError("a classifier must return logits of shape (batch, num_classes)")
        if int(labels.max()) >= logits.shape[1]:
            raise InputError(f"label {int(labels.max())} is out of range for a model with {logits.shape[1]} classes")
        return logits, labels

    def train_step(self, model: nn.Module, batch: tuple[Tensor, Tensor, Tensor], state: Any = None) -> StepOutput:
        logits, labels = self._forward(model, batch)
        correct = int((logits.detach().argmax(dim=1) == labels).sum())
        tokens = int(batch[1].sum())
        return StepOutput(F.cross_entropy(logits, labels), None, tokens, len(labels), correct)

    @torch.no_grad()
    def eval_sums(self, model: nn.Module, data: _Labelled, keys: list[np.ndarray], device: torch.device) -> Tensor:
        """[summed loss, examples, correct] over this rank's batches (float64, to be all-reduced)."""
        sums = torch.zeros(3, dtype=torch.float64)
        for key in keys:
            logits, labels = self._forward(model, self.make_batch(data, key, device))
            sums[0] += float(F.cross_entropy(logits, labels, reduction="sum"))
            sums[1] += len(labels)
            sums[2] += int((logits.argmax(dim=1) == labels).sum())
        return sums

    def metrics(self, sums: Tensor) -> dict[str, float]:
        count = max(float(sums[1]), 1.0)
        return {"loss": float(sums[0]) / count, "accuracy": float(sums[2]) / count}

    def step_metric(self, loss: float, out: StepOutput) -> float:
        """Accuracy on the batch just trained."""
        return out.correct / max(out.examples, 1)


class LanguageModelTask:
    """Many-to-many: ``model(ids (B, T), state) -> (logits (B, T, V), state)``, next-token cross-entropy.

    Data is one 1-D stream of token ids. It is cut into ``batch_size`` parallel rows (see
    :func:`batchify`); each step reads the next ``seq_len`` columns, starting from the state the
    previous step left, detached by :func:`detach_state`. The order is fixed, so the seed only
    matters for initialisation and dropout. The state restarts (None) at each epoch.
    """

    kind = "language_model"
    metric_name = "perplexity"
    higher_is_better = False

    def prepare(self, data: Any, *, batch_size: int, rank: int = 0, world_size: int = 1, name: str = "data") -> Tensor:
        """Check the stream and return this rank's (batch_size, width) rows.

        Raises:
            InputError: not a 1-D integer sequence, negative ids, or shorter than ``2 * batch_size * world_size``.
        """
        stream = _id_tensor(data, name)
        needed = 2 * batch_size * world_size
        if stream.numel() < needed:
            raise InputError(
                f"{name} has {stream.numel()} tokens; a language model needs at least {needed} "
                f"(2 x batch_size {batch_size} x {world_size} rank(s)); give more text or lower batch_size"
            )
        rows = batchify(stream, batch_size * world_size)  # (world * B, width)
        return rows[rank * batch_size:(rank + 1) * batch_size]

    def train_batches(self, data: Tensor, *, batch_size: int = 0, seq_len: int, epoch: int = 0, seed: int = 0,
                      rank: int = 0, world_size: int = 1) -> list[tuple[int, int]]:
        """(start column, length) of each chunk, in order; the last chunk may be shorter."""
        width = data.shape[1] - 1  # the last column is only ever a target
        return [(start, min(seq_len, width - start)) for start in range(0, width, seq_len)]

    def eval_batches(self, data: Tensor, *, batch_size: int = 0, seq_len: int, rank: int = 0,
                     world_size: int = 1) -> list[tuple[int, int]]:
        return self.train_batches(data, seq_len=seq_len)

    def make_batch(self, data: Tensor, key: tuple[int, int], device: torch.device) -> tuple[Tensor, Tensor]:
        """(ids, targets), both (B, L): columns start..start+L-1 and the token after each."""
        start, length = key
        return data[:, start:start + length].to(device), data[:, start + 1:start + 1 + length].to(device)

    def _loss(self, model: nn.Module, batch: tuple[Tensor, Tensor], state: Any, reduction: str) -> tuple[Tensor, Any]:
        ids, targets = batch
        output = model(ids, state)
        if not isinstance(output, tuple) or len(output) != 2:
            raise TrainingError("a language model must return (logits, state) from forward(ids, state)")
        logits, state = output
        if logits.shape[:2] != ids.shape:
            raise TrainingError(f"language model logits must be (batch, seq_len, vocab), got {tuple(logits.shape)}")
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), reduction=reduction)
        return loss, state

    def train_step(self, model: nn.Module, batch: tuple[Tensor, Tensor], state: Any = None) -> StepOutput:
        loss, state = self._loss(model, batch, detach_state(state), "mean")
        return StepOutput(loss, state, batch[0].numel(), batch[0].shape[0])

    @torch.no_grad()
    def eval_sums(self, model: nn.Module, data: Tensor, keys: list[int], device: torch.device) -> Tensor:
        """[summed loss, tokens] over this rank's rows, the state carried along (float64)."""
        sums = torch.zeros(2, dtype=torch.float64)
        state = None
        for key in keys:
            batch = self.make_batch(data, key, device)
            loss, state = self._loss(model, batch, state, "sum")
            sums[0] += float(loss)
            sums[1] += batch[1].numel()
        return sums

    def metrics(self, sums: Tensor) -> dict[str, float]:
        loss = float(sums[0]) / max(float(sums[1]), 1.0)
        return {"loss": loss, "perplexity": _perplexity(loss)}

    def step_metric(self, loss: float, out: StepOutput) -> float:
        """Perplexity of the batch just trained."""
        return _perplexity(loss)


def _perplexity(loss: float) -> float:
    return math.exp(loss) if loss < MAX_LOG_PERPLEXITY else math.inf


def _id_tensor(values: Any, name: str) -> Tensor:
    """``values`` as a 1-D int64 tensor of non-negative ids, or InputError naming ``name``."""
    try:
        tensor = torch.as_tensor(np.asarray(values) if not isinstance(values, Tensor) else values)
    except (TypeError, ValueError, RuntimeError) as err:
        raise InputError(f"{name} must be a flat sequence of integer ids: {err}") from err
    if tensor.dim() != 1 or tensor.numel() == 0:
        raise InputError(f"{name} must be a non-empty 1-D sequence of ids, got shape {tuple(tensor.shape)}")
    if tensor.dtype.is_floating_point or tensor.dtype.is_complex or tensor.dtype == torch.bool:
        raise InputError(f"{name} must hold integer ids, got {tensor.dtype}")
    if int(tensor.min()) < 0:
        raise InputError(f"{name} holds a negative id {int(tensor.min())}; ids start at 0")
    return tensor.to(torch.int64)
