"""Tests for rnnkit.data.sst: the SST PTB-tree reader and label mappings."""

from __future__ import annotations

from collections import Counter

import pytest

from rnnkit.data import read_sst, sst_to_3class, sst_to_binary
from rnnkit.data.sst import SST_3CLASS, SST_3CLASS_NAMES
from rnnkit.errors import InputError

TREES = "\n".join(
    [
        "(3 (2 It) (4 (2 's) (2 good)))",
        "",
        r"(1 (2 (2 -LRB-) (2 ``)) (1 (0 1\/2) (2 (2 '') (2 -RRB-))))",
        "(2 (2 It) (3 (2 's) (2 good)))",  # "It" and "'s" again; "'s good" again with another label
        "(4 (2 -LSB-) (4 (2 -LCB-) (4 (2 -RCB-) (2 -RSB-))))",
        "",
    ]
)


@pytest.fixture
def trees(tmp_path):
    path = tmp_path / "trees.txt"
    path.write_text(TREES, encoding="utf-8")
    return path


def read_sst_text(tmp_path, text):
    path = tmp_path / "tree.txt"
    path.write_text(text, encoding="utf-8")
    return read_sst(path)


def test_sentences_with_root_labels(trees):
    assert read_sst(trees) == [
        ("It 's good", 3),
        ('( " 1/2 " )', 1),
        ("It 's good", 2),
        ("[ { } ]", 4),
    ]


def test_phrases_are_distinct_with_first_label_root_first(trees):
    phrases = read_sst(trees, phrases=True)
    assert phrases[:5] == [("It 's good", 3), ("It", 2), ("'s good", 4), ("'s", 2), ("good", 2)]
    texts = [text for text, _ in phrases]
    assert len(texts) == len(set(texts))
    assert dict(phrases)["'s good"] == 4 and dict(phrases)["1/2"] == 0 and dict(phrases)['" )'] == 2
    assert ('( " 1/2 " )', 1) in phrases and ("[ { } ]", 4) in phrases


def test_windows_line_ends_read_the_same(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes(TREES.replace("\n", "\r\n").encode())
    assert read_sst(path) == read_sst_text(tmp_path, TREES)


def test_no_break_space_inside_a_word_is_kept(tmp_path):
    assert read_sst_text(tmp_path, "(2 (2 8\u00a01\\/2) (2 rocks))") == [("8\u00a01/2 rocks", 2)]


@pytest.mark.parametrize(
    ("bad_line", "reason"),
    [
        ("(3 (2 It) (2 good)", "the tree is not closed"),
        ("(3 (2 It)) (2 extra)", r"unexpected '\(' after the end of the tree"),
        ("(3 (2 It)))", r"unexpected '\)' after the end of the tree"),
        ("(5 (2 It) (2 good))", "expected a label 0-4 after '\\(', got '5'"),
        ("(x It)", "expected a label 0-4 after '\\(', got 'x'"),
        ("(", "expected a label 0-4 after '\\(', got 'end of line'"),
        ("(3", "the tree is not closed"),
        ("(3 (2 It) word)", "word 'word' where '\\(' or '\\)' was expected"),
        ("(3 It good)", "word 'good' where"),
        ("(3 )", "a node has neither a word nor children"),
        ("It 's good", "expected '\\(' to open the tree, got 'It'"),
        (")", "expected '\\(' to open the tree, got '\\)'"),
    ],
)
def test_malformed_tree_raises_input_error_with_line_number(tmp_path, bad_line, reason):
    with pytest.raises(InputError, match=f"tree.txt, line 3: malformed SST tree: {reason}"):
        read_sst_text(tmp_path, f"(2 (2 ok) (2 .))\n\n{bad_line}\n")


def test_missing_file_raises_input_error(tmp_path):
    with pytest.raises(InputError, match="file not found: .*train.txt"):
        read_sst(tmp_path / "train.txt")


@pytest.mark.parametrize(("label", "three", "binary"), [(0, 0, 0), (1, 0, 0), (2, 1, None), (3, 2, 1), (4, 2, 1)])
def test_label_mappings(label, three, binary):
    assert sst_to_3class(label) == three and SST_3CLASS[label] == three
    assert sst_to_binary(label) == binary


def test_three_class_names():
    assert [SST_3CLASS_NAMES[sst_to_3class(label)] for label in range(5)] == [
        "Negative",
        "Negative",
        "Neutral",
        "Positive",
        "Positive",
    ]


@pytest.mark.parametrize("bad", [-1, 5, 2.0, "3", None, True])
def test_label_mappings_reject_bad_labels(bad):
    with pytest.raises(InputError, match="SST label must be an integer 0-4, got"):
        sst_to_3class(bad)
    with pytest.raises(InputError, match="SST label must be an integer 0-4, got"):
        sst_to_binary(bad)


@pytest.mark.data
def test_sst_split_sizes_and_label_counts(shared_data):
    # Counts from ../shared/data/sst/SOURCE.md (the official trainDevTestTrees_PTB release).
    expected = {
        "train": (8544, [1092, 2218, 1624, 2322, 1288]),
        "dev": (1101, [139, 289, 229, 279, 165]),
        "test": (2210, [279, 633, 389, 510, 399]),
    }
    for split, (size, per_label) in expected.items():
        examples = read_sst(shared_data("sst", "trees", f"{split}.txt"))
        counts = Counter(label for _, label in examples)
        assert len(examples) == size and [counts[label] for label in range(5)] == per_label
        assert not any("-LRB-" in text or "``" in text or "\\/" in text for text, _ in examples)
