"""Classification metrics for the sentiment analyser: accuracy, macro-F1, per-class P/R/F1, confusion matrix.

Plain numpy, the same definitions as scikit-learn's ``classification_report`` with ``zero_division=0``:
a class never predicted has precision 0, a class never true has recall 0, and F1 is 0 when precision
and recall are both 0. Macro-F1 is the unweighted mean of the per-class F1 over ``labels``.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from rnnkit.apps.sentiment.labels import LABELS
from rnnkit.errors import InputError

__all__ = ["ClassificationReport", "classification_report", "format_comparison", "format_report", "plot_confusion"]


@dataclasses.dataclass(frozen=True)
class ClassificationReport:
    """Scores of predictions against gold labels.

    Attributes:
        labels: the classes, in the order of every per-class tuple and of the matrix.
        accuracy: fraction of examples predicted right.
        macro_f1: mean of ``f1`` over the classes.
        precision, recall, f1: one value per class.
        support: number of gold examples per class.
        confusion: ``confusion[i][j]`` counts examples of true class ``labels[i]`` predicted ``labels[j]``.
    """

    labels: tuple[Any, ...]
    accuracy: float
    macro_f1: float
    precision: tuple[float, ...]
    recall: tuple[float, ...]
    f1: tuple[float, ...]
    support: tuple[int, ...]
    confusion: tuple[tuple[int, ...], ...]

    @property
    def total(self) -> int:
        """Number of examples scored."""
        return sum(self.support)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: accuracy, macro_f1, ``per_class`` {label: {precision, recall, f1, support}}, confusion."""
        per_class = {
            str(label): {"precision": p, "recall": r, "f1": f, "support": s}
            for label, p, r, f, s in zip(self.labels, self.precision, self.recall, self.f1, self.support, strict=True)
        }
        return {"labels": [str(label) for label in self.labels], "n": self.total, "accuracy": self.accuracy,
                "macro_f1": self.macro_f1, "per_class": per_class, "confusion": [list(row) for row in self.confusion]}


def _safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return np.divide(num, den, out=np.zeros_like(num, dtype=float), where=den > 0)


def _positions(values: Sequence[Any], index: dict[Any, int], name: str) -> np.ndarray:
    try:
        return np.array([index[v] for v in values], dtype=np.int64)
    except (KeyError, TypeError) as err:
        bad = next(v for v in values if not isinstance(v, str | int) or v not in index)
        raise InputError(f"{name} holds {bad!r}, not one of {tuple(index)!r}") from err


def classification_report(y_true: Sequence[Any], y_pred: Sequence[Any],
                          labels: Sequence[Any] = LABELS) -> ClassificationReport:
    """Score predictions against gold labels.

    Args:
        y_true: gold labels.
        y_pred: predicted labels, same length.
        labels: every class, in display order (2, 3 or 5 of them, or any other number >= 2).

    Returns:
        A :class:`ClassificationReport`.

    Raises:
        InputError: the lists are empty or differ in length, ``labels`` has fewer than 2 or repeated
            entries, or a label is not in ``labels``.
    """
    labels = tuple(labels)
    if len(labels) < 2 or len(set(labels)) != len(labels):
        raise InputError(f"labels must be at least 2 distinct classes, got {labels!r}")
    if isinstance(y_true, str) or isinstance(y_pred, str):
        raise InputError("y_true and y_pred must be sequences of labels, not a str")
    if len(y_true) != len(y_pred):
        raise InputError(f"y_true has {len(y_true)} labels but y_pred {len(y_pred)}")
    if not len(y_true):
        raise InputError("no examples to score: y_true and y_pred are empty")
    index = {label: i for i, label in enumerate(labels)}
    k = len(labels)
    pairs = _positions(y_true, index, "y_true") * k + _positions(y_pred, index, "y_pred")
    confusion = np.bincount(pairs, minlength=k * k).reshape(k, k)  # (true, predicted)
    correct = np.diag(confusion).astype(float)
    support, predicted = confusion.sum(axis=1), confusion.sum(axis=0)
    precision, recall = _safe_div(correct, predicted), _safe_div(correct, support)
    f1 = _safe_div(2 * precision * recall, precision + recall)
    return ClassificationReport(
        labels=labels, accuracy=float(correct.sum() / confusion.sum()), macro_f1=float(f1.mean()),
        precision=tuple(map(float, precision)), recall=tuple(map(float, recall)), f1=tuple(map(float, f1)),
        support=tuple(map(int, support)), confusion=tuple(tuple(map(int, row)) for row in confusion),
    )


