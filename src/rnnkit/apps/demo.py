"""The seed's walk-through as a runnable demo: tokens, vocabulary, one-hot, padding, an LSTM's gates.

``rnnkit demo`` prints what :func:`run_demo` returns. It needs no data and no trained model.
"""

from __future__ import annotations

import numpy as np
import torch

from rnnkit.nn import Recurrent
from rnnkit.text import Tokenizer, Vocabulary, one_hot, pad_sequences_with_lengths

__all__ = ["run_demo"]

SEED_SENTENCES = ("I go to school", "me and my friends go to school")


def _fmt_row(values: np.ndarray) -> str:
    return "[" + ",".join(f"{v:g}" for v in values) + "]"


def _one_hot_section(tokenizer: Tokenizer) -> list[str]:
    words = tokenizer(SEED_SENTENCES[0])
    index = {w: i for i, w in enumerate(dict.fromkeys(words))}
    vectors = one_hot(np.array([index[w] for w in words]), len(index))
    lines = [f"1. One-hot vectors for {SEED_SENTENCES[0]!r} with its {len(index)}-word vocabulary:"]
    lines += [f"   {w:<7} = {_fmt_row(v)}" for w, v in zip(words, vectors, strict=True)]
    return lines


def _padding_section(tokenizer: Tokenizer, vocab: Vocabulary) -> tuple[list[str], np.ndarray, np.ndarray]:
    ids = [vocab.encode(tokenizer(s)) for s in SEED_SENTENCES]
    padded, lengths = pad_sequences_with_lengths(ids)  # Keras defaults: pre-padding to the longest
    lines = [f"2. Vocabulary of both sentences ({len(vocab)} entries, <pad>=0, <unk>=1): {vocab.tokens}",
             "   pad_sequences (Keras defaults: padding='pre', maxlen = longest):"]
    lines += [f"   {s!r:<34} -> {row.tolist()}" for s, row in zip(SEED_SENTENCES, padded, strict=True)]
    return lines, padded, lengths


def _gates_section(padded: np.ndarray, lengths: np.ndarray, vocab_size: int, seed: int) -> list[str]:
    torch.manual_seed(seed)
    embed = torch.nn.Embedding(vocab_size, 8, padding_idx=0)
    lstm = Recurrent("lstm", input_size=8, hidden_size=4).eval()
    x = embed(torch.from_numpy(padded))
    lens = torch.from_numpy(lengths)
    with torch.no_grad():
        fused, _ = lstm(x, lengths=lens, padding="pre")
        clear, _, gates = lstm.forward_with_gates(x, lengths=lens, padding="pre")
    diff = (fused - clear).abs().max().item()
    g = gates[0][0]
    lines = ["3. An untrained LSTM (hidden 4) over the padded batch; mean gate value per token of sentence 2:",
             "   token      forget  input  output"]
    words = SEED_SENTENCES[1].split()
    for t, word in enumerate(words):
        row = [g[name][1, t].mean().item() for name in ("forget", "input", "output")]
        lines.append(f"   {word:<9} " + "  ".join(f"{v:6.3f}" for v in row))
    lines.append(f"   fused layer vs transparent cells: max |difference| = {diff:.1e}")
    return lines


def run_demo(seed: int = 0) -> str:
    """Return the demo's text: the seed's one-hot and padding examples and an LSTM's gates."""
    tokenizer = Tokenizer()
    vocab = Vocabulary.build([tokenizer(s) for s in SEED_SENTENCES])
    padding_lines, padded, lengths = _padding_section(tokenizer, vocab)
    lines = _one_hot_section(tokenizer) + [""] + padding_lines + [""]
    lines += _gates_section(padded, lengths, len(vocab), seed)
    return "\n".join(lines)
