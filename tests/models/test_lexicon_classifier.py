import pytest
import torch

from rnnkit.config import ModelConfig
from rnnkit.errors import ConfigError, InputError
from rnnkit.models.lexicon_classifier import LexiconClassifier


def _model(cell="lstm", bidirectional=True, word_dropout=0.0):
    torch.manual_seed(0)
    config = ModelConfig(vocab_size=12, cell=cell, embedding_dim=8, hidden_size=6, num_layers=1,
                         bidirectional=bidirectional, num_classes=5)
    return LexiconClassifier(config, torch.randn(12, 3), word_dropout).eval()


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_padding_does_not_change_logits(cell):
    model = _model(cell)
    ids = torch.tensor([[2, 3, 4, 0, 0], [5, 6, 7, 8, 9]])
    both = model(ids, torch.tensor([3, 5]))
    alone = model(ids[:1, :3], torch.tensor([3]))
    assert both.shape == (2, 5)
    torch.testing.assert_close(both[:1], alone, atol=1e-6, rtol=1e-5)


def test_features_are_fixed_and_saved():
    model = _model()
    assert "features" in model.state_dict()
    assert all(p is not model.features for p in model.parameters())


def test_word_dropout_only_while_training():
    model = _model(word_dropout=0.5)
    ids = torch.tensor([[2, 3, 4, 5, 6, 7, 8, 9]])
    model.train()
    x = model.inputs(ids)
    assert (x[0, :, :8].abs().sum(-1) == 0).any()  # some learned vectors hidden ...
    torch.testing.assert_close(x[..., 8:], model.features[ids])  # ... never the lexicon ones
    model.eval()
    assert (model.inputs(ids)[0, :, :8].abs().sum(-1) > 0).all()


def test_bad_arguments():
    config = ModelConfig(vocab_size=12, num_classes=5)
    with pytest.raises(ConfigError, match=r"features must be a float tensor \(12, F\)"):
        LexiconClassifier(config, torch.zeros(11, 3))
    with pytest.raises(ConfigError, match="word_dropout must be in"):
        LexiconClassifier(config, torch.zeros(12, 3), word_dropout=1.0)
    with pytest.raises(InputError, match="must lie in"):
        _model()(torch.tensor([[99]]))


def test_negation_scope_marks_the_tokens_after_a_negation_with_their_valence():
    features = torch.zeros(8, 5)
    features[2, 3] = 1.0  # a negation ("not")
    features[3, 0], features[5, 0] = -0.5, 0.7  # valences
    config = ModelConfig(vocab_size=8, cell="lstm", embedding_dim=4, hidden_size=4, num_classes=5)
    model = LexiconClassifier(config, features, negation_window=2).eval()
    assert model.rnn.input_size == 4 + 5 + 2
    scope = model.inputs(torch.tensor([[1, 2, 3, 5, 5, 3], [2, 5, 1, 1, 1, 1]]))[..., -2:]
    torch.testing.assert_close(scope[0], torch.tensor([[0, 0], [0, 0], [1, -0.5], [1, 0.7], [0, 0], [0, 0]]))
    torch.testing.assert_close(scope[1], torch.tensor([[0, 0], [1, 0.7], [1, 0], [0, 0], [0, 0], [0, 0]]))
    assert model(torch.tensor([[2]])).shape == (1, 5)  # one token: no room for a scope
    plain = LexiconClassifier(config, features).eval()
    assert plain.rnn.input_size == 4 + 5 and plain.inputs(torch.tensor([[2, 3]])).shape == (1, 2, 9)


def test_negation_scope_columns_must_exist():
    config = ModelConfig(vocab_size=8, cell="lstm", embedding_dim=4, hidden_size=4, num_classes=5)
    with pytest.raises(ConfigError, match="negation and valence columns must be < 3, got 3 and 0"):
        LexiconClassifier(config, torch.zeros(8, 3), negation_window=2, negation_column=3)
