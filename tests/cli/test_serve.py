"""``rnnkit serve`` through main([...]), with uvicorn.run replaced: flags reach create_app and uvicorn."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the serve extra (fastapi, uvicorn) is not installed")

import uvicorn  # noqa: E402

import rnnkit.serve  # noqa: E402
from rnnkit.cli import main  # noqa: E402


@pytest.fixture
def calls(monkeypatch):
    """What create_app and uvicorn.run were called with (neither loads nor listens)."""
    seen = {}

    def create_app(**kwargs):
        seen["create_app"] = kwargs
        return "APP"

    def run(app, **kwargs):
        seen["run"] = (app, kwargs)

    monkeypatch.setattr(rnnkit.serve, "create_app", create_app)
    monkeypatch.setattr(uvicorn, "run", run)
    return seen


def test_serve_passes_models_host_and_port(calls):
    argv = ["serve", "--host", "0.0.0.0", "--port", "8123", "--nextword-model", "nw.pt", "--num-threads", "0"]
    assert main(argv) == 0
    assert calls["create_app"] == {"nextword": Path("nw.pt"), "sentiment": None}
    assert calls["run"] == ("APP", {"host": "0.0.0.0", "port": 8123, "log_level": "info"})


def test_serve_defaults_to_loopback_and_the_bundled_models(calls):
    assert main(["serve"]) == 0
    assert calls["create_app"] == {"nextword": None, "sentiment": None}
    assert calls["run"][1] == {"host": "127.0.0.1", "port": 8000, "log_level": "info"}


@pytest.mark.parametrize("argv, match", [
    (["--port", "70000"], "--port must be an integer >= 0 and <= 65535, got 70000"),
    (["--num-threads", "-1"], "--num-threads must be an integer >= 0, got -1"),
    (["--log-level", "loud"], "invalid choice"),
])
def test_serve_usage_errors_exit_2(calls, capsys, argv, match):
    assert main(["serve", *argv]) == 2
    assert match in capsys.readouterr().err and "run" not in calls


def test_a_missing_model_file_exits_1(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: pytest.fail("must not start"))
    assert main(["serve", "--nextword-model", str(tmp_path / "absent.pt")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("rnnkit: error:") and "absent.pt" in err and err.count("\n") == 1


def test_without_the_serve_extra_it_says_what_to_install(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # import uvicorn now raises ImportError
    assert main(["serve"]) == 1
    assert "pip install 'rnnkit[serve]'" in capsys.readouterr().err


def test_serve_is_listed_in_the_help(capsys):
    assert main(["serve", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--nextword-model" in out and "--sentiment-model" in out
