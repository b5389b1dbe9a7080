"""Sampling from a language model's logits: temperature, top-k and nucleus (top-p) filtering.

Shared by every generator (the next-word predictor's words, the character generators): one rule for
what ``temperature``, ``top_k`` and ``top_p`` mean.
"""

from __future__ import annotations

import math

import torch

__all__ = ["TOP_K_OFF", "TOP_P_OFF", "filtered_probs"]

TOP_K_OFF = 0  # top_k's "off": sample among every token
TOP_P_OFF = 1.0  # top_p's "off": keep the whole distribution


def filtered_probs(logits: torch.Tensor, temperature: float, top_k: int, top_p: float) -> torch.Tensor:
    """Sampling probabilities after temperature, top-k and nucleus (top-p) filtering.

    Args:
        logits: (V,) for one distribution or (B, V) for a batch; each row is filtered on its own.
        temperature: > 0; divides the logits (a tiny one gives -inf to all but the best, never NaN).
        top_k: keep the k likeliest tokens; ``TOP_K_OFF`` keeps all.
        top_p: keep the likeliest tokens whose probabilities add up to top_p; ``TOP_P_OFF`` keeps all.

    Returns:
        Probabilities of ``logits``' shape; each row sums to 1.
    """
    rows = logits.unsqueeze(0) if logits.dim() == 1 else logits
    rows = (rows - rows.max(dim=-1, keepdim=True).values) / temperature
    if top_k:
        kth = torch.topk(rows, min(top_k, rows.shape[-1]), dim=-1).values[:, -1:]
        rows = rows.masked_fill(rows < kth, -math.inf)
    probs = torch.softmax(rows, dim=-1)
    if top_p < TOP_P_OFF:
        sorted_probs, order = torch.sort(probs, dim=-1, descending=True)
        outside = torch.cumsum(sorted_probs, dim=-1) - sorted_probs >= top_p  # mass before it already reaches top_p
        probs = torch.zeros_like(probs).scatter(-1, order, sorted_probs.masked_fill(outside, 0.0))
        probs = probs / probs.sum(dim=-1, keepdim=True)
    return probs[0] if logits.dim() == 1 else probs
