"""Every error the service answers is JSON ``{"error": "one line"}`` with a 4xx status.

FastAPI's own shapes (422 with a list of pydantic errors, ``{"detail": ...}`` for 404/405) are
replaced here; the body limit is an ASGI middleware that stops reading at the limit. A failure
inside the service still answers JSON (500, "internal error") and is logged with its traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse

from rnnkit.errors import ConfigError, InputError

__all__ = ["BodyLimit", "error_response", "install_error_handlers", "one_line"]

log = logging.getLogger("rnnkit.serve")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
SHOWN = 60  # characters of a bad value quoted in a message


def one_line(text: str, limit: int = 300) -> str:
    """``text`` with its whitespace collapsed, cut to ``limit`` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": one_line(message)}, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Answer validation errors, library input errors, HTTP errors and crashes as ``{"error": ...}``."""

    async def validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        status = 400 if first.get("type") == "json_invalid" else 422
        return error_response(status, describe_validation_error(first))

    async def input_error(request: Request, exc: Exception) -> JSONResponse:
        return error_response(422, str(exc))

    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        route = one_line(f"{request.method} {request.url.path}", 120)
        message = {404: f"no such route: {route}", 405: f"method not allowed: {route}",
                   400: "the request body could not be read as JSON (UTF-8)"}.get(exc.status_code)
        return error_response(exc.status_code, message or str(exc.detail), dict(exc.headers or {}))

    async def crash(request: Request, exc: Exception) -> JSONResponse:
        log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(500, "internal error; the server log has the details")

    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(InputError, input_error)
    app.add_exception_handler(ConfigError, input_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, crash)


def describe_validation_error(error: dict[str, Any]) -> str:
    """One sentence for one pydantic error: "k must be at most 20, got 50"."""
    kind, ctx, value = error.get("type", ""), error.get("ctx") or {}, error.get("input")
    loc = [str(part) for part in error.get("loc", ()) if part != "body"]
    name = ".".join(loc) or "the request body"
    got = f", got {_shown(value)}"
    if kind == "json_invalid":
        return f"the request body is not valid JSON: {ctx.get('error', 'decode error')}"
    if kind == "missing":
        return f"{name} is required" if loc else "a JSON request body is required"
    if kind == "extra_forbidden":
        return f"unknown field {name}"
    if kind in ("less_than_equal", "less_than"):
        return f"{name} must be at most {ctx.get('le', ctx.get('lt'))}{got}"
    if kind in ("greater_than_equal", "greater_than"):
        bound = "at least" if kind == "greater_than_equal" else "more than"
        return f"{name} must be {bound} {ctx.get('ge', ctx.get('gt'))}{got}"
    if kind == "too_long":
        return f"{name} holds {ctx.get('actual_length')} items; at most {ctx.get('max_length')} are allowed"
    if kind == "too_short":
        return f"{name} must hold at least {ctx.get('min_length')} item(s)"
    if not loc and kind in ("model_attributes_type", "dict_type"):
        return "the request body must be a JSON object"
    message = str(error.get("msg", "is invalid")).removeprefix("Value error, ")
    return f"{name}: {message[:1].lower()}{message[1:]}" if loc else message


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= SHOWN else text[:SHOWN] + "..."


class BodyLimit:
    """ASGI middleware: a request body over ``max_bytes`` gets 413 before the app reads any of it.

    A declared ``Content-Length`` over the limit is refused at once; a chunked body is read up to
    the limit and refused as soon as it passes it. A body within the limit is handed on whole.
    """

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_big = error_response(413, f"request body over {self.max_bytes:,} bytes; send less text "
                                 "or split a batch into several requests")
        declared = dict(scope.get("headers", ())).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await too_big(scope, receive, send)
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_bytes:
                await too_big(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(b"".join(chunks), receive), send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands over ``body`` once, then defers to the real one (disconnects)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
