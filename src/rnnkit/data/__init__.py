"""Readers for real text formats: plain text, Penn Treebank, SST trees, Tatoeba pairs."""

from rnnkit.data.sst import read_sst, sst_to_3class, sst_to_binary
from rnnkit.data.tatoeba import read_tatoeba_english, split_sentences
from rnnkit.data.text import read_lines, read_ptb, read_text

__all__ = [
    "read_lines",
    "read_ptb",
    "read_sst",
    "read_tatoeba_english",
    "read_text",
    "sst_to_3class",
    "split_sentences",
    "sst_to_binary",
]
