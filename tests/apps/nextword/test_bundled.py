"""The bundled default next-word model: present, small, documented, and useful right after install."""

import pytest

from rnnkit import NextWordPredictor
from rnnkit.apps.nextword.predictor import DEFAULT_MODEL_PATH
from rnnkit.cli import main

MAX_BYTES = 10 * 1024 * 1024  # the limit for the bundled model on disk


@pytest.fixture(scope="module")
def bundled() -> NextWordPredictor:
    return NextWordPredictor.load()


def test_bundled_model_is_small_and_has_a_model_card():
    assert DEFAULT_MODEL_PATH.stat().st_size <= MAX_BYTES
    card = DEFAULT_MODEL_PATH.with_suffix(".md").read_text(encoding="utf-8")
    assert "rnnkit train nextword" in card and "perplexity" in card


def test_bundled_model_suggests_everyday_words(bundled):
    words = [w for w, _ in bundled.suggest("I go to ", k=5)]
    assert len(words) == 5
    assert {"school", "the", "bed", "work", "church"} & set(words)
    assert [w for w, _ in bundled.suggest("I go to sch")][0] == "school"
    assert bundled.suggest("")[0][0][0].isupper()  # a sentence start is capitalised


ANY_TEXT = ["", "I ", "Thank you very much ", "\x00\xff junk \ud800 ", "zzzzqqq ", "x" * 1_000_000 + " "]


@pytest.mark.parametrize("text", ANY_TEXT)
def test_bundled_model_answers_any_text(bundled, text):
    suggestions = bundled.suggest(text)  # next-word mode: there is always a full list
    assert len(suggestions) == 3 and all(0 < p <= 1 for _, p in suggestions)


def test_cli_suggest_works_with_the_bundled_model(capsys):
    assert main(["suggest", "I go to sch"]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("school\t")
