"""The generator's config, text, sources, sampling filter, payload and time budget, each on its own."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from rnnkit.apps.generator.config import GeneratorConfig
from rnnkit.apps.generator.generator import CharGenerator
from rnnkit.apps.generator.payload import build_payload, read_payload
from rnnkit.apps.generator.sampling import filtered_probs
from rnnkit.apps.generator.sources import read_labelled
from rnnkit.apps.generator.text import build_char_vocab, encode_chars, labelled_stream, split_validation
from rnnkit.config import config_from_dict
from rnnkit.errors import CheckpointError, ConfigError, InputError

from .conftest import TEXT, tiny_config


@pytest.mark.parametrize("field, value, match", [
    ("valid_fraction", 0.9, "valid_fraction must be a number"),
    ("max_minutes", -1, "max_minutes must be a number"),
    ("max_chars", -1, "max_chars must be an integer"),
    ("cell", "transformer", "cell must be one of rnn, lstm, gru"),
    ("hidden_size", 0, "hidden_size must be an integer"),
    ("learning_rate", 0, "learning_rate must be a number"),
])
def test_config_checks_its_fields(field, value, match):
    with pytest.raises(ConfigError, match=match):
        GeneratorConfig(**{field: value})


def test_config_round_trips_through_plain_data():
    config = GeneratorConfig(cell="gru", max_minutes=1.5)
    assert config_from_dict(GeneratorConfig, config.to_dict()) == config
    assert config.model_config(70).vocab_size == 70 and config.train_config().clip == "norm"


def test_validation_is_the_end_of_the_text():
    assert split_validation("abcdefghij", 0.2) == ("abcdefgh", "ij")
    assert split_validation("abc", 0.0) == ("abc", "")


def test_char_vocab_orders_by_frequency_and_adds_label_markers():
    vocab = build_char_vocab(["aab\n"], ["Positive"])
    assert vocab.tokens[4:] == ("a", "\n", "b", "<Positive>")
    assert encode_chars("ab?", vocab) == [4, 6, vocab.unk_id]
    assert build_char_vocab(["aab"], max_chars=1).tokens[4:] == ("a",)
    with pytest.raises(InputError, match="no characters"):
        build_char_vocab([""])


def test_labelled_stream_marks_each_example_and_shifts_it_into_its_labels_block():
    vocab = build_char_vocab(["ab"], ["Negative", "Positive"])
    size = len(vocab)
    stream = labelled_stream(["a", "b"], ["Positive", "Negative"], vocab, ("Negative", "Positive"))
    assert [i // size for i in stream] == [0, 1, 1, 1, 0, 0, 0]  # each example in its label's block
    assert vocab.decode([i % size for i in stream]) == ["<eos>", "<Positive>", "a", "<eos>", "<Negative>", "b", "<eos>"]


@given(st.lists(st.integers(-80, 80), min_size=2, max_size=12, unique=True), st.floats(0.05, 3), st.integers(0, 15),
       st.floats(0.01, 1.0))
def test_filter_keeps_a_distribution_over_the_most_likely(values, temperature, top_k, top_p):
    logits = torch.tensor([values], dtype=torch.float64) / 4  # distinct by 0.25: no ties after rounding
    probs = filtered_probs(logits, temperature, top_k, top_p)[0]
    assert math.isclose(float(probs.sum()), 1.0, rel_tol=1e-6)
    kept = probs > 0
    assert kept[int(logits.argmax())]  # the most likely always stays
    if top_k:  # only the k most likely (and any tied with the k-th)
        kth = torch.topk(logits[0], min(top_k, len(values))).values[-1]
        assert torch.all(logits[0][kept] >= kth)
    assert float(probs[~kept].sum()) == 0 and torch.all(probs[kept] > 0)


def test_filter_top_p_keeps_the_smallest_head():
    probs = filtered_probs(torch.log(torch.tensor([[0.5, 0.3, 0.15, 0.05]])), 1.0, 0, 0.8)
    assert torch.allclose(probs, torch.tensor([[0.625, 0.375, 0.0, 0.0]]))


def test_sources_read_tables_and_filter_labels(tmp_path):
    table = tmp_path / "r.tsv"
    table.write_text("text\tlabel\ngood\tpositive\nmeh\tneutral\nbad\tnegative\n\t negative\n", encoding="utf-8")
    assert read_labelled([f"table:{table}"]) == (["good", "meh", "bad"], ["Positive", "Neutral", "Negative"])
    assert read_labelled([f"table:{table}#Neutral,Positive"]) == (["good", "meh"], ["Positive", "Neutral"])
    for spec, match in [("table", "FORMAT:PATH"), ("csv:x", "FORMAT:PATH"), (f"table:{table}#Happy", "Happy"),
                        (f"table:{table}#Neutral,Happy", "must be among")]:
        with pytest.raises(InputError, match=match):
            read_labelled([spec])
    with pytest.raises(InputError, match="holds no text"):
        read_labelled([])
    only_positive = tmp_path / "p.tsv"
    only_positive.write_text("text\tlabel\ngood\tpositive\n", encoding="utf-8")
    with pytest.raises(InputError, match="holds no text"):
        read_labelled([f"table:{only_positive}#Negative"])


def test_payload_refuses_broken_parts(plain, conditioned):
    payload = build_payload(conditioned.parts)
    assert read_payload(payload, "x.pt").labels == ("Negative", "Positive")
    payload["extra"]["labels"] = ["Negative", "Happy"]
    with pytest.raises(CheckpointError, match="no marker for label"):
        read_payload(payload, "x.pt")
    payload["extra"]["labels"] = ["Negative"]
    with pytest.raises(CheckpointError, match="not a usable generator"):
        read_payload(payload, "x.pt")  # one label embedding too few
    payload = build_payload(plain.parts)
    assert read_payload(payload, "x.pt").vocab == plain.vocab
    payload["extra"]["labels"] = "Happy"
    with pytest.raises(CheckpointError, match="labels must be a list of str"):
        read_payload(payload, "x.pt")


def test_training_checks_its_data():
    with pytest.raises(ConfigError, match="config must be a GeneratorConfig"):
        CharGenerator.train("abc" * 100, {"hidden_size": 4})
    with pytest.raises(InputError, match="2 texts but 1 labels"):
        CharGenerator.train((["a", "b"], ["Positive"]), tiny_config())
    with pytest.raises(InputError, match="non-empty str"):
        CharGenerator.train(([""], ["Positive"]), tiny_config())
    with pytest.raises(InputError, match="needs at least"):
        CharGenerator.train("ab", tiny_config())


def test_max_minutes_stops_training():
    model = CharGenerator.train(TEXT, tiny_config(epochs=50, max_minutes=1e-9))
    assert model.metrics["steps"] == 1  # the clock ran out after the first step


def test_the_trainers_resumable_checkpoint_goes_on(tmp_path):
    first = CharGenerator.train(TEXT, tiny_config(epochs=1), checkpoint_path=tmp_path / "g.train.pt")
    more = CharGenerator.train(TEXT, tiny_config(epochs=2), resume_from=tmp_path / "g.train.pt")
    assert more.metrics["steps"] == 2 * first.metrics["steps"]
    with pytest.raises(CheckpointError, match="another vocabulary"):
        CharGenerator.train(TEXT.upper(), tiny_config(epochs=2), resume_from=tmp_path / "g.train.pt")
