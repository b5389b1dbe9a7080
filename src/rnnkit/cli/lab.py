"""The lab commands of the CLI: ``lab gradients``, ``lab memory``, ``lab exploding`` and ``explain gates``.

Each ``lab`` flag is built from a field of the experiment's config (its ``help`` metadata), so every
default lives on the config; ``--quick`` starts from the config's ``quick()`` version instead. The
commands parse, call :mod:`rnnkit.lab`, print its summary and write its files (matplotlib is imported
only when a figure is drawn).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

from rnnkit.lab.common import DEFAULT_OUT, check_int, threads
from rnnkit.lab.exploding import ExplodingConfig, run_exploding
from rnnkit.lab.gates import explain_gates
from rnnkit.lab.gradients import GradientFlowConfig, run_gradient_flow
from rnnkit.lab.memory import MemoryConfig, run_memory

__all__ = ["add_explain", "add_lab"]

# command -> (config class, run function, what it shows)
EXPERIMENTS = {
    "gradients": (GradientFlowConfig, run_gradient_flow,
                  "gradient norm against distance for RNN, LSTM and GRU, at initialisation and after training"),
    "memory": (MemoryConfig, run_memory,
               "adding problem and first-token recall at growing lengths: which cell learns, within a budget"),
    "exploding": (ExplodingConfig, run_exploding,
                  "an RNN whose gradients explode, trained without clipping, clipped by norm and by value"),
}
_SCALARS = {"int": int, "float": float, "str": str}


def add_lab(sub: argparse._SubParsersAction) -> None:
    """``rnnkit lab EXPERIMENT [--quick] [--out DIR] [config flags]``."""
    lab = sub.add_parser("lab", help="experiments: vanishing and exploding gradients, long-range memory")
    lab.set_defaults(func=lambda args: _usage(lab))
    experiments = lab.add_subparsers(title="experiments", metavar="EXPERIMENT")
    for name, (config_class, _, help_text) in EXPERIMENTS.items():
        parser = experiments.add_parser(name, help=help_text, description=help_text)
        parser.add_argument("--quick", action="store_true", help="a seconds-long version (smaller, fewer steps)")
        parser.add_argument("--out", type=Path, default=Path(DEFAULT_OUT),
                            help=f"folder for the PNG, CSV and Markdown files (default {DEFAULT_OUT})")
        _config_flags(parser, config_class)
        parser.set_defaults(func=_cmd_lab, experiment=name)


def _config_flags(parser: argparse.ArgumentParser, cls: type) -> None:
    """One flag per config field (``--hidden-size``), unset unless given, so the config's defaults rule."""
    group = parser.add_argument_group("settings (defaults from the config, or its quick version with --quick)")
    for f in dataclasses.fields(cls):
        flag = "--" + f.name.replace("_", "-")
        default = ",".join(map(str, f.default)) if isinstance(f.default, tuple) else f.default
        help_text = f"{f.metadata.get('help', '')} (default: {default})"
        type_name = str(f.type)
        if type_name == "bool":
            group.add_argument(flag, dest=f.name, action=argparse.BooleanOptionalAction, default=argparse.SUPPRESS,
                               help=help_text)
        elif type_name.startswith("tuple["):
            item = _SCALARS[type_name[len("tuple["):].split(",")[0]]
            group.add_argument(flag, dest=f.name, type=_list_of(item), default=argparse.SUPPRESS, help=help_text,
                               metavar="A,B,...")
        else:
            group.add_argument(flag, dest=f.name, type=_SCALARS[type_name], default=argparse.SUPPRESS, help=help_text,
                               metavar=f.name.upper())


def _list_of(item: type) -> Any:
    def parse(text: str) -> tuple:
        try:
            return tuple(item(part.strip()) for part in text.split(",") if part.strip())
        except ValueError as err:
            raise argparse.ArgumentTypeError(f"expected comma-separated {item.__name__} values, got {text!r}") from err
    parse.__name__ = f"list of {item.__name__}"
    return parse


def _cmd_lab(args: argparse.Namespace) -> int:
    cls, run, _ = EXPERIMENTS[args.experiment]
    given = {f.name: getattr(args, f.name) for f in dataclasses.fields(cls) if hasattr(args, f.name)}
    config = cls.quick(**given) if args.quick else cls(**given)
    result = run(config)
    print(result.summary())
    paths = result.write(args.out)
    print("wrote " + ", ".join(str(p) for p in paths))
    return 0


def add_explain(sub: argparse._SubParsersAction) -> None:
    """``rnnkit explain gates TEXT [--model PATH] [--layer N] [--out DIR]``."""
    explain = sub.add_parser("explain", help="explain what a model does on a text (explain gates ...)")
    explain.set_defaults(func=lambda args: _usage(explain))
    what = explain.add_subparsers(title="what to explain", metavar="WHAT")
    gates = what.add_parser("gates", help="an LSTM's forget, input and output gates per token: heatmap and summary")
    gates.add_argument("text", help='the text to read, e.g. "I go to school"')
    gates.add_argument("--model", type=Path, help="a next-word LSTM from `rnnkit train nextword` (default: bundled)")
    gates.add_argument("--layer", type=int, help="which layer, 1-based (default: the last)")
    gates.add_argument("--out", type=Path, default=Path(DEFAULT_OUT),
                       help=f"folder for gates.png and gates.csv (default {DEFAULT_OUT})")
    gates.add_argument("--num-threads", type=int, default=1, help="torch CPU threads; 0 = torch's choice (default 1)")
    gates.set_defaults(func=_cmd_gates)


def _cmd_gates(args: argparse.Namespace) -> int:
    check_int("--num-threads", args.num_threads, 0)
    with threads(args.num_threads):
        report = explain_gates(args.text, args.model, args.layer)
    print(report.summary())
    paths = report.write(args.out)
    print("wrote " + ", ".join(str(p) for p in paths))
    return 0


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2
