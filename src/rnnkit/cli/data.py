"""``rnnkit data ...``: turn public datasets into the plain one-sentence-per-line files training reads."""

from __future__ import annotations

import argparse
from pathlib import Path

from rnnkit.data import read_tatoeba_english, split_sentences
from rnnkit.errors import InputError

__all__ = ["add_data"]


def add_data(sub: argparse._SubParsersAction) -> None:
    """Register ``rnnkit data tatoeba FILE --out DIR``."""
    data = sub.add_parser("data", help="prepare training text from public datasets (data tatoeba ...)")
    group = data.add_subparsers(title="dataset", metavar="DATASET")
    data.set_defaults(func=lambda args: (data.print_help(), 2)[1])
    tatoeba = group.add_parser("tatoeba", help="English side of Tatoeba pairs, split by distinct sentence")
    tatoeba.add_argument("file", type=Path, help="manythings.org pairs file (English<TAB>French)")
    tatoeba.add_argument("--out", type=Path, required=True, help="folder for train.txt, valid.txt and test.txt")
    tatoeba.set_defaults(func=_cmd_tatoeba)


def _cmd_tatoeba(args: argparse.Namespace) -> int:
    parts = split_sentences(read_tatoeba_english(args.file))
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        for name, sentences in parts.items():
            (args.out / f"{name}.txt").write_text("\n".join(sentences) + "\n", encoding="utf-8")
    except OSError as err:
        raise InputError(f"cannot write to {args.out}: {err.strerror or err}") from err
    print(", ".join(f"{name}: {len(s)} sentences" for name, s in parts.items()) + f" -> {args.out}")
    return 0
