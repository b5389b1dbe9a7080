"""Text to arrays: tokenize, build a vocabulary, encode ids, pad and batch (numpy only, no torch)."""

from rnnkit.text.batching import bucket_batches, collate, naive_batches, padding_fraction
from rnnkit.text.encode import one_hot, pad_sequences, pad_sequences_with_lengths
from rnnkit.text.tokenize import Tokenizer
from rnnkit.text.vocab import Vocabulary

__all__ = [
    "Tokenizer",
    "Vocabulary",
    "bucket_batches",
    "collate",
    "naive_batches",
    "one_hot",
    "pad_sequences",
    "pad_sequences_with_lengths",
    "padding_fraction",
]
