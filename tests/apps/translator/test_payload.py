"""Translator checkpoints: round trip, float16 storage, refusing other products' files and broken payloads."""

import pytest
import torch

from rnnkit import CheckpointError, InputError
from rnnkit.apps.translator import Translator
from rnnkit.apps.translator.payload import TranslatorParts, build_payload, read_payload
from rnnkit.config import ModelConfig
from rnnkit.models import LanguageModel
from rnnkit.training import build_checkpoint, save_checkpoint

TEXTS = ["I go to school.", "She is tired.", "You are happy."]


def test_save_load_gives_the_same_translations(tiny_translator, tmp_path):
    path = tiny_translator.save(tmp_path / "t.pt")
    loaded = Translator.load(path)
    assert loaded.translate_many(TEXTS) == tiny_translator.translate_many(TEXTS)
    assert loaded.parts.config == tiny_translator.parts.config
    assert loaded.metrics == tiny_translator.metrics


def test_float16_storage_loads_as_float32_and_is_smaller(tiny_translator, tmp_path):
    full = tiny_translator.save(tmp_path / "full.pt")
    half = tiny_translator.save(tmp_path / "half.pt", weights_dtype="float16")
    assert half.stat().st_size < full.stat().st_size
    loaded = Translator.load(half)
    assert all(p.dtype == torch.float32 for p in loaded.model.parameters())
    assert loaded.translate_many(TEXTS) == tiny_translator.translate_many(TEXTS)
    with pytest.raises(InputError, match="weights_dtype"):
        tiny_translator.save(tmp_path / "x.pt", weights_dtype="int8")


def test_another_products_checkpoint_is_refused_in_one_line(tmp_path):
    model = LanguageModel(ModelConfig(vocab_size=8, embedding_dim=4, hidden_size=4, num_layers=1))
    path = save_checkpoint(tmp_path / "nextword.pt", build_checkpoint("nextword", model.state_dict()))
    with pytest.raises(CheckpointError, match="nextword") as info:
        Translator.load(path)
    assert "\n" not in str(info.value)


def test_a_broken_payload_is_a_checkpoint_error(tiny_translator, tmp_path):
    payload = build_payload(tiny_translator.parts)
    del payload["vocab"]["target"]
    with pytest.raises(CheckpointError, match="not a usable translator"):
        read_payload(payload, tmp_path / "x.pt")
    (tmp_path / "junk.pt").write_bytes(b"\x00junk" * 10)
    with pytest.raises(CheckpointError):
        Translator.load(tmp_path / "junk.pt")


def test_parts_must_fit_together(tiny_translator):
    parts = tiny_translator.parts
    with pytest.raises(InputError, match="target vocabulary"):
        TranslatorParts(parts.model, parts.source_vocab, type(parts.target_vocab)(["x"], add_bos_eos=True))
    with pytest.raises(InputError, match="add_bos_eos"):
        TranslatorParts(parts.model, parts.source_vocab, parts.source_vocab)
    with pytest.raises(InputError, match="Seq2Seq"):
        TranslatorParts("model", parts.source_vocab, parts.target_vocab)
