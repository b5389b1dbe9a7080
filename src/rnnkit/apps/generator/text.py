"""Text for the character generator: characters as tokens, the validation split, label markers.

Every character is a token of an ordinary :class:`~rnnkit.text.Vocabulary` (``<pad>`` 0, ``<unk>`` 1,
``<bos>`` 2, ``<eos>`` 3, then the characters by frequency, then one marker per label). A plain model
reads one stream of the whole text. A label-conditioned model reads one stream of examples, each its
label's marker, the text's characters and ``<eos>``, every id of an example shifted into its label's
block (``id + label_index * len(vocab)``)::

    vocabulary (V symbols):   <pad> <unk> <bos> <eos> e t a ... <Negative> <Positive>
    stream ids, 2 labels:     <Positive>+V G+V r+V e+V a+V t+V <eos>+V <Negative> T o o   h e a v y <eos> ...

so the label reaches the model with every character, not only through a first token whose trace the
state may lose (:class:`~.model.LabelledLanguageModel` adds a label embedding to each character's).
Generation for a label reads ``<eos> <Label>`` in its block, feeds back each sampled character in that
block, and stops at ``<eos>``. A plain model is the one-block case (no shift).
"""

from __future__ import annotations

from collections.abc import Sequence

from rnnkit.errors import InputError
from rnnkit.text import Vocabulary

__all__ = ["build_char_vocab", "encode_chars", "label_token", "labelled_stream", "split_validation"]


def label_token(label: str) -> str:
    """The vocabulary token that marks ``label`` (``"Positive"`` -> ``"<Positive>"``)."""
    return f"<{label}>"


def split_validation(text: str, fraction: float) -> tuple[str, str]:
    """(training text, validation text): the validation text is the last ``fraction`` of ``text``."""
    cut = len(text) - int(len(text) * fraction)
    return text[:cut], text[cut:]


def build_char_vocab(texts: Sequence[str], labels: Sequence[str] = (), max_chars: int = 0) -> Vocabulary:
    """A vocabulary of the characters in ``texts`` (most frequent first), then one marker per label.

    Args:
        texts: the training text(s).
        labels: label names for a conditioned model, each getting a marker token (:func:`label_token`).
        max_chars: keep only this many most frequent characters; 0 keeps all.

    Raises:
        InputError: no characters at all.
    """
    chars = Vocabulary.build([list(t) for t in texts], max_size=max_chars + 4 if max_chars else None,
                             add_bos_eos=True)
    if len(chars) == 4:
        raise InputError("the training text holds no characters")
    return Vocabulary([*chars.tokens[4:], *(label_token(label) for label in labels)], add_bos_eos=True)


def encode_chars(text: str, vocab: Vocabulary) -> list[int]:
    """The ids of the characters of ``text`` (unknown ones as ``<unk>``)."""
    return vocab.encode(list(text))


def labelled_stream(texts: Sequence[str], labels: Sequence[str], vocab: Vocabulary,
                    all_labels: Sequence[str]) -> list[int]:
    """One stream of ``<Label> text <eos>`` examples, each in its label's block (see the module docstring).

    ``all_labels`` orders the blocks: the label ``all_labels[i]`` shifts its example's ids by ``i * len(vocab)``.
    """
    stream: list[int] = [vocab.eos_id]
    for text, label in zip(texts, labels, strict=True):
        shift = all_labels.index(label) * len(vocab)
        ids = [vocab.token_to_id(label_token(label)), *encode_chars(text, vocab), vocab.eos_id]
        stream += [i + shift for i in ids]
    return stream
