"""Command-line interface: ``rnnkit <command> ...``.

The CLI only translates between the shell and the library: it parses flags, calls the apps and
prints. Usage and input errors print one line to stderr and exit 2; runtime errors exit 1.

Every command is a row of :data:`COMMANDS`: its words, its one-line help and the function that adds
its flags (``"module:function"``). Only the module of the command being run is imported, so
``rnnkit --help`` and ``rnnkit train --help`` import neither torch nor the apps. One module per
product or tool: :mod:`.nextword`, :mod:`.sentiment`, :mod:`.serve`, :mod:`.data`, :mod:`.lab`,
:mod:`.demo`; :mod:`.common` holds what they share.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from rnnkit._version import __version__
from rnnkit.cli.common import usage
from rnnkit.errors import ConfigError, InputError, RnnkitError, error_line

__all__ = ["COMMANDS", "GROUPS", "main"]

# Commands that only group others (`rnnkit train nextword`); run bare, they print their help and exit 2.
GROUPS = {
    "train": ("train a model (train nextword, sentiment, tagger, translator, generator)", "what to train", "MODEL"),
    "eval": ("evaluate a model (eval nextword, sentiment, tagger, translator, generator)", "what to evaluate", "MODEL"),
    "data": ("prepare training text from public datasets (data tatoeba ...)", "dataset", "DATASET"),
    "lab": ("experiments: vanishing and exploding gradients, long-range memory", "experiments", "EXPERIMENT"),
    "explain": ("explain what a model does on a text (explain gates ...)", "what to explain", "WHAT"),
}

# (words, help, "module:function" that adds the command's flags and its handler), in --help order.
COMMANDS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("demo",), "walk through tokens, vocabulary, one-hot, padding and an LSTM's gates", "demo:add_demo"),
    (("suggest",), "suggest the next word, or completions of the word being typed", "nextword:add_suggest"),
    (("sentiment",), "rate a text Positive, Negative or Neutral", "sentiment:add_sentiment"),
    (("tag",), "tag each word of a sentence with its part of speech (UPOS)", "tagger:add_tag"),
    (("translate",), "translate English to French (beam search or greedy)", "translator:add_translate"),
    (("generate",), "generate text: Shakespeare-like characters, next-word-model words, or a review of a "
     "given sentiment", "generate:add_generate"),
    (("train", "nextword"), "train a next-word predictor on a corpus", "nextword:add_train_nextword"),
    (("train", "sentiment"), "train a learned sentiment model (Negative / Neutral / Positive)",
     "sentiment:add_train_sentiment"),
    (("train", "tagger"), "train a part-of-speech tagger on CoNLL-U files", "tagger:add_train_tagger"),
    (("train", "translator"), "train an English-to-French encoder-decoder on Tatoeba pairs",
     "translator:add_train_translator"),
    (("train", "generator"), "train a character-level generator, or one conditioned on a sentiment label",
     "generate:add_train_generator"),
    (("eval", "nextword"), "perplexity, top-k accuracy and keystroke savings, LSTM beside KN",
     "nextword:add_eval_nextword"),
    (("eval", "sentiment"), "score the lexicon rule and a learned model on labelled files, one domain each "
     "(--suite dev|test)", "sentiment:add_eval_sentiment"),
    (("eval", "tagger"), "UPOS accuracy, per-tag F1 and confusions beside a most-frequent-tag baseline",
     "tagger:add_eval_tagger"),
    (("eval", "translator"), "BLEU and chrF (sacreBLEU) on the Tatoeba test split", "translator:add_eval_translator"),
    (("eval", "generator"), "validation loss in nats per character; label agreement of conditioned text",
     "generate:add_eval_generator"),
    (("data", "tatoeba"), "English side of Tatoeba pairs, split by distinct sentence", "data:add_tatoeba"),
    (("serve",), "serve the JSON API (/v1) and the web page (/) over HTTP", "serve:add_serve"),
    (("export",), "export a next-word, sentiment or tagger model to ONNX or TorchScript (optionally int8)",
     "export:add_export"),
    (("lab", "gradients"), "gradient norm against distance for RNN, LSTM and GRU, at initialisation and "
     "after training", "lab:add_gradients"),
    (("lab", "memory"), "adding problem and first-token recall at growing lengths: which cell learns, "
     "within a budget", "lab:add_memory"),
    (("lab", "exploding"), "an RNN whose gradients explode, trained without clipping, clipped by norm and by "
     "value", "lab:add_exploding"),
    (("explain", "gates"), "an LSTM's forget/input/output or a GRU's reset/update gates per token: heatmap "
     "and summary",
     "lab:add_gates"),
)


def _build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    """Every command's parser, with flags only for the command ``argv`` names (the others stay empty)."""
    parser = argparse.ArgumentParser(prog="rnnkit", description="Recurrent neural networks on text.")
    parser.add_argument("--version", action="version", version=f"rnnkit {__version__}")
    top = parser.add_subparsers(dest="command", metavar="COMMAND")
    groups: dict[str, argparse._SubParsersAction] = {}
    words = [arg for arg in argv if not arg.startswith("-")][:2]
    for path, help_text, target in COMMANDS:
        if len(path) == 2 and path[0] not in groups:
            group_help, title, metavar = GROUPS[path[0]]
            group = top.add_parser(path[0], help=group_help, description=group_help)
            group.set_defaults(func=lambda args, group=group: usage(group))
            groups[path[0]] = group.add_subparsers(title=title, metavar=metavar)
        where = groups[path[0]] if len(path) == 2 else top
        command = where.add_parser(path[-1], help=help_text, description=help_text)
        if tuple(words[:len(path)]) == path:
            module, function = target.split(":")
            getattr(importlib.import_module(f"rnnkit.cli.{module}"), function)(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default: ``sys.argv[1:]``) and return the exit status.

    Before any command imports torch, OpenMP's idle threads are told to sleep instead of spin
    (``OMP_WAIT_POLICY=PASSIVE``, unless the environment says otherwise): with two threads on two
    cores and another busy process, spinning threads slowed training several times over (PTB
    ``small``, load average 4.6 on 2 cores: 2 spinning threads about 500 tokens/s, 111 of 150 steps in
    150 s; 2 passive threads 1,553; 1 thread 2,072).
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _build_parser(argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help/--version
        return int(exc.code or 0)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except RnnkitError as err:
        print(f"rnnkit: {error_line(err)}", file=sys.stderr)
        return 2 if isinstance(err, ConfigError | InputError) else 1
    except KeyboardInterrupt:
        print("rnnkit: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # stdout went to a program that stopped reading (``| head``): not an error
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115  (the interpreter's final flush must not fail)
        return 141
    except MemoryError:
        print("rnnkit: error: out of memory; try a smaller input, batch or model", file=sys.stderr)
        return 1
    except Exception as err:  # a bug, not bad input: one line, and the traceback on request
        if os.environ.get("RNNKIT_TRACEBACK"):
            raise
        print(f"rnnkit: {error_line(err)}", file=sys.stderr)
        return 70  # EX_SOFTWARE
