"""Readers for real text formats: plain text, Penn Treebank, SST trees, Tatoeba pairs, labelled reviews,
tweets, Reddit comments, news sentences and CoNLL-U treebanks."""

from rnnkit.data.conllu import CONLLU_COLUMNS, TaggedSentence, parse_conllu, read_conllu
from rnnkit.data.domains import read_goemotions, read_newsmtsc, read_tweeteval
from rnnkit.data.reviews import (
    rating_to_label,
    read_labelled_table,
    read_plot_sentences,
    read_product_reviews,
    read_pros_cons,
    read_vader_ground_truth,
)
from rnnkit.data.sst import read_sst, sst_to_3class, sst_to_binary
from rnnkit.data.tatoeba import group_references, read_tatoeba_english, read_tatoeba_pairs, split_pairs, split_sentences
from rnnkit.data.text import read_lines, read_ptb, read_text

__all__ = [
    "CONLLU_COLUMNS",
    "TaggedSentence",
    "group_references",
    "parse_conllu",
    "rating_to_label",
    "read_conllu",
    "read_goemotions",
    "read_labelled_table",
    "read_lines",
    "read_newsmtsc",
    "read_plot_sentences",
    "read_product_reviews",
    "read_pros_cons",
    "read_ptb",
    "read_sst",
    "read_tatoeba_english",
    "read_tatoeba_pairs",
    "read_text",
    "read_tweeteval",
    "read_vader_ground_truth",
    "sst_to_3class",
    "split_pairs",
    "split_sentences",
    "sst_to_binary",
]
