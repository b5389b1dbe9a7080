"""Checkpoint files: round trip, safe plain-data loading, atomic writes, one-line errors for bad files."""

from __future__ import annotations

import pickle

import pytest
import torch

from rnnkit.errors import CheckpointError
from rnnkit.training import (
    CHECKPOINT_FORMAT,
    best_checkpoint_path,
    build_checkpoint,
    load_checkpoint,
    save_checkpoint,
)
from rnnkit.training import checkpoint as checkpoint_module

from .conftest import TinyLM


def _payload(**overrides):
    payload = build_checkpoint(
        "language_model",
        TinyLM().state_dict(),
        model_config={"hidden_size": 12},
        vocab={"itos": ["<pad>", "<unk>", "a"]},
        train_config={"epochs": 1},
        metrics={"step": 3, "val_perplexity": 9.5},
        trainer_state={"step": 3, "history": {"loss": [1.0, 0.5]}, "rng": torch.get_rng_state()},
    )
    payload.update(overrides)
    return payload


def _one_line(err: pytest.ExceptionInfo) -> str:
    message = str(err.value)
    assert "\n" not in message
    return message


def test_round_trip_gives_the_same_outputs(tmp_path):
    model = TinyLM()
    path = save_checkpoint(tmp_path / "lm.pt", build_checkpoint("language_model", model.state_dict()))
    loaded = load_checkpoint(path, kind="language_model")
    clone = TinyLM()
    clone.load_state_dict(loaded["state_dict"])
    ids = torch.randint(1, 20, (2, 5))
    assert torch.equal(model(ids)[0], clone(ids)[0])
    assert loaded["vocab"] is None and loaded["trainer_state"] is None and loaded["extra"] == {}


def test_file_is_plain_data_for_a_weights_only_load(tmp_path):
    path = save_checkpoint(tmp_path / "lm.pt", _payload())
    raw = torch.load(path, weights_only=True, map_location="cpu")
    assert raw["format"] == CHECKPOINT_FORMAT and raw["version"] == 1
    assert raw["vocab"]["itos"][2] == "a" and raw["metrics"]["val_perplexity"] == 9.5
    assert set(raw) == {"format", "version", "kind", "model_config", "vocab", "state_dict", "train_config",
                        "metrics", "trainer_state", "extra"}


def test_weights_are_stored_on_the_cpu_and_detached(tmp_path):
    weight = torch.ones(3, requires_grad=True)
    payload = build_checkpoint("x", {"w": weight})
    assert not payload["state_dict"]["w"].requires_grad
    assert payload["state_dict"]["w"].device.type == "cpu"


def test_best_path_sits_beside_the_checkpoint(tmp_path):
    assert best_checkpoint_path(tmp_path / "lm.pt") == tmp_path / "lm.best.pt"


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp_file(tmp_path, monkeypatch):
    path = save_checkpoint(tmp_path / "lm.pt", _payload(metrics={"step": 1}))
    good = path.read_bytes()

    def crash_midway(obj, handle):
        handle.write(b"PK\x03\x04 half a zip")
        raise OSError("disk full")

    monkeypatch.setattr(checkpoint_module.torch, "save", crash_midway)
    with pytest.raises(CheckpointError, match="cannot write checkpoint .*lm.pt: disk full") as err:
        save_checkpoint(path, _payload(metrics={"step": 2}))
    _one_line(err)
    assert path.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == ["lm.pt"]


def test_save_refuses_objects_that_a_safe_load_would_reject(tmp_path):
    with pytest.raises(CheckpointError, match=r"payload.extra.when is a datetime"):
        import datetime

        save_checkpoint(tmp_path / "x.pt", _payload(extra={"when": datetime.datetime.now()}))
    with pytest.raises(CheckpointError, match="NaN or Inf values in weight 'w'"):
        save_checkpoint(tmp_path / "x.pt", build_checkpoint("x", {"w": torch.tensor([1.0, float("nan")])}))
    assert not any(tmp_path.iterdir())


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda p: p, "does not exist"),
        (lambda p: p.mkdir() or p, "is a directory, not a file"),
        (lambda p: _write(p, b""), "is empty"),
        (lambda p: _write(p, b"\x8a\x0e\xff" * 300), "cannot be read safely"),
        (lambda p: _write(p, pickle.dumps({"format": CHECKPOINT_FORMAT, "version": 1})), "cannot be read safely"),
        (lambda p: torch.save({"weights": torch.zeros(2)}, p) or p, "is not an rnnkit checkpoint"),
        (lambda p: torch.save([1, 2], p) or p, "is not an rnnkit checkpoint"),
        (lambda p: torch.save(_payload(version=99), p) or p, "has format version 99; this rnnkit reads version 1"),
        (lambda p: torch.save({**_payload(), "state_dict": None}, p) or p, "NoneType for 'state_dict'"),
        (lambda p: torch.save({k: v for k, v in _payload().items() if k != "metrics"}, p) or p,
         r"missing field\(s\): metrics"),
    ],
    ids=["missing", "directory", "empty", "random-bytes", "plain-pickle", "foreign-torch-file", "list",
         "wrong-version", "bad-field-type", "missing-field"],
)
def test_bad_files_raise_one_line_checkpoint_errors(tmp_path, make, match):
    path = make(tmp_path / "model.pt")
    with pytest.raises(CheckpointError, match=match) as err:
        load_checkpoint(path)
    assert str(path) in _one_line(err)


