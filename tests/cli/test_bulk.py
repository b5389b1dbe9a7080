"""Bulk scoring: formats in and out, columns kept, error records, bounded records, batch isolation."""

from __future__ import annotations

import csv
import io
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rnnkit.cli.bulk import MAX_RECORD_BYTES, guess_format, run_bulk
from rnnkit.errors import InputError

COLUMNS = ("label", "length")


def fake_predict(texts):
    """A model that refuses texts containing "BAD" (the whole batch fails, as a real model's would)."""
    if any("BAD" in t for t in texts):
        raise InputError("this model refuses BAD")
    return [{"label": "long" if len(t) > 5 else "short", "length": len(t)} for t in texts]


def flatten(result):
    return {"label": result["label"], "length": result["length"]}


def run(tmp_path, name: str, data: bytes, **options):
    path = tmp_path / name
    path.write_bytes(data)
    out = tmp_path / ("out." + options.pop("ext", "jsonl"))
    summary = run_bulk(str(path), fake_predict, flatten, COLUMNS, output=str(out), progress=False, **options)
    return summary, out.read_text(encoding="utf-8")


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_lines_in_jsonl_out_one_record_per_line_with_error_records(tmp_path):
    data = b"good film\r\nok\n\nBAD one\n\xff\xfe broken\nlast line"
    summary, out = run(tmp_path, "in.txt", data, batch_size=2)
    records = jsonl(out)
    assert [r["line"] for r in records] == [1, 2, 3, 4, 5, 6]
    assert records[0] == {"line": 1, "text": "good film", "label": "long", "length": 9}
    assert records[1]["label"] == "short"
    assert records[2]["error"] == "blank line"
    assert records[3]["error"] == "this model refuses BAD" and records[3]["text"] == "BAD one"
    assert "not UTF-8" in records[4]["error"]
    assert records[5]["text"] == "last line" and records[5]["label"] == "long"
    assert (summary.records, summary.rated, summary.errors) == (6, 3, 3)


def test_a_refused_batch_is_scored_text_by_text_so_only_the_bad_one_fails(tmp_path):
    _, out = run(tmp_path, "in.txt", b"one\nBAD\nthree\n", batch_size=10)
    assert [("error" in r) for r in jsonl(out)] == [False, True, False]


