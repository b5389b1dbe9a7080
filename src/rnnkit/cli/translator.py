"""The translator commands of the CLI: ``translate``, ``train translator`` and ``eval translator``.

Training flags are built from :class:`~rnnkit.apps.translator.config.TranslatorConfig`'s fields, so
every default lives on the config. Heavy imports (torch, the models) happen inside the handlers.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from rnnkit.apps.translator.config import DEFAULT_BEAM, TranslatorConfig
from rnnkit.cli.bulk import (
    TRANSLATION_COLUMNS,
    add_bulk_flags,
    check_bulk_args,
    flatten_translation,
    run_bulk_command,
)
from rnnkit.cli.common import (
    add_config_flags,
    add_quantize_flag,
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

__all__ = ["add_eval_translator", "add_train_translator", "add_translate"]

DEFAULT_OUT = "translator.pt"  # where `rnnkit train translator` writes the model
_MODEL_HELP = "a model from `rnnkit train translator` (default: the bundled one)"


def _add_decoding_flags(parser: argparse.ArgumentParser) -> None:
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--beam", type=int, default=DEFAULT_BEAM, help=f"beam width (default {DEFAULT_BEAM})")
    how.add_argument("--greedy", action="store_true", help="greedy decoding (the same as --beam 1)")
    add_quantize_flag(parser, "int8: run the GRUs, attention and output layers with int8 weights (faster; BLEU "
                      "beside float32 in docs/translator.md)")


# translate -------------------------------------------------------------------------------------------

def add_translate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("text", nargs="?",
                        help="the English sentence, or - to read stdin (one sentence per line), or give --input")
    parser.add_argument("--model", type=Path, help=_MODEL_HELP)
    _add_decoding_flags(parser)
    parser.add_argument("--json", action="store_true", help="print JSON instead of the French text")
    add_threads_flag(parser, 1)
    add_bulk_flags(parser)
    parser.set_defaults(func=_cmd_translate)


def _cmd_translate(args: argparse.Namespace) -> int:
    from rnnkit.apps.translator.translator import Translator

    set_threads(args.num_threads)
    check_bulk_args(args, "translate")
    beam = 1 if args.greedy else args.beam
    if args.input is not None:
        return run_bulk_command(args, partial(translate_predictor, args.model, args.quantize, beam),
                                flatten_translation, TRANSLATION_COLUMNS, "translated")
    text = read_text_arg(args.text)
    texts = [line for line in text.splitlines() if line.strip()] if args.text == "-" else [text]
    if not texts:
        raise InputError("stdin is empty; give English sentences, one per line")
    translator = Translator.load(args.model, quantize=args.quantize)
    results = translator.translate_many(texts, beam=beam)
    for result in results:
        if args.json:
            print_json(result)
        else:
            print(result["translation"])
    return 0


def translate_predictor(model: Path | None, quantize: str | None, beam: int) -> Callable[[list[str]], list[Any]]:
    """A bulk predictor (also a worker's, with ``--workers``): texts -> ``translate_many`` results."""
    from rnnkit.apps.translator.translator import Translator

    translator = Translator.load(model, quantize=quantize)
    return lambda texts: translator.translate_many(texts, beam=beam)


# train translator ------------------------------------------------------------------------------------

def add_train_translator(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, required=True,
                        help="English<TAB>French pairs (Tatoeba fra.txt); trains on its train part, validates on "
                             "its valid part (split by distinct English sentence)")
    parser.add_argument("--valid", type=Path, help="validation pairs instead of the valid part of --data")
    parser.add_argument("--no-split", dest="split", action="store_false",
                        help="train on every pair of --data (no held-out parts; for your own data)")
    parser.add_argument("--out", type=Path, default=Path(DEFAULT_OUT), help=f"the model file (default {DEFAULT_OUT})")
    parser.add_argument("--checkpoint", type=Path,
                        help="the Trainer's resumable checkpoint (default: OUT with .train.pt)")
    parser.add_argument("--resume", type=Path, help="go on from this resumable checkpoint of the same command")
    parser.add_argument("--float16", action="store_true", help="store the weights in float16 (half the file)")
    parser.add_argument("--json", action="store_true", help="print the training metrics as JSON")
    add_config_flags(parser, TranslatorConfig, "model and training")
    parser.set_defaults(func=_cmd_train)


def _cmd_train(args: argparse.Namespace) -> int:
    config = config_from_args(args, TranslatorConfig)
    checkpoint = args.checkpoint or args.out.with_suffix(".train.pt")
    check_outputs(args.out, checkpoint)  # before torch loads: a read-only folder fails at once
    from rnnkit.apps.translator.translator import Translator

    translator, status = run_training(lambda: Translator.train(args.data, config, valid=args.valid, split=args.split,
                                                               checkpoint_path=checkpoint, resume_from=args.resume))
    if translator is None or not is_main_process():  # stopped on a signal, or a torchrun worker other than rank 0
        return status
    translator.save(args.out, weights_dtype="float16" if args.float16 else "float32")
    m = translator.metrics
    if args.json:
        print_json({"model": str(args.out), "checkpoint": str(checkpoint), **m}, indent=2)
        return 0
    val = m.get("val_perplexity")
    parts = [repr(translator), f"{m['train_pairs']:,} pairs", f"{m['epochs']} epoch(s), {m['steps']:,} steps",
             f"{m['train_minutes']} min", f"{m['tokens_per_sec']:,.0f} target tokens/s"]
    if val is not None:
        parts.append(f"best validation perplexity {val:.2f} (step {m['best_step']})")
    print(f"wrote {args.out}: {', '.join(parts)}; resumable checkpoint {checkpoint}")
    return 0


# eval translator -------------------------------------------------------------------------------------

def add_eval_translator(parser: argparse.ArgumentParser) -> None:
    from rnnkit.apps.translator.evaluate import DEFAULT_DATA

    parser.add_argument("--data", type=Path, default=Path(DEFAULT_DATA),
                        help=f"English<TAB>French pairs; scores its test part (default {DEFAULT_DATA})")
    parser.add_argument("--model", type=Path, help=_MODEL_HELP)
    _add_decoding_flags(parser)
    parser.add_argument("--part", choices=("test", "valid"), default="test", help="which part to score (default test)")
    parser.add_argument("--max-sentences", type=int, default=0,
                        help="score only the first N distinct English sentences (default 0: all)")
    parser.add_argument("--examples", type=Path, help="also write every (English, translation, references) as JSON "
                                                      "lines to this file")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    add_threads_flag(parser, 1)
    parser.set_defaults(func=_cmd_eval)


def _cmd_eval(args: argparse.Namespace) -> int:
    from rnnkit.apps.translator.evaluate import evaluate_translator, format_result
    from rnnkit.apps.translator.translator import Translator

    set_threads(args.num_threads)
    translator = Translator.load(args.model, quantize=args.quantize)
    result = evaluate_translator(translator, args.data, beam=1 if args.greedy else args.beam, part=args.part,
                                 max_sentences=args.max_sentences)
    examples = result.pop("examples")
    if args.examples:
        _write_examples(args.examples, examples)
    result = {"data": str(args.data), "part": args.part, "model": str(args.model) if args.model else "default",
              "quantize": args.quantize} | result
    if args.json:
        print_json(result, indent=2)
    else:
        print(format_result(result))
    return 0


def _write_examples(path: Path, examples: list[dict]) -> None:
    import json

    try:
        path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in examples), encoding="utf-8")
    except OSError as err:
        raise InputError(f"cannot write {path}: {err.strerror}") from err
