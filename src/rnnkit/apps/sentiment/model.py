"""A learned sentiment model: text -> ids, a lexicon-aware recurrent classifier, probabilities -> labels.

:class:`SentimentModel` is what :class:`~rnnkit.apps.sentiment.analyzer.SentimentAnalyzer` runs for its
learned backends (``lstm``, ``gru``, ``rnn``). It predicts SST's five classes and sums them into
Negative / Neutral / Positive (:mod:`.labels`). Its configuration is in :mod:`.config`; training is in
:mod:`.train`, which :meth:`SentimentModel.train` imports when called, so prediction never loads it.
"""

from __future__ import annotations

import copy
import dataclasses
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from rnnkit.apps.sentiment.config import CHECKPOINT_KIND, SentimentConfig
from rnnkit.apps.sentiment.features import (
    MAX_TOKENS,
    TokenIds,
    check_texts,
    rule_token,
    scope_args,
    sentiment_tokens,
)
from rnnkit.apps.sentiment.labels import (
    FINE_LABELS,
    coarse_of,
    encode_labels,
    group_log_probs,
)
from rnnkit.apps.sentiment.rule_head import RuleHead, vader_matrix
from rnnkit.config import ModelConfig, check_choice, config_from_dict
from rnnkit.errors import CheckpointError, ConfigError, InputError, first_line
from rnnkit.models.lexicon_classifier import LexiconClassifier
from rnnkit.nn.inference import map_batches
from rnnkit.nn.quantize import QUANTIZE_CHOICES, int8_copy
from rnnkit.text import Vocabulary
from rnnkit.training import build_checked_model, build_checkpoint, load_checkpoint, save_checkpoint

__all__ = ["EXPLAIN_MAX_TOKENS", "PREDICT_BATCH", "QUANTIZE_SCHEMES", "SentimentModel"]

PREDICT_BATCH = 256  # at most this many texts (all of one length) per forward pass in probabilities()
# Texts of one length that number at least DENSE_MIN run as dense, unpadded batches; rarer lengths are
# merged, in length order, into padded batches of up to PADDED_BATCH (one call for a service's 8 mixed
# texts: 2.1 ms instead of 4.0 ms for 8 calls of one text, bundled model, 1 thread).
DENSE_MIN = 8
PADDED_BATCH = 64
QUANTIZE_SCHEMES = (*QUANTIZE_CHOICES, "bf16")  # what quantize() takes: int8 weights, or all of it in bfloat16
EXPLAIN_MAX_TOKENS = 200  # explain() scores the first 200 tokens: occlusion costs grow with the square of the length


