"""Schemathesis over /api/v1/openapi.json: whatever fits (or nearly fits) the schema, no 500,
and every answer has the shape the schema declares for its status (api/answers.py).

Driven through Hypothesis directly: schemathesis' pytest plugin does not run on pytest 9.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from schemathesis.generation import GenerationMode

EXAMPLES = 5  # per operation and mode: ~16 operations x 2 modes in about 20 s


def test_no_server_errors(live, tokens):
    schema = schemathesis.openapi.from_url(f"{live.url}/api/v1/openapi.json")
    # Admin can do everything, so the cases reach the handlers rather than stopping at 403.
    headers = {"Authorization": f"Bearer {tokens['admin']}"}
    labels = []
    for result in schema.get_all_operations():
        operation = result.ok()
        labels.append(operation.label)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            def run(case):
                response = case.call(headers=headers, timeout=10)
                case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

            try:
                run()
            except Unsatisfiable:  # nothing to make invalid (e.g. /health has no parameters)
                assert mode is GenerationMode.NEGATIVE
    assert "POST /api/v1/accounts/{account}/suspend" in labels and len(labels) >= 15


def test_every_success_answer_has_a_schema(live):
    import httpx

    spec = httpx.get(f"{live.url}/api/v1/openapi.json").json()
    missing = [(method, path, code) for path, ops in spec["paths"].items() for method, op in ops.items()
               for code, answer in op["responses"].items()
               if code.startswith("2") and not any(c.get("schema") for c in answer.get("content", {}).values())]
    assert missing == []
