"""Labelled sentiment data: one table of formats for training and evaluation, leakage removal.

:func:`read_format` reads one file or folder in one of ``SOURCE_FORMATS``; training reads
``FORMAT:PATH`` sources through :func:`read_source`, evaluation (:mod:`.evaluate`) the same readers::

    sst:trees/train.txt          every labelled SST phrase, fine labels 0-4 (Socher et al. train on these)
    sst-sentences:trees/dev.txt  whole SST sentences, fine labels 0-4 (validation, evaluation)
    proscons:pros_cons/          product pros (Positive) and cons (Negative)
    plot:subjectivity_objective/ objective plot sentences (Neutral)
    product:product_reviews_2/   review sentences with opinion tags (Positive / Negative; untagged: None)
    csv:FILE, tsv:FILE           a table with "text" and "label" columns (Negative / Neutral / Positive ...)
    vader:FILE                   VADER ground truth, the mean rating banded by ``rating_to_label``
    tweeteval:test_text.txt      TweetEval tweets, labels from X_labels.txt beside the file
    goemotions:train.tsv         GoEmotions Reddit comments with one group of negative / neutral / positive
    newsmtsc:train.jsonl         NewsMTSC news sentences whose targets all share one polarity

Training skips untagged product sentences; evaluation counts them as Neutral and always scores SST's
whole sentences.

Leakage: :func:`remove_overlap` drops every training text that equals or contains an evaluation
sentence, or covers at least half of one (8 tokens or more), compared as lower-cased SST-style
tokens, so nothing the model is judged on was in its training data, even inside a longer text.
Short common phrases ("one of the best") that merely occur in an evaluation sentence stay.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from rnnkit.apps.sentiment.features import sentiment_tokens
from rnnkit.config import check_choice
from rnnkit.data import read_goemotions, read_newsmtsc, read_sst, read_tweeteval
from rnnkit.data.reviews import (
    VADER_NEUTRAL_BAND,
    rating_to_label,
    read_labelled_table,
    read_plot_sentences,
    read_product_reviews,
    read_pros_cons,
    read_vader_ground_truth,
)
from rnnkit.errors import InputError

__all__ = ["SOURCE_FORMATS", "read_format", "read_opinion_lexicon", "read_source", "read_sources", "remove_overlap"]

SOURCE_FORMATS = ("sst", "sst-sentences", "proscons", "plot", "product", "csv", "tsv", "vader", "tweeteval",
                  "goemotions", "newsmtsc")
SHINGLE = 4  # tokens per shingle when looking for one text inside another
MIN_INSIDE = 8  # a training text inside an evaluation sentence counts from this many tokens ...
MIN_COVER = 0.5  # ... and this share of the sentence
_FOLDER_READERS = {"proscons": read_pros_cons, "plot": read_plot_sentences, "product": read_product_reviews,
                   "tweeteval": read_tweeteval, "goemotions": read_goemotions, "newsmtsc": read_newsmtsc}
_DELIMITERS = {"csv": ",", "tsv": "\t"}


def read_format(fmt: str, path: str | os.PathLike[str], *, text_column: str = "text", label_column: str = "label",
                label_scheme: str = "names", neutral_band: float = VADER_NEUTRAL_BAND) -> tuple[list[str], list[Any]]:
    """``(texts, labels)`` of one file or folder in one of ``SOURCE_FORMATS``.

    Labels are SST ints 0-4 for ``sst`` and ``sst-sentences``, class names otherwise, and None for
    product sentences without an opinion tag.

    Args:
        fmt: the format.
        path: the file or folder.
        text_column, label_column, label_scheme: csv/tsv only (see :func:`~rnnkit.data.read_labelled_table`).
        neutral_band: vader only: a mean rating up to this far from 0 is Neutral.

    Raises:
        InputError: an unknown format, or the file cannot be read.
    """
    check_choice("format", fmt, SOURCE_FORMATS, error=InputError)
    if fmt in ("sst", "sst-sentences"):
        pairs = read_sst(path, phrases=fmt == "sst")
        return [t for t, _ in pairs], [label for _, label in pairs]
    if fmt in _DELIMITERS:
        return read_labelled_table(path, text_column, label_column, _DELIMITERS[fmt], label_scheme=label_scheme)
    if fmt == "vader":
        texts, ratings = read_vader_ground_truth(path)
        return texts, [rating_to_label(r, neutral_band) for r in ratings]
    return _FOLDER_READERS[fmt](path)


def read_source(spec: str) -> tuple[list[str], list[Any]]:
    """``(texts, labels)`` of one ``FORMAT:PATH`` training source (labels: SST ints or class names).

    Product sentences without an opinion tag are skipped.

    Raises:
        InputError: the spec has no known format, or the file cannot be read.
    """
    fmt, sep, path = spec.partition(":")
    if not sep or fmt not in SOURCE_FORMATS or not path:
        raise InputError(f"data source {spec!r} must be FORMAT:PATH with FORMAT one of {', '.join(SOURCE_FORMATS)}")
    texts, labels = read_format(fmt, path)
    if fmt == "product":
        kept = [(t, label) for t, label in zip(texts, labels, strict=True) if label is not None]
        return [t for t, _ in kept], [label for _, label in kept]
    return texts, labels


def read_sources(specs: Iterable[str]) -> tuple[list[str], list[Any]]:
    """All sources, concatenated in order."""
    texts: list[str] = []
    labels: list[Any] = []
    for spec in specs:
        more_texts, more_labels = read_source(spec)
        texts += more_texts
        labels += more_labels
    return texts, labels


def _key(text: str) -> tuple[str, ...]:
    return tuple(sentiment_tokens(text, max_tokens=10**9))


def remove_overlap(texts: Sequence[str], labels: Sequence[Any], evaluation: Iterable[str]) -> tuple[
        list[str], list[Any], int]:
    """Drop training texts equal to or containing an evaluation text, or covering much of one.

    Returns:
        ``(texts, labels, removed)``.
    """
    eval_keys = {k for k in map(_key, evaluation) if k}
    by_shingle: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for key in eval_keys:
        for i in range(max(1, len(key) - SHINGLE + 1)):
            by_shingle.setdefault(key[i:i + SHINGLE], []).append(key)
    kept_texts, kept_labels, removed = [], [], 0
    for text, label in zip(texts, labels, strict=True):
        key = _key(text)
        if key in eval_keys or _overlaps(key, by_shingle):
            removed += 1
            continue
        kept_texts.append(text)
        kept_labels.append(label)
    return kept_texts, kept_labels, removed


def _overlaps(key: tuple[str, ...], by_shingle: dict[tuple[str, ...], list[tuple[str, ...]]]) -> bool:
    """Whether ``key`` contains an evaluation text of SHINGLE+ tokens, or lies inside one and covers much of it."""
    if len(key) < SHINGLE:
        return False
    joined = " " + " ".join(key) + " "
    for i in range(len(key) - SHINGLE + 1):
        for other in by_shingle.get(key[i:i + SHINGLE], ()):
            if len(other) <= len(key):
                if " " + " ".join(other) + " " in joined:
                    return True
            elif len(key) >= MIN_INSIDE and len(key) >= MIN_COVER * len(other) \
                    and joined in " " + " ".join(other) + " ":
                return True
    return False


def read_opinion_lexicon(folder: str | os.PathLike[str]) -> tuple[list[str], list[str]]:
    """(positive words, negative words) of Hu & Liu's opinion lexicon (``positive-words.txt`` ...).

    Raises:
        InputError: a file is missing or unreadable.
    """
    words = []
    for name in ("positive-words.txt", "negative-words.txt"):
        path = Path(folder) / name
        try:
            text = path.read_bytes().decode("latin-1")  # the files hold a few Latin-1 bytes
        except OSError as err:
            raise InputError(f"cannot read the opinion lexicon file {path}: {err.strerror}") from err
        words.append([w.strip().lower() for w in text.splitlines() if w.strip() and not w.startswith(";")])
    return words[0], words[1]
