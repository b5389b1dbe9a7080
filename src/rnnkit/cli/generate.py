"""The generator commands of the CLI: ``generate``, ``train generator`` and ``eval generator``.

``generate`` writes with the bundled character model (Tiny Shakespeare), with the label-conditioned
review model (``--label Positive``), or word by word with the next-word model (``--words``). Training
flags are built from :class:`~rnnkit.apps.generator.config.GeneratorConfig`'s fields. Heavy imports
happen inside the handlers, so ``rnnkit --help`` stays fast.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rnnkit.apps.generator.config import GeneratorConfig
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

__all__ = ["add_eval_generator", "add_generate", "add_train_generator"]

DEFAULT_OUT = "generator.pt"  # where `rnnkit train generator` writes the model
DEFAULT_CHARS = 200  # --length when not given: characters
DEFAULT_WORDS = 20  # --length when not given with --words: words
AGREEMENT_N = 200  # texts per label that `eval generator --labels` writes and rates (the figure)


QUANTIZE_HELP = ("int8: run the LSTM and the output layer with int8 "
                 "weights (faster; nats/char beside float32 in docs/generator.md)")


# generate --------------------------------------------------------------------------------------------

def add_generate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("prompt", nargs="?", default="", help="the start of the text ('-' reads stdin; default: "
                        "none, a new paragraph or a new review)")
    parser.add_argument("--length", type=int, help=f"most characters to write (default {DEFAULT_CHARS}), or words "
                        f"with --words (default {DEFAULT_WORDS})")
    parser.add_argument("--temperature", type=float, default=1.0, help="below 1 safer, above 1 wilder (default 1)")
    parser.add_argument("--top-k", type=int, default=0, help="sample among the k most likely only (default 0: all)")
    parser.add_argument("--top-p", type=float, default=1.0,
                        help="sample among the most likely whose probabilities add up to p (default 1: all)")
    parser.add_argument("--seed", type=int, help="same seed and prompt, same text (default: a random draw)")
    parser.add_argument("--label", help="write a product-review phrase of this sentiment (Positive, Negative, "
                        "Neutral) with the bundled review model, or with --model's conditioned model")
    parser.add_argument("--guidance", type=float,
                        help="with --label: push each character away from the other labels' choices, 0-10 "
                        "(classifier-free guidance; default 3 with a label, 0 = off)")
    parser.add_argument("--words", action="store_true",
                        help="write words with the next-word model (bundled, or --model from `rnnkit train nextword`)")
    parser.add_argument("--model", type=Path, help="a model from `rnnkit train generator` (default: the bundled "
                        "Shakespeare model, or the review model with --label)")
    parser.add_argument("--json", action="store_true",
                        help='print {"prompt", "label", "text", "finished"} as JSON; text is the continuation alone')
    add_quantize_flag(parser, QUANTIZE_HELP)
    add_threads_flag(parser, 1)
    parser.set_defaults(func=_cmd_generate)


def _cmd_generate(args: argparse.Namespace) -> int:
    prompt = read_text_arg(args.prompt)
    set_threads(args.num_threads)
    if args.words:
        result = _generate_words(args, prompt)
    else:
        from rnnkit.apps.generator.generator import CharGenerator

        generator = CharGenerator.load(args.model, conditioned=args.label is not None, quantize=args.quantize)
        length = DEFAULT_CHARS if args.length is None else args.length
        result = generator.generate(prompt, length, args.temperature, args.top_k, args.top_p, args.seed, args.label,
                                    args.guidance)
    if args.json:
        print_json(result)
    else:
        print(prompt + result["text"])
    return 0


def _generate_words(args: argparse.Namespace, prompt: str) -> dict[str, Any]:
    """The next-word model's continuation, in the generator's result shape."""
    if args.label is not None:
        raise InputError("--label needs the review model; leave out --words")
    from rnnkit.apps.nextword.predictor import NextWordPredictor

    predictor = NextWordPredictor.load(args.model, quantize=args.quantize)
    length = DEFAULT_WORDS if args.length is None else args.length
    words = predictor.generate(prompt, length, args.temperature, args.top_k, args.top_p, args.seed)
    gap = " " if prompt and not prompt[-1].isspace() else ""
    return {"prompt": prompt, "label": None, "text": gap + words, "finished": False}


# train generator -------------------------------------------------------------------------------------

def add_train_generator(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", type=Path, help="a plain UTF-8 text (e.g. Tiny Shakespeare's input.txt); its "
                        "last --valid-fraction is the validation text")
    source.add_argument("--labelled", action="append", metavar="FORMAT:PATH",
                        help="labelled review text for a model conditioned on the label, e.g. "
                        "pros_cons:../shared/data/pros_cons (repeatable)")
    parser.add_argument("--out", type=Path, default=Path(DEFAULT_OUT), help=f"the model file (default {DEFAULT_OUT})")
    parser.add_argument("--checkpoint", type=Path,
                        help="the Trainer's resumable checkpoint (default: OUT with .train.pt)")
    parser.add_argument("--resume", type=Path, help="go on from this resumable checkpoint of the same command")
    parser.add_argument("--json", action="store_true", help="print the training metrics as JSON")
    add_config_flags(parser, GeneratorConfig, "model and training")
    parser.set_defaults(func=_cmd_train)


def _cmd_train(args: argparse.Namespace) -> int:
    config = config_from_args(args, GeneratorConfig)
    checkpoint = args.checkpoint or args.out.with_suffix(".train.pt")
    check_outputs(args.out, checkpoint)
    from rnnkit.apps.generator.generator import CharGenerator
    from rnnkit.data import read_text

    if args.data is not None:
        data: Any = read_text(args.data)
        train_data = str(args.data)
    else:
        from rnnkit.apps.generator.sources import read_labelled

        data = read_labelled(args.labelled)
        train_data = " ".join(args.labelled)
    generator, status = run_training(lambda: CharGenerator.train(data, config, train_data=train_data,
                                                                 checkpoint_path=checkpoint, resume_from=args.resume))
    if generator is None or not is_main_process():  # stopped on a signal, or a torchrun worker other than rank 0
        return status
    generator.save(args.out)
    m, cfg = generator.metrics, generator.model.config
    if args.json:
        print_json({"out": str(args.out), "labels": list(generator.labels)} | m, indent=2)
        return 0
    parts = [f"{cfg.cell.upper()} {cfg.num_layers}x{cfg.hidden_size}", f"{len(generator.vocab)} symbols",
             f"{m['epochs']} epoch(s), {m['steps']:,} steps", f"{m['chars_per_sec']:,.0f} chars/s",
             f"{m['elapsed_s'] / 60:.1f} min"]
    if m.get("val_nats_per_char") is not None:
        parts.append(f"best validation loss {m['val_nats_per_char']:.4f} nats/char (step {m['best_step']})")
    print(f"wrote {args.out}: {', '.join(parts)}; resumable checkpoint {checkpoint}")
    return 0




# eval generator --------------------------------------------------------------------------------------

def add_eval_generator(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, nargs="?",
                        help="a text to score in nats per character (e.g. Tiny Shakespeare's input.txt)")
    parser.add_argument("--model", type=Path, help="a model from `rnnkit train generator` (default: the bundled "
                        "Shakespeare model, or the review model with --labels)")
    parser.add_argument("--valid-fraction", type=float, default=0.1,
                        help="score the file's last share only, training's validation split (default 0.1; 1 = all)")
    parser.add_argument("--max-chars", type=int, default=0,
                        help="score only the first N characters of it (default 0: all)")
    parser.add_argument("--labels", nargs="?", const="", metavar="L1,L2",
                        help="instead: write texts of each label (default: all the model's) and rate them with the "
                        "bundled sentiment model: agreement and distinct-2")
    parser.add_argument("-n", type=int, default=AGREEMENT_N, help=f"texts per label (default {AGREEMENT_N})")
    parser.add_argument("--reference", action="append", metavar="FORMAT:PATH",
                        help="training data for the training texts' distinct-2 (default: the model's recorded data)")
    parser.add_argument("--length", type=int, default=DEFAULT_CHARS, help=f"most characters per text (default "
                        f"{DEFAULT_CHARS})")
    parser.add_argument("--temperature", type=float, default=1.0, help="sampling temperature (default 1)")
    parser.add_argument("--top-k", type=int, default=0, help="top-k filter (default 0: off)")
    parser.add_argument("--top-p", type=float, default=1.0, help="nucleus filter (default 1: off)")
    parser.add_argument("--guidance", type=float, help="classifier-free guidance, 0-10 (default 3, 0 = off)")
    parser.add_argument("--seed", type=int, default=0, help="sampling seed of the first label (default 0)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    add_quantize_flag(parser, QUANTIZE_HELP)
    add_threads_flag(parser, 0)
    parser.set_defaults(func=_cmd_eval)


def _cmd_eval(args: argparse.Namespace) -> int:
    from rnnkit.apps.generator.generator import CharGenerator

    set_threads(args.num_threads)
    if args.labels is not None:
        return _eval_labels(args, CharGenerator.load(args.model, conditioned=True, quantize=args.quantize))
    if args.file is None:
        raise InputError("give the FILE to score, or --labels for a conditioned model")
    from rnnkit.apps.generator.evaluate import evaluate_text
    from rnnkit.data import read_text

    generator = CharGenerator.load(args.model, quantize=args.quantize)
    result = evaluate_text(generator, read_text(args.file), valid_fraction=args.valid_fraction,
                           max_chars=args.max_chars)
    result = {"file": str(args.file), "model": str(args.model) if args.model else "default",
              "valid_fraction": args.valid_fraction, "quantize": args.quantize} | result
    if args.json:
        print_json(result, indent=2)
    else:
        print(f"{args.file} (last {args.valid_fraction:g}): {result['chars']:,} characters, "
              f"{result['nats_per_char']:.4f} nats/char ({result['bits_per_char']:.4f} bits/char, "
              f"perplexity {result['perplexity']:.3f})")
    return 0


def _eval_labels(args: argparse.Namespace, generator: Any) -> int:
    """Label agreement with the bundled sentiment model, and distinct-2 beside the training texts'."""
    from rnnkit.apps.generator.evaluate import label_agreement
    from rnnkit.apps.generator.sampling import DEFAULT_GUIDANCE
    from rnnkit.apps.generator.sources import read_labelled
    from rnnkit.apps.sentiment.analyzer import SentimentAnalyzer

    labels = [label.strip() for label in args.labels.split(",") if label.strip()] or None
    reference = read_labelled(args.reference) if args.reference else _recorded_reference(generator)
    rows = label_agreement(generator, SentimentAnalyzer.load().rate_many, labels=labels, n=args.n,
                           reference=reference, seed=args.seed, length=args.length, temperature=args.temperature,
                           top_k=args.top_k, top_p=args.top_p, guidance=args.guidance)
    if args.json:
        print_json({"model": str(args.model) if args.model else "default", "quantize": args.quantize, "n": args.n,
                    "length": args.length, "temperature": args.temperature, "top_k": args.top_k, "top_p": args.top_p,
                    "guidance": DEFAULT_GUIDANCE if args.guidance is None else args.guidance, "seed": args.seed,
                    "labels": rows}, indent=2)
        return 0
    print(f"{'label':<10}{'agreement':>10}{'distinct-2':>12}   training: {'agreement':>9}{'distinct-2':>12}   rated as")
    for row in rows:
        agree, distinct = "-", "-"
        if row["train_agreement"] is not None:
            agree, distinct = f"{row['train_agreement']:.1%}", f"{row['train_distinct_2']:.3f}"
        rated = ", ".join(f"{k} {v}" for k, v in row["rated"].items())
        print(f"{row['label']:<10}{row['agreement']:>10.1%}{row['distinct_2']:>12.3f}   {'':>9} {agree:>9}"
              f"{distinct:>12}   {rated}")
    return 0


def _recorded_reference(generator: Any) -> tuple[list[str], list[str]] | None:
    """The training data the model recorded (``FORMAT:PATH`` specs, relative to where it was trained), if readable."""
    from rnnkit.apps.generator.sources import read_labelled

    try:
        return read_labelled(generator.parts.train_data.split())
    except InputError:
        return None  # trained elsewhere, or on data not at hand: no training distinct-2 to show
