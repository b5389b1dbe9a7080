"""Bulk inference over a file: one text per line, or a CSV / TSV / JSONL table with a text column.

``rnnkit sentiment``, ``rnnkit tag`` and ``rnnkit translate`` with ``--input FILE`` read their input here, a batch at
a time, and write one output record per input record as soon as its batch is done, so a file of any
size runs in memory bounded by one batch. The input's other columns are kept. A record that cannot
be read or rated (bad UTF-8, bad JSON, a missing text column, a line over :data:`MAX_RECORD_BYTES`,
text the model refuses) becomes an error record (``{"line": N, "error": "..."}``) and the run goes
on. A progress bar shows on stderr when it is a terminal.

Formats (``--input-format``; guessed from the file name, else ``lines``):

* ``lines``: each line is a text (``\\r\\n`` and ``\\n`` endings; blank lines give error records);
* ``csv`` / ``tsv``: a header row, the text in ``--text-column`` (default ``text``);
* ``jsonl``: one JSON object per line, the text under ``--text-column``.

Output (``--output FILE``, default stdout; ``--output-format`` jsonl or csv, guessed from the name):
JSONL holds the input's fields and the result's; CSV holds the input's columns, then the result's
flat columns (for sentiment: label, negative, neutral, positive, compound), then ``error``.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from rnnkit.cli.records import (
    FORMATS,
    MAX_RECORD_BYTES,
    OUT_FORMATS,
    Record,
    Writer,
    guess_format,
    open_input,
    open_output,
    read_records,
)
from rnnkit.errors import InputError, first_line

__all__ = ["BATCH_CHARS", "FORMATS", "MAX_RECORD_BYTES", "OUT_FORMATS", "SENTIMENT_BATCH", "SENTIMENT_COLUMNS",
           "SUGGESTION_COLUMNS", "TAG_COLUMNS", "TRANSLATION_COLUMNS", "BulkSummary", "Scorer", "add_bulk_flags",
           "check_bulk_args", "check_workers", "flatten_sentiment", "flatten_suggestions", "flatten_tags",
           "flatten_translation", "guess_format", "run_bulk", "run_bulk_command", "sentiment_predictor"]

DEFAULT_BATCH = 256
# Sentiment's length batches fill better from more texts (100,000 SST lines: 4,500 lines/s at 256,
# 5,600 at 1,024, 6,660 at 4,096, 2 threads); the rated texts' characters in one batch stay under
# BATCH_CHARS whatever the size, so memory stays bounded even with 1 MiB texts.
SENTIMENT_BATCH = 4096
BATCH_CHARS = 16 << 20

Predict = Callable[[list[str]], list[Record]]  # texts -> one JSON-ready result per text
Flatten = Callable[[Record], Record]  # a result -> flat columns for CSV


@dataclass(frozen=True)
class BulkSummary:
    """What a run did: records read, results written, error records, seconds."""

    records: int
    rated: int
    errors: int
    seconds: float

    def line(self, verb: str = "rated") -> str:
        rate = self.rated / self.seconds if self.seconds > 0 else 0.0
        return (f"{verb} {self.rated:,} of {self.records:,} records in {self.seconds:.1f} s ({rate:,.0f}/s); "
                f"{self.errors:,} error record(s)")


def add_bulk_flags(parser: Any, default_batch: int = DEFAULT_BATCH) -> None:
    """``--input``, ``--input-format``, ``--text-column``, ``--output``, ``--output-format``, ``--batch-size``,
    ``--workers``."""
    group = parser.add_argument_group("bulk: a file of texts in, one record per text out")
    group.add_argument("--input", metavar="FILE", help='score every text of FILE ("-" for stdin) instead of TEXT')
    group.add_argument("--input-format", choices=FORMATS,
                       help="lines (one text per line), csv, tsv or jsonl (default: from the file name, else lines)")
    group.add_argument("--text-column", default="text", help="csv/tsv/jsonl: the field holding the text (default text)")
    group.add_argument("--output", metavar="FILE", help="write the records here (default: stdout)")
    group.add_argument("--output-format", choices=OUT_FORMATS,
                       help="jsonl or csv (default: from --output's name, else jsonl)")
    group.add_argument("--batch-size", type=int, default=default_batch,
                       help=f"texts per model call (default {default_batch}; fewer when they hold over "
                            f"{BATCH_CHARS >> 20} Mi characters)")
    group.add_argument("--workers", type=int, default=1, metavar="N",
                       help="score batches in N worker processes, each with its own copy of the model and "
                            "--num-threads threads (default 1: in this process); the Python parts of a model "
                            "(tokens, VADER's scores, beam search) then use several cores; see docs/deploy.md")


def check_bulk_args(args: Any, verb: str) -> None:
    """One-line usage errors: TEXT or ``--input`` (exactly one), and ``--workers`` only with ``--input``.

    Raises:
        InputError: what is wrong, in the words of the command's flags.
    """
    if (args.text is None) == (args.input is None):
        raise InputError(f"give a TEXT to {verb}, or --input FILE to {verb} every line or row of a file (not both)")
    check_workers(args)


def check_workers(args: Any) -> None:
    """``--workers`` other than 1 only with ``--input`` (InputError otherwise)."""
    if args.workers != 1 and args.input is None:
        raise InputError("--workers scores a file: give --input FILE")


def run_bulk_command(args: Any, make_predict: Callable[[], Predict], flatten: Flatten, result_columns: Sequence[str],
                     verb: str, predict: Predict | None = None) -> int:
    """``--input`` of a product command: :func:`run_bulk` with the bulk flags, then the summary line on stderr.

    ``make_predict`` (picklable) builds the predictor, here first (a bad model fails before any worker
    starts) unless ``predict`` is given, and in each worker with ``--workers``. Returns 0.
    """
    predict = predict if predict is not None else make_predict()
    if args.workers != 1:
        predict = None  # the workers hold their own models: free this one
    summary = run_bulk(args.input, predict, flatten, result_columns,
                       input_format=args.input_format, text_column=args.text_column, output=args.output,
                       output_format=args.output_format, batch_size=args.batch_size, workers=args.workers,
                       make_predict=make_predict, threads=args.num_threads)
    print(f"rnnkit: {summary.line(verb)}", file=sys.stderr)
    return 0


def run_bulk(source: str, predict: Predict | None, flatten: Flatten, result_columns: Sequence[str], *,
             input_format: str | None = None,
             text_column: str = "text", output: str | None = None, output_format: str | None = None,
             batch_size: int = DEFAULT_BATCH, progress: bool | None = None, workers: int = 1,
             make_predict: Callable[[], Predict] | None = None, threads: int = 1) -> BulkSummary:
    """Score every record of ``source`` (a path or ``-``) with ``predict`` and write the records.

    Args:
        predict: texts -> one JSON-ready result per text (written whole in JSONL).
        flatten: a result -> the flat ``result_columns`` written in CSV.
        workers: with more than 1, batches are scored in that many worker processes
            (:class:`~rnnkit.nn.workers.WorkerPool`), each with ``threads`` torch threads and its own
            ``make_predict()`` (a picklable callable); records are still written in input order.

    Raises:
        InputError: the input cannot be opened, a bad format, batch size or worker count, or the output
            cannot be written.
        RnnkitError: a worker could not load its model.
        KeyboardInterrupt: Ctrl-C or SIGTERM (main thread), after the records scored so far are written.
    """
    fmt = guess_format(source, input_format, FORMATS, "lines")
    out_fmt = guess_format(output, output_format, OUT_FORMATS, "jsonl")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or not 1 <= batch_size <= 100_000:
        raise InputError(f"--batch-size must be an integer from 1 to 100000, got {batch_size!r}")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InputError(f"--workers must be an integer of at least 1, got {workers!r}")
    if workers != 1 and make_predict is None:
        raise InputError("workers need make_predict, a picklable callable that builds the predictor")
    stream, size = open_input(source)
    out = open_output(output)
    bar = _progress(size, progress)
    started, records, rated, errors = time.perf_counter(), 0, 0, 0
    writer = Writer(out, out_fmt, flatten, result_columns)
    pool, previous = None, _on_sigterm(_interrupt)
    try:
        if workers != 1:
            pool = _pool(make_predict, workers, threads)
        batches = _batches(read_records(stream, fmt, text_column), batch_size, stream, size, bar)
        for batch, outcomes in _scored(batches, predict, pool):
            done, failed = _write(batch, outcomes, writer)
            records, rated, errors = records + len(batch), rated + done, errors + failed
    except OSError as err:
        raise InputError(f"cannot write {output or 'stdout'}: {err.strerror or err}") from err
    finally:
        if pool is not None:
            pool.close()
        _on_sigterm(previous)
        if bar is not None:
            bar.close()
        if stream is not sys.stdin.buffer:
            stream.close()
        if out is not sys.stdout:
            out.close()
        else:
            out.flush()
    return BulkSummary(records, rated, errors, time.perf_counter() - started)


Batch = list[tuple[Record, str | None]]  # records in input order; text None: an error record
Outcome = tuple[bool, Any]  # (True, result) or (False, error message), one per text


def _pool(make_predict: Callable[[], Predict] | None, workers: int, threads: int) -> Any:
    from functools import partial

    from rnnkit.nn.workers import WorkerPool

    return WorkerPool(partial(Scorer.build, make_predict), workers, threads)


def _on_sigterm(handler: Any) -> Any:
    """Set SIGTERM's handler (main thread only; elsewhere nothing changes); the previous one."""
    if handler is None or threading.current_thread() is not threading.main_thread():
        return None  # None: a handler not set from Python, which cannot be set back
    return signal.signal(signal.SIGTERM, handler)


