"""Readers for labelled review text: CSV/TSV tables, VADER's ground truth, pros/cons, product reviews, plot sentences.

Every reader returns ``(texts, labels)``, two lists of the same length, labels named as in
``SENTIMENT_LABELS`` ("Negative", "Neutral", "Positive"), except :func:`read_vader_ground_truth`
(mean human ratings; :func:`rating_to_label` turns them into labels) and :func:`read_product_reviews`
(None for sentences without a net annotated opinion). Files are read by :func:`rnnkit.data.read_text`
(UTF-8, CRLF -> LF, binary files rejected). SST trees are read by :mod:`rnnkit.data.sst`.
"""

from __future__ import annotations

import csv
import html
import io
import logging
import os
import re
from pathlib import Path

from rnnkit.data.sst import SST_3CLASS_NAMES, sst_to_3class
from rnnkit.data.text import read_text
from rnnkit.errors import InputError

__all__ = [
    "LABEL_SCHEMES",
    "SENTIMENT_LABELS",
    "VADER_NEUTRAL_BAND",
    "parse_label",
    "rating_to_label",
    "read_labelled_table",
    "read_plot_sentences",
    "read_product_reviews",
    "read_pros_cons",
    "read_vader_ground_truth",
]

log = logging.getLogger(__name__)

SENTIMENT_LABELS = SST_3CLASS_NAMES  # ("Negative", "Neutral", "Positive")
# VADER's raters used -4..+4 with 0 neutral. |mean rating| <= 0.5 counts as Neutral: the narrowest band
# that still reads "no clear lean" (half a scale step); it gives 562 Neutral snippets of 10,605, while
# 1.0 gives 1,582 (vader_movie_reviews/SOURCE.md). The snippets were chosen as clearly fresh or rotten.
VADER_NEUTRAL_BAND = 0.5
# Label spellings read_labelled_table accepts (case-insensitive), by scheme.
_NAMES = {
    "negative": "Negative", "neg": "Negative", "-1": "Negative",
    "neutral": "Neutral", "neu": "Neutral", "0": "Neutral",
    "positive": "Positive", "pos": "Positive", "1": "Positive", "+1": "Positive",
}
_SST = {str(fine): SST_3CLASS_NAMES[sst_to_3class(fine)] for fine in range(5)}
LABEL_SCHEMES = {"names": _NAMES, "sst": _SST}
_VADER_FILE = "movieReviewSnippets_GroundTruth.txt"
_PROS_CONS_FILES = ("IntegratedPros.txt", "IntegratedCons.txt")
_PROS_CONS_LINE = re.compile(r"\s*<(Pros|Cons)>(.*)</\1>\s*", re.DOTALL)
# An entry that says its list is empty: "None", "none so far!", "N/A", "can't think of any", "haven't found
# one yet". 1,626 of the 22,838 cons say so, or say "no complaints" (and 144 of the pros): as "Negative" they
# would teach that "none" and "no complaints" are complaints. "None of the buttons work" is a real con, kept.
_NOTHING_LISTED = re.compile(
    r"(none|nothing(?!\s*(but|else)\b)|nada|zilch|n/?a|not (a )?one"
    r"|(i )?(can'?t|cannot|could ?n'?t) think of (any|one|anything|a one)"
    r"|(i )?(have ?n'?t|have not|did ?n'?t|did not) (found|find|had|seen|noticed) (any|one|anything|a bad thing))"
    r"(?!\s*of\b)(?![\w'/])", re.IGNORECASE)
# In the cons only: "no complaints", "no problems at all" say there is no con, i.e. they praise.
_NO_CONS = re.compile(r"no (complaints?|problems?|issues?|cons|negatives?|gripes?|drawbacks?)\b", re.IGNORECASE)
_PLOT_FILE = "plot.tok.gt9.5000"
# A feature's opinion in product_reviews_2: "[+2]", "[-1]"; the source also holds "[2]", "+3]" and "{+2]".
_OPINION = re.compile(r"([+-]?)(\d+)\]")


def _name(path: str | os.PathLike[str]) -> str:
    return os.fspath(path)


