"""Schemathesis over /api/v1/openapi.json: whatever fits (or nearly fits) the schema, no 500."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error


@pytest.fixture(scope="module")
def api_schema(live, tokens):
    return schemathesis.openapi.from_url(f"{live.url}/api/v1/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_server_errors(case, live, tokens):
    # Admin can do everything, so the fuzz reaches the handlers rather than stopping at 403.
    response = case.call(headers={"Authorization": f"Bearer {tokens['admin']}"}, timeout=10)
    case.validate_response(response, checks=[not_a_server_error])
