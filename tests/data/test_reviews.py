"""Tests for rnnkit.data.reviews: tables, VADER ground truth, pros/cons, product reviews, plot sentences."""

from __future__ import annotations

import logging
from collections import Counter

import pytest

from rnnkit.data import (
    rating_to_label,
    read_labelled_table,
    read_plot_sentences,
    read_product_reviews,
    read_pros_cons,
    read_vader_ground_truth,
)
from rnnkit.data.reviews import VADER_NEUTRAL_BAND, parse_label, says_nothing_listed
from rnnkit.errors import InputError


def write(tmp_path, name, text, newline="\n"):
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return path


# CSV / TSV -------------------------------------------------------------------------------------------

def test_csv_with_quoted_fields_and_label_spellings(tmp_path):
    path = write(tmp_path, "r.csv", 'id,text,label\n1,"Great, really great",POSITIVE\n2,"said ""meh""",neu\n'
                                    "\n3,awful,-1\n4,fine,+1\n5,,0\n")
    texts, labels = read_labelled_table(path)
    assert texts == ["Great, really great", 'said "meh"', "awful", "fine", ""]
    assert labels == ["Positive", "Neutral", "Negative", "Positive", "Neutral"]


def test_tsv_by_extension_and_by_content(tmp_path):
    body = "Sentence\tSentiment\ngood, very good\tpos\nbad\tNegative\n"
    expected = (["good, very good", "bad"], ["Positive", "Negative"])
    assert read_labelled_table(write(tmp_path, "r.tsv", body), "sentence", "sentiment") == expected
    assert read_labelled_table(write(tmp_path, "r.txt", body, "\r\n"), "Sentence", "Sentiment") == expected


def test_sst_label_scheme(tmp_path):
    path = write(tmp_path, "r.csv", "text,label\na,0\nb,1\nc,2\nd,3\ne,4\n")
    assert read_labelled_table(path, label_scheme="sst")[1] == ["Negative", "Negative", "Neutral", "Positive",
                                                                 "Positive"]
    with pytest.raises(InputError, match="line 4: unknown label '2'; .* need label scheme 'sst'"):
        read_labelled_table(path)  # "0" and "1" read as -1/0/1 names, then "2" is no name


@pytest.mark.parametrize("body, kwargs, match", [
    ("text,label\ngood,Positive\nbad,Good\n", {}, r"r.csv, line 3: unknown label 'Good'; accepted: negative, neg"),
    ("text,label\ngood,4\nbad,5\n", {"label_scheme": "sst"}, "line 3: unknown label '5'; accepted: 0, 1, 2"),
    ("text,label\ngood\n", {}, "line 2: 1 field"),
    ("review,stars\ngood,1\n", {}, r"no column 'text' in the header; columns are \['review', 'stars'\]"),
    ("", {}, "is empty"),
    ("text,label\n", {"label_scheme": "stars"}, "label_scheme must be one of"),
])
def test_table_errors(tmp_path, body, kwargs, match):
    with pytest.raises(InputError, match=match):
        read_labelled_table(write(tmp_path, "r.csv", body), **kwargs)


def test_line_numbers_count_physical_lines(tmp_path):
    path = write(tmp_path, "r.csv", 'text,label\n"two\nlines",pos\nx,nope\n')
    with pytest.raises(InputError, match="line 4: unknown label 'nope'"):
        read_labelled_table(path)