def parse_label(value: str, scheme: str = "names") -> str:
    """Normalise one label spelling to "Negative", "Neutral" or "Positive".

    Args:
        value: "negative"/"neg"/"-1", "neutral"/"neu"/"0", "positive"/"pos"/"1"/"+1" (any case) for
            scheme "names"; an SST fine-grained label "0".."4" for scheme "sst" ({0,1} Negative, 2
            Neutral, {3,4} Positive).
        scheme: "names" or "sst".

    Raises:
        InputError: an unknown scheme, or a value the scheme does not accept (the message lists them).
    """
    if scheme not in LABEL_SCHEMES:
        raise InputError(f"label scheme must be one of {sorted(LABEL_SCHEMES)}, got {scheme!r}")
    table = LABEL_SCHEMES[scheme]
    label = table.get(str(value).strip().lower())
    if label is None:
        hint = "; SST labels 0-4 need label scheme 'sst'" if scheme == "names" and str(value).strip() in _SST else ""
        raise InputError(f"unknown label {value!r}; accepted: {', '.join(table)}{hint}")
    return label


def _sniff_delimiter(path: str | os.PathLike[str], text: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix in (".tsv", ".tab"):
        return "\t"
    if suffix == ".csv":
        return ","
    header = text.split("\n", 1)[0]
    return "\t" if "\t" in header else ","


def _column(header: list[str], wanted: str, name: str) -> int:
    stripped = [h.strip() for h in header]
    if wanted in stripped:
        return stripped.index(wanted)
    lowered = [h.lower() for h in stripped]
    if wanted.lower() in lowered:
        return lowered.index(wanted.lower())
    raise InputError(f"{name}: no column {wanted!r} in the header; columns are {stripped}")


def read_labelled_table(
    path: str | os.PathLike[str],
    text_column: str = "text",
    label_column: str = "label",
    delimiter: str | None = None,
    *,
    label_scheme: str = "names",
) -> tuple[list[str], list[str]]:
    """Read a CSV or TSV file with a header row holding a text column and a label column.

    Fields follow the csv module's rules (double quotes around a field that holds the delimiter,
    a newline or a quote); blank rows are skipped; texts are kept as written, empty ones included.

    Args:
        path: the file.
        text_column: header name of the text column (exact, else case-insensitive).
        label_column: header name of the label column.
        delimiter: "," or "\\t"; None picks tab for ``.tsv``/``.tab``, comma for ``.csv``, and for
            other names tab when the header line holds one, else comma.
        label_scheme: "names" (negative/neutral/positive, neg/neu/pos, -1/0/1, any case) or "sst"
            (SST fine labels 0-4, mapped to 3 classes by :func:`rnnkit.data.sst_to_3class`).

    Returns:
        ``(texts, labels)`` with labels in ``SENTIMENT_LABELS``.

    Raises:
        InputError: the file cannot be read, has no header or lacks a column, a row is short, or a
            label is not accepted (the message names the line, the value and the accepted spellings).
    """
    text = read_text(path)
    name = _name(path)
    if label_scheme not in LABEL_SCHEMES:
        raise InputError(f"label_scheme must be one of {sorted(LABEL_SCHEMES)}, got {label_scheme!r}")
    delimiter = _sniff_delimiter(path, text) if delimiter is None else delimiter
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        raise InputError(f"{name} is empty; expected a header row with {text_column!r} and {label_column!r}")
    ti, li = _column(header, text_column, name), _column(header, label_column, name)
    texts: list[str] = []
    labels: list[str] = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(ti, li):
            raise InputError(f"{name}, line {reader.line_num}: {len(row)} field(s), expected {len(header)}")
        try:
            labels.append(parse_label(row[li], label_scheme))
        except InputError as err:
            raise InputError(f"{name}, line {reader.line_num}: {err}") from err
        texts.append(row[ti])
    return texts, labels


def _in_folder(path: str | os.PathLike[str], default: str) -> Path:
    path = Path(path)
    return path / default if path.is_dir() else path


def read_vader_ground_truth(path: str | os.PathLike[str]) -> tuple[list[str], list[float]]:
    """Read VADER's human-rated snippets (``movieReviewSnippets_GroundTruth.txt``).

    Each line is ``id TAB mean-rating TAB text`` (CRLF, no final newline in the published file); the
    rating is the mean of 15-29 raters on -4..+4. Texts are kept as published (quotes written ``''``).

    Args:
        path: the file, or the folder that holds it.

    Returns:
        ``(texts, ratings)``; :func:`rating_to_label` turns a rating into a label.

    Raises:
        InputError: the file cannot be read, or a line lacks the three fields or holds a rating
            that is not a number in [-4, 4] (the message gives the line).
    """
    path = _in_folder(path, _VADER_FILE)
    texts: list[str] = []
    ratings: list[float] = []
    for lineno, line in enumerate(read_text(path).split("\n"), start=1):
        if not line.strip():
            continue
        fields = line.split("\t", 2)
        if len(fields) != 3:
            raise InputError(f"{path}, line {lineno}: expected id TAB rating TAB text, got {line[:60]!r}")
        try:
            rating = float(fields[1])
        except ValueError:
            rating = float("nan")
        if not -4 <= rating <= 4:
            raise InputError(f"{path}, line {lineno}: the rating must be a number in [-4, 4], got {fields[1]!r}")
        texts.append(fields[2].strip())
        ratings.append(rating)
    return texts, ratings


def rating_to_label(rating: float, neutral_band: float = VADER_NEUTRAL_BAND) -> str:
    """Label for a mean VADER rating: Neutral when ``|rating| <= neutral_band``, else by its sign.

    Raises:
        InputError: ``neutral_band`` is negative or ``rating`` is not a number.
    """
    if not neutral_band >= 0:
        raise InputError(f"neutral_band must be >= 0, got {neutral_band!r}")
    if not isinstance(rating, int | float) or rating != rating:
        raise InputError(f"rating must be a number, got {rating!r}")
    if abs(rating) <= neutral_band:
        return "Neutral"
    return "Positive" if rating > 0 else "Negative"


def _files(path: str | os.PathLike[str], names: tuple[str, ...]) -> list[Path]:
    path = Path(path)
    if not path.is_dir():
        return [path]
    found = [path / n for n in names if (path / n).is_file()]
    if not found:
        raise InputError(f"{path} holds none of {', '.join(names)}")
    return found


def _unescape(text: str) -> str:
    # The published files escape some entities twice ("&amp;amp;", "&amp;#10;"): undo until stable.
    for _ in range(3):
        text, before = html.unescape(text), text
        if text == before:
            break
    return text


def says_nothing_listed(phrase: str, list_name: str) -> bool:
    """Whether a Pros or Cons entry says that its list is empty rather than naming a pro or con.

    "None", "None so far!", "N/A", "can't think of any", "haven't found one yet" in either list; in the
    Cons also "no complaints", "No problems at all". Such an entry is not an opinion of the list's sign.
    """
    text = phrase.strip().lstrip("-*. ")
    if _NOTHING_LISTED.match(text):
        return True
    return list_name == "Cons" and _NO_CONS.match(text) is not None


def read_pros_cons(path: str | os.PathLike[str], *, skip_nothing_listed: bool = False
                   ) -> tuple[list[str], list[str]]:
    """Read the Pros and Cons phrases (``IntegratedPros.txt``, ``IntegratedCons.txt``).

    Each line is ``<Pros>text</Pros>`` (Positive) or ``<Cons>text</Cons>`` (Negative), indentation
    allowed. HTML entities are decoded, also when escaped twice as in the published files
    (``&amp;amp;``, ``&amp;#10;``), and runs of whitespace made one space;
    lines whose text is empty are skipped.

    Args:
        path: one of the two files, or the folder holding them (pros first, then cons).
        skip_nothing_listed: also skip entries that say the list is empty (`says_nothing_listed`):
            "none so far" in the Cons is not a complaint, and a sentiment model should not learn it as one.

    Returns:
        ``(texts, labels)``.

    Raises:
        InputError: the file cannot be read, or a non-blank line is not a Pros/Cons element.
    """
    texts: list[str] = []
    labels: list[str] = []
    for file in _files(path, _PROS_CONS_FILES):
        for lineno, line in enumerate(read_text(file).split("\n"), start=1):
            if not line.strip():
                continue
            match = _PROS_CONS_LINE.fullmatch(line)
            if match is None:
                raise InputError(f"{file}, line {lineno}: expected <Pros>...</Pros> or <Cons>...</Cons>, "
                                 f"got {line.strip()[:60]!r}")
            phrase = " ".join(_unescape(match.group(2)).split())
            if phrase and not (skip_nothing_listed and says_nothing_listed(phrase, match.group(1))):
                texts.append(phrase)
                labels.append("Positive" if match.group(1) == "Pros" else "Negative")
    return texts, labels


def _opinion_label(tags: str) -> str | None:
    total = sum(int(sign + digits) for sign, digits in _OPINION.findall(tags))
    if total == 0:
        return None
    return "Positive" if total > 0 else "Negative"


def _product_file(file: Path, strict: bool) -> tuple[list[str], list[str | None]]:
    texts: list[str] = []
    labels: list[str | None] = []
    skipped = 0
    for lineno, line in enumerate(read_text(file).split("\n"), start=1):
        if not line.strip() or line.startswith("[t]"):
            continue
        if "##" not in line:
            if strict:
                raise InputError(f"{file}, line {lineno}: no '##' before the sentence: {line.strip()[:60]!r}")
            skipped += 1
            continue
        tags, sentence = line.split("##", 1)
        sentence = sentence.strip()
        if sentence:
            texts.append(sentence)
            labels.append(_opinion_label(tags))
    if skipped:
        log.warning("%s: skipped %d line(s) without '##' (not in the annotated format)", file, skipped)
    if not texts:
        raise InputError(f"{file} holds no 'features##sentence' line; is it a product_reviews_2 file?")
    return texts, labels


def read_product_reviews(path: str | os.PathLike[str], *, strict: bool = False) -> tuple[list[str], list[str | None]]:
    """Read the annotated customer reviews of ``product_reviews_2`` (Hu & Liu; Ding, Liu & Yu 2008).

    A sentence line is ``feature[+2],other[-1][u]##sentence``. Its label is the sign of the sum of
    its opinion strengths: Positive above 0, Negative below. Sentences with no opinion (nothing but
    ``##``, only ``[s]``/``[u]`` marks) or whose opinions cancel out get None; the dataset's notes
    call them approximately Neutral. A strength written without a sign (``[2]``) counts as positive.
    ``[t]`` title lines are skipped, and so are the few lines that lack ``##`` (logged) unless ``strict``.

    Args:
        path: one product's file, or the folder (every ``*.txt`` but README.txt, in name order).
        strict: raise on a line without ``##`` instead of skipping it.

    Returns:
        ``(texts, labels)``, labels "Positive", "Negative" or None.

    Raises:
        InputError: a file cannot be read or holds no sentence line, or (strict) a line lacks ``##``.
    """
    path = Path(path)
    files = sorted(f for f in path.glob("*.txt") if f.name != "README.txt") if path.is_dir() else [path]
    if not files:
        raise InputError(f"{path} holds no product review .txt file")
    texts: list[str] = []
    labels: list[str | None] = []
    for file in files:
        file_texts, file_labels = _product_file(file, strict)
        texts += file_texts
        labels += file_labels
    return texts, labels


def read_plot_sentences(path: str | os.PathLike[str]) -> tuple[list[str], list[str]]:
    """Read the objective plot-summary sentences (``subjectivity_objective/plot.tok.gt9.5000``), all Neutral.

    Sentences are lower-cased and tokenised as published; plot summaries still mention good and bad
    things, so take the labels as weak.

    Args:
        path: the file, or the folder that holds it.

    Returns:
        ``(texts, labels)``, every label "Neutral".

    Raises:
        InputError: the file cannot be read.
    """
    path = _in_folder(path, _PLOT_FILE)
    texts = [line.strip() for line in read_text(path).split("\n") if line.strip()]
    return texts, ["Neutral"] * len(texts)
