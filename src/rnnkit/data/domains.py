"""Readers for three-class sentiment text beyond reviews: tweets, Reddit comments, news sentences.

Each returns ``(texts, labels)`` with labels "Negative", "Neutral" or "Positive"; the rule that turns
the source's labels into these three is named on each reader (and in docs/sentiment.md)::

    read_tweeteval("tweeteval_sentiment/test_text.txt")   # labels from test_labels.txt beside it
    read_goemotions("goemotions_sentiment/dev.tsv")       # one group of negative/neutral/positive only
    read_newsmtsc("newsmtsc_sentiment/devtest_rw.jsonl")  # sentences whose targets all agree

Files are read by :func:`rnnkit.data.read_text` (UTF-8, binary rejected).
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

from rnnkit.data.reviews import SENTIMENT_LABELS
from rnnkit.data.text import read_text
from rnnkit.errors import InputError

__all__ = ["GOEMOTIONS_GROUPS", "NEWSMTSC_POLARITY", "TWEETEVAL_LABELS", "read_goemotions", "read_newsmtsc",
           "read_tweeteval"]

TWEETEVAL_LABELS = SENTIMENT_LABELS  # mapping.txt: 0 negative, 1 neutral, 2 positive
# labels.txt of the GoEmotions sentiment grouping, by index; "ambiguous" has no place among three classes
GOEMOTIONS_GROUPS = ("ambiguous", "negative", "neutral", "positive")
NEWSMTSC_POLARITY = {2.0: "Negative", 4.0: "Neutral", 6.0: "Positive"}  # the dataset's readme


def read_tweeteval(path: str | os.PathLike[str]) -> tuple[list[str], list[str]]:
    """TweetEval sentiment: ``X_text.txt`` (one tweet a line) and the ``X_labels.txt`` beside it.

    ``path`` is the text file, or the folder (then ``test_text.txt``). Tweets are stripped of the
    trailing space every line carries; labels 0/1/2 are Negative/Neutral/Positive.

    Raises:
        InputError: a file is missing or unreadable, the two files differ in length, or a label is not 0-2.
    """
    text_path = Path(path) / "test_text.txt" if Path(path).is_dir() else Path(path)
    if not text_path.name.endswith("_text.txt"):
        raise InputError(f"{text_path} is not a TweetEval text file (X_text.txt beside X_labels.txt)")
    label_path = text_path.with_name(text_path.name.replace("_text.txt", "_labels.txt"))
    texts = read_text(text_path).split("\n")
    labels = read_text(label_path).split("\n")
    texts, labels = _drop_final_blank(texts), _drop_final_blank(labels)
    if len(texts) != len(labels):
        raise InputError(f"{text_path} has {len(texts)} tweets but {label_path} {len(labels)} labels")
    names = {str(i): name for i, name in enumerate(TWEETEVAL_LABELS)}
    bad = next((i for i, label in enumerate(labels) if label.strip() not in names), None)
    if bad is not None:
        raise InputError(f"{label_path} line {bad + 1}: label must be 0, 1 or 2, got {labels[bad]!r}")
    return [t.strip() for t in texts], [names[label.strip()] for label in labels]


def read_goemotions(path: str | os.PathLike[str]) -> tuple[list[str], list[str]]:
    """GoEmotions, sentiment grouping (``text<TAB>groups<TAB>id``, CSV quoting with a tab delimiter).

    Three classes: a comment is kept when its raters chose exactly one group and it is negative,
    neutral or positive; ambiguous comments and those with several groups are dropped (the usual
    reading, SOURCE.md).

    Raises:
        InputError: the file is unreadable, or a line does not have three fields and group indices 0-3.
    """
    texts, labels = [], []
    rows = csv.reader(io.StringIO(read_text(path)), delimiter="\t")
    for number, row in enumerate(rows, start=1):
        if not row:
            continue
        try:
            text, groups, _ = row
            names = [GOEMOTIONS_GROUPS[int(i)] for i in groups.split(",")]
        except (ValueError, IndexError) as err:
            raise InputError(f"{path} line {number}: expected text<TAB>group indices 0-3<TAB>id") from err
        if len(names) == 1 and names[0] != "ambiguous":
            texts.append(text.strip())
            labels.append(names[0].capitalize())
    return texts, labels


def read_newsmtsc(path: str | os.PathLike[str]) -> tuple[list[str], list[str]]:
    """NewsMTSC sentences (JSON Lines), read as sentence labels.

    The labels are towards people named in a sentence; a sentence is kept when all its targets
    have the same polarity (2 Negative, 4 Neutral, 6 Positive) and dropped when they disagree.

    Raises:
        InputError: the file is unreadable, or a line is not a NewsMTSC object.
    """
    texts, labels = [], []
    for number, line in enumerate(read_text(path).split("\n"), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            polarities = {NEWSMTSC_POLARITY[float(t["polarity"])] for t in item["targets"]}
            sentence = item["sentence_normalized"].strip()
        except (ValueError, KeyError, TypeError) as err:
            raise InputError(f"{path} line {number}: not a NewsMTSC object with sentence_normalized and "
                             "targets[].polarity 2/4/6") from err
        if len(polarities) == 1:
            texts.append(sentence)
            labels.append(polarities.pop())
    return texts, labels


def _drop_final_blank(lines: list[str]) -> list[str]:
    return lines[:-1] if lines and not lines[-1].strip() else lines
