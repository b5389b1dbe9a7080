"""``rnnkit serve`` through main([...]), with run_server replaced: flags reach create_app and the server."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the serve extra (fastapi, uvicorn) is not installed")

import uvicorn  # noqa: E402

import rnnkit.serve  # noqa: E402
import rnnkit.serve.server  # noqa: E402
from rnnkit.cli import main  # noqa: E402
from rnnkit.serve.limits import DEFAULT_LANES, LaneLimits, ServerLimits  # noqa: E402


@pytest.fixture
def calls(monkeypatch):
    """What create_app and run_server were called with (neither loads nor listens)."""
    seen = {}

    def create_app(**kwargs):
        seen["create_app"] = kwargs
        return "APP"

    def run_server(app, host, port, limits, log_level):
        seen["run"] = (app, {"host": host, "port": port, "log_level": log_level})
        seen["limits"] = limits

    monkeypatch.setattr(rnnkit.serve, "create_app", create_app)
    monkeypatch.setattr(rnnkit.serve.server, "run_server", run_server)
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: pytest.fail("must not start"))
    return seen


def test_serve_passes_models_host_and_port(calls):
    argv = ["serve", "--host", "0.0.0.0", "--port", "8123", "--nextword-model", "nw.pt", "--num-threads", "0"]
    assert main(argv) == 0
    assert calls["create_app"] == {"nextword": Path("nw.pt"), "sentiment": None, "lanes": DEFAULT_LANES,
                                   "quantize": None, "sentiment_source": None}
    assert calls["run"] == ("APP", {"host": "0.0.0.0", "port": 8123, "log_level": "info"})
    assert calls["limits"] == ServerLimits()


def test_serve_defaults_to_loopback_and_the_bundled_models(calls):
    assert main(["serve"]) == 0
    assert calls["create_app"] == {"nextword": None, "sentiment": None, "lanes": DEFAULT_LANES, "quantize": None,
                                   "sentiment_source": None}
    assert calls["run"][1] == {"host": "127.0.0.1", "port": 8000, "log_level": "info"}


def test_limit_flags_reach_the_lanes_and_the_server(calls):
    assert main(["serve", "--generate-queue", "2", "--generate-timeout", "3.5", "--header-timeout", "4",
                 "--max-connections", "50", "--drain-timeout", "0"]) == 0
    assert calls["create_app"]["lanes"]["generate"] == LaneLimits(workers=1, queue=2, timeout_s=3.5)
    assert calls["create_app"]["lanes"]["suggest"] == DEFAULT_LANES["suggest"]
    assert calls["limits"] == ServerLimits(header_timeout_s=4.0, max_connections=50, drain_s=0.0)
    assert main(["serve", "--batch-window-ms", "0", "--max-batch", "8"]) == 0
    assert calls["create_app"]["lanes"]["sentiment"].batch_window_ms == 0
    assert calls["create_app"]["lanes"]["tag"].max_batch == 8
    assert calls["create_app"]["lanes"]["suggest"].batch_window_ms == 0


def test_quantize_reaches_the_app(calls):
    assert main(["serve", "--quantize", "int8"]) == 0
    assert calls["create_app"]["quantize"] == "int8"
    assert calls["create_app"]["lanes"]["suggest"] == DEFAULT_LANES["suggest"]


def test_sentiment_onnx_gives_the_app_an_onnx_analyzer_and_says_so(calls, tmp_path):
    pytest.importorskip("onnxruntime", reason="the onnx extra is not installed")
    from rnnkit.export import export_model
    from rnnkit.export.runtime import OnnxGraph

    export_model("sentiment", "onnx", tmp_path / "s.onnx")
    assert main(["serve", "--sentiment-onnx", str(tmp_path / "s.onnx")]) == 0
    analyzer, (source, card) = calls["create_app"]["sentiment"], calls["create_app"]["sentiment_source"]
    assert isinstance(analyzer.model._network.graph, OnnxGraph)
    assert source == f"bundled, its network on ONNX Runtime from {tmp_path / 's.onnx'}"
    assert card.startswith("# Model card: bundled sentiment model")


@pytest.mark.parametrize("argv, match", [
    (["--port", "70000"], "--port must be an integer >= 0 and <= 65535, got 70000"),
    (["--num-threads", "-1"], "--num-threads must be an integer >= 0, got -1"),
    (["--log-level", "loud"], "invalid choice"),
])
def test_serve_usage_errors_exit_2(calls, capsys, argv, match):
    assert main(["serve", *argv]) == 2
    assert match in capsys.readouterr().err and "run" not in calls


def test_a_missing_model_file_exits_1(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(rnnkit.serve.server, "run_server", lambda *a, **kw: pytest.fail("must not start"))
    assert main(["serve", "--nextword-model", str(tmp_path / "absent.pt")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("rnnkit: error:") and "absent.pt" in err and err.count("\n") == 1


def test_a_foreign_sentiment_onnx_file_exits_1(tmp_path, capsys, monkeypatch):
    pytest.importorskip("onnxruntime", reason="the onnx extra is not installed")
    monkeypatch.setattr(rnnkit.serve.server, "run_server", lambda *a, **kw: pytest.fail("must not start"))
    (tmp_path / "s.onnx").write_bytes(b"not onnx")
    assert main(["serve", "--sentiment-onnx", str(tmp_path / "s.onnx")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("rnnkit: error:") and "cannot be loaded by ONNX Runtime" in err and err.count("\n") == 1


def test_without_the_serve_extra_it_says_what_to_install(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # import uvicorn now raises ImportError
    assert main(["serve"]) == 1
    assert "pip install 'rnnkit[serve]'" in capsys.readouterr().err


def test_serve_is_listed_in_the_help(capsys):
    assert main(["serve", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--nextword-model" in out and "--sentiment-model" in out
