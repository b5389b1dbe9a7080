"""Rate reviews Positive, Negative or Neutral: :class:`SentimentAnalyzer` (and :func:`review_rating`).

::

    analyzer = SentimentAnalyzer.load()                     # the bundled learned model
    analyzer = SentimentAnalyzer.load(backend="lexicon")    # VADER and the seed rule, no model file
    analyzer.rate("not bad at all")                         # "Positive"
    analyzer.rate_many(["great!", "dull plot"])             # one batched call
    analyzer.scores("great!")       # {"Negative": .., "Neutral": .., "Positive": .., "compound": ..}
    analyzer.explain("not bad")     # [("not", ..), ("bad", ..)]: each token's push towards Positive

Two backends behind one interface. ``lexicon``: VADER's compound score and the seed rule
(:mod:`.rule`). Learned (``lstm``, ``gru``, ``rnn``): a :class:`~.model.SentimentModel`.
Empty or whitespace-only text is "Neutral" for both, with scores Neutral 1 and compound 0.

Scores. Learned: the model's three probabilities, compound = P(Positive) - P(Negative). Lexicon:
VADER's ``neg``/``neu``/``pos`` proportions (the share of the text's words that carry negative,
no, or positive valence), rescaled to sum to 1, as the Negative/Neutral/Positive values, and
compound = VADER's compound. They are proportions, not calibrated probabilities, and
:meth:`~SentimentAnalyzer.rate` follows the rule on compound, not the largest proportion: "The food
was good" has Neutral 0.508, Positive 0.492 and is rated Positive.

Explanations. Learned: the model's own (occlusion). Lexicon: occlusion too, on whitespace-separated
words, VADER's own tokens: a word's value is compound(text) - compound(text without that word), so
negations ("not") and boosters ("very") get credit although VADER gives them no valence of their own.
Only the first ``LEXICON_EXPLAIN_MAX_WORDS`` words are explained (each needs one more VADER call).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from rnnkit.apps.sentiment.model import SentimentConfig, SentimentModel
from rnnkit.apps.sentiment.rule import (
    LABELS,
    SEED_THRESHOLD,
    VADER_THRESHOLD,
    check_text,
    check_threshold,
    review_rating,
    vader_scores,
)
from rnnkit.errors import CheckpointError, ConfigError, InputError

__all__ = ["BACKENDS", "DEFAULT_MODEL_PATH", "LABELS", "LEXICON_EXPLAIN_MAX_WORDS", "SentimentAnalyzer",
           "review_rating"]

DEFAULT_MODEL_PATH = Path(__file__).resolve().parents[2] / "pretrained" / "sentiment.pt"  # the bundled model
BACKENDS = ("lexicon", "model")  # load(backend=...): VADER's rule, or a learned model file
# Words explained by occlusion on the lexicon backend: 201 VADER calls on 200 words, under 1 s measured
# on 200 dense sentiment words ("good but bad" repeated) on a busy 2-core machine.
LEXICON_EXPLAIN_MAX_WORDS = 200
_BLANK_SCORES = {"Negative": 0.0, "Neutral": 1.0, "Positive": 0.0, "compound": 0.0}
_THRESHOLDS = {"seed": SEED_THRESHOLD, "vader": VADER_THRESHOLD}


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
        self.threshold = _threshold(threshold)

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
             threshold: float | str | None = None) -> SentimentAnalyzer:
        """Load a learned model file, the bundled one, or the lexicon backend.

        Args:
            path: a file from :meth:`save` or ``rnnkit train sentiment``; None: the bundled model.
            backend: None or "model" for a learned model; "lexicon" for VADER's rule (no file).
            threshold: the lexicon backend's band (see the class); lexicon only.

        Raises:
            ConfigError: an unknown backend, a path with the lexicon backend, a threshold with a model.
            CheckpointError: the file is missing or not a sentiment model, or there is no bundled model.
        """
        if backend is not None and backend not in BACKENDS:
            raise ConfigError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
        if backend == "lexicon":
            if path is not None:
                raise ConfigError("the lexicon backend reads no model file; give a path or backend='lexicon', not both")
            return cls(None, threshold=threshold)
        if threshold is not None:
            raise ConfigError("threshold applies to the lexicon backend only; pass backend='lexicon'")
        if path is None:
            if not DEFAULT_MODEL_PATH.is_file():
                raise CheckpointError(f"there is no bundled sentiment model ({DEFAULT_MODEL_PATH} is missing); "
                                      "pass a model path or backend='lexicon'")
            path = DEFAULT_MODEL_PATH
        return cls(SentimentModel.load(path))

    @classmethod
    def train(cls, texts: Sequence[str], labels: Sequence[str | int], config: SentimentConfig | None = None, *,
              valid: tuple[Sequence[str], Sequence[str | int]] | None = None) -> SentimentAnalyzer:
        """Train a learned model (see :meth:`SentimentModel.train <rnnkit.apps.sentiment.model.SentimentModel.train>`).

        Args:
            texts: training texts.
            labels: "Negative"/"Neutral"/"Positive" or SST's fine-grained 0-4, one per text.
            config: a :class:`~rnnkit.apps.sentiment.model.SentimentConfig` (default: its defaults).
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
        texts = _many_texts(texts)
        if self.model is None:
            return [review_rating(text, self.threshold) for text in texts]
        labels = ["Neutral"] * len(texts)
        rows = [i for i, text in enumerate(texts) if text.strip()]
        if rows:
            best = self.model.probabilities([texts[i] for i in rows]).argmax(axis=1)
            for i, k in zip(rows, best, strict=True):
                labels[i] = LABELS[int(k)]
        return labels

    def scores(self, text: str) -> dict[str, float]:
        """A score per class and a compound score in [-1, 1] (see the module notes for each backend).

        Returns:
            ``{"Negative", "Neutral", "Positive", "compound"}``; the three class values sum to 1.

        Raises:
            InputError: ``text`` is not a str.
        """
        text = _one_text(text)
        if not text.strip():
            return dict(_BLANK_SCORES)
        if self.model is None:
            vader = vader_scores(text)
            total = vader["neg"] + vader["neu"] + vader["pos"]
            if total <= 0:
                return dict(_BLANK_SCORES) | {"compound": vader["compound"]}
            return {"Negative": vader["neg"] / total, "Neutral": vader["neu"] / total,
                    "Positive": vader["pos"] / total, "compound": vader["compound"]}
        probs = self.model.probabilities([text])[0]
        out = {label: float(p) for label, p in zip(LABELS, probs, strict=True)}
        return out | {"compound": out["Positive"] - out["Negative"]}

    def explain(self, text: str) -> list[tuple[str, float]]:
        """Each token with its contribution to the compound score; > 0 pushes towards Positive.

        Learned backend: the model's tokens and occlusion values. Lexicon backend: whitespace-separated
        words, compound(text) - compound(text without the word), for the first
        ``LEXICON_EXPLAIN_MAX_WORDS`` words. Empty text gives [].

        Raises:
            InputError: ``text`` is not a str.
        """
        text = _one_text(text)
        if self.model is not None:
            return self.model.explain(text)
        words = text.split()[:LEXICON_EXPLAIN_MAX_WORDS]
        full = vader_scores(" ".join(words))["compound"]
        # VADER rounds compound to 4 decimals; so do the differences (no 0.045300000000000001)
        return [(word, round(full - vader_scores(" ".join(words[:i] + words[i + 1:]))["compound"], 4))
                for i, word in enumerate(words)]


def _threshold(value: object) -> float:
    if value is None:
        return SEED_THRESHOLD
    if isinstance(value, str):
        if value not in _THRESHOLDS:
            raise ConfigError(f"threshold must be a number in [0, 1) or one of {', '.join(_THRESHOLDS)}, got {value!r}")
        return _THRESHOLDS[value]
    return check_threshold(value)


def _one_text(text: object) -> str:
    if isinstance(text, list | tuple):
        raise InputError(f"rate/scores/explain take one str, got a {type(text).__name__}; use rate_many for many")
    return check_text(text)


def _many_texts(texts: object) -> list[str]:
    if isinstance(texts, str | bytes | bytearray):
        raise InputError(f"rate_many takes a list of str, got a {type(texts).__name__}; use rate for one text")
    if not isinstance(texts, Iterable):
        raise InputError(f"rate_many takes a list of str, got {type(texts).__name__}")
    texts = list(texts)
    for i, text in enumerate(texts):
        check_text(text, f"text {i}")
    return texts
