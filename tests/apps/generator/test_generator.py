"""CharGenerator: sampling is repeatable, bounded and checked; save -> load gives the same text."""

from __future__ import annotations

import pytest

from rnnkit.apps.generator.generator import CharGenerator
from rnnkit.apps.generator.sampling import MAX_LENGTH, MAX_PROMPT_CHARS
from rnnkit.errors import CheckpointError, InputError

from .conftest import TEXT, tiny_config


def test_same_seed_and_prompt_give_the_same_text(plain):
    first = plain.generate("ROMEO:", 60, temperature=0.8, top_k=10, top_p=0.95, seed=7)
    assert first == plain.generate("ROMEO:", 60, temperature=0.8, top_k=10, top_p=0.95, seed=7)
    assert first["prompt"] == "ROMEO:" and first["label"] is None and not first["finished"]
    assert len(first["text"]) == 60
    others = {plain.generate("ROMEO:", 60, seed=seed)["text"] for seed in range(5)}
    assert len(others) > 1  # the seed matters


def test_a_trained_model_writes_what_it_read(plain):
    text = plain.generate("ROMEO:\nBut soft, what", 20, temperature=0.1, seed=0)["text"]
    assert text.startswith(" light")  # a nearly greedy pass through a text it learned
    assert set(plain.generate("", 200, seed=1)["text"]) <= set(TEXT)  # no <unk>, <pad> or markers


def test_top_k_one_is_greedy(plain):
    texts = {plain.generate("JULIET:\n", 30, top_k=1, seed=seed)["text"] for seed in range(3)}
    assert len(texts) == 1


def test_unknown_characters_in_the_prompt_are_read_as_unknown(plain):
    assert len(plain.generate("\u00e9\u4e2d\x00 \ud800", 10, seed=0)["text"]) == 10


@pytest.mark.parametrize("kwargs, match", [
    ({"prompt": 5}, "prompt must be a str"),
    ({"prompt": "x" * (MAX_PROMPT_CHARS + 1)}, "prompt has"),
    ({"length": 0}, "length must be an integer from 1"),
    ({"length": MAX_LENGTH + 1}, "length must be an integer from 1"),
    ({"length": 2.0}, "length must be an integer"),
    ({"temperature": 0}, "temperature must be a number > 0"),
    ({"temperature": float("nan")}, "temperature"),
    ({"top_k": -1}, "top_k must be an integer >= 0"),
    ({"top_p": 0.0}, r"top_p must be a number in \(0, 1\]"),
    ({"top_p": 1.5}, "top_p"),
    ({"seed": -1}, "seed must be None or an integer"),
    ({"seed": 2**64}, "seed"),
    ({"label": "Positive"}, "not conditioned on labels"),
    ({"guidance": 1.0}, "guidance needs a generator conditioned on labels"),
    ({"guidance": -1.0}, "guidance must be a number"),
])
def test_bad_arguments_raise_one_clear_error(plain, kwargs, match):
    with pytest.raises(InputError, match=match):
        plain.generate(**({"prompt": "a", "length": 5} | kwargs))


def test_conditioned_model_writes_for_its_label_and_stops(conditioned):
    assert conditioned.labels == ("Negative", "Positive")
    result = conditioned.generate(label="Positive", length=100, temperature=0.5, seed=0, guidance=0)
    assert result["finished"] and result["label"] == "Positive"
    positive = set(conditioned.generate_many(20, "Positive", length=40, temperature=0.5, seed=1, guidance=0))
    negative = set(conditioned.generate_many(20, "Negative", length=40, temperature=0.5, seed=1, guidance=0))
    assert positive & {"great price", "love it", "easy to use", "nice screen"}
    assert negative & {"too heavy", "battery dies", "bad sound", "it broke"}
    assert not positive & {"too heavy", "battery dies", "bad sound", "it broke"}


def test_guidance_pushes_away_from_the_other_labels(conditioned):
    guided = conditioned.generate_many(20, "Negative", length=40, temperature=1.0, seed=2, guidance=3.0)
    assert guided == conditioned.generate_many(20, "Negative", length=40, temperature=1.0, seed=2, guidance=3.0)
    assert not set(guided) & {"great price", "love it", "easy to use", "nice screen"}
    with pytest.raises(InputError, match="guidance must be a number >= 0.0 and <= 10.0"):
        conditioned.generate(label="Negative", guidance=11)


@pytest.mark.parametrize("label", [None, "Neutral", "positive", 3])
def test_conditioned_model_needs_one_of_its_labels(conditioned, label):
    with pytest.raises(InputError, match="label must be one of Negative, Positive"):
        conditioned.generate(label=label)


def test_generate_many_is_bounded(conditioned):
    with pytest.raises(InputError, match="n must be an integer"):
        conditioned.generate_many(0, "Positive")
    assert conditioned.generate_many(3, "Positive", seed=4) == conditioned.generate_many(3, "Positive", seed=4)


def test_save_load_round_trip(plain, conditioned, tmp_path):
    for model in (plain, conditioned):
        path = model.save(tmp_path / "g.pt")
        loaded = CharGenerator.load(path)
        label = model.labels[0] if model.labels else None
        assert loaded.labels == model.labels and loaded.metrics == model.metrics
        assert loaded.generate("a", 30, seed=3, label=label) == model.generate("a", 30, seed=3, label=label)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_every_cell_trains_and_generates(cell):
    model = CharGenerator.train(TEXT[:600], tiny_config(cell=cell, epochs=1))
    assert model.model.config.cell == cell
    assert len(model.generate("RO", 12, seed=0)["text"]) == 12


def test_another_products_checkpoint_is_refused_in_one_line(tmp_path):
    from rnnkit.apps.nextword.predictor import DEFAULT_MODEL_PATH

    with pytest.raises(CheckpointError, match="holds a 'nextword' model, expected 'generator'") as info:
        CharGenerator.load(DEFAULT_MODEL_PATH)
    assert "\n" not in str(info.value)
    (tmp_path / "junk.pt").write_bytes(b"\x00not a checkpoint")
    with pytest.raises(CheckpointError, match="cannot be read safely"):
        CharGenerator.load(tmp_path / "junk.pt")
