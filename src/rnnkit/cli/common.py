"""What every command of the CLI shares: threads, flags built from config dataclasses, JSON output, stdin,
and how training commands start (output checked first), stop on a signal and behave under torchrun.

Nothing here imports torch at module level: ``rnnkit --help`` stays fast.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import signal
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from rnnkit.config import check_int
from rnnkit.errors import InputError

__all__ = [
    "MAX_STDIN_BYTES",
    "add_config_flags",
    "add_resume_flags",
    "add_threads_flag",
    "check_outputs",
    "config_from_args",
    "given_fields",
    "is_main_process",
    "print_json",
    "read_text_arg",
    "run_training",
    "set_threads",
    "usage",
]

MAX_STDIN_BYTES = 64 * 2**20  # "-" reads at most 64 MiB of stdin (a whole CoNLL-U treebank fits)
_CONTROL_SHARE = 0.05  # text with more than 5% control characters (not tabs or line breaks) is binary
_CONTROL = re.compile("[\x01-\x08\x0e-\x1f\x7f-\x9f]")  # C0/C1 controls but \t \n \v \f \r
_SURROGATE = re.compile("[\ud800-\udfff]")  # bytes a text stream could not decode (surrogateescape)

_SCALARS = {"int": int, "float": float, "str": str}


# What --quantize takes: rnnkit.nn.quantize.QUANTIZE_CHOICES (the sentiment model adds "bf16"), spelled here so
# that --help imports no torch; tests/cli/test_common.py checks they agree.
QUANTIZE_CHOICES = ("int8",)
SENTIMENT_QUANTIZE_CHOICES = (*QUANTIZE_CHOICES, "bf16")


def add_quantize_flag(parser: argparse.ArgumentParser, what: str, choices: tuple[str, ...] = QUANTIZE_CHOICES) -> None:
    """``--quantize SCHEME`` (absent: float32); ``what`` is its help: which layers, and where the figures are."""
    parser.add_argument("--quantize", choices=choices, default=None, help=what)


def add_threads_flag(parser: argparse.ArgumentParser, default: int) -> None:
    """``--num-threads N``: torch CPU threads for this command (0 leaves torch's choice)."""
    parser.add_argument("--num-threads", type=int, default=default,
                        help=f"torch CPU threads; 0 = torch's choice (default {default}; 1 is best on a busy machine)")


def set_threads(num_threads: int) -> None:
    """Set torch's CPU threads for the rest of the process (0: leave torch's default).

    Raises:
        InputError: ``num_threads`` is negative.
    """
    check_int("--num-threads", num_threads, 0, error=InputError)
    if num_threads:
        import torch

        torch.set_num_threads(num_threads)


def add_config_flags(parser: argparse.ArgumentParser, cls: type, title: str, *,
                     aliases: Mapping[str, Sequence[str]] | None = None,
                     default_text: Callable[[str], str] | None = None) -> None:
    """One flag per field of the config dataclass ``cls`` (``hidden_size`` -> ``--hidden-size``).

    Flags are unset unless given, so the config's own defaults (and presets) rule. The help text is the
    field's ``help`` metadata (see :func:`rnnkit.config.config_field`) and its default; a default of None
    is shown as ``default_text(name)`` (e.g. each preset's value). Tuple fields take ``A,B,...``.
    """
    group = parser.add_argument_group(title)
    for f in dataclasses.fields(cls):
        flags = ["--" + f.name.replace("_", "-"), *(aliases or {}).get(f.name, ())]
        if f.default is None and default_text is not None:
            shown = default_text(f.name)
        elif isinstance(f.default, tuple):
            shown = ",".join(map(str, f.default))
        else:
            shown = f.default if f.default != "" else "''"
        help_text = f"{f.metadata.get('help', '')} (default: {shown})"
        type_name = str(f.type).replace(" | None", "")
        choices = f.metadata.get("choices")
        if type_name == "bool":
            group.add_argument(*flags, dest=f.name, action=argparse.BooleanOptionalAction,
                               default=argparse.SUPPRESS, help=help_text)
        elif type_name.startswith("tuple["):
            item = _SCALARS[type_name[len("tuple["):].split(",")[0].strip("]")]
            group.add_argument(*flags, dest=f.name, type=_list_of(item), default=argparse.SUPPRESS,
                               help=help_text, metavar="A,B,...")
        else:
            group.add_argument(*flags, dest=f.name, type=_SCALARS[type_name], choices=choices,
                               default=argparse.SUPPRESS, help=help_text,
                               metavar=None if choices else f.name.upper())


def _list_of(item: type) -> Callable[[str], tuple]:
    def parse(text: str) -> tuple:
        try:
            return tuple(item(part.strip()) for part in text.split(",") if part.strip())
        except ValueError as err:
            raise argparse.ArgumentTypeError(f"expected comma-separated {item.__name__} values, got {text!r}") from err
    parse.__name__ = f"list of {item.__name__}"
    return parse


def config_from_args(args: argparse.Namespace, cls: type, **overrides: Any) -> Any:
    """``cls`` built from the flags of :func:`add_config_flags` that were given (and ``overrides``)."""
    return cls(**(given_fields(args, cls) | overrides))


def given_fields(args: argparse.Namespace, cls: type) -> dict[str, Any]:
    """The values of the :func:`add_config_flags` flags that were given on the command line."""
    return {f.name: getattr(args, f.name) for f in dataclasses.fields(cls) if hasattr(args, f.name)}


def print_json(data: Any, *, indent: int | None = None) -> None:
    """Print ``data`` as JSON on stdout (non-ASCII text kept as it is), flushed for pipes."""
    print(json.dumps(data, ensure_ascii=False, indent=indent), flush=True)


def read_text_arg(text: str) -> str:
    """The TEXT argument, or all of stdin when it is ``-`` (read as bytes and decoded as strict UTF-8).

    Raises:
        InputError: stdin is not UTF-8 text, looks like binary data (NUL bytes, or more than 5% control
            characters), or is over :data:`MAX_STDIN_BYTES`.
    """
    if text != "-":
        return text
    stream = getattr(sys.stdin, "buffer", None)
    raw = stream.read(MAX_STDIN_BYTES + 1) if stream is not None else sys.stdin.read(MAX_STDIN_BYTES + 1)
    if len(raw) > MAX_STDIN_BYTES:
        raise InputError(f"stdin holds more than {MAX_STDIN_BYTES // 2**20} MiB; give a smaller text")
    try:
        decoded = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as err:
        raise InputError(f"stdin is not UTF-8 text (bad byte at offset {err.start}); give text, not binary data") \
            from err
    if "\x00" in decoded or _SURROGATE.search(decoded):
        raise InputError("stdin holds NUL or undecodable bytes: it looks like binary data, not text")
    controls = len(_CONTROL.findall(decoded))
    if controls > _CONTROL_SHARE * len(decoded):
        raise InputError(f"stdin looks like binary data, not text ({controls} control characters in {len(decoded)})")
    return decoded


# training commands ---------------------------------------------------------------------------------------

def add_resume_flags(parser: argparse.ArgumentParser, default_out: str) -> None:
    """``--checkpoint PATH`` (the Trainer's resumable file) and ``--resume PATH`` (go on from one)."""
    default = Path(default_out).with_suffix(".train.pt")
    parser.add_argument("--checkpoint", type=Path,
                        help=f"the Trainer's resumable checkpoint, written every few minutes, on Ctrl-C/SIGTERM and "
                             f"at the end (default: OUT with .train.pt, e.g. {default})")
    parser.add_argument("--resume", type=Path, help="go on from this resumable checkpoint of the same command")


def is_main_process() -> bool:
    """False on every torchrun worker but rank 0 (``RANK`` set, not 0): only rank 0 prints results and writes files."""
    return os.environ.get("RANK", "").strip() in ("", "0")


def check_outputs(*paths: Path) -> None:
    """Refuse, before torch is imported or any data read, files that cannot be written (on rank 0).

    Raises:
        CheckpointError: a path is a folder, or its folder cannot be created or written to (one line: read-only
            file system, permission denied ...).
    """
    from rnnkit.training.files import check_writable  # torch-free: a second, not a minute

    if is_main_process():
        for path in paths:
            check_writable(path)


def run_training(train: Callable[[], Any]) -> tuple[Any, int]:
    """Run ``train()``: (its result, 0), or (None, 128 + the signal's number) when SIGINT/SIGTERM stopped it.

    The Trainer has then written its checkpoint; rank 0 prints one line saying how to go on. Under
    torchrun every rank leaves the process group before returning.
    """
    from rnnkit.training import TrainingInterrupted
    from rnnkit.training.distributed import cleanup_distributed

    try:
        return train(), 0
    except TrainingInterrupted as err:
        if is_main_process():
            print(f"rnnkit: training stopped by {err.signal_name} after step {err.step}; {err.checkpoint_path} "
                  f"holds it: run the same command with --resume {err.checkpoint_path} to go on", file=sys.stderr)
        return None, 128 + int(getattr(signal, err.signal_name, signal.SIGTERM))
    finally:
        cleanup_distributed()


def usage(parser: argparse.ArgumentParser) -> int:
    """Print ``parser``'s help to stderr and return 2: what a bare group command (``rnnkit train``) does."""
    parser.print_help(sys.stderr)
    return 2
