"""Tiny untrained models of the three exportable products (random weights: export needs no training)."""

from __future__ import annotations

from importlib.util import find_spec

import numpy as np
import pytest
import torch

from rnnkit.apps.nextword.predictor import NextWordPredictor
from rnnkit.apps.sentiment.config import SentimentConfig
from rnnkit.apps.sentiment.model import SentimentModel
from rnnkit.apps.sentiment.rule_head import RuleHead
from rnnkit.apps.tagger.config import TaggerConfig
from rnnkit.apps.tagger.model import TaggerNet
from rnnkit.apps.tagger.payload import TaggerParts
from rnnkit.apps.tagger.tagger import Tagger
from rnnkit.config import ModelConfig
from rnnkit.models import LanguageModel
from rnnkit.models.lexicon_classifier import LexiconClassifier
from rnnkit.text import Vocabulary

needs_ort = pytest.mark.skipif(find_spec("onnxruntime") is None or find_spec("onnx") is None,
                               reason="onnx/onnxruntime not installed (pip install 'rnnkit[onnx]'; CI has them)")

# real texts of different lengths, words inside and outside the tiny vocabularies
TEXTS = ["I go to school", "me and my friends go to the", "cat", "the dog sat on the log and the cat sat on the mat",
         "show me flights from boston to denver tomorrow morning"]
WORDS = " ".join([*TEXTS[:4], "not bad great dull plot show flights from boston denver"]).lower().split()


def tiny_nextword(cell: str = "lstm") -> NextWordPredictor:
    vocab = Vocabulary.build([WORDS], add_bos_eos=True)
    model = LanguageModel(ModelConfig(vocab_size=len(vocab), cell=cell, embedding_dim=12, hidden_size=12,
                                      num_layers=2, tie_weights=True))
    return NextWordPredictor(model, vocab)


def tiny_sentiment(cell: str = "lstm", negation_window: int = 0) -> SentimentModel:
    vocab = Vocabulary.build([WORDS])
    config = SentimentConfig(cell=cell, embedding_dim=8, hidden_size=8, bidirectional=True, rule_tokens=True,
                             negation_window=negation_window)
    features = torch.randn(len(vocab), 5)
    features[:, 3] = torch.tensor([float(token == "not") for token in vocab.tokens])  # the negation column
    net = LexiconClassifier(ModelConfig(vocab_size=len(vocab), cell=cell, embedding_dim=8, hidden_size=8,
                                        bidirectional=True, num_classes=5), features,
                            negation_window=negation_window)
    head = RuleHead(np.random.default_rng(0).normal(size=(8, 3)), np.zeros(3))
    return SentimentModel(net, vocab, config, rule_head=head)


def tiny_tagger(cell: str = "lstm", char_embedding_dim: int = 6) -> Tagger:
    vocab = Vocabulary.build([WORDS])
    chars = Vocabulary.build([list("".join(WORDS))])
    tags = ("NOUN", "VERB", "ADP", "PRON", "PROPN")
    config = TaggerConfig(cell=cell, embedding_dim=8, char_embedding_dim=char_embedding_dim, char_hidden_size=5,
                          hidden_size=8, num_layers=2)
    net = TaggerNet(config, len(vocab), len(chars), len(tags)).eval()
    return Tagger(TaggerParts(net, vocab, chars, tags, config))


@pytest.fixture(scope="module")
def tiny_models():
    torch.manual_seed(0)
    return {"nextword": tiny_nextword(), "sentiment": tiny_sentiment(), "tagger": tiny_tagger()}