def test_csv_keeps_its_columns_and_writes_csv(tmp_path):
    data = b"id,text,stars\n1,great value,5\n2,\"bad, BAD\",1\n3,,3\n4,fine,4\n"
    summary, out = run(tmp_path, "reviews.csv", data, ext="csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["line", "id", "text", "stars", "label", "length", "error"]
    assert rows[0]["id"] == "1" and rows[0]["label"] == "long" and rows[0]["error"] == ""
    assert rows[1]["error"] == "this model refuses BAD" and rows[1]["stars"] == "1"
    assert rows[2]["error"] == "no text in column 'text'"
    assert rows[3]["label"] == "short" and summary.errors == 2


def test_tsv_with_another_text_column_and_jsonl_out(tmp_path):
    data = b"review\tuser\nnice\tann\n"
    _, out = run(tmp_path, "r.tsv", data, text_column="review")
    assert jsonl(out) == [{"line": 2, "review": "nice", "user": "ann", "label": "short", "length": 4}]


def test_a_missing_text_column_is_one_clear_error(tmp_path):
    with pytest.raises(InputError, match="no column 'text' in the header"):
        run(tmp_path, "r.csv", b"review,user\nnice,ann\n")


def test_jsonl_in_keeps_fields_and_reports_bad_lines(tmp_path):
    data = b'{"id": 7, "text": "lovely day"}\nnot json\n[1, 2]\n{"id": 9}\n\n{"text": "ok"}\n'
    summary, out = run(tmp_path, "in.jsonl", data)
    records = jsonl(out)
    assert records[0] == {"line": 1, "id": 7, "text": "lovely day", "label": "long", "length": 10}
    assert records[1]["error"].startswith("not JSON")
    assert records[2]["error"] == "a JSON list, not an object"
    assert records[3] == {"line": 4, "id": 9, "error": "no string field 'text'"}
    assert records[4]["line"] == 6 and records[4]["label"] == "short"
    assert summary.records == 5


def test_a_line_over_the_limit_is_an_error_record_and_the_next_line_is_read(tmp_path):
    data = b"x" * (MAX_RECORD_BYTES + 10) + b"\nafter\n"
    _, out = run(tmp_path, "big.txt", data)
    records = jsonl(out)
    assert records[0] == {"line": 1, "error": f"line over {MAX_RECORD_BYTES:,} bytes"}
    assert records[1]["text"] == "after"


def test_csv_output_when_the_first_record_is_an_error(tmp_path):
    _, out = run(tmp_path, "in.txt", b"\nhello there\n", ext="csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["line", "text", "label", "length", "error"]
    assert rows[0]["error"] == "blank line" and rows[1]["label"] == "long"


@pytest.mark.parametrize("path, given, expected", [
    ("a.csv", None, "csv"), ("a.TSV", None, "tsv"), ("a.jsonl", None, "jsonl"), ("a.txt", None, "lines"),
    ("-", None, "lines"), ("a.csv", "lines", "lines")])
def test_the_format_is_guessed_from_the_name(path, given, expected):
    assert guess_format(path, given, ("lines", "csv", "tsv", "jsonl"), "lines") == expected


def test_unreadable_input_and_bad_batch_size_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        run_bulk(str(tmp_path / "absent.txt"), fake_predict, flatten, COLUMNS, progress=False)
    (tmp_path / "a.txt").write_text("x\n")
    with pytest.raises(InputError, match="--batch-size"):
        run_bulk(str(tmp_path / "a.txt"), fake_predict, flatten, COLUMNS, batch_size=0, progress=False)
    with pytest.raises(InputError, match="cannot write"):
        run_bulk(str(tmp_path / "a.txt"), fake_predict, flatten, COLUMNS, output=str(tmp_path / "no" / "o.jsonl"),
                 progress=False)


def test_rnnkit_sentiment_input_rates_every_line_with_the_bundled_model(tmp_path, capsys):
    from rnnkit.cli import main

    path, out = tmp_path / "reviews.txt", tmp_path / "rated.csv"
    path.write_text("I love it, works great\n\nThe battery died after two days.\n", encoding="utf-8")
    assert main(["sentiment", "--input", str(path), "--output", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["label"] for r in rows] == ["Positive", "", "Negative"] and rows[1]["error"] == "blank line"
    assert float(rows[0]["positive"]) > 0.5 and list(rows[0])[:3] == ["line", "text", "label"]
    assert "rated 2 of 3 records" in capsys.readouterr().err


def test_rnnkit_tag_input_keeps_the_csv_columns(tmp_path):
    from rnnkit.cli import main

    path, out = tmp_path / "q.csv", tmp_path / "tagged.jsonl"
    path.write_text("id,question\n7,show me flights to denver\n", encoding="utf-8")
    assert main(["tag", "--input", str(path), "--text-column", "question", "--output", str(out)]) == 0
    [record] = jsonl(out.read_text(encoding="utf-8"))
    assert record["id"] == "7" and record["tokens"][0] == {"word": "show", "tag": "VERB"}


@pytest.mark.parametrize("argv, message", [
    (["sentiment"], "give a TEXT to rate, or --input FILE"),
    (["sentiment", "good", "--input", "x.txt"], "give a TEXT to rate, or --input FILE"),
    (["sentiment", "--input", "x.txt", "--explain"], "--explain rates one text at a time"),
    (["tag"], "give a TEXT to tag, or --input FILE"),
])
def test_text_or_input_is_a_usage_error(capsys, argv, message):
    from rnnkit.cli import main

    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_rnnkit_translate_input_writes_one_translation_per_line(tmp_path, capsys):
    from rnnkit.cli import main

    path, out = tmp_path / "en.txt", tmp_path / "fr.csv"
    path.write_text("I go to school.\n\nHow are you?\n", encoding="utf-8")
    assert main(["translate", "--input", str(path), "--output", str(out), "--greedy"]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["translation"] for r in rows] == ["Je vais à l'école.", "", "Comment allez-vous ?"]
    assert rows[1]["error"] == "blank line" and "translated 2 of 3 records" in capsys.readouterr().err
    assert main(["translate"]) == 2


def test_a_batch_is_cut_when_its_texts_reach_batch_chars(tmp_path, monkeypatch):
    from rnnkit.cli import bulk

    sizes = []

    def predict(texts):
        sizes.append(len(texts))
        return fake_predict(texts)

    monkeypatch.setattr(bulk, "BATCH_CHARS", 10)
    path = tmp_path / "in.txt"
    path.write_text("aaaa\nbbbb\ncccc\ndd\ne\n", encoding="utf-8")
    run_bulk(str(path), predict, flatten, COLUMNS, output=str(tmp_path / "out.jsonl"), progress=False, batch_size=100)
    assert sizes == [3, 2]  # 4 + 4 + 4 characters reach 10: cut; the rest at the end


def test_sentiment_reads_bigger_batches_than_the_other_products():
    from rnnkit.cli import _build_parser
    from rnnkit.cli.bulk import DEFAULT_BATCH, SENTIMENT_BATCH

    assert _build_parser(["sentiment"]).parse_args(["sentiment", "x"]).batch_size == SENTIMENT_BATCH > DEFAULT_BATCH
    assert _build_parser(["tag"]).parse_args(["tag", "x"]).batch_size == DEFAULT_BATCH


def test_sentiment_workers_write_what_one_process_writes(tmp_path, capsys):
    from rnnkit.cli import main

    path = tmp_path / "reviews.txt"
    lines = ["I love it, works great", "", "The battery died after two days.", "meh", "Five stars!"] * 7
    path.write_bytes("\n".join(lines).encode() + b"\n\xff bad byte\n")
    outs = []
    for workers in ("1", "2"):
        out = tmp_path / f"rated-{workers}.jsonl"
        assert main(["sentiment", "--input", str(path), "--output", str(out), "--batch-size", "4",
                     "--workers", workers]) == 0
        outs.append(out.read_text(encoding="utf-8"))
        assert "rated 28 of 36 records" in capsys.readouterr().err
    assert outs[0] == outs[1]
    records = jsonl(outs[1])
    assert [r["line"] for r in records] == list(range(1, 37)) and "not UTF-8" in records[-1]["error"]


@pytest.mark.parametrize("argv, message", [
    (["sentiment", "good", "--workers", "2"], "--workers scores a file: give --input FILE"),
    (["sentiment", "--input", "x.txt", "--workers", "0"], "--workers must be an integer of at least 1, got 0"),
    (["tag", "show me", "--workers", "2"], "--workers scores a file: give --input FILE"),
    (["translate", "--input", "x.txt", "--workers", "-1"], "--workers must be an integer of at least 1, got -1"),
])
def test_bad_workers_are_one_line_usage_errors(tmp_path, capsys, argv, message):
    from rnnkit.cli import main

    (tmp_path / "x.txt").write_text("good\n", encoding="utf-8")
    argv = [str(tmp_path / a) if a == "x.txt" else a for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1



@pytest.mark.parametrize("command, extra", [("tag", []), ("translate", ["--greedy"])])
def test_tag_and_translate_workers_write_what_one_process_writes(tmp_path, capsys, command, extra):
    from rnnkit.cli import main

    path = tmp_path / "in.txt"
    path.write_text("show me flights to denver\n\nI go to school.\nHow are you?\nwhere is it\n", encoding="utf-8")
    outs = []
    for workers in ("1", "2"):
        out = tmp_path / f"out-{workers}.jsonl"
        assert main([command, "--input", str(path), "--output", str(out), "--batch-size", "2",
                     "--workers", workers, *extra]) == 0
        outs.append(out.read_text(encoding="utf-8"))
        assert "4 of 5 records" in capsys.readouterr().err
    assert outs[0] == outs[1] and len(jsonl(outs[0])) == 5


@pytest.mark.skipif(sys.platform != "linux", reason="sends POSIX signals and lists processes in /proc")
@pytest.mark.parametrize("workers", ["1", "2"])
def test_sigterm_stops_a_run_in_one_line_keeping_whole_records_and_no_worker_behind(tmp_path, workers):
    path, out = tmp_path / "big.txt", tmp_path / "out.jsonl"
    path.write_text("A fine film, though the ending drags.\n" * 300_000, encoding="utf-8")
    run = subprocess.Popen([sys.executable, "-m", "rnnkit.cli", "sentiment", "--input", str(path), "--output",
                            str(out), "--workers", workers, "--batch-size", "512"], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while (not out.exists() or out.stat().st_size == 0) and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.05)  # the first records are out: the workers run
    children = _children(run.pid)
    run.send_signal(signal.SIGTERM)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 130 and err.strip() == "rnnkit: interrupted"
    deadline = time.monotonic() + 10  # the workers and multiprocessing's resource tracker end with the run
    while any(Path(f"/proc/{pid}").exists() for pid in children) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(children) >= (2 if workers == "2" else 0)
    assert not any(Path(f"/proc/{pid}").exists() for pid in children)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert 0 < len(lines) < 300_000 and json.loads(lines[-1])["label"]  # whole records up to the stop


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            if f"\nPPid:\t{pid}\n" in status.read_text():
                found.append(int(status.parent.name))
        except OSError:
            continue
    return found


def test_rnnkit_suggest_input_gives_each_line_its_suggestions(tmp_path, capsys):
    from rnnkit import NextWordPredictor
    from rnnkit.cli import main

    path, out = tmp_path / "typed.txt", tmp_path / "suggested.jsonl"
    texts = ["I go to ", "I go to sch", "", "She wants to be"]
    path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    assert main(["suggest", "--input", str(path), "--output", str(out), "-k", "2"]) == 0
    records = jsonl(out.read_text(encoding="utf-8"))
    predictor = NextWordPredictor.load()
    for record, text in zip(records, texts, strict=True):
        if not text:
            assert record["error"] == "blank line"
            continue
        alone = predictor.session(text).result(2)
        assert record["text"] == text and record["completing"] == alone["completing"]
        assert [s["word"] for s in record["suggestions"]] == [s["word"] for s in alone["suggestions"]]
    assert "completed 3 of 4 records" in capsys.readouterr().err
    csv_out = tmp_path / "suggested.csv"
    assert main(["suggest", "--input", str(path), "--output", str(csv_out), "-k", "2"]) == 0
    rows = list(csv.DictReader(io.StringIO(csv_out.read_text(encoding="utf-8"))))
    assert rows[1]["suggestions"] == "school schedule" and rows[1]["prefix"] == "sch"


@pytest.mark.parametrize("argv", [["suggest", "I go", "--input", "x.txt"], ["suggest", "-i", "--input", "x.txt"],
                                  ["suggest"], ["suggest", "I go", "--workers", "2"]])
def test_suggest_takes_one_of_text_interactive_or_input(capsys, argv):
    from rnnkit.cli import main

    assert main(argv) == 2
    err = capsys.readouterr().err
    assert ("exactly one of them" in err or "--workers scores a file" in err) and err.count("\n") == 1