def test_binary_file_is_rejected(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(b"text,label\n\x00\x01\x02,pos\n")
    with pytest.raises(InputError, match="binary"):
        read_labelled_table(path)


def test_parse_label():
    assert parse_label(" Neutral ") == "Neutral"
    with pytest.raises(InputError, match="label scheme must be one of"):
        parse_label("pos", "stars")


# VADER ground truth ----------------------------------------------------------------------------------

def test_vader_ground_truth_crlf_no_final_newline(tmp_path):
    path = write(tmp_path, "gt.txt", "1\t2.266\tThe Rock is ''Conan''.\n2\t-0.5\tmeh\tstill text\n3\t0.51\tok",
                 "\r\n")
    texts, ratings = read_vader_ground_truth(path)
    assert texts == ["The Rock is ''Conan''.", "meh\tstill text", "ok"]
    assert ratings == [2.266, -0.5, 0.51]
    assert [rating_to_label(r) for r in ratings] == ["Positive", "Neutral", "Positive"]


@pytest.mark.parametrize("body, match", [
    ("1\t2.0\tgood\n2\tgood\n", "line 2: expected id TAB rating TAB text"),
    ("1\tfive\tgood\n", "line 1: the rating must be a number in \\[-4, 4\\], got 'five'"),
    ("1\t4.5\tgood\n", "got '4.5'"),
])
def test_vader_errors(tmp_path, body, match):
    with pytest.raises(InputError, match=match):
        read_vader_ground_truth(write(tmp_path, "gt.txt", body))


@pytest.mark.parametrize("rating, band, label", [
    (0.5, 0.5, "Neutral"), (-0.5, 0.5, "Neutral"), (0.51, 0.5, "Positive"), (-0.51, 0.5, "Negative"),
    (0.9, 1.0, "Neutral"), (0.0, 0.0, "Neutral"), (0.01, 0.0, "Positive"),
])
def test_rating_to_label(rating, band, label):
    assert rating_to_label(rating, band) == label


def test_rating_to_label_errors():
    assert VADER_NEUTRAL_BAND == 0.5
    with pytest.raises(InputError, match="neutral_band must be >= 0"):
        rating_to_label(1.0, -1)
    with pytest.raises(InputError, match="rating must be a number"):
        rating_to_label(float("nan"))


# pros / cons -----------------------------------------------------------------------------------------

def test_pros_cons_folder_and_file(tmp_path):
    write(tmp_path, "IntegratedPros.txt", "        <Pros>Easy to use, economical!</Pros>\n<Pros></Pros>\n"
                                          "<Pros>clear &amp;amp; crisp&amp;#13;&amp;#10;cheap</Pros>\n")
    write(tmp_path, "IntegratedCons.txt", "<Cons>Eats batteries</Cons>\n")
    texts, labels = read_pros_cons(tmp_path)
    assert texts == ["Easy to use, economical!", "clear & crisp cheap", "Eats batteries"]
    assert labels == ["Positive", "Positive", "Negative"]
    assert read_pros_cons(tmp_path / "IntegratedCons.txt") == (["Eats batteries"], ["Negative"])


@pytest.mark.parametrize("phrase", ["None", "none so far!", "NONE.", "N/A", "na", "None yet...", "none whatsoever",
                                    "Can't think of any", "I haven't found one yet", "have not found any",
                                    "Nothing I've found", "not a one", "- none that I can think of"])
def test_an_entry_that_says_the_list_is_empty(phrase):
    assert says_nothing_listed(phrase, "Cons") and says_nothing_listed(phrase, "Pros")


@pytest.mark.parametrize("phrase", ["None of the buttons light up", "Nothing but trouble!!!", "No zoom",
                                    "Nothing else comes close", "no USB cable", "Noisy fan", "nonexistent support",
                                    "Nanny mode", "Can't print photos", "Navigation is slow"])
def test_an_entry_that_names_a_pro_or_con(phrase):
    assert not says_nothing_listed(phrase, "Cons") and not says_nothing_listed(phrase, "Pros")


def test_no_complaints_is_no_con_but_is_a_pro():
    for phrase in ("No complaints", "no problems at all", "No issues whatsoever", "no cons", "No drawbacks"):
        assert says_nothing_listed(phrase, "Cons") and not says_nothing_listed(phrase, "Pros")


def test_pros_cons_can_skip_entries_that_list_nothing(tmp_path):
    write(tmp_path, "IntegratedPros.txt", "<Pros>none</Pros>\n<Pros>No problems so far</Pros>\n<Pros>Light</Pros>\n")
    write(tmp_path, "IntegratedCons.txt", "<Cons>None yet!</Cons>\n<Cons>no complaints</Cons>\n<Cons>No zoom</Cons>\n")
    assert read_pros_cons(tmp_path, skip_nothing_listed=True) == (
        ["No problems so far", "Light", "No zoom"], ["Positive", "Positive", "Negative"])
    assert len(read_pros_cons(tmp_path)[0]) == 6


def test_pros_cons_errors(tmp_path):
    path = write(tmp_path, "p.txt", "<Pros>fine</Pros>\n<Pros>unclosed\n")
    with pytest.raises(InputError, match=r"p.txt, line 2: expected <Pros>...</Pros>"):
        read_pros_cons(path)
    with pytest.raises(InputError, match="holds none of IntegratedPros.txt"):
        read_pros_cons(tmp_path)


# product reviews -------------------------------------------------------------------------------------

PRODUCT = """[t]
SD500[+2]##We really enjoyed it.
##I post under JTL at dcresource.
quality[+2],Sony[-2]##The quality is much better than the Sony.
LCD[-1],screen[-2][u]##It cracked.
look[2] ##The finish is first-rate.
[s]##You will need a belt clip.
variety of colours[+2] - no double hash here
[t]
"""


def test_product_reviews(tmp_path, caplog):
    path = write(tmp_path, "Canon.txt", PRODUCT)
    with caplog.at_level(logging.WARNING):
        texts, labels = read_product_reviews(path)
    assert texts == ["We really enjoyed it.", "I post under JTL at dcresource.",
                     "The quality is much better than the Sony.", "It cracked.", "The finish is first-rate.",
                     "You will need a belt clip."]
    assert labels == ["Positive", None, None, "Negative", "Positive", None]
    assert "skipped 1 line" in caplog.text
    with pytest.raises(InputError, match=r"Canon.txt, line 8: no '##'"):
        read_product_reviews(path, strict=True)


def test_product_reviews_folder_skips_readme(tmp_path):
    write(tmp_path, "README.txt", "Symbols used: [t] ...\n")
    write(tmp_path, "b.txt", "x[-3]##Bad.\n")
    write(tmp_path, "a.txt", "x[+1]##Good.\n")
    assert read_product_reviews(tmp_path) == (["Good.", "Bad."], ["Positive", "Negative"])
    with pytest.raises(InputError, match="holds no 'features##sentence' line"):
        read_product_reviews(tmp_path / "README.txt")


# plot sentences --------------------------------------------------------------------------------------

def test_plot_sentences(tmp_path):
    write(tmp_path, "plot.tok.gt9.5000", "the movie begins in the past .\n\nsam saves celebi . \n")
    assert read_plot_sentences(tmp_path) == (["the movie begins in the past .", "sam saves celebi ."],
                                             ["Neutral", "Neutral"])
    with pytest.raises(InputError, match="file not found"):
        read_plot_sentences(tmp_path / "missing.txt")


# the shared datasets ---------------------------------------------------------------------------------

@pytest.mark.data
def test_vader_counts_match_the_readme(shared_data):
    texts, ratings = read_vader_ground_truth(shared_data("vader_movie_reviews"))
    assert len(texts) == 10_605
    assert Counter(rating_to_label(r) for r in ratings) == {"Negative": 5061, "Neutral": 562, "Positive": 4982}
    assert Counter(rating_to_label(r, 1.0) for r in ratings)["Neutral"] == 1582


@pytest.mark.data
def test_shared_pros_cons_product_and_plot(shared_data):
    texts, labels = read_pros_cons(shared_data("pros_cons"))
    # 22,696 pros and 22,838 cons lines, of which 5 and 5 are empty
    assert Counter(labels) == {"Positive": 22_691, "Negative": 22_833}
    _, labels = read_pros_cons(shared_data("pros_cons"), skip_nothing_listed=True)
    assert Counter(labels) == {"Positive": 22_547, "Negative": 21_207}  # 144 and 1,626 say there are none
    assert not any("&amp;" in t or "&#" in t for t in texts)
    texts, labels = read_product_reviews(shared_data("product_reviews_2"))
    assert Counter(labels) == {None: 2161, "Positive": 1335, "Negative": 733}
    texts, labels = read_plot_sentences(shared_data("subjectivity_objective"))
    assert len(texts) == 5000 and set(labels) == {"Neutral"}
