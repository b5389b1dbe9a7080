"""The service built once per test session over the bundled models (loading them takes a second or two)."""

from __future__ import annotations

import pytest
import torch

pytest.importorskip("fastapi", reason="the serve extra (fastapi, uvicorn) is not installed")

from fastapi.testclient import TestClient  # noqa: E402

from rnnkit.serve import create_app  # noqa: E402


@pytest.fixture(scope="session")
def app():
    """``create_app()`` with the bundled next-word model and the default sentiment backend."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # session fixtures run before conftest's per-test thread setting
    yield create_app()
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def served(app):
    return app.state.served


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c
