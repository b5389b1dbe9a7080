"""The next-word checkpoint payload: built and read in one place, round trip, the Trainer's share, errors."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from rnnkit import CheckpointError, InputError, NextWordConfig
from rnnkit.apps.nextword.payload import (
    CHECKPOINT_KIND,
    NextWordParts,
    build_payload,
    read_payload,
    trainer_checkpoint_data,
)
from rnnkit.apps.nextword.predictor import DEFAULT_MODEL_PATH
from rnnkit.apps.nextword.text import TextSettings
from rnnkit.models import LanguageModel
from rnnkit.text import Vocabulary
from rnnkit.training import load_checkpoint, save_checkpoint


@pytest.fixture
def parts(predictor) -> NextWordParts:
    return NextWordParts(predictor.model, predictor.vocab, TextSettings(corpus_format="ptb"),
                         truecase={"i": "I"}, config=NextWordConfig(epochs=3), metrics={"steps": 7},
                         train_corpus="train.txt")


def test_build_then_read_gives_the_same_parts(parts, tmp_path):
    path = save_checkpoint(tmp_path / "nw.pt", build_payload(parts))
    back = read_payload(load_checkpoint(path, kind=CHECKPOINT_KIND), path)
    for field in ("vocab", "text_settings", "truecase", "config", "metrics", "train_corpus"):
        assert getattr(back, field) == getattr(parts, field), field
    assert back.model.config == parts.model.config
    for name, weight in parts.model.state_dict().items():
        assert torch.equal(back.model.state_dict()[name], weight), name


def test_the_payload_layout_is_the_documented_one(parts):
    payload = build_payload(parts)
    assert payload["kind"] == CHECKPOINT_KIND == "nextword"
    assert payload["extra"] == {"text": {"lower": True, "corpus_format": "ptb"}, "truecase": {"i": "I"},
                                "nextword_config": NextWordConfig(epochs=3).to_dict(), "train_corpus": "train.txt"}
    assert payload["train_config"]["epochs"] == 3 and payload["metrics"] == {"steps": 7}


def test_the_trainer_stores_the_same_identity(parts):
    payload = build_payload(parts)
    data = trainer_checkpoint_data(parts)
    assert data == {key: payload[key] for key in data} and set(data) == {"kind", "vocab", "extra"}


def test_a_payload_without_config_or_corpus_reads(parts):
    bare = dataclasses.replace(parts, config=None, train_corpus="", truecase={}, metrics={})
    back = read_payload(build_payload(bare), "bare.pt")
    assert back.config is None and back.train_corpus == "" and back.truecase == {}
    assert build_payload(bare)["extra"]["nextword_config"] == {} and build_payload(bare)["train_config"] == {}


def test_the_bundled_checkpoint_reads_unchanged():
    payload = load_checkpoint(DEFAULT_MODEL_PATH, kind=CHECKPOINT_KIND)
    back = read_payload(payload, DEFAULT_MODEL_PATH)
    rebuilt = build_payload(back)["extra"]
    stored = payload["extra"]
    # fields added to NextWordConfig since the model was written read back as their defaults; nothing else moves
    added = {name: getattr(NextWordConfig(), name) for name in set(rebuilt["nextword_config"]) - set(
        stored["nextword_config"])}
    assert rebuilt == stored | {"nextword_config": stored["nextword_config"] | added}
    assert build_payload(back)["model_config"] == payload["model_config"]


@pytest.mark.parametrize("change, detail", [
    (lambda p: p["extra"].update(truecase={"i": 1}), "truecase must map str to str"),
    (lambda p: p["extra"].update(text={"lower": True}), "bad text settings"),
    (lambda p: p["extra"].pop("text"), "bad text settings None"),
    (lambda p: p["extra"].update(nextword_config={"preset": "large"}), "preset must be one of small, medium"),
    (lambda p: p.update(vocab=Vocabulary(["a"], add_bos_eos=True).to_dict()), "the model has .* vocabulary 5"),
])
def test_a_broken_payload_is_a_checkpoint_error_naming_the_file(parts, change, detail):
    payload = build_payload(parts)
    change(payload)
    with pytest.raises(CheckpointError, match=f"^checkpoint broken.pt is not a usable next-word model: {detail}"):
        read_payload(payload, "broken.pt")


def test_weights_that_do_not_fit_the_config_are_named_before_the_model_is_built(parts):
    payload = build_payload(parts)
    payload["model_config"].update(vocab_size=5)
    with pytest.raises(CheckpointError, match=r"^checkpoint broken.pt is not a usable next-word model: weight "
                       r"'encoder.weight' has shape \(\d+, 16\), but its config implies \(5, 16\)$"):
        read_payload(payload, "broken.pt")


def test_parts_must_fit_together(predictor):
    small = LanguageModel(dataclasses.replace(predictor.model.config, vocab_size=5))
    with pytest.raises(InputError, match="the model has 5 ids but the vocabulary"):
        NextWordParts(small, predictor.vocab, TextSettings())
    with pytest.raises(InputError, match="vocab must be a Vocabulary built with add_bos_eos=True"):
        NextWordParts(predictor.model, Vocabulary(["a"]), TextSettings())
    with pytest.raises(InputError, match="text_settings must be a TextSettings, got dict"):
        NextWordParts(predictor.model, predictor.vocab, {"lower": True})
    with pytest.raises(InputError, match="model must be a LanguageModel, got NoneType"):
        NextWordParts(None, predictor.vocab, TextSettings())
