"""Measuring a generator: validation loss in nats per character, label agreement and distinct-2.

:func:`evaluate_text` scores a text the way training validates (the text cut into parallel rows,
read in chunks with the state carried, :class:`~rnnkit.training.LanguageModelTask`), so its figure
is the one the Trainer reported. :func:`label_agreement` asks a rater (any ``rate_many(texts) ->
labels``, e.g. the bundled sentiment model's; an app does not import another app, so the caller
passes it in) how many generated texts carry the label they were written for, beside distinct-2
(Li et al. 2016: the share of distinct word bigrams) of the generated texts and of as many training texts.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import torch

from rnnkit.apps.generator.config import GeneratorConfig
from rnnkit.apps.generator.generator import CharGenerator
from rnnkit.apps.generator.text import encode_chars, split_validation
from rnnkit.config import check_int, check_number
from rnnkit.errors import InputError
from rnnkit.training import LanguageModelTask

__all__ = ["distinct_n", "evaluate_text", "label_agreement"]


def evaluate_text(generator: CharGenerator, text: str, *, valid_fraction: float = 1.0,
                  max_chars: int = 0) -> dict[str, Any]:
    """Mean next-character loss of a plain generator on ``text`` (or on its last ``valid_fraction``).

    The text is read in the layout of the model's training validation (batch_size rows, each from a zero state,
    read in seq_len chunks with the state carried; :class:`GeneratorConfig`'s defaults when the checkpoint has
    no training config), fewer rows when it is short, so on the same text the figure is the Trainer's.

    Args:
        generator: a plain (not label-conditioned) generator.
        text: the text; with ``valid_fraction`` < 1 only its end is scored (training's validation split).
        valid_fraction: the share of ``text``, from its end, to score (0 < f <= 1).
        max_chars: score only the first this many characters of that part; 0 = all.

    Returns:
        ``{"chars": scored characters, "nats_per_char": ..., "bits_per_char": ..., "perplexity": ...}``.

    Raises:
        InputError: a conditioned generator, a bad argument, or too little text (fewer than 2 characters).
    """
    if generator.labels:
        raise InputError("evaluate_text scores a plain generator; a conditioned one is measured by label_agreement")
    if not isinstance(text, str):
        raise InputError(f"text must be a str, got {type(text).__name__}")
    check_number("valid_fraction", valid_fraction, 0.0, 1.0, low_inclusive=False, error=InputError)
    check_int("max_chars", max_chars, 0, error=InputError)
    part = split_validation(text, valid_fraction)[1] if valid_fraction < 1 else text
    ids = encode_chars(part[:max_chars] if max_chars else part, generator.vocab)
    config = generator.parts.config or GeneratorConfig()
    seq_len = config.seq_len
    task = LanguageModelTask()
    rows = task.prepare(ids, batch_size=min(config.batch_size, max(len(ids) // (2 * seq_len), 1)), name="text")
    model = generator.network.eval()  # the int8 copy after generator.quantize()
    with torch.inference_mode():
        sums = task.eval_sums(model, rows, task.eval_batches(rows, seq_len=seq_len), torch.device("cpu"))
    metrics = task.metrics(sums)
    return {"chars": int(sums[1]), "nats_per_char": metrics["loss"], "bits_per_char": metrics["loss"] / math.log(2),
            "perplexity": metrics["perplexity"]}


def distinct_n(texts: Iterable[str], n: int = 2) -> float:
    """Distinct unique word n-grams over all n-grams of ``texts`` (lower-cased, split on white space); 0 if none."""
    grams: list[tuple[str, ...]] = []
    for text in texts:
        words = text.lower().split()
        grams += [tuple(words[i:i + n]) for i in range(len(words) - n + 1)]
    return len(set(grams)) / len(grams) if grams else 0.0


def label_agreement(generator: CharGenerator, rate_many: Callable[[list[str]], Sequence[str]], *,
                    labels: Sequence[str] | None = None, n: int = 200, reference: tuple[Sequence[str],
                    Sequence[str]] | None = None, seed: int = 0, **sampling: Any) -> list[dict[str, Any]]:
    """For each label: write ``n`` texts, rate them, and count those rated as the label they were written for.

    Args:
        generator: a label-conditioned generator.
        rate_many: the rater, texts in, one label per text out (``SentimentAnalyzer.load().rate_many``).
        labels: which labels to measure; None = all of the generator's.
        n: texts per label.
        reference: ``(texts, labels)`` the model was trained on: ``n`` of them per label (drawn with ``seed``)
            are rated and measured too, the rater's agreement with the data and the data's distinct-2.
        seed: sampling seed of the first label (the next label uses seed + 1 ...).
        **sampling: length, temperature, top_k, top_p, as :meth:`CharGenerator.generate_many`.

    Returns:
        One dict per label: ``label``, ``n``, ``agreement`` (share rated as the label), ``rated``
        (counts of each rated label), ``distinct_2``, ``train_agreement`` and ``train_distinct_2`` (the
        same for the training texts; None without reference) and three ``samples``.

    Raises:
        InputError: a plain generator, an unknown label, or a bad sampling argument.
    """
    if not generator.labels:
        raise InputError("label_agreement needs a generator conditioned on labels")
    rows = []
    for offset, label in enumerate(labels or generator.labels):
        texts = generator.generate_many(n, label, seed=seed + offset, **sampling)
        rated = list(rate_many(texts))
        row = {"label": label, "n": n, "agreement": _share(rated, label), "rated": dict(sorted(Counter(rated).items())),
               "distinct_2": distinct_n(texts), "train_agreement": None, "train_distinct_2": None,
               "samples": texts[:3]}
        pool = [t for t, lab in zip(*reference, strict=True) if lab == label] if reference is not None else []
        if pool:
            train = random.Random(seed).sample(pool, min(n, len(pool)))
            row |= {"train_agreement": _share(list(rate_many(train)), label), "train_distinct_2": distinct_n(train)}
        rows.append(row)
    return rows


def _share(rated: Sequence[str], label: str) -> float:
    return sum(r == label for r in rated) / max(len(rated), 1)
