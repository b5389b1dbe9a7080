"""``rnnkit data ...``: turn public datasets into the plain one-sentence-per-line files training reads."""

from __future__ import annotations

import argparse
from pathlib import Path

from rnnkit.errors import InputError

__all__ = ["add_tatoeba"]


def add_tatoeba(parser: argparse.ArgumentParser) -> None:
    """``rnnkit data tatoeba FILE --out DIR``."""
    parser.add_argument("file", type=Path, help="manythings.org pairs file (English<TAB>French)")
    parser.add_argument("--out", type=Path, required=True, help="folder for train.txt, valid.txt and test.txt")
    parser.set_defaults(func=_cmd_tatoeba)


def _cmd_tatoeba(args: argparse.Namespace) -> int:
    from rnnkit.data import read_tatoeba_english, split_sentences

    parts = split_sentences(read_tatoeba_english(args.file))
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        for name, sentences in parts.items():
            (args.out / f"{name}.txt").write_text("\n".join(sentences) + "\n", encoding="utf-8")
    except OSError as err:
        raise InputError(f"cannot write to {args.out}: {err.strerror or err}") from err
    print(", ".join(f"{name}: {len(s)} sentences" for name, s in parts.items()) + f" -> {args.out}")
    return 0
