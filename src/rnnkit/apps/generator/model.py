"""The label-conditioned character model: a language model that reads the label at every step.

::

    ids (B, T), each label * V + character ──┬── % V  -> Embedding (V, E) ──────┐
                                             └── // V -> label Embedding (L, E) ─┴─ + -> dropout -> Recurrent
                                                -> dropout -> Linear -> logits over the V characters (B, T, V)

The ids of a conditioned stream carry their example's label in their block (see :mod:`.text`), so the
same :class:`~rnnkit.training.LanguageModelTask` batches them; :class:`LabelledStreamTask` only maps the
targets back to characters. A first version read the label once, as a marker token before each text
(a plain :class:`~rnnkit.models.LanguageModel`); its texts were rated as their label in 28% to 60% of
cases at temperature 1: the state lost the label after a few characters.
"""

from __future__ import annotations

from typing import Any, ClassVar

import torch
from torch import Tensor, nn

from rnnkit.config import ModelConfig, check_int
from rnnkit.errors import InputError
from rnnkit.models import LanguageModel
from rnnkit.models._common import check_ids
from rnnkit.training import LanguageModelTask

__all__ = ["LabelledLanguageModel", "LabelledStreamTask"]


class LabelledLanguageModel(LanguageModel):
    """A :class:`~rnnkit.models.LanguageModel` over ``config.vocab_size`` characters that adds a label
    embedding to every character embedding.

    Args:
        config: as LanguageModel's (``vocab_size`` is the character vocabulary V).
        num_labels: L; input ids are ``label * V + character``, in [0, L * V).
    """

    kind: ClassVar[str] = "labelled_language_model"

    def __init__(self, config: ModelConfig, num_labels: int) -> None:
        super().__init__(config)
        self.num_labels = check_int("num_labels", num_labels, 1)
        self.label_embedding = nn.Embedding(num_labels, config.embedding_dim)
        nn.init.uniform_(self.label_embedding.weight, -0.1, 0.1)

    def forward(self, ids: Tensor, state: Any = None, lengths: Tensor | None = None) -> tuple[Tensor, Any]:
        """Next-character logits (batch, seq_len, V) at every position, and the state to carry on with.

        Raises:
            InputError: ids are not a 2-D integer tensor in [0, L * V), or ``lengths`` is given.
        """
        size = self.config.vocab_size
        check_ids(ids, size * self.num_labels)  # label * V + character
        if lengths is not None:
            raise InputError("a labelled model reads contiguous streams; lengths are not supported")
        x = self.dropout(self.encoder(ids % size) + self.label_embedding(ids // size))  # (B, T, E)
        output, state = self.rnn(x, state=state)  # (B, T, H)
        return self.decoder(self.dropout(output)), state


class LabelledStreamTask(LanguageModelTask):
    """:class:`~rnnkit.training.LanguageModelTask` over a labelled stream: targets are the characters alone.

    Args:
        vocab_size: V, the size of a label's block of ids.
    """

    def __init__(self, vocab_size: int) -> None:
        self.vocab_size = vocab_size

    def make_batch(self, data: Tensor, key: tuple[int, int], device: torch.device) -> tuple[Tensor, Tensor]:
        """(ids, targets) as LanguageModelTask's, the targets' label blocks removed (``% V``)."""
        ids, targets = super().make_batch(data, key, device)
        return ids, targets % self.vocab_size
