"""Checkpoint files: the only code in rnnkit that reads or writes them.

A checkpoint is one file of plain data (dicts, lists, tuples, str, numbers, None and tensors)
written by ``torch.save`` and read back with ``torch.load(weights_only=True)``, so loading never
runs pickled code. Layout (``version`` 1)::

    {
        "format": "rnnkit-checkpoint",
        "version": 1,
        "kind": "language_model",          # which model class reads state_dict
        "model_config": {...},             # dataclasses.asdict(ModelConfig) or {}
        "vocab": {...} or None,            # the vocabulary, so prediction needs no corpus
        "state_dict": {name: tensor},      # the weights, on the CPU
        "train_config": {...},             # dataclasses.asdict(TrainConfig) or {}
        "metrics": {...},                  # step, losses, validation metric ...
        "trainer_state": {...} or None,    # what resuming needs (see rnnkit.training.loop)
        "extra": {...},                    # anything else an app wants to keep (labels ...)
    }

Writes are atomic: a temporary file in the same folder, flushed and fsync'ed, then
``os.replace``'d over the target, so a crash leaves either the old file or the new one; the
temporary files of writers that were killed are removed by the next save. Reads are bounded: see
:mod:`rnnkit.training.bounds`.
"""

from __future__ import annotations

import io
import os
import secrets
import warnings
from pathlib import Path
from typing import Any

import torch

from rnnkit.config import check_choice
from rnnkit.errors import CheckpointError, NotTrainedError, first_line
from rnnkit.nn.quantize import QUANTIZE_CHOICES
from rnnkit.training.bounds import check_archive
from rnnkit.training.files import (
    TMP_SUFFIX,
    check_free_space,
    check_writable,
    remove_stale_temp_files,
    write_error_message,
)

__all__ = [
    "CHECKPOINT_FORMAT",
    "CHECKPOINT_VERSION",
    "best_checkpoint_path",
    "build_checkpoint",
    "bundled_or_given",
    "check_writable",
    "load_checkpoint",
    "load_product",
    "remove_stale_temp_files",
    "save_checkpoint",
    "write_error_message",
]

CHECKPOINT_FORMAT = "rnnkit-checkpoint"  # the "format" tag that marks our files
CHECKPOINT_VERSION = 1  # bump when the layout changes; load_checkpoint reads this version only

_REQUIRED = {
    "kind": str,
    "model_config": dict,
    "state_dict": dict,
    "train_config": dict,
    "metrics": dict,
}
_OPTIONAL = {"vocab": (dict, type(None)), "trainer_state": (dict, type(None)), "extra": dict}
_PLAIN_SCALARS = (str, int, float, bool, type(None), torch.dtype, torch.device, torch.Size)


def build_checkpoint(
    kind: str,
    state_dict: dict[str, torch.Tensor],
    *,
    model_config: dict | None = None,
    vocab: dict | None = None,
    train_config: dict | None = None,
    metrics: dict | None = None,
    trainer_state: dict | None = None,
    extra: dict | None = None,
) -> dict[str, Any]:
    """Assemble a version-1 checkpoint payload (weights copied to the CPU, detached).

    Returns:
        The payload dict, ready for :func:`save_checkpoint`.
    """
    return {
        "format": CHECKPOINT_FORMAT,
        "version": CHECKPOINT_VERSION,
        "kind": kind,
        "model_config": dict(model_config or {}),
        "vocab": vocab,
        "state_dict": cpu_copy(state_dict),
        "train_config": dict(train_config or {}),
        "metrics": dict(metrics or {}),
        "trainer_state": trainer_state,
        "extra": dict(extra or {}),
    }


