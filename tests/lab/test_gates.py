"""explain gates: the gate values are the transparent LSTMCell's (or GRUCell's) and the hidden states match
the fused layer."""

from __future__ import annotations

import pytest
import torch

from rnnkit import GRUCell, LSTMCell, NextWordPredictor
from rnnkit.config import ModelConfig
from rnnkit.errors import ConfigError, InputError
from rnnkit.lab.gates import GATE_NAMES, GRU_GATE_NAMES, MAX_TOKENS, explain_gates
from rnnkit.models import LanguageModel
from rnnkit.text import Vocabulary

TEXT = "I go to school with my friends ."


@pytest.fixture(scope="module")
def bundled():
    return NextWordPredictor.load()


def _explain(predictor, text, layer=None):
    return explain_gates(predictor.text_settings.tokens(text), predictor.model, predictor.vocab, layer)


def _cell(lm, layer, cell_class=LSTMCell):
    """A transparent cell (LSTMCell or GRUCell) holding layer ``layer`` (0-based) of the model's fused layer."""
    rnn = lm.rnn.fused
    cell = cell_class(rnn.input_size if layer == 0 else rnn.hidden_size, rnn.hidden_size)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, name).copy_(getattr(rnn, f"{name}_l{layer}"))
    return cell


@pytest.mark.parametrize("layer", [1, 2])
def test_gates_are_the_transparent_cells_and_agree_with_the_fused_layer(bundled, layer):
    report = _explain(bundled, TEXT, layer)
    lm, vocab = bundled.model, bundled.vocab
    ids = torch.tensor([[vocab.eos_id, *vocab.encode(TEXT.lower().split())]])
    with torch.no_grad():
        x = lm.encoder(ids)[0]  # (1 + tokens, embedding_dim)
        cells = [_cell(lm, i) for i in range(lm.config.num_layers)]
        states = [None] * len(cells)
        hidden, gates = [], {name: [] for name in GATE_NAMES}
        for t in range(x.size(0)):
            inp = x[t:t + 1]
            for i, cell in enumerate(cells):
                states[i], step_gates = cell.forward_with_gates(inp, states[i])
                inp = states[i][0]
                if i == layer - 1 and t > 0:  # t = 0 is the <eos> that starts the text
                    hidden.append(inp[0])
                    for name in GATE_NAMES:
                        gates[name].append(step_gates[name][0])
        fused, _ = lm.rnn(lm.encoder(ids))
    for name in GATE_NAMES:
        torch.testing.assert_close(torch.from_numpy(report.gates[name]), torch.stack(gates[name]), rtol=0, atol=1e-6)
    torch.testing.assert_close(torch.from_numpy(report.hidden), torch.stack(hidden), rtol=0, atol=1e-5)
    if layer == lm.config.num_layers:  # the fused layer exposes its last layer's outputs
        torch.testing.assert_close(torch.stack(hidden), fused[0, 1:], rtol=0, atol=1e-5)
    assert report.max_difference < 1e-5


def test_report_summary_names_tokens_and_marks_unknown_words(bundled):
    report = _explain(bundled, "I go to zzyzxqq school")
    assert report.tokens == ["i", "go", "to", "zzyzxqq?", "school"]
    assert report.layer == report.num_layers == 2 and report.gates["forget"].shape == (5, 200)
    summary = report.summary()
    for name in GATE_NAMES:
        assert f"{name} gate (" in summary
    assert "fused layer vs transparent cells" in summary


def test_write_gives_csv_and_a_small_png(bundled, tmp_path):
    paths = _explain(bundled, TEXT).write(tmp_path)
    assert [p.name for p in paths] == ["gates.csv", "gates.png"]
    assert paths[0].read_text().splitlines()[1].startswith("1,i,")
    assert 0 < paths[1].stat().st_size < 150_000


