"""Tatoeba pairs, both sides: reading, a split by English sentence, references grouped for BLEU."""

import pytest

from rnnkit import InputError
from rnnkit.data.tatoeba import SPLIT_PERCENT, group_references, read_tatoeba_pairs, split_pairs, split_sentences

PAIRS = ("Go.\tVa !\nRun!\tCours !\nRun!\tCourez !\nRun!\tCours !\n"
         "I go to school.\tJe vais à l'école.\tCC-BY 2.0 (France) Attribution: tatoeba.org\n")


def test_read_pairs_keeps_every_translation_drops_repeats_and_a_third_column(tmp_path):
    path = tmp_path / "fra.txt"
    path.write_text(PAIRS, encoding="utf-8")
    assert read_tatoeba_pairs(path) == [("Go.", "Va !"), ("Run!", "Cours !"), ("Run!", "Courez !"),
                                        ("I go to school.", "Je vais à l'école.")]


def test_read_pairs_skips_an_empty_side_and_rejects_a_line_without_tab(tmp_path):
    path = tmp_path / "fra.txt"
    path.write_text("Go.\t\tattribution\nHi.\tSalut.\n", encoding="utf-8")
    assert read_tatoeba_pairs(path) == [("Hi.", "Salut.")]
    path.write_text("Go.\tVa !\nno tab\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 2 has no tab"):
        read_tatoeba_pairs(path)


def test_split_pairs_follows_the_english_sentence_split():
    pairs = [(f"sentence {i}.", f"phrase {i} {k}.") for i in range(1000) for k in range(i % 3 + 1)]
    parts = split_pairs(pairs)
    by_sentence = split_sentences([e for e, _ in pairs])
    assert set(parts) == set(SPLIT_PERCENT)
    for name in SPLIT_PERCENT:
        assert list(dict.fromkeys(e for e, _ in parts[name])) == by_sentence[name]
    assert sorted(p for part in parts.values() for p in part) == sorted(pairs)


def test_every_translation_of_a_sentence_lands_in_one_part():
    pairs = [(f"s{i}", f"t{i}{k}") for i in range(300) for k in range(3)]
    where = {e: name for name, part in split_pairs(pairs).items() for e, _ in part}
    for name, part in split_pairs(pairs).items():
        assert all(where[e] == name for e, _ in part)


def test_group_references_keeps_first_seen_order_and_all_translations():
    pairs = [("Run!", "Cours !"), ("Go.", "Va !"), ("Run!", "Courez !")]
    assert group_references(pairs) == [("Run!", ["Cours !", "Courez !"]), ("Go.", ["Va !"])]


@pytest.mark.data
def test_the_real_file_splits_90_5_5_by_english_sentence(shared_data):
    parts = split_pairs(read_tatoeba_pairs(shared_data("tatoeba_eng_fra", "fra.txt")))
    english = {name: {e for e, _ in part} for name, part in parts.items()}
    assert not english["train"] & english["test"] and not english["valid"] & english["test"]
    total = sum(map(len, english.values()))
    assert total == 98_659  # SOURCE.md: distinct English sentences
    assert 0.04 < len(english["test"]) / total < 0.06
