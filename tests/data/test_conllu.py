"""The CoNLL-U reader: words, UPOS tags and ids; multiword tokens and empty nodes skipped; one-line errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnkit.data.conllu import TaggedSentence, parse_conllu, read_conllu
from rnnkit.errors import InputError

SAMPLE = """\
# newdoc id = d1
# sent_id = s1
# text = I'd fly to st. louis
1-2\tI'd\t_\t_\t_\t_\t_\t_\t_\t_
1\tI\tI\tPRON\t_\t_\t3\tnsubj\t_\t_
2\t'd\twould\tAUX\t_\t_\t3\taux\t_\t_
3\tfly\tfly\tVERB\t_\t_\t0\troot\t_\t_
3.1\tgo\tgo\tVERB\t_\t_\t_\t_\t0:root\t_
4\tto\tto\tADP\t_\t_\t5\tcase\t_\t_
5\tst.\tSt.\tPROPN\t_\t_\t3\tobl\t_\t_
6\tlouis\tLouis\tPROPN\t_\t_\t5\tflat\t_\t_

# sent_id = s2
1\tyes\tyes\tINTJ\t_\t_\t0\troot\t_\t_
"""


def test_reads_words_tags_ids_and_text_skipping_ranges_and_empty_nodes():
    first, second = parse_conllu(SAMPLE, "sample.conllu")
    assert first == TaggedSentence(("I", "'d", "fly", "to", "st.", "louis"),
                                   ("PRON", "AUX", "VERB", "ADP", "PROPN", "PROPN"), "s1", "I'd fly to st. louis")
    assert second == TaggedSentence(("yes",), ("INTJ",), "s2", "")


def test_reads_a_file_with_crlf_line_ends_and_a_bom(tmp_path):
    path = tmp_path / "win.conllu"
    path.write_bytes(b"\xef\xbb\xbf" + SAMPLE.replace("\n", "\r\n").encode())
    assert [s.sent_id for s in read_conllu(path)] == ["s1", "s2"]


@pytest.mark.parametrize("text, match", [
    ("1\tyes\tyes\tINTJ\t_\t_\t0\troot\t_\n", r"^f.conllu:1: expected 10 tab-separated columns, got 9$"),
    ("# sent_id = a\n1\ta\ta\tDET\t_\t_\t0\t_\t_\t_\n3\tb\tb\tNOUN\t_\t_\t0\t_\t_\t_\n",
     r"^f.conllu:3: word ID '3' should be 2"),
    ("1\ta\ta\t_\t_\t_\t0\t_\t_\t_\n", r"^f.conllu:1: word 1 has an empty FORM or UPOS column$"),
    ("x\ta\ta\tDET\t_\t_\t0\t_\t_\t_\n", r"^f.conllu:1: word ID 'x' should be 1"),
    ("# only a comment\n\n", "f.conllu holds no CoNLL-U sentence"),
    ("", "f.conllu holds no CoNLL-U sentence"),
])
def test_malformed_text_is_one_line_naming_file_and_line(text, match):
    with pytest.raises(InputError, match=match) as info:
        parse_conllu(text, "f.conllu")
    assert "\n" not in str(info.value)


def test_missing_binary_and_non_str_inputs_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_conllu(tmp_path / "none.conllu")
    (tmp_path / "bin.conllu").write_bytes(b"\x00\x01\x02")
    with pytest.raises(InputError, match="binary"):
        read_conllu(tmp_path / "bin.conllu")
    with pytest.raises(InputError, match="must be a str"):
        parse_conllu(b"1\ta")


_WORD = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1, max_size=8)
_TAG = st.sampled_from(["NOUN", "VERB", "ADP", "PROPN", "PUNCT"])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.lists(st.tuples(_WORD, _TAG), min_size=1, max_size=6), min_size=1, max_size=4))
def test_written_sentences_read_back_the_same(sentences):
    blocks = []
    for n, sentence in enumerate(sentences):
        lines = [f"# sent_id = {n}"] + [f"{i}\t{w}\t_\t{t}\t_\t_\t0\t_\t_\t_" for i, (w, t) in
                                        enumerate(sentence, start=1)]
        blocks.append("\n".join(lines))
    read = parse_conllu("\n\n".join(blocks) + "\n")
    assert [(s.words, s.tags, s.sent_id) for s in read] == [
        (tuple(w for w, _ in s), tuple(t for _, t in s), str(n)) for n, s in enumerate(sentences)]
