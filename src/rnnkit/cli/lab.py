"""The lab commands of the CLI: ``lab gradients``, ``lab memory``, ``lab exploding`` and ``explain gates``.

Each ``lab`` flag is built from a field of the experiment's config (its ``help`` metadata), so every
default lives on the config; ``--quick`` starts from the config's ``quick()`` version instead. The
commands parse, call :mod:`rnnkit.lab`, print its summary and write its files (matplotlib is imported
only when a figure is drawn). ``explain gates`` loads the next-word model here and hands the loaded
LSTM or GRU to the lab, which never reads an app's files.
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

from rnnkit.cli.common import add_config_flags, add_threads_flag, given_fields, set_threads

__all__ = ["add_exploding", "add_gates", "add_gradients", "add_memory"]

DEFAULT_OUT = "lab_results"  # where `rnnkit lab ...` writes its PNG, CSV and Markdown files
# command -> (module of rnnkit.lab, config class, run function)
EXPERIMENTS = {
    "gradients": ("gradients", "GradientFlowConfig", "run_gradient_flow"),
    "memory": ("memory", "MemoryConfig", "run_memory"),
    "exploding": ("exploding", "ExplodingConfig", "run_exploding"),
}


def _experiment(name: str) -> tuple[type, object]:
    module_name, config_name, run_name = EXPERIMENTS[name]
    module = importlib.import_module(f"rnnkit.lab.{module_name}")
    return getattr(module, config_name), getattr(module, run_name)


def _add_experiment(parser: argparse.ArgumentParser, name: str) -> None:
    """``rnnkit lab NAME [--quick] [--out DIR] [config flags]``."""
    parser.add_argument("--quick", action="store_true", help="a seconds-long version (smaller, fewer steps)")
    parser.add_argument("--out", type=Path, default=Path(DEFAULT_OUT),
                        help=f"folder for the PNG, CSV and Markdown files (default {DEFAULT_OUT})")
    add_config_flags(parser, _experiment(name)[0],
                     "settings (defaults from the config, or its quick version with --quick)")
    parser.set_defaults(func=_cmd_lab, experiment=name)


def add_gradients(parser: argparse.ArgumentParser) -> None:
    _add_experiment(parser, "gradients")


def add_memory(parser: argparse.ArgumentParser) -> None:
    _add_experiment(parser, "memory")


def add_exploding(parser: argparse.ArgumentParser) -> None:
    _add_experiment(parser, "exploding")


def _cmd_lab(args: argparse.Namespace) -> int:
    cls, run = _experiment(args.experiment)
    given = given_fields(args, cls)
    config = cls.quick(**given) if args.quick else cls(**given)
    result = run(config)
    print(result.summary())
    paths = result.write(args.out)
    print("wrote " + ", ".join(str(p) for p in paths))
    return 0


def add_gates(parser: argparse.ArgumentParser) -> None:
    """``rnnkit explain gates TEXT [--model PATH] [--layer N] [--out DIR]``."""
    parser.add_argument("text", help='the text to read, e.g. "I go to school"')
    parser.add_argument("--model", type=Path, help="a next-word LSTM or GRU from `rnnkit train nextword` (GRU: "
                        "reset and update gates; default: the bundled LSTM)")
    parser.add_argument("--layer", type=int, help="which layer, 1-based (default: the last)")
    parser.add_argument("--out", type=Path, default=Path(DEFAULT_OUT),
                        help=f"folder for gates.png and gates.csv (default {DEFAULT_OUT})")
    parser.epilog = ("An LSTM shows its forget, input and output gates; a GRU its reset and update gates. "
                     "A plain RNN has none and is refused.")
    add_threads_flag(parser, 1)
    parser.set_defaults(func=_cmd_gates)


def _cmd_gates(args: argparse.Namespace) -> int:
    from rnnkit.apps.nextword.predictor import NextWordPredictor
    from rnnkit.lab.gates import explain_gates

    set_threads(args.num_threads)
    predictor = NextWordPredictor.load(args.model)
    name = "the bundled next-word model" if args.model is None else args.model.name
    report = explain_gates(predictor.text_settings.tokens(" ".join(args.text.split())), predictor.model,
                           predictor.vocab, args.layer, model_name=name)
    print(report.summary())
    paths = report.write(args.out)
    print("wrote " + ", ".join(str(p) for p in paths))
    return 0