@pytest.mark.parametrize("tokens, match", [
    ([], "text must hold 1 to"), (["word"] * (MAX_TOKENS + 1), "text must hold 1 to"),
    ("I go", "tokens must be a list of str"), ([42], "tokens must be a list of str"),
])
def test_bad_tokens_are_an_input_error(bundled, tokens, match):
    with pytest.raises(InputError, match=match):
        explain_gates(tokens, bundled.model, bundled.vocab)


def test_a_vocabulary_that_does_not_fit_is_refused(bundled):
    with pytest.raises(InputError, match="ids but the vocabulary"):
        explain_gates(["i"], bundled.model, Vocabulary.build([["i"]], add_bos_eos=True))


@pytest.mark.parametrize("layer", [0, 3, True])
def test_bad_layer_is_a_config_error(bundled, layer):
    with pytest.raises(ConfigError, match="layer must be an integer from 1 to 2"):
        _explain(bundled, TEXT, layer)


def _tiny_lm(cell, num_layers=2):
    vocab = Vocabulary.build([TEXT.lower().split()], add_bos_eos=True)
    config = ModelConfig(vocab_size=len(vocab), cell=cell, embedding_dim=8, hidden_size=6, num_layers=num_layers)
    return LanguageModel(config).eval(), vocab


def test_a_plain_rnn_is_refused_it_has_no_gates():
    lm, vocab = _tiny_lm("rnn", num_layers=1)
    with pytest.raises(InputError, match="needs an LSTM or GRU model; this one is a plain rnn, which has no gates"):
        explain_gates(["i", "go"], lm, vocab)


@pytest.mark.parametrize("layer", [1, 2])
def test_gru_gates_are_the_transparent_gru_cells_and_agree_with_the_fused_layer(layer):
    lm, vocab = _tiny_lm("gru")
    tokens = TEXT.lower().split()
    report = explain_gates(tokens, lm, vocab, layer)
    assert report.cell == "gru" and report.gate_names == GRU_GATE_NAMES and report.memory_gate == "update"
    with torch.no_grad():
        x = lm.encoder(torch.tensor([[vocab.eos_id, *vocab.encode(tokens)]]))[0]
        cells = [_cell(lm, i, GRUCell) for i in range(2)]
        states, hidden, gates = [None, None], [], {name: [] for name in GRU_GATE_NAMES}
        for t in range(x.size(0)):
            inp = x[t:t + 1]
            for i, cell in enumerate(cells):
                states[i], step_gates = cell.forward_with_gates(inp, states[i])
                inp = states[i]
                if i == layer - 1 and t > 0:
                    hidden.append(inp[0])
                    for name in GRU_GATE_NAMES:
                        gates[name].append(step_gates[name][0])
    for name in GRU_GATE_NAMES:
        assert report.gates[name].shape == (len(tokens), 6)
        torch.testing.assert_close(torch.from_numpy(report.gates[name]), torch.stack(gates[name]), rtol=0, atol=1e-6)
    torch.testing.assert_close(torch.from_numpy(report.hidden), torch.stack(hidden), rtol=0, atol=1e-5)
    assert report.max_difference < 1e-5


def test_gru_summary_csv_and_heatmap_show_reset_and_update(tmp_path):
    lm, vocab = _tiny_lm("gru")
    report = explain_gates(["i", "go", "to", "zzz"], lm, vocab)
    summary = report.summary()
    assert summary.startswith("GRU gates of a GRU language model, layer 2 of 2 (6 units)")
    assert "reset gate (1 = let the old state shape the new candidate): most open at" in summary
    assert "update gate (1 = keep the old state, 0 = take the new candidate): most open at" in summary
    assert "units whose update gate stays above 0.9" in summary and "forget" not in summary
    assert report.tokens == ["i", "go", "to", "zzz?"]
    csv_path, png_path = report.write(tmp_path)
    assert csv_path.read_text().splitlines()[0].split(",")[2:5] == ["reset_mean", "reset_min", "reset_max"]
    assert png_path.name == "gates.png" and 0 < png_path.stat().st_size < 150_000
