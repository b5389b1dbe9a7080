"""The tagger commands of the CLI: ``tag``, ``train tagger`` and ``eval tagger``.

Training flags are built from :class:`~rnnkit.apps.tagger.config.TaggerConfig`'s fields, so every
default lives on the config. Heavy imports (torch, the app) happen inside the handlers.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from rnnkit.apps.tagger.config import TaggerConfig
from rnnkit.cli.bulk import TAG_COLUMNS, add_bulk_flags, check_bulk_args, flatten_tags, run_bulk_command
from rnnkit.cli.common import (
    add_config_flags,
    add_quantize_flag,
    add_resume_flags,
    add_threads_flag,
    check_outputs,
    config_from_args,
    is_main_process,
    print_json,
    read_text_arg,
    run_training,
    set_threads,
)
from rnnkit.errors import InputError

__all__ = ["add_eval_tagger", "add_tag", "add_train_tagger"]

DEFAULT_OUT = "tagger.pt"  # where `rnnkit train tagger` writes the model
STDIN = "-"  # the file or text argument that means "read stdin"


QUANTIZE_HELP = ("int8: run the BiLSTMs and the output layer with int8 "
                 "weights (faster; the same UPOS accuracy on UD English-Atis, see docs/tagger.md)")


# tag -------------------------------------------------------------------------------------------------

def add_tag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("text", nargs="?", help='the text to tag, e.g. "show me flights from boston to denver"; "-" '
                        "tags each line of stdin (or give --input)")
    parser.add_argument("--model", type=Path, help="a model from `rnnkit train tagger` (default: the bundled one)")
    parser.add_argument("--json", action="store_true", help='print {"tokens": [{"word": ..., "tag": ...}]} per text')
    add_quantize_flag(parser, QUANTIZE_HELP)
    add_threads_flag(parser, 1)
    add_bulk_flags(parser)
    parser.set_defaults(func=_cmd_tag)


def _cmd_tag(args: argparse.Namespace) -> int:
    from rnnkit.apps.tagger.tagger import Tagger, tag_result

    set_threads(args.num_threads)
    check_bulk_args(args, "tag")
    if args.input is not None:
        return run_bulk_command(args, partial(tag_predictor, args.model, args.quantize), flatten_tags, TAG_COLUMNS,
                                "tagged")
    tagger = Tagger.load(args.model, quantize=args.quantize)
    texts = [args.text] if args.text != STDIN else read_text_arg(STDIN).splitlines()
    for pairs in tagger.tag_many(texts):
        if args.json:
            print_json(tag_result(pairs))
        else:
            print(" ".join(f"{word}/{tag}" for word, tag in pairs), flush=True)
    return 0


def tag_predictor(model: Path | None, quantize: str | None) -> Callable[[list[str]], list[dict[str, Any]]]:
    """A bulk predictor (also a worker's, with ``--workers``): texts -> ``tag_result`` of each."""
    from rnnkit.apps.tagger.tagger import Tagger, tag_result

    tagger = Tagger.load(model, quantize=quantize)
    return lambda texts: [tag_result(pairs) for pairs in tagger.tag_many(texts)]


# train tagger ----------------------------------------------------------------------------------------

def add_train_tagger(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--train", type=Path, required=True, metavar="FILE",
                        help="training sentences (CoNLL-U, UPOS column)")
    parser.add_argument("--valid", type=Path, metavar="FILE",
                        help="validation sentences (CoNLL-U); keeps the best epoch's weights")
    parser.add_argument("--out", type=Path, default=Path(DEFAULT_OUT), help=f"the model file (default {DEFAULT_OUT})")
    add_resume_flags(parser, DEFAULT_OUT)
    add_config_flags(parser, TaggerConfig, "model and training")
    parser.set_defaults(func=_cmd_train)


def _cmd_train(args: argparse.Namespace) -> int:
    config = config_from_args(args, TaggerConfig)
    checkpoint = args.checkpoint or args.out.with_suffix(".train.pt")
    check_outputs(args.out, checkpoint)
    from rnnkit.apps.tagger.tagger import Tagger

    tagger, status = run_training(lambda: Tagger.train(args.train, config, valid=args.valid, checkpoint_path=checkpoint,
                                                       resume_from=args.resume))
    if tagger is None or not is_main_process():  # stopped on a signal, or a torchrun worker other than rank 0
        return status
    tagger.save(args.out)
    m, cfg = tagger.metrics, tagger.config
    parts = [f"{cfg.cell.upper()} {cfg.num_layers}x{cfg.hidden_size} bidirectional", f"{len(tagger.tags)} tags",
             f"vocabulary {len(tagger.parts.vocab):,}", f"{m['epochs']} epoch(s), {m['steps']:,} steps",
             f"{m['elapsed_s']:.0f} s"]
    if m.get("val_accuracy") is not None:
        parts.append(f"best validation accuracy {100 * m['val_accuracy']:.2f}% (step {m['best_step']})")
    print(f"wrote {args.out}: {', '.join(parts)}; resumable checkpoint {checkpoint}")
    return 0


# eval tagger -----------------------------------------------------------------------------------------

def add_eval_tagger(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help='the test sentences (CoNLL-U); "-" reads stdin')
    parser.add_argument("--model", type=Path, help="a model from `rnnkit train tagger` (default: the bundled one)")
    parser.add_argument("--train", type=Path, metavar="FILE", help="training file of the most-frequent-tag "
                        "baseline (default: the model's recorded training file, when it is there)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    add_quantize_flag(parser, QUANTIZE_HELP)
    add_threads_flag(parser, 1)
    parser.set_defaults(func=_cmd_eval)


def _cmd_eval(args: argparse.Namespace) -> int:
    from rnnkit.apps.tagger.evaluate import evaluate_tagger, format_report
    from rnnkit.apps.tagger.tagger import Tagger
    from rnnkit.data.conllu import parse_conllu, read_conllu

    set_threads(args.num_threads)
    tagger = Tagger.load(args.model, quantize=args.quantize)
    test = parse_conllu(read_text_arg(STDIN), "<stdin>") if args.file == STDIN else read_conllu(args.file)
    train_file = _baseline_file(args.train, tagger.metrics)
    result = evaluate_tagger(tagger, test, read_conllu(train_file) if train_file else None)
    result = {"file": args.file, "model": str(args.model) if args.model else "default", "quantize": args.quantize,
              "baseline_train": str(train_file) if train_file else None} | result
    if args.json:
        print_json(result, indent=2)
    else:
        print(f"{args.file}: {format_report(result)}")
        if train_file is None:
            print("(no baseline: give --train FILE.conllu)")
    return 0


def _baseline_file(given: Path | None, metrics: dict[str, Any]) -> str | os.PathLike | None:
    """The baseline's training file: --train, else the model's recorded one if it exists here."""
    if given is not None:
        if not given.is_file():
            raise InputError(f"--train file not found: {given}")
        return given
    recorded = metrics.get("train_file")
    return recorded if isinstance(recorded, str) and recorded and Path(recorded).is_file() else None
