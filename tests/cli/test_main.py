"""The CLI is tested by calling main([...]) and reading what it prints."""

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
