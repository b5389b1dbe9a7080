"""The uvicorn layer: header-read timeout, readiness at shutdown, limits from the command line."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import pytest
import uvicorn
from fastapi import FastAPI

from rnnkit.cli import main
from rnnkit.errors import ConfigError
from rnnkit.serve.limits import ServerLimits
from rnnkit.serve.server import _h11_header_timeout_protocol, _Server, header_timeout_protocol


@pytest.fixture(params=["httptools", "h11"])
def tiny_server(request):
    """A small app under uvicorn with a 0.5 s header timeout, in a thread, on either HTTP parser; yields its port."""
    app = FastAPI()
    app.state.ready = True

    @app.get("/ping")
    async def ping() -> dict[str, str]:
        return {"pong": "yes"}

    @app.get("/slow")
    async def slow() -> dict[str, str]:
        await asyncio.sleep(0.8)  # longer than the header timeout: its head was complete, so it is answered
        return {"slow": "done"}

    protocol = header_timeout_protocol(0.5) if request.param == "httptools" else _h11_header_timeout_protocol(0.5)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", http=protocol)
    server = _Server(config, app)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield port, server, app
    server.should_exit = True
    thread.join(5)


def _response(conn: socket.socket) -> bytes:
    """Bytes read until the JSON body's closing brace (headers and body may come in separate packets)."""
    data = b""
    while not data.endswith(b"}"):
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def _closed_within(sock: socket.socket, seconds: float) -> bool:
    sock.settimeout(seconds)
    try:
        return sock.recv(1024) == b""
    except TimeoutError:
        return False


def test_a_half_sent_request_is_closed_after_the_header_timeout(tiny_server):
    port, _, _ = tiny_server
    with socket.create_connection(("127.0.0.1", port)) as slow:
        slow.sendall(b"GET /ping HTTP/1.1\r\nHost: x\r\n")  # never finishes its headers
        t0 = time.perf_counter()
        assert _closed_within(slow, 3.0)
        assert 0.3 < time.perf_counter() - t0 < 2.5


def test_a_complete_request_is_answered_and_the_next_head_gets_its_own_time(tiny_server):
    port, _, _ = tiny_server
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.sendall(b"GET /ping HTTP/1.1\r\nHost: x\r\n\r\n")
        conn.settimeout(3)
        assert b'{"pong":"yes"}' in _response(conn)
        time.sleep(0.3)
        conn.sendall(b"GET /ping HTTP/1.1\r\nHost: x\r\n\r\n")  # within the timeout again: answered
        assert b'{"pong":"yes"}' in _response(conn)


def test_a_slow_answer_and_pipelined_requests_keep_the_connection(tiny_server):
    port, _, _ = tiny_server
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.settimeout(3)
        conn.sendall(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /ping HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        while b'{"pong":"yes"}' not in data:
            chunk = conn.recv(4096)
            assert chunk, f"closed early after {data!r}"
            data += chunk
        assert b'{"slow":"done"}' in data
        assert _closed_within(conn, 3.0)  # then idle without a new head: closed after the timeout


def test_the_server_uses_httptools_when_it_is_installed():
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    assert issubclass(header_timeout_protocol(1.0), HttpToolsProtocol)


def test_the_first_shutdown_signal_turns_readiness_off(tiny_server):
    _, server, app = tiny_server
    assert app.state.ready
    server.handle_exit(15, None)
    assert app.state.ready is False


def test_server_limits_are_checked():
    with pytest.raises(ConfigError, match="max_connections"):
        ServerLimits(max_connections=0)
    with pytest.raises(ConfigError, match="header_timeout_s"):
        ServerLimits(header_timeout_s=0)


@pytest.mark.parametrize("flags, message", [
    (["--generate-queue", "-1"], "--generate-queue must be an integer >= 0"),
    (["--suggest-timeout", "0"], "--suggest-timeout must be a number > 0.0"),
    (["--header-timeout", "inf"], "--header-timeout must be a number"),
    (["--max-connections", "0"], "--max-connections must be an integer >= 1"),
    (["--drain-timeout", "-1"], "--drain-timeout must be a number >= 0.0"),
])
def test_bad_limit_flags_are_one_line_usage_errors(capsys, flags, message):
    assert main(["serve", *flags]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_run_server_freezes_the_loaded_objects_before_serving(monkeypatch):
    import gc

    from rnnkit.serve import server

    seen = {}
    monkeypatch.setattr(server._Server, "run",
                        lambda self: seen.setdefault("frozen", gc.get_freeze_count()))
    try:
        server.run_server(FastAPI(), "127.0.0.1", 0)
    finally:
        gc.unfreeze()
    assert seen["frozen"] > 1000  # every object alive at start-up: the app, torch, numpy ...
