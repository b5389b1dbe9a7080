"""Bounded loading: what a checkpoint may ask for before rnnkit allocates anything for it.

A checkpoint is untrusted input. A 140 KB file that says ``vocab_size: 2000000`` must not make the
loader build a 2-million-row embedding before noticing that the weights are not there, and a
deflate-compressed entry must not inflate to hundreds of megabytes. Three checks keep time and
memory bounded by the file's own size:

1. :func:`check_archive`, before ``torch.load`` reads anything: the file is a zip archive (what
   ``torch.save`` writes) of at most :data:`MAX_CHECKPOINT_BYTES`, every entry stored uncompressed
   (``torch.save`` never compresses, so a deflated entry means the file was altered) and the entries
   together no bigger than the file itself.
2. :func:`check_model_sizes`: the size fields of a model config (``vocab_size``, ``hidden_size``,
   ``num_layers`` ...) are within :data:`SIZE_LIMITS`.
3. :func:`build_checked_model`: the model is built once on the ``meta`` device (no memory), its
   parameter count checked against :data:`MAX_PARAMETERS`, and its weight names, shapes and dtypes
   compared with the stored tensors; the first mismatch is named. Only then is the real model built
   and the weights loaded, so the real allocation never exceeds what the file holds.

An app's loader reads::

    payload = load_checkpoint(path, kind=CHECKPOINT_KIND)          # 1. runs inside
    config = config_from_dict(ModelConfig, payload["model_config"])
    model = build_checked_model(path, lambda: LanguageModel(config), payload["state_dict"],
                                payload["model_config"])           # 2. and 3.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from rnnkit.errors import CheckpointError, first_line

__all__ = [
    "MAX_ARCHIVE_ENTRIES",
    "MAX_CHECKPOINT_BYTES",
    "MAX_PARAMETERS",
    "SIZE_LIMITS",
    "build_checked_model",
    "check_archive",
    "check_model_sizes",
]

M = TypeVar("M", bound=nn.Module)

MAX_CHECKPOINT_BYTES = 4 * 2**30  # 4 GiB: ten times the largest model rnnkit trains (PTB "large", ~270 MB)
MAX_ARCHIVE_ENTRIES = 100_000  # torch.save writes one entry per tensor storage plus three
MAX_PARAMETERS = 500_000_000  # 2 GB of float32 weights; a config implying more is refused before building
SIZE_LIMITS = {  # the largest value rnnkit loads for each size field of any model config
    "vocab_size": 1_000_000,  # word vocabularies: PTB 10k, WikiText-103 267k
    "output_size": 1_000_000,
    "char_vocab_size": 100_000,  # characters seen in a corpus (all of Unicode's scripts fit)
    "num_classes": 10_000,
    "num_tags": 10_000,
    "embedding_dim": 8_192,
    "char_embedding_dim": 8_192,
    "hidden_size": 8_192,
    "char_hidden_size": 8_192,
    "input_dim": 8_192,
    "num_layers": 32,
}


def check_archive(path: str | os.PathLike, max_bytes: int = MAX_CHECKPOINT_BYTES) -> None:
    """Refuse a file ``torch.load`` could be made to spend unbounded time or memory on.

    Raises:
        CheckpointError: the file is over ``max_bytes``, not a zip archive (legacy torch formats
            allocate the sizes they announce), has too many entries, a compressed entry, or entries
            that add up to more than the file.
    """
    path = Path(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise CheckpointError(f"checkpoint {path} is {size / 2**20:,.0f} MiB; rnnkit loads checkpoints up to "
                              f"{max_bytes / 2**20:,.0f} MiB")
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        raise CheckpointError(f"checkpoint {path} cannot be read safely (not the zip file torch.save writes: "
                              f"truncated, corrupt or another format): {first_line(err)}") from err
    if len(entries) > MAX_ARCHIVE_ENTRIES:
        raise CheckpointError(f"checkpoint {path} has {len(entries):,} entries; rnnkit reads at most "
                              f"{MAX_ARCHIVE_ENTRIES:,}")
    total = 0
    for entry in entries:
        if entry.compress_type != zipfile.ZIP_STORED or entry.file_size != entry.compress_size:
            raise CheckpointError(f"checkpoint {path} has a compressed entry {entry.filename!r}; torch.save "
                                  "never compresses, so the file was altered (refused before reading it)")
        total += entry.file_size
    if total > size:
        raise CheckpointError(f"checkpoint {path} announces {total:,} bytes of entries in a {size:,}-byte file")


def check_model_sizes(path: str | os.PathLike, *configs: Mapping[str, Any], what: str = "model") -> None:
    """Refuse config size fields (``vocab_size``, ``hidden_size`` ... in :data:`SIZE_LIMITS`) beyond their limits.

    Non-integer values are left to the config's own validation.

    Raises:
        CheckpointError: a size field is larger than its limit (the message names it).
    """
    for config in configs:
        if not isinstance(config, Mapping):
            continue
        for name, limit in SIZE_LIMITS.items():
            value = config.get(name)
            if isinstance(value, int) and not isinstance(value, bool) and value > limit:
                raise CheckpointError(f"checkpoint {path} is not a usable {what}: it asks for {name} {value:,}; "
                                      f"rnnkit loads models with {name} up to {limit:,}")


def build_checked_model(path: str | os.PathLike, build: Callable[[], M], state_dict: Mapping[str, Any],
                        *configs: Mapping[str, Any], what: str = "model") -> M:
    """Build ``build()``'s model and load ``state_dict`` into it, refusing any mismatch before allocating.

    Args:
        path: the checkpoint (named in errors).
        build: makes the untrained model from the checkpoint's config; called twice, first on the meta device.
        state_dict: the stored weights.
        *configs: config dicts whose size fields are checked first (:func:`check_model_sizes`).
        what: the product, for messages: "checkpoint PATH is not a usable WHAT: ...".

    Returns:
        The model with the stored weights, on the CPU, in training mode as ``build`` made it.

    Raises:
        CheckpointError: a size over its limit, too many parameters, or a weight missing, unexpected,
            of another shape or another dtype than the config implies (the first one is named).
        ConfigError, InputError, ValueError, TypeError: ``build`` refused the config (callers wrap these).
    """
    check_model_sizes(path, *configs, what=what)
    with torch.device("meta"), _SkipInit():
        expected = build().state_dict()
    count = sum(t.numel() for t in {id(t): t for t in expected.values()}.values())
    problem = _mismatch(expected, state_dict) if count <= MAX_PARAMETERS else (
        f"its config describes {count:,} parameters; rnnkit loads models of up to {MAX_PARAMETERS:,}")
    if problem:
        raise CheckpointError(f"checkpoint {path} is not a usable {what}: {problem}")
    model = build()
    model.load_state_dict(state_dict)
    return model


class _SkipInit(TorchFunctionMode):
    """Skip random initialisation while a model is built on the meta device: it changes no shape, and meta
    ``normal_`` alone costs 2-3 s of imports (torch's Python meta kernels pull in sympy) on first use."""

    def __torch_function__(self, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
        if getattr(func, "__name__", "") in _INIT_FUNCTIONS:
            return args[0] if args else next(iter((kwargs or {}).values()))
        return func(*args, **(kwargs or {}))


_INIT_FUNCTIONS = frozenset({  # torch.nn.init functions and in-place random fills: values only, never shapes
    "normal_", "uniform_", "trunc_normal_", "orthogonal_", "sparse_", "kaiming_uniform_", "kaiming_normal_",
    "xavier_uniform_", "xavier_normal_", "bernoulli_", "exponential_", "random_", "log_normal_", "cauchy_",
    "geometric_",
})


def _mismatch(expected: Mapping[str, torch.Tensor], stored: Mapping[str, Any]) -> str:
    """The first weight whose presence, shape or dtype differs from what the config implies, in words ("" if none)."""
    for name, want in expected.items():
        got = stored.get(name)
        implied = f"{tuple(want.shape)} {str(want.dtype).removeprefix('torch.')}"
        if not isinstance(got, torch.Tensor):
            return f"weight {name!r} ({implied}) that its config implies is missing"
        if tuple(got.shape) != tuple(want.shape):
            return f"weight {name!r} has shape {tuple(got.shape)}, but its config implies {tuple(want.shape)}"
        if got.dtype != want.dtype:
            return f"weight {name!r} is {str(got.dtype).removeprefix('torch.')}, but its config implies {implied}"
    unexpected = next((name for name in stored if name not in expected), None)
    return "" if unexpected is None else f"weight {unexpected!r} is not used by its config"
