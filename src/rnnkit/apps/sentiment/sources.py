"""Labelled sentiment data: one table of formats for training and evaluation, leakage removal.

:func:`read_format` reads one file or folder in one of ``SOURCE_FORMATS``; training reads
``FORMAT:PATH`` sources through :func:`read_source`, evaluation (:mod:`.evaluate`) the same readers::

    sst:trees/train.txt          every labelled SST phrase, fine labels 0-4 (Socher et al. train on these)
    sst-sentences:trees/dev.txt  whole SST sentences, fine labels 0-4 (validation, evaluation)
    proscons:pros_cons/          product pros (Positive) and cons (Negative), without "none so far"
    plot:subjectivity_objective/ objective plot sentences (Neutral)
    product:product_reviews_2/   review sentences with opinion tags (Positive / Negative; untagged: None)
    product3:product_reviews_2/  the same, untagged sentences Neutral (as evaluation counts them)
    csv:FILE, tsv:FILE           a table with "text" and "label" columns (Negative / Neutral / Positive ...)
    vader:FILE                   VADER ground truth, the mean rating banded by ``rating_to_label``
    tweeteval:test_text.txt      TweetEval tweets, labels from X_labels.txt beside the file
    goemotions:train.tsv         GoEmotions Reddit comments with one group of negative / neutral / positive
    newsmtsc:train.jsonl         NewsMTSC news sentences whose targets all share one polarity

:func:`guess_format` tells a file's format from its name, its files or its first line.

Training skips untagged product sentences; evaluation counts them as Neutral and always scores SST's
whole sentences.

Held-back parts: a spec may end in ``#train``, ``#dev`` or ``#test`` (``product:product_reviews_2#dev``)
to keep one part of the file. :func:`split_part` assigns each text by the CRC-32 of its UTF-8 bytes:
dev when ``crc32 % 5 == 1``, test when ``== 2``, train otherwise (60/20/20). The part depends on the
text alone, so it is the same in every run and on every machine, and equal texts never straddle two
parts; training (:func:`read_source`) and evaluation use the same rule. Without a part, the whole file.

Leakage: :func:`remove_overlap` drops every training text that equals or contains an evaluation
sentence, or covers at least half of one (8 tokens or more), compared as lower-cased SST-style
tokens, so nothing the model is judged on was in its training data, even inside a longer text.
Short common phrases ("one of the best") that merely occur in an evaluation sentence stay.
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from rnnkit.apps.sentiment.features import sentiment_tokens
from rnnkit.apps.sentiment.labels import NEUTRAL
from rnnkit.config import check_choice
from rnnkit.data import read_goemotions, read_newsmtsc, read_sst, read_text, read_tweeteval
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

__all__ = ["PARTS", "SOURCE_FORMATS", "guess_format", "parse_spec", "read_format", "read_opinion_lexicon",
           "read_source", "read_sources", "remove_overlap", "select_part", "split_part"]

def _read_product3(path: str | os.PathLike[str]) -> tuple[list[str], list[Any]]:
    """Product sentences with every untagged one Neutral ("approximately Neutral", product_reviews_2/SOURCE.md)."""
    texts, labels = read_product_reviews(path)
    return texts, [NEUTRAL if label is None else label for label in labels]


SOURCE_FORMATS = ("sst", "sst-sentences", "proscons", "plot", "product", "product3", "csv", "tsv", "vader", "tweeteval",
                  "goemotions", "newsmtsc")
SHINGLE = 4  # tokens per shingle when looking for one text inside another
MIN_INSIDE = 8  # a training text inside an evaluation sentence counts from this many tokens ...
MIN_COVER = 0.5  # ... and this share of the sentence
_FOLDER_READERS = {"proscons": partial(read_pros_cons, skip_nothing_listed=True), "plot": read_plot_sentences,
                   "product": read_product_reviews,
                   "product3": _read_product3,
                   "tweeteval": read_tweeteval, "goemotions": read_goemotions, "newsmtsc": read_newsmtsc}
_DELIMITERS = {"csv": ",", "tsv": "\t"}
PARTS = ("train", "dev", "test")  # the held-back parts a spec may name after "#"
SPLIT_MODULUS = 5  # crc32(text) % 5 picks the part: five buckets of 20% ...
SPLIT_BUCKETS = {1: "dev", 2: "test"}  # ... one for dev, one for test, the other three for train (60/20/20)
_PART_SUFFIX = re.compile(r"#([A-Za-z]+)\Z")  # what looks like a part at the end of a spec
_SUFFIX_FORMATS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "newsmtsc"}
_FOLDER_MARKERS = (("vader", "movieReviewSnippets_GroundTruth.txt"), ("proscons", "IntegratedPros.txt"),
                   ("plot", "plot.tok.gt9.5000"), ("tweeteval", "test_text.txt"))  # else product
_GOEMOTIONS_LINE = re.compile(r"[^\t]*\t\d(,\d)*\t\w+")  # text, group indices, comment id: no header


def split_part(text: str) -> str:
    """The part ("train", "dev" or "test") that ``text`` belongs to: by the CRC-32 of its UTF-8 bytes."""
    return SPLIT_BUCKETS.get(zlib.crc32(text.encode("utf-8")) % SPLIT_MODULUS, "train")


def select_part(texts: Sequence[str], labels: Sequence[Any], part: str | None) -> tuple[list[str], list[Any]]:
    """The ``(texts, labels)`` whose text falls in ``part`` (:func:`split_part`); None keeps them all.

    Raises:
        InputError: ``part`` is not one of ``PARTS``.
    """
    if part is None:
        return list(texts), list(labels)
    check_choice("part", part, PARTS, error=InputError)
    kept = [(t, label) for t, label in zip(texts, labels, strict=True) if split_part(t) == part]
    return [t for t, _ in kept], [label for _, label in kept]


def parse_spec(spec: str, *, need_format: bool = True) -> tuple[str | None, str, str | None]:
    """``(format, path, part)`` of ``FORMAT:PATH[#PART]``; format and part are None where absent.

    Args:
        spec: the source, e.g. ``"tweeteval:tweeteval_sentiment/test_text.txt#train"``.
        need_format: False also accepts a bare ``PATH[#PART]`` (the text before the first ``:`` is a
            format only when it is one of ``SOURCE_FORMATS``).

    Raises:
        InputError: no known format where one is needed, no path, or an unknown part.
    """
    fmt, sep, path = spec.partition(":")
    if not sep or fmt not in SOURCE_FORMATS:
        if need_format:
            raise InputError(f"data source {spec!r} must be FORMAT:PATH with FORMAT one of "
                             f"{', '.join(SOURCE_FORMATS)}")
        fmt, path = None, spec
    part = None
    match = _PART_SUFFIX.search(path)
    if match:
        part, path = match.group(1), path[:match.start()]
        if part not in PARTS:
            raise InputError(f"data source {spec!r}: the part after '#' must be one of {', '.join(PARTS)}, "
                             f"got {part!r}")
    if not path:
        raise InputError(f"data source {spec!r} must be FORMAT:PATH with a path")
    return fmt, path, part


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


def guess_format(path: str | os.PathLike[str]) -> str:
    """The format of a labelled file or dataset folder, from its suffix, its files or its first line.

    Raises:
        InputError: none of the formats fits (name it with ``--format``).
    """
    path = Path(path)
    if path.name.endswith("_text.txt"):
        return "tweeteval"
    if path.suffix.lower() == ".tsv" and path.is_file():
        first = read_text(path).split("\n", 1)[0]
        return "goemotions" if _GOEMOTIONS_LINE.fullmatch(first) else "tsv"
    if path.suffix.lower() in _SUFFIX_FORMATS:
        return _SUFFIX_FORMATS[path.suffix.lower()]
    if path.is_dir():
        names = {p.name for p in path.iterdir()}
        return next((fmt for fmt, marker in _FOLDER_MARKERS if marker in names), "product")
    first = next((line for line in read_text(path).split("\n") if line.strip()), "")
    for fmt, test in (("sst", first.startswith("(")), ("proscons", "<Pros>" in first or "<Cons>" in first),
                      ("vader", first.count("\t") >= 2), ("product", "##" in first or first.startswith("[t]"))):
        if test:
            return fmt
    raise InputError(f"cannot tell the format of {path}; give --format ({', '.join(SOURCE_FORMATS)})")


def read_source(spec: str) -> tuple[list[str], list[Any]]:
    """``(texts, labels)`` of one ``FORMAT:PATH[#PART]`` training source (labels: SST ints or class names).

    Product sentences without an opinion tag are skipped; ``#PART`` keeps one part (:func:`split_part`).

    Raises:
        InputError: the spec has no known format, no path or an unknown part, or the file cannot be read.
    """
    fmt, path, part = parse_spec(spec)
    assert fmt is not None  # parse_spec demands one
    texts, labels = select_part(*read_format(fmt, path), part)
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
