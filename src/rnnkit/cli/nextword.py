"""The next-word commands of the CLI: ``suggest``, ``train nextword`` and ``eval nextword``.

Training flags are built from :class:`~rnnkit.apps.nextword.config.NextWordConfig`'s fields (their help
metadata), so every default lives on the config or in its presets. Heavy imports (torch, the
models) happen inside the handlers, so ``rnnkit --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from rnnkit.apps.nextword.config import (
    CORPUS_FORMATS,
    DEFAULT_NGRAM_ORDER,
    NEXTWORD_PRESETS,
    SUGGESTIONS_SHOWN,
    NextWordConfig,
)
from rnnkit.cli.bulk import (
    SUGGESTION_COLUMNS,
    add_bulk_flags,
    check_workers,
    flatten_suggestions,
    run_bulk_command,
)
from rnnkit.cli.common import (
    add_config_flags,
    add_quantize_flag,
    add_resume_flags,
    add_threads_flag,
    check_outputs,
    config_from_args,
    is_main_process,
    print_json,
    run_training,
    set_threads,
)
from rnnkit.errors import InputError

__all__ = ["add_eval_nextword", "add_suggest", "add_train_nextword"]

DEFAULT_OUT = "nextword.pt"  # where `rnnkit train nextword` writes the model
_ALIASES = {"corpus_format": ("--format",)}  # shorter spellings the commands use


def _preset_default(name: str) -> str:
    return ", ".join(f"{preset} {values[name]:g}" for preset, values in NEXTWORD_PRESETS.items())


# suggest ---------------------------------------------------------------------------------------------

def add_suggest(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("text", nargs="?", help='the text so far; end it with a space for the next word ("I go to ")'
                        ', or inside a word for completions ("I go to sch")')
    parser.add_argument("-k", type=int, default=3, help="how many suggestions (default 3)")
    parser.add_argument("--model", type=Path, help="a model from `rnnkit train nextword` (default: the bundled one)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of lines")
    parser.add_argument("--interactive", "-i", action="store_true",
                        help="read what you type line by line from stdin and show suggestions after each")
    add_quantize_flag(parser, "int8: run the LSTM and the output layer with int8 weights (faster keystrokes, the "
                      "same top-3 accuracy on Tatoeba; see docs/deploy.md)")
    add_threads_flag(parser, 1)  # batch-1 steps gain little from threads and suffer most from busy cores
    add_bulk_flags(parser)
    parser.set_defaults(func=_cmd_suggest)


def _cmd_suggest(args: argparse.Namespace) -> int:
    if [args.interactive, args.text is not None, args.input is not None].count(True) != 1:
        raise InputError("give the TEXT to complete, --interactive or --input FILE (one text per line or row): "
                         "exactly one of them")
    check_workers(args)
    from rnnkit.apps.nextword.predictor import NextWordPredictor
    from rnnkit.apps.nextword.session import check_k

    check_k(args.k)
    set_threads(args.num_threads)
    if args.input is not None:
        return run_bulk_command(args, partial(suggest_predictor, args.model, args.quantize, args.k),
                                flatten_suggestions, SUGGESTION_COLUMNS, "completed")
    predictor = NextWordPredictor.load(args.model, quantize=args.quantize)
    if args.interactive:
        return _interactive(predictor, args.k, args.json)
    result = predictor.session(args.text).result(args.k)
    if args.json:
        print_json({"text": args.text} | result)
    else:
        for suggestion in result["suggestions"]:
            print(f"{suggestion['word']}\t{suggestion['probability']:.4f}")
    return 0


def suggest_predictor(model: Path | None, quantize: str | None, k: int) -> Callable[[list[str]], list[dict[str, Any]]]:
    """A bulk predictor (also a worker's, with ``--workers``): each text's ``result(k)``, in one batch."""
    from rnnkit.apps.nextword.predictor import NextWordPredictor

    predictor = NextWordPredictor.load(model, quantize=quantize)
    return lambda texts: predictor.results_many([(text, k) for text in texts])


INTERACTIVE_HELP = """\
Type and press Enter after each piece: the text goes on where the last line stopped.
End a line with a space for next words ("I go to "), stop inside a word for completions ("sch").
Enter a number to accept that suggestion, an empty line to start a new line, Ctrl-D to quit."""


def _interactive(predictor: Any, k: int, as_json: bool) -> int:
    """A line-based typing loop over stdin; suggestions after every line."""
    print(INTERACTIVE_HELP, file=sys.stderr)
    session, text = predictor.session(), ""
    result = session.result(k)
    _show(text, result, as_json)
    for raw in sys.stdin:
        line = raw.rstrip("\r\n")
        suggestions = result["suggestions"]
        if line.strip().isdigit() and 1 <= int(line) <= len(suggestions):
            word = suggestions[int(line) - 1]["word"]
            text = text[: len(text) - len(result["prefix"])] + word + " "
            session.accept(word)
        else:
            piece = line if line else "\n"
            session.feed(piece)
            text += piece
        result = session.result(k)
        _show(text, result, as_json)
    return 0


def _show(text: str, result: dict[str, Any], as_json: bool) -> None:
    """One line: ``{"text": text} | result`` as JSON, or the end of the text and the numbered suggestions."""
    if as_json:
        print_json({"text": text} | result)
        return
    tail = text.split("\n")[-1][-50:]
    choices = "   ".join(f"{i}) {s['word']} {s['probability']:.2f}"
                         for i, s in enumerate(result["suggestions"], start=1))
    print(f"{tail}|   {choices or '(no suggestion)'}", flush=True)


# train nextword --------------------------------------------------------------------------------------

def add_train_nextword(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", type=Path, required=True, help="training text: one sentence per line, or PTB")
    parser.add_argument("--valid", type=Path, help="validation text (same format); keeps the best weights")
    parser.add_argument("--out", type=Path, default=Path(DEFAULT_OUT), help=f"the model file (default {DEFAULT_OUT})")
    add_resume_flags(parser, DEFAULT_OUT)
    add_config_flags(parser, NextWordConfig, "model and training (defaults from --preset)", aliases=_ALIASES,
                     default_text=_preset_default)
    parser.set_defaults(func=_cmd_train)


def _cmd_train(args: argparse.Namespace) -> int:
    config = config_from_args(args, NextWordConfig)
    checkpoint = args.checkpoint or args.out.with_suffix(".train.pt")
    check_outputs(args.out, checkpoint)
    from rnnkit.apps.nextword.predictor import NextWordPredictor

    predictor, status = run_training(lambda: NextWordPredictor.train(
        args.corpus, config, valid=args.valid, checkpoint_path=checkpoint, resume_from=args.resume))
    if predictor is None or not is_main_process():  # stopped on a signal, or a torchrun worker other than rank 0
        return status
    predictor.save(args.out)
    m, cfg = predictor.metrics, predictor.model.config
    val = m.get("val_perplexity")
    parts = [f"{cfg.cell.upper()} {cfg.num_layers}x{cfg.hidden_size}", f"vocabulary {len(predictor.vocab):,}",
             f"{m['epochs']} epoch(s), {m['steps']:,} steps", f"{m['tokens_per_sec']:,.0f} tokens/s"]
    if val is not None:
        parts.append(f"best validation perplexity {val:.1f} (step {m['best_step']})")
    print(f"wrote {args.out}: {', '.join(parts)}; resumable checkpoint {checkpoint}")
    return 0


# eval nextword ---------------------------------------------------------------------------------------

def add_eval_nextword(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="the test text (one sentence per line, or PTB)")
    parser.add_argument("--model", type=Path, help="a model from `rnnkit train nextword` (default: the bundled one)")
    parser.add_argument("--ngram-order", type=int, default=DEFAULT_NGRAM_ORDER,
                        help=f"order of the Kneser-Ney peer, 2-6 (default {DEFAULT_NGRAM_ORDER})")
    parser.add_argument("--train-corpus", type=Path,
                        help="text the n-gram peer trains on (default: the model's recorded training file)")
    parser.add_argument("--format", choices=CORPUS_FORMATS, help="format of FILE and --train-corpus "
                        "(default: the model's)")
    parser.add_argument("--max-tokens", type=int, default=0, help="score only the first N tokens (default 0: all)")
    parser.add_argument("--suggestions", type=int, default=SUGGESTIONS_SHOWN,
                        help=f"suggestions shown per keystroke (default {SUGGESTIONS_SHOWN})")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    add_threads_flag(parser, 0)
    parser.set_defaults(func=_cmd_eval)


def _cmd_eval(args: argparse.Namespace) -> int:
    from rnnkit.apps.nextword.evaluate import evaluate_nextword, format_table, peer_text_available
    from rnnkit.apps.nextword.predictor import NextWordPredictor

    set_threads(args.num_threads)
    predictor = NextWordPredictor.load(args.model)
    peer = args.train_corpus is not None or peer_text_available(predictor)
    if not peer:  # e.g. the bundled model: its training text was a file of the machine it was trained on
        recorded = f" ({predictor.train_corpus} is not here)" if predictor.train_corpus else ""
        print(f"rnnkit: note: scoring the LSTM alone: the Kneser-Ney peer needs the model's training text{recorded};"
              " give --train-corpus FILE to compare", file=sys.stderr)
    result = evaluate_nextword(args.file, predictor, train_corpus=args.train_corpus, ngram_order=args.ngram_order,
                               corpus_format=args.format, max_tokens=args.max_tokens, shown=args.suggestions,
                               peer=peer)
    result = {"file": str(args.file), "model": str(args.model) if args.model else "default"} | result
    if args.json:
        print_json(result, indent=2)
    else:
        print(f"{args.file}: {format_table(result)}")
    return 0
