"""The Engine: batch-1 steps equal the model's forward, the start state, and the interface sessions read."""

from __future__ import annotations

import ast
from pathlib import Path

import torch

import rnnkit
from rnnkit.apps.nextword.engine import Engine
from rnnkit.apps.nextword.text import PrefixIndex, TextSettings

SRC = Path(rnnkit.__file__).resolve().parent


def test_engine_steps_equal_the_model_forward(predictor):
    ids = [3, 5, 9, 12, 7, 4]
    logits, _ = predictor.model(torch.tensor([ids]))
    engine, state = Engine(predictor.model, predictor.vocab), None
    for t, token in enumerate(ids):
        output, state = engine.run([token], state)
        torch.testing.assert_close(engine.logits(output), logits[0, t].detach(), atol=1e-5, rtol=1e-5)
    output, _ = engine.run(ids, None)  # several ids in one call: the same last output
    torch.testing.assert_close(engine.logits(output), logits[0, -1].detach(), atol=1e-5, rtol=1e-5)


def test_engine_starts_after_one_eos(predictor):
    engine = predictor.engine
    output, (h, c) = engine.start
    want_output, (want_h, want_c) = engine.run([predictor.vocab.eos_id], None)
    assert torch.equal(output, want_output) and torch.equal(h, want_h) and torch.equal(c, want_c)
    assert output.shape == (predictor.model.config.hidden_size,)


def test_engine_holds_what_a_session_reads(predictor):
    engine = Engine(predictor.model, predictor.vocab, TextSettings(lower=False), {"i": "I"})
    assert engine.model is predictor.model and engine.vocab is predictor.vocab
    assert engine.tokens == predictor.vocab.tokens and engine.truecase == {"i": "I"}
    assert isinstance(engine.prefix_index, PrefixIndex) and engine.prefix_index.lower is False
    assert Engine(predictor.model, predictor.vocab).text_settings == TextSettings()  # the default


def test_the_predictor_reads_its_parts_from_its_engine(predictor):
    engine = predictor.engine
    assert (predictor.model, predictor.vocab, predictor.text_settings, predictor.truecase, predictor.prefix_index) \
        == (engine.model, engine.vocab, engine.text_settings, engine.truecase, engine.prefix_index)
    assert not predictor.model.training and next(predictor.model.parameters()).device.type == "cpu"


def test_no_nextword_module_reads_another_objects_private_attributes():
    """``x._name`` only on self or cls: the session, engine and predictor meet through public names."""
    files = sorted((SRC / "apps" / "nextword").glob("*.py")) + [SRC / "cli" / "nextword.py"]
    found = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                    and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))):
                found.append(f"{path.name}:{node.lineno} .{node.attr}")
    assert not found, found


def test_run_many_pads_similar_lengths_and_equals_run_row_by_row(predictor):
    engine = predictor.engine
    vocab_size = len(engine.vocab)
    generator = torch.Generator().manual_seed(0)
    lengths = [1, 2, 2, 3, 5, 9, 0, 17, 40, 41, 200, 4]  # several padded groups, an empty list, a lone long one
    id_lists = [torch.randint(4, vocab_size, (n,), generator=generator).tolist() for n in lengths]
    together = engine.run_many(id_lists)
    for ids, row in zip(id_lists, together, strict=True):
        alone = engine.run(ids, engine.start[1])[0] if ids else engine.start[0]
        torch.testing.assert_close(row, alone, atol=1e-5, rtol=1e-5)
