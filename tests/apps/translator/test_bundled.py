"""The bundled translator: small enough, loads safely, float16 storage, the documented translation."""

import torch

from rnnkit.apps.translator import Translator
from rnnkit.apps.translator.translator import DEFAULT_MODEL_PATH
from rnnkit.training import load_checkpoint

MAX_BYTES = 20_000_000  # the limit for the bundled translator


def test_the_bundled_file_is_small_and_a_float16_translator_checkpoint():
    assert DEFAULT_MODEL_PATH.stat().st_size < MAX_BYTES
    payload = load_checkpoint(DEFAULT_MODEL_PATH, kind="translator")
    assert payload["extra"]["weights_dtype"] == "float16"
    assert {t.dtype for t in payload["state_dict"].values() if t.is_floating_point()} == {torch.float16}
    assert payload["metrics"]["train_minutes"] <= 60


def test_the_bundled_model_loads_in_float32_and_translates():
    translator = Translator.load()
    assert all(p.dtype == torch.float32 for p in translator.model.parameters())
    assert translator.model.config.attention and translator.model.config.cell == "gru"
    assert translator.translate("I go to school.")["translation"] == "Je vais à l'école."