def test_truncated_file(tmp_path):
    path = save_checkpoint(tmp_path / "lm.pt", _payload())
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(CheckpointError, match="cannot be read safely") as err:
        load_checkpoint(path)
    assert isinstance(err.value.__cause__, Exception)
    _one_line(err)


def test_wrong_kind(tmp_path):
    path = save_checkpoint(tmp_path / "lm.pt", _payload())
    with pytest.raises(CheckpointError, match="holds a 'language_model' model, expected 'classifier'"):
        load_checkpoint(path, kind="classifier")


def test_nan_weights_are_rejected_on_load(tmp_path):
    payload = _payload()
    payload["state_dict"]["out.bias"][0] = float("inf")
    path = tmp_path / "lm.pt"
    torch.save(payload, path)  # bypass save_checkpoint's own check, as a foreign writer would
    with pytest.raises(CheckpointError, match="NaN or Inf values in weight 'out.bias'") as err:
        load_checkpoint(path)
    _one_line(err)


class _Exploit:
    marker = None

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_pickled_code_is_never_run(tmp_path):
    marker = tmp_path / "pwned"
    exploit = _Exploit()
    exploit.marker = marker
    path = tmp_path / "evil.pt"
    torch.save({"format": CHECKPOINT_FORMAT, "version": 1, "kind": exploit}, path)
    with pytest.raises(CheckpointError, match="cannot be read safely"):
        load_checkpoint(path)
    assert not marker.exists()


def test_tied_weights_are_stored_once(tmp_path):
    """A tied embedding/decoder must not double the file: shared tensors stay shared on disk."""
    embed = torch.nn.Embedding(500, 64)
    decoder = torch.nn.Linear(64, 500)
    decoder.weight = embed.weight
    state = {"encoder.weight": embed.weight, "decoder.weight": decoder.weight, "decoder.bias": decoder.bias}
    path = save_checkpoint(tmp_path / "tied.pt", build_checkpoint("language_model", state))
    assert path.stat().st_size < 500 * 64 * 4 * 1.5  # one copy of the 128 kB matrix, not two
    loaded = load_checkpoint(path)["state_dict"]
    assert loaded["encoder.weight"].data_ptr() == loaded["decoder.weight"].data_ptr()
    assert torch.equal(loaded["decoder.weight"], embed.weight.detach())


def test_bundled_or_given_names_the_product_and_how_to_train_one(tmp_path):
    from rnnkit.errors import NotTrainedError
    from rnnkit.training import bundled_or_given

    bundled = tmp_path / "tagger.pt"
    assert bundled_or_given("mine.pt", bundled, "tagger", "rnnkit train tagger") == "mine.pt"
    with pytest.raises(NotTrainedError, match=r"^no bundled tagger at .*tagger.pt; train one with `rnnkit train "
                       r"tagger` and pass its path \(--model PATH\)$"):
        bundled_or_given(None, bundled, "tagger", "rnnkit train tagger")
    bundled.write_bytes(b"x")
    assert bundled_or_given(None, bundled, "tagger", "rnnkit train tagger") == bundled


def test_load_product_checks_quantize_before_reading_and_names_the_training_command(tmp_path):
    from rnnkit.errors import ConfigError, NotTrainedError
    from rnnkit.training import load_product

    with pytest.raises(ConfigError, match="quantize"):
        load_product(tmp_path / "missing.pt", tmp_path / "bundled.pt", "tagger", "rnnkit train tagger", "tagger",
                     quantize="int4")  # the missing file is never looked at
    with pytest.raises(NotTrainedError, match="rnnkit train tagger"):
        load_product(None, tmp_path / "bundled.pt", "tagger", "rnnkit train tagger", "tagger", quantize="int8")


@pytest.mark.parametrize("product", ["NextWordPredictor", "Tagger", "Translator", "CharGenerator"])
def test_every_product_checks_quantize_before_reading(product, tmp_path):
    import rnnkit
    from rnnkit.errors import ConfigError

    with pytest.raises(ConfigError, match="quantize"):
        getattr(rnnkit, product).load(tmp_path / "missing.pt", quantize="int4")
