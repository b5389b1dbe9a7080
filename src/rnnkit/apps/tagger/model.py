"""The tagger network: word vectors plus character features, a bidirectional encoder, a tag per word.

::

    word ids (B, T) ──> embedding (E) ─────────────────────┐
    char ids (B, T, L) ─> char embedding ─> char BiRNN ─> [last fwd ; last bwd] (2C) ┘ concat (E + 2C)
        ─> dropout ─> BiRNN x num_layers (2H) ─> dropout ─> linear ─> tag logits (B, T, num_tags)

The character encoder reads each distinct word of the batch once and gives the word's features
whether or not the word is in the vocabulary: this is what tags unseen words (a name ending in
"-ville", a number). In training, ``word_dropout`` reads known words as ``<unk>`` now and then, so
the network learns to lean on those features when the word vector says nothing.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from rnnkit.apps.tagger.config import TaggerConfig
from rnnkit.models._common import hidden_of
from rnnkit.nn import Recurrent

__all__ = ["PAD_ID", "UNK_ID", "TaggerNet"]

PAD_ID = 0  # <pad> in both vocabularies (rnnkit's Vocabulary reserves 0)
UNK_ID = 1  # <unk> in both vocabularies


class TaggerNet(nn.Module):
    """``forward(words (B, T), chars (B, T, L), lengths (B,)) -> logits (B, T, num_tags)``.

    Args:
        config: the shape (cell, sizes, dropout); training fields are ignored here.
        vocab_size: word ids, ``<pad>`` and ``<unk>`` included.
        char_vocab_size: character ids, ``<pad>`` and ``<unk>`` included.
        num_tags: output tags.
    """

    def __init__(self, config: TaggerConfig, vocab_size: int, char_vocab_size: int, num_tags: int) -> None:
        super().__init__()
        self.config = config
        self.sizes = {"vocab_size": vocab_size, "char_vocab_size": char_vocab_size, "num_tags": num_tags}
        self.embedding = nn.Embedding(vocab_size, config.embedding_dim, padding_idx=PAD_ID)
        features = config.embedding_dim
        self.char_embedding = self.char_encoder = None
        if config.char_embedding_dim:
            self.char_embedding = nn.Embedding(char_vocab_size, config.char_embedding_dim, padding_idx=PAD_ID)
            self.char_encoder = Recurrent(config.cell, config.char_embedding_dim, config.char_hidden_size,
                                          bidirectional=True)
            features += 2 * config.char_hidden_size
        self.encoder = Recurrent(config.cell, features, config.hidden_size, num_layers=config.num_layers,
                                 bidirectional=True, dropout=config.dropout)
        self.drop = nn.Dropout(config.dropout)
        self.output = nn.Linear(2 * config.hidden_size, num_tags)

    def forward(self, words: Tensor, chars: Tensor, lengths: Tensor) -> Tensor:
        if self.training and self.config.word_dropout:
            hide = torch.rand(words.shape, device=words.device) < self.config.word_dropout
            words = words.masked_fill(hide & (words != PAD_ID), UNK_ID)
        features = self.embedding(words)  # (B, T, E)
        if self.char_encoder is not None:
            features = torch.cat([features, self._char_features(chars)], dim=-1)  # (B, T, E + 2C)
        hidden, _ = self.encoder(self.drop(features), lengths.cpu())  # (B, T, 2H), 0 at pads
        return self.output(self.drop(hidden))

    def _char_features(self, chars: Tensor) -> Tensor:
        """(B, T, L) character ids -> (B, T, 2C): each distinct word encoded once, then scattered back."""
        batch, steps, width = chars.shape
        distinct, where = torch.unique(chars.reshape(-1, width), dim=0, return_inverse=True)  # (N, L), (B*T,)
        char_lengths = (distinct != PAD_ID).sum(dim=1).clamp(min=1)  # the all-pad row (padding) reads 1 pad
        _, state = self.char_encoder(self.char_embedding(distinct), char_lengths.cpu())
        h = hidden_of(state)  # (2, N, C): forward's last, backward's first
        per_word = torch.cat([h[0], h[1]], dim=-1)  # (N, 2C)
        return per_word[where].reshape(batch, steps, -1)
