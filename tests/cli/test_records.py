"""Bulk records read straight from bytes: one (record, text) per input record, text None for an error record."""

from __future__ import annotations

import io

import pytest

from rnnkit.cli.records import MAX_RECORD_BYTES, read_records
from rnnkit.errors import InputError


def records(data: bytes, fmt: str, column: str = "text"):
    return list(read_records(io.BytesIO(data), fmt, column))


def test_lines_keep_trailing_spaces_and_mark_blank_and_bad_lines():
    got = records(b"I go to \r\n\n\xff\nlast", "lines")
    assert got[0] == ({"line": 1, "text": "I go to "}, "I go to ")
    assert got[1][1] is None and got[1][0]["error"] == "blank line"
    assert got[2][1] is None and "not UTF-8" in got[2][0]["error"]
    assert got[3][1] == "last"


def test_jsonl_and_csv_records_keep_their_fields():
    got = records(b'{"id": 1, "body": "fine"}\n[1]\n\n{"id": 2}\n', "jsonl", "body")
    assert got[0] == ({"line": 1, "id": 1, "body": "fine"}, "fine")
    assert "not an object" in got[1][0]["error"] and "no string field 'body'" in got[2][0]["error"]
    got = records(b"id,text\n7,good\n8,\n", "csv")
    assert got[0] == ({"line": 2, "id": "7", "text": "good"}, "good") and got[1][1] is None


def test_a_long_line_is_one_error_record_and_a_missing_column_one_error():
    got = records(b"x" * (MAX_RECORD_BYTES + 10) + b"\nnext\n", "lines")
    assert got[0][1] is None and "over" in got[0][0]["error"] and got[1][1] == "next"
    with pytest.raises(InputError, match="no column 'text'"):
        records(b"id,body\n1,a\n", "csv")
