"""Scoring with sacreBLEU: multi-reference BLEU and chrF, the evaluation of a translator, the real test split."""

import pytest

from rnnkit import InputError
from rnnkit.apps.translator import Translator, evaluate_translator
from rnnkit.apps.translator.evaluate import format_result, score

from .conftest import PAIRS, pairs_file


def test_score_counts_any_reference_and_prints_the_signature():
    references = [["Je vais à l'école."], ["Toi, content.", "Tu es heureux."]]
    perfect = score(["Je vais à l'école.", "Tu es heureux."], references)
    assert perfect["bleu"] == 100.0 and perfect["chrf"] == 100.0
    assert perfect["bleu_signature"].startswith("nrefs:var|case:mixed|eff:no|tok:13a|smooth:exp|version:")
    assert perfect["chrf_signature"].startswith("nrefs:var|case:mixed|eff:yes|nc:6|nw:0|space:no|version:")
    assert score(["Il pleut."], [["Je vais à l'école."]])["bleu"] < 10


@pytest.mark.parametrize(("hyps", "refs", "match"), [([], [], "one reference list"), (["a"], [], "one reference"),
                                                      (["a"], [[]], "at least one reference")])
def test_score_refuses_mismatched_input(hyps, refs, match):
    with pytest.raises(InputError, match=match):
        score(hyps, refs)


def test_evaluate_a_list_of_pairs_groups_references(tiny_translator):
    pairs = [*PAIRS, ("I go to school.", "Je me rends à l'école.")]
    result = evaluate_translator(tiny_translator, pairs, beam=1)
    assert (result["sentences"], result["references"], result["beam"]) == (8, 9, 1)
    assert result["bleu"] > 90
    assert result["examples"][0]["references"] == ["Je vais à l'école.", "Je me rends à l'école."]
    assert format_result(result).startswith("greedy: BLEU ")


def test_evaluate_a_file_reads_its_test_part(tiny_translator, tmp_path):
    path = pairs_file(tmp_path, [(f"I see {i} cats.", f"Je vois {i} chats.") for i in range(100)])
    result = evaluate_translator(tiny_translator, path, beam=2, max_sentences=3)
    assert result["sentences"] == 3
    with pytest.raises(InputError, match="part must be"):
        evaluate_translator(tiny_translator, path, part="train")


# The first 300 distinct English sentences of the test split (the shortest; the file runs short to long),
# beam 5: the bundled model scores BLEU 43.15 there (chrF 59.29; 28.46 on the whole test part).
SUBSET_SENTENCES = 300
SUBSET_MIN_BLEU = 40.0


@pytest.mark.data
def test_the_bundled_model_on_a_fixed_test_subset(shared_data):
    data = shared_data("tatoeba_eng_fra", "fra.txt")
    result = evaluate_translator(Translator.load(), data, beam=5, max_sentences=SUBSET_SENTENCES)
    assert result["sentences"] == SUBSET_SENTENCES
    assert result["bleu"] >= SUBSET_MIN_BLEU