def _interrupt(signum: int, frame: Any) -> None:
    """SIGTERM stops a run as Ctrl-C does: the records scored so far are flushed to the output and any
    worker pool is closed (killed at once instead, the last buffered records were lost without a word,
    and a pool's workers left multiprocessing a semaphore warning)."""
    raise KeyboardInterrupt


def _batches(records: Iterator[tuple[Record, str | None]], batch_size: int, stream: IO[bytes], size: int,
             bar: Any) -> Iterator[Batch]:
    """Records grouped into batches of ``batch_size`` records or ``BATCH_CHARS`` text characters."""
    batch: Batch = []
    chars = 0  # the batch's text characters: bounded memory with long texts
    for record, text in records:
        batch.append((record, text))
        chars += len(text) if text is not None else 0
        if len(batch) >= batch_size or chars >= BATCH_CHARS:
            yield batch
            batch, chars = [], 0
        if bar is not None:
            bar.update(stream.tell() - bar.n if size else 1)
    if batch:
        yield batch


def _scored(batches: Iterator[Batch], predict: Predict | None, pool: Any) -> Iterator[tuple[Batch, list[Outcome]]]:
    """Each batch with its texts' outcomes: here, or in the pool's workers (a few batches ahead, in order)."""
    if pool is None:
        scorer = Scorer(predict)
        for batch in batches:
            yield batch, scorer.score([text for _, text in batch if text is not None])
        return
    sent: deque[Batch] = deque()  # batches handed to the pool, in order, awaiting their outcomes

    def texts() -> Iterator[list[str]]:
        for batch in batches:
            sent.append(batch)
            yield [text for _, text in batch if text is not None]

    for outcomes in pool.map("score", texts()):
        yield sent.popleft(), outcomes


