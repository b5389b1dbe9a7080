"""Scoring a translator with sacreBLEU: BLEU and chrF on the test part of a pairs file, every reference kept.

The test part is :func:`rnnkit.data.tatoeba.split_pairs`'s (by distinct English sentence, so no test
sentence was seen in training); each English sentence is translated once and scored against all
its French translations (a variable number of references, sacreBLEU's ``nrefs:var``). The
signatures sacreBLEU prints identify the exact metric settings (tokenizer 13a, mixed case, smoothing).
"""

from __future__ import annotations

import os
import time
from typing import Any

from rnnkit.apps.translator.train import read_pairs
from rnnkit.apps.translator.translator import Translator
from rnnkit.config import check_choice, check_int
from rnnkit.data.tatoeba import group_references
from rnnkit.errors import InputError

__all__ = ["DEFAULT_DATA", "evaluate_translator", "format_result", "score"]

DEFAULT_DATA = os.path.join("..", "shared", "data", "tatoeba_eng_fra", "fra.txt")  # beside the clone, as in CI


def score(hypotheses: list[str], references: list[list[str]]) -> dict[str, Any]:
    """Corpus BLEU and chrF of ``hypotheses`` against a variable number of ``references`` each.

    Returns:
        ``{"bleu", "chrf", "bleu_signature", "chrf_signature"}``.

    Raises:
        InputError: the two lists differ in length, are empty, or a sentence has no reference.
    """
    import sacrebleu

    if not hypotheses or len(hypotheses) != len(references):
        raise InputError(f"need one reference list per hypothesis, got {len(hypotheses)} hypotheses and "
                         f"{len(references)} reference lists")
    if any(not refs for refs in references):
        raise InputError("every hypothesis needs at least one reference")
    width = max(len(refs) for refs in references)
    streams = [[refs[i] if i < len(refs) else None for refs in references] for i in range(width)]
    bleu, chrf = sacrebleu.metrics.BLEU(), sacrebleu.metrics.CHRF()
    bleu_score, chrf_score = bleu.corpus_score(hypotheses, streams), chrf.corpus_score(hypotheses, streams)
    return {"bleu": round(bleu_score.score, 2), "chrf": round(chrf_score.score, 2),
            "bleu_signature": str(bleu.get_signature()), "chrf_signature": str(chrf.get_signature())}


def evaluate_translator(translator: Translator, data: str | os.PathLike | list[tuple[str, str]], *,
                        beam: int = 5, part: str = "test", max_sentences: int = 0) -> dict[str, Any]:
    """BLEU and chrF of ``translator`` on a part of a pairs file (or on a list of pairs, all read).

    Args:
        translator: the model.
        data: a pairs file (``English<TAB>French``) or (English, French) pairs.
        beam: beam width; 1 is greedy.
        part: which part of a file's split to score (``test`` or ``valid``).
        max_sentences: score only the first N distinct English sentences; 0 scores all.

    Returns:
        ``{"sentences", "references", "beam", "bleu", "chrf", "bleu_signature", "chrf_signature",
        "seconds", "examples"}``; ``examples`` holds every (English, translation, references) triple.

    Raises:
        InputError: unreadable data, a bad part, beam or max_sentences.
    """
    check_choice("part", part, ("valid", "test"), error=InputError)
    check_int("max_sentences", max_sentences, 0, error=InputError)
    is_file = isinstance(data, str | os.PathLike)
    grouped = group_references(read_pairs(data, part if is_file else None, "evaluation data"))
    if max_sentences:
        grouped = grouped[:max_sentences]
    started = time.perf_counter()
    outputs = translator.decode_ids([translator.prepare(english)[0] for english, _ in grouped], beam=beam)
    seconds = time.perf_counter() - started
    hypotheses = [translator.format(english, ids, beam)["translation"]
                  for (english, _), ids in zip(grouped, outputs, strict=True)]
    references = [refs for _, refs in grouped]
    return {"sentences": len(grouped), "references": sum(map(len, references)), "beam": beam,
            **score(hypotheses, references), "seconds": round(seconds, 1),
            "examples": [{"english": e, "translation": h, "references": refs}
                         for (e, refs), h in zip(grouped, hypotheses, strict=True)]}


def format_result(result: dict[str, Any]) -> str:
    """Two lines: the figures, then the sacreBLEU signatures."""
    how = "greedy" if result["beam"] == 1 else f"beam {result['beam']}"
    return (f"{how}: BLEU {result['bleu']:.2f}  chrF {result['chrf']:.2f}  on {result['sentences']:,} sentences "
            f"({result['references']:,} references), {result['seconds']:.0f} s\n"
            f"BLEU signature: {result['bleu_signature']}\nchrF signature: {result['chrf_signature']}")
