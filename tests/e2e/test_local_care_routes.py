"""The API Gateway emulator's care routes: path parameters, the authorizer, and the console's headers."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.local.api_gateway import ApiGatewayEmulator, routes_from_template
from infra.local.lambda_runtime import LocalFunction
from infra.template import TemplateResources


class StandInCareApi:
    """Answers 200 and keeps every event it was called with."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.events.append(event)
        return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": "{}"}


class OneTokenAuthorizer:
    """Accepts exactly one token, as the real verifier accepts only the pool's valid ones."""

    def claims(self, authorization: str | None, scopes: tuple[str, ...] = ()) -> dict[str, str] | None:
        return {"sub": "abc", "cognito:groups": "care-team"} if authorization == "Bearer good" else None


@pytest.fixture
def care_api() -> StandInCareApi:
    return StandInCareApi()


@pytest.fixture
def api(care_api: StandInCareApi, tmp_path: Path) -> Iterator[ApiGatewayEmulator]:
    (tmp_path / "care").mkdir()
    (tmp_path / "care" / "index.html").write_text("<!doctype html><title>Care console</title>")
    resources = TemplateResources()
    functions = {"CareApiFunction": LocalFunction.from_template(resources, "CareApiFunction", care_api)}
    routes = routes_from_template(functions, resources.api_routes("InquiryApi"),
                                  resources.api_authorizers("InquiryApi"))
    server = ApiGatewayEmulator(0, routes, "dev", tmp_path, gateway_responses=resources.gateway_responses(),
                                authorizer=OneTokenAuthorizer())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def request(api: ApiGatewayEmulator, method: str, path: str,
            headers: dict[str, str] | None = None) -> tuple[int, http.client.HTTPMessage, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", api.port, timeout=5)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def test_every_care_route_but_the_preflights_names_the_cognito_authorizer() -> None:
    guarded = TemplateResources().api_authorizers("InquiryApi")

    assert guarded == {("/care/inquiries", "GET"): "CareTeamAuthorizer",
                       ("/care/inquiries/{inquiry_id}", "GET"): "CareTeamAuthorizer",
                       ("/care/inquiries/{inquiry_id}", "PATCH"): "CareTeamAuthorizer",
                       ("/care/audit", "GET"): "CareTeamAuthorizer",
                       ("/care/inquiries/{inquiry_id}/attempts", "POST"): "CareTeamAuthorizer",
                       ("/care/bulk", "POST"): "CareTeamAuthorizer",
                       ("/care/queue", "GET"): "CareTeamAuthorizer",
                       ("/care/search", "GET"): "CareTeamAuthorizer",
                       ("/care/team", "GET"): "CareTeamAuthorizer",
                       ("/care/reports", "GET"): "CareTeamAuthorizer",
                       ("/care/people", "GET"): "CareTeamAuthorizer",
                       ("/care/erasures", "GET"): "CareTeamAuthorizer",
                       ("/care/erasures", "POST"): "CareTeamAuthorizer",
                       ("/care/erasures/{request_id}/approve", "POST"): "CareTeamAuthorizer",
                       ("/care/erasures/{request_id}/reject", "POST"): "CareTeamAuthorizer",
                       ("/care/exports/{request_id}", "GET"): "CareTeamAuthorizer"}


def test_a_path_parameter_and_the_verified_claims_reach_the_function(api: ApiGatewayEmulator,
                                                                     care_api: StandInCareApi) -> None:
    status, _headers, _body = request(api, "GET", "/care/inquiries/01ARZ3NDEKTSV4RRFFQ69G5FAV",
                                      {"Authorization": "Bearer good"})

    assert status == 200
    (event,) = care_api.events
    assert event["resource"] == "/care/inquiries/{inquiry_id}"
    assert event["pathParameters"] == {"inquiry_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}
    assert event["requestContext"]["authorizer"]["claims"] == {"sub": "abc", "cognito:groups": "care-team"}


def test_a_refused_token_is_api_gateways_401_and_the_function_never_runs(api: ApiGatewayEmulator,
                                                                         care_api: StandInCareApi) -> None:
    status, headers, body = request(api, "GET", "/care/inquiries", {"Authorization": "Bearer bad"})

    assert status == 401
    assert headers["Cache-Control"] == "no-store"
    assert json.loads(body) == {"errors": [{"field": None, "message": "Sign in again."}]}
    assert care_api.events == []


def test_the_console_is_served_with_its_production_security_headers(api: ApiGatewayEmulator) -> None:
    status, headers, body = request(api, "GET", "/care/")

    assert status == 200 and b"Care console" in body
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"
