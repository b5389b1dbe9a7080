import pytest

from rnnkit.apps.sentiment.sources import (
    SOURCE_FORMATS,
    read_format,
    read_opinion_lexicon,
    read_source,
    read_sources,
    remove_overlap,
)
from rnnkit.errors import InputError


def test_remove_overlap_equal_containing_and_covering():
    evaluation = ["This film is a total delight from start to finish .", "Dull ."]
    texts = [
        "this film is a total delight from start to finish.",  # equal, once tokenised and lower-cased
        "I said: This film is a total delight from start to finish. Really.",  # contains it
        "is a total delight from start to finish",  # 8 tokens covering most of it
        "a total delight",  # a short common phrase: kept
        "dull",  # a different text that equals no evaluation sentence ("dull ." is two tokens)
        "a different review altogether about a dull plot and weak acting",
    ]
    kept, labels, removed = remove_overlap(texts, list(range(6)), evaluation)
    assert removed == 3
    assert labels == [3, 4, 5] and kept == texts[3:]


def test_read_sources(tmp_path):
    table = tmp_path / "t.tsv"
    table.write_text("text\tlabel\ngood\tpositive\nbad\tNegative\n", encoding="utf-8")
    trees = tmp_path / "trees.txt"
    trees.write_text("(3 (2 It) (4 (2 's) (4 good)))\n", encoding="utf-8")
    texts, labels = read_sources([f"tsv:{table}", f"sst:{trees}", f"sst-sentences:{trees}"])
    assert texts[:2] == ["good", "bad"] and labels[:2] == ["Positive", "Negative"]
    assert ("It 's good", 3) in zip(texts, labels, strict=True) and ("'s good", 4) in zip(texts, labels, strict=True)
    assert texts[-1] == "It 's good" and labels[-1] == 3


PRODUCT = "[t]\nSD500[+2]##We really enjoyed it.\n##I post under JTL at dcresource.\nscreen[-2]##It cracked.\n"


def test_one_reader_table_for_every_format(tmp_path):
    (tmp_path / "camera.txt").write_text(PRODUCT, encoding="utf-8")
    (tmp_path / "gt.txt").write_text("1\t2.5\tgood\n2\t0.4\tok\n", encoding="utf-8")
    (tmp_path / "t.csv").write_text("review,stars\nfine,4\n", encoding="utf-8")
    assert SOURCE_FORMATS == ("sst", "sst-sentences", "proscons", "plot", "product", "csv", "tsv", "vader")
    assert read_format("product", tmp_path / "camera.txt")[1] == ["Positive", None, "Negative"]
    assert read_source(f"product:{tmp_path / 'camera.txt'}") == (["We really enjoyed it.", "It cracked."],
                                                                  ["Positive", "Negative"])  # untagged: skipped
    assert read_format("vader", tmp_path / "gt.txt")[1] == ["Positive", "Neutral"]
    assert read_format("vader", tmp_path / "gt.txt", neutral_band=0.3)[1] == ["Positive", "Positive"]
    assert read_format("csv", tmp_path / "t.csv", text_column="review", label_column="stars",
                       label_scheme="sst") == (["fine"], ["Positive"])
    with pytest.raises(InputError, match="format must be one of sst, sst-sentences, .*; got 'nope'"):
        read_format("nope", tmp_path / "t.csv")


@pytest.mark.parametrize("spec", ["nope:/x", "sst", "csv:"])
def test_bad_source_spec(spec):
    with pytest.raises(InputError, match="must be FORMAT:PATH"):
        read_source(spec)


def test_opinion_lexicon(tmp_path):
    (tmp_path / "positive-words.txt").write_bytes(b";comment\n\nGood\nnice\n")
    (tmp_path / "negative-words.txt").write_bytes(b";c\nbad\nna\xefve\n")
    assert read_opinion_lexicon(tmp_path) == (["good", "nice"], ["bad", "na\u00efve"])
    with pytest.raises(InputError, match="cannot read the opinion lexicon file"):
        read_opinion_lexicon(tmp_path / "missing")


def test_shared_pros_cons_hold_no_sst_test_sentence(shared_data):
    texts, labels = read_source(f"proscons:{shared_data('pros_cons')}")
    assert len(texts) > 40_000 and set(labels) == {"Positive", "Negative"}
    test_sentences = read_source(f"sst-sentences:{shared_data('sst', 'trees', 'test.txt')}")[0]
    kept, _, removed = remove_overlap(texts, labels, test_sentences)
    assert removed == 0 and len(kept) == len(texts)  # the data README: overlaps were removed at source