class SentimentModel:
    """A trained lexicon-aware recurrent sentiment classifier with its vocabulary.

    Build one with :meth:`train` or :meth:`load`; use :meth:`probabilities` (three classes),
    :meth:`fine_probabilities` (SST's five) and :meth:`explain`.
    """

    def __init__(self, model: LexiconClassifier, vocab: Vocabulary, config: SentimentConfig,
                 metrics: dict[str, Any] | None = None, card: dict[str, Any] | None = None,
                 rule_head: RuleHead | None = None) -> None:
        self.model = model.eval()
        self.rule_head = rule_head  # the final layer over the network and VADER's scores, if fitted
        self.vocab = vocab
        self.config = config
        self.metrics = dict(metrics or {})
        self.card = dict(card or {})
        self.quantized: str | None = None  # the scheme after quantize(): "int8" or "bf16"
        self._network = self.model  # what _log_probs runs: the model, or its int8 / bfloat16 copy
        self._token_ids = TokenIds(vocab, config.rule_tokens, MAX_TOKENS)

    def __repr__(self) -> str:
        direction = "bidirectional " if self.config.bidirectional else ""
        scheme = f", {self.quantized}" if self.quantized else ""
        return (f"SentimentModel({direction}{self.config.cell} {self.config.hidden_size}, "
                f"vocabulary {len(self.vocab)}{scheme})")

    @classmethod
    def train(cls, texts: Sequence[str], labels: Sequence[Any], config: SentimentConfig | None = None, *,
              valid: tuple[Sequence[str], Sequence[Any]] | None = None, opinion_words: tuple = ((), ()),
              checkpoint_path: str | os.PathLike | None = None, resume_from: str | os.PathLike | None = None,
              callbacks: Iterable[Any] = ()) -> SentimentModel:
        """Train on texts labelled Negative / Neutral / Positive or with SST's 0-4 (mixing both is fine).

        Args:
            texts, labels: the training examples.
            config: vocabulary, shape and recipe (default :class:`SentimentConfig`).
            valid: (texts, labels) to validate on; the model keeps its best three-class accuracy weights.
            opinion_words: (positive words, negative words) of an opinion lexicon to add as features.
            checkpoint_path: where the Trainer writes its resumable checkpoint.
            resume_from: a checkpoint of an interrupted run of the same training to go on from (same data and
                config: the vocabulary must match).
            callbacks: Trainer callbacks.

        Raises:
            ConfigError: ``config`` is not a SentimentConfig.
            InputError: texts and labels differ in length, a text is not a string or empty, or a label is unknown.
            CheckpointError: ``resume_from`` is unreadable or was trained with another vocabulary.
            TrainingError: the loss became NaN or infinite.
            TrainingInterrupted: SIGINT or SIGTERM stopped training after writing ``checkpoint_path``.
        """
        from rnnkit.apps.sentiment.train import train_parts  # training code loads only to train

        config = config if config is not None else SentimentConfig()
        if not isinstance(config, SentimentConfig):
            raise ConfigError(f"config must be a SentimentConfig, got {type(config).__name__}")
        model, vocab, metrics, card = train_parts(texts, labels, config, valid=valid, opinion_words=opinion_words,
                                                  checkpoint_path=checkpoint_path, resume_from=resume_from,
                                                  callbacks=callbacks)
        return cls(model, vocab, config, metrics, card)

    def encode(self, texts: Sequence[str], compounds: Sequence[float] | None = None) -> list[list[int]]:
        """Token ids of each text (an empty text reads as one ``<unk>``); ``compounds``: VADER's, if known."""
        if compounds is None:
            compounds = [None] * len(texts)
        elif isinstance(compounds, np.ndarray):  # Python floats: round() on a NumPy float costs ~1 us more
            compounds = compounds.tolist()
        token_ids, unk = self._token_ids, self.vocab.unk_id
        return [token_ids(t, c) or [unk] for t, c in zip(texts, compounds, strict=True)]

    def quantize(self, scheme: str = "int8") -> None:
        """Predict with lower-precision weights; :attr:`model` keeps its float32 ones (:meth:`save` writes them).

        Schemes (:data:`QUANTIZE_SCHEMES`):

        * ``"int8"``: int8 weights in the LSTM and the output layer (:func:`~rnnkit.nn.quantize.quantize_int8`)
          on a copy that shares the embedding and lexicon table (a GRU is quantized too, a plain RNN stays
          float32). Not faster than float32 with oneDNN for the bundled model.
        * ``"bf16"``: the whole network in bfloat16 (logits back in float32). About 1.3x faster in
          batches on a CPU with AVX-512 BF16 (the 2-core AMD EPYC these docs measure on); much slower on
          one without. Labels agree with float32 on 99.95% of SST test sentences.

        docs/sentiment.md ("Faster inference") has the figures. Calling it again with the same scheme
        changes nothing; another scheme replaces the first.

        Raises:
            ConfigError: an unknown scheme.
        """
        check_choice("quantize", scheme, QUANTIZE_SCHEMES)
        if self.quantized == scheme:
            return
        if scheme == "bf16":
            network = copy.deepcopy(self.model).to(torch.bfloat16)
        else:
            network = int8_copy(self.model, ("rnn.fused", "head"),
                                shared=(self.model.embedding.weight, self.model.features))
        self._network, self.quantized = network.eval(), scheme

    @torch.no_grad()
    def _log_probs(self, id_lists: list[list[int]], prepare: Callable[[np.ndarray], None] | None = None,
                   ) -> tuple[np.ndarray, np.ndarray]:
        """Fine and coarse log-probabilities; ``prepare(rows)``, if given, first completes those rows' ids."""
        logits_out = np.zeros((len(id_lists), len(FINE_LABELS)), dtype=np.float32)

        def run(rows: np.ndarray) -> None:  # each batch fills its own rows
            if prepare is not None:
                prepare(rows)
            lengths = [len(id_lists[i]) for i in rows]
            if lengths[0] == lengths[-1]:  # rows come in length order: one length, no padding
                ids = np.array([id_lists[i] for i in rows], dtype=np.int64)  # (B, T); 2.5x faster than torch.tensor
            else:
                ids = np.zeros((len(rows), lengths[-1]), dtype=np.int64)  # 0 is <pad>
                for k, i in enumerate(rows.tolist()):
                    ids[k, :lengths[k]] = id_lists[i]
            logits_out[rows] = self._network(torch.from_numpy(ids), torch.tensor(lengths)).float().numpy()

        pad = getattr(self._network, "takes_padding", True)  # an ONNX graph reads rows of one length only
        map_batches(run, _length_batches(id_lists, pad))  # side by side on several cores
        fine, coarse = group_log_probs(torch.from_numpy(logits_out))  # once: ~60 us a call whatever the size
        return fine.double().numpy(), coarse.double().numpy()

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """(N, 3) probabilities of Negative, Neutral, Positive; rows sum to 1 (through the rule head, if any).

        Raises:
            InputError: ``texts`` is not a list/tuple of strings.
        """
        texts = check_texts(texts)
        if self.rule_head is None:
            return self.network_probabilities(texts)
        # VADER's scores are computed once (the rule tokens and the head both read them), batch by batch
        # inside the network's batches, so one batch's VADER overlaps another's network on a second core.
        token_ids, unk, rule_tokens = self._token_ids, self.vocab.unk_id, self.config.rule_tokens
        id_lists = [[unk] if not ids else [0, *ids] if rule_tokens else ids  # 0: the rule token, filled in below
                    for ids in map(token_ids.word_ids, texts)]
        vader = np.zeros((len(texts), 4), dtype=np.float64)

        def prepare(rows: np.ndarray) -> None:
            batch = [texts[i] for i in rows]
            vader[rows] = vader_matrix(batch)
            if rule_tokens:
                for i, text, compound in zip(rows.tolist(), batch, vader[rows, 3].tolist(), strict=True):
                    if len(id_lists[i]) > 1:  # [unk] alone: a text without tokens has no rule token
                        id_lists[i][0] = token_ids.rule_id(text, compound)

        probs = np.exp(self._log_probs(id_lists, prepare)[1])
        return self.rule_head.apply(probs, vader)

    def network_probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """(N, 3) probabilities of the recurrent network alone, before any rule head."""
        return np.exp(self._log_probs(self.encode(check_texts(texts)))[1])

    def fit_rule_head(self, domains: Sequence[tuple[Sequence[str], Sequence[Any]]]) -> RuleHead:
        """Fit and keep a :class:`~.rule_head.RuleHead` on ``[(texts, labels), ...]``, one pair per domain.

        Labels are names or SST's 0-4 (grouped into three). Returns the head.

        Raises:
            InputError: bad texts or labels, or no domain.
        """
        fitted = []
        for texts, labels in domains:
            texts = check_texts(texts)
            if len(labels) != len(texts):
                raise InputError(f"a rule-head domain has {len(texts)} texts but {len(labels)} labels")
            coarse = coarse_of(torch.tensor(encode_labels(labels))).tolist()
            fitted.append((self.network_probabilities(texts), vader_matrix(texts), coarse))
        self.rule_head = RuleHead.fit(fitted)
        return self.rule_head

    def fine_probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """(N, 5) probabilities of SST's classes 0 (very negative) .. 4 (very positive)."""
        return np.exp(self._log_probs(self.encode(check_texts(texts)))[0])

    def explain(self, text: str) -> list[tuple[str, float]]:
        """Each token with its contribution to the compound score P(Positive) - P(Negative).

        Occlusion: a token's contribution is the compound of the whole text minus the compound of the
        text without that token, all variants scored in one batch. > 0 pushes towards Positive. Only the
        first ``EXPLAIN_MAX_TOKENS`` tokens are explained (and read).
        """
        tokens = sentiment_tokens(check_texts([text])[0], MAX_TOKENS)[:EXPLAIN_MAX_TOKENS]
        if not tokens:
            return []
        ids = self.vocab.encode(tokens)
        rule = self.vocab.encode([rule_token(text)]) if self.config.rule_tokens else []  # the same in every variant
        variants = [rule + ids] + [rule + (ids[:i] + ids[i + 1:] or [self.vocab.unk_id]) for i in range(len(ids))]
        probs = np.exp(self._log_probs(variants)[1])
        if self.rule_head is not None:  # VADER reads each variant as text: the tokens joined by spaces
            texts = [" ".join(tokens)] + [" ".join(tokens[:i] + tokens[i + 1:]) for i in range(len(tokens))]
            probs = self.rule_head.apply(probs, vader_matrix(texts))
        compound = probs[:, 2] - probs[:, 0]
        return [(token, float(compound[0] - compound[i + 1])) for i, token in enumerate(tokens)]

    def save(self, path: str | os.PathLike) -> Path:
        """Write the model to one checkpoint file (atomically); :meth:`load` reads it back."""
        payload = build_checkpoint(
            CHECKPOINT_KIND, self.model.state_dict(), model_config=dataclasses.asdict(self.model.config),
            vocab=self.vocab.to_dict(), metrics=self.metrics,
            extra={"sentiment_config": dataclasses.asdict(self.config), "card": self.card,
                   "rule_head": self.rule_head.to_dict() if self.rule_head is not None else None})
        return save_checkpoint(path, payload)

    @classmethod
    def load(cls, path: str | os.PathLike) -> SentimentModel:
        """Load a model written by :meth:`save`.

        Sizes, weight shapes and dtypes are checked before the network is built
        (:func:`~rnnkit.training.build_checked_model`).

        Raises:
            CheckpointError: the file is missing, unreadable, not a sentiment model or inconsistent.
        """
        payload = load_checkpoint(path, kind=CHECKPOINT_KIND)
        try:
            vocab = Vocabulary.from_dict(payload["vocab"])
            config = config_from_dict(SentimentConfig, payload["extra"]["sentiment_config"])
            model_config = config_from_dict(ModelConfig, payload["model_config"])
            features = payload["state_dict"].get("features")  # None: the model refuses it, after the size checks
            model = build_checked_model(path, lambda: LexiconClassifier(model_config, features, config.word_dropout,
                                                                        **scope_args(config)),
                                        payload["state_dict"], payload["model_config"], what="sentiment model")
            if len(vocab) != model_config.vocab_size:
                raise InputError(f"vocabulary has {len(vocab)} words but the model {model_config.vocab_size}")
            head = payload["extra"].get("rule_head")
            return cls(model, vocab, config, payload["metrics"], payload["extra"].get("card", {}),
                       RuleHead.from_dict(head) if head is not None else None)
        except (InputError, ConfigError, RuntimeError, KeyError, TypeError) as err:
            first = first_line(err)
            raise CheckpointError(f"checkpoint {path} is not a usable sentiment model: {first}") from err


def _length_batches(id_lists: list[list[int]], pad: bool = True) -> list[np.ndarray]:
    """Indices grouped by length, each group in length order.

    A length shared by at least ``DENSE_MIN`` texts (all of them when ``pad`` is false) gives dense,
    unpadded batches of up to ``PREDICT_BATCH``: on CPU a packed variable-length batch is ~1.5x slower
    than the same tokens in dense batches. The rarer lengths are merged into padded batches of up to
    ``PADDED_BATCH``, which beat one small call per length (~2x for eight texts of eight lengths).
    """
    lengths = np.fromiter((len(ids) for ids in id_lists), dtype=np.int64, count=len(id_lists))
    order = np.argsort(lengths, kind="stable")
    groups = np.split(order, np.flatnonzero(np.diff(lengths[order])) + 1)
    dense = [g for g in groups if len(g) >= DENSE_MIN or not pad]
    rare = [g for g in groups if len(g) < DENSE_MIN and pad]
    batches = [g[i:i + PREDICT_BATCH] for g in dense for i in range(0, len(g), PREDICT_BATCH)]
    if rare:
        merged = np.concatenate(rare)
        batches += [merged[i:i + PADDED_BATCH] for i in range(0, len(merged), PADDED_BATCH)]
    return batches
