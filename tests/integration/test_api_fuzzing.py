"""API fuzzing (schemathesis) from docs/openapi.json through the real IntakeFunction handler on moto.

Positive and negative data for every documented operation: no answer is a 5xx, and every answer
matches the documented status codes, content types, headers and schemas. Bounded (a small number of
examples per operation) so it runs in seconds inside ``make test``.

The care routes sit behind API Gateway's Cognito authorizer, which the local stack emulates: they are
fuzzed there, with and without a valid token (tests/e2e/test_care_api_fuzzing.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.generation import GenerationMode

from infra.template import ROOT
from tests.support.lambda_context import FakeLambdaContext
from tests.support.stack import Stack
from tests.support.wsgi_lambda import LambdaAsWsgi

APP = LambdaAsWsgi({("/inquiries", "POST"), ("/health", "GET")})
# The public routes, through the handler in-process; the care routes need the Cognito authorizer and are
# fuzzed on the local stack (tests/e2e/test_care_api_fuzzing.py).
SCHEMA = schemathesis.openapi.from_path(ROOT / "docs" / "openapi.json").include(path_regex=r"^/(inquiries|health)$")
SCHEMA.app = APP
SCHEMA.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=60,
                                deterministic=True, database="none")
EXCLUDED_CHECKS = [
    # API Gateway itself answers a method an API does not declare, with 403 (not 405): not ours to change.
    schemathesis.checks.unsupported_method,
    # JSON Schema cannot say every rule, so schema-valid data may rightly get 422: a phone is required when
    # preferred_contact is phone or sms, sms needs sms_consent, consent must be true (a form checkbox sends
    # "on"), the address must look deliverable, a name must hold more than spaces. Every 422 is still checked
    # against the documented status codes and error schema, and negative data must still be refused.
    schemathesis.checks.positive_data_acceptance,
]
CASES: list[tuple[str, int]] = []  # (operation, status) of every case run, for the closing note's count
SUMMARY = ROOT / "test-artifacts" / "schemathesis-summary.json"


@pytest.fixture(scope="module", autouse=True)
def summary() -> Iterator[None]:
    """Write how many cases ran, by operation and status, to test-artifacts/ (the issue's closing note)."""
    yield
    counts: dict[str, dict[str, int]] = {}
    for operation, status in CASES:
        by_status = counts.setdefault(operation, {})
        by_status[str(status)] = by_status.get(str(status), 0) + 1
    SUMMARY.parent.mkdir(parents=True, exist_ok=True)
    SUMMARY.write_text(json.dumps({"cases": len(CASES), "by_operation": counts}, indent=2, sort_keys=True) + "\n")


@pytest.fixture
def intake_app(stack: Stack) -> Iterator[LambdaAsWsgi]:
    """The WSGI face on the real handler, with every table and queue under moto for this test."""
    stack.configure(RATE_LIMIT_PER_CLIENT_PER_HOUR="100000")  # the fuzzer is one client sending many cases
    handler = stack.handler("intake")

    def invoke(event: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = handler(event, FakeLambdaContext("IntakeFunction"))
        return result

    APP.handler = invoke
    yield APP
    APP.handler = None


@SCHEMA.parametrize()
@hypothesis_settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_every_documented_answer_and_never_a_5xx(case: schemathesis.Case[Any], intake_app: LambdaAsWsgi) -> None:
    excluded = list(EXCLUDED_CHECKS)
    if isinstance(case.body, dict) and str(case.body.get("website") or "").strip():
        # The contract: a filled honeypot answers 202 whatever else is wrong, so a bot learns nothing.
        excluded.append(schemathesis.checks.negative_data_rejection)
    response = case.call_and_validate(app=intake_app, excluded_checks=excluded)
    CASES.append((case.operation.label, response.status_code))
    assert response.status_code < 500
