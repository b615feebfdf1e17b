"""The API Gateway emulator: REST proxy events in, HTTP out, with a stand-in handler."""

from __future__ import annotations

import base64
import http.client
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.local.api_gateway import ApiGatewayEmulator, ApiRoute, build_proxy_event
from infra.local.config import LocalConfig
from infra.local.lambda_runtime import LambdaContext, LocalFunction, handler_environment
from infra.local.stack import local_overrides
from infra.template import ROOT, TemplateResources

WEB_ROOT = ROOT / "web"


class RecordingHandler:
    """Answers like a proxy integration and keeps what it was called with."""

    def __init__(self) -> None:
        self.calls: list[tuple[dict[str, Any], Any]] = []
        self.answer: dict[str, Any] = {"statusCode": 202, "headers": {"Content-Type": "application/json"},
                                       "body": json.dumps({"inquiry_id": "01ABC"})}
        self.error: Exception | None = None

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.calls.append((event, context))
        if self.error is not None:
            raise self.error
        return self.answer


@pytest.fixture
def handler() -> RecordingHandler:
    return RecordingHandler()


@pytest.fixture
def api(handler: RecordingHandler) -> Iterator[ApiGatewayEmulator]:
    resources = TemplateResources()
    function = LocalFunction.from_template(resources, "IntakeFunction", handler)
    routes = [ApiRoute(path, method, function) for lid, path, method in resources.api_routes()
              if lid == "IntakeFunction"]
    server = ApiGatewayEmulator(0, routes, "dev", WEB_ROOT, gateway_responses=resources.gateway_responses())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def request(api: ApiGatewayEmulator, method: str, path: str, body: bytes = b"",
            headers: dict[str, str] | None = None) -> tuple[int, http.client.HTTPMessage, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", api.port, timeout=5)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def test_the_template_routes_are_the_intakes_api_events() -> None:
    routes = set(TemplateResources().api_routes())
    assert {("IntakeFunction", "/inquiries", "POST"), ("IntakeFunction", "/inquiries", "OPTIONS"),
            ("IntakeFunction", "/health", "GET")} <= routes


def test_a_json_post_becomes_a_rest_proxy_event_with_the_tcp_peer_as_source_ip(
        api: ApiGatewayEmulator, handler: RecordingHandler) -> None:
    status, headers, body = request(api, "POST", "/inquiries?ref=a&ref=b", b'{"name": "x"}', {
        "Content-Type": "application/json", "X-Forwarded-For": "203.0.113.9", "Idempotency-Key": "k-1"})

    assert status == 202 and json.loads(body) == {"inquiry_id": "01ABC"}
    assert headers["Content-Type"] == "application/json"
    event, context = handler.calls[0]
    assert event["resource"] == "/inquiries" and event["path"] == "/inquiries"
    assert event["httpMethod"] == "POST"
    assert event["body"] == '{"name": "x"}' and event["isBase64Encoded"] is False
    assert event["headers"]["Idempotency-Key"] == "k-1"
    assert event["multiValueHeaders"]["X-Forwarded-For"] == ["203.0.113.9"]
    assert event["queryStringParameters"] == {"ref": "b"}
    assert event["multiValueQueryStringParameters"] == {"ref": ["a", "b"]}
    ctx = event["requestContext"]
    assert ctx["identity"]["sourceIp"] == "127.0.0.1"  # never the client-supplied header
    assert ctx["stage"] == "dev" and ctx["path"] == "/dev/inquiries" and ctx["httpMethod"] == "POST"
    assert len(ctx["requestId"]) == 36 and isinstance(ctx["requestTimeEpoch"], int)
    assert isinstance(context, LambdaContext)
    memory_mb = int(TemplateResources().function_property("IntakeFunction", "MemorySize"))
    assert context.function_name == "IntakeFunction" and context.memory_limit_in_mb == memory_mb  # the template's
    assert context.invoked_function_arn.endswith(":function:IntakeFunction")
    timeout_ms = int(TemplateResources().function_property("IntakeFunction", "Timeout")) * 1000
    assert 0 < context.get_remaining_time_in_millis() <= timeout_ms  # the template's Timeout


def test_a_binary_body_arrives_base64_encoded() -> None:
    event = build_proxy_event(method="POST", raw_path="/inquiries", headers=[("Content-Type", "image/png")],
                              body=b"\x89PNG\x00\xff", source_ip="127.0.0.1", stage="dev", resource="/inquiries")
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x89PNG\x00\xff"


def test_a_form_post_stays_text_and_repeated_headers_are_all_kept() -> None:
    event = build_proxy_event(
        method="POST", raw_path="/inquiries",
        headers=[("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "text/html"),
                 ("Accept", "application/json")],
        body=b"name=A+B&consent_to_contact=true", source_ip="127.0.0.1", stage="dev", resource="/inquiries")
    assert event["isBase64Encoded"] is False and event["body"] == "name=A+B&consent_to_contact=true"
    assert event["headers"]["Accept"] == "application/json"
    assert event["multiValueHeaders"]["Accept"] == ["text/html", "application/json"]
    assert event["queryStringParameters"] is None


def test_the_handlers_multi_value_headers_and_base64_body_reach_the_client(
        api: ApiGatewayEmulator, handler: RecordingHandler) -> None:
    handler.answer = {"statusCode": 303, "headers": {"Location": "/thank-you.html"},
                      "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
                      "body": base64.b64encode(b"moved").decode(), "isBase64Encoded": True}
    status, headers, body = request(api, "POST", "/inquiries", b"name=a",
                                    {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 303 and body == b"moved"
    assert headers["Location"] == "/thank-you.html"
    assert headers.get_all("Set-Cookie") == ["a=1", "b=2"]


def test_a_raising_handler_answers_502_like_api_gateway(api: ApiGatewayEmulator, handler: RecordingHandler) -> None:
    handler.error = RuntimeError("boom")
    status, _headers, body = request(api, "GET", "/health")
    assert status == 502
    assert set(json.loads(body)) == {"errors"}  # the template's DEFAULT_5XX gateway response


def test_a_method_the_template_does_not_declare_is_refused(api: ApiGatewayEmulator, handler: RecordingHandler) -> None:
    status, headers, body = request(api, "GET", "/inquiries")
    assert status == 403 and handler.calls == []
    assert headers["Cache-Control"] == "no-store"  # the template's DEFAULT_4XX gateway response
    assert set(json.loads(body)) == {"errors"}


def test_the_form_and_its_assets_are_served_and_nothing_outside_web(api: ApiGatewayEmulator) -> None:
    status, headers, body = request(api, "GET", "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b'action="/inquiries"' in body
    for asset, kind in (("/form.js", "text/javascript"), ("/styles.css", "text/css"),
                        ("/thank-you.html", "text/html")):
        status, headers, _ = request(api, "GET", asset)
        assert status == 200 and headers["Content-Type"].startswith(kind), asset
    for escape in ("/../pyproject.toml", "/%2e%2e/pyproject.toml", "/missing.html"):
        assert request(api, "GET", escape)[0] == 404, escape


@pytest.mark.parametrize(("accept_language", "where"), [
    ("es-MX,es;q=0.9,en;q=0.8", "/es/"), ("en;q=0.3, es-419", "/es/"), ("en-US,en;q=0.9,es;q=0.8", None),
    (None, None), ("es;q=0, en", None)])
def test_the_website_root_answers_in_the_browsers_language(api: ApiGatewayEmulator, accept_language: str | None,
                                                          where: str | None) -> None:
    headers = {"Accept-Language": accept_language} if accept_language else {}
    status, answer, body = request(api, "GET", "/", headers=headers)
    if where is None:
        assert status == 200 and b'<html lang="en">' in body
    else:
        assert (status, answer["Location"]) == (302, where)
        assert request(api, "GET", where)[2].count(b'<html lang="es">') == 1
    assert answer["Vary"] == "Accept-Language" and answer["Cache-Control"] == "no-store"
    # The person's own choice (the switch links to index.html) is never overridden.
    status, _, body = request(api, "GET", "/index.html", headers=headers)
    assert status == 200 and b'<html lang="en">' in body


def test_the_emulator_binds_loopback_only(api: ApiGatewayEmulator) -> None:
    assert api.server_address[0] == "127.0.0.1"


def test_every_function_runs_with_the_union_of_their_template_environments() -> None:
    config = LocalConfig(api_port=3999)
    resources = TemplateResources()
    env = handler_environment(resources, local_overrides(config), {"AWS_ENDPOINT_URL": "http://127.0.0.1:5999"})
    for lid in resources.logical_ids("AWS::Serverless::Function"):
        declared = resources.function_environment(lid)
        assert set(declared) <= set(env), lid
    assert env["THANK_YOU_URL"] == "http://127.0.0.1:3999/thank-you.html"
    assert "http://127.0.0.1:3999" in env["ALLOWED_ORIGINS"].split(",")
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:5999"


def test_functions_that_disagree_about_a_variable_cannot_share_one_process(tmp_path: Path) -> None:
    template = {"Resources": {
        "A": {"Type": "AWS::Serverless::Function", "Properties": {"Environment": {"Variables": {"X": "1"}}}},
        "B": {"Type": "AWS::Serverless::Function", "Properties": {"Environment": {"Variables": {"X": "2"}}}},
    }}
    with pytest.raises(ValueError, match="X"):
        handler_environment(TemplateResources(template))
