"""Property-based fuzz of the API against its own OpenAPI schema (schemathesis): never a 5xx.

For each operation in ``/openapi.json``, schemathesis generates requests that follow the schema
(positive) and requests that break it (negative: wrong types, out-of-range numbers, bytes that are
not JSON). Every answer must be below 500, have a documented status code and content type, match
the documented response schema, and be ``{"error": ...}`` when it is an error. Few examples and a
fixed seed keep the run short and repeatable; ``RNNKIT_FUZZ_EXAMPLES=500`` searches harder.
"""

from __future__ import annotations

import os

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis (a dev dependency) is not installed")
from hypothesis import HealthCheck, given, seed, settings  # noqa: E402

EXAMPLES = int(os.environ.get("RNNKIT_FUZZ_EXAMPLES", "25"))
OPERATIONS = [("POST", "/v1/suggest"), ("POST", "/v1/generate"), ("POST", "/v1/sentiment"), ("POST", "/v1/tag"),
              ("POST", "/v1/translate"), ("POST", "/v1/generate/chars"),
              ("GET", "/v1/health"), ("GET", "/v1/models")]


@pytest.fixture(scope="module")
def api_schema(app):
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def test_the_fuzz_covers_every_operation(api_schema):
    listed = {(op.ok().method.upper(), op.ok().path) for op in api_schema.get_all_operations()}
    assert listed == set(OPERATIONS)


@pytest.mark.parametrize("method, path, mode", [(method, path, mode) for method, path in OPERATIONS
                                                 for mode in ("positive", "negative") if method == "POST" or
                                                 mode == "positive"])  # a bare GET has nothing to break
def test_no_generated_request_gets_a_server_error(api_schema, method, path, mode):
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=schemathesis.GenerationMode(mode)))
    @seed(20261101)
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case):
        response = case.call()
        assert response.status_code < 500, f"{case.method} {case.path} {case.body!r} -> {response.text}"
        case.validate_response(response, excluded_checks=[schemathesis.checks.negative_data_rejection])
        if response.status_code >= 400:
            assert list(response.json()) == ["error"]
        elif mode == "positive" and method == "POST":
            assert response.status_code == 200  # what the schema allows, the service accepts

    check()