def cpu_copy(state_dict: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Detached CPU copies of the weights; tensors that share memory (tied weights) stay shared,
    so ``torch.save`` writes them once (a tied 10k x 200 embedding would otherwise be stored twice)."""
    copies: dict[tuple, torch.Tensor] = {}
    out = {}
    for name, tensor in state_dict.items():
        key = (tensor.device, tensor.data_ptr(), tensor.dtype, tuple(tensor.shape), tensor.stride())
        if key not in copies:
            copies[key] = tensor.detach().to("cpu", copy=True)
        out[name] = copies[key]
    return out


def best_checkpoint_path(path: str | os.PathLike) -> Path:
    """Where the best-so-far checkpoint beside ``path`` goes: ``model.pt`` -> ``model.best.pt``."""
    path = Path(path)
    return path.with_name(f"{path.stem}.best{path.suffix or '.pt'}")


def save_checkpoint(path: str | os.PathLike, payload: dict[str, Any]) -> Path:
    """Write ``payload`` to ``path`` atomically (temp file in the same folder, fsync, rename).

    The file's mode follows the user's umask (like any file the user creates); temporary files that
    earlier, killed writes of the same checkpoint left behind are removed.

    Args:
        path: target file; its folder is created if missing.
        payload: a dict as made by :func:`build_checkpoint`.

    Returns:
        The path written.

    Raises:
        CheckpointError: the payload is not a valid plain-data checkpoint (non-finite weights,
            objects other than plain data), or the file cannot be written (full disk, no permission,
            read-only file system: the message says which).
    """
    path = Path(path)
    _check_payload(path, payload)
    _check_plain(path, payload, "payload")
    buffer = io.BytesIO()  # serialised first, so a full disk is an OSError with its errno, not a zip-writer error
    try:
        torch.save(payload, buffer)
        path.parent.mkdir(parents=True, exist_ok=True)
    except Exception as err:
        raise CheckpointError(write_error_message(path, err)) from err
    data = buffer.getbuffer()
    check_free_space(path, len(data))
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}{TMP_SUFFIX}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies, as for any new file
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as err:
        tmp.unlink(missing_ok=True)
        if isinstance(err, Exception):
            raise CheckpointError(write_error_message(path, err)) from err
        raise
    _fsync_dir(path.parent)
    remove_stale_temp_files(path)
    return path


def bundled_or_given(path: str | os.PathLike | None, bundled: Path, what: str, train: str) -> str | os.PathLike:
    """``path``, or the bundled model file when ``path`` is None.

    Args:
        bundled: where the package keeps its default model.
        what: the product, for the message ("next-word model", "tagger" ...).
        train: the command that trains one, e.g. ``rnnkit train tagger --train FILE.conllu``.

    Raises:
        NotTrainedError: ``path`` is None and no model is bundled.
    """
    if path is not None:
        return path
    if not bundled.is_file():
        raise NotTrainedError(f"no bundled {what} at {bundled}; train one with `{train}` and pass its path "
                              "(--model PATH)")
    return bundled


def load_product(path: str | os.PathLike | None, bundled: Path, what: str, train: str, kind: str,
                 quantize: str | None = None) -> tuple[dict[str, Any], str | os.PathLike]:
    """A product's ``load``: ``(payload, path)`` of ``path`` or, when None, the bundled model.

    ``quantize`` (None or one of :data:`~rnnkit.nn.quantize.QUANTIZE_CHOICES`) is checked before the
    file is read; the caller applies it to what it builds from the payload.

    Raises:
        ConfigError: an unknown ``quantize``.
        NotTrainedError: ``path`` is None and no model is bundled (see :func:`bundled_or_given`).
        CheckpointError: as :func:`load_checkpoint`, with ``kind``.
    """
    if quantize is not None:
        check_choice("quantize", quantize, QUANTIZE_CHOICES)
    path = bundled_or_given(path, bundled, what, train)
    return load_checkpoint(path, kind=kind), path


def load_checkpoint(path: str | os.PathLike, kind: str | None = None) -> dict[str, Any]:
    """Read and check a checkpoint safely (``weights_only=True``, CPU tensors).

    Args:
        path: the checkpoint file.
        kind: if given, the checkpoint must hold this kind of model.

    Returns:
        The payload dict (see the module docstring for its layout).

    Raises:
        CheckpointError: the file is missing, a folder, empty, truncated or corrupt, over
            :data:`~rnnkit.training.bounds.MAX_CHECKPOINT_BYTES`, has compressed entries, is not an rnnkit
            checkpoint, of another version or kind, or holds NaN/Inf weights.
    """
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"checkpoint {path} does not exist")
    if path.is_dir():
        raise CheckpointError(f"checkpoint {path} is a directory, not a file")
    if path.stat().st_size == 0:
        raise CheckpointError(f"checkpoint {path} is empty")
    check_archive(path)  # bounded time and memory before torch.load reads a byte (rnnkit.training.bounds)
    try:
        with warnings.catch_warnings():  # torch warns about foreign pickle protocols; the error below says more
            warnings.filterwarnings("ignore", message="Detected pickle protocol", category=UserWarning)
            payload = torch.load(path, weights_only=True, map_location="cpu")
    except Exception as err:  # torch raises many types for bad bytes; all mean "unreadable"
        raise CheckpointError(
            f"checkpoint {path} cannot be read safely (truncated, corrupt or not a plain-data torch file): "
            f"{type(err).__name__}: {first_line(err)}"
        ) from err
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(f"{path} is not an rnnkit checkpoint (no format tag {CHECKPOINT_FORMAT!r})")
    if payload.get("version") != CHECKPOINT_VERSION:
        raise CheckpointError(
            f"checkpoint {path} has format version {payload.get('version')!r}; "
            f"this rnnkit reads version {CHECKPOINT_VERSION}"
        )
    _check_payload(path, payload)
    if kind is not None and payload["kind"] != kind:
        raise CheckpointError(f"checkpoint {path} holds a {payload['kind']!r} model, expected {kind!r}")
    payload.setdefault("vocab", None)
    payload.setdefault("trainer_state", None)
    payload.setdefault("extra", {})
    return payload


def _check_payload(path: Path, payload: Any) -> None:
    """Raise CheckpointError unless ``payload`` has the fields and finite weights of a checkpoint."""
    if not isinstance(payload, dict):
        raise CheckpointError(f"checkpoint {path} must be a dict, got {type(payload).__name__}")
    missing = sorted(key for key in _REQUIRED if key not in payload)
    if missing:
        raise CheckpointError(f"checkpoint {path} is missing field(s): {', '.join(missing)}")
    for key, expected in {**_REQUIRED, **_OPTIONAL}.items():
        if key in payload and not isinstance(payload[key], expected):
            raise CheckpointError(
                f"checkpoint {path} has a {type(payload[key]).__name__} for {key!r}, not the documented type"
            )
    for name, tensor in payload["state_dict"].items():
        if not isinstance(tensor, torch.Tensor):
            raise CheckpointError(f"checkpoint {path} has a {type(tensor).__name__} for weight {name!r}, not a tensor")
        if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all()):
            raise CheckpointError(f"checkpoint {path} has NaN or Inf values in weight {name!r}")


def _check_plain(path: Path, value: Any, where: str) -> None:
    """Raise CheckpointError if ``value`` holds anything a ``weights_only`` load would refuse."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, (str, int)):
                raise CheckpointError(f"cannot save {path}: key {key!r} in {where} is not a str or int")
            _check_plain(path, item, f"{where}.{key}")
    elif isinstance(value, (list, tuple)) and type(value) in (list, tuple):
        for index, item in enumerate(value):
            _check_plain(path, item, f"{where}[{index}]")
    elif not isinstance(value, (torch.Tensor, *_PLAIN_SCALARS)) or type(value).__module__ == "numpy":
        raise CheckpointError(
            f"cannot save {path}: {where} is a {type(value).__name__}; checkpoints hold plain data and tensors only"
        )


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable where the OS allows opening a directory (POSIX); harmless elsewhere."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
