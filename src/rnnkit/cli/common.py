"""What every command of the CLI shares: threads, flags built from config dataclasses, JSON output, stdin.

Nothing here imports torch at module level: ``rnnkit --help`` stays fast.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rnnkit.config import check_int
from rnnkit.errors import InputError

__all__ = [
    "add_config_flags",
    "add_threads_flag",
    "config_from_args",
    "given_fields",
    "print_json",
    "read_text_arg",
    "set_threads",
    "usage",
]

_SCALARS = {"int": int, "float": float, "str": str}


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
    """The TEXT argument, or all of stdin when it is ``-``.

    Raises:
        InputError: stdin is not UTF-8 text.
    """
    if text != "-":
        return text
    try:
        return sys.stdin.read()
    except UnicodeDecodeError as err:
        raise InputError(f"stdin is not UTF-8 text (bad byte at offset {err.start})") from err


def usage(parser: argparse.ArgumentParser) -> int:
    """Print ``parser``'s help to stderr and return 2: what a bare group command (``rnnkit train``) does."""
    parser.print_help(sys.stderr)
    return 2
