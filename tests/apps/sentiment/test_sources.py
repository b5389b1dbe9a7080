import pytest

from rnnkit.apps.sentiment.sources import (
    PARTS,
    SOURCE_FORMATS,
    parse_spec,
    read_format,
    read_opinion_lexicon,
    read_source,
    read_sources,
    remove_overlap,
    select_part,
    split_part,
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
    assert SOURCE_FORMATS == ("sst", "sst-sentences", "proscons", "plot", "product", "product3", "csv", "tsv",
                              "vader", "tweeteval", "goemotions", "newsmtsc")
    assert read_format("product", tmp_path / "camera.txt")[1] == ["Positive", None, "Negative"]
    assert read_source(f"product3:{tmp_path / 'camera.txt'}")[1] == ["Positive", "Neutral", "Negative"]
    assert read_source(f"product:{tmp_path / 'camera.txt'}") == (["We really enjoyed it.", "It cracked."],
                                                                  ["Positive", "Negative"])  # untagged: skipped
    assert read_format("vader", tmp_path / "gt.txt")[1] == ["Positive", "Neutral"]
    assert read_format("vader", tmp_path / "gt.txt", neutral_band=0.3)[1] == ["Positive", "Positive"]
    assert read_format("csv", tmp_path / "t.csv", text_column="review", label_column="stars",
                       label_scheme="sst") == (["fine"], ["Positive"])
    with pytest.raises(InputError, match="format must be one of sst, sst-sentences, .*; got 'nope'"):
        read_format("nope", tmp_path / "t.csv")


@pytest.mark.parametrize("spec", ["nope:/x", "sst", "csv:", "csv:#dev"])
def test_bad_source_spec(spec):
    with pytest.raises(InputError, match="must be FORMAT:PATH"):
        read_source(spec)


# held-back parts ---------------------------------------------------------------------------------

# texts whose CRC-32 falls in each part: pinned, so the rule cannot change under trained models unnoticed
PINNED = {"a good film": "test", "great acting": "dev", "awful acting": "train", "it opens in paris": "dev",
          "I hated it": "train", "dull and boring": "test"}
TABLE = ["a good film,Positive", "great acting,Positive", "I loved it,Positive", "wonderful and fun,Positive",
         "a bad film,Negative", "awful acting,Negative", "I hated it,Negative", "dull and boring,Negative",
         "the film is in english,Neutral", "it opens in paris,Neutral", "great acting,Positive", "a good film,Neutral"]


def test_split_part_is_the_crc32_rule():
    assert {text: split_part(text) for text in PINNED} == PINNED
    texts = [f"review number {i}" for i in range(2000)]
    assert [split_part(t) for t in texts] == [split_part(t) for t in texts]  # the same text, the same part
    shares = {part: sum(split_part(t) == part for t in texts) / len(texts) for part in PARTS}
    assert shares["train"] == pytest.approx(0.6, abs=0.04) and shares["dev"] == pytest.approx(0.2, abs=0.03)
    assert split_part("caf\u00e9") == "test"  # crc32 of the UTF-8 bytes % 5 == 2 (Latin-1's would give 3)


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("text,label\n" + "\n".join(TABLE) + "\n", encoding="utf-8")
    return path


def test_parts_are_disjoint_and_cover_the_file(table):
    whole = read_source(f"csv:{table}")
    parts = {part: read_source(f"csv:{table}#{part}") for part in PARTS}
    assert sorted(t for texts, _ in parts.values() for t in texts) == sorted(whole[0])
    assert sum(len(labels) for _, labels in parts.values()) == len(whole[1])
    assert parts["dev"] == (["great acting", "wonderful and fun", "a bad film", "it opens in paris", "great acting"],
                            ["Positive"] * 2 + ["Negative", "Neutral", "Positive"])  # file order kept
    assert parts["test"][0] == ["a good film", "I loved it", "dull and boring", "a good film"]  # both copies
    assert all(split_part(t) == part for part, (texts, _) in parts.items() for t in texts)
    assert select_part(*whole, None) == whole


def test_part_of_product_reviews_for_training(tmp_path):
    (tmp_path / "camera.txt").write_text(PRODUCT, encoding="utf-8")
    assert read_source(f"product:{tmp_path}#dev") == (["We really enjoyed it."], ["Positive"])  # untagged: skipped
    assert read_source(f"product:{tmp_path}#train") == (["It cracked."], ["Negative"])
    assert read_source(f"product:{tmp_path}#test") == ([], [])


@pytest.mark.parametrize("spec, need_format, parsed", [
    ("csv:a/t.csv", True, ("csv", "a/t.csv", None)),
    ("tweeteval:x/test_text.txt#train", True, ("tweeteval", "x/test_text.txt", "train")),
    ("product:../shared/data/product_reviews_2#dev", True, ("product", "../shared/data/product_reviews_2", "dev")),
    ("csv:a#b/t.csv", True, ("csv", "a#b/t.csv", None)),  # a '#' inside the path is the path's
    ("csv:t.csv#2", True, ("csv", "t.csv#2", None)),
    ("data/t.csv#test", False, (None, "data/t.csv", "test")),
    ("C:/data/t.csv", False, (None, "C:/data/t.csv", None)),  # "C" is no format: a bare path
])
def test_parse_spec(spec, need_format, parsed):
    assert parse_spec(spec, need_format=need_format) == parsed


@pytest.mark.parametrize("spec, match", [
    ("csv:t.csv#valid", "the part after '#' must be one of train, dev, test, got 'valid'"),
    ("t.csv", "must be FORMAT:PATH with FORMAT one of sst, "),
    ("csv:#test", "must be FORMAT:PATH with a path"),
])
def test_parse_spec_errors(spec, match):
    with pytest.raises(InputError, match=match):
        parse_spec(spec)


def test_select_part_errors():
    with pytest.raises(InputError, match="part must be one of train, dev, test; got 'valid'"):
        select_part(["a"], ["Positive"], "valid")


def test_opinion_lexicon(tmp_path):
    (tmp_path / "positive-words.txt").write_bytes(b";comment\n\nGood\nnice\n")
    (tmp_path / "negative-words.txt").write_bytes(b";c\nbad\nna\xefve\n")
    assert read_opinion_lexicon(tmp_path) == (["good", "nice"], ["bad", "na\u00efve"])
    with pytest.raises(InputError, match="cannot read the opinion lexicon file"):
        read_opinion_lexicon(tmp_path / "missing")


def test_shared_pros_cons_hold_no_sst_test_sentence(shared_data):
    texts, labels = read_source(f"proscons:{shared_data('pros_cons')}")
    assert len(texts) == 43_754 and set(labels) == {"Positive", "Negative"}  # without "none so far" (data.reviews)
    test_sentences = read_source(f"sst-sentences:{shared_data('sst', 'trees', 'test.txt')}")[0]
    kept, _, removed = remove_overlap(texts, labels, test_sentences)
    assert removed == 0 and len(kept) == len(texts)  # the data README: overlaps were removed at source
