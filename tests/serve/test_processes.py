"""``rnnkit serve --workers N``: N server processes on one port, supervised (restart, one-line errors, one stop)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from rnnkit.cli import main
from rnnkit.errors import RnnkitError
from rnnkit.serve.processes import listen

pytest.importorskip("fastapi")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def _serve(*flags: str) -> Iterator[tuple[subprocess.Popen, str]]:
    """``rnnkit serve --port P *flags`` in its own process group: (process, base URL); killed at the end."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "rnnkit.cli", "serve", "--port", str(port), "--log-level",
                             "warning", *flags], stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        yield proc, f"http://127.0.0.1:{port}"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # what is left of the group, if a test failed half-way
        proc.wait()


def _wait_ready(proc: subprocess.Popen, base: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read()
        try:
            if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("the service did not become ready")


def _workers(parent: int) -> list[int]:
    """The server processes the supervisor started (not multiprocessing's resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == parent and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return sorted(found)


def _alive(pid: int) -> bool:
    """The process exists and is not a zombie (an exited child that nobody has reaped yet)."""
    try:
        return (Path(f"/proc/{pid}") / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _sentiment_answers(base: str, times: int) -> bool:
    """``times`` requests, each on a new connection (so the kernel may hand them to either process)."""
    for _ in range(times):
        response = httpx.post(base + "/v1/sentiment", json={"text": "a wonderful phone"}, timeout=30)
        if response.status_code != 200 or response.json()["results"][0]["label"] != "Positive":
            return False
    return True


def test_two_workers_serve_one_port_a_killed_one_is_replaced_and_ctrl_c_stops_all():
    with _serve("--workers", "2") as (proc, base):
        _wait_ready(proc, base)
        first = _workers(proc.pid)
        assert len(first) == 2
        assert _sentiment_answers(base, 6)
        clients = [httpx.Client(base_url=base, timeout=30) for _ in range(6)]  # six connections, opened in turn
        try:
            answered = [client.get("/v1/health").json()["process"] for client in clients]
        finally:
            for client in clients:
                client.close()
        assert sorted(answered) == sorted(first * 3)  # handed out in turn: three connections each
        descriptors = len(os.listdir(f"/proc/{proc.pid}/fd"))
        os.kill(first[0], signal.SIGKILL)
        deadline = time.monotonic() + 120
        while (len(now := _workers(proc.pid)) != 2 or first[0] in now) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(now) == 2 and first[0] not in now and first[1] in now
        time.sleep(1)  # the new worker loads its models; the other one answers meanwhile
        assert _sentiment_answers(base, 6)
        assert len(os.listdir(f"/proc/{proc.pid}/fd")) == descriptors  # nothing of the dead worker left open
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C in a terminal: the whole process group
        assert proc.wait(60) == 0
        err = proc.stderr.read()
    assert re.search(rf"rnnkit serve: worker [12] \(pid {first[0]}\) exited with code -9; starting another", err)
    assert "Traceback" not in err
    assert _workers(proc.pid) == []


def test_sigterm_to_the_supervisor_drains_and_stops_every_worker():
    with _serve("--workers", "2", "--drain-timeout", "5") as (proc, base):
        _wait_ready(proc, base)
        workers = _workers(proc.pid)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 0
        assert "Traceback" not in proc.stderr.read()
    time.sleep(0.5)
    assert not [pid for pid in workers if _alive(pid)]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_one_process_drains_and_exits_0_on_sigterm_and_ctrl_c(sig):
    with _serve("--drain-timeout", "5") as (proc, base):
        _wait_ready(proc, base)
        proc.send_signal(sig)
        assert proc.wait(60) == 0  # uvicorn alone re-raises SIGTERM after the drain: status 143
        err = proc.stderr.read()
    assert "Traceback" not in err


def test_workers_end_when_the_supervisor_is_killed():
    with _serve("--workers", "2") as (proc, base):
        _wait_ready(proc, base)
        workers = _workers(proc.pid)
        assert len(workers) == 2
        proc.kill()  # SIGKILL: no chance to stop them
        proc.wait(10)
        deadline = time.monotonic() + 30
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(pid) for pid in workers)


def test_a_bad_model_file_is_one_error_line_not_one_per_worker(tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a model")
    with _serve("--workers", "3", "--sentiment-model", str(bad)) as (proc, _):
        assert proc.wait(120) == 1
        lines = proc.stderr.read().strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("rnnkit: error: checkpoint ") and str(bad) in lines[0]


def test_the_workers_flag_is_checked(capsys):
    assert main(["serve", "--workers", "0"]) == 2
    err = capsys.readouterr().err
    assert "--workers must be an integer >= 1" in err and err.count("\n") == 1


def test_a_port_in_use_is_one_line(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(RnnkitError, match=f"cannot listen on 127.0.0.1:{port}: .*in use"):
            listen("127.0.0.1", port)
        assert main(["serve", "--workers", "2", "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("rnnkit: error: cannot listen on") and err.count("\n") == 1


def _broken_load():
    raise KeyError("w")


@pytest.mark.parametrize("traceback_asked", [False, True])
def test_a_worker_that_cannot_start_says_why_as_the_cli_does(monkeypatch, capsys, traceback_asked):
    import multiprocessing

    from rnnkit.serve import processes

    receive, send = multiprocessing.Pipe(duplex=False)
    if traceback_asked:
        monkeypatch.setenv("RNNKIT_TRACEBACK", "1")
    else:
        monkeypatch.delenv("RNNKIT_TRACEBACK", raising=False)
    previous = signal.getsignal(signal.SIGINT)
    try:
        with pytest.raises(SystemExit):
            processes._worker_main(_broken_load, send, None)
    finally:
        signal.signal(signal.SIGINT, previous)  # the worker ignores Ctrl-C; this test process must not
    assert receive.recv() == ("error", "internal error: KeyError: 'w' "
                                       "(please report it; RNNKIT_TRACEBACK=1 shows where)")
    assert ("Traceback" in capsys.readouterr().err) == traceback_asked
