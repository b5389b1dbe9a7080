"""Rate reviews Positive, Negative or Neutral: :class:`SentimentAnalyzer` and :func:`load_analyzer`.

::

    analyzer = SentimentAnalyzer.load()                     # the bundled learned model
    analyzer = SentimentAnalyzer.load(backend="lexicon")    # VADER and the seed rule, no model file
    analyzer, note = load_analyzer()                        # the bundled model, else the lexicon and a note
    analyzer.rate("not bad at all")                         # "Positive"
    analyzer.rate_many(["great!", "dull plot"])             # one batched call
    analyzer.scores("great!")       # {"Negative": .., "Neutral": .., "Positive": .., "compound": ..}
    analyzer.explain("not bad")     # [("not", ..), ("bad", ..)]: each token's push towards Positive
    analyzer.result("great!")       # label, scores, compound and explanation: the one JSON shape

Two backends behind one interface. ``lexicon``: VADER's compound score and the seed rule
(:mod:`.rule`). Learned (``lstm``, ``gru``, ``rnn``): a :class:`~.model.SentimentModel`.
Empty or whitespace-only text is "Neutral" for both, with scores Neutral 1 and compound 0.

Scores. Learned: the model's three probabilities, compound = P(Positive) - P(Negative). Lexicon:
VADER's ``neg``/``neu``/``pos`` proportions (the share of the text's words that carry negative,
no, or positive valence), rescaled to sum to 1, as the Negative/Neutral/Positive values, and
compound = VADER's compound. They are proportions, not calibrated probabilities, and
:meth:`~SentimentAnalyzer.rate` follows the rule on compound, not the largest proportion: "The food
was good" has Neutral 0.508, Positive 0.492 and is rated Positive.

Explanations. Occlusion for both. Learned: the model's own. Lexicon: on VADER's whitespace-separated
tokens, compound(text) - compound(text without the word), so negations ("not") and boosters ("very")
get credit though VADER gives them no valence; the first ``MAX_EXPLAIN_WORDS`` words only.

Results. :meth:`~SentimentAnalyzer.result` and :meth:`~SentimentAnalyzer.results` give each text in
the one JSON shape that ``rnnkit sentiment --json`` and the service's ``/v1/sentiment`` both use::

    {"label": "Positive", "scores": {"Negative": 0.0, "Neutral": 0.508, "Positive": 0.492},
     "compound": 0.4404, "explanation": [{"token": "The", "contribution": 0.0}, ...]}   # or None
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from rnnkit.apps.sentiment.config import BACKENDS, SentimentConfig
from rnnkit.apps.sentiment.labels import LABELS, NEUTRAL
from rnnkit.apps.sentiment.model import QUANTIZE_SCHEMES, SentimentModel
from rnnkit.apps.sentiment.rule import (
    BLANK_SCORES,
    check_text,
    label_for_compound,
    lexicon_explain,
    lexicon_scores,
    resolve_threshold,
    review_rating,
)
from rnnkit.config import check_choice
from rnnkit.errors import CheckpointError, ConfigError, InputError, NotTrainedError, first_line

__all__ = ["BACKENDS", "DEFAULT_MODEL_PATH", "MAX_EXPLAIN_WORDS", "SentimentAnalyzer", "load_analyzer",
           "review_rating"]

DEFAULT_MODEL_PATH = Path(__file__).resolve().parents[2] / "pretrained" / "sentiment.pt"  # the bundled model
# Words of a text that are explained, for both backends. Lexicon: 201 VADER calls on 200 words, under 1 s
# measured on 200 dense sentiment words ("good but bad" repeated) on a busy 2-core machine. Learned:
# occlusion's cost grows with the square of the length; a BiLSTM 150 took 0.6 s on 200 words, 4.3 s on 512 tokens.
MAX_EXPLAIN_WORDS = 200
_FALLBACK = "using the lexicon backend (VADER's rule)"  # load_analyzer's note ends so when it falls back


class SentimentAnalyzer:
    """Rates texts Positive, Negative or Neutral with VADER's rule or a learned recurrent model.

    Build one with :meth:`load` or :meth:`train`.

    Args:
        model: a trained :class:`~rnnkit.apps.sentiment.model.SentimentModel`, or None for the lexicon backend.
        threshold: the lexicon backend's band, ``SEED_THRESHOLD`` (default) or ``VADER_THRESHOLD``
            (or "seed"/"vader"); see :func:`~rnnkit.apps.sentiment.rule.label_for_compound`.

    Raises:
        InputError: ``model`` is not a SentimentModel.
        ConfigError: a threshold is given for a learned model, or is not a number in [0, 1).
    """

    def __init__(self, model: SentimentModel | None = None, *, threshold: float | str | None = None) -> None:
        if model is not None and not isinstance(model, SentimentModel):
            raise InputError(f"model must be a SentimentModel or None (lexicon), got {type(model).__name__}")
        if model is not None and threshold is not None:
            raise ConfigError("threshold applies to the lexicon backend only; a learned model has no threshold")
        self.model = model
        self.threshold = resolve_threshold(threshold)

    def __repr__(self) -> str:
        if self.model is None:
            return f"SentimentAnalyzer(backend='lexicon', threshold={self.threshold:g})"
        return f"SentimentAnalyzer({self.model!r})"

    @property
    def backend(self) -> str:
        """"lexicon", or the learned model's cell: "lstm", "gru" or "rnn"."""
        return "lexicon" if self.model is None else self.model.config.cell

    # building --------------------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None, *, backend: str | None = None,
             threshold: float | str | None = None, quantize: str | None = None) -> SentimentAnalyzer:
        """Load a learned model file, the bundled one, or the lexicon backend.

        Args:
            path: a file from :meth:`save` or ``rnnkit train sentiment``; None: the bundled model.
            backend: None or "model" for a learned model; "lexicon" for VADER's rule (no file).
            threshold: the lexicon backend's band (see the class); lexicon only.
            quantize: "int8" predicts with int8 weights in the LSTM and output layer, "bf16" in bfloat16
                (:meth:`SentimentModel.quantize <rnnkit.apps.sentiment.model.SentimentModel.quantize>`);
                None keeps float32. Learned models only.

        Raises:
            ConfigError: an unknown backend or quantization scheme, a path or a quantization with the lexicon
                backend, a threshold with a model.
            CheckpointError: the file is missing or not a sentiment model, or there is no bundled model.
        """
        if backend is not None and backend not in BACKENDS:
            raise ConfigError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
        if quantize is not None:
            check_choice("quantize", quantize, QUANTIZE_SCHEMES)
        if backend == "lexicon":
            if path is not None:
                raise ConfigError("the lexicon backend reads no model file; give a model path or the lexicon "
                                  "backend, not both")
            if quantize is not None:
                raise ConfigError("quantize applies to a learned model only; the lexicon backend has no weights")
            return cls(None, threshold=threshold)
        if threshold is not None:
            raise ConfigError("threshold applies to the lexicon backend only; a learned model has no threshold")
        if path is None:
            if not DEFAULT_MODEL_PATH.is_file():
                raise CheckpointError(f"there is no bundled sentiment model ({DEFAULT_MODEL_PATH} is missing); "
                                      "pass a model path or backend='lexicon'")
            path = DEFAULT_MODEL_PATH
        model = SentimentModel.load(path)
        if quantize is not None:
            model.quantize(quantize)
        return cls(model)

    @classmethod
    def train(cls, texts: Sequence[str], labels: Sequence[str | int], config: SentimentConfig | None = None, *,
              valid: tuple[Sequence[str], Sequence[str | int]] | None = None) -> SentimentAnalyzer:
        """Train a learned model (see :meth:`SentimentModel.train <rnnkit.apps.sentiment.model.SentimentModel.train>`).

        Args:
            texts: training texts.
            labels: "Negative"/"Neutral"/"Positive" or SST's fine-grained 0-4, one per text.
            config: a :class:`~rnnkit.apps.sentiment.config.SentimentConfig` (default: its defaults).
            valid: (texts, labels) to keep the best weights on.

        Raises:
            ConfigError: ``config`` is not a SentimentConfig.
            InputError: bad texts or labels.
        """
        return cls(SentimentModel.train(texts, labels, config, valid=valid))

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the learned model to ``path`` (one file; :meth:`load` reads it).

        Raises:
            ConfigError: this is the lexicon backend, which has no model to save.
        """
        if self.model is None:
            raise ConfigError("the lexicon backend has no model to save; "
                              "use SentimentAnalyzer.load(backend='lexicon') to get it back")
        self.model.save(path)

    # rating ----------------------------------------------------------------------------------------

    def rate(self, text: str) -> str:
        """Rate one text "Positive", "Negative" or "Neutral" ("Neutral" if empty or whitespace only).

        Raises:
            InputError: ``text`` is not a str (a list: use :meth:`rate_many`; bytes: decode first).
        """
        return self.rate_many([_one_text(text)])[0]

    def rate_many(self, texts: Iterable[str]) -> list[str]:
        """Rate many texts; a learned model reads them in one batched, length-bucketed call.

        Raises:
            InputError: ``texts`` is a str or not iterable, or one of its items is not a str.
        """
        return self._rated(_many_texts(texts, "rate_many", "rate"), with_scores=False)[0]

    def scores(self, text: str) -> dict[str, float]:
        """A score per class and a compound score in [-1, 1] (see the module notes for each backend).

        Returns:
            ``{"Negative", "Neutral", "Positive", "compound"}``; the three class values sum to 1.

        Raises:
            InputError: ``text`` is not a str.
        """
        return self._rated([_one_text(text)])[1][0]

    def explain(self, text: str) -> list[tuple[str, float]]:
        """Each token with its contribution to the compound score; > 0 pushes towards Positive.

        Learned backend: the model's tokens and occlusion values. Lexicon backend: whitespace-separated
        words, compound(text) - compound(text without the word), for the first
        ``MAX_EXPLAIN_WORDS`` words. Empty text gives [].

        Raises:
            InputError: ``text`` is not a str.
        """
        text = _one_text(text)
        if self.model is not None:
            return self.model.explain(text)
        return lexicon_explain(text, MAX_EXPLAIN_WORDS)

    def result(self, text: str, *, explain: bool = False) -> dict[str, Any]:
        """One text's result in the shape of :meth:`results` (InputError if ``text`` is not a str)."""
        return self.results([_one_text(text)], explain=explain)[0]

    def results(self, texts: Iterable[str], *, explain: bool = False) -> list[dict[str, Any]]:
        """Each text in the one JSON shape of a sentiment result (the CLI's ``--json``, the service's answer).

        Labels are those of :meth:`rate_many` and scores those of :meth:`scores` (one batched model call).

        Returns:
            One dict per text (the module notes show it): ``label``; ``scores`` of Negative, Neutral and
            Positive; ``compound``; ``explanation``, the first ``MAX_EXPLAIN_WORDS`` words' ``token`` and
            ``contribution`` (None unless ``explain``).

        Raises:
            InputError: ``texts`` is a str or not iterable, or one of its items is not a str.
        """
        texts = _many_texts(texts, "results", "result")
        labels, scores = self._rated(texts)
        results = []
        for text, label, score in zip(texts, labels, scores, strict=True):
            explanation = ([{"token": t, "contribution": c} for t, c in self.explain(_head(text))]
                           if explain else None)
            results.append({"label": label, "scores": {name: score[name] for name in LABELS},
                            "compound": score["compound"], "explanation": explanation})
        return results

    def _rated(self, texts: list[str], with_scores: bool = True) -> tuple[list[str], list[dict[str, float]]]:
        """(labels, scores with compound) of checked texts; a learned model reads them in one batched call.

        ``with_scores=False`` (``rate_many``): a learned model's score dicts are not built (``[]``).
        """
        if self.model is None:
            scores = [lexicon_scores(text) for text in texts]
            return [label_for_compound(score["compound"], self.threshold) for score in scores], scores
        labels = [NEUTRAL] * len(texts)
        scores = [dict(BLANK_SCORES) for _ in texts] if with_scores else []
        rows = [i for i, text in enumerate(texts) if text.strip()]  # blank texts need no model
        if rows:
            probs = self.model.probabilities([texts[i] for i in rows])  # (len(rows), 3), columns in LABELS order
            for i, best, row in zip(rows, probs.argmax(1).tolist(), probs, strict=True):
                labels[i] = LABELS[best]
                if with_scores:
                    scores[i] = {label: float(p) for label, p in zip(LABELS, row, strict=True)}
                    scores[i]["compound"] = scores[i]["Positive"] - scores[i]["Negative"]
        return labels, scores


