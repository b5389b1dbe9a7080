"""The CLI is tested by calling main([...]) and reading what it prints."""

import sys

import pytest

from rnnkit.cli import main


def test_demo_prints_the_seed_examples(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "I       = [1,0,0,0]" in out
    assert "school  = [0,0,0,1]" in out
    assert "'I go to school'                   -> [0, 0, 0," in out
    assert "fused layer vs transparent cells: max |difference|" in out


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "usage: rnnkit" in capsys.readouterr().out


def test_unknown_command_is_a_usage_error(capsys):
    assert main(["fly"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_version(capsys):
    with pytest.raises(SystemExit):
        raise SystemExit(main(["--version"]))
    assert "rnnkit 0.1.0" in capsys.readouterr().out


# --help stays fast: the command table names each command's module, imported only when it runs ----------

_PROBE = """
import contextlib, io, json, sys
from rnnkit.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.redirect_stderr(io.StringIO()):
    code = main(sys.argv[1:])
print(json.dumps({"code": code, "torch": "torch" in sys.modules, "out": out.getvalue(),
                  "apps": sorted(m for m in sys.modules if m.startswith("rnnkit.apps."))}))
"""


def _probe(*argv: str) -> dict:
    import json
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-c", _PROBE, *argv], capture_output=True, text=True, check=True)
    return json.loads(run.stdout)


@pytest.mark.parametrize("argv", [["--help"], ["train", "--help"], ["eval", "--help"], ["lab", "--help"],
                                  ["data", "--help"], ["explain", "--help"], ["--version"]])
def test_top_and_group_help_import_neither_torch_nor_the_apps(argv):
    seen = _probe(*argv)
    assert seen["code"] == 0 and seen["out"].startswith(("usage: rnnkit", "rnnkit "))
    assert not seen["torch"] and seen["apps"] == []


@pytest.mark.parametrize("argv", [["suggest", "--help"], ["train", "nextword", "--help"],
                                  ["eval", "nextword", "--help"], ["serve", "--help"], ["demo", "--help"]])
def test_command_help_does_not_import_torch(argv):
    seen = _probe(*argv)
    assert seen["code"] == 0 and "usage: rnnkit" in seen["out"]
    assert not seen["torch"], f"`rnnkit {' '.join(argv)}` imported torch"


def test_top_help_lists_every_command_and_group():
    from rnnkit.cli import COMMANDS

    out = _probe("--help")["out"]
    for words, _, _ in COMMANDS:
        assert words[0] in out


def test_every_command_row_points_at_a_function(capsys):
    import importlib

    from rnnkit.cli import COMMANDS

    for words, _, target in COMMANDS:
        module, function = target.split(":")
        assert callable(getattr(importlib.import_module(f"rnnkit.cli.{module}"), function)), words
        with pytest.raises(SystemExit) as exit_info:
            raise SystemExit(main([*words, "--help"]))
        assert exit_info.value.code == 0
        assert f"usage: rnnkit {' '.join(words)}" in capsys.readouterr().out


@pytest.mark.parametrize("group", ["train", "eval", "data", "lab", "explain"])
def test_a_bare_group_prints_its_help_and_exits_2(group, capsys):
    assert main([group]) == 2
    assert f"usage: rnnkit {group}" in capsys.readouterr().err


def test_main_asks_openmp_for_passive_waits_unless_told_otherwise(monkeypatch):
    import os

    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    main(["--version"])
    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    main(["--version"])
    assert os.environ["OMP_WAIT_POLICY"] == "ACTIVE"


@pytest.mark.parametrize(("raised", "status", "line"), [
    (RuntimeError("shape mismatch\n  deep detail"), 70, "rnnkit: internal error: RuntimeError: shape mismatch "
                                                        "(please report it; RNNKIT_TRACEBACK=1 shows where)"),
    (MemoryError(), 1, "rnnkit: error: out of memory; try a smaller input, batch or model"),
])
def test_an_unexpected_failure_is_one_line_not_a_traceback(monkeypatch, capsys, raised, status, line):
    def fail(args):
        raise raised

    monkeypatch.delenv("RNNKIT_TRACEBACK", raising=False)
    monkeypatch.setattr("rnnkit.cli._build_parser", _parser_running(fail))
    assert main(["demo"]) == status
    err = capsys.readouterr().err
    assert err.strip() == line


def test_rnnkit_traceback_shows_the_traceback(monkeypatch):
    def fail(args):
        raise RuntimeError("boom")

    monkeypatch.setenv("RNNKIT_TRACEBACK", "1")
    monkeypatch.setattr("rnnkit.cli._build_parser", _parser_running(fail))
    with pytest.raises(RuntimeError, match="boom"):
        main(["demo"])


def test_a_closed_pipe_is_not_an_error(monkeypatch):
    def fail(args):
        raise BrokenPipeError

    monkeypatch.setattr("rnnkit.cli._build_parser", _parser_running(fail))
    monkeypatch.setattr("sys.stdout", sys.stdout)  # main points stdout at devnull; put it back afterwards
    assert main(["demo"]) == 141


def _parser_running(func):
    import argparse

    def build(argv):
        parser = argparse.ArgumentParser(prog="rnnkit")
        parser.add_argument("command")
        parser.set_defaults(func=func)
        return parser
    return build
