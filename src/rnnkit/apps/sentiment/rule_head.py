"""The rule head: the network's three probabilities joined with VADER's scores by one small logistic layer.

A learned model reads words; VADER's rule reads capitals, "!!!", emoji, negation and "but" with
hand-made care, and each is right where the other slips. The head is the final step of a model that
has one::

    features (N, 8) = [log p_Negative, log p_Neutral, log p_Positive,      the network's three classes
                       vader neg, neu, pos, compound, compound == 0]       VADER's scores of the raw text
    probabilities (N, 3) = softmax(features @ weights (8, 3) + bias (3,))

It is fitted after the network (``rnnkit train sentiment --rule-head FORMAT:PATH ...``) on labelled
data of several domains, each domain weighing the same however many texts it has, with a small L2
penalty: 27 numbers, stored in the model file. Texts it is fitted on must not be test data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rnnkit.apps.sentiment.labels import LABELS
from rnnkit.apps.sentiment.rule import vader_scores
from rnnkit.errors import InputError

__all__ = ["HEAD_FEATURES", "HEAD_L2", "RuleHead", "vader_matrix"]

HEAD_FEATURES = ("log_p_negative", "log_p_neutral", "log_p_positive", "vader_neg", "vader_neu", "vader_pos",
                 "vader_compound", "vader_zero")
HEAD_L2 = 1e-3  # penalty on the weights: 27 numbers fitted on thousands of texts need little
_EPS = 1e-6  # floor under a probability before its log


def vader_matrix(texts: Sequence[str]) -> np.ndarray:
    """(N, 4) VADER's neg, neu, pos and compound of each text (float64)."""
    rows = [vader_scores(text) for text in texts]
    return np.array([[s["neg"], s["neu"], s["pos"], s["compound"]] for s in rows], dtype=np.float64).reshape(-1, 4)


def _features(probs: np.ndarray, vader: np.ndarray) -> np.ndarray:
    zero = (vader[:, 3:4] == 0).astype(np.float64)
    return np.hstack([np.log(np.asarray(probs, dtype=np.float64) + _EPS), vader, zero])  # (N, 8)


@dataclass(frozen=True)
class RuleHead:
    """Weights (8, 3) and bias (3,) of the final logistic layer; see the module notes."""

    weights: np.ndarray
    bias: np.ndarray

    def __post_init__(self) -> None:
        weights, bias = np.asarray(self.weights, dtype=np.float64), np.asarray(self.bias, dtype=np.float64)
        if weights.shape != (len(HEAD_FEATURES), len(LABELS)) or bias.shape != (len(LABELS),) or not (
                np.isfinite(weights).all() and np.isfinite(bias).all()):
            raise InputError(f"a rule head is finite weights {(len(HEAD_FEATURES), len(LABELS))} and bias "
                             f"({len(LABELS)},), got {weights.shape} and {bias.shape}")
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "bias", bias)

    def apply(self, probs: np.ndarray, vader: np.ndarray) -> np.ndarray:
        """(N, 3) probabilities from the network's (N, 3) and :func:`vader_matrix` (N, 4)."""
        logits = _features(probs, vader) @ self.weights + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def to_dict(self) -> dict[str, Any]:
        return {"features": list(HEAD_FEATURES), "weights": self.weights.tolist(), "bias": self.bias.tolist()}

    @classmethod
    def from_dict(cls, data: Any) -> RuleHead:
        """Inverse of :meth:`to_dict`.

        Raises:
            InputError: ``data`` is not a rule head of these features.
        """
        if not isinstance(data, dict) or data.get("features") != list(HEAD_FEATURES):
            raise InputError("the rule head must be a dict with the features " + ", ".join(HEAD_FEATURES))
        return cls(np.asarray(data["weights"], dtype=np.float64), np.asarray(data["bias"], dtype=np.float64))

    @classmethod
    def fit(cls, domains: Sequence[tuple[np.ndarray, np.ndarray, Sequence[int]]], l2: float = HEAD_L2) -> RuleHead:
        """Fit on ``[(network probs (N, 3), vader_matrix (N, 4), labels 0-2), ...]``, one tuple per domain.

        Each domain weighs the same in the loss (its texts share weight 1). L-BFGS on the weighted
        cross-entropy plus ``l2`` times the squared weights; deterministic.

        Raises:
            InputError: no domain, or a domain with no texts or labels outside 0-2.
        """
        import torch

        if not domains or any(len(labels) == 0 for _, _, labels in domains):
            raise InputError("the rule head needs at least one domain with labelled texts")
        x = torch.from_numpy(np.vstack([_features(p, v) for p, v, _ in domains]))
        y = torch.tensor([int(label) for _, _, labels in domains for label in labels])
        if int(y.min()) < 0 or int(y.max()) >= len(LABELS):
            raise InputError("rule head labels must be 0 (Negative), 1 (Neutral) or 2 (Positive)")
        w = torch.cat([torch.full((len(labels),), 1.0 / len(labels), dtype=torch.float64) for *_, labels in domains])
        weights = torch.zeros(x.shape[1], len(LABELS), dtype=torch.float64, requires_grad=True)
        bias = torch.zeros(len(LABELS), dtype=torch.float64, requires_grad=True)
        optimizer = torch.optim.LBFGS([weights, bias], max_iter=500, line_search_fn="strong_wolfe")

        def closure() -> torch.Tensor:
            optimizer.zero_grad()
            losses = torch.nn.functional.cross_entropy(x @ weights + bias, y, reduction="none")
            loss = (losses * w).sum() / w.sum() + l2 * weights.pow(2).sum()
            loss.backward()
            return loss

        optimizer.step(closure)
        return cls(weights.detach().numpy().copy(), bias.detach().numpy().copy())
