"""Labelled review text for a conditioned generator, named ``FORMAT:PATH[#LABEL,...]``.

::

    pros_cons:../shared/data/pros_cons                      pros Positive, cons Negative
    product_reviews:../shared/data/product_reviews_2         tagged sentences; no net opinion = Neutral
    product_reviews:../shared/data/product_reviews_2#Neutral only the Neutral ones
    table:reviews.tsv                                        a CSV/TSV with text and label columns

The readers are :mod:`rnnkit.data`'s; ``#LABEL,...`` keeps only those labels.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rnnkit.data import read_labelled_table, read_product_reviews, read_pros_cons
from rnnkit.data.reviews import SENTIMENT_LABELS
from rnnkit.errors import InputError

__all__ = ["LABELLED_FORMATS", "NEUTRAL", "read_labelled"]

NEUTRAL = "Neutral"  # product_reviews_2 sentences without a net opinion; its notes call them ~Neutral


def _product_reviews(path: str) -> tuple[list[str], list[str]]:
    texts, labels = read_product_reviews(path)
    return texts, [label or NEUTRAL for label in labels]


LABELLED_FORMATS: dict[str, Callable[[str], tuple[list[str], list[str]]]] = {
    "pros_cons": read_pros_cons,
    "product_reviews": _product_reviews,
    "table": read_labelled_table,
}


def _parse(spec: str) -> tuple[str, str, tuple[str, ...]]:
    fmt, sep, rest = spec.partition(":") if isinstance(spec, str) else ("", "", "")
    if not sep or fmt not in LABELLED_FORMATS or not rest:
        raise InputError(f"labelled data must be FORMAT:PATH[#LABEL,...] with FORMAT one of "
                         f"{', '.join(LABELLED_FORMATS)}; got {spec!r}")
    path, _, wanted = rest.partition("#")
    keep = tuple(label.strip() for label in wanted.split(",") if label.strip())
    unknown = [label for label in keep if label not in SENTIMENT_LABELS]
    if unknown:
        raise InputError(f"labels after # must be among {', '.join(SENTIMENT_LABELS)}; got {', '.join(unknown)}")
    return fmt, path, keep


def read_labelled(specs: Iterable[str]) -> tuple[list[str], list[str]]:
    """``(texts, labels)`` of every ``FORMAT:PATH[#LABEL,...]`` in ``specs``, in order.

    Raises:
        InputError: a malformed spec, an unreadable file, or nothing left to train on.
    """
    texts: list[str] = []
    labels: list[str] = []
    for spec in specs:
        fmt, path, keep = _parse(spec)
        for text, label in zip(*LABELLED_FORMATS[fmt](path), strict=True):
            if text.strip() and (not keep or label in keep):
                texts.append(text)
                labels.append(label)
    if not texts:
        raise InputError("the labelled data holds no text")
    return texts, labels
