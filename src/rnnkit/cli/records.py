"""Bulk files in and out: records read from lines, CSV / TSV or JSONL, and records written as JSONL or CSV.

The reading and writing half of :mod:`rnnkit.cli.bulk` (which batches the records and scores them).
A record that cannot be read (bad UTF-8, bad JSON, a missing text column, a line over
:data:`MAX_RECORD_BYTES`) comes with text None and its ``error``, so the run goes on.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from rnnkit.errors import InputError

__all__ = ["FORMATS", "MAX_RECORD_BYTES", "OUT_FORMATS", "Record", "Writer", "guess_format", "open_input",
           "open_output", "read_records"]

FORMATS = ("lines", "csv", "tsv", "jsonl")
OUT_FORMATS = ("jsonl", "csv")
MAX_RECORD_BYTES = 1 << 20  # one text or row over 1 MiB is an error record, not a memory blow-up
_SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl"}

Record = dict[str, Any]
Flatten = Callable[[Record], Record]  # a result -> flat columns for CSV


def guess_format(path: str | None, given: str | None, choices: Sequence[str], default: str) -> str:
    """``given``, else the format the file name's suffix names, else ``default``."""
    if given:
        return given
    guessed = _SUFFIXES.get(Path(path).suffix.lower()) if path and path != "-" else None
    return guessed if guessed in choices else default


def read_records(stream: IO[bytes], fmt: str, column: str) -> Iterator[tuple[Record, str | None]]:
    """(record to echo, its text) per input record; text None means the record is an error record."""
    if fmt in ("csv", "tsv"):
        yield from _table_records(stream, "," if fmt == "csv" else "\t", column)
        return
    for number, raw in enumerate(_lines(stream), start=1):
        if raw is None:
            yield {"line": number, "error": f"line over {MAX_RECORD_BYTES:,} bytes"}, None
            continue
        try:
            line = raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError as err:
            yield {"line": number, "error": f"not UTF-8 text (bad byte at offset {err.start})"}, None
            continue
        if fmt == "lines":
            record = {"line": number, "text": line}
            yield (record, line) if line.strip() else ({**record, "error": "blank line"}, None)
            continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            yield {"line": number, "error": f"not JSON: {err.msg} at column {err.colno}"}, None
            continue
        if not isinstance(obj, dict):
            yield {"line": number, "error": f"a JSON {type(obj).__name__}, not an object"}, None
        elif not isinstance(obj.get(column), str):
            yield {"line": number, **obj, "error": f"no string field {column!r}"}, None
        else:
            yield {"line": number, **obj}, obj[column]


def _lines(stream: IO[bytes]) -> Iterator[bytes | None]:
    """Each line (bytes); None for a line over MAX_RECORD_BYTES, whose rest is skipped."""
    while True:
        raw = stream.readline(MAX_RECORD_BYTES + 1)
        if not raw:
            return
        if len(raw) > MAX_RECORD_BYTES and not raw.endswith(b"\n"):
            while True:  # skip the rest of the long line in bounded pieces
                rest = stream.readline(MAX_RECORD_BYTES)
                if not rest or rest.endswith(b"\n"):
                    break
            yield None
            continue
        yield raw


def _table_records(stream: IO[bytes], delimiter: str, column: str) -> Iterator[tuple[Record, str | None]]:
    csv.field_size_limit(MAX_RECORD_BYTES)
    text = io.TextIOWrapper(stream, encoding="utf-8", errors="surrogateescape", newline="")
    reader = csv.reader(text, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as err:
        raise InputError(f"cannot read the header row: {err}") from err
    if column not in header:
        raise InputError(f"no column {column!r} in the header ({', '.join(header[:10])}); give --text-column")
    where = header.index(column)
    number = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            number = reader.line_num
            yield {"line": number, "error": f"bad row: {err}"}, None
            continue
        number = reader.line_num
        record = {"line": number, **dict(zip(header, row, strict=False))}
        if not _is_utf8("".join(row)):  # bad bytes were read as lone surrogates (errors="surrogateescape")
            yield {"line": number, "error": "not UTF-8 text"}, None
        elif len(row) <= where or not row[where].strip():
            yield {**record, "error": f"no text in column {column!r}"}, None
        else:
            yield record, row[where]


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class Writer:
    """Writes records as JSON lines, or as CSV rows whose header is fixed by the first record."""

    def __init__(self, out: IO[str], fmt: str, flatten: Flatten, result_columns: Sequence[str]) -> None:
        self.out, self.fmt, self.flatten, self.result_columns = out, fmt, flatten, list(result_columns)
        self.csv: csv.DictWriter | None = None

    def write(self, record: Record, result: Record | None = None) -> None:
        if self.fmt == "jsonl":
            self.out.write(json.dumps(record | (result or {}), ensure_ascii=False) + "\n")
            return
        if self.csv is None:
            fields = [key for key in record if key != "error" and key not in self.result_columns]
            self.csv = csv.DictWriter(self.out, fieldnames=fields + self.result_columns + ["error"],
                                      extrasaction="ignore", restval="")
            self.csv.writeheader()
        self.csv.writerow(record | (self.flatten(result) if result is not None else {}))


def open_input(source: str) -> tuple[IO[bytes], int]:
    if source == "-":
        return sys.stdin.buffer, 0
    try:
        stream = open(source, "rb")  # noqa: SIM115  (closed by the caller)
        return stream, os.fstat(stream.fileno()).st_size
    except OSError as err:
        raise InputError(f"cannot read {source}: {err.strerror or err}") from err


def open_output(output: str | None) -> IO[str]:
    if not output or output == "-":
        return sys.stdout
    try:
        return open(output, "w", encoding="utf-8", newline="")  # noqa: SIM115  (closed by the caller)
    except OSError as err:
        raise InputError(f"cannot write {output}: {err.strerror or err}") from err