class Scorer:
    """Texts -> an outcome per text; if the model refuses a batch, each text is scored alone.

    What a bulk worker process holds (:meth:`build` makes one from a picklable ``make_predict``).
    """

    def __init__(self, predict: Predict) -> None:
        self.predict = predict

    @classmethod
    def build(cls, make_predict: Callable[[], Predict]) -> Scorer:
        return cls(make_predict())

    def score(self, texts: list[str]) -> list[Outcome]:
        """(True, result) or (False, the error's first line) for each text, in order."""
        from rnnkit.nn.inference import batch_or_each  # here: `rnnkit --help` does not import torch

        return [(True, value[0]) if ok else (False, first_line(value, 300))
                for ok, value in batch_or_each(self.predict, [[text] for text in texts])]


def _write(batch: Batch, outcomes: list[Outcome], writer: Writer) -> tuple[int, int]:
    """Write every record of ``batch`` in order with its outcome; (rated, error records)."""
    done = failed = 0
    results = iter(outcomes)
    for record, text in batch:
        if text is None:
            writer.write(record)
            failed += 1
            continue
        ok, value = next(results)
        if ok:
            writer.write(record, value)
            done += 1
        else:
            writer.write({**record, "error": value})
            failed += 1
    return done, failed


def _progress(size: int, wanted: bool | None) -> Any:
    if wanted is False or (wanted is None and not sys.stderr.isatty()):
        return None
    from tqdm import tqdm

    return tqdm(total=size or None, unit="B" if size else " records", unit_scale=True, file=sys.stderr,
                desc="scoring")


# What each product writes ---------------------------------------------------------------------------

SENTIMENT_COLUMNS = ("label", "negative", "neutral", "positive", "compound")
TAG_COLUMNS = ("tags",)
SUGGESTION_COLUMNS = ("completing", "prefix", "suggestions")
TRANSLATION_COLUMNS = ("translation", "unknown", "truncated")


def sentiment_predictor(analyzer: Any) -> Predict:
    """``analyzer.results`` without the (empty) explanation: label, scores, compound per text."""

    def predict(texts: list[str]) -> list[Record]:
        return [{key: value for key, value in result.items() if key != "explanation"}
                for result in analyzer.results(texts)]

    return predict


def flatten_sentiment(result: Record) -> Record:
    scores = result["scores"]
    return {"label": result["label"], "negative": scores["Negative"], "neutral": scores["Neutral"],
            "positive": scores["Positive"], "compound": result["compound"]}


def flatten_suggestions(result: Record) -> Record:
    """The words best first, separated by spaces (their probabilities are in JSONL)."""
    return {"completing": result["completing"], "prefix": result["prefix"],
            "suggestions": " ".join(s["word"] for s in result["suggestions"])}


def flatten_tags(result: Record) -> Record:
    return {"tags": " ".join(f"{token['word']}/{token['tag']}" for token in result["tokens"])}


def flatten_translation(result: Record) -> Record:
    return {"translation": result["translation"], "unknown": " ".join(result["unknown"]),
            "truncated": result["truncated"]}
