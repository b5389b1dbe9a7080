"""Tests for rnnkit.data.text: plain text and Penn Treebank readers."""

from __future__ import annotations

import pytest

from rnnkit.data import read_lines, read_ptb, read_text
from rnnkit.errors import InputError
from rnnkit.text import Vocabulary


def test_read_lines_skips_blank_lines_and_strips(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("  first line \n\n   \nsecond\tline\nlast", encoding="utf-8")
    assert read_lines(path) == ["first line", "second\tline", "last"]


def test_read_lines_handles_crlf_cr_and_a_byte_order_mark(tmp_path):
    path = tmp_path / "win.txt"
    path.write_bytes("\ufeffcafé\r\n\r\nnaïve 😀\r\nold mac\rend\r\n".encode())
    assert read_lines(str(path)) == ["café", "naïve 😀", "old mac", "end"]


def test_read_text_keeps_newlines_but_normalises_them(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes(b"a\r\nb\rc\n\n")
    assert read_text(path) == "a\nb\nc\n\n"


def test_read_lines_of_an_empty_file_is_empty(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert read_lines(path) == [] and read_ptb(path) == []


@pytest.mark.parametrize("reader", [read_text, read_lines, read_ptb])
def test_missing_file_raises_input_error_naming_the_path(tmp_path, reader):
    with pytest.raises(InputError, match="file not found: .*nope.txt"):
        reader(tmp_path / "nope.txt")


def test_directory_raises_input_error(tmp_path):
    with pytest.raises(InputError, match=f"cannot read {tmp_path}"):
        read_lines(tmp_path)


@pytest.mark.parametrize("reader", [read_text, read_lines, read_ptb])
def test_undecodable_file_raises_input_error(tmp_path, reader):
    path = tmp_path / "latin1.txt"
    path.write_bytes("ok\ncaf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin1.txt is not UTF-8 text \(bad byte at offset 6\)"):
        reader(path)


def test_binary_file_with_nul_bytes_raises_input_error(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"PK\x03\x04\x00\x00\x00abc")
    with pytest.raises(InputError, match="data.bin looks like a binary file"):
        read_lines(path)


@pytest.mark.parametrize("bad", [None, 3, ["a.txt"]])
def test_non_path_raises_input_error(bad):
    with pytest.raises(InputError, match="path must be a str or os.PathLike, got"):
        read_lines(bad)


def test_read_ptb_appends_eos_and_keeps_unk(tmp_path):
    path = tmp_path / "ptb.txt"
    path.write_text(" no it was n't black monday \n the <unk> fell N points \n", encoding="utf-8")
    assert read_ptb(path) == [
        ["no", "it", "was", "n't", "black", "monday", "<eos>"],
        ["the", "<unk>", "fell", "N", "points", "<eos>"],
    ]


def test_read_ptb_counts_every_line_like_pytorch_examples(tmp_path):
    path = tmp_path / "ptb.txt"
    path.write_bytes(b" a b \r\n\n c")  # blank line and no final newline
    assert read_ptb(path) == [["a", "b", "<eos>"], ["<eos>"], ["c", "<eos>"]]


@pytest.mark.data
def test_ptb_test_split_token_counts(shared_data):
    lines = read_ptb(shared_data("ptb", "ptb.test.txt"))
    assert len(lines) == 3761
    assert all(line[-1] == "<eos>" and "<eos>" not in line[:-1] for line in lines)
    assert sum(len(line) - 1 for line in lines) == 78669  # the well-known figure, without <eos>
    assert sum(len(line) for line in lines) == 82430  # with one <eos> per line


@pytest.mark.data
def test_ptb_train_vocabulary_is_ten_thousand_words_plus_pad(shared_data):
    lines = read_ptb(shared_data("ptb", "ptb.train.txt"))
    vocab = Vocabulary.build(lines)
    # 9,999 distinct words (including PTB's <unk>, which maps onto ours) + <eos> + our <pad>.
    assert len(vocab) == 10001 and "<eos>" in vocab and vocab.encode(["<unk>"]) == [vocab.unk_id]