def load_analyzer(path: str | os.PathLike[str] | None = None, *, backend: str | None = None,
                  threshold: float | str | None = None,
                  quantize: str | None = None) -> tuple[SentimentAnalyzer, str | None]:
    """The analyzer that a path, a backend, a threshold and a quantization ask for, with the default and its fallback.

    The rules (the CLI's ``--model``, ``--backend``, ``--threshold`` and ``--quantize``; the service's
    model path): a threshold alone picks the lexicon backend; nothing given picks the bundled model, and
    when there is no usable bundled model the lexicon backend answers instead, with a one-line note
    saying so. A quantization asks for a learned model, so it never falls back. Anything else is
    :meth:`SentimentAnalyzer.load` with the same arguments.

    Returns:
        ``(analyzer, note)``: note is None, or the one line to show when the lexicon stood in.

    Raises:
        ConfigError: an unknown backend or quantization, a path or a quantization with the lexicon backend, a
            threshold with a model.
        CheckpointError: a given path, or the bundled model with ``backend="model"`` or ``quantize``, is not
            usable.
    """
    if path is not None or backend is not None or quantize is not None:
        return SentimentAnalyzer.load(path, backend=backend, threshold=threshold, quantize=quantize), None
    if threshold is not None:
        return SentimentAnalyzer.load(backend="lexicon", threshold=threshold), None
    try:
        return SentimentAnalyzer.load(), None
    except (CheckpointError, NotTrainedError) as err:
        if DEFAULT_MODEL_PATH.is_file():
            reason = f"the bundled sentiment model is unusable ({first_line(err)})"
        else:
            reason = "no bundled sentiment model"
        return SentimentAnalyzer.load(backend="lexicon"), f"{reason}; {_FALLBACK}"


def _head(text: str) -> str:
    """The first ``MAX_EXPLAIN_WORDS`` whitespace-separated words of ``text`` (all of it when shorter)."""
    words = text.split(maxsplit=MAX_EXPLAIN_WORDS)
    return " ".join(words[:MAX_EXPLAIN_WORDS]) if len(words) > MAX_EXPLAIN_WORDS else text


def _one_text(text: object) -> str:
    if isinstance(text, list | tuple):
        raise InputError(f"rate/scores/explain/result take one str, got a {type(text).__name__}; "
                         "use rate_many or results for many")
    return check_text(text)


def _many_texts(texts: object, method: str, single: str) -> list[str]:
    """``texts`` as a list of str; the errors name ``method`` and the method for one text, ``single``."""
    if isinstance(texts, str | bytes | bytearray):
        raise InputError(f"{method} takes a list of str, got a {type(texts).__name__}; use {single} for one text")
    if not isinstance(texts, Iterable):
        raise InputError(f"{method} takes a list of str, got {type(texts).__name__}")
    texts = list(texts)
    for i, text in enumerate(texts):
        check_text(text, f"text {i}")
    return texts