def format_report(report: ClassificationReport, title: str = "") -> str:
    """A text table: accuracy and macro-F1, per-class precision/recall/F1/support, then the confusion matrix."""
    names = [str(label) for label in report.labels]
    width = max(10, *(len(n) for n in names))
    lines = [title] if title else []
    lines.append(f"accuracy {report.accuracy:.3f}   macro-F1 {report.macro_f1:.3f}   n {report.total}")
    lines.append(f"{'':<{width}}  precision  recall     f1  support")
    for name, p, r, f, s in zip(names, report.precision, report.recall, report.f1, report.support, strict=True):
        lines.append(f"{name:<{width}}  {p:9.3f}  {r:6.3f}  {f:5.3f}  {s:7d}")
    return "\n".join(lines + _confusion_lines(report, width))


def _confusion_lines(report: ClassificationReport, width: int) -> list[str]:
    names = [str(label) for label in report.labels]
    cell = max(width, *(len(str(c)) for row in report.confusion for c in row))
    lines = ["confusion (rows true, columns predicted):", " " * width + "".join(f"  {n:>{cell}}" for n in names)]
    for name, row in zip(names, report.confusion, strict=True):
        lines.append(f"{name:<{width}}" + "".join(f"  {c:>{cell}}" for c in row))
    return lines


def format_comparison(reports: Mapping[str, ClassificationReport]) -> str:
    """Several systems' reports on the same examples side by side, then each confusion matrix.

    Args:
        reports: column title -> report; every report must have the same labels.

    Raises:
        InputError: no reports, or reports over different labels.
    """
    if not reports:
        raise InputError("format_comparison needs at least one report")
    first = next(iter(reports.values()))
    if any(r.labels != first.labels for r in reports.values()):
        raise InputError("the reports cover different labels; compare systems on the same classes")
    names = [str(label) for label in first.labels]
    width = max(18, *(len(n) + 10 for n in names))
    col = max(12, *(len(title) for title in reports))
    rows = [("accuracy", [r.accuracy for r in reports.values()]),
            ("macro-F1", [r.macro_f1 for r in reports.values()])]
    for k, name in enumerate(names):
        for metric in ("precision", "recall", "f1"):
            rows.append((f"{name} {metric}", [getattr(r, metric)[k] for r in reports.values()]))
    lines = [f"{'':<{width}}" + "".join(f"  {title:>{col}}" for title in reports)]
    lines += [f"{label:<{width}}" + "".join(f"  {v:>{col}.3f}" for v in values) for label, values in rows]
    support = ", ".join(f"{name} {n}" for name, n in zip(names, first.support, strict=True))
    lines.append(f"examples {first.total} ({support})")
    for title, report in reports.items():
        lines += ["", f"{title}, " + "\n".join(_confusion_lines(report, max(10, *(len(n) for n in names))))]
    return "\n".join(lines)


def plot_confusion(report: ClassificationReport, path: str | os.PathLike[str], title: str = "") -> None:
    """Write the confusion matrix as a PNG: counts in the cells, shaded by each true class's share.

    Args:
        report: the scores to draw.
        path: the PNG file to write.
        title: shown above the matrix (default: accuracy and macro-F1).
    """
    from matplotlib.figure import Figure  # no pyplot: no global state, no display needed (Agg canvas)

    counts = np.array(report.confusion)
    share = _safe_div(counts.astype(float), counts.sum(axis=1, keepdims=True).astype(float))
    names = [str(label) for label in report.labels]
    size = 1.2 + 1.1 * len(names)
    fig = Figure(figsize=(size + 1.2, size))
    ax = fig.add_subplot()
    image = ax.imshow(share, cmap="Blues", vmin=0.0, vmax=1.0)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="share of the true class")
    ax.set_xticks(range(len(names)), names, rotation=30, ha="right")
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    for (i, j), count in np.ndenumerate(counts):
        ax.text(j, i, str(count), ha="center", va="center", color="white" if share[i, j] > 0.5 else "black")
    ax.set_title(title or f"accuracy {report.accuracy:.3f}, macro-F1 {report.macro_f1:.3f}")
    fig.tight_layout()
    fig.savefig(os.fspath(path), dpi=100)
