"""Tatoeba pairs: the English side, distinct sentences, a split that never leaks a sentence."""

import pytest

from rnnkit import InputError
from rnnkit.cli import main
from rnnkit.data import read_tatoeba_english, split_sentences
from rnnkit.data.tatoeba import SPLIT_PERCENT

PAIRS = "Go.\tVa !\nRun!\tCours !\nRun!\tCourez !\nI go to school.\tJe vais à l'école.\n"


def test_read_tatoeba_english_keeps_distinct_sentences_in_order(tmp_path):
    path = tmp_path / "fra.txt"
    path.write_text(PAIRS, encoding="utf-8")
    assert read_tatoeba_english(path) == ["Go.", "Run!", "I go to school."]


def test_read_tatoeba_english_rejects_a_line_without_tab(tmp_path):
    path = tmp_path / "fra.txt"
    path.write_text("Go.\tVa !\nno tab here\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 2 has no tab"):
        read_tatoeba_english(path)


def test_split_is_by_sentence_deterministic_and_disjoint():
    sentences = [f"sentence number {i}." for i in range(2000)]
    parts = split_sentences(sentences + sentences[:100])  # repeats land where their first copy did
    assert sorted(s for part in parts.values() for s in part) == sorted(sentences)
    reordered = split_sentences(list(reversed(sentences)))  # a sentence's part never depends on the others
    assert {n: set(p) for n, p in parts.items()} == {n: set(p) for n, p in reordered.items()}
    assert 0.85 < len(parts["train"]) / 2000 < 0.95
    assert len(parts["valid"]) > 50 and len(parts["test"]) > 50


@pytest.mark.data
def test_cli_data_tatoeba_writes_three_parts(tmp_path, shared_data, capsys):
    source = shared_data("tatoeba_eng_fra", "fra.txt")
    assert main(["data", "tatoeba", str(source), "--out", str(tmp_path)]) == 0
    counts = {n: len((tmp_path / f"{n}.txt").read_text(encoding="utf-8").splitlines()) for n in SPLIT_PERCENT}
    assert sum(counts.values()) == 98_659  # the distinct English sentences SOURCE.md counts
    train = set((tmp_path / "train.txt").read_text(encoding="utf-8").splitlines())
    assert not train & set((tmp_path / "test.txt").read_text(encoding="utf-8").splitlines())
    assert "train: " in capsys.readouterr().out
